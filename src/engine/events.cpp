#include "src/engine/events.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "base/log.hpp"
#include "base/error.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

namespace burrow::engine {

namespace {

EventsConfig& config() {
    static EventsConfig c;
    return c;
}

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void mkdir_parents(const std::string& path) {
    for (size_t pos = 1; (pos = path.find('/', pos)) != std::string::npos; ++pos)
        ::mkdir(path.substr(0, pos).c_str(), 0700);
}

// "1000000", "10k", "1m", "1g" (powers of 1024, as go-units' RAMInBytes); `fallback` when malformed.
uint64_t parse_max_size(const std::string& v, uint64_t fallback) {
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (end == v.c_str() || errno) return fallback;
    std::string unit = end;
    for (auto& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (unit.empty() || unit == "b") return n;
    if (unit == "k" || unit == "kb" || unit == "kib") return n << 10;
    if (unit == "m" || unit == "mb" || unit == "mib") return n << 20;
    if (unit == "g" || unit == "gb" || unit == "gib") return n << 30;
    return fallback;
}

// Keeps the newer half of the log (from the first line after its middle), as Podman's truncate.
void rotate_log(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    std::string tail;
    if (::fstat(fd, &st) == 0 && ::lseek(fd, st.st_size / 2, SEEK_SET) >= 0) {
        char buf[65536];
        for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) tail.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    size_t nl = tail.find('\n');
    tail = nl == std::string::npos ? "" : tail.substr(nl + 1);
    std::string tmp = path + ".rotate";
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) return;
    bool ok = ::write(out, tail.data(), tail.size()) == static_cast<ssize_t>(tail.size());
    ::close(out);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) < 0) ::unlink(tmp.c_str());
}

void write_line(const std::string& path, const std::string& line) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;  // an event lost never fails the command
    (void)!::write(fd, line.data(), line.size());
    ::close(fd);
}

}  // namespace

void apply_containers_conf(EventsConfig& c, const std::string& text) {
    std::string table;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text.size() + 1 : nl + 1;
        size_t a = line.find_first_not_of(" \t\r");
        if (a == std::string::npos || line[a] == '#') continue;
        line = line.substr(a);
        if (line[0] == '[') {
            size_t b = line.find(']');
            table = line.substr(1, b == std::string::npos ? std::string::npos : b - 1);
            continue;
        }
        if (table != "engine") continue;
        size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string key = line.substr(0, line.find_last_not_of(" \t", eq - 1) + 1);
        std::string value = line.substr(eq + 1);
        size_t q1 = value.find_first_of("\"'");
        if (q1 == std::string::npos) {  // a bare number (events_logfile_max_size = 1000000)
            size_t v0 = value.find_first_not_of(" \t");
            size_t v1 = value.find_first_of(" \t#\r", v0);
            if (key == "events_logfile_max_size" && v0 != std::string::npos)
                c.max_size = parse_max_size(value.substr(v0, v1 == std::string::npos ? v1 : v1 - v0), c.max_size);
            continue;
        }
        size_t q2 = value.find(value[q1], q1 + 1);
        if (q2 == std::string::npos) continue;
        value = value.substr(q1 + 1, q2 - q1 - 1);
        if (key == "events_logger") c.backend = value;
        else if (key == "events_logfile_path") c.path = value;
        else if (key == "events_logfile_max_size") c.max_size = parse_max_size(value, c.max_size);
    }
}

std::vector<std::string> containers_conf_files() {
    std::vector<std::string> files;
    const char* env = std::getenv("CONTAINERS_CONF");
    if (env && *env) {
        files.push_back(env);
    } else {
        files = {"/usr/share/containers/containers.conf", "/etc/containers/containers.conf"};
        const char* xdg = std::getenv("XDG_CONFIG_HOME");
        const char* home = std::getenv("HOME");
        std::string base = xdg && *xdg ? std::string(xdg) : (home ? std::string(home) + "/.config" : "");
        if (!base.empty()) files.push_back(base + "/containers/containers.conf");
    }
    if (const char* o = std::getenv("CONTAINERS_CONF_OVERRIDE"); o && *o) files.push_back(o);
    return files;
}

EventsConfig load_events_config(const std::string& backend_flag) {
    EventsConfig c;
    for (const auto& f : containers_conf_files()) {
        int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        std::string text;
        char buf[8192];
        for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
        ::close(fd);
        apply_containers_conf(c, text);
    }
    if (!backend_flag.empty()) c.backend = backend_flag;
    std::string upper = c.backend;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    for (char& ch : c.backend) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (c.backend != "file" && c.backend != "none" && c.backend != "journald")
        throw Error("unknown event logger type: " + upper);
    if (c.backend == "journald") {  // burrow has no journal writer: said once, then the file
        log::warn("events backend journald is not supported by burrow: using file");
        c.backend = "file";
    }
    return c;
}

void configure_events(const EventsConfig& c) { config() = c; }
const EventsConfig& events_config() { return config(); }

std::string events_log_path(const std::string& runroot) { return runroot + "/events/events.log"; }

std::string go_rfc3339_nano(int64_t unix_ns) {
    time_t secs = static_cast<time_t>(unix_ns / 1000000000);
    long frac = static_cast<long>(unix_ns % 1000000000);
    if (frac < 0) frac += 1000000000, --secs;
    struct tm tm {};
    ::localtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = buf;
    if (frac) {
        char f[32];
        std::snprintf(f, sizeof f, ".%09ld", frac);
        std::string fs = f;
        while (fs.back() == '0') fs.pop_back();
        out += fs;
    }
    long off = tm.tm_gmtoff;
    if (off == 0) return out + "Z";
    char z[32];
    int hours = static_cast<int>(std::labs(off) / 3600 % 100), minutes = static_cast<int>(std::labs(off) % 3600 / 60);
    std::snprintf(z, sizeof z, "%c%02d:%02d", off < 0 ? '-' : '+', hours, minutes);
    return out + z;
}

std::string event_to_json(const Event& e) {
    nlohmann::ordered_json j;
    if (e.exit_code != 0) j["ContainerExitCode"] = e.exit_code;
    if (!e.id.empty()) j["ID"] = e.id;
    if (!e.image.empty()) j["Image"] = e.image;
    if (!e.name.empty()) j["Name"] = e.name;
    if (!e.network.empty()) j["network"] = e.network;
    j["Status"] = e.status;
    j["Time"] = go_rfc3339_nano(e.time_ns);
    j["Type"] = e.type;
    if (e.has_attributes || !e.attributes.empty()) j["Attributes"] = e.attributes;
    else j["Attributes"] = nullptr;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_event(const std::string& path, Event e, uint64_t max_size) {
    if (path.empty()) return;
    if (e.time_ns == 0) e.time_ns = now_ns();
    std::string line = event_to_json(e) + "\n";
    std::string lock_path = path + ".lock";
    int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 && errno == ENOENT) {
        mkdir_parents(path);
        lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    }
    if (lock >= 0) ::flock(lock, LOCK_EX);
    struct stat st {};
    if (max_size > 0 && ::stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) + line.size() >= max_size) {
        rotate_log(path);
        Event r;
        r.type = "system";
        r.status = "rotate";
        r.name = path;
        r.time_ns = now_ns();
        write_line(path, event_to_json(r) + "\n");
    }
    write_line(path, line);
    if (lock >= 0) ::close(lock);
}

std::string events_target(const storage::Store& store) {
    const auto& c = config();
    if (c.backend == "none") return "";
    return c.path.empty() ? events_log_path(store.options().runroot) : c.path;
}

void container_event(const storage::Store& store, const storage::ContainerConfig& cfg, const std::string& status,
                     int exit_code) {
    Event e;
    e.type = "container";
    e.status = status;
    e.id = cfg.id;
    e.name = cfg.name;
    e.image = cfg.image_name.empty() ? cfg.raw_image_name : cfg.image_name;
    e.exit_code = exit_code;
    e.attributes = cfg.labels;
    e.has_attributes = true;
    append_event(events_target(store), std::move(e));
}

void image_event(const storage::Store& store, const std::string& status, const std::string& id, const std::string& name) {
    Event e;
    e.type = "image";
    e.status = status;
    e.id = id;
    e.name = name;
    append_event(events_target(store), std::move(e));
}

}  // namespace burrow::engine
