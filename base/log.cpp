#include "base/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace burrow::log {

namespace {

std::atomic<Level> g_level{Level::Warn};
// logrus counts the terminal form's seconds from when the program started.
const auto g_start = std::chrono::steady_clock::now();

const char* const kNames[] = {"panic", "fatal", "error", "warning", "info", "debug", "trace"};

bool lower_eq(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != b[i]) return false;
    }
    return true;
}

bool safe_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '/' || c == '@' || c == '^' || c == '+';
}

// The length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8_len(std::string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
    return n;
}

// logrus's colours: red for error and worse, yellow for warnings, blue for info, grey below.
int colour(Level l) {
    switch (l) {
    case Level::Panic:
    case Level::Fatal:
    case Level::Error: return 31;
    case Level::Warn: return 33;
    case Level::Info: return 36;
    default: return 37;
    }
}

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
    if (lower_eq(text, "warn")) return Level::Warn;
    for (int i = 0; i <= static_cast<int>(Level::Trace); ++i)
        if (lower_eq(text, kNames[i])) return static_cast<Level>(i);
    return std::nullopt;
}

const char* level_name(Level level) { return kNames[static_cast<int>(level)]; }

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }
bool enabled(Level level) { return static_cast<int>(level) <= static_cast<int>(g_level.load()); }

std::string logfmt_value(std::string_view v) {
    bool plain = true;
    for (unsigned char c : v) plain = plain && safe_char(c);
    if (plain) return std::string(v);
    static const char* hex = "0123456789abcdef";
    std::string r = "\"";
    for (size_t i = 0; i < v.size(); ++i) {
        auto c = static_cast<unsigned char>(v[i]);
        switch (c) {
        case '"': r += "\\\""; continue;
        case '\\': r += "\\\\"; continue;
        case '\a': r += "\\a"; continue;
        case '\b': r += "\\b"; continue;
        case '\f': r += "\\f"; continue;
        case '\n': r += "\\n"; continue;
        case '\r': r += "\\r"; continue;
        case '\t': r += "\\t"; continue;
        case '\v': r += "\\v"; continue;
        default: break;
        }
        if (c >= 0x80) {
            if (size_t n = utf8_len(v, i)) {
                r.append(v.substr(i, n));
                i += n - 1;
                continue;
            }
        }
        if (c < 0x20 || c >= 0x7f) {
            r += "\\x";
            r += hex[c >> 4];
            r += hex[c & 15];
            continue;
        }
        r += static_cast<char>(c);
    }
    return r + "\"";
}

std::string rfc3339(long long unix_seconds) {
    auto t = static_cast<time_t>(unix_seconds);
    struct tm tm {};
    localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string r = buf;
    long off = tm.tm_gmtoff;
    if (off == 0) return r + "Z";
    char z[32];
    int a = static_cast<int>((off < 0 ? -off : off) % 86400);
    std::snprintf(z, sizeof z, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, (a % 3600) / 60);
    return r + z;
}

std::string format_terminal(Level level, std::string_view msg, long elapsed) {
    if (!msg.empty() && msg.back() == '\n') msg.remove_suffix(1);
    std::string name = level_name(level);
    for (auto& c : name) c = static_cast<char>(c - 'a' + 'A');
    name.resize(4);
    char head[64];
    std::snprintf(head, sizeof head, "\x1b[%dm%s\x1b[0m[%04ld] ", colour(level), name.c_str(), elapsed);
    std::string r = head;
    r.append(msg);
    if (msg.size() < 44) r.append(44 - msg.size(), ' ');
    return r + " \n";
}

std::string format_text(Level level, std::string_view msg, const std::string& time_rfc3339) {
    if (!msg.empty() && msg.back() == '\n') msg.remove_suffix(1);
    return "time=" + logfmt_value(time_rfc3339) + " level=" + level_name(level) + " msg=" + logfmt_value(msg) + "\n";
}

void write(Level level, std::string_view msg) {
    if (!enabled(level)) return;
    static const bool terminal = ::isatty(STDERR_FILENO) == 1;
    std::string line;
    if (terminal) {
        auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - g_start).count();
        line = format_terminal(level, msg, static_cast<long>(secs));
    } else {
        line = format_text(level, msg, rfc3339(static_cast<long long>(std::time(nullptr))));
    }
    std::fflush(stdout);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace burrow::log
