// run/create flags -> engine::CreateOptions: the table Podman's --help shows and the typed values.
#include "src/commands/create_flags.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "base/error.hpp"

namespace burrow::commands {

using cli::FlagSpec;
using cli::FlagType;
using cli::ParsedFlags;

namespace {

FlagSpec b(const std::string& n, char s, const std::string& u, const std::string& def = "") {
    return FlagSpec{n, s, FlagType::Bool, def, u, false, ""};
}
FlagSpec str(const std::string& n, char s, const std::string& u, const std::string& def = "") {
    return FlagSpec{n, s, FlagType::String, def, u, false, ""};
}
FlagSpec list(const std::string& n, char s, const std::string& u) {
    return FlagSpec{n, s, FlagType::StringList, "", u, false, ""};
}

// pflag's text for a value its type cannot hold (one line: Podman's own "See --help" is left out,
// as for every other value burrow checks after parsing).
Error flag_syntax(const std::string& flag, const std::string& v, const std::string& func) {
    return Error("invalid argument \"" + v + "\" for \"--" + flag + "\" flag: strconv." + func + ": parsing \"" + v +
                          "\": invalid syntax");
}

std::optional<std::string> opt_string(const ParsedFlags& f, const std::string& name) {
    if (!f.changed(name)) return std::nullopt;
    return f.get_string(name);
}

unsigned parse_uint_flag(const ParsedFlags& f, const std::string& name) {
    std::string v = f.get_string(name);
    if (v.empty() || !std::all_of(v.begin(), v.end(), ::isdigit)) throw flag_syntax(name, v, "ParseUint");
    errno = 0;
    unsigned long long n = std::strtoull(v.c_str(), nullptr, 10);
    if (errno != 0 || n > 0xffffffffULL)
        throw Error("invalid argument \"" + v + "\" for \"--" + name + "\" flag: strconv.ParseUint: parsing \"" + v +
                             "\": value out of range");
    return static_cast<unsigned>(n);
}

int64_t parse_int_flag(const ParsedFlags& f, const std::string& name) {
    std::string v = f.get_string(name);
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || !end || *end || errno != 0) throw flag_syntax(name, v, "ParseInt");
    return n;
}

double parse_float_flag(const ParsedFlags& f, const std::string& name) {
    std::string v = f.get_string(name);
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || !end || *end) throw flag_syntax(name, v, "ParseFloat");
    return d;
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
        b("tls-verify", 0, "Require HTTPS and verify certificates when contacting registries for pulling images", "true"),
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
    return f;
}

std::vector<FlagSpec> run_only_flags() {
    return {b("detach", 'd', "Run container in background and print container ID")};
}

engine::CreateOptions create_options(const ParsedFlags& f, const std::vector<std::string>& args) {
    engine::CreateOptions o;
    if (!args.empty()) {
        o.image = args[0];
        o.command.assign(args.begin() + 1, args.end());
    }
    o.name = f.get_string("name");
    o.replace = f.get_bool("replace");
    o.hostname = f.get_string("hostname");
    o.cidfile = f.get_string("cidfile");

    o.pull = f.get_string("pull");
    o.arch = f.get_string("arch");
    o.os = f.get_string("os");
    o.variant = f.get_string("variant");
    o.platform = f.get_string("platform");
    if (f.changed("tls-verify")) o.tls_verify = f.get_bool("tls-verify");
    o.authfile = f.get_string("authfile");
    o.quiet = f.get_bool("quiet");

    o.entrypoint = opt_string(f, "entrypoint");
    o.env = f.get_list("env");
    o.env_file = f.get_list("env-file");
    o.env_host = f.get_bool("env-host");
    o.workdir = opt_string(f, "workdir");
    o.user = opt_string(f, "user");
    o.userns = f.get_string("userns");
    o.tty = f.get_bool("tty");
    o.interactive = f.get_bool("interactive");
    o.init = f.get_bool("init");
    o.rm = f.get_bool("rm");
    o.privileged = f.get_bool("privileged");
    o.read_only = f.get_bool("read-only");
    o.read_only_tmpfs = f.get_bool("read-only-tmpfs");
    o.no_hosts = f.get_bool("no-hosts");
    o.sig_proxy = f.get_bool("sig-proxy");
    o.restart = f.get_string("restart");

    o.volumes = f.get_list("volume");
    o.mounts = f.get_list("mount");
    o.tmpfs = f.get_list("tmpfs");
    o.devices = f.get_list("device");
    o.cap_add = f.get_list("cap-add");
    o.cap_drop = f.get_list("cap-drop");
    o.security_opt = f.get_list("security-opt");

    o.labels = f.get_list("label");
    o.label_files = f.get_list("label-file");
    o.annotations = f.get_list("annotation");
    o.stop_signal = opt_string(f, "stop-signal");
    if (f.changed("stop-timeout")) o.stop_timeout = parse_uint_flag(f, "stop-timeout");
    o.ulimits = f.get_list("ulimit");
    o.memory = opt_string(f, "memory");
    if (f.changed("cpus")) {
        o.cpus = parse_float_flag(f, "cpus");
        if (*o.cpus < 0) throw Error("invalid argument \"" + f.get_string("cpus") + "\" for \"--cpus\" flag");
    }
    if (f.changed("pids-limit")) o.pids_limit = parse_int_flag(f, "pids-limit");

    o.network = f.changed("network") ? f.get_string("network") : f.get_string("net");
    o.publish = f.get_list("publish");
    o.expose = f.get_list("expose");
    o.publish_all = f.get_bool("publish-all");
    o.dns = f.get_list("dns");
    o.dns_search = f.get_list("dns-search");
    o.dns_options = f.get_list("dns-option");
    o.add_hosts = f.get_list("add-host");
    return o;
}

}  // namespace burrow::commands
