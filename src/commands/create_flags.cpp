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
    // Flags burrow added for issue 9 (Podman 4.3's usage texts). Where a feature cannot apply
    // here, create_options() or the engine warns or fails as Podman does; see each.
    std::vector<FlagSpec> more = {
        list("attach", 'a', "Attach to STDIN, STDOUT or STDERR"),
        str("conmon-pidfile", 0, "Path to the file that will receive the PID of conmon"),
        str("pidfile", 0, "Write the container process ID to the file"),
        b("http-proxy", 0, "Set proxy environment variables in the container based on the host proxy vars", "true"),
        list("hostuser", 0, "Host user account to add to /etc/passwd within container"),
        str("init-path", 0, "Path to the container-init binary"),
        b("passwd", 0, "add entries to /etc/passwd and /etc/group", "true"),
        str("passwd-entry", 0, "Entry to write to /etc/passwd"),
        str("timeout", 0, "Maximum length of time a container is allowed to run. The container will be killed automatically after the time expires."),
        str("tz", 0, "Set timezone in container"),
        str("umask", 0, "Set umask in container", "0022"),
        list("unsetenv", 0, "Unset environment default variables in container"),
        b("unsetenv-all", 0, "Unset all default environment variables in container"),
        list("env-merge", 0, "Preprocess environment variables from image before injecting them into the container"),
        str("ipc", 0, "IPC namespace to use"),
        str("pid", 0, "PID namespace to use"),
        str("pod", 0, "Run container in an existing pod"),
        str("pod-id-file", 0, "Read the pod ID from the file"),
        list("secret", 0, "Add secret to container"),
        list("requires", 0, "Add one or more requirement containers that must be started before this container will start"),
        str("sdnotify", 0, "control sd-notify behavior (\"container\"|\"conmon\"|\"ignore\")", "container"),
        str("seccomp-policy", 0, "Policy for selecting a seccomp profile (experimental)", "default"),
        str("image-volume", 0, "Tells podman how to handle the builtin image volumes (\"bind\"|\"tmpfs\"|\"ignore\")", "bind"),
        list("chrootdirs", 0, "Chroot directories inside the container"),
        str("personality", 0, "Configure execution domain using personality (e.g., LINUX/LINUX32)"),
        b("rootfs", 0, "The first argument is not an image but the rootfs to the exploded container"),
        list("uidmap", 0, "UID map to use for the user namespace"),
        list("gidmap", 0, "GID map to use for the user namespace"),
        str("subuidname", 0, "Name of range listed in /etc/subuid for use in user namespace"),
        str("subgidname", 0, "Name of range listed in /etc/subgid for use in user namespace"),
        str("ip", 0, "Specify a static IPv4 address for the container"),
        str("ip6", 0, "Specify a static IPv6 address for the container"),
        str("mac-address", 0, "Container MAC address (e.g. 92:d0:c6:0a:29:33)"),
        list("network-alias", 0, "Add network-scoped alias for the container"),
        str("health-cmd", 0, "set a healthcheck command for the container ('none' disables the existing healthcheck)"),
        str("health-interval", 0, "set an interval for the healthchecks (a value of disable results in no automatic timer setup)", "30s"),
        str("health-on-failure", 0, "action to take once the container turns unhealthy", "none"),
        str("health-retries", 0, "the number of retries allowed before a healthcheck is considered to be unhealthy", "3"),
        str("health-start-period", 0, "the initialization time needed for a container to bootstrap", "0s"),
        str("health-timeout", 0, "the maximum time allowed to complete the healthcheck before an interval is considered failed", "30s"),
        b("no-healthcheck", 0, "Disable healthchecks on container"),
        str("init-ctr", 0, "Make this a pod init container."),
        // cgroup limits: dropped with Podman's one warning on rootless cgroups v1 (create_options)
        str("blkio-weight", 0, "Block IO weight (relative weight) accepts a weight value between 10 and 1000."),
        list("blkio-weight-device", 0, "Block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT)"),
        list("cgroup-conf", 0, "Configure cgroup v2 (key=value)"),
        str("cgroup-parent", 0, "Optional parent cgroup for the container"),
        str("cpu-period", 0, "Limit the CPU CFS (Completely Fair Scheduler) period"),
        str("cpu-quota", 0, "Limit the CPU CFS (Completely Fair Scheduler) quota"),
        str("cpu-rt-period", 0, "Limit the CPU real-time period in microseconds"),
        str("cpu-rt-runtime", 0, "Limit the CPU real-time runtime in microseconds"),
        str("cpuset-cpus", 0, "CPUs in which to allow execution (0-3, 0,1)"),
        str("cpuset-mems", 0, "Memory nodes (MEMs) in which to allow execution (0-3, 0,1). Only effective on NUMA systems."),
        list("device-cgroup-rule", 0, "Add a rule to the cgroup allowed devices list"),
        list("device-read-bps", 0, "Limit read rate (bytes per second) from a device (e.g. --device-read-bps=/dev/sda:1mb)"),
        list("device-read-iops", 0, "Limit read rate (IO per second) from a device (e.g. --device-read-iops=/dev/sda:1000)"),
        list("device-write-bps", 0, "Limit write rate (bytes per second) to a device (e.g. --device-write-bps=/dev/sda:1mb)"),
        list("device-write-iops", 0, "Limit write rate (IO per second) to a device (e.g. --device-write-iops=/dev/sda:1000)"),
        str("kernel-memory", 0, "DEPRECATED: Option is just hear for compatibility with Docker"),
        str("memory-reservation", 0, "Memory soft limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))"),
        str("memory-swap", 0, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"),
        str("memory-swappiness", 0, "Tune container memory swappiness (0 to 100, or -1 for system default)", "-1"),
        b("oom-kill-disable", 0, "Disable OOM Killer"),
        str("oom-score-adj", 0, "Tune the host's OOM preferences (-1000 to 1000)"),
        // Docker's options that Podman takes as no-ops
        b("disable-content-trust", 0, "This is a Docker specific option and is a NOOP"),
        str("gpus", 0, "This is a Docker specific option and is a NOOP"),
    };
    for (auto& x : more) f.push_back(std::move(x));
    // Numbers are read as text and converted by create_options(); help shows Go's type names.
    const std::pair<const char*, const char*> numeric[] = {
        {"timeout", "uint"},         {"stop-timeout", "uint"},     {"cpu-period", "uint"},    {"cpu-rt-period", "uint"},
        {"cpu-quota", "int"},        {"cpu-rt-runtime", "int"},    {"cpu-shares", "uint"},    {"cpus", "float"},
        {"pids-limit", "int"},       {"memory-swappiness", "int"}, {"oom-score-adj", "int"},  {"health-retries", "uint"},
        {"blkio-weight", "string"}};
    for (auto& x : f)
        for (const auto& [n, t] : numeric)
            if (x.name == n) x.value_name = t;
    FlagSpec sigpol = str("signature-policy", 0, "Pathname of signature policy file (not usually used)");
    sigpol.hidden = true;  // hidden in Podman too
    f.push_back(sigpol);
    FlagSpec net_alias = str("net", 0, "Connect a container to a network");
    net_alias.hidden = true;
    f.push_back(net_alias);
    return f;
}

std::vector<FlagSpec> run_only_flags() {
    return {b("detach", 'd', "Run container in background and print container ID"),
            str("preserve-fds", 0, "Pass a number of additional file descriptors into the container"),
            b("rmi", 0, "Remove container image unless used by other containers")};
}

namespace {

// A flag of a feature burrow does not have: one clear line rather than a flag taken and ignored.
void refuse(const ParsedFlags& f, const std::string& name, const std::string& why) {
    if (f.changed(name)) throw Error("--" + name + " " + why);
}

void more_options(const ParsedFlags& f, engine::CreateOptions& o) {
    o.unsetenv = f.get_list("unsetenv");
    o.unsetenv_all = f.get_bool("unsetenv-all");
    o.env_merge = f.get_list("env-merge");
    o.log_driver = f.get_string("log-driver");
    o.log_opts = f.get_list("log-opt");
    o.timezone = f.get_string("tz");
    if (f.changed("timeout")) o.timeout = parse_uint_flag(f, "timeout");
    o.hostusers = f.get_list("hostuser");
    o.pidfile = f.get_string("pidfile");
    o.conmon_pidfile = f.get_string("conmon-pidfile");
    o.umask = opt_string(f, "umask");
    o.passwd = f.get_bool("passwd");
    o.passwd_entry = f.get_string("passwd-entry");
    o.init_path = f.get_string("init-path");
    o.ipc = f.get_string("ipc");
    o.pid = f.get_string("pid");
    o.uts = f.get_string("uts");
    o.cgroupns = f.get_string("cgroupns");
    o.pod = f.get_string("pod");
    o.pod_id_file = f.get_string("pod-id-file");
    o.secrets = f.get_list("secret");
    o.required = f.get_list("requires");

    // cgroup limits besides --memory/--cpus/--pids-limit: checked for their type, then dropped
    // with Podman's warning where burrow has no cgroup to put them in (the engine says so)
    for (const char* n : {"cpu-period", "cpu-rt-period", "cpu-shares"})
        if (f.changed(n)) (void)parse_uint_flag(f, n), o.other_limits.push_back(n);
    for (const char* n : {"cpu-quota", "cpu-rt-runtime", "memory-swappiness"})
        if (f.changed(n)) (void)parse_int_flag(f, n), o.other_limits.push_back(n);
    for (const char* n : {"blkio-weight", "blkio-weight-device", "cgroup-conf", "cgroup-parent", "cpuset-cpus",
                          "cpuset-mems", "device-cgroup-rule", "device-read-bps", "device-read-iops",
                          "device-write-bps", "device-write-iops", "memory-reservation", "memory-swap",
                          "oom-kill-disable"})
        if (f.changed(n)) o.other_limits.push_back(n);
    if (f.changed("oom-score-adj")) (void)parse_int_flag(f, "oom-score-adj");

    std::string sd = f.get_string("sdnotify");
    if (sd != "container" && sd != "conmon" && sd != "ignore")
        throw Error("invalid sdnotify value \"" + sd + "\": must be container, conmon or ignore");
    std::string sp = f.get_string("seccomp-policy");
    if (sp != "default" && sp != "image") throw Error("invalid seccomp policy \"" + sp + "\": valid policies are [default image]");
    std::string iv = f.get_string("image-volume");
    if (iv != "bind" && iv != "tmpfs" && iv != "ignore") throw Error("invalid image-volume type \"" + iv + "\". Pick one of bind, tmpfs, or ignore");
    if (f.changed("image-volume")) o.image_volume = iv;
    if (f.changed("userns") && (f.changed("uidmap") || f.changed("gidmap") || f.changed("subuidname") || f.changed("subgidname")))
        throw Error("--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive");
    if (f.changed("init-ctr") && o.pod.empty() && o.pod_id_file.empty()) throw Error("must specify pod value with init-ctr");
    if (f.changed("health-retries")) (void)parse_uint_flag(f, "health-retries");

    // What burrow cannot do yet: refused, not ignored.
    for (const char* n : {"uidmap", "gidmap", "subuidname", "subgidname"})
        refuse(f, n, "is not supported: burrow maps the user namespace itself (see --userns)");
    for (const char* n : {"ip", "ip6", "mac-address"})
        if (f.changed(n)) throw Error("networks and static ip/mac address can only be used with Bridge mode networking");
    refuse(f, "network-alias", "is not supported: burrow has no bridge networks");
    refuse(f, "health-cmd", "is not supported: burrow has no healthchecks");
    refuse(f, "personality", "is not supported by burrow");
    refuse(f, "rootfs", "is not supported: burrow runs containers from images");
}

}  // namespace

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
    o.http_proxy = f.get_bool("http-proxy");
    more_options(f, o);
    return o;
}

}  // namespace burrow::commands
