// Store layout, options, blobs, layers and temp dirs. Image records are in image_store.cpp.
#include "storage/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <toml++/toml.h>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/sha256.hpp"
#include "storage/container_store.hpp"
#include "storage/store_internal.hpp"

namespace burrow::storage {

namespace detail {

std::optional<uint64_t> process_start_time(int pid) {
    if (pid <= 0) return std::nullopt;
    std::optional<std::string> stat;
    try {
        stat = read_file_if_exists("/proc/" + std::to_string(pid) + "/stat");
    } catch (const Error&) {
        return std::nullopt;  // reaped between open and read (ESRCH): gone
    }
    if (!stat) return std::nullopt;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    auto close = stat->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    size_t pos = close + 2;
    // A zombie has exited: nobody may act on it as a live process any more.
    if (pos < stat->size() && ((*stat)[pos] == 'Z' || (*stat)[pos] == 'X')) return std::nullopt;
    for (int field = 3; field < 22; ++field) {
        pos = stat->find(' ', pos);
        if (pos == std::string::npos) return std::nullopt;
        ++pos;
    }
    return std::strtoull(stat->c_str() + pos, nullptr, 10);
}

std::string owned_temp_name(const std::string& kind) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    int pid = ::getpid();
    char rnd[17];
    std::snprintf(rnd, sizeof rnd, "%016llx", static_cast<unsigned long long>(rng()));
    return std::to_string(pid) + "-" + std::to_string(process_start_time(pid).value_or(0)) + "-" + kind + "-" + rnd;
}

bool temp_owner_alive(const std::string& name) {
    unsigned long long pid = 0, start = 0;
    if (std::sscanf(name.c_str(), "%llu-%llu-", &pid, &start) != 2) return false;
    auto now = process_start_time(static_cast<int>(pid));
    return now && *now == start;
}

bool is_hex(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string id_hex(const std::string& s) {
    std::string h = s.rfind("sha256:", 0) == 0 ? s.substr(7) : s;
    return h.size() == 64 && is_hex(h) ? h : "";
}

}  // namespace detail

using detail::id_hex;

// ---- options -------------------------------------------------------------------------------

namespace {

std::optional<std::string> toml_string(const toml::table& t, std::string_view path) {
    if (auto v = t.at_path(path).value<std::string>(); v && !v->empty()) return v;
    return std::nullopt;
}

std::optional<bool> toml_bool(const toml::table& t, std::string_view path) {
    auto node = t.at_path(path);
    if (auto b = node.value_exact<bool>()) return b;
    if (auto s = node.value_exact<std::string>()) return *s == "true" || *s == "1";
    return std::nullopt;
}

void apply_storage_conf(StoreOptions& o, const std::string& path) {
    auto text = read_file_if_exists(path);
    if (!text) return;
    toml::table t;
    try {
        t = toml::parse(*text, path);
    } catch (const toml::parse_error& e) {
        throw Error("parsing storage.conf `" + path + "`: " + std::string(e.description()) + " at line " +
                    std::to_string(e.source().begin.line));
    }
    // The file is Podman's too: keep burrow's layout in a folder of its own inside those roots, so
    // containers/storage never sees files it does not know (and we never see its).
    if (auto v = toml_string(t, "storage.graphroot")) o.root = join_path(*v, "burrow");
    if (auto v = toml_string(t, "storage.runroot")) o.runroot = join_path(*v, "burrow");
    if (auto v = toml_string(t, "storage.driver")) o.driver = *v;
    // Older files put the overlay options directly under [storage.options].
    for (auto prefix : {"storage.options.", "storage.options.overlay."}) {
        std::string p = prefix;
        if (auto v = toml_string(t, p + "mount_program")) o.mount_program = *v;
        if (auto v = toml_bool(t, p + "ignore_chown_errors")) o.ignore_chown_errors = *v;
    }
}

// Network file systems: overlay cannot use them as upper/lower dirs, and flock there is unreliable.
const char* network_fs_name(const std::string& path) {
    struct statfs sf;
    if (::statfs(path.c_str(), &sf) < 0) return nullptr;
    switch (static_cast<unsigned long>(sf.f_type)) {
        case 0x6969: return "NFS";
        case 0x0bd00bd0: return "Lustre";
        case 0x47504653: return "GPFS";
        default: return nullptr;
    }
}

}  // namespace

StoreOptions load_store_options(const StoreOptions& overrides) {
    StoreOptions o;
    o.root = xdg_data_home() + "/burrow";
    o.runroot = xdg_runtime_dir_or_fallback() + "/burrow";
    const char* env = std::getenv("CONTAINERS_STORAGE_CONF");
    apply_storage_conf(o, env && *env ? std::string(env) : xdg_config_home() + "/containers/storage.conf");
    if (!overrides.root.empty()) o.root = overrides.root;
    if (!overrides.runroot.empty()) o.runroot = overrides.runroot;
    if (!overrides.driver.empty() && overrides.driver != "overlay") o.driver = overrides.driver;
    if (!overrides.mount_program.empty()) o.mount_program = overrides.mount_program;
    if (overrides.ignore_chown_errors) o.ignore_chown_errors = true;
    if (!overrides.volume_path.empty()) o.volume_path = overrides.volume_path;
    return o;
}

// ---- records ---------------------------------------------------------------------------------

namespace {

nlohmann::json layer_to_json(const LayerRecord& r) {
    nlohmann::json j{{"id", r.id},
                     {"parent", r.parent},
                     {"diff_id", r.diff_id},
                     {"compressed_digest", r.compressed_digest},
                     {"compressed_size", r.compressed_size},
                     {"uncompressed_size", r.uncompressed_size},
                     {"created", r.created}};
    if (r.whiteout_files) j["whiteout_files"] = true;
    return j;
}

std::optional<LayerRecord> layer_from_json(const std::string& text) {
    try {
        auto j = nlohmann::json::parse(text);
        LayerRecord r;
        r.id = j.at("id").get<std::string>();
        r.parent = j.value("parent", "");
        r.diff_id = j.value("diff_id", "");
        r.compressed_digest = j.value("compressed_digest", "");
        r.compressed_size = j.value("compressed_size", uint64_t{0});
        r.uncompressed_size = j.value("uncompressed_size", uint64_t{0});
        r.created = j.value("created", int64_t{0});
        r.whiteout_files = j.value("whiteout_files", false);
        return r;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

}  // namespace

// ---- store -----------------------------------------------------------------------------------

Store::Store(StoreOptions opts, const HelperRunner& helpers) : opts_(std::move(opts)), helpers_(&helpers) {
    if (opts_.root.empty()) throw Error("store root is not set");
    for (auto sub : {"", "/blobs/sha256", "/layers", "/locks", "/images", "/tmp"}) mkdir_p(opts_.root + sub, 0700);
    static std::atomic<bool> warned{false};
    if (const char* fs = network_fs_name(opts_.root); fs && !warned.exchange(true))
        std::fprintf(stderr,
                     "WARN: store root %s is on %s: overlay mounts and file locks do not work reliably there; "
                     "use a local root via --root or graphroot in storage.conf\n",
                     opts_.root.c_str(), fs);
}

Lock Store::lock_shared() const { return Lock::acquire(opts_.root + "/store.lock", Lock::Mode::shared); }
Lock Store::lock_exclusive() const { return Lock::acquire(opts_.root + "/store.lock", Lock::Mode::exclusive); }


std::optional<std::string> Store::get_blob(const std::string& digest) const {
    auto hex = id_hex(digest);
    if (hex.empty()) return std::nullopt;
    return read_file_if_exists(opts_.root + "/blobs/sha256/" + hex);
}

std::string Store::layer_dir(const std::string& chain) const {
    if (id_hex(chain).empty()) throw Error("invalid layer id \"" + chain + "\"");
    return opts_.root + "/layers/" + chain;
}
std::string Store::layer_diff_dir(const std::string& chain) const { return layer_dir(chain) + "/diff"; }
std::string Store::layer_lock_path(const std::string& chain) const {
    if (id_hex(chain).empty()) throw Error("invalid layer id \"" + chain + "\"");
    return opts_.root + "/locks/layer-" + chain + ".lock";
}

bool Store::has_layer(const std::string& chain) const {
    return !id_hex(chain).empty() && path_exists(layer_dir(chain) + "/layer.json");
}

std::optional<LayerRecord> Store::layer(const std::string& chain) const {
    if (id_hex(chain).empty()) return std::nullopt;
    auto text = read_file_if_exists(layer_dir(chain) + "/layer.json");
    if (!text) return std::nullopt;
    return layer_from_json(*text);
}

std::vector<LayerRecord> Store::layers() const {
    std::vector<LayerRecord> out;
    for (const auto& name : list_dir(opts_.root + "/layers"))
        if (auto r = layer(name)) out.push_back(std::move(*r));
    return out;
}

std::string Store::make_temp_layer_dir(const std::string& chain) {
    auto path = opts_.root + "/tmp/" + detail::owned_temp_name("layer-" + chain.substr(0, 12));
    if (::mkdir(path.c_str(), 0700) < 0) throw_errno("mkdir `" + path + "`");
    return path;
}

void Store::commit_layer(const std::string& temp_dir, const LayerRecord& rec) {
    LayerRecord r = rec;
    r.whiteout_files = path_exists(temp_dir + "/" + kWhiteoutFilesMarker);
    atomic_write_file(temp_dir + "/layer.json", layer_to_json(r).dump(2) + "\n", 0644);
    auto dest = layer_dir(r.id);
    if (::rename(temp_dir.c_str(), dest.c_str()) < 0) {
        int err = errno;
        if ((err == EEXIST || err == ENOTEMPTY) && has_layer(r.id)) {
            // Already there (a store shared with an older run): keep the one in place.
            remove_owned_tree(temp_dir);
            return;
        }
        throw_errno("rename `" + temp_dir + "` to `" + dest + "`", err);
    }
    fsync_dir(opts_.root + "/layers");
}

void Store::remove_owned_tree(const std::string& path) const {
    if (!path_exists(path)) return;
    // With a single id every file is ours and removable in-process; with subordinate ids,
    // files and 0500 dirs owned by them need root of the user namespace.
    if (idmap().single() || ::geteuid() == 0) {
        remove_tree(path);
        return;
    }
    helpers_->run(idmap(), {"__rm", path});
}

std::vector<std::string> Store::remove_unused_layers() {
    std::set<std::string> used;
    for (const auto& img : images()) used.insert(img.layers.begin(), img.layers.end());
    // A container keeps its layers even when its image record is gone.
    for (const auto& c : ContainerStore(*this).list()) used.insert(c.layers.begin(), c.layers.end());
    std::vector<std::string> removed;
    for (const auto& name : list_dir(opts_.root + "/layers")) {
        if (used.count(name) || id_hex(name).empty()) continue;
        // A pull that has not yet recorded its image holds the layer lock shared.
        auto lock = Lock::try_acquire(layer_lock_path(name), Lock::Mode::exclusive);
        if (!lock.held()) continue;
        auto gone = opts_.root + "/tmp/" + detail::owned_temp_name("rm-" + name.substr(0, 12));
        auto src = layer_dir(name);
        if (::rename(src.c_str(), gone.c_str()) < 0) throw_errno("rename `" + src + "` to `" + gone + "`");
        lock.release();
        removed.push_back(name);
        try {
            remove_owned_tree(gone);
        } catch (const Error&) {
            // Invisible already; the next sweep_tmp retries.
        }
    }
    return removed;
}

void Store::sweep_tmp() {
    auto tmp = opts_.root + "/tmp";
    for (const auto& name : list_dir(tmp)) {
        if (detail::temp_owner_alive(name)) continue;
        try {
            remove_owned_tree(tmp + "/" + name);
        } catch (const Error&) {
            // Try again on the next sweep; a leftover temp dir is harmless.
        }
    }
}

const IdMapping& Store::idmap() const {
    if (!idmap_) idmap_ = current_user_mapping();
    return *idmap_;
}

}  // namespace burrow::storage
