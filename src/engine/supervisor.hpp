// The supervisor's event loop: the container's stdio (pipes or a pty master) into the log and,
// when attached, to this process's stdio; stdin into the container; signals forwarded; the
// container's exit. It is the foreground `run`/`start -a` process itself, or the small
// `burrow-supervisor` executable a detached container keeps (so that what stays resident per
// container is small).
#pragma once
#include <sys/types.h>

#include <string>

namespace burrow::net {
class NetworkRuntime;
}

namespace burrow::engine {

struct SuperviseOptions {
    pid_t pid = -1;          // the container's pid 1, a child of this process
    int out_fd = -1;         // read end of its stdout (the pty master with a tty)
    int err_fd = -1;         // read end of its stderr (-1 with a tty)
    int in_fd = -1;          // write end of its stdin (the pty master with a tty; -1 = none)
    int attach_in_fd = -1;   // detached -i: read end (non-blocking) of the attach FIFO, relayed
                             // to in_fd; its EOF closes in_fd
    bool attach = false;     // relay to/from this process's stdio
    bool attach_stdout = true, attach_stderr = true;  // run --attach: the streams relayed
    bool relay_stdin = false;
    bool tty = false;
    bool sig_proxy = true;
    std::string log_path;    // "" = no log
    unsigned timeout_s = 0;  // --timeout: SIGKILL after this many seconds; the exit code is then -1 (0 = none)
    net::NetworkRuntime* network = nullptr;  // the container's slirp network and ports, polled here too
};

// Runs until the container's pid 1 exits; returns its exit code (128 + signal when killed; -1
// when --timeout killed it, as Podman records it).
int supervise(const SuperviseOptions& opts);

// Puts this process's terminal into raw mode while it lives (attached -t).
class RawTerminal {
public:
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

private:
    int fd_ = -1;
    bool active_ = false;
    char saved_[64];  // struct termios, kept opaque here
};

}  // namespace burrow::engine
