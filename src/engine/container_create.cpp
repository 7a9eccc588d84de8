// create: find (or pull) the image, build the config, write the record.
#include "src/engine/container_create.hpp"
#include "src/engine/events.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "net/network_options.hpp"
#include "net/port_mapping.hpp"
#include "src/engine/containers_conf.hpp"
#include "src/engine/volume_options.hpp"
#include "src/engine/create_spec.hpp"
#include "src/engine/image_pull.hpp"
#include "src/engine/lifecycle.hpp"
#include "storage/store.hpp"
#include "storage/volume_store.hpp"

namespace burrow::engine {

using storage::ContainerConfig;

namespace {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool is_whiteout(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

// containers.conf's defaults for what the flags left unset: its ulimits for the kinds no --ulimit
// names, its pids limit (Podman's rootless rule) unless --pids-limit is given, its umask and tz.
void apply_conf_defaults(ContainerConfig& cfg, const CreateOptions& f, const ContainersConf& conf) {
    for (const auto& u : conf.default_ulimits) {
        storage::Ulimit l = parse_ulimit(u);
        if (std::none_of(cfg.ulimits.begin(), cfg.ulimits.end(), [&](const storage::Ulimit& x) { return x.name == l.name; }))
            cfg.ulimits.push_back(l);
    }
    struct statfs sfs {};
    bool v2 = ::statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
    if (!f.pids_limit) cfg.pids_limit = default_pids_limit(conf, ::geteuid() != 0, v2);
    if (!f.umask) cfg.umask = conf.umask;
    if (cfg.timezone.empty()) cfg.timezone = conf.tz;
}

// The image per --pull: "missing" (default), "always", "never", "newer".
storage::ImageRecord resolve_image(storage::Store& store, const CreateOptions& f, const std::string& ref) {
    std::string policy = f.pull.empty() ? "missing" : f.pull;
    check_pull_policy(policy);  // before anything is pulled
    std::optional<storage::ImageRecord> rec;
    {
        auto lock = store.lock_shared();
        rec = store.find_image(ref);
    }
    if (rec && policy != "always") return *rec;
    if (policy == "never")
        throw Error(ref + ": image not known");
    PullOptions o;
    o.reference = ref;
    if (!f.arch.empty()) o.arch = f.arch;
    if (!f.os.empty()) o.os = f.os;
    if (!f.variant.empty()) o.variant = f.variant;
    if (!f.platform.empty()) {
        auto parts = split(f.platform, '/');
        if (parts.size() >= 2) o.os = parts[0], o.arch = parts[1];
        if (parts.size() == 3) o.variant = parts[2];
    }
    if (f.tls_verify) o.tls_verify = *f.tls_verify;
    if (!f.authfile.empty()) o.authfile = f.authfile;
    o.quiet = f.quiet;
    std::string id = pull_image(store, o);
    auto lock = store.lock_shared();
    rec = store.image(id);
    if (!rec) throw Error(ref + ": image not known");
    return *rec;
}

// -p: discarded with Podman's warning when the container has no network of its own; otherwise
// each mapping gets its host port now (Podman picks free ones at create too), and every port is
// bound once, so that one already taken fails here, before any record exists.
void settle_ports(ContainerConfig& cfg) {
    if (cfg.ports.empty()) return;
    if (net::parse_network_mode(cfg.network).kind != net::NetworkKind::slirp) {
        std::fprintf(stderr, "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use\n");
        cfg.ports.clear();
        return;
    }
    net::assign_host_ports(cfg.ports);
    (void)net::open_listeners(cfg.ports);  // closed again at once: start binds them for real
}

// What create refers to by name must exist: burrow has no pods and no secrets, so any is
// missing (Podman's words); --requires needs containers burrow would have to start first.
void check_references(storage::Store& store, const CreateOptions& f) {
    std::string pod = f.pod;
    if (pod.empty() && !f.pod_id_file.empty()) {
        auto text = read_file_if_exists(f.pod_id_file);
        if (!text) throw Error("reading pod ID file: open " + f.pod_id_file + ": no such file or directory");
        pod = std::string(trim(*text));
    }
    if (!pod.empty()) throw Error("no pod with name or ID " + pod + " found: no such pod");
    for (const auto& s : f.secrets) {
        std::string name = s.substr(0, s.find(','));
        throw Error("no secret with name or id \"" + name + "\": no such secret");
    }
    storage::ContainerStore containers(store);
    for (const auto& r : f.required)
        for (const auto& name : split(r, ','))
            if (!containers.find(name)) throw Error("no container with name or ID \"" + name + "\" found: no such container");
    if (!f.required.empty()) throw Error("--requires is not supported by burrow: it does not start other containers first");
}

}  // namespace

std::optional<std::string> read_layered_file(const storage::Store& store, const std::vector<std::string>& layers,
                                             const std::string& path) {
    std::string rel = path;
    while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
    auto slash = rel.rfind('/');
    std::string dir = slash == std::string::npos ? "" : rel.substr(0, slash + 1);
    std::string base = slash == std::string::npos ? rel : rel.substr(slash + 1);
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        std::string root = store.layer_diff_dir(*it) + "/";
        std::string full = root + rel;
        if (is_whiteout(full) || path_exists(root + dir + ".wh." + base)) return std::nullopt;
        struct stat st;
        if (::lstat(full.c_str(), &st) == 0) {
            if (!S_ISREG(st.st_mode)) return std::nullopt;
            return read_file_if_exists(full);
        }
    }
    return std::nullopt;
}

std::vector<std::string> own_command_line() {
    std::vector<std::string> out;
    auto text = read_file_if_exists("/proc/self/cmdline").value_or("");
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\0') out.push_back(text.substr(start, i - start)), start = i + 1;
    if (!out.empty()) out[0] = "burrow";
    return out;
}

ContainerConfig create_container(storage::Store& store, const CreateOptions& f) {
    if (f.image.empty()) throw Error("must provide an image name");
    check_references(store, f);
    const std::string& cidfile = f.cidfile;
    if (!cidfile.empty() && path_exists(cidfile))
        throw Error("container id file exists. Ensure another container is not using it or delete " + cidfile);
    storage::ImageRecord image = resolve_image(store, f, f.image);
    std::string config_text;
    {
        auto lock = store.lock_shared();
        auto blob = store.get_blob("sha256:" + image.id);
        if (!blob) throw Error("image " + image.id.substr(0, 12) + " has no config: pull it again");
        config_text = *blob;
    }
    ImageDefaults defaults = parse_image_defaults(config_text);
    const ContainersConf& conf = containers_conf();
    // containers.conf's env is the lowest layer: the image's and the flags' values win.
    defaults.env.insert(defaults.env.begin(), conf.env.begin(), conf.env.end());
    RootfsReader reader = [&](const std::string& p) { return read_layered_file(store, image.layers, p); };
    ContainerConfig cfg = build_container_config(f, defaults, reader);
    add_image_volumes(cfg.mounts, defaults.volumes, f.image_volume.empty() ? conf.image_volume_mode : f.image_volume);
    cfg.image_id = image.id;
    cfg.raw_image_name = f.image;
    cfg.image_name = image.names.empty() ? image.id : image.names.front();
    for (const auto& n : image.names) {
        // the name the user's reference matched, when it is one of the image's names
        if (n == f.image || n == f.image + ":latest") {
            cfg.image_name = n;
            break;
        }
        if (n.ends_with("/" + f.image) || n.ends_with("/" + f.image + ":latest")) {
            cfg.image_name = n;
            break;
        }
    }
    cfg.layers = image.layers;
    cfg.created = now_ns();
    cfg.create_command = f.create_command;

    if (f.memory || f.cpus || f.pids_limit || !f.other_limits.empty()) {
        struct statfs sfs {};
        bool v2 = ::statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
        // Podman's words; on cgroup v2 the limits need a delegated cgroup from the systemd user
        // manager, which the systemd work adds.
        std::fprintf(stderr, "%s\n",
                     v2 ? "Resource limits are not honoured without a systemd user session; ignoring them"
                        : "Resource limits are not supported and ignored on cgroups V1 rootless systems");
    }
    apply_conf_defaults(cfg, f, conf);  // after the warning: a default limit is not the user's
    storage::ContainerStore containers(store);
    if (f.replace) {
        if (auto old = containers.find(cfg.name); old && old->name == cfg.name) {
            remove_container(store, *old, true, old->stop_timeout);
            // Podman prints the name of the container it replaced.
            std::printf("%s\n", cfg.name.c_str());
            std::fflush(stdout);
        }
    }
    // -v /path: an anonymous volume. Its name is fixed now and the volume made once the record
    // exists, so that a name already in use leaves no volume behind.
    std::vector<std::string> anonymous;
    for (auto& m : cfg.mounts)
        if (m.type == "volume" && m.source.empty()) anonymous.push_back(m.source = random_hex(32));
    settle_ports(cfg);
    containers.create(cfg);
    // The rootfs's "/" is the upper dir's. containers/storage gives each new layer its parent's
    // root mode, which a layer's own "./" entry may change: the highest layer whose root is not
    // the 0755 every layer starts with decides (an image whose / is 0555 keeps 0555).
    for (auto it = cfg.layers.rbegin(); it != cfg.layers.rend(); ++it) {
        struct stat st {};
        if (::stat(store.layer_diff_dir(*it).c_str(), &st) == 0 && (st.st_mode & 07777) != 0755) {
            ::chmod(containers.upper_dir(cfg.id).c_str(), st.st_mode & 07777);
            break;
        }
    }
    container_event(store, cfg, "create");
    storage::VolumeStore volumes(store);
    std::vector<std::string> made;
    try {
        // Named volumes exist from create on, as in Podman (`volume ls` shows them, `rm -v` keeps them).
        for (const auto& m : cfg.mounts) {
            if (m.type != "volume") continue;
            if (std::find(anonymous.begin(), anonymous.end(), m.source) != anonymous.end()) {
                volumes.create(m.source, {}, {}, true);
                made.push_back(m.source);
            } else if (!volumes.get(m.source)) {
                try {
                    volumes.create(m.source, {}, {});
                    made.push_back(m.source);
                } catch (const Error&) {
                    if (!volumes.get(m.source)) throw;  // made by a concurrent create: fine
                }
            }
        }
        if (!cidfile.empty()) atomic_write_file(cidfile, cfg.id, 0644, false);
    } catch (const Error&) {
        {
            auto lock = containers.lock(cfg.id);
            containers.remove(cfg.id);
        }
        for (const auto& n : made) try {
                volumes.remove(n);
            } catch (const Error&) {
            }
        throw;
    }
    return cfg;
}

}  // namespace burrow::engine
