#include "src/commands/container_view.hpp"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "base/strings.hpp"

namespace burrow::commands {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using storage::ContainerConfig;
using storage::ContainerState;
using storage::Status;

namespace {

constexpr int64_t kNs = 1000000000;
constexpr int64_t kGoZeroUnix = -62135596800;

// Floor division, so that times before 1970 split into seconds and a positive fraction.
void split_ns(int64_t ns, time_t& sec, int64_t& frac) {
    sec = static_cast<time_t>(ns / kNs);
    frac = ns % kNs;
    if (frac < 0) {
        frac += kNs;
        --sec;
    }
}

// ".123" for 123000000 ns, "" for 0: Go's ".999999999" layout trims trailing zeros.
std::string trimmed_fraction(int64_t frac) {
    if (frac == 0) return "";
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(frac));
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    return s;
}

json string_array(const std::vector<std::string>& v) {
    json a = json::array();
    for (const auto& s : v) a.push_back(s);
    return a;
}

json labels_json(const std::map<std::string, std::string>& m) {
    json o = json::object();
    for (const auto& [k, v] : m) o[k] = v;
    return o;
}

std::vector<std::string> full_command(const ContainerConfig& c) {
    std::vector<std::string> v = c.entrypoint;
    v.insert(v.end(), c.cmd.begin(), c.cmd.end());
    return v;
}

std::string image_shown(const ContainerConfig& c) {
    if (!c.image_name.empty()) return c.image_name;
    if (!c.raw_image_name.empty()) return c.raw_image_name;
    return c.image_id;
}

bool is_running(const ContainerState& s) { return s.status == Status::running || s.status == Status::stopping; }

std::vector<std::string> mount_destinations(const ContainerConfig& c) {
    std::vector<std::string> v;
    for (const auto& m : c.mounts)
        if (m.type != "tmpfs") v.push_back(m.destination);
    return v;
}

ojson port_bindings(const std::vector<storage::PortMapping>& ports) {
    ojson o = ojson::object();
    for (const auto& p : ports)
        for (unsigned i = 0; i < std::max<unsigned>(p.range, 1); ++i) {
            std::string key = std::to_string(p.container_port + i) + "/" + p.protocol;
            ojson b = {{"HostIp", p.host_ip}, {"HostPort", std::to_string(p.host_port + i)}};
            if (!o.contains(key)) o[key] = ojson::array();
            o[key].push_back(b);
        }
    return o;
}

}  // namespace

std::string rfc3339_nano(int64_t unix_ns) {
    if (unix_ns == 0) return "0001-01-01T00:00:00Z";
    time_t sec;
    int64_t frac;
    split_ns(unix_ns, sec, frac);
    std::tm tm{};
    localtime_r(&sec, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string s = buf + trimmed_fraction(frac);
    long off = tm.tm_gmtoff;
    if (off == 0) return s + "Z";
    char z[32];
    std::snprintf(z, sizeof z, "%c%02ld:%02ld", off < 0 ? '-' : '+', std::labs(off) / 3600, std::labs(off) % 3600 / 60);
    return s + z;
}

std::string go_time_string_ns(int64_t unix_ns) {
    if (unix_ns == 0) return "0001-01-01 00:00:00 +0000 UTC";
    time_t sec;
    int64_t frac;
    split_ns(unix_ns, sec, frac);
    std::tm tm{};
    localtime_r(&sec, &tm);
    char date[32], zone[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    std::strftime(zone, sizeof zone, " %z %Z", &tm);
    return date + trimmed_fraction(frac) + zone;
}

nlohmann::json with_go_times(const ojson& doc, const std::vector<std::vector<std::string>>& time_paths) {
    nlohmann::json out(doc);
    for (const auto& path : time_paths) {
        nlohmann::json* v = &out;
        for (const auto& key : path) {
            if (!v->is_object() || !v->contains(key)) {
                v = nullptr;
                break;
            }
            v = &(*v)[key];
        }
        if (!v || !v->is_string()) continue;
        std::string s = v->get<std::string>();
        if (s.rfind("0001-01-01T00:00:00", 0) == 0) *v = go_time_string_ns(0);
        else if (auto ns = parse_input_time(s, true, 0)) *v = go_time_string_ns(*ns);
    }
    return out;
}

int64_t go_unix_seconds(int64_t unix_ns) {
    if (unix_ns == 0) return kGoZeroUnix;
    time_t sec;
    int64_t frac;
    split_ns(unix_ns, sec, frac);
    return static_cast<int64_t>(sec);
}

std::string status_text(const ContainerState& st, int64_t now_ns) {
    auto ago = [&](int64_t t) { return human_duration_ago(std::max<int64_t>(0, (now_ns - t) / kNs)); };
    switch (st.status) {
        case Status::created: return "Created";
        case Status::running: return "Up " + ago(st.started_at);
        case Status::stopping: return "Stopping";
        case Status::exited: return "Exited (" + std::to_string(st.exit_code) + ") " + ago(st.finished_at);
        case Status::removing: return "Removing";
        case Status::unknown: break;
    }
    return "Unknown";
}

std::string ports_text(const std::vector<storage::PortMapping>& ports) {
    std::vector<std::string> parts;
    for (const auto& p : ports) {
        std::string ip = p.host_ip.empty() ? "0.0.0.0" : p.host_ip;
        if (p.range > 1) {
            parts.push_back(ip + ":" + std::to_string(p.host_port) + "-" + std::to_string(p.host_port + p.range - 1) +
                            "->" + std::to_string(p.container_port) + "-" +
                            std::to_string(p.container_port + p.range - 1) + "/" + p.protocol);
        } else {
            parts.push_back(ip + ":" + std::to_string(p.host_port) + "->" + std::to_string(p.container_port) + "/" +
                            p.protocol);
        }
    }
    return join(parts, ", ");
}

std::vector<std::string> port_lines(const std::vector<storage::PortMapping>& ports) {
    std::vector<std::string> out;
    for (const auto& p : ports) {
        std::string ip = p.host_ip.empty() ? "0.0.0.0" : p.host_ip;
        for (unsigned i = 0; i < std::max<unsigned>(p.range, 1); ++i)
            out.push_back(std::to_string(p.container_port + i) + "/" + p.protocol + " -> " + ip + ":" +
                          std::to_string(p.host_port + i));
    }
    return out;
}

std::string command_text(const ContainerConfig& c, bool no_trunc) {
    std::string s = join(full_command(c), " ");
    if (!no_trunc && s.size() > 20) s = s.substr(0, 17) + "...";
    return s;
}

json ps_row(const ContainerView& v, bool no_trunc, int64_t now_ns) {
    const auto& c = v.cfg;
    const auto& s = v.st;
    std::string created_human = human_duration_ago(std::max<int64_t>(0, (now_ns - c.created) / kNs));
    std::string status = status_text(s, now_ns);
    return {
        {"ID", no_trunc ? c.id : c.id.substr(0, 12)},
        {"Id", c.id},
        {"Image", image_shown(c)},
        {"ImageID", no_trunc ? c.image_id : c.image_id.substr(0, 12)},
        {"Command", command_text(c, no_trunc)},
        {"CreatedHuman", created_human},
        {"RunningFor", created_human},
        {"CreatedAt", go_time_string_ns(c.created)},
        {"Created", go_time_string_ns(c.created)},
        {"Status", status},
        {"State", status},
        {"Ports", ports_text(c.ports)},
        {"Names", c.name},
        {"Labels", labels_json(c.labels)},
        {"Mounts", string_array(mount_destinations(c))},
        {"Pid", is_running(s) ? s.pid : 0},
        {"ExitCode", s.exit_code},
        {"Exited", s.status == Status::exited},
        {"ExitedAt", go_unix_seconds(s.status == Status::exited ? s.finished_at : 0)},
        {"StartedAt", go_unix_seconds(s.started_at)},
        {"AutoRemove", c.remove},
        {"IsInfra", false},
        {"Pod", ""},
        {"PodName", ""},
        {"Networks", ""},
        {"Namespaces", json::object()},
        {"Size", ""},
    };
}

json ps_headers() {
    return {{"ID", "CONTAINER ID"},     {"Id", "ID"},
            {"Image", "IMAGE"},         {"ImageID", "IMAGE ID"},
            {"Command", "COMMAND"},     {"CreatedHuman", "CREATED"},
            {"RunningFor", "RUNNING FOR"}, {"CreatedAt", "CREATED AT"},
            {"Created", "CREATED"},     {"Status", "STATUS"},
            {"State", "STATE"},         {"Ports", "PORTS"},
            {"Names", "NAMES"},         {"Labels", "LABELS"},
            {"Mounts", "MOUNTS"},       {"Pid", "PID"},
            {"ExitCode", "EXIT CODE"},  {"Exited", "EXITED"},
            {"ExitedAt", "EXITED AT"},  {"StartedAt", "STARTED AT"},
            {"AutoRemove", "AUTO REMOVE"}, {"IsInfra", "IS INFRA"},
            {"Pod", "POD ID"},          {"PodName", "PODNAME"},
            {"Networks", "NETWORKS"},   {"Namespaces", "NAMESPACES"},
            {"Size", "SIZE"}};
}

ojson ps_json(const ContainerView& v, int64_t now_ns) {
    const auto& c = v.cfg;
    const auto& s = v.st;
    ojson j;
    j["AutoRemove"] = c.remove;
    j["Command"] = full_command(c);
    j["CreatedAt"] = human_duration_ago(std::max<int64_t>(0, (now_ns - c.created) / kNs));
    j["Exited"] = s.status == Status::exited;
    j["ExitedAt"] = go_unix_seconds(s.status == Status::exited ? s.finished_at : 0);
    j["ExitCode"] = s.exit_code;
    j["Id"] = c.id;
    j["Image"] = image_shown(c);
    j["ImageID"] = c.image_id;
    j["IsInfra"] = false;
    j["Labels"] = c.labels.empty() ? ojson(nullptr) : ojson(c.labels);
    j["Mounts"] = mount_destinations(c);
    j["Names"] = std::vector<std::string>{c.name};
    j["Namespaces"] = ojson::object();
    j["Networks"] = ojson::array();
    j["Pid"] = is_running(s) ? s.pid : 0;
    j["Pod"] = "";
    j["PodName"] = "";
    if (c.ports.empty()) {
        j["Ports"] = nullptr;
    } else {
        ojson ports = ojson::array();
        for (const auto& p : c.ports)
            ports.push_back({{"host_ip", p.host_ip},
                             {"container_port", p.container_port},
                             {"host_port", p.host_port},
                             {"range", p.range},
                             {"protocol", p.protocol}});
        j["Ports"] = ports;
    }
    j["Size"] = nullptr;
    j["StartedAt"] = go_unix_seconds(s.started_at);
    j["State"] = status_name(s.status);
    j["Status"] = status_text(s, now_ns);
    j["Created"] = go_unix_seconds(c.created);
    return j;
}

int signal_number(const std::string& name) {
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        return std::atoi(name.c_str());
    std::string n = to_lower(name);
    if (n.rfind("sig", 0) == 0) n = n.substr(3);
    for (int i = 1; i < NSIG; ++i) {
        const char* abbrev = sigabbrev_np(i);
        if (abbrev && to_lower(abbrev) == n) return i;
    }
    return 0;
}

static ojson mounts_json(const ContainerConfig& c, const InspectPaths& p) {
    ojson a = ojson::array();
    for (const auto& m : c.mounts) {
        if (m.type == "tmpfs") continue;
        ojson o;
        o["Type"] = m.type;
        if (m.type == "volume") o["Name"] = m.source;
        o["Source"] = m.type == "volume" && !p.volumes.empty() ? p.volumes + "/" + m.source + "/_data" : m.source;
        o["Destination"] = m.destination;
        o["Driver"] = m.type == "volume" ? "local" : "";
        o["Mode"] = "";
        ojson opts = ojson::array();
        for (const auto& x : m.options)
            if (x != "ro" && x != "rw") opts.push_back(x);
        if (std::find(opts.begin(), opts.end(), "bind") == opts.end() && std::find(opts.begin(), opts.end(), "rbind") == opts.end())
            opts.push_back("rbind");
        o["Options"] = opts;
        o["RW"] = !m.read_only();
        o["Propagation"] = "rprivate";
        a.push_back(o);
    }
    return a;
}

static ojson host_config(const ContainerConfig& c, const InspectPaths& p) {
    ojson binds = ojson::array(), tmpfs = ojson::object();
    for (const auto& m : c.mounts) {
        if (m.type == "tmpfs") {
            tmpfs[m.destination] = join(m.options, ",");
            continue;
        }
        std::string b = m.source + ":" + m.destination;
        if (!m.options.empty()) {
            b += ':';
            b += join(m.options, ",");
        }
        binds.push_back(b);
    }
    ojson security = ojson::array();
    if (!c.seccomp.empty()) security.push_back("seccomp=" + c.seccomp);
    if (c.no_new_privileges) security.push_back("no-new-privileges");
    ojson ulimits = ojson::array();
    for (const auto& u : c.ulimits)
        ulimits.push_back({{"Name", "RLIMIT_" + [&] {
                                std::string s = u.name;
                                for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                                return s;
                            }()},
                           {"Soft", u.soft},
                           {"Hard", u.hard}});
    ojson devices = ojson::array();
    for (const auto& d : c.devices) {
        auto parts = split(d, ':');
        devices.push_back({{"PathOnHost", parts[0]},
                           {"PathInContainer", parts.size() > 1 ? parts[1] : parts[0]},
                           {"CgroupPermissions", parts.size() > 2 ? parts[2] : "rwm"}});
    }
    ojson h;
    h["Binds"] = binds;
    h["CgroupManager"] = "cgroupfs";
    h["CgroupMode"] = "host";
    h["ContainerIDFile"] = c.cidfile;
    bool file_log = c.log_driver == "k8s-file" || c.log_driver == "json-file";
    h["LogConfig"] = {{"Type", c.log_driver},
                      {"Config", nullptr},
                      {"Path", file_log ? (c.log_path.empty() ? p.log : c.log_path) : ""},
                      {"Tag", c.log_tag},
                      {"Size", human_size(static_cast<double>(c.log_size_max), 4, "")}};
    h["NetworkMode"] = c.network;
    h["PortBindings"] = port_bindings(c.ports);
    h["RestartPolicy"] = {{"Name", c.restart_policy}, {"MaximumRetryCount", 0}};
    h["AutoRemove"] = c.remove;
    h["VolumeDriver"] = "";
    h["VolumesFrom"] = nullptr;
    h["CapAdd"] = c.cap_add;
    h["CapDrop"] = c.cap_drop;
    h["Dns"] = c.dns;
    h["DnsOptions"] = c.dns_options;
    h["DnsSearch"] = c.dns_search;
    h["ExtraHosts"] = c.add_hosts;
    h["GroupAdd"] = ojson::array();
    h["IpcMode"] = c.ipc == "host" ? "host" : "private";
    h["Cgroup"] = "";
    h["Cgroups"] = "default";
    h["Links"] = nullptr;
    h["OomScoreAdj"] = 0;
    h["PidMode"] = "private";
    h["Privileged"] = c.privileged;
    h["PublishAllPorts"] = false;
    h["ReadonlyRootfs"] = c.read_only;
    h["SecurityOpt"] = security;
    h["Tmpfs"] = tmpfs;
    h["UTSMode"] = c.uts == "host" ? "host" : "private";
    h["UsernsMode"] = c.userns;
    h["ShmSize"] = 65536000;
    h["Runtime"] = "oci";
    h["ConsoleSize"] = {0, 0};
    h["Isolation"] = "";
    h["CpuShares"] = 0;
    h["Memory"] = c.memory;
    h["NanoCpus"] = static_cast<int64_t>(c.cpus * 1e9);
    h["CgroupParent"] = "";
    h["CpuPeriod"] = 0;
    h["CpuQuota"] = 0;
    h["CpusetCpus"] = "";
    h["CpusetMems"] = "";
    h["Devices"] = devices;
    h["MemoryReservation"] = 0;
    h["MemorySwap"] = 0;
    h["MemorySwappiness"] = 0;
    h["OomKillDisable"] = false;
    h["PidsLimit"] = c.pids_limit;
    h["Ulimits"] = ulimits;
    h["Init"] = c.init;
    return h;
}

ojson container_inspect_json(const ContainerView& v, const InspectPaths& p) {
    const auto& c = v.cfg;
    const auto& s = v.st;
    auto cmd = full_command(c);
    bool running = is_running(s);
    ojson j;
    j["Id"] = c.id;
    j["Created"] = rfc3339_nano(c.created);
    j["Path"] = cmd.empty() ? "" : cmd[0];
    j["Args"] = cmd.size() > 1 ? std::vector<std::string>(cmd.begin() + 1, cmd.end()) : std::vector<std::string>{};
    ojson state;
    state["OciVersion"] = "1.0.2-dev";
    state["Status"] = status_name(s.status);
    state["Running"] = running;
    state["Paused"] = false;
    state["Restarting"] = false;
    state["OOMKilled"] = s.oom_killed;
    state["Dead"] = false;
    state["Pid"] = running ? s.pid : 0;
    state["ConmonPid"] = running ? s.supervisor_pid : 0;
    state["ExitCode"] = s.exit_code;
    state["Error"] = s.error;
    state["StartedAt"] = rfc3339_nano(s.started_at);
    state["FinishedAt"] = rfc3339_nano(s.status == Status::exited ? s.finished_at : 0);
    state["Health"] = {{"Status", ""}, {"FailingStreak", 0}, {"Log", nullptr}};
    state["CheckpointedAt"] = "0001-01-01T00:00:00Z";
    state["RestoredAt"] = "0001-01-01T00:00:00Z";
    j["State"] = state;
    j["Image"] = c.image_id;
    j["ImageDigest"] = p.image_digest;
    j["ImageName"] = image_shown(c);
    j["Rootfs"] = "";
    j["Pod"] = "";
    j["ResolvConfPath"] = p.userdata + "/resolv.conf";
    j["HostnamePath"] = p.userdata + "/hostname";
    j["HostsPath"] = c.no_hosts ? "" : p.userdata + "/hosts";
    j["StaticDir"] = p.dir;
    j["OCIRuntime"] = c.oci_runtime.empty() ? "burrow" : c.oci_runtime;
    j["ConmonPidFile"] = c.conmon_pidfile;
    j["PidFile"] = c.pidfile;
    j["Name"] = c.name;
    j["RestartCount"] = s.restart_count;
    j["Driver"] = "overlay";
    j["MountLabel"] = "";
    j["ProcessLabel"] = "";
    j["AppArmorProfile"] = "";
    std::vector<std::string> caps = p.caps;
    std::sort(caps.begin(), caps.end());
    std::vector<std::string> effective = c.uid == 0 || c.privileged ? caps : std::vector<std::string>{};
    j["EffectiveCaps"] = effective;
    j["BoundingCaps"] = caps;
    j["ExecIDs"] = ojson::array();
    ojson data = ojson::object();
    if (!p.lower_dirs.empty()) data["LowerDir"] = join(p.lower_dirs, ":");
    data["MergedDir"] = p.merged;
    data["UpperDir"] = p.upper;
    data["WorkDir"] = p.work;
    j["GraphDriver"] = {{"Name", "overlay"}, {"Data", data}};
    j["Mounts"] = mounts_json(c, p);
    j["Dependencies"] = ojson::array();
    ojson net;
    for (const char* k : {"EndpointID", "Gateway", "IPAddress"}) net[k] = "";
    net["IPPrefixLen"] = 0;
    net["IPv6Gateway"] = "";
    net["GlobalIPv6Address"] = "";
    net["GlobalIPv6PrefixLen"] = 0;
    net["MacAddress"] = "";
    net["Bridge"] = "";
    net["SandboxID"] = "";
    net["HairpinMode"] = false;
    net["LinkLocalIPv6Address"] = "";
    net["LinkLocalIPv6PrefixLen"] = 0;
    net["Ports"] = port_bindings(c.ports);
    net["SandboxKey"] = running && c.network != "host" && s.pid > 0 ? "/proc/" + std::to_string(s.pid) + "/ns/net" : "";
    j["NetworkSettings"] = net;
    j["Namespace"] = "";
    j["IsInfra"] = false;
    j["IsService"] = false;
    ojson cfg;
    cfg["Hostname"] = c.hostname.empty() ? c.id.substr(0, 12) : c.hostname;
    cfg["Domainname"] = "";
    cfg["User"] = c.user;
    cfg["AttachStdin"] = false;
    cfg["AttachStdout"] = false;
    cfg["AttachStderr"] = false;
    cfg["Tty"] = c.tty;
    cfg["OpenStdin"] = c.interactive;
    cfg["StdinOnce"] = false;
    cfg["Env"] = c.env;
    cfg["Cmd"] = c.cmd.empty() ? ojson(nullptr) : ojson(c.cmd);
    cfg["Image"] = image_shown(c);
    cfg["Volumes"] = nullptr;
    cfg["WorkingDir"] = c.workdir;
    cfg["Entrypoint"] = join(c.entrypoint, " ");
    cfg["OnBuild"] = nullptr;
    cfg["Labels"] = c.labels.empty() ? ojson(nullptr) : ojson(c.labels);
    cfg["Annotations"] = c.annotations;
    cfg["StopSignal"] = signal_number(c.stop_signal);
    cfg["HealthcheckOnFailureAction"] = "none";
    cfg["CreateCommand"] = c.create_command;
    if (!c.timezone.empty()) cfg["Timezone"] = c.timezone;
    cfg["Umask"] = c.umask;
    cfg["Timeout"] = c.timeout;
    cfg["StopTimeout"] = c.stop_timeout;
    cfg["Passwd"] = c.passwd;
    cfg["sdNotifyMode"] = "container";
    j["Config"] = cfg;
    j["HostConfig"] = host_config(c, p);
    return j;
}

}  // namespace burrow::commands
