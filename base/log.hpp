// Diagnostics on stderr the way Podman's logrus prints them, so that what users and scripts see
// (and grep) is the same:
//   stderr is a terminal:  "\e[33mWARN\e[0m[0000] message padded to 44 columns "  (seconds since start)
//   otherwise:             time="2026-01-02T15:04:05Z" level=warning msg="message"
// Levels are logrus's, most severe first; a line is written when its level is at or above the
// configured one (default warn, as Podman's --log-level).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace burrow::log {

enum class Level { Panic, Fatal, Error, Warn, Info, Debug, Trace };

// logrus.ParseLevel: case-insensitive; "warn" and "warning" are the same level.
std::optional<Level> parse_level(std::string_view text);
// logrus's Level.String(): "panic" ... "warning" ... "trace".
const char* level_name(Level level);

void set_level(Level level);
Level level();
bool enabled(Level level);

// The two line forms (pure; the terminal form ends with logrus's padding and a space).
// `time_rfc3339` is the local time as Go's time.RFC3339 writes it; `elapsed` whole seconds since
// the process started.
std::string format_terminal(Level level, std::string_view msg, long elapsed);
std::string format_text(Level level, std::string_view msg, const std::string& time_rfc3339);
// Go's %q of a string, as logrus quotes a value that holds anything but [A-Za-z0-9-._/@^+].
std::string logfmt_value(std::string_view value);
// Go's time.RFC3339 of a Unix time in the local zone: "2026-01-02T15:04:05Z" or "...+01:00".
std::string rfc3339(long long unix_seconds);

// Writes one line for `msg` at `level` to stderr when that level is enabled (stdout is flushed
// first, so the two streams keep their order).
void write(Level level, std::string_view msg);
inline void error(std::string_view msg) { write(Level::Error, msg); }
inline void warn(std::string_view msg) { write(Level::Warn, msg); }
inline void info(std::string_view msg) { write(Level::Info, msg); }
inline void debug(std::string_view msg) { write(Level::Debug, msg); }
inline void trace(std::string_view msg) { write(Level::Trace, msg); }

}  // namespace burrow::log
