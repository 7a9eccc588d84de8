// start / stop / kill / wait / rm, each a short sequence under the container's lifecycle lock.
#include "src/engine/lifecycle.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "base/log.hpp"
#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fd_passing.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "net/network_runtime.hpp"
#include "net/port_mapping.hpp"
#include "rootless/container_process.hpp"
#include "src/engine/container_setup.hpp"
#include "src/engine/events.hpp"
#include "src/engine/supervisor.hpp"
#include "storage/store.hpp"
#include "src/engine/volume_use.hpp"
#include "storage/volume_store.hpp"

namespace burrow::engine {

using storage::ContainerConfig;
using storage::ContainerState;
using storage::ContainerStore;
using storage::Status;

namespace {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string exe_dir() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    std::string p(buf, static_cast<size_t>(n));
    return p.substr(0, p.rfind('/'));
}

std::string self_exe() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) throw_errno("readlink /proc/self/exe");
    return std::string(buf, static_cast<size_t>(n));
}

// The small executable a detached container keeps resident: beside burrow, or in libexec.
std::string supervisor_exe() {
    std::string dir = exe_dir();
    for (auto cand : {dir + "/burrow-supervisor", dir + "/../libexec/burrow/burrow-supervisor"})
        if (::access(cand.c_str(), X_OK) == 0) return cand;
    throw Error("burrow-supervisor not found next to " + dir + "/burrow: reinstall burrow");
}

// The container's stdio as the supervisor sees it, and the child's ends.
struct Stdio {
    UniqueFd out_r, err_r, in_w;     // supervisor side (out_r = pty master with a tty)
    UniqueFd out_w, err_w, in_r;     // container side
    UniqueFd console_parent, console_child;  // with a tty: the pty master arrives on console_parent
};

Stdio make_stdio(const ContainerConfig& cfg, bool interactive) {
    Stdio s;
    if (cfg.tty) {
        // The child makes the pty in its own devpts and sends us the master over this pair.
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
        s.console_parent = UniqueFd(sv[0]);
        s.console_child = UniqueFd(sv[1]);
        return s;
    }
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe");
    s.out_r = UniqueFd(p[0]), s.out_w = UniqueFd(p[1]);
    if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe");
    s.err_r = UniqueFd(p[0]), s.err_w = UniqueFd(p[1]);
    if (interactive) {
        if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe");
        s.in_r = UniqueFd(p[0]), s.in_w = UniqueFd(p[1]);
    }
    return s;
}

void attach_stdio(rootless::ProcessSpec& spec, const Stdio& s, bool tty) {
    if (tty) {
        spec.console_socket = s.console_child.get();
        struct winsize ws {24, 80, 0, 0};
        if (::isatty(0)) ::ioctl(0, TIOCGWINSZ, &ws);
        spec.rows = ws.ws_row;
        spec.cols = ws.ws_col;
        return;
    }
    spec.stdin_fd = s.in_r ? s.in_r.get() : -1;
    spec.stdout_fd = s.out_w.get();
    spec.stderr_fd = s.err_w.get();
}

// The container's network as its supervisor gets it: tap0, which the child sends over
// tap_parent, and the published ports, bound before the container starts so that a port taken
// since create fails the start before anything runs.
struct NetworkIo {
    UniqueFd tap_parent, tap_child;
    UniqueFd tap;
    std::vector<net::Listener> listeners;          // the proxy's (the default port handler)
    std::vector<PortMapping> slirp_forwards;  // port_handler=slirp4netns: libslirp binds them
};

NetworkIo make_network_io(const ContainerConfig& cfg, const PreparedContainer& prep) {
    NetworkIo n;
    if (prep.network.kind != net::NetworkKind::slirp) return n;
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
    n.tap_parent = UniqueFd(sv[0]);
    n.tap_child = UniqueFd(sv[1]);
    if (prep.network.slirp.slirp_port_handler) {
        (void)net::open_listeners(cfg.ports);  // tried here, bound by libslirp in the supervisor
        n.slirp_forwards = cfg.ports;
    } else {
        n.listeners = net::open_listeners(cfg.ports);
    }
    return n;
}

std::unique_ptr<net::NetworkRuntime> make_runtime(const PreparedContainer& prep, NetworkIo& n, pid_t pid) {
    if (!n.tap) return nullptr;
    auto runtime = std::make_unique<net::NetworkRuntime>(prep.network.slirp, std::move(n.tap), std::move(n.listeners), pid);
    runtime->add_slirp_forwards(n.slirp_forwards);
    return runtime;
}

// Starts the process and records it as running. Caller holds the container lock.
rootless::ContainerProcess launch(storage::Store& store, const ContainerConfig& cfg, PreparedContainer& prep,
                                  Stdio& io, NetworkIo& net_io) {
    ContainerStore containers(store);
    attach_stdio(prep.spec, io, cfg.tty);
    prep.spec.tap_socket = net_io.tap_child ? net_io.tap_child.get() : -1;
    ContainerState st = containers.raw_state(cfg.id);
    try {
        auto proc = rootless::start_container_process(prep.spec, prep.map);
        if (cfg.tty) {
            io.console_child.reset();
            io.out_r = UniqueFd(rootless::receive_console(io.console_parent.get()));
        }
        if (net_io.tap_child) {
            net_io.tap_child.reset();
            net_io.tap = UniqueFd(receive_fd(net_io.tap_parent.get(), "receive the container's tap0"));
        }
        st.status = Status::running;
        st.pid = proc.pid();
        st.pid_start = storage::pid_start_time(proc.pid()).value_or(0);
        st.supervisor_pid = ::getpid();
        st.supervisor_start = storage::pid_start_time(::getpid()).value_or(0);
        st.started_at = now_ns();
        st.finished_at = 0;
        st.exit_code = 0;
        st.exit_known = true;
        st.error.clear();
        containers.put_state(cfg.id, st);
        // --pidfile and --conmon-pidfile: the container's pid 1 and the process supervising it
        if (!cfg.pidfile.empty()) atomic_write_file(cfg.pidfile, std::to_string(st.pid), 0644, false);
        if (!cfg.conmon_pidfile.empty())
            atomic_write_file(cfg.conmon_pidfile, std::to_string(st.supervisor_pid), 0644, false);
        container_event(store, cfg, "start");
        return proc;
    } catch (const Error& e) {
        st.error = e.what();
        try {
            containers.put_state(cfg.id, st);
        } catch (const Error&) {
        }
        throw;
    }
}

void write_msg(int fd, int code, const std::string& msg) {
    std::string m = std::to_string(code) + " " + msg;
    (void)!::write(fd, m.data(), m.size());
}

[[noreturn]] void detached_supervisor(storage::Store& store, const ContainerConfig& cfg, PreparedContainer& prep,
                                      NetworkIo& net_io, int report_fd) {
    try {
        ::setsid();
        int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        // -i: the container's stdin stays open, fed by `attach` through a FIFO (Podman keeps it
        // open in conmon). With -t the pty is the stdin and stays open anyway.
        bool keep_stdin = cfg.interactive && !cfg.tty;
        Stdio io = make_stdio(cfg, keep_stdin);
        UniqueFd attach_fd;
        if (keep_stdin) {
            std::string fifo = ContainerStore(store).attach_fifo(cfg.id);
            ::unlink(fifo.c_str());
            if (::mkfifo(fifo.c_str(), 0600) < 0) throw_errno("mkfifo `" + fifo + "`");
            attach_fd = UniqueFd(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
            if (!attach_fd) throw_errno("open `" + fifo + "`");
        }
        auto proc = launch(store, cfg, prep, io, net_io);
        pid_t pid = proc.release();
        std::string sup = supervisor_exe();
        std::vector<std::string> args{
            "burrow-supervisor", store.root(), cfg.id, std::to_string(pid), std::to_string(io.out_r.get()),
            std::to_string(io.err_r ? io.err_r.get() : -1), cfg.remove ? "1" : "0", self_exe(), store.options().runroot,
            "events=" + events_target(store)};
        args.push_back("log=" + log_file(ContainerStore(store), cfg));
        if (cfg.timeout) args.push_back("timeout=" + std::to_string(cfg.timeout));
        // Nothing the caller left open survives the exec (a shell's saved descriptor, say, the
        // write end of the $(...) that runs us, would keep that shell waiting for EOF as long as
        // the container lives), except what the supervisor is given below.
        ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
        if (keep_stdin) {
            args.push_back("in=" + std::to_string(io.in_w.get()));
            args.push_back("attach=" + std::to_string(attach_fd.get()));
            ::fcntl(io.in_w.get(), F_SETFD, 0);
            ::fcntl(attach_fd.get(), F_SETFD, 0);
        }
        // The supervisor keeps the read ends across exec; the container's ends close here.
        ::fcntl(io.out_r.get(), F_SETFD, 0);
        if (io.err_r) ::fcntl(io.err_r.get(), F_SETFD, 0);
        // ... and the network: tap0 and the listening sockets, described in one argument.
        if (net_io.tap) {
            ::fcntl(net_io.tap.get(), F_SETFD, 0);
            for (const auto& l : net_io.listeners) ::fcntl(l.fd.get(), F_SETFD, 0);
            args.push_back("net=" + net::encode_network(cfg.network, net_io.tap.get(), net_io.listeners, net_io.slirp_forwards));
        }
        io.out_w.reset();
        io.err_w.reset();
        io.in_r.reset();
        write_msg(report_fd, 0, cfg.id);
        ::close(report_fd);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
        }
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(sup.c_str(), argv.data());
        // Without the small supervisor, this process keeps the container instead.
        auto network = make_runtime(prep, net_io, pid);
        SuperviseOptions o;
        o.network = network.get();
        o.pid = pid;
        o.out_fd = io.out_r.get();
        o.err_fd = io.err_r ? io.err_r.get() : -1;
        o.in_fd = io.in_w ? io.in_w.get() : -1;
        o.attach_in_fd = attach_fd.get();
        o.log_path = log_file(ContainerStore(store), cfg);
        o.timeout_s = cfg.timeout;
        int code = supervise(o);
        network.reset();  // the ports are free before the exit is on record
        record_exit(store, cfg.id, pid, code);
        if (cfg.remove) remove_if_auto(store, cfg.id);
        ::_exit(0);
    } catch (const Error& e) {
        write_msg(report_fd, e.exit_code(), e.what());
        ::_exit(e.exit_code());
    } catch (const std::exception& e) {
        write_msg(report_fd, kExitEngine, e.what());
        ::_exit(kExitEngine);
    }
}

bool wait_pid_gone(pid_t pid, uint64_t start, int timeout_ms) {
    int pfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pfd < 0) return !storage::process_alive(pid, start);
    UniqueFd owner(pfd);
    // The pidfd refers to whatever has that pid now: make sure it is still the container.
    if (!storage::process_alive(pid, start)) return true;
    struct pollfd p {pfd, POLLIN, 0};
    int r;
    do r = ::poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    return r > 0;
}

// After the container's pid 1 is gone: wait while its supervisor records the exit (on a loaded
// machine that can take seconds; reading the state before would report exit code 0), and record
// it ourselves when the supervisor is gone too. A new pid means the supervisor restarted it.
void settle_exit(storage::Store& store, const ContainerConfig& cfg, int assumed_code) {
    ContainerStore containers(store);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::optional<pid_t> dead_pid;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!containers.config(cfg.id)) return;  // a --rm container went with its exit
        ContainerState st;
        try {
            st = containers.raw_state(cfg.id);
        } catch (const Error&) {
            if (!containers.config(cfg.id)) return;
            throw;
        }
        if (st.status != Status::running && st.status != Status::stopping) return;
        if (!dead_pid) dead_pid = st.pid;
        if (st.pid != *dead_pid) return;  // restarted
        if (!storage::process_alive(st.supervisor_pid, st.supervisor_start)) {
            auto lock = containers.lock(cfg.id);
            if (!containers.config(cfg.id)) return;
            st = containers.raw_state(cfg.id);
            if (st.status != Status::running && st.status != Status::stopping) return;
            st.status = Status::exited;
            st.exit_code = assumed_code;
            st.exit_known = false;
            st.finished_at = now_ns();
            containers.put_state(cfg.id, st);
            container_event(store, cfg, "died", assumed_code);
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

// Podman's "stopping": recorded under the container's lock, which is then released for the wait,
// so inspect, ps and kill answer meanwhile.
void mark_stopping(ContainerStore& containers, const std::string& id, pid_t pid) {
    auto lock = containers.lock(id);
    if (!containers.config(id)) return;
    ContainerState st = containers.raw_state(id);
    if (st.status != Status::running || st.pid != pid || !storage::process_alive(st.pid, st.pid_start)) return;
    st.status = Status::stopping;
    containers.put_state(id, st);
}

}  // namespace

std::string log_file(const ContainerStore& containers, const ContainerConfig& cfg) {
    if (cfg.log_driver == "none" || cfg.log_driver == "journald" || cfg.log_driver == "passthrough") return "";
    return cfg.log_path.empty() ? containers.log_path(cfg.id) : cfg.log_path;
}

int start_container(storage::Store& store, const ContainerConfig& cfg, const StartOptions& opts) {
    ContainerStore containers(store);
    auto lock = containers.lock(cfg.id);
    ContainerState st = containers.state(cfg.id);
    if (st.status == Status::running) throw Error("container " + cfg.id + " is already running");
    PreparedContainer prep = prepare_container(store, cfg);
    first_use_of_volumes(store, cfg, prep);
    prep.spec.preserve_fds = opts.preserve_fds;
    NetworkIo net_io = make_network_io(cfg, prep);

    if (!opts.attach) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe");
        UniqueFd rd(p[0]), wr(p[1]);
        std::fflush(nullptr);
        pid_t pid = ::fork();
        if (pid < 0) throw_errno("fork");
        if (pid == 0) {
            rd.reset();
            detached_supervisor(store, cfg, prep, net_io, wr.release());
        }
        wr.reset();
        std::string msg = read_to_end(rd.get());
        // The supervisor forked again? No: it exec'd; reap nothing here, it is not our child
        // after setsid... it still is: leave it to init by not waiting (it outlives us).
        auto sp = msg.find(' ');
        int code = sp == std::string::npos ? kExitEngine : std::atoi(msg.substr(0, sp).c_str());
        if (code != 0 || sp == std::string::npos)
            throw Error(sp == std::string::npos ? "the supervisor died while starting the container" : msg.substr(sp + 1),
                        code);
        return 0;
    }

    // Attached: this process supervises. Signals meant for the container wait in the mask until
    // the loop forwards them.
    sigset_t mask, old;
    sigemptyset(&mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH, SIGPIPE}) sigaddset(&mask, s);
    ::sigprocmask(SIG_BLOCK, &mask, &old);
    struct RestoreMask {
        sigset_t m;
        ~RestoreMask() { ::sigprocmask(SIG_SETMASK, &m, nullptr); }
    } restore{old};

    Stdio io = make_stdio(cfg, opts.interactive);
    auto proc = launch(store, cfg, prep, io, net_io);
    std::unique_ptr<net::NetworkRuntime> network;
    try {
        network = make_runtime(prep, net_io, proc.pid());
    } catch (const Error&) {
        pid_t pid = proc.pid();
        proc = rootless::ContainerProcess();  // killed and reaped
        lock.release();
        record_exit(store, cfg.id, pid, kExitEngine);
        throw;
    }
    lock.release();
    io.out_w.reset();
    io.err_w.reset();
    io.in_r.reset();
    SuperviseOptions o;
    o.pid = proc.pid();
    o.out_fd = io.out_r.get();
    o.err_fd = io.err_r ? io.err_r.get() : -1;
    o.in_fd = cfg.tty ? io.out_r.get() : (io.in_w ? io.in_w.get() : -1);
    o.attach = true;
    o.relay_stdin = opts.interactive;
    o.tty = cfg.tty;
    o.sig_proxy = opts.sig_proxy;
    o.log_path = log_file(containers, cfg);
    o.attach_stdout = opts.attach_stdout;
    o.attach_stderr = opts.attach_stderr;
    o.network = network.get();
    o.timeout_s = cfg.timeout;
    int code;
    {
        std::optional<RawTerminal> raw;
        if (cfg.tty && opts.interactive) raw.emplace(0);
        code = supervise(o);
    }
    network.reset();  // the ports are free before the exit is on record
    pid_t pid = proc.release();
    (void)io.out_r.release();  // closed by supervise
    (void)io.err_r.release();
    (void)io.in_w.release();
    record_exit(store, cfg.id, pid, code);
    if (cfg.remove) remove_if_auto(store, cfg.id);
    return code;
}

void record_exit(storage::Store& store, const std::string& id, pid_t pid, int exit_code) {
    ContainerStore containers(store);
    if (!containers.config(id)) return;
    auto lock = containers.lock(id);
    if (!containers.config(id)) return;  // removed while we waited
    ContainerState st = containers.raw_state(id);
    if (st.pid != pid) return;
    st.status = Status::exited;
    st.exit_code = exit_code;
    st.exit_known = true;
    st.finished_at = now_ns();
    containers.put_state(id, st);
    if (auto cfg = containers.config(id)) container_event(store, *cfg, "died", exit_code);
}

void remove_if_auto(storage::Store& store, const std::string& id) {
    ContainerStore containers(store);
    auto cfg = containers.config(id);
    if (!cfg || !cfg->remove) return;
    auto lock = containers.lock(id);
    if (!containers.config(id)) return;
    ContainerState st = containers.state(id);
    if (st.status == Status::running) return;  // restarted meanwhile
    containers.remove(id);
    container_event(store, *cfg, "remove");
    lock.release();
    // Podman's --rm takes the container's anonymous volumes with it.
    storage::VolumeStore vs(store);
    for (const auto& m : cfg->mounts)
        if (m.type == "volume")
            if (auto v = vs.get(m.source); v && v->anonymous && vs.users(m.source).empty()) vs.remove(m.source);
}

namespace {

// The signal alone (stop sends its own without a "kill" event).
void deliver_signal(const ContainerStore& containers, const ContainerConfig& cfg, int sig) {
    ContainerState st = containers.state(cfg.id);
    if (st.status != Status::running && st.status != Status::stopping)
        throw Error("can only kill running containers. " + cfg.id + " is in state " + storage::status_name(st.status) +
                    ": container state improper");
    int pfd = static_cast<int>(::syscall(SYS_pidfd_open, st.pid, 0));
    UniqueFd owner(pfd >= 0 ? pfd : -1);
    if (!storage::process_alive(st.pid, st.pid_start)) return;
    int rc = pfd >= 0 ? static_cast<int>(::syscall(SYS_pidfd_send_signal, pfd, sig, nullptr, 0)) : ::kill(st.pid, sig);
    if (rc < 0 && errno != ESRCH) throw_errno("send signal " + std::to_string(sig) + " to container " + cfg.id);
}

}  // namespace

void kill_container(storage::Store& store, const ContainerConfig& cfg, int sig) {
    deliver_signal(ContainerStore(store), cfg, sig);
    container_event(store, cfg, "kill");
}

void stop_container(storage::Store& store, const ContainerConfig& cfg, unsigned timeout) {
    ContainerStore containers(store);
    ContainerState st = containers.state(cfg.id);
    if (st.status != Status::running && st.status != Status::stopping) return;
    mark_stopping(containers, cfg.id, st.pid);
    int code = 137;
    if (timeout > 0) {
        int sig = parse_signal(cfg.stop_signal.empty() ? "SIGTERM" : cfg.stop_signal);
        try {
            deliver_signal(containers, cfg, sig);
        } catch (const Error&) {
            return;  // it exited meanwhile
        }
        if (wait_pid_gone(st.pid, st.pid_start, static_cast<int>(timeout) * 1000))
            code = 128 + sig;
        else
            log::warn("StopSignal " + cfg.stop_signal + " failed to stop container " + cfg.name + " in " +
                      std::to_string(timeout) + " seconds, resorting to SIGKILL");
    }
    if (storage::process_alive(st.pid, st.pid_start)) {
        try {
            deliver_signal(containers, cfg, SIGKILL);
        } catch (const Error&) {
        }
        wait_pid_gone(st.pid, st.pid_start, 10000);
    }
    settle_exit(store, cfg, code);
    container_event(store, cfg, "stop");
}

int wait_container(storage::Store& store, const ContainerConfig& cfg, const WaitOptions& opts) {
    ContainerStore containers(store);
    bool for_exit = opts.conditions.empty();
    std::vector<Status> wanted;
    for (const auto& c : opts.conditions) {
        if (c == "exited" || c == "stopped") for_exit = true;
        else if (c == "created" || c == "configured") wanted.push_back(Status::created);
        else if (c == "running") wanted.push_back(Status::running);
        else if (c == "stopping") wanted.push_back(Status::stopping);
        else if (c == "removing") wanted.push_back(Status::removing);
        else if (c == "unknown") wanted.push_back(Status::unknown);
        // "paused": burrow never pauses (cgroup v1 rootless), so it never holds
    }
    int interval = std::max(1, static_cast<int>(opts.interval_ms));
    for (;;) {
        if (!containers.config(cfg.id)) throw Error("no such container " + cfg.id);
        ContainerState st = containers.state(cfg.id);
        if (for_exit && st.status == Status::exited && !st.exit_known) {
            // The pid is gone but its exit is not recorded yet (or its supervisor died): read
            // the code the supervisor records, not the liveness check's guess.
            settle_exit(store, cfg, 137);
            if (!containers.config(cfg.id)) throw Error("no such container " + cfg.id);
            st = containers.state(cfg.id);
        }
        if (std::find(wanted.begin(), wanted.end(), st.status) != wanted.end()) return -1;
        // A container that never ran (or failed to start) has nothing to wait for, as in Podman.
        if (for_exit && (st.status == Status::exited || st.status == Status::created)) return st.exit_code;
        if (for_exit && (st.status == Status::running || st.status == Status::stopping)) {
            wait_pid_gone(st.pid, st.pid_start, wanted.empty() ? 1000 : interval);
            settle_exit(store, cfg, 137);
            continue;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(interval));
    }
}

void remove_container(storage::Store& store, const ContainerConfig& cfg, bool force, unsigned timeout) {
    ContainerStore containers(store);
    ContainerState st = containers.state(cfg.id);
    if (st.status == Status::running || st.status == Status::stopping) {
        if (!force)
            throw Error("cannot remove container " + cfg.id +
                            " as it is running - running or paused containers cannot be removed without force: "
                            "container state improper",
                        2);
        stop_container(store, cfg, timeout);
    }
    auto lock = containers.lock(cfg.id);
    if (!containers.config(cfg.id)) return;  // removed by someone else meanwhile
    st = containers.state(cfg.id);
    if (st.status == Status::running) throw Error("container " + cfg.id + " was started again while being removed", 2);
    containers.remove(cfg.id);
    container_event(store, cfg, "remove");
}

}  // namespace burrow::engine
