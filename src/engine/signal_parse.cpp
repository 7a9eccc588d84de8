// Signal names and numbers as Podman's pkg/signal parses them (kill -s, --stop-signal).
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "src/engine/lifecycle.hpp"

namespace burrow::engine {

namespace {

// Go's strconv.Atoi: an optional sign and decimal digits that fit in 64 bits.
std::optional<long long> go_atoi(const std::string& s) {
    size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    if (i == s.size() || !std::all_of(s.begin() + static_cast<long>(i), s.end(), ::isdigit)) return std::nullopt;
    errno = 0;
    long long n = std::strtoll(s.c_str(), nullptr, 10);
    if (errno == ERANGE) return std::nullopt;
    return n;
}

// The names of Podman's signal map (Linux): SIGRTMIN is 34 there, whatever libc reserves.
std::optional<int> signal_by_name(const std::string& upper) {
    constexpr int kRtMin = 34, kRtMax = 64;
    if (upper == "RTMIN") return kRtMin;
    if (upper == "RTMAX") return kRtMax;
    auto offset = [&](const char* prefix) -> std::optional<int> {
        size_t n = std::strlen(prefix);
        if (upper.rfind(prefix, 0) != 0 || upper.size() == n) return std::nullopt;
        std::string d = upper.substr(n);
        if (!std::all_of(d.begin(), d.end(), ::isdigit) || d.size() > 2 || d[0] == '0') return std::nullopt;
        int v = std::atoi(d.c_str());
        return v >= 1 && v <= 15 ? std::optional<int>(v) : std::nullopt;
    };
    if (auto v = offset("RTMIN+")) return kRtMin + *v;
    if (auto v = offset("RTMAX-")) return kRtMax - *v;
    for (int n = 1; n < 32; ++n) {
        const char* abbrev = ::sigabbrev_np(n);
        if (abbrev && upper == abbrev) return n;
    }
    if (upper == "IOT") return SIGABRT;
    if (upper == "CLD") return SIGCHLD;
    if (upper == "POLL") return SIGIO;
    return std::nullopt;
}

}  // namespace

int parse_signal(const std::string& in) {
    // As Podman's ParseSignalNameOrNumber: one leading dash goes, numbers are taken as they
    // are (then 1..64 checked), names with or without SIG in any case.
    std::string base = in.rfind('-', 0) == 0 ? in.substr(1) : in;
    if (auto n = go_atoi(base)) {
        if (*n == 0) throw Error("invalid signal: " + base);
        if (*n < 1 || *n > 64) throw Error("valid signals are 1 through 64");
        return static_cast<int>(*n);
    }
    std::string upper = base;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper.rfind("SIG", 0) == 0) upper = upper.substr(3);
    if (auto n = signal_by_name(upper)) return *n;
    throw Error("invalid signal: " + base);
}

}  // namespace burrow::engine
