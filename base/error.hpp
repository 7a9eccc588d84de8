// One error type for the whole program: a message that names the thing and
// the cause, and the exit code Podman would use for it.
#pragma once
#include <cerrno>
#include <stdexcept>
#include <string>

namespace burrow {

// Podman's exit codes: 125 for an engine error, 126/127 for a command that
// cannot be invoked / was not found inside a container.
inline constexpr int kExitEngine = 125;
inline constexpr int kExitCannotInvoke = 126;
inline constexpr int kExitNotFound = 127;

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& msg, int exit_code = kExitEngine)
        : std::runtime_error(msg), exit_code_(exit_code) {}
    int exit_code() const noexcept { return exit_code_; }
    // Prefix context: Error("open x").wrap("pulling y") -> "pulling y: open x".
    Error wrap(const std::string& context) const { return Error(context + ": " + what(), exit_code_); }

private:
    int exit_code_;
};

// Error carrying errno, for syscall failures: "open `/path`: No such file or directory".
class SysError : public Error {
public:
    SysError(const std::string& what, int err);
    int err() const noexcept { return err_; }

private:
    int err_;
};

[[noreturn]] void throw_errno(const std::string& what, int err = errno);

}  // namespace burrow
