// Container record -> ProcessSpec, step by step.
#include "src/engine/container_setup.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "net/etc_files.hpp"
#include "rootless/caps.hpp"
#include "rootless/host_devices.hpp"
#include "rootless/mount_plan.hpp"
#include "rootless/seccomp.hpp"
#include "rootless/userspec.hpp"
#include "rootless/userns.hpp"
#include "rootless/userns_holder.hpp"
#include "storage/store.hpp"
#include "src/engine/volume_use.hpp"
#include "storage/volume_store.hpp"

namespace burrow::engine {

using storage::ContainerConfig;

namespace {

std::string short_id(const std::string& id) { return id.substr(0, 12); }

int rlimit_resource(const std::string& name) {
    static const std::pair<const char*, int> table[] = {
        {"core", RLIMIT_CORE},       {"cpu", RLIMIT_CPU},         {"data", RLIMIT_DATA},
        {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},     {"memlock", RLIMIT_MEMLOCK},
        {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},     {"nofile", RLIMIT_NOFILE},
        {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},         {"rtprio", RLIMIT_RTPRIO},
        {"rttime", RLIMIT_RTTIME},   {"sigpending", RLIMIT_SIGPENDING}, {"stack", RLIMIT_STACK},
        {"as", RLIMIT_AS},
    };
    for (auto& [n, r] : table)
        if (name == n) return r;
    throw Error("invalid ulimit type: " + name);
}

rlim_t to_rlim(int64_t v) { return v < 0 ? RLIM_INFINITY : static_cast<rlim_t>(v); }

// Rootless Podman raises nofile and nproc to the user's hard limits; --ulimit overrides.
std::vector<rootless::Rlimit> container_rlimits(const ContainerConfig& cfg) {
    std::vector<rootless::Rlimit> out;
    for (int res : {RLIMIT_NOFILE, RLIMIT_NPROC}) {
        struct rlimit rl {};
        if (::getrlimit(res, &rl) == 0) out.push_back({res, rl.rlim_max, rl.rlim_max});
    }
    for (const auto& u : cfg.ulimits) {
        int res = rlimit_resource(u.name);
        std::erase_if(out, [&](const rootless::Rlimit& r) { return r.resource == res; });
        out.push_back({res, to_rlim(u.soft), to_rlim(u.hard)});
    }
    return out;
}

bool has_option(const std::vector<std::string>& opts, const std::string& o) {
    for (const auto& x : opts)
        if (x == o) return true;
    return false;
}

std::vector<rootless::VolumeMount> container_volumes(storage::Store& store, const ContainerConfig& cfg) {
    std::vector<rootless::VolumeMount> out;
    for (const auto& m : cfg.mounts) {
        rootless::VolumeMount v;
        v.destination = m.destination;
        v.read_only = m.read_only();
        v.nosuid = has_option(m.options, "nosuid");
        v.nodev = has_option(m.options, "nodev");
        v.noexec = has_option(m.options, "noexec");
        if (m.type == "tmpfs") {
            v.tmpfs = true;
            std::vector<std::string> data;
            for (const auto& o : m.options)
                if (o.rfind("size=", 0) == 0 || o.rfind("mode=", 0) == 0 || o.rfind("uid=", 0) == 0 ||
                    o.rfind("gid=", 0) == 0 || o.rfind("nr_inodes=", 0) == 0)
                    data.push_back(o);
            v.tmpfs_options = join(data, ",");
            if (!has_option(m.options, "exec")) v.nosuid = v.nodev = true;
        } else if (m.type == "volume") {
            storage::VolumeStore volumes(store);
            v.source = volumes.ensure(m.source);
            if (auto rec = volumes.get(m.source)) complete_volume_mount(volumes, *rec, v);
        } else {
            v.source = m.source;
            struct stat st {};
            if (::stat(m.source.c_str(), &st) < 0) throw_errno("statfs " + m.source);
            v.source_is_dir = S_ISDIR(st.st_mode);
            v.recursive = !has_option(m.options, "bind") && !has_option(m.options, "norbind");
        }
        out.push_back(std::move(v));
    }
    return out;
}

// The zone file of --tz / containers.conf tz ("local": the host's /etc/localtime), copied to
// userdata/localtime for /etc/localtime, as Podman does.
std::string write_localtime(const std::string& userdata, const ContainerConfig& cfg) {
    std::string zone = cfg.timezone == "local" ? "/etc/localtime" : "/usr/share/zoneinfo/" + cfg.timezone;
    auto text = cfg.timezone.find("..") == std::string::npos ? read_file_if_exists(zone) : std::nullopt;
    if (!text) throw Error("setting timezone for container " + cfg.id + ": stat " + zone + ": no such file or directory");
    std::string dest = join_path(userdata, "localtime");
    atomic_write_file(dest, *text, 0644, false);
    return dest;
}

// hostname, hosts and resolv.conf in userdata/, as Podman 4.3 writes them. Returns whether there
// is a resolv.conf (none for --network none without --dns options).
bool write_etc_files(storage::ContainerStore& containers, const ContainerConfig& cfg, const net::NetworkMode& mode,
                     const std::string& hostname) {
    std::string dir = containers.userdata_dir(cfg.id);
    mkdir_p(dir, 0700);
    atomic_write_file(join_path(dir, "hostname"), hostname, 0644, false);  // no newline, as Podman
    if (!cfg.no_hosts) {
        net::HostsInput h;
        h.base = read_file_if_exists("/etc/hosts").value_or("");
        h.add_hosts = cfg.add_hosts;
        h.hostname = hostname;
        h.name = cfg.name;
        h.kind = mode.kind;
        h.guest = mode.slirp.guest();
        h.host_ip = net::local_host_ip();
        atomic_write_file(join_path(dir, "hosts"), net::hosts_content(h), 0644, false);
    }
    net::ResolvInput r;
    r.base = read_file_if_exists("/etc/resolv.conf").value_or("");
    r.dns = cfg.dns;
    r.dns_search = cfg.dns_search;
    r.dns_options = cfg.dns_options;
    r.kind = mode.kind;
    r.dns_forwarder = mode.slirp.dns();
    auto resolv = net::resolv_conf_content(r);
    if (resolv) atomic_write_file(join_path(dir, "resolv.conf"), *resolv, 0644, false);
    return resolv.has_value();
}

std::string find_in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    for (const auto& dir : split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
        std::string cand = join_path(dir.empty() ? "." : dir, name);
        if (::access(cand.c_str(), X_OK) == 0) return cand;
    }
    return "";
}

// fuse-overlayfs mounts the rootfs when storage.conf names it as mount_program, when a layer kept
// its whiteouts as ".wh." files (only fuse-overlayfs reads those), or when native overlay fails.
void setup_fuse_fallback(storage::Store& store, const ContainerConfig& cfg, const rootless::MountSpecSet& m,
                         rootless::ProcessSpec& s) {
    bool needed = !store.options().mount_program.empty();
    for (const auto& chain : cfg.layers)
        if (path_exists(store.layer_dir(chain) + "/" + storage::kWhiteoutFilesMarker)) needed = true;
    std::string prog = store.options().mount_program;
    if (prog.empty()) prog = find_in_path("fuse-overlayfs");
    if (prog.empty()) {
        if (needed) throw Error("this image needs fuse-overlayfs (its layers keep whiteouts as files): install fuse-overlayfs");
        return;
    }
    std::vector<std::string> lowers;
    for (const auto& l : m.lower_dirs) lowers.push_back(l[0] == '/' ? l : join_path(m.lower_base, l));
    s.fuse_argv = {prog, "-o",
                   "lowerdir=" + join(lowers, ":") + ",upperdir=" + m.upper_dir + ",workdir=" + m.work_dir,
                   m.merged};
    s.force_fuse = needed;
    s.mounts_after_rootfs.assign(s.mounts.begin() + 1, s.mounts.end());
    if (!s.mounts_after_rootfs.empty() && s.mounts_after_rootfs.back().kind == rootless::MountOp::Kind::pivot_root)
        s.mounts_after_rootfs.back().data = "move";
}

// -v SRC:DST:U: the source becomes the container user's, as seen from inside.
void chown_volumes(const ContainerConfig& cfg, const std::vector<rootless::VolumeMount>& vols,
                   const IdMapping& map) {
    for (size_t i = 0; i < cfg.mounts.size() && i < vols.size(); ++i) {
        if (!has_option(cfg.mounts[i].options, "U") || vols[i].tmpfs) continue;
        rootless::run_in_userns(map, {"__chown", std::to_string(cfg.uid), std::to_string(cfg.gid), vols[i].source});
    }
}

// A file of the container's rootfs as it stands before a start: the upper dir, then the layers
// top first; a whiteout (a 0/0 device or a ".wh." file) hides it. Each directory is its own root
// for the lookup (open_in_root), so a symlink in the image cannot reach the host's files.
std::optional<std::string> read_rootfs_file(const std::vector<std::string>& dirs_top_first, const std::string& path) {
    std::string rel = path;
    while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
    auto slash = rel.rfind('/');
    std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash + 1);
    std::string base = slash == std::string::npos ? rel : rel.substr(slash + 1);
    for (const auto& dir : dirs_top_first) {
        UniqueFd root(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root) continue;
        UniqueFd f = open_in_root(root.get(), rel, O_PATH);
        if (f) {
            struct stat st {};
            if (::fstat(f.get(), &st) < 0 || !S_ISREG(st.st_mode)) return std::nullopt;
            try {
                return read_file_in_root(root.get(), rel);
            } catch (const Error&) {
                return std::nullopt;  // not readable from outside (a subordinate id's 0600 file)
            }
        }
        if (open_in_root(root.get(), parent + ".wh." + base, O_PATH)) return std::nullopt;
    }
    return std::nullopt;
}

bool has_mount_at(const ContainerConfig& cfg, const std::string& dest) {
    return std::any_of(cfg.mounts.begin(), cfg.mounts.end(), [&](const auto& m) { return m.destination == dest; });
}

std::optional<HostAccount> host_account(const struct passwd* pw) {
    if (!pw) return std::nullopt;
    HostAccount a;
    a.name = pw->pw_name;
    a.uid = pw->pw_uid;
    a.gid = pw->pw_gid;
    a.gecos = pw->pw_gecos ? pw->pw_gecos : "";
    a.home = pw->pw_dir ? pw->pw_dir : "/";
    return a;
}

// --hostuser NAME|UID: the host's account, or Go's os/user error.
HostAccount lookup_host_user(const std::string& who) {
    bool numeric = !who.empty() && who.find_first_not_of("0123456789") == std::string::npos;
    auto a = host_account(numeric ? ::getpwuid(static_cast<uid_t>(std::stoul(who))) : ::getpwnam(who.c_str()));
    if (!a) throw Error(numeric ? "user: unknown userid " + who : "user: unknown user " + who);
    return *a;
}

// The passwd and group lines Podman adds at start (--userns=keep-id, --hostuser, a numeric
// --user), appended to the rootfs's files by the mount plan. Returns the HOME they imply.
std::optional<std::string> plan_account_files(storage::ContainerStore& containers, storage::Store& store,
                                              const ContainerConfig& cfg, rootless::MountSpecSet& m) {
    bool keep_id = cfg.userns == "keep-id";
    if (!cfg.passwd || (!keep_id && cfg.hostusers.empty() && cfg.user.empty())) return std::nullopt;
    std::vector<std::string> dirs{containers.upper_dir(cfg.id)};
    for (auto it = cfg.layers.rbegin(); it != cfg.layers.rend(); ++it) dirs.push_back(store.layer_diff_dir(*it));
    PasswdInput in;
    in.passwd = read_rootfs_file(dirs, "/etc/passwd");
    in.group = read_rootfs_file(dirs, "/etc/group");
    for (const auto& u : cfg.hostusers) in.host_users.push_back(lookup_host_user(u));
    if (keep_id) {
        in.current_user = host_account(::getpwuid(::getuid()));
        if (const struct group* g = ::getgrgid(::getgid())) in.current_group = HostGroup{g->gr_name, g->gr_gid};
    }
    in.user = keep_id && cfg.user.empty() ? std::to_string(::getuid()) + ":" + std::to_string(::getgid()) : cfg.user;
    in.workdir = cfg.workdir.empty() ? "/" : cfg.workdir;
    for (const auto& mnt : cfg.mounts) in.mount_destinations.push_back(mnt.destination);
    in.env_has_home = std::any_of(cfg.env.begin(), cfg.env.end(), [](const std::string& e) { return e.rfind("HOME=", 0) == 0; });
    in.entry_template = cfg.passwd_entry;
    PasswdPlan plan = plan_passwd(in);
    if (!plan.passwd_lines.empty() && !has_mount_at(cfg, "/etc/passwd")) m.appends.push_back({"/etc/passwd", plan.passwd_lines});
    if (!plan.group_lines.empty() && !has_mount_at(cfg, "/etc/group")) m.appends.push_back({"/etc/group", plan.group_lines});
    if (plan.home) return plan.home;
    // The user is in the image already: its passwd home, as Podman's execUser.Home.
    if (!in.env_has_home) {
        try {
            return rootless::resolve_user(in.user, in.passwd, in.group).home;
        } catch (const Error&) {
        }
    }
    return std::nullopt;
}

#ifndef BURROW_VERSION
#define BURROW_VERSION "0.0.0"
#endif

// The program's name as invoked (a link named podman says podman), for .containerenv's engine.
std::string engine_name() {
    std::string argv0 = read_file_if_exists("/proc/self/cmdline").value_or("");
    argv0 = argv0.substr(0, argv0.find('\0'));
    auto slash = argv0.rfind('/');
    if (slash != std::string::npos) argv0 = argv0.substr(slash + 1);
    if (argv0.empty() || argv0.rfind("burrow-", 0) == 0) argv0 = "burrow";
    return argv0 + "-" + BURROW_VERSION;
}

// /run/.containerenv (Podman's marker that code runs in a container), unless the user mounts /run
// or the file itself.
void add_containerenv(const std::string& userdata, const ContainerConfig& cfg, rootless::MountSpecSet& m) {
    if (has_mount_at(cfg, "/run/.containerenv") || has_mount_at(cfg, "/run")) return;
    ContainerEnvInput in;
    in.privileged = cfg.privileged;
    in.engine = engine_name();
    in.name = cfg.name;
    in.id = cfg.id;
    in.image = cfg.image_name;
    in.image_id = cfg.image_id;
    in.rootless = ::geteuid() != 0;
    std::string path = join_path(userdata, ".containerenv");
    atomic_write_file(path, containerenv_content(in), 0644, false);
    m.etc_files.push_back({path, "/run/.containerenv"});
}

}  // namespace

void set_process_credentials(rootless::ProcessSpec& s, const storage::Store& store, const ContainerConfig& cfg,
                             const IdMapping& map, uint32_t uid, uint32_t gid, const std::vector<uint32_t>& groups,
                             bool privileged) {
    // ids the namespace cannot represent fail here with a clear word, not as EINVAL
    auto mapped = [](const std::vector<IdMapEntry>& m, uint32_t id) {
        for (const auto& e : m)
            if (id >= e.container_id && id - e.container_id < e.size) return true;
        return false;
    };
    if (!mapped(map.uids, uid) || !mapped(map.gids, gid))
        throw Error("cannot run as " + std::to_string(uid) + ":" + std::to_string(gid) +
                    ": the user namespace maps only " +
                    (map.single() ? std::string("root (no subordinate ids for this user)") : "the ids of /etc/subuid and /etc/subgid") +
                    ": add ranges for your user to /etc/subuid and /etc/subgid, or run as root in the container");
    s.uid = uid;
    s.gid = gid;
    s.groups.clear();
    for (auto g : groups)
        if (mapped(map.gids, g)) s.groups.push_back(g);
    s.set_groups = !map.single();
    s.caps = rootless::resolve_caps(cfg.cap_add, cfg.cap_drop, privileged);
    s.no_new_privs = cfg.no_new_privileges;
    s.seccomp = {};
    if (!privileged && cfg.seccomp != "unconfined") {
        if (cfg.seccomp.empty()) {
            s.seccomp = rootless::default_seccomp_program(s.caps, join_path(store.root(), "cache"));
        } else {
            std::string profile = read_file(cfg.seccomp);
            s.seccomp = rootless::compile_seccomp(profile, s.caps, cfg.seccomp);
        }
    }
}

IdMapping container_idmap(const storage::Store& store, const ContainerConfig& cfg) {
    const auto& base = store.idmap();
    if (cfg.userns == "keep-id")
        return make_keep_id_mapping(base, ::getuid(), ::getgid(), ::getuid(), ::getgid());
    return base;
}

PreparedContainer prepare_container(storage::Store& store, const ContainerConfig& cfg) {
    PreparedContainer p;
    storage::ContainerStore containers(store);
    p.map = container_idmap(store, cfg);
    auto& s = p.spec;
    // With subordinate ranges and the default mapping, containers share one long-lived user
    // namespace (no newuidmap per start); keep-id needs a mapping of its own.
    if (!p.map.single() && cfg.userns != "keep-id") {
        p.userns = rootless::shared_userns(p.map, store.options().runroot);
        s.join_userns = p.userns ? p.userns.get() : -1;
    }

    // namespaces and names
    p.network = net::parse_network_mode(cfg.network);
    s.new_net = p.network.kind != net::NetworkKind::host;
    s.new_uts = cfg.uts != "host";
    s.new_ipc = cfg.ipc != "host";
    s.new_cgroup = cfg.cgroupns == "private";
    if (p.network.kind == net::NetworkKind::slirp) s.tap = net::plan_tap(p.network.slirp);
    s.hostname = cfg.hostname.empty() ? short_id(cfg.id) : cfg.hostname;
    if (!s.new_net && cfg.hostname.empty()) {
        char buf[256] = {};
        if (::gethostname(buf, sizeof buf - 1) == 0) s.hostname = buf;
    }
    bool has_resolv = write_etc_files(containers, cfg, p.network, s.hostname);

    // the mount plan
    rootless::MountSpecSet m;
    m.rootfs_kind = "overlay";
    m.lower_base = store.root();
    for (auto it = cfg.layers.rbegin(); it != cfg.layers.rend(); ++it) m.lower_dirs.push_back("layers/" + *it + "/diff");
    if (m.lower_dirs.empty()) {
        // overlay needs a lower layer: an image without layers gets an empty one
        std::string empty = containers.dir(cfg.id) + "/empty";
        mkdir_p(empty, 0755);
        m.lower_dirs.push_back(empty);
    }
    m.upper_dir = containers.upper_dir(cfg.id);
    m.work_dir = containers.work_dir(cfg.id);
    m.merged = containers.merged_dir(cfg.id);
    m.read_only_rootfs = cfg.read_only;
    m.own_netns = s.new_net;
    m.privileged = cfg.privileged;
    m.volumes = container_volumes(store, cfg);
    chown_volumes(cfg, m.volumes, p.map);
    std::string ud = containers.userdata_dir(cfg.id);
    m.etc_files.push_back({ud + "/hostname", "/etc/hostname"});
    if (!cfg.no_hosts) m.etc_files.push_back({ud + "/hosts", "/etc/hosts"});
    if (has_resolv) m.etc_files.push_back({ud + "/resolv.conf", "/etc/resolv.conf"});
    if (!cfg.timezone.empty()) m.etc_files.push_back({write_localtime(ud, cfg), "/etc/localtime"});
    add_containerenv(ud, cfg, m);
    std::optional<std::string> home = plan_account_files(containers, store, cfg, m);
    for (const auto& d : cfg.devices) m.devices.push_back(rootless::parse_device(d));
    if (cfg.privileged) rootless::add_privileged_devices(m.devices);
    if (!cfg.privileged) {
        m.masked_paths = rootless::default_masked_paths();
        m.readonly_paths = rootless::default_readonly_paths();
    }
    s.lower_base = m.lower_base;
    s.mounts = rootless::plan_mounts(m);
    setup_fuse_fallback(store, cfg, m, s);

    set_process_credentials(s, store, cfg, p.map, cfg.uid, cfg.gid, cfg.groups, cfg.privileged);
    s.rlimits = container_rlimits(cfg);
    s.workdir = cfg.workdir.empty() ? "/" : cfg.workdir;
    s.umask = static_cast<mode_t>(std::strtoul(cfg.umask.c_str(), nullptr, 8));
    s.argv = cfg.entrypoint;
    s.argv.insert(s.argv.end(), cfg.cmd.begin(), cfg.cmd.end());
    s.env = process_env(cfg.env, cfg.tty, home.value_or("/"));
    s.create_workdir = cfg.create_workdir;
    s.container_id = cfg.id;
    s.tty = cfg.tty;
    s.init = cfg.init;
    return p;
}

}  // namespace burrow::engine
