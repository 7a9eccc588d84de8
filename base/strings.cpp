#include "base/strings.hpp"

#include <sys/random.h>

#include <cstdio>

#include "base/error.hpp"

namespace burrow {

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.emplace_back(s.substr(start));
            return out;
        }
        out.emplace_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

std::string to_lower(std::string_view s) {
    std::string r(s);
    for (auto& c : r)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return r;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string r;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) r.append(sep);
        r.append(parts[i]);
    }
    return r;
}

std::string human_size(double size, int digits, const char* sep) {
    static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    int i = 0;
    while (size >= 1000.0 && i < 8) {
        size /= 1000.0;
        ++i;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g%s%s", digits, size, sep, units[i]);
    return buf;
}

std::string human_duration_ago(int64_t seconds) {
    auto fmt = [](const char* f, int64_t n) {
        char buf[64];
        std::snprintf(buf, sizeof buf, f, static_cast<long long>(n));
        return std::string(buf);
    };
    std::string d;
    int64_t minutes = seconds / 60;
    int64_t hours = (seconds + 1800) / 3600;
    if (seconds < 1) d = "Less than a second";
    else if (seconds == 1) d = "1 second";
    else if (seconds < 60) d = fmt("%lld seconds", seconds);
    else if (minutes == 1) d = "About a minute";
    else if (minutes < 60) d = fmt("%lld minutes", minutes);
    else if (hours == 1) d = "About an hour";
    else if (hours < 48) d = fmt("%lld hours", hours);
    else if (hours < 24 * 7 * 2) d = fmt("%lld days", hours / 24);
    else if (hours < 24 * 30 * 2) d = fmt("%lld weeks", hours / 24 / 7);
    else if (hours < 24 * 365 * 2) d = fmt("%lld months", hours / 24 / 30);
    else d = fmt("%lld years", seconds / 3600 / 24 / 365);
    return d + " ago";
}

static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view in) {
    std::string out;
    size_t i = 0;
    while (i + 2 < in.size()) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += kB64[v & 63];
        i += 3;
    }
    if (i + 1 == in.size()) {
        uint32_t v = uint8_t(in[i]) << 16;
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string base64_decode(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    };
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=' || c == '\n' || c == '\r') continue;
        int v = val(c);
        if (v < 0) throw Error("invalid base64 data");
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    return out;
}

std::string random_hex(size_t bytes) {
    std::string out;
    unsigned char buf[64];
    static const char* hex = "0123456789abcdef";
    while (bytes > 0) {
        size_t want = bytes < sizeof buf ? bytes : sizeof buf;
        ssize_t n = ::getrandom(buf, want, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("getrandom");
        }
        for (ssize_t i = 0; i < n; ++i) out += hex[buf[i] >> 4], out += hex[buf[i] & 15];
        bytes -= static_cast<size_t>(n);
    }
    return out;
}

}  // namespace burrow
