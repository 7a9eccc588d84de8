// run/create options -> ContainerConfig, with Podman's defaults and error texts.
#include "src/engine/create_spec.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <tuple>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "net/network_options.hpp"
#include "net/port_mapping.hpp"
#include "rootless/caps.hpp"
#include "rootless/seccomp.hpp"
#include "rootless/userspec.hpp"

extern char** environ;

namespace burrow::engine {

using storage::ContainerConfig;
using storage::MountSpec;

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// [a-zA-Z0-9][a-zA-Z0-9_.-]*, the pattern of container and volume names
bool valid_name_pattern(const std::string& n) {
    if (n.empty() || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
    return std::all_of(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; });
}

void check_volume_name(const std::string& n) {
    if (!valid_name_pattern(n))
        throw Error("creating named volume \"" + n +
                    "\": running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
}

std::string absolute(const std::string& p) {
    if (!p.empty() && p[0] == '/') return p;
    char buf[4096];
    std::string cwd = ::getcwd(buf, sizeof buf) ? buf : ".";
    std::string rel = p.rfind("./", 0) == 0 ? p.substr(2) : p;
    return rel.empty() || rel == "." ? cwd : cwd + "/" + rel;
}

void check_dest(const std::string& d) {
    if (d.empty() || d[0] != '/') throw Error("invalid container path \"" + d + "\", must be an absolute path");
}

// "K=V" lines of an env file; "K" alone takes the host's value.
void add_env(std::vector<std::pair<std::string, std::string>>& kv, const std::string& e) {
    auto set = [&](const std::string& k, const std::string& v) {
        for (auto& p : kv)
            if (p.first == k) {
                p.second = v;
                return;
            }
        kv.emplace_back(k, v);
    };
    auto eq = e.find('=');
    if (eq == 0) throw Error("invalid environment variable: \"" + e + "\"");
    if (eq == std::string::npos) {
        // "FOO*" takes every host variable with that prefix, as Podman does
        if (!e.empty() && e.back() == '*') {
            std::string prefix = e.substr(0, e.size() - 1);
            for (char** ep = environ; *ep; ++ep) {
                std::string h = *ep;
                if (h.rfind(prefix, 0) == 0 && h.find('=') != std::string::npos) set(h.substr(0, h.find('=')), h.substr(h.find('=') + 1));
            }
            return;
        }
        if (const char* v = std::getenv(e.c_str())) set(e, v);
        return;
    }
    set(e.substr(0, eq), e.substr(eq + 1));
}

std::vector<std::string> env_file_lines(const std::string& path) {
    auto text = read_file_if_exists(path);
    if (!text) throw Error("open " + path + ": no such file or directory");
    std::vector<std::string> out;
    for (const auto& raw : split(*text, '\n')) {
        std::string line(trim(raw));
        if (line.empty() || line[0] == '#') continue;
        out.push_back(line);
    }
    return out;
}

std::vector<std::string> parse_entrypoint(const std::string& v) {
    if (v.empty()) return {};
    if (v[0] == '[') {
        try {
            return nlohmann::json::parse(v).get<std::vector<std::string>>();
        } catch (const nlohmann::json::exception&) {
        }
    }
    return {v};
}

void add_mount(std::vector<MountSpec>& mounts, MountSpec m) {
    for (const auto& o : mounts)
        if (o.destination == m.destination) throw Error(m.destination + ": duplicate mount destination");
    mounts.push_back(std::move(m));
}

}  // namespace

ImageDefaults parse_image_defaults(const std::string& config_json) {
    ImageDefaults d;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(config_json);
    } catch (const nlohmann::json::exception&) {
        throw Error("image config is not valid JSON: pull the image again");
    }
    const auto& c = j.contains("config") && j["config"].is_object() ? j["config"] : nlohmann::json::object();
    auto strings = [&](const char* key) {
        std::vector<std::string> out;
        if (c.contains(key) && c[key].is_array())
            for (const auto& v : c[key])
                if (v.is_string()) out.push_back(v.get<std::string>());
        return out;
    };
    d.env = strings("Env");
    d.entrypoint = strings("Entrypoint");
    d.cmd = strings("Cmd");
    if (c.contains("WorkingDir") && c["WorkingDir"].is_string()) d.workdir = c["WorkingDir"].get<std::string>();
    if (c.contains("User") && c["User"].is_string()) d.user = c["User"].get<std::string>();
    if (c.contains("StopSignal") && c["StopSignal"].is_string()) d.stop_signal = c["StopSignal"].get<std::string>();
    if (c.contains("ExposedPorts") && c["ExposedPorts"].is_object())
        for (auto it = c["ExposedPorts"].begin(); it != c["ExposedPorts"].end(); ++it) d.exposed_ports.push_back(it.key());
    if (c.contains("Labels") && c["Labels"].is_object())
        for (auto it = c["Labels"].begin(); it != c["Labels"].end(); ++it)
            if (it.value().is_string()) d.labels[it.key()] = it.value().get<std::string>();
    if (c.contains("Volumes") && c["Volumes"].is_object())
        for (auto it = c["Volumes"].begin(); it != c["Volumes"].end(); ++it) d.volumes.push_back(it.key());
    return d;
}

MountSpec parse_volume_flag(const std::string& value) {
    auto parts = split(value, ':');
    if (parts.empty() || parts.size() > 3 || value.empty()) throw Error("incorrect volume format \"" + value + "\", should be [host-dir:]ctr-dir[:option]");
    MountSpec m;
    if (parts.size() == 1) {
        m.type = "volume";  // anonymous
        m.destination = parts[0];
    } else {
        const std::string& src = parts[0];
        m.destination = parts[1];
        if (src.empty()) throw Error("host directory cannot be empty");
        if (src[0] == '/' || src[0] == '.') {
            m.type = "bind";
            m.source = absolute(src);
            struct stat st;
            if (::stat(m.source.c_str(), &st) < 0) throw Error("statfs " + m.source + ": no such file or directory");
        } else {
            check_volume_name(src);
            m.type = "volume";
            m.source = src;
        }
        if (parts.size() == 3) {
            for (const auto& o : split(parts[2], ',')) {
                static const char* ok[] = {"ro", "rw", "z", "Z", "U", "O", "nosuid", "suid", "nodev", "dev", "noexec", "exec",
                                           "rbind", "bind", "shared", "rshared", "slave", "rslave", "private", "rprivate",
                                           "copy", "nocopy", "idmap"};
                if (std::none_of(std::begin(ok), std::end(ok), [&](const char* x) { return o == x; }))
                    throw Error("invalid option type \"" + o + "\"");
                if (o == "z" || o == "Z") continue;  // SELinux relabels: nothing to do here
                m.options.push_back(o);
            }
        }
    }
    check_dest(m.destination);
    return m;
}

MountSpec parse_mount_flag(const std::string& value) {
    MountSpec m;
    m.type = "volume";
    bool typed = false;
    for (const auto& kv : split(value, ',')) {
        auto eq = kv.find('=');
        std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (k == "type") {
            if (v != "bind" && v != "volume" && v != "tmpfs") throw Error("invalid filesystem type \"" + v + "\"");
            m.type = v;
            typed = true;
        } else if (k == "source" || k == "src") {
            m.source = v;
        } else if (k == "destination" || k == "dst" || k == "target") {
            m.destination = v;
        } else if (k == "ro" || k == "readonly") {
            if (eq == std::string::npos || v == "true" || v == "1") m.options.push_back("ro");
            else if (v != "false" && v != "0")
                throw Error("'readonly', 'ro', or 'rw' must be set to true or false, instead received \"" + v +
                            "\": must provide an argument for option");
        } else if (k == "tmpfs-size") {
            m.options.push_back("size=" + v);
        } else if (k == "tmpfs-mode") {
            m.options.push_back("mode=" + v);
        } else if (k == "U" || k == "chown") {
            if (eq == std::string::npos || v == "true") m.options.push_back("U");
        } else if (k == "bind-propagation" || k == "relabel" || k == "z" || k == "Z" || k == "consistency" ||
                   k == "volume-nocopy" || k == "bind-nonrecursive") {
            if (k == "bind-nonrecursive") m.options.push_back("bind");
        } else if (k == "nosuid" || k == "nodev" || k == "noexec" || k == "rw") {
            if (k != "rw") m.options.push_back(k);
        } else {
            throw Error(k + ": invalid mount option");
        }
    }
    if (!typed)
        throw Error("incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]"
                    "target=<ctr-dir>[,options]");
    if (m.destination.empty()) throw Error("must set volume destination");
    check_dest(m.destination);
    if (m.type == "bind") {
        if (m.source.empty()) throw Error("must set source for a bind mount: invalid argument");
        m.source = absolute(m.source);
        struct stat st;
        if (::stat(m.source.c_str(), &st) < 0) throw Error("statfs " + m.source + ": no such file or directory");
    } else if (m.type == "volume" && !m.source.empty()) {
        check_volume_name(m.source);
    }
    return m;
}

MountSpec parse_tmpfs_flag(const std::string& value) {
    MountSpec m;
    m.type = "tmpfs";
    auto colon = value.find(':');
    m.destination = value.substr(0, colon);
    check_dest(m.destination);
    if (colon != std::string::npos)
        for (const auto& o : split(value.substr(colon + 1), ',')) m.options.push_back(o);
    return m;
}

void check_pull_policy(const std::string& p) {
    if (!p.empty() && p != "missing" && p != "always" && p != "never" && p != "newer")
        throw Error("unsupported pull policy \"" + p + "\"");
}

ContainerConfig build_container_config(const CreateOptions& o, const ImageDefaults& image, const RootfsReader& rootfs) {
    ContainerConfig c;
    c.name = o.name;
    c.tty = o.tty;
    c.interactive = o.interactive;
    c.read_only = o.read_only;
    c.privileged = o.privileged;
    c.init = o.init;
    c.remove = o.rm;
    c.env_host = o.env_host;
    c.no_hosts = o.no_hosts;
    c.sig_proxy = o.sig_proxy;
    c.hostname = o.hostname;
    c.cidfile = o.cidfile;
    c.restart_policy = o.restart.substr(0, o.restart.find(':'));
    c.pull_policy = o.pull;
    check_pull_policy(c.pull_policy);
    if (!c.name.empty() && !valid_name_pattern(c.name))
        throw Error("running container create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    if (o.replace && c.name.empty()) throw Error("cannot replace container without --name being set");
    if (!o.platform.empty() && (!o.arch.empty() || !o.os.empty()))
        throw Error("--platform option can not be specified with --arch or --os");
    if (c.remove && o.restart != "no" && !o.restart.empty())
        throw Error("the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");

    // command
    c.entrypoint = o.entrypoint ? parse_entrypoint(*o.entrypoint) : image.entrypoint;
    if (!o.command.empty()) c.cmd = o.command;
    else if (!o.entrypoint) c.cmd = image.cmd;
    if (c.entrypoint.empty() && c.cmd.empty()) throw Error("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");

    // environment: image (--env-merge on top), then the user's: host proxies, host (--env-host),
    // env files, -e; the defaults where none of those set them; --unsetenv takes image and defaults out
    std::vector<std::pair<std::string, std::string>> kv, user;
    if (!o.unsetenv_all)
        for (const auto& e : image.env) add_env(kv, e);
    for (const auto& e : o.env_merge) add_env(kv, expand_env(e, kv));
    if (o.http_proxy) add_proxy_env(user);
    if (c.env_host)
        for (char** ep = environ; *ep; ++ep) add_env(user, *ep);
    for (const auto& file : o.env_file) {
        std::vector<std::string> lines;
        try {
            lines = env_file_lines(file);
        } catch (const Error& e) {
            throw e.wrap("parsing env file \"" + file + "\"");
        }
        for (const auto& line : lines) add_env(user, line);
    }
    for (const auto& e : o.env) add_env(user, e);
    for (const auto& [k, v] : user) add_env(kv, k + "=" + v);
    bool has_path = std::any_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "PATH"; });
    if (!has_path) kv.insert(kv.begin(), {"PATH", kDefaultPath});
    if (c.tty && std::none_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "TERM"; })) kv.emplace_back("TERM", "xterm");
    if (std::none_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "container"; })) kv.emplace_back("container", "podman");
    drop_unset_env(kv, user, o);

    // working directory
    c.workdir = o.workdir ? *o.workdir : (image.workdir.empty() ? "/" : image.workdir);
    c.create_workdir = !o.workdir;
    if (c.workdir.empty() || c.workdir[0] != '/') throw Error("workdir \"" + c.workdir + "\" must be an absolute path");

    // user
    c.user = o.user ? *o.user : image.user;
    c.userns = o.userns;
    if (c.userns == "private" || c.userns == "host") c.userns = c.userns == "host" ? "host" : "";
    if (!c.userns.empty() && c.userns != "keep-id" && c.userns != "host" && c.userns.rfind("keep-id:", 0) != 0 && c.userns != "auto")
        throw Error("unrecognized namespace mode " + c.userns + " passed");
    std::string user_spec = c.user;
    if (c.userns == "keep-id" && !o.user) user_spec = std::to_string(::getuid()) + ":" + std::to_string(::getgid());
    auto resolved = rootless::resolve_user(user_spec, rootfs("/etc/passwd"), rootfs("/etc/group"));
    c.uid = resolved.uid;
    c.gid = resolved.gid;
    c.groups = resolved.groups;
    // keep-id: HOME comes with the passwd entry the start adds (the home mounted in, else the workdir).
    if (c.userns != "keep-id" && std::none_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "HOME"; }))
        kv.emplace_back("HOME", resolved.home.empty() ? "/" : resolved.home);
    if (!c.hostname.empty() && std::none_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "HOSTNAME"; }))
        kv.emplace_back("HOSTNAME", c.hostname);
    for (auto& [k, v] : kv) c.env.push_back(k + "=" + v);

    // mounts
    for (const auto& v : o.volumes) add_mount(c.mounts, parse_volume_flag(v));
    for (const auto& v : o.mounts) add_mount(c.mounts, parse_mount_flag(v));
    for (const auto& v : o.tmpfs) add_mount(c.mounts, parse_tmpfs_flag(v));
    for (auto& m : c.mounts) {
        // Podman mounts volumes nosuid,nodev unless told otherwise.
        if (m.type != "volume") continue;
        if (std::find(m.options.begin(), m.options.end(), "suid") == m.options.end() &&
            std::find(m.options.begin(), m.options.end(), "nosuid") == m.options.end())
            m.options.push_back("nosuid");
        if (std::find(m.options.begin(), m.options.end(), "dev") == m.options.end() &&
            std::find(m.options.begin(), m.options.end(), "nodev") == m.options.end())
            m.options.push_back("nodev");
    }
    if (c.read_only && o.read_only_tmpfs) {
        // Podman keeps these writable on a read-only rootfs, unless a mount of the user's is there.
        for (const char* d : {"/tmp", "/var/tmp", "/run"}) {
            if (std::any_of(c.mounts.begin(), c.mounts.end(), [&](const MountSpec& m) { return m.destination == d; }))
                continue;
            MountSpec m;
            m.type = "tmpfs";
            m.destination = d;
            m.options = {"rw", "nosuid", "nodev"};
            c.mounts.push_back(std::move(m));
        }
    }
    for (const auto& d : o.devices) {
        std::string host = d.substr(0, d.find(':'));
        if (::access(host.c_str(), F_OK) < 0) throw Error("stat " + host + ": no such file or directory");
        c.devices.push_back(d);
    }

    // security
    c.cap_add = o.cap_add;
    c.cap_drop = o.cap_drop;
    (void)rootless::resolve_caps(c.cap_add, c.cap_drop, c.privileged);  // names checked now
    for (const auto& opt : o.security_opt) {
        if (opt == "no-new-privileges" || opt == "no-new-privileges=true" || opt == "no-new-privileges:true") {
            c.no_new_privileges = true;
        } else if (opt == "no-new-privileges=false" || opt == "no-new-privileges:false") {
            c.no_new_privileges = false;
        } else if (opt.rfind("seccomp=", 0) == 0 || opt.rfind("seccomp:", 0) == 0) {
            std::string v = opt.substr(8);
            if (v == "unconfined") {
                c.seccomp = "unconfined";
            } else {
                std::string p = absolute(v);
                auto profile = read_file_if_exists(p);
                if (!profile) throw Error("opening seccomp profile failed: open " + v + ": no such file or directory");
                // A broken profile fails the create (125), as Podman's spec generation does.
                (void)rootless::compile_seccomp(*profile, rootless::resolve_caps(c.cap_add, c.cap_drop, c.privileged), p);
                c.seccomp = p;
            }
        } else if (opt.rfind("label=", 0) == 0 || opt.rfind("label:", 0) == 0 || opt.rfind("apparmor=", 0) == 0 ||
                   opt.rfind("mask=", 0) == 0 || opt.rfind("unmask=", 0) == 0 || opt.rfind("proc-opts=", 0) == 0) {
            // SELinux/AppArmor do not apply to rootless burrow; mask/unmask are not supported yet.
        } else {
            throw Error("invalid --security-opt 1: \"" + opt + "\"");
        }
    }

    // labels, stop, limits
    for (const auto& file : o.label_files) {
        std::vector<std::string> lines;
        try {
            lines = env_file_lines(file);
        } catch (const Error& e) {
            throw e.wrap("unable to process labels");
        }
        for (const auto& line : lines) {
            auto eq = line.find('=');
            c.labels[line.substr(0, eq)] = eq == std::string::npos ? "" : line.substr(eq + 1);
        }
    }
    for (const auto& [k, v] : image.labels) c.labels.emplace(k, v);
    for (const auto& l : o.labels) {
        auto eq = l.find('=');
        c.labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
    }
    for (const auto& a : o.annotations) {
        auto eq = a.find('=');
        if (eq == std::string::npos) throw Error("annotations must be formatted KEY=VALUE");
        c.annotations[a.substr(0, eq)] = a.substr(eq + 1);
    }
    std::string sig = o.stop_signal ? *o.stop_signal : image.stop_signal;
    c.stop_signal = sig.empty() ? "SIGTERM" : canonical_signal(sig);
    if (o.stop_timeout) c.stop_timeout = *o.stop_timeout;
    for (const auto& u : o.ulimits) c.ulimits.push_back(parse_ulimit(u));
    if (o.memory) {
        try {
            c.memory = parse_bytes(*o.memory);
        } catch (const Error& e) {
            throw e.wrap("invalid value for memory");
        }
    }
    if (o.cpus) c.cpus = *o.cpus;
    if (o.pids_limit) c.pids_limit = *o.pids_limit;

    // network: the mode and its options are checked here, the ports bound at create and start
    c.network = net::parse_network_mode(o.network).canonical;
    for (const auto& p : o.publish)
        for (auto& m : parse_publish(p)) c.ports.push_back(m);
    if (o.publish_all) {
        std::vector<std::string> exposed = image.exposed_ports;
        for (const auto& e : o.expose) exposed.push_back(e);
        for (const auto& e : exposed) {
            auto m = parse_publish(e);
            // -P publishes what the image exposes unless -p already publishes that port.
            bool published = std::any_of(c.ports.begin(), c.ports.end(), [&](const storage::PortMapping& q) {
                return q.protocol == m[0].protocol && m[0].container_port >= q.container_port &&
                       m[0].container_port < q.container_port + q.range;
            });
            if (!published) c.ports.insert(c.ports.end(), m.begin(), m.end());
        }
    }
    c.ports = net::normalize_ports(std::move(c.ports));
    apply_recorded_options(c, o);
    c.dns = o.dns;
    c.dns_search = o.dns_search;
    c.dns_options = o.dns_options;
    for (const auto& h : o.add_hosts) {
        auto colon = h.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == h.size())
            throw Error("invalid value \"" + h + "\" for --add-host: expected host:ip");
        c.add_hosts.push_back(h);
    }
    return c;
}

}  // namespace burrow::engine
