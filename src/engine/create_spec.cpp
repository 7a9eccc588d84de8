// run/create flags -> ContainerConfig, with Podman's defaults and error texts.
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
#include "rootless/userspec.hpp"

extern char** environ;

namespace burrow::engine {

using cli::FlagSpec;
using cli::FlagType;
using storage::ContainerConfig;
using storage::MountSpec;

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

FlagSpec b(const std::string& n, char s, const std::string& u, const std::string& def = "") {
    return FlagSpec{n, s, FlagType::Bool, def, u, false, ""};
}
FlagSpec str(const std::string& n, char s, const std::string& u, const std::string& def = "") {
    return FlagSpec{n, s, FlagType::String, def, u, false, ""};
}
FlagSpec list(const std::string& n, char s, const std::string& u) {
    return FlagSpec{n, s, FlagType::StringList, "", u, false, ""};
}

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

// Podman's message for a flag value strconv could not parse.
Error flag_syntax(const std::string& flag, const std::string& v, const std::string& func) {
    return Error("invalid argument \"" + v + "\" for \"--" + flag + "\" flag: strconv." + func + ": parsing \"" + v +
                 "\": invalid syntax");
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

std::vector<FlagSpec> create_flags() {
    std::vector<FlagSpec> f = {
        list("add-host", 0, "Add a custom host-to-IP mapping (host:ip)"),
        list("annotation", 0, "Add annotations to container (key=value)"),
        str("arch", 0, "use ARCH instead of the architecture of the machine for choosing images"),
        str("authfile", 0, "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override"),
        list("cap-add", 0, "Add capabilities to the container"),
        list("cap-drop", 0, "Drop capabilities from the container"),
        str("cgroup-manager", 0, "", ""),
        str("cgroupns", 0, "cgroup namespace to use"),
        str("cgroups", 0, "control container cgroup configuration (\"enabled\"|\"disabled\"|\"no-conmon\"|\"split\")", "enabled"),
        str("cidfile", 0, "Write the container ID to the file"),
        str("cpus", 0, "Number of CPUs. The default is 0.000 which means no limit"),
        str("cpu-shares", 'c', "CPU shares (relative weight)"),
        list("device", 0, "Add a host device to the container"),
        list("dns", 0, "Set custom DNS servers"),
        list("dns-option", 0, "Set custom DNS options"),
        list("dns-search", 0, "Set custom DNS search domains"),
        str("entrypoint", 0, "Overwrite the default ENTRYPOINT of the image"),
        list("env", 'e', "Set environment variables in container"),
        b("env-host", 0, "Use all current host environment variables in container"),
        list("env-file", 0, "Read in a file of environment variables"),
        list("expose", 0, "Expose a port or a range of ports"),
        list("group-add", 0, "Add additional groups to the primary container process. 'keep-groups' allows container processes to use supplementary groups."),
        str("hostname", 'h', "Set container hostname"),
        b("init", 0, "Run an init binary inside the container that forwards signals and reaps processes"),
        b("interactive", 'i', "Keep STDIN open even if not attached"),
        list("label", 'l', "Set metadata on container"),
        list("label-file", 0, "Read in a line delimited file of labels"),
        str("log-driver", 0, "Logging driver for the container", "k8s-file"),
        list("log-opt", 0, "Logging driver options"),
        str("memory", 'm', "Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))"),
        list("mount", 0, "Attach a filesystem mount to the container"),
        str("name", 0, "Assign a name to the container"),
        str("network", 0, "Connect a container to a network"),
        b("no-hosts", 0, "Do not create /etc/hosts within the container, instead use the version from the image"),
        str("os", 0, "use OS instead of the running OS for choosing images"),
        str("pids-limit", 0, "Tune container pids limit (set -1 for unlimited)"),
        str("platform", 0, "Specify the platform for selecting the image.  (Conflicts with --arch and --os)"),
        b("privileged", 0, "Give extended privileges to container"),
        list("publish", 'p', "Publish a container's port, or a range of ports, to the host"),
        b("publish-all", 'P', "Publish all exposed ports to random ports on the host interface"),
        str("pull", 0, "Pull image policy", "missing"),
        b("quiet", 'q', "Suppress output information when pulling images"),
        b("read-only", 0, "Make containers root filesystem read-only"),
        b("read-only-tmpfs", 0, "When running containers in read-only mode mount a read-write tmpfs on /run, /tmp and /var/tmp", "true"),
        b("replace", 0, "If a container with the same name exists, replace it"),
        str("restart", 0, "Restart policy to apply when a container exits (\"always\"|\"no\"|\"on-failure\"|\"unless-stopped\")"),
        b("rm", 0, "Remove container (and pod if created) after exit"),
        list("security-opt", 0, "Security Options"),
        str("shm-size", 0, "Size of /dev/shm (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))", "65536k"),
        b("sig-proxy", 0, "Proxy received signals to the process", "true"),
        str("stop-signal", 0, "Signal to stop a container. Default is SIGTERM"),
        str("stop-timeout", 0, "Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL.", "10"),
        list("sysctl", 0, "Sysctl options"),
        str("systemd", 0, "Run container in systemd mode (\"true\"|\"false\"|\"always\")", "true"),
        list("tmpfs", 0, "Mount a temporary filesystem (tmpfs) into a container"),
        str("tls-verify", 0, "Require HTTPS and verify certificates when contacting registries for pulling images"),
        b("tty", 't', "Allocate a pseudo-TTY for container"),
        list("ulimit", 0, "Ulimit options"),
        str("user", 'u', "Username or UID (format: <name|uid>[:<group|gid>])"),
        str("userns", 0, "User namespace to use"),
        str("uts", 0, "UTS namespace to use"),
        str("variant", 0, "Use VARIANT instead of the running architecture variant for choosing images"),
        list("volume", 'v', "Bind mount a volume into the container"),
        list("volumes-from", 0, "Mount volumes from the specified container(s)"),
        str("workdir", 'w', "Working directory inside the container"),
    };
    FlagSpec net_alias = str("net", 0, "Connect a container to a network");
    net_alias.hidden = true;
    f.push_back(net_alias);
    FlagSpec tls = f[0];
    for (auto& x : f) {
        if (x.name == "tls-verify") x.type = FlagType::Bool, x.default_value = "true";
        if (x.name == "stop-timeout" || x.name == "pids-limit") x.type = FlagType::String;
    }
    return f;
}

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

ContainerConfig build_container_config(const cli::ParsedFlags& f, const std::vector<std::string>& args,
                                       const ImageDefaults& image, const RootfsReader& rootfs) {
    ContainerConfig c;
    c.name = f.get_string("name");
    c.tty = f.get_bool("tty");
    c.interactive = f.get_bool("interactive");
    c.read_only = f.get_bool("read-only");
    c.privileged = f.get_bool("privileged");
    c.init = f.get_bool("init");
    c.remove = f.get_bool("rm");
    c.env_host = f.get_bool("env-host");
    c.no_hosts = f.get_bool("no-hosts");
    c.sig_proxy = f.get_bool("sig-proxy");
    c.hostname = f.get_string("hostname");
    c.cidfile = f.get_string("cidfile");
    c.restart_policy = f.get_string("restart").substr(0, f.get_string("restart").find(':'));
    c.pull_policy = f.get_string("pull");
    check_pull_policy(c.pull_policy);
    if (!c.name.empty() && !valid_name_pattern(c.name))
        throw Error("running container create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    if (f.get_bool("replace") && c.name.empty()) throw Error("cannot replace container without --name being set");
    if (f.changed("platform") && (f.changed("arch") || f.changed("os")))
        throw Error("--platform option can not be specified with --arch or --os");
    if (f.changed("restart") && c.remove && f.get_string("restart") != "no" && !f.get_string("restart").empty())
        throw Error("the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");

    // command
    c.entrypoint = f.changed("entrypoint") ? parse_entrypoint(f.get_string("entrypoint")) : image.entrypoint;
    if (args.size() > 1) c.cmd.assign(args.begin() + 1, args.end());
    else if (!f.changed("entrypoint")) c.cmd = image.cmd;
    if (c.entrypoint.empty() && c.cmd.empty()) throw Error("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");

    // environment: image, then host (--env-host), env files, -e
    std::vector<std::pair<std::string, std::string>> kv;
    for (const auto& e : image.env) add_env(kv, e);
    if (c.env_host)
        for (char** ep = environ; *ep; ++ep) add_env(kv, *ep);
    for (const auto& file : f.get_list("env-file")) {
        std::vector<std::string> lines;
        try {
            lines = env_file_lines(file);
        } catch (const Error& e) {
            throw e.wrap("parsing env file \"" + file + "\"");
        }
        for (const auto& line : lines) add_env(kv, line);
    }
    for (const auto& e : f.get_list("env")) add_env(kv, e);
    bool has_path = std::any_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "PATH"; });
    if (!has_path) kv.insert(kv.begin(), {"PATH", kDefaultPath});
    if (c.tty && std::none_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "TERM"; })) kv.emplace_back("TERM", "xterm");
    if (std::none_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "container"; })) kv.emplace_back("container", "podman");

    // working directory
    c.workdir = f.changed("workdir") ? f.get_string("workdir") : (image.workdir.empty() ? "/" : image.workdir);
    if (c.workdir.empty() || c.workdir[0] != '/') throw Error("workdir \"" + c.workdir + "\" must be an absolute path");

    // user
    c.user = f.changed("user") ? f.get_string("user") : image.user;
    c.userns = f.get_string("userns");
    if (c.userns == "private" || c.userns == "host") c.userns = c.userns == "host" ? "host" : "";
    if (!c.userns.empty() && c.userns != "keep-id" && c.userns != "host" && c.userns.rfind("keep-id:", 0) != 0 && c.userns != "auto")
        throw Error("unrecognized namespace mode " + c.userns + " passed");
    std::string user_spec = c.user;
    if (c.userns == "keep-id" && !f.changed("user")) user_spec = std::to_string(::getuid()) + ":" + std::to_string(::getgid());
    auto resolved = rootless::resolve_user(user_spec, rootfs("/etc/passwd"), rootfs("/etc/group"));
    c.uid = resolved.uid;
    c.gid = resolved.gid;
    c.groups = resolved.groups;
    if (std::none_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "HOME"; }))
        kv.emplace_back("HOME", resolved.home.empty() ? "/" : resolved.home);
    if (!c.hostname.empty() && std::none_of(kv.begin(), kv.end(), [](const auto& p) { return p.first == "HOSTNAME"; }))
        kv.emplace_back("HOSTNAME", c.hostname);
    for (auto& [k, v] : kv) c.env.push_back(k + "=" + v);

    // mounts
    for (const auto& v : f.get_list("volume")) add_mount(c.mounts, parse_volume_flag(v));
    for (const auto& v : f.get_list("mount")) add_mount(c.mounts, parse_mount_flag(v));
    for (const auto& v : f.get_list("tmpfs")) add_mount(c.mounts, parse_tmpfs_flag(v));
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
    if (c.read_only && f.get_bool("read-only-tmpfs")) {
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
    for (const auto& d : f.get_list("device")) {
        std::string host = d.substr(0, d.find(':'));
        if (::access(host.c_str(), F_OK) < 0) throw Error("stat " + host + ": no such file or directory");
        c.devices.push_back(d);
    }

    // security
    c.cap_add = f.get_list("cap-add");
    c.cap_drop = f.get_list("cap-drop");
    (void)rootless::resolve_caps(c.cap_add, c.cap_drop, c.privileged);  // names checked now
    for (const auto& o : f.get_list("security-opt")) {
        if (o == "no-new-privileges" || o == "no-new-privileges=true" || o == "no-new-privileges:true") {
            c.no_new_privileges = true;
        } else if (o == "no-new-privileges=false" || o == "no-new-privileges:false") {
            c.no_new_privileges = false;
        } else if (o.rfind("seccomp=", 0) == 0 || o.rfind("seccomp:", 0) == 0) {
            std::string v = o.substr(8);
            if (v == "unconfined") {
                c.seccomp = "unconfined";
            } else {
                std::string p = absolute(v);
                if (!read_file_if_exists(p)) throw Error("opening seccomp profile failed: open " + v + ": no such file or directory");
                c.seccomp = p;
            }
        } else if (o.rfind("label=", 0) == 0 || o.rfind("label:", 0) == 0 || o.rfind("apparmor=", 0) == 0 ||
                   o.rfind("mask=", 0) == 0 || o.rfind("unmask=", 0) == 0 || o.rfind("proc-opts=", 0) == 0) {
            // SELinux/AppArmor do not apply to rootless burrow; mask/unmask are not supported yet.
        } else {
            throw Error("invalid --security-opt 1: \"" + o + "\"");
        }
    }

    // labels, stop, limits
    for (const auto& file : f.get_list("label-file")) {
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
    for (const auto& l : f.get_list("label")) {
        auto eq = l.find('=');
        c.labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
    }
    for (const auto& a : f.get_list("annotation")) {
        auto eq = a.find('=');
        if (eq == std::string::npos) throw Error("annotations must be formatted KEY=VALUE");
        c.annotations[a.substr(0, eq)] = a.substr(eq + 1);
    }
    std::string sig = f.changed("stop-signal") ? f.get_string("stop-signal") : image.stop_signal;
    c.stop_signal = sig.empty() ? "SIGTERM" : canonical_signal(sig);
    std::string st = f.get_string("stop-timeout");
    if (!st.empty()) {
        if (!std::all_of(st.begin(), st.end(), ::isdigit)) throw flag_syntax("stop-timeout", st, "ParseUint");
        c.stop_timeout = static_cast<unsigned>(std::atol(st.c_str()));
    }
    for (const auto& u : f.get_list("ulimit")) c.ulimits.push_back(parse_ulimit(u));
    if (f.changed("memory")) {
        try {
            c.memory = parse_bytes(f.get_string("memory"));
        } catch (const Error& e) {
            throw e.wrap("invalid value for memory");
        }
    }
    if (f.changed("cpus")) {
        char* end = nullptr;
        std::string v = f.get_string("cpus");
        c.cpus = std::strtod(v.c_str(), &end);
        if (v.empty() || !end || *end) throw flag_syntax("cpus", v, "ParseFloat");
        if (c.cpus < 0) throw Error("invalid argument \"" + v + "\" for \"--cpus\" flag");
    }
    if (f.changed("pids-limit")) {
        std::string v = f.get_string("pids-limit");
        char* end = nullptr;
        c.pids_limit = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || !end || *end) throw flag_syntax("pids-limit", v, "ParseInt");
    }

    // network: the mode and its options are checked here, the ports bound at create and start
    c.network = net::parse_network_mode(f.changed("network") ? f.get_string("network") : f.get_string("net")).canonical;
    for (const auto& p : f.get_list("publish"))
        for (auto& m : parse_publish(p)) c.ports.push_back(m);
    if (f.get_bool("publish-all")) {
        std::vector<std::string> exposed = image.exposed_ports;
        for (const auto& e : f.get_list("expose")) exposed.push_back(e);
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
    c.dns = f.get_list("dns");
    c.dns_search = f.get_list("dns-search");
    c.dns_options = f.get_list("dns-option");
    for (const auto& h : f.get_list("add-host")) {
        auto colon = h.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == h.size())
            throw Error("invalid value \"" + h + "\" for --add-host: expected host:ip");
        c.add_hosts.push_back(h);
    }
    return c;
}

}  // namespace burrow::engine
