#include "src/engine/container_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "base/error.hpp"

namespace burrow::engine {

namespace {

// conmon cuts lines longer than its buffer into partial records; so do we.
constexpr size_t kMaxLine = 8192;

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void write_all_fd(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            // A full disk must not stop the container: the log loses lines, the container runs on.
            return;
        }
        off += static_cast<size_t>(n);
    }
}

}  // namespace

LogWriter::LogWriter(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw_errno("open `" + path + "`");
    fd_.reset(fd);
}

void LogWriter::write(int stream, const char* data, size_t n) {
    if (!fd_ || (stream != 1 && stream != 2)) return;
    std::string& pending = pending_[stream];
    pending.append(data, n);
    int64_t t = now_ns();
    std::string out;
    size_t start = 0;
    for (;;) {
        size_t nl = pending.find('\n', start);
        if (nl == std::string::npos) break;
        // A line longer than the buffer goes out in partial pieces first.
        while (nl - start > kMaxLine) {
            out += format_log_line(t, stream, true, pending.substr(start, kMaxLine));
            start += kMaxLine;
        }
        out += format_log_line(t, stream, false, pending.substr(start, nl - start));
        start = nl + 1;
    }
    while (pending.size() - start >= kMaxLine) {
        out += format_log_line(t, stream, true, pending.substr(start, kMaxLine));
        start += kMaxLine;
    }
    pending.erase(0, start);
    if (!out.empty()) write_all_fd(fd_.get(), out);
}

void LogWriter::flush() {
    if (!fd_) return;
    int64_t t = now_ns();
    std::string out;
    for (int s = 1; s <= 2; ++s) {
        if (pending_[s].empty()) continue;
        out += format_log_line(t, s, true, pending_[s]);
        pending_[s].clear();
    }
    if (!out.empty()) write_all_fd(fd_.get(), out);
}

std::string format_log_line(int64_t time_ns, int stream, bool partial, const std::string& text) {
    time_t sec = static_cast<time_t>(time_ns / 1000000000);
    long frac = static_cast<long>(time_ns % 1000000000);
    if (frac < 0) {
        frac += 1000000000;
        --sec;
    }
    std::tm tm{};
    localtime_r(&sec, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff;
    long aoff = off < 0 ? -off : off;
    char head[96];
    std::snprintf(head, sizeof head, "%s.%09ld%c%02ld:%02ld %s %c ", date, frac, off < 0 ? '-' : '+', aoff / 3600,
                  aoff % 3600 / 60, stream == 2 ? "stderr" : "stdout", partial ? 'P' : 'F');
    return head + text + "\n";
}

std::optional<LogLine> parse_log_line(const std::string& raw) {
    std::string line = raw;
    if (!line.empty() && line.back() == '\n') line.pop_back();
    size_t s1 = line.find(' ');
    if (s1 == std::string::npos) return std::nullopt;
    size_t s2 = line.find(' ', s1 + 1);
    if (s2 == std::string::npos) return std::nullopt;
    LogLine l;
    l.time_text = line.substr(0, s1);
    std::string stream = line.substr(s1 + 1, s2 - s1 - 1);
    if (stream == "stdout") l.stream = 1;
    else if (stream == "stderr") l.stream = 2;
    else return std::nullopt;
    size_t s3 = line.find(' ', s2 + 1);
    std::string tag = line.substr(s2 + 1, s3 == std::string::npos ? std::string::npos : s3 - s2 - 1);
    if (tag.empty()) return std::nullopt;
    // "F" or "P", possibly with more flags after ':' in newer writers.
    l.partial = tag[0] == 'P';
    l.text = s3 == std::string::npos ? "" : line.substr(s3 + 1);

    int y, mo, d, h, mi, sec, n = 0;
    if (std::sscanf(l.time_text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return std::nullopt;
    size_t i = static_cast<size_t>(n);
    const std::string& t = l.time_text;
    int64_t frac = 0;
    if (i < t.size() && t[i] == '.') {
        int digits = 0;
        for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++digits)
            if (digits < 9) frac = frac * 10 + (t[i] - '0');
        for (; digits < 9; ++digits) frac *= 10;
    }
    int64_t offset = 0;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
        int oh = 0, om = 0;
        if (std::sscanf(t.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
        offset = (t[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else if (i >= t.size() || (t[i] != 'Z' && t[i] != 'z')) {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    l.time_ns = (static_cast<int64_t>(timegm(&tm)) - offset) * 1000000000 + frac;
    return l;
}

}  // namespace burrow::engine
