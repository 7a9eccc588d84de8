// containers.conf parser and loader (see the header for the order and the rules).
#include "src/engine/containers_conf.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <toml++/toml.h>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"

namespace burrow::engine {
namespace {

// A decode error, worded as Podman's TOML decoder words it.
[[noreturn]] void type_error(const toml::node& n, const std::string& key, const char* want) {
    const char* have = "unknown";
    switch (n.type()) {
        case toml::node_type::string: have = "string"; break;
        case toml::node_type::integer: have = "integer"; break;
        case toml::node_type::floating_point: have = "float"; break;
        case toml::node_type::boolean: have = "bool"; break;
        case toml::node_type::array: have = "array"; break;
        case toml::node_type::table: have = "table"; break;
        default: have = "datetime"; break;
    }
    throw Error("toml: line " + std::to_string(n.source().begin.line) + " (last key \"" + key +
                    "\"): incompatible types: TOML value has type " + have + "; destination has type " + want,
                1);
}

// Reads the keys of one table that burrow knows; the others are left alone.
class TableReader {
public:
    TableReader(const toml::table* t, std::string section, ContainersConf& conf, const std::string& path)
        : t_(t), section_(std::move(section)), conf_(conf), path_(path) {}

    void str(const char* key, std::string& out) {
        if (auto* n = node(key)) {
            if (!n->is_string()) type_error(*n, full(key), "string");
            out = **n->as_string();
            seen(key);
        }
    }
    void integer(const char* key, int64_t& out) {
        if (auto* n = node(key)) {
            if (!n->is_integer()) type_error(*n, full(key), "integer");
            out = **n->as_integer();
            seen(key);
        }
    }
    void strings(const char* key, std::vector<std::string>& out) {
        if (auto* n = node(key)) {
            out = string_array(*n, full(key));
            seen(key);
        }
    }
    // An integer of bytes, or a size as text ("1m", "10MB"), as events_logfile_max_size takes it.
    void size(const char* key, uint64_t& out);
    const toml::table* table() const { return t_; }
    std::string full(const char* key) const { return section_ + "." + key; }

    static std::vector<std::string> string_array(const toml::node& n, const std::string& key) {
        if (!n.is_array()) type_error(n, key, "array");
        std::vector<std::string> v;
        for (const auto& e : *n.as_array()) {
            if (!e.is_string()) type_error(e, key, "string");
            v.push_back(**e.as_string());
        }
        return v;
    }

private:
    const toml::node* node(const char* key) const { return t_ ? t_->get(key) : nullptr; }
    void seen(const char* key) { conf_.origin[full(key)] = path_; }

    const toml::table* t_;
    std::string section_;
    ContainersConf& conf_;
    const std::string& path_;
};

// go-units FromHumanSize: decimal multipliers, an optional "b"/"B" suffix. nullopt when invalid.
std::optional<double> parse_human_size(std::string_view s) {
    char* end = nullptr;
    std::string text(s);
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || v < 0) return std::nullopt;
    std::string unit = text.substr(static_cast<size_t>(end - text.c_str()));
    if (!unit.empty() && (unit.back() == 'b' || unit.back() == 'B')) unit.pop_back();
    if (unit.size() > 1) return std::nullopt;
    static const std::string units = "kmgtp";
    if (unit.empty()) return v;
    auto i = units.find(static_cast<char>(std::tolower(static_cast<unsigned char>(unit[0]))));
    if (i == std::string::npos) return std::nullopt;
    for (size_t k = 0; k <= i; ++k) v *= 1000;
    return v;
}

void TableReader::size(const char* key, uint64_t& out) {
    auto* n = node(key);
    if (!n) return;
    if (n->is_integer()) {
        if (**n->as_integer() < 0) throw Error("events log file max size cannot be negative: " + std::to_string(**n->as_integer()), 1);
        out = static_cast<uint64_t>(**n->as_integer());
    } else if (n->is_string()) {
        const std::string& s = **n->as_string();
        if (!s.empty()) {
            auto v = parse_human_size(s);
            if (!v) throw Error("invalid size: '" + s + "'", 1);
            out = static_cast<uint64_t>(*v);
        }
    } else {
        type_error(*n, full(key), "integer");
    }
    seen(key);
}

const toml::table* section(const toml::table& root, const char* name) {
    const toml::node* n = root.get(name);
    return n ? n->as_table() : nullptr;
}

bool valid_umask(const std::string& u) {
    return !u.empty() && u.size() <= 4 && std::all_of(u.begin(), u.end(), [](char c) { return c >= '0' && c <= '7'; });
}

// go-units ParseUlimit and GetRlimit, in their words.
void check_ulimit(const std::string& u) {
    static const char* const names[] = {"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
                                        "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"};
    auto eq = u.find('=');
    if (eq == std::string::npos) throw Error("invalid ulimit argument: " + u);
    std::string name = u.substr(0, eq);
    if (std::none_of(std::begin(names), std::end(names), [&](const char* n) { return name == n; }))
        throw Error("invalid ulimit type: " + name);
    std::string val = u.substr(eq + 1);
    auto colon = val.find(':');
    if (colon != std::string::npos && val.find(':', colon + 1) != std::string::npos)
        throw Error("too many limit value arguments - " + val + ", can only have up to two, `soft[:hard]`");
    auto number = [&](const std::string& s) {
        char* end = nullptr;
        errno = 0;
        long long v = std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || *end || errno) throw Error("strconv.ParseInt: parsing \"" + s + "\": invalid syntax");
        return v;
    };
    long long soft = number(val.substr(0, colon));
    long long hard = colon == std::string::npos ? soft : number(val.substr(colon + 1));
    if (soft > hard && hard != -1)
        throw Error("ulimit soft limit must be less than or equal to hard limit: " + std::to_string(soft) + " > " +
                    std::to_string(hard));
}

std::string where(const ContainersConf& c, const std::string& key) {
    auto it = c.origin.find(key);
    return it == c.origin.end() ? "" : " (" + key + " in \"" + it->second + "\")";
}

// Debian's system file is 24 KiB of comments, on which toml++ spends more than a millisecond: every
// command would pay it. The fast path parses the file without its comment and blank lines; when
// that fails, the file is parsed as it is, so that errors name the right lines.
std::string without_comment_lines(std::string_view text) {
    std::string out;
    out.reserve(1024);
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        const char* eol = nl ? nl : end;
        const char* q = p;
        while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r')) ++q;
        if (q < eol && *q != '#') {
            out.append(p, static_cast<size_t>(eol - p));
            out.push_back('\n');
        }
        p = eol + 1;
    }
    return out;
}

}  // namespace

namespace {

void merge_text(ContainersConf& conf, std::string_view text, const std::string& path) {
    try {
        toml::table root;
        try {
            root = toml::parse(text, path);
        } catch (const toml::parse_error& e) {
            throw Error("toml: line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()), 1);
        }
        TableReader c(section(root, "containers"), "containers", conf, path);
        c.strings("env", conf.env);
        c.str("tz", conf.tz);
        c.str("log_driver", conf.log_driver);
        c.integer("log_size_max", conf.log_size_max);
        c.integer("pids_limit", conf.pids_limit);
        c.strings("default_ulimits", conf.default_ulimits);
        c.str("umask", conf.umask);
        TableReader e(section(root, "engine"), "engine", conf, path);
        e.str("cgroup_manager", conf.cgroup_manager);
        e.str("events_logger", conf.events_logger);
        e.str("image_volume_mode", conf.image_volume_mode);
        e.str("events_logfile_path", conf.events_logfile_path);
        e.size("events_logfile_max_size", conf.events_logfile_max_size);
        e.str("runtime", conf.runtime);
        if (e.table())
            if (const auto* rt = e.table()->get("runtimes")) {
                if (!rt->is_table()) type_error(*rt, "engine.runtimes", "table");
                for (const auto& [name, paths] : *rt->as_table()) {
                    std::string key = "engine.runtimes." + std::string(name.str());
                    conf.runtimes[std::string(name.str())] = TableReader::string_array(paths, key);
                }
            }
    } catch (const Error& err) {
        throw Error("reading system config \"" + path + "\": decode configuration " + path + ": " + err.what(), 1);
    }
    conf.files.push_back(path);
}

}  // namespace

void merge_containers_conf(ContainersConf& conf, std::string_view text, const std::string& path) {
    // A multi-line string may hold lines that look like comments: no fast path for those.
    if (text.find("\'\'\'") == std::string_view::npos && text.find(R"(""")") == std::string_view::npos) {
        ContainersConf fast = conf;
        try {
            merge_text(fast, without_comment_lines(text), path);
            conf = std::move(fast);
            return;
        } catch (const Error&) {
            // parsed again below, for the error's line
        }
    }
    merge_text(conf, text, path);
}

void validate_containers_conf(const ContainersConf& c, const std::function<bool(const std::string&)>& zone_exists) {
    auto fail = [&](const std::string& section, const std::string& msg, const std::string& key) {
        throw Error("validating " + section + " config: " + msg + where(c, key), 1);
    };
    for (const auto& u : c.default_ulimits) {
        try {
            check_ulimit(u);
        } catch (const Error& e) {
            fail("containers", "unrecognized ulimit " + u + ": " + e.what(), "containers.default_ulimits");
        }
    }
    if (!c.tz.empty() && c.tz != "local" && !zone_exists(c.tz))
        fail("containers", "find timezone " + c.tz + " in paths: /usr/share/zoneinfo, /etc/zoneinfo", "containers.tz");
    if (!valid_umask(c.umask)) fail("containers", "not a valid umask " + c.umask, "containers.umask");
    if (c.log_size_max >= 0 && c.log_size_max < 8192)
        fail("containers", "log size max should be negative or >= 8192", "containers.log_size_max");
    static const char* const drivers[] = {"k8s-file", "json-file", "journald", "none", "passthrough"};
    if (std::none_of(std::begin(drivers), std::end(drivers), [&](const char* d) { return c.log_driver == d; }))
        fail("containers", "invalid log driver: " + c.log_driver, "containers.log_driver");
    if (c.events_logger != "file" && c.events_logger != "journald" && c.events_logger != "none")
        fail("engine", "\"" + c.events_logger + "\" is not a valid events backend: invalid argument", "engine.events_logger");
    if (c.cgroup_manager != "systemd" && c.cgroup_manager != "cgroupfs")
        fail("engine", "invalid cgroup manager " + c.cgroup_manager, "engine.cgroup_manager");
}

ConfEnv conf_env_from_process() {
    ConfEnv e;
    if (const char* v = std::getenv("CONTAINERS_CONF"); v && *v) e.containers_conf = v;
    if (const char* v = std::getenv("CONTAINERS_CONF_OVERRIDE"); v && *v) e.containers_conf_override = v;
    if (::getuid() != 0) e.user_conf = xdg_config_home() + "/containers/containers.conf";
    return e;
}

namespace {

bool is_file(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

void must_exist(const std::string& p, const char* what) {
    struct stat st;
    if (::stat(p.c_str(), &st) < 0)
        throw Error("finding config on system: " + std::string(what) + " file: stat " + p + ": " +
                        (errno == ENOENT ? "no such file or directory" : to_lower(std::strerror(errno))),
                    1);
}

// DIR/*.conf in name order, one level only.
void add_dropins(const std::string& dir, std::vector<std::string>& out) {
    std::vector<std::string> names;
    try {
        for (auto& n : list_dir(dir))
            if (n.size() > 5 && n.ends_with(".conf") && is_file(dir + "/" + n)) names.push_back(std::move(n));
    } catch (const Error& e) {
        if (!is_directory(dir)) return;  // a file where the folder would be: Podman skips it too
        throw Error("finding config on system: " + std::string(e.what()), 1);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) out.push_back(dir + "/" + n);
}

}  // namespace

std::vector<std::string> containers_conf_files(const ConfEnv& env) {
    std::vector<std::string> files;
    if (env.containers_conf) {
        must_exist(*env.containers_conf, "CONTAINERS_CONF");
        files.push_back(*env.containers_conf);
    } else {
        for (const auto& p : {env.system_dir + "/containers.conf", env.etc_dir + "/containers.conf"})
            if (is_file(p)) files.push_back(p);
        add_dropins(env.etc_dir + "/containers.conf.d", files);
        if (!env.user_conf.empty()) {
            if (is_file(env.user_conf)) files.push_back(env.user_conf);
            add_dropins(env.user_conf + ".d", files);
        }
    }
    if (env.containers_conf_override) {
        must_exist(*env.containers_conf_override, "CONTAINERS_CONF_OVERRIDE");
        files.push_back(*env.containers_conf_override);
    }
    return files;
}

ContainersConf load_containers_conf(const ConfEnv& env) {
    ContainersConf conf;
    for (const auto& path : containers_conf_files(env)) {
        auto text = read_file_if_exists(path);
        if (text) merge_containers_conf(conf, *text, path);
    }
    validate_containers_conf(conf, [](const std::string& zone) {
        return zone.find("..") == std::string::npos &&
               (path_exists("/usr/share/zoneinfo/" + zone) || path_exists("/etc/zoneinfo/" + zone));
    });
    return conf;
}

const ContainersConf& containers_conf() {
    static const ContainersConf conf = [] {
        try {
            return load_containers_conf(conf_env_from_process());
        } catch (const Error& e) {
            throw Error("Failed to obtain podman configuration: " + std::string(e.what()), 1);
        }
    }();
    return conf;
}

std::pair<std::string, std::string> oci_runtime(const ContainersConf& conf) {
    if (conf.runtime.empty()) {
        char buf[4096];
        ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf);
        return {"burrow", n > 0 ? std::string(buf, static_cast<size_t>(n)) : ""};
    }
    if (conf.runtime.find('/') != std::string::npos) {
        auto slash = conf.runtime.rfind('/');
        return {conf.runtime.substr(slash + 1), conf.runtime};
    }
    auto executable = [](const std::string& p) { return is_file(p) && ::access(p.c_str(), X_OK) == 0; };
    if (auto it = conf.runtimes.find(conf.runtime); it != conf.runtimes.end())
        for (const auto& p : it->second)
            if (executable(p)) return {conf.runtime, p};
    const char* path = std::getenv("PATH");
    for (const auto& dir : split(path && *path ? path : "/usr/local/bin:/usr/bin:/bin", ':'))
        if (!dir.empty() && executable(dir + "/" + conf.runtime)) return {conf.runtime, dir + "/" + conf.runtime};
    return {conf.runtime, ""};
}

int64_t default_pids_limit(const ContainersConf& conf, bool rootless, bool cgroup2) {
    if (rootless && (conf.cgroup_manager != "systemd" || !cgroup2)) return 0;
    return conf.pids_limit;
}

}  // namespace burrow::engine
