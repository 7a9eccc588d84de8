// The container log in Podman's k8s-file format:
//   2026-11-22T10:41:25.123456789+00:00 stdout F a full line
//   2026-11-22T10:41:25.123456789+00:00 stdout P a partial line (no newline yet)
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.hpp"

namespace burrow::engine {

// Appends to a log file from the supervisor's loop. Lines are split at '\n'; data without a
// newline is buffered and written as a partial ("P") line when the buffer fills or on flush().
class LogWriter {
public:
    LogWriter() = default;
    explicit LogWriter(const std::string& path);  // opens O_APPEND|O_CREAT 0600
    bool is_open() const { return static_cast<bool>(fd_); }
    // stream: 1 = stdout, 2 = stderr.
    void write(int stream, const char* data, size_t n);
    void flush();

private:
    UniqueFd fd_;
    std::string pending_[3];
};

struct LogLine {
    int64_t time_ns = 0;      // unix nanoseconds
    std::string time_text;    // as written
    int stream = 1;           // 1 stdout, 2 stderr
    bool partial = false;
    std::string text;         // without the newline
};

std::optional<LogLine> parse_log_line(const std::string& line);
std::string format_log_line(int64_t time_ns, int stream, bool partial, const std::string& text);

}  // namespace burrow::engine
