#include "base/child_call.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"

namespace burrow {

std::string encode_child_error(int exit_code, const std::string& message) {
    uint32_t code = static_cast<uint32_t>(exit_code);
    std::string out(reinterpret_cast<const char*>(&code), sizeof code);
    return out + message;
}

bool decode_child_error(const std::string& data, int& exit_code, std::string& message) {
    uint32_t code = 0;
    if (data.size() < sizeof code) return false;
    std::memcpy(&code, data.data(), sizeof code);
    exit_code = static_cast<int>(code);
    message = data.substr(sizeof code);
    return true;
}

namespace {

void report(int fd, int code, const std::string& msg) {
    std::string wire = encode_child_error(code, msg);
    const char* p = wire.data();
    size_t left = wire.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        p += n;
        left -= static_cast<size_t>(n);
    }
}

}  // namespace

int call_in_child(const std::function<int()>& fn) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe");
    UniqueFd rd(p[0]), wr(p[1]);
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        rd.reset();
        int code = 0;
        try {
            code = fn();
        } catch (const Error& e) {
            report(wr.get(), e.exit_code(), e.what());
            code = e.exit_code();
        } catch (const std::exception& e) {
            report(wr.get(), kExitEngine, e.what());
            code = kExitEngine;
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    wr.reset();
    std::string data = read_to_end(rd.get());
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) throw_errno("wait for a child process");
    int code = 0;
    std::string msg;
    if (decode_child_error(data, code, msg)) throw Error(msg, code);
    if (WIFSIGNALED(st)) throw Error(std::string("child process killed by signal ") + std::to_string(WTERMSIG(st)));
    return WIFEXITED(st) ? WEXITSTATUS(st) : kExitEngine;
}

}  // namespace burrow
