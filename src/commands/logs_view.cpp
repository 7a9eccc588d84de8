// The pure parts of `logs`: --since/--until values and --tail.
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "src/commands/container_view.hpp"

namespace burrow::commands {

namespace {
constexpr int64_t kNs = 1000000000;
}  // namespace

std::optional<int64_t> parse_go_duration(const std::string& in) {
    std::string s = in;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s = s.substr(1);
    }
    if (s == "0") return 0;
    if (s.empty()) return std::nullopt;
    static const std::pair<const char*, double> units[] = {{"ns", 1},       {"us", 1e3},     {"\xc2\xb5s", 1e3},
                                                           {"\xce\xbcs", 1e3}, {"ms", 1e6},  {"s", 1e9},
                                                           {"m", 60e9},     {"h", 3600e9}};
    double total = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t start = i;
        while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
        if (i == start) return std::nullopt;
        std::string num = s.substr(start, i - start);
        if (num == ".") return std::nullopt;
        double value = std::strtod(num.c_str(), nullptr);
        size_t ustart = i;
        while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
        std::string unit = s.substr(ustart, i - ustart);
        bool ok = false;
        for (const auto& [name, mult] : units)
            if (unit == name) {
                total += value * mult;
                ok = true;
            }
        if (!ok) return std::nullopt;
    }
    return static_cast<int64_t>(neg ? -total : total);
}

std::optional<int64_t> parse_input_time(const std::string& s, bool since, int64_t now_ns) {
    // Dates and times.
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    bool has_date = std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10;
    if (has_date) {
        size_t i = 10;
        int64_t frac = 0;
        if (i < s.size() && s[i] == 'T') {
            int m = 0;
            if (std::sscanf(s.c_str() + i, "T%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3 || m != 9) return std::nullopt;
            i += 9;
            if (i < s.size() && s[i] == '.') {
                int digits = 0;
                for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits)
                    if (digits < 9) frac = frac * 10 + (s[i] - '0');
                if (digits == 0) return std::nullopt;
                for (; digits < 9; ++digits) frac *= 10;
            }
        }
        std::tm tm{};
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = sec;
        int64_t t;
        if (i == s.size()) {
            tm.tm_isdst = -1;
            t = static_cast<int64_t>(mktime(&tm));
        } else if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
            t = static_cast<int64_t>(timegm(&tm));
        } else if (s[i] == '+' || s[i] == '-') {
            int oh, om, m = 0;
            if (std::sscanf(s.c_str() + i + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || i + 1 + m != s.size())
                return std::nullopt;
            t = static_cast<int64_t>(timegm(&tm)) - (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        } else {
            return std::nullopt;
        }
        return t * kNs + frac;
    }
    // Unix seconds, with an optional fraction.
    if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
        std::count(s.begin(), s.end(), '.') <= 1 && s[0] != '.') {
        auto dot = s.find('.');
        int64_t whole = std::strtoll(s.substr(0, dot).c_str(), nullptr, 10);
        int64_t frac = 0;
        if (dot != std::string::npos) {
            std::string f = s.substr(dot + 1, 9);
            f.resize(9, '0');
            frac = std::strtoll(f.c_str(), nullptr, 10);
        }
        return whole * kNs + frac;
    }
    auto dur = parse_go_duration(s);
    if (!dur) return std::nullopt;
    return since ? now_ns - *dur : now_ns + *dur;
}

size_t tail_start(const std::vector<bool>& partial, long long n) {
    if (n < 0) return 0;
    size_t i = partial.size();
    long long lines = 0;
    // A trailing run of partial records is a line of its own (its end has not come yet).
    while (i > 0) {
        size_t j = i - 1;
        // Back over one line: a full record and the partial ones before it.
        if (!partial[j] || j + 1 == partial.size()) {
            if (lines == n) break;
            ++lines;
            size_t k = j;
            while (k > 0 && partial[k - 1]) --k;
            i = k;
            continue;
        }
        i = j;
    }
    return i;
}

}  // namespace burrow::commands
