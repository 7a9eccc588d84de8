// The JSON forms of a container's config and state, and generated names. Pure code.
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "storage/container_store.hpp"

namespace burrow::storage {

using json = nlohmann::json;

namespace {

template <typename T>
void get_to(const json& j, const char* key, T& out) {
    auto it = j.find(key);
    if (it != j.end() && !it->is_null()) it->get_to(out);
}

json mount_to_json(const MountSpec& m) {
    return {{"type", m.type}, {"source", m.source}, {"destination", m.destination}, {"options", m.options}};
}
MountSpec mount_from_json(const json& j) {
    MountSpec m;
    get_to(j, "type", m.type);
    get_to(j, "source", m.source);
    get_to(j, "destination", m.destination);
    get_to(j, "options", m.options);
    return m;
}

json port_to_json(const PortMapping& p) {
    return {{"host_ip", p.host_ip}, {"host_port", p.host_port}, {"container_port", p.container_port},
            {"range", p.range},     {"protocol", p.protocol}};
}
PortMapping port_from_json(const json& j) {
    PortMapping p;
    get_to(j, "host_ip", p.host_ip);
    get_to(j, "host_port", p.host_port);
    get_to(j, "container_port", p.container_port);
    get_to(j, "range", p.range);
    get_to(j, "protocol", p.protocol);
    return p;
}

// Two lists of our own; the pairs read like Podman's ("eager_turing").
const char* const kAdjectives[] = {
    "agile",     "amazing",   "ample",    "angry",    "awesome",  "bold",      "brave",     "bright",
    "busy",      "calm",      "careful",  "charming", "cheerful", "clever",    "cool",      "cosmic",
    "curious",   "daring",    "dazzling", "determined", "dreamy", "eager",     "earnest",   "elated",
    "elegant",   "epic",      "fervent",  "festive",  "fond",     "friendly",  "funny",     "gallant",
    "gentle",    "gifted",    "gleeful",  "glowing",  "goofy",    "graceful",  "great",     "happy",
    "hardcore",  "heuristic", "hopeful",  "humble",   "hungry",   "inspiring", "intrepid",  "jolly",
    "jovial",    "keen",      "kind",     "laughing", "lively",   "loving",    "lucid",     "magical",
    "mellow",    "merry",     "mighty",   "modest",   "musing",   "mystifying", "nice",     "nifty",
    "nimble",    "noble",     "nostalgic", "objective", "optimistic", "patient", "peaceful", "pensive",
    "playful",   "pleasant",  "polite",   "practical", "priceless", "quiet",    "quirky",    "radiant",
    "relaxed",   "reverent",  "romantic", "serene",   "sharp",    "shiny",     "silly",     "sleepy",
    "smart",     "snappy",    "stoic",    "sunny",    "sweet",    "swift",     "tender",    "thirsty",
    "trusting",  "upbeat",    "vibrant",  "vigilant", "vigorous", "wise",      "witty",     "wonderful",
    "youthful",  "zealous",   "zen",
};

const char* const kNouns[] = {
    "agnesi",    "archimedes", "babbage",  "banach",   "bardeen",  "bell",      "bohr",      "boole",
    "borg",      "bose",      "brahmagupta", "burnell", "cannon",  "carson",    "cartwright", "cerf",
    "chandrasekhar", "clarke", "curie",   "darwin",   "davinci",  "dijkstra",  "dirac",     "easley",
    "edison",    "einstein",  "elion",    "engelbart", "euclid",  "euler",     "faraday",   "fermat",
    "fermi",     "feynman",   "franklin", "galileo",  "gauss",    "germain",   "goldberg",  "goodall",
    "hamilton",  "hawking",   "heisenberg", "hermann", "hertz",   "hodgkin",   "hopper",    "hypatia",
    "jackson",   "jennings",  "johnson",  "joliot",   "kalam",    "kepler",    "khorana",   "knuth",
    "kowalevski", "lalande",  "lamarr",   "leakey",   "leavitt",  "lovelace",  "lumiere",   "mahavira",
    "margulis",  "maxwell",   "mayer",    "mccarthy", "mcclintock", "meitner",  "mendel",    "merkle",
    "mirzakhani", "morse",    "napier",   "newton",   "nightingale", "nobel",   "noether",   "pascal",
    "pasteur",   "payne",     "perlman",  "pike",     "poincare", "ptolemy",   "raman",     "ramanujan",
    "ride",      "ritchie",   "robinson", "rubin",    "saha",     "sammet",    "shannon",   "shockley",
    "sinoussi",  "stallman",  "swanson",  "swartz",   "tesla",    "thompson",  "torvalds",  "turing",
    "varahamihira", "villani", "volhard", "wescoff",  "wiles",    "williams",  "wilson",    "wing",
    "wozniak",   "wright",    "yalow",    "yonath",
};

}  // namespace

std::string status_name(Status s) {
    switch (s) {
        case Status::created: return "created";
        case Status::running: return "running";
        case Status::stopping: return "stopping";
        case Status::exited: return "exited";
        case Status::removing: return "removing";
        case Status::unknown: break;
    }
    return "unknown";
}

static Status status_from_name(const std::string& s) {
    for (auto st : {Status::created, Status::running, Status::stopping, Status::exited, Status::removing})
        if (status_name(st) == s) return st;
    return Status::unknown;
}

bool MountSpec::read_only() const {
    for (const auto& o : options)
        if (o == "ro" || o == "readonly") return true;
    return false;
}

std::string config_to_json(const ContainerConfig& c) {
    json mounts = json::array(), ports = json::array(), ulimits = json::array();
    for (const auto& m : c.mounts) mounts.push_back(mount_to_json(m));
    for (const auto& p : c.ports) ports.push_back(port_to_json(p));
    for (const auto& u : c.ulimits) ulimits.push_back({{"name", u.name}, {"soft", u.soft}, {"hard", u.hard}});
    json j = {
        {"id", c.id},
        {"name", c.name},
        {"image_id", c.image_id},
        {"image_name", c.image_name},
        {"raw_image_name", c.raw_image_name},
        {"layers", c.layers},
        {"entrypoint", c.entrypoint},
        {"cmd", c.cmd},
        {"env", c.env},
        {"workdir", c.workdir},
        {"create_workdir", c.create_workdir},
        {"user", c.user},
        {"uid", c.uid},
        {"gid", c.gid},
        {"groups", c.groups},
        {"hostname", c.hostname},
        {"tty", c.tty},
        {"interactive", c.interactive},
        {"read_only", c.read_only},
        {"privileged", c.privileged},
        {"init", c.init},
        {"remove", c.remove},
        {"no_new_privileges", c.no_new_privileges},
        {"env_host", c.env_host},
        {"mounts", mounts},
        {"labels", c.labels},
        {"annotations", c.annotations},
        {"cap_add", c.cap_add},
        {"cap_drop", c.cap_drop},
        {"seccomp", c.seccomp},
        {"userns", c.userns},
        {"stop_signal", c.stop_signal},
        {"stop_timeout", c.stop_timeout},
        {"ulimits", ulimits},
        {"devices", c.devices},
        {"network", c.network},
        {"ports", ports},
        {"dns", c.dns},
        {"dns_search", c.dns_search},
        {"dns_options", c.dns_options},
        {"add_hosts", c.add_hosts},
        {"no_hosts", c.no_hosts},
        {"pids_limit", c.pids_limit},
        {"memory", c.memory},
        {"cpus", c.cpus},
        {"sig_proxy", c.sig_proxy},
        {"pull_policy", c.pull_policy},
        {"log_driver", c.log_driver},
        {"log_path", c.log_path},
        {"log_size_max", c.log_size_max},
        {"log_tag", c.log_tag},
        {"timezone", c.timezone},
        {"timeout", c.timeout},
        {"hostusers", c.hostusers},
        {"pidfile", c.pidfile},
        {"conmon_pidfile", c.conmon_pidfile},
        {"umask", c.umask},
        {"passwd", c.passwd},
        {"passwd_entry", c.passwd_entry},
        {"init_path", c.init_path},
        {"oci_runtime", c.oci_runtime},
        {"uts", c.uts},
        {"ipc", c.ipc},
        {"cgroupns", c.cgroupns},
        {"create_command", c.create_command},
        {"created", c.created},
        {"cidfile", c.cidfile},
        {"restart_policy", c.restart_policy},
    };
    return j.dump(1) + "\n";
}

ContainerConfig config_from_json(const std::string& text) {
    ContainerConfig c;
    try {
        json j = json::parse(text);
        if (!j.is_object()) throw Error("container config is not a JSON object");
        get_to(j, "id", c.id);
        get_to(j, "name", c.name);
        get_to(j, "image_id", c.image_id);
        get_to(j, "image_name", c.image_name);
        get_to(j, "raw_image_name", c.raw_image_name);
        get_to(j, "layers", c.layers);
        get_to(j, "entrypoint", c.entrypoint);
        get_to(j, "cmd", c.cmd);
        get_to(j, "env", c.env);
        get_to(j, "workdir", c.workdir);
        get_to(j, "create_workdir", c.create_workdir);
        get_to(j, "user", c.user);
        get_to(j, "uid", c.uid);
        get_to(j, "gid", c.gid);
        get_to(j, "groups", c.groups);
        get_to(j, "hostname", c.hostname);
        get_to(j, "tty", c.tty);
        get_to(j, "interactive", c.interactive);
        get_to(j, "read_only", c.read_only);
        get_to(j, "privileged", c.privileged);
        get_to(j, "init", c.init);
        get_to(j, "remove", c.remove);
        get_to(j, "no_new_privileges", c.no_new_privileges);
        get_to(j, "env_host", c.env_host);
        if (auto it = j.find("mounts"); it != j.end() && it->is_array())
            for (const auto& m : *it) c.mounts.push_back(mount_from_json(m));
        get_to(j, "labels", c.labels);
        get_to(j, "annotations", c.annotations);
        get_to(j, "cap_add", c.cap_add);
        get_to(j, "cap_drop", c.cap_drop);
        get_to(j, "seccomp", c.seccomp);
        get_to(j, "userns", c.userns);
        get_to(j, "stop_signal", c.stop_signal);
        get_to(j, "stop_timeout", c.stop_timeout);
        if (auto it = j.find("ulimits"); it != j.end() && it->is_array())
            for (const auto& u : *it) {
                Ulimit l;
                get_to(u, "name", l.name);
                get_to(u, "soft", l.soft);
                get_to(u, "hard", l.hard);
                c.ulimits.push_back(std::move(l));
            }
        get_to(j, "devices", c.devices);
        get_to(j, "network", c.network);
        if (auto it = j.find("ports"); it != j.end() && it->is_array())
            for (const auto& p : *it) c.ports.push_back(port_from_json(p));
        get_to(j, "dns", c.dns);
        get_to(j, "dns_search", c.dns_search);
        get_to(j, "dns_options", c.dns_options);
        get_to(j, "add_hosts", c.add_hosts);
        get_to(j, "no_hosts", c.no_hosts);
        get_to(j, "pids_limit", c.pids_limit);
        get_to(j, "memory", c.memory);
        get_to(j, "cpus", c.cpus);
        get_to(j, "sig_proxy", c.sig_proxy);
        get_to(j, "pull_policy", c.pull_policy);
        get_to(j, "log_driver", c.log_driver);
        get_to(j, "log_path", c.log_path);
        get_to(j, "log_size_max", c.log_size_max);
        get_to(j, "log_tag", c.log_tag);
        get_to(j, "timezone", c.timezone);
        get_to(j, "timeout", c.timeout);
        get_to(j, "hostusers", c.hostusers);
        get_to(j, "pidfile", c.pidfile);
        get_to(j, "conmon_pidfile", c.conmon_pidfile);
        get_to(j, "umask", c.umask);
        get_to(j, "passwd", c.passwd);
        get_to(j, "passwd_entry", c.passwd_entry);
        get_to(j, "init_path", c.init_path);
        get_to(j, "oci_runtime", c.oci_runtime);
        get_to(j, "uts", c.uts);
        get_to(j, "ipc", c.ipc);
        get_to(j, "cgroupns", c.cgroupns);
        get_to(j, "create_command", c.create_command);
        get_to(j, "created", c.created);
        get_to(j, "cidfile", c.cidfile);
        get_to(j, "restart_policy", c.restart_policy);
    } catch (const json::exception& e) {
        throw Error(std::string("parsing container config: ") + e.what());
    }
    return c;
}

std::string state_to_json(const ContainerState& s) {
    json j = {{"status", status_name(s.status)},
              {"pid", s.pid},
              {"pid_start", s.pid_start},
              {"supervisor_pid", s.supervisor_pid},
              {"supervisor_start", s.supervisor_start},
              {"started_at", s.started_at},
              {"finished_at", s.finished_at},
              {"exit_code", s.exit_code},
              {"exit_known", s.exit_known},
              {"oom_killed", s.oom_killed},
              {"restart_count", s.restart_count},
              {"error", s.error}};
    return j.dump(1) + "\n";
}

ContainerState state_from_json(const std::string& text) {
    ContainerState s;
    try {
        json j = json::parse(text);
        if (!j.is_object()) throw Error("container state is not a JSON object");
        std::string status = "created";
        get_to(j, "status", status);
        s.status = status_from_name(status);
        get_to(j, "pid", s.pid);
        get_to(j, "pid_start", s.pid_start);
        get_to(j, "supervisor_pid", s.supervisor_pid);
        get_to(j, "supervisor_start", s.supervisor_start);
        get_to(j, "started_at", s.started_at);
        get_to(j, "finished_at", s.finished_at);
        get_to(j, "exit_code", s.exit_code);
        get_to(j, "exit_known", s.exit_known);
        get_to(j, "oom_killed", s.oom_killed);
        get_to(j, "restart_count", s.restart_count);
        get_to(j, "error", s.error);
    } catch (const json::exception& e) {
        throw Error(std::string("parsing container state: ") + e.what());
    }
    return s;
}

std::string generate_name(uint64_t seed) {
    constexpr uint64_t na = sizeof kAdjectives / sizeof kAdjectives[0];
    constexpr uint64_t nn = sizeof kNouns / sizeof kNouns[0];
    // Mix the seed so that consecutive seeds do not give neighbouring names.
    uint64_t x = seed + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return std::string(kAdjectives[x % na]) + "_" + kNouns[(x / na) % nn];
}

}  // namespace burrow::storage
