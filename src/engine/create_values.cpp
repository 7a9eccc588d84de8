// Values of run/create flags that stand on their own: sizes, signals, -p, --ulimit.
#include <algorithm>
#include <cstdlib>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/engine/create_spec.hpp"

namespace burrow::engine {

int64_t parse_bytes(const std::string& s) {
    if (s.empty()) throw Error("invalid size: ''");
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == 0) throw Error("invalid size: '" + s + "'");
    double v = std::atof(s.substr(0, i).c_str());
    std::string unit = s.substr(i);
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!unit.empty() && unit.back() == 'b' && unit.size() > 1) unit.pop_back();
    double mult = 1;
    if (unit == "" || unit == "b") mult = 1;
    else if (unit == "k") mult = 1024;
    else if (unit == "m") mult = 1024.0 * 1024;
    else if (unit == "g") mult = 1024.0 * 1024 * 1024;
    else if (unit == "t") mult = 1024.0 * 1024 * 1024 * 1024;
    else throw Error("invalid size: '" + s + "'");
    return static_cast<int64_t>(v * mult);
}

std::string canonical_signal(const std::string& in) {
    static const char* names[] = {"",     "HUP",  "INT",  "QUIT", "ILL",  "TRAP",   "ABRT", "BUS",  "FPE",  "KILL", "USR1",
                                  "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
                                  "TTOU", "URG",  "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO",  "PWR",  "SYS"};
    std::string s = in;
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!s.empty() && std::all_of(s.begin(), s.end(), ::isdigit)) {
        int n = std::atoi(s.c_str());
        if (n > 0 && n < 32) return std::string("SIG") + names[n];
        if (n >= 32 && n <= 64) return "SIGRTMIN+" + std::to_string(n - 34);
        throw Error("invalid signal: " + in);
    }
    if (s.rfind("SIG", 0) == 0) s = s.substr(3);
    for (int n = 1; n < 32; ++n)
        if (s == names[n]) return "SIG" + s;
    if (s.rfind("RTMIN", 0) == 0 || s.rfind("RTMAX", 0) == 0) return "SIG" + s;
    throw Error("invalid signal: " + in);
}

std::vector<storage::PortMapping> parse_publish(const std::string& value) {
    auto bad = [&] { return Error("invalid port format \"" + value + "\": invalid argument"); };
    std::string v = value, proto = "tcp";
    if (auto slash = v.rfind('/'); slash != std::string::npos) {
        proto = v.substr(slash + 1);
        v = v.substr(0, slash);
        if (proto != "tcp" && proto != "udp" && proto != "sctp") throw Error("unrecognized protocol \"" + proto + "\" in port mapping");
    }
    std::string ip, host, ctr;
    if (!v.empty() && v[0] == '[') {  // [::1]:8080:80
        auto close = v.find(']');
        if (close == std::string::npos) throw bad();
        ip = v.substr(1, close - 1);
        v = v.substr(close + 1);
        if (!v.empty() && v[0] == ':') v.erase(0, 1);
    }
    auto parts = split(v, ':');
    if (ip.empty() && parts.size() == 3) ip = parts[0], parts.erase(parts.begin());
    if (parts.size() == 1) ctr = parts[0];
    else if (parts.size() == 2) host = parts[0], ctr = parts[1];
    else throw bad();
    auto range = [&](const std::string& s, uint16_t& start, uint16_t& count) {
        auto dash = s.find('-');
        auto num = [&](const std::string& t) {
            if (t.empty() || !std::all_of(t.begin(), t.end(), ::isdigit)) throw bad();
            long n = std::atol(t.c_str());
            if (n < 0 || n > 65535) throw Error("port numbers must be between 1 and 65535 (inclusive), got " + t);
            return static_cast<uint16_t>(n);
        };
        start = num(s.substr(0, dash));
        count = 1;
        if (dash != std::string::npos) {
            uint16_t end = num(s.substr(dash + 1));
            if (end < start) throw bad();
            count = static_cast<uint16_t>(end - start + 1);
        }
    };
    storage::PortMapping p;
    p.host_ip = ip;
    p.protocol = proto;
    uint16_t cstart = 0, ccount = 1, hstart = 0, hcount = 1;
    range(ctr, cstart, ccount);
    if (cstart == 0) throw Error("port numbers must be between 1 and 65535 (inclusive), got 0");
    if (!host.empty()) range(host, hstart, hcount);
    if (!host.empty() && hcount != ccount) throw Error("host and container port ranges have different lengths: " + value);
    p.container_port = cstart;
    p.host_port = hstart;
    p.range = ccount;
    return {p};
}

namespace {

storage::Ulimit parse_ulimit_value(const std::string& value) {
    static const char* names[] = {"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
                                  "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack", "as"};
    auto eq = value.find('=');
    if (eq == std::string::npos) throw Error("invalid ulimit argument: " + value);
    storage::Ulimit u;
    u.name = value.substr(0, eq);
    if (u.name.rfind("RLIMIT_", 0) == 0) u.name = u.name.substr(7);
    for (auto& c : u.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::none_of(std::begin(names), std::end(names), [&](const char* n) { return u.name == n; }))
        throw Error("invalid ulimit type: " + u.name);
    std::string v = value.substr(eq + 1);
    auto colon = v.find(':');
    auto num = [&](const std::string& s) -> int64_t {
        if (s == "-1" || s == "unlimited") return -1;
        if (s.empty() || !std::all_of(s.begin(), s.end(), ::isdigit)) throw Error("invalid ulimit argument: " + value);
        return std::atoll(s.c_str());
    };
    u.soft = num(v.substr(0, colon));
    u.hard = colon == std::string::npos ? u.soft : num(v.substr(colon + 1));
    if (u.soft != -1 && u.hard != -1 && u.soft > u.hard)
        throw Error("ulimit soft limit must be less than or equal to hard limit: " + std::to_string(u.soft) + " > " + std::to_string(u.hard));
    return u;
}

}  // namespace

storage::Ulimit parse_ulimit(const std::string& value) {
    try {
        return parse_ulimit_value(value);
    } catch (const Error& e) {
        throw e.wrap("ulimit option \"" + value + "\" requires name=SOFT:HARD, failed to be parsed");
    }
}

}  // namespace burrow::engine
