// burrow pull: resolve -> manifest -> config -> stream missing layers into the user-namespace
// extractor -> commit layers and the image record under the store lock.
//
// Order of effects, so that a failure (or a kill) at any step leaves the store as it was:
//   1. network reads that write nothing (manifest, config);
//   2. layers are extracted into temp dirs under tmp/ while their layer locks are held;
//   3. only when every layer verified: layers renamed into place, blobs written, the image
//      record written under the exclusive store lock.
// A killed pull leaves temp dirs only; the next writer sweeps them.
#include "src/engine/image_pull.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/error.hpp"
#include "src/engine/events.hpp"
#include "base/sha256.hpp"
#include "pull/auth.hpp"
#include "pull/manifest.hpp"
#include "pull/reference.hpp"
#include "pull/registries_conf.hpp"
#include "pull/registry_client.hpp"
#include "src/engine/pull_progress.hpp"
#include "storage/extract.hpp"
#include "storage/lock.hpp"

namespace burrow::engine {
namespace {

using storage::Lock;

struct ResolvedImage {
    pull::Reference ref;        // where it is fetched from (a mirror, or the rewritten location)
    pull::Reference stored_as;  // the name it gets in the store (what the user asked for)
    pull::FetchedManifest manifest;           // the image manifest (after index selection)
    std::optional<pull::FetchedManifest> index;  // the index it was chosen from, if any
    pull::ImageManifest parsed;
    std::string config_json;
    std::vector<std::string> diff_ids;
    std::vector<std::string> chains;
};

pull::Platform wanted_platform(const PullOptions& o) {
    pull::Platform p = pull::host_platform();
    if (!o.os.empty()) p.os = o.os;
    if (!o.arch.empty()) {
        p.architecture = pull::normalize_arch(o.arch);
        if (o.variant.empty()) p.variant.clear();  // the host's variant does not apply to another arch
    }
    if (!o.variant.empty()) p.variant = o.variant;
    return p;
}

std::optional<pull::Credentials> credentials_for(const pull::Reference& ref, const PullOptions& o) {
    if (!o.creds.empty()) {
        auto colon = o.creds.find(':');
        pull::Credentials c;
        c.username = o.creds.substr(0, colon);
        if (colon != std::string::npos) c.password = o.creds.substr(colon + 1);
        if (c.username.empty()) throw Error("invalid --creds \"" + o.creds + "\": expected USERNAME[:PASSWORD]");
        return c;
    }
    return pull::lookup_credentials(ref.name(), o.authfile);
}

bool is_supported_layer_type(const std::string& mt) {
    if (mt.find("encrypted") != std::string::npos) return false;
    return mt.empty() || mt.find("tar") != std::string::npos || mt.find("rootfs.diff") != std::string::npos;
}

// Step 1: everything read from the network before anything is written.
ResolvedImage resolve(pull::RegistryClient& client, const pull::Reference& ref, const PullOptions& o) {
    ResolvedImage r;
    r.ref = ref;
    r.manifest = client.get_manifest(ref.repository, ref.manifest_ref());
    auto kind = pull::classify_manifest(r.manifest.media_type, r.manifest.body);
    if (kind == pull::ManifestKind::index) {
        auto index = pull::parse_image_index(r.manifest.body);
        auto want = wanted_platform(o);
        auto chosen = pull::choose_instance(index, want);
        if (!chosen)
            throw Error("choosing an image from manifest list docker://" + ref.str() +
                        ": no image found in manifest list for architecture " + want.architecture + ", variant \"" +
                        want.variant + "\", OS " + want.os);
        r.index = std::move(r.manifest);
        r.manifest = client.get_manifest(ref.repository, chosen->digest);
        kind = pull::classify_manifest(r.manifest.media_type, r.manifest.body);
        if (kind == pull::ManifestKind::index) throw Error("manifest list " + chosen->digest + " points at another list: nested indexes are not supported");
    }
    if (kind == pull::ManifestKind::schema1)
        throw Error("unsupported manifest type " + r.manifest.media_type +
                    ": schema1 images are no longer supported, push the image again with a current tool");
    if (kind != pull::ManifestKind::image)
        throw Error("unsupported manifest type \"" + r.manifest.media_type + "\"");
    r.parsed = pull::parse_image_manifest(r.manifest.body);
    for (const auto& l : r.parsed.layers)
        if (!is_supported_layer_type(l.media_type))
            throw Error("layer " + l.digest + " has unsupported media type " + l.media_type);

    r.config_json = client.get_blob(ref.repository, r.parsed.config.digest);
    nlohmann::json cfg;
    try {
        cfg = nlohmann::json::parse(r.config_json);
        for (const auto& d : cfg.at("rootfs").at("diff_ids")) r.diff_ids.push_back(d.get<std::string>());
    } catch (const nlohmann::json::exception&) {
        throw Error("malformed image config " + r.parsed.config.digest + ": no rootfs.diff_ids");
    }
    if (r.diff_ids.size() != r.parsed.layers.size())
        throw Error("image config " + r.parsed.config.digest + " lists " + std::to_string(r.diff_ids.size()) +
                    " diff ids for " + std::to_string(r.parsed.layers.size()) + " layers");
    std::string parent;
    for (const auto& d : r.diff_ids) {
        if (!is_valid_digest(d)) throw Error("image config " + r.parsed.config.digest + " has an invalid diff id \"" + d + "\"");
        parent = storage::chain_id(parent, d);
        r.chains.push_back(parent);
    }
    return r;
}

// One layer this process extracts (it holds the layer's lock exclusively).
struct LayerJob {
    size_t layer_index;  // into ResolvedImage::parsed.layers
    std::string chain;
    std::string temp_dir;
    Lock lock;
};

void set_pipe_size(int fd) {
    // A bigger pipe lets the download loop hand over more per wakeup.
    (void)::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

// Step 2: download and extract `jobs` in parallel; throws after removing every temp dir if any fails.
void fetch_layers(storage::Store& store, pull::RegistryClient& client, const ResolvedImage& img,
                  std::vector<LayerJob>& jobs, PullProgress& progress) {
    if (jobs.empty()) return;
    std::vector<Pipe> pipes;
    std::vector<storage::ExtractJob> extract_jobs;
    std::vector<pull::BlobStream> streams;
    for (auto& job : jobs) {
        job.temp_dir = store.make_temp_layer_dir(job.chain);
        pipes.push_back(make_pipe(O_CLOEXEC));
        set_pipe_size(pipes.back().write_end.get());
        int fl = ::fcntl(pipes.back().write_end.get(), F_GETFL);
        ::fcntl(pipes.back().write_end.get(), F_SETFL, fl | O_NONBLOCK);
        const auto& desc = img.parsed.layers[job.layer_index];
        extract_jobs.push_back({job.temp_dir, img.diff_ids[job.layer_index], pipes.back().read_end.get()});
        streams.push_back({desc.digest, desc.size, -1});
    }

    auto cleanup_temps = [&] {
        for (auto& job : jobs)
            if (!job.temp_dir.empty()) {
                try {
                    store.remove_owned_tree(job.temp_dir);
                } catch (const Error&) {
                    // Left for the next writer's sweep.
                }
            }
    };

    std::vector<storage::ExtractOutcome> outcomes;
    std::vector<pull::BlobResult> results;
    try {
        storage::ExtractSession session(store, extract_jobs);
        for (auto& p : pipes) p.read_end.reset();  // the helper has its copies
        for (size_t i = 0; i < jobs.size(); ++i) streams[i].out_fd = pipes[i].write_end.release();
        results = client.stream_blobs(img.ref.repository, streams,
                                      [&](size_t i, uint64_t done, int64_t total) { progress.blob_bytes(i, done, total); });
        outcomes = session.wait();
    } catch (...) {
        for (auto& s : streams)
            if (s.out_fd >= 0) {
                ::close(s.out_fd);
                s.out_fd = -1;
            }
        cleanup_temps();
        throw;
    }

    std::string failure;
    for (size_t i = 0; i < jobs.size() && failure.empty(); ++i) {
        const auto& digest = img.parsed.layers[jobs[i].layer_index].digest;
        // The download error is the cause when both failed: a truncated stream makes the extractor fail too.
        if (i < results.size() && !results[i].ok) failure = "copying blob " + digest + ": " + results[i].error;
        else if (i >= outcomes.size()) failure = "copying blob " + digest + ": the extractor reported nothing";
        else if (!outcomes[i].ok) failure = "copying blob " + digest + ": " + outcomes[i].error;
        else if (outcomes[i].diff_id != img.diff_ids[jobs[i].layer_index])
            failure = "copying blob " + digest + ": layer content digest " + outcomes[i].diff_id +
                      " does not match the image config's diff id " + img.diff_ids[jobs[i].layer_index];
    }
    if (!failure.empty()) {
        cleanup_temps();
        throw Error(failure);
    }
    // Step 3a: every layer verified: move them into place.
    for (size_t i = 0; i < jobs.size(); ++i) {
        const auto& desc = img.parsed.layers[jobs[i].layer_index];
        storage::LayerRecord rec;
        rec.id = jobs[i].chain;
        rec.parent = jobs[i].layer_index == 0 ? "" : img.chains[jobs[i].layer_index - 1];
        rec.diff_id = img.diff_ids[jobs[i].layer_index];
        rec.compressed_digest = desc.digest;
        rec.compressed_size = static_cast<uint64_t>(std::max<int64_t>(desc.size, 0));
        rec.uncompressed_size = outcomes[i].uncompressed_size;
        rec.created = static_cast<int64_t>(std::time(nullptr));
        store.commit_layer(jobs[i].temp_dir, rec);
        jobs[i].temp_dir.clear();
        // Keep a shared claim (rmi must not take it away before the image record exists) but let
        // other pullers waiting for this layer go on: holding it exclusive while we wait for a
        // layer they extract would deadlock two pulls of overlapping images.
        jobs[i].lock.downgrade();
    }
}

// Locks every layer of the image: shared for layers present (so rmi cannot remove them under us),
// exclusive for the ones this process will extract. Layers another process is extracting are
// waited for; if that process failed, they become ours.
std::vector<LayerJob> lock_layers(storage::Store& store, const ResolvedImage& img, std::vector<Lock>& held) {
    std::vector<LayerJob> jobs;
    std::set<std::string> seen;
    for (int round = 0; round < 3; ++round) {
        std::vector<size_t> busy;
        for (size_t i = 0; i < img.chains.size(); ++i) {
            const auto& chain = img.chains[i];
            if (seen.count(chain)) continue;
            auto path = store.layer_lock_path(chain);
            if (store.has_layer(chain)) {
                held.push_back(Lock::acquire(path, Lock::Mode::shared));
                if (store.has_layer(chain)) {
                    seen.insert(chain);
                    continue;
                }
                held.pop_back();
            }
            auto excl = Lock::try_acquire(path, Lock::Mode::exclusive);
            if (!excl.held()) {
                busy.push_back(i);
                continue;
            }
            seen.insert(chain);
            if (store.has_layer(chain)) {  // finished between our checks
                held.push_back(std::move(excl));
                continue;
            }
            jobs.push_back({i, chain, {}, std::move(excl)});
        }
        if (busy.empty() || !jobs.empty()) return jobs;  // extract ours first; the busy ones are rechecked later
        // Only layers others are extracting: wait for them, then look again.
        for (size_t i : busy) Lock::acquire(store.layer_lock_path(img.chains[i]), Lock::Mode::shared).release();
    }
    return jobs;
}

void write_image_record(storage::Store& store, const ResolvedImage& img) {
    auto lock = store.lock_exclusive();
    for (const auto& chain : img.chains)
        if (!store.has_layer(chain)) throw Error("layer " + chain + " vanished while pulling " + img.stored_as.str());
    store.put_blob(img.manifest.digest, img.manifest.body);
    if (img.index) store.put_blob(img.index->digest, img.index->body);
    store.put_blob(img.parsed.config.digest, img.config_json);

    std::string id = parse_digest(img.parsed.config.digest).hex;
    storage::ImageRecord rec;
    if (auto existing = store.image(id)) rec = *existing;
    rec.id = id;
    const auto& as = img.stored_as;
    std::string name = as.tag.empty() ? as.name() + "@" + as.digest : as.name() + ":" + as.tag;
    // A name belongs to one image: take it from whichever image had it.
    for (auto other : store.images()) {
        if (other.id == id) continue;
        auto it = std::find(other.names.begin(), other.names.end(), name);
        if (it == other.names.end()) continue;
        other.names.erase(it);
        store.put_image(other);
    }
    // The pulled name goes first, the others keep their order (containers/image's SetNames).
    std::vector<std::string> names = {name};
    names.insert(names.end(), rec.names.begin(), rec.names.end());
    storage::set_image_names(rec, names);
    // containers/storage keeps the first manifest digest an image was stored with, the top-level
    // one (an index's when pulled through one): Podman's .Digest, and what `image sign` signs.
    if (rec.digest.empty()) rec.digest = img.index ? img.index->digest : img.manifest.digest;
    auto add_unique = [](std::vector<std::string>& v, const std::string& s) {
        if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
    };
    add_unique(rec.digests, img.manifest.digest);
    add_unique(rec.repo_digests, as.name() + "@" + img.manifest.digest);
    if (img.index) {
        add_unique(rec.digests, img.index->digest);
        add_unique(rec.repo_digests, as.name() + "@" + img.index->digest);
    }
    rec.manifest_media_type = img.manifest.media_type;
    rec.layers = img.chains;
    rec.pulled = static_cast<int64_t>(std::time(nullptr));
    // Podman's image size: the layers, the config, the image's manifest and every manifest (or
    // index) it was stored under.
    uint64_t size = img.config_json.size() + img.manifest.body.size();
    for (const auto& chain : img.chains)
        if (auto l = store.layer(chain)) size += l->uncompressed_size;
    for (const auto& d : rec.digests)
        if (auto blob = store.get_blob(d)) size += blob->size();
    rec.size = size;
    store.put_image(rec);
    store.sweep_tmp();
}

// Pulls `name` from one source (a mirror or its own location).
std::string pull_from(storage::Store& store, const pull::Reference& name, const pull::PullSource& src,
                      const PullOptions& o, PullProgress& progress) {
    const pull::Reference& ref = src.ref;
    pull::ClientOptions copts;
    copts.tls_verify = o.tls_verify.value_or(true);
    copts.insecure = src.insecure;
    copts.cert_dir = o.cert_dir;
    copts.credentials = credentials_for(ref, o);
    pull::RegistryClient client(ref.registry, copts);

    ResolvedImage img;
    try {
        img = resolve(client, ref, o);
    } catch (const Error& e) {
        throw e.wrap("initializing source docker://" + ref.str());
    }
    img.stored_as = name;
    progress.line("Getting image source signatures");

    std::vector<Lock> held;
    auto jobs = lock_layers(store, img, held);
    std::set<size_t> ours;
    for (const auto& j : jobs) ours.insert(j.layer_index);
    for (size_t i = 0; i < img.parsed.layers.size(); ++i) {
        const auto& d = img.parsed.layers[i].digest;
        progress.line(ours.count(i) ? "Copying blob " + d : "Copying blob " + d + " skipped: already exists");
    }
    progress.start_blobs(jobs.size());
    try {
        fetch_layers(store, client, img, jobs, progress);
    } catch (const Error& e) {
        progress.finish_blobs();
        throw e.wrap("pulling " + name.str());
    }
    progress.finish_blobs();
    // Layers another process was extracting when we looked: wait for them now.
    for (const auto& chain : img.chains)
        if (!store.has_layer(chain)) {
            held.push_back(Lock::acquire(store.layer_lock_path(chain), Lock::Mode::shared));
            if (!store.has_layer(chain))
                throw Error("pulling " + name.str() + ": layer " + chain + " was being extracted by another process that failed; pull again");
        }
    progress.line("Copying config " + img.parsed.config.digest);
    progress.line("Writing manifest to image destination");
    write_image_record(store, img);
    image_event(store, "pull", parse_digest(img.parsed.config.digest).hex, name.str());
    progress.line("Storing signatures");
    return parse_digest(img.parsed.config.digest).hex;
}

// Mirrors first: a failing mirror is skipped (Podman logs and goes on); the image's own
// location is the last word.
std::string pull_candidate(storage::Store& store, const pull::Reference& ref, const pull::RegistriesConf& conf,
                           const PullOptions& o, PullProgress& progress) {
    progress.headline("Trying to pull " + ref.str() + "...");
    for (const auto& src : pull::pull_sources(ref, conf)) {
        try {
            return pull_from(store, ref, src, o, progress);
        } catch (const Error& e) {
            if (!src.mirror) throw;
            progress.warn("Failed to pull from mirror " + src.ref.registry + ": " + e.what());
        }
    }
    throw Error("no source for " + ref.str());  // unreachable: the last source is never a mirror
}

}  // namespace

std::string pull_image(storage::Store& store, const PullOptions& opts) {
    // A dead extractor must fail one layer, not kill burrow with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    auto conf = pull::RegistriesConf::load();
    auto parsed = pull::parse_reference(opts.reference);
    auto candidates = pull::resolve_candidates(parsed, conf);
    PullProgress progress(opts.quiet);
    if (store.idmap().single())
        progress.warn("Using rootless single mapping into the namespace. This might break some images. "
                      "Check /etc/subuid and /etc/subgid for adding sub*ids if not using a network user");
    std::vector<std::string> errors;
    for (const auto& ref : candidates) {
        try {
            return pull_candidate(store, ref, conf, opts, progress);
        } catch (const Error& e) {
            if (candidates.size() == 1) throw;
            errors.push_back(e.what());
        }
    }
    std::string msg = std::to_string(errors.size()) + " errors occurred while pulling: ";
    for (size_t i = 0; i < errors.size(); ++i) msg += (i ? "; " : "") + errors[i];
    throw Error(msg);
}

std::vector<std::string> all_tag_references(const PullOptions& opts) {
    auto parsed = pull::parse_reference(opts.reference);
    pull::Reference ref = parsed.ref;  // a tag or digest given is dropped, as libimage trims it
    if (!parsed.qualified) ref = pull::parse_reference("docker.io/" + parsed.short_name).ref;
    auto conf = pull::RegistriesConf::load();
    auto sources = pull::pull_sources(ref, conf);
    pull::ClientOptions copts;
    copts.tls_verify = opts.tls_verify.value_or(true);
    copts.insecure = sources.back().insecure;
    copts.cert_dir = opts.cert_dir;
    copts.credentials = credentials_for(ref, opts);
    pull::RegistryClient client(ref.registry, copts);
    std::vector<std::string> out;
    try {
        for (const auto& tag : client.list_tags(ref.repository)) out.push_back(ref.name() + ":" + tag);
    } catch (const Error& e) {
        throw e.wrap("initializing source docker://" + ref.name());
    }
    return out;
}

}  // namespace burrow::engine
