// Values of run/create flags that stand on their own: sizes, signals, -p, --ulimit.
#include <algorithm>
#include <cstdlib>
#include <tuple>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "net/network_options.hpp"
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
        if (n == 0) throw Error("invalid signal: " + in);
        throw Error("valid signals are 1 through 64");  // Podman's range check, as for kill
    }
    if (s.rfind("SIG", 0) == 0) s = s.substr(3);
    for (int n = 1; n < 32; ++n)
        if (s == names[n]) return "SIG" + s;
    if (s.rfind("RTMIN", 0) == 0 || s.rfind("RTMAX", 0) == 0) return "SIG" + s;
    throw Error("invalid signal: " + in);
}

namespace {

// Podman's parseAndValidatePort / parseAndValidateRange, with their texts.
uint16_t parse_port_number(const std::string& t) {
    size_t first_digit = !t.empty() && (t[0] == '+' || t[0] == '-') ? 1 : 0;  // Go's Atoi takes a sign
    if (t.size() == first_digit || !std::all_of(t.begin() + static_cast<long>(first_digit), t.end(), ::isdigit))
        throw Error("invalid port number: strconv.Atoi: parsing \"" + t + "\": invalid syntax");
    long long n = t.size() > 12 ? 99999999 : std::atoll(t.c_str());
    if (n < 1 || n > 65535) throw Error("port numbers must be between 1 and 65535 (inclusive), got " + t);
    return static_cast<uint16_t>(n);
}

// "80" -> (80, 1), "80-82" -> (80, 3)
std::pair<uint16_t, uint16_t> parse_port_range(const std::string& s) {
    auto dash = s.find('-');
    if (dash == std::string::npos) return {parse_port_number(s), 1};
    uint16_t start = parse_port_number(s.substr(0, dash)), end = parse_port_number(s.substr(dash + 1));
    if (end <= start)
        throw Error("the end port of a range must be higher than the start port - " + std::to_string(end) +
                    " is not higher than " + std::to_string(start));
    return {start, static_cast<uint16_t>(end - start + 1)};
}

}  // namespace

std::vector<storage::PortMapping> parse_publish(const std::string& value) {
    std::string v = value, proto = "tcp";
    auto proto_parts = split(value, '/');
    if (proto_parts.size() > 2) throw Error("invalid port format - protocol can only be specified once");
    if (proto_parts.size() == 2) {
        v = proto_parts[0];
        proto = to_lower(proto_parts[1]);
        if (proto.empty()) throw Error("must provide a non-empty protocol to publish");
        if (proto != "tcp" && proto != "udp" && proto != "sctp") throw Error("unrecognized protocol \"" + proto + "\" in port mapping");
    }
    std::string ip;
    std::vector<std::string> parts;
    if (!v.empty() && v[0] == '[') {  // [::1]:8080:80
        auto close = v.find(']');
        if (close == std::string::npos) throw Error("invalid port format - format is [[hostIP:]hostPort:]containerPort");
        ip = v.substr(1, close - 1);
        std::string rest = v.substr(close + 1);
        if (rest.empty() || rest[0] != ':') throw Error("invalid port format - format is [[hostIP:]hostPort:]containerPort");
        parts = split(rest.substr(1), ':');
        parts.insert(parts.begin(), ip);
    } else {
        parts = split(v, ':');
    }
    if (parts.size() > 3) throw Error("invalid port format - format is [[hostIP:]hostPort:]containerPort");
    if (parts.size() == 3) {
        ip = parts[0];
        if (!ip.empty() && !net::parse_ipv4(ip) && ip.find(':') == std::string::npos)
            throw Error("cannot parse \"" + ip + "\" as an IP address");
        parts.erase(parts.begin());
    }
    std::string ctr = parts.back();
    if (ctr.empty()) throw Error("must provide a non-empty container port to publish");
    storage::PortMapping p;
    p.host_ip = ip;
    p.protocol = proto;
    try {
        std::tie(p.container_port, p.range) = parse_port_range(ctr);
    } catch (const Error& e) {
        throw e.wrap("parsing container port");
    }
    if (parts.size() == 2 && !parts[0].empty()) {
        std::pair<uint16_t, uint16_t> host;
        try {
            host = parse_port_range(parts[0]);
        } catch (const Error& e) {
            throw e.wrap("parsing host port");
        }
        if (host.second != p.range)
            throw Error("host and container port ranges have different lengths: " + std::to_string(host.second) + " vs " +
                        std::to_string(p.range));
        p.host_port = host.first;
    }
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
