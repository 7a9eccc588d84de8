// One poll loop: container output -> log (+ our stdout/stderr), our stdin -> container,
// signals -> container, SIGCHLD -> exit code.
#include "src/engine/supervisor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "net/network_runtime.hpp"
#include "src/engine/container_log.hpp"

namespace burrow::engine {

static_assert(sizeof(struct termios) <= 64, "RawTerminal keeps a termios in 64 bytes");

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    struct termios t;
    if (!::isatty(fd) || ::tcgetattr(fd, &t) < 0) return;
    std::memcpy(saved_, &t, sizeof t);
    ::cfmakeraw(&t);
    // Keep output post-processing so "\n" still returns the carriage on the host side.
    t.c_oflag |= OPOST;
    active_ = ::tcsetattr(fd, TCSADRAIN, &t) == 0;
}

RawTerminal::~RawTerminal() {
    if (!active_) return;
    struct termios t;
    std::memcpy(&t, saved_, sizeof t);
    ::tcsetattr(fd_, TCSADRAIN, &t);
}

namespace {

void write_all_fd(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf {fd, POLLOUT, 0};
            ::poll(&pf, 1, 1000);
            continue;
        }
        if (w <= 0) return;  // reader gone: drop, as a closed terminal would
        p += w;
        n -= static_cast<size_t>(w);
    }
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

void copy_window_size(int from, int to) {
    struct winsize ws;
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

// Signals forwarded to the container with --sig-proxy (everything a user sends, not the
// ones about our own terminal or children).
constexpr int kProxied[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCONT, SIGTSTP};

}  // namespace

int supervise(const SuperviseOptions& o) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGWINCH);
    sigaddset(&mask, SIGPIPE);
    for (int s : kProxied) sigaddset(&mask, s);
    sigset_t old;
    ::sigprocmask(SIG_BLOCK, &mask, &old);
    UniqueFd sfd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!sfd) throw_errno("signalfd");

    LogWriter log;
    if (!o.log_path.empty()) {
        try {
            log = LogWriter(o.log_path);
        } catch (const Error&) {
            // A log we cannot write must not take the container down with it.
        }
    }
    if (o.tty && o.attach) copy_window_size(0, o.out_fd);

    int out_fd = o.out_fd, err_fd = o.err_fd, in_fd = o.in_fd, attach_fd = o.attach_in_fd;
    bool stdin_open = o.relay_stdin && in_fd >= 0;
    if (!o.relay_stdin && in_fd >= 0 && !o.tty && attach_fd < 0) {
        ::close(in_fd);
        in_fd = -1;
    }
    int status = 0;
    bool exited = false;
    // An exit before the signalfd existed left no signal behind, only a zombie.
    if (::waitpid(o.pid, &status, WNOHANG) == o.pid) exited = true;
    char buf[65536];
    std::vector<pollfd> p;
    struct timespec t0 {};
    ::clock_gettime(CLOCK_MONOTONIC, &t0);
    const int64_t deadline_ms = o.timeout_s ? (t0.tv_sec + static_cast<int64_t>(o.timeout_s)) * 1000 + t0.tv_nsec / 1000000 : 0;
    bool timed_out = false;
    for (;;) {
        p.clear();
        p.push_back({sfd.get(), POLLIN, 0});
        size_t i_sig = 0, i_out = SIZE_MAX, i_err = SIZE_MAX, i_in = SIZE_MAX, i_attach = SIZE_MAX;
        if (out_fd >= 0) i_out = p.size(), p.push_back({out_fd, POLLIN, 0});
        if (err_fd >= 0) i_err = p.size(), p.push_back({err_fd, POLLIN, 0});
        if (stdin_open) i_in = p.size(), p.push_back({0, POLLIN, 0});
        if (attach_fd >= 0 && !exited) i_attach = p.size(), p.push_back({attach_fd, POLLIN, 0});
        if (exited && out_fd < 0 && err_fd < 0) break;
        // After the exit, output still in flight is drained; a grandchild holding the pipe open
        // (it outlived pid 1 somehow) must not keep us here forever.
        int timeout = exited ? 200 : -1;
        if (deadline_ms && !exited && !timed_out) {
            struct timespec now {};
            ::clock_gettime(CLOCK_MONOTONIC, &now);
            int64_t left = deadline_ms - (now.tv_sec * 1000 + now.tv_nsec / 1000000);
            if (left <= 0) {
                ::kill(o.pid, SIGKILL);  // --timeout expired
                timed_out = true;
            } else {
                timeout = static_cast<int>(left);
            }
        }
        if (o.network && !exited) o.network->fill(p, timeout);
        int r = ::poll(p.data(), static_cast<nfds_t>(p.size()), timeout);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0 && exited) break;
        if (o.network && !exited) o.network->dispatch(p);

        if (p[i_sig].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (::read(sfd.get(), &si, sizeof si) == sizeof si) {
                int sig = static_cast<int>(si.ssi_signo);
                if (sig == SIGCHLD) {
                    int st;
                    pid_t w;
                    while ((w = ::waitpid(-1, &st, WNOHANG)) > 0)
                        if (w == o.pid) status = st, exited = true;
                } else if (sig == SIGWINCH) {
                    if (o.tty && o.attach) copy_window_size(0, o.out_fd);
                } else if (sig == SIGPIPE) {
                } else if (o.sig_proxy && !exited) {
                    ::kill(o.pid, sig);
                }
            }
        }
        auto pump = [&](size_t idx, int& fd, int stream) {
            if (idx == SIZE_MAX || !(p[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
            ssize_t got = ::read(fd, buf, sizeof buf);
            if (got < 0 && (errno == EINTR || errno == EAGAIN)) return;
            if (got <= 0) {  // EOF (EIO from a pty master once the slave side is gone)
                if (fd != o.in_fd) ::close(fd);
                fd = -1;
                return;
            }
            if (log.is_open()) log.write(stream, buf, static_cast<size_t>(got));
            if (o.attach && (stream == 1 ? o.attach_stdout : o.attach_stderr)) write_all_fd(stream, buf, static_cast<size_t>(got));
        };
        pump(i_out, out_fd, 1);
        pump(i_err, err_fd, 2);
        if (i_attach != SIZE_MAX && (p[i_attach].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t got = ::read(attach_fd, buf, sizeof buf);
            if (got > 0) {
                write_all_fd(in_fd, buf, static_cast<size_t>(got));
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                // The attached writer is done: so is the container's stdin.
                ::close(attach_fd);
                attach_fd = -1;
                if (in_fd >= 0) ::close(in_fd);
                in_fd = -1;
            }
        }
        if (i_in != SIZE_MAX && (p[i_in].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t got = ::read(0, buf, sizeof buf);
            if (got > 0) {
                write_all_fd(in_fd, buf, static_cast<size_t>(got));
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                stdin_open = false;
                if (o.tty) {
                    // EOF on a pty is ^D, not a close: the master stays the output side.
                    char eot = 4;
                    write_all_fd(in_fd, &eot, 1);
                } else {
                    ::close(in_fd);
                    in_fd = -1;
                }
            }
        }
    }
    if (out_fd >= 0 && out_fd != o.in_fd) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
    if (in_fd >= 0) ::close(in_fd);
    if (attach_fd >= 0) ::close(attach_fd);
    log.flush();
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    return timed_out ? -1 : exit_code_of(status);
}

}  // namespace burrow::engine
