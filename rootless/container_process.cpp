// clone -> maps -> mounts -> credentials -> exec. The child side runs between clone and execve of
// a process that may have had threads, so it makes raw syscalls only, on data the parent built.
#include "rootless/container_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <termios.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fd_passing.hpp"
#include "base/fs.hpp"
#include "rootless/caps.hpp"
#include "rootless/userns.hpp"

namespace burrow::rootless {

ContainerProcess::ContainerProcess(ContainerProcess&& o) noexcept : pid_(o.pid_), status_fd_(o.status_fd_) {
    o.pid_ = -1;
    o.status_fd_ = -1;
}

ContainerProcess& ContainerProcess::operator=(ContainerProcess&& o) noexcept {
    if (this != &o) {
        this->~ContainerProcess();
        pid_ = o.pid_;
        status_fd_ = o.status_fd_;
        o.pid_ = -1;
        o.status_fd_ = -1;
    }
    return *this;
}

ContainerProcess::~ContainerProcess() {
    if (status_fd_ >= 0) ::close(status_fd_);
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int st;
        while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
        }
    }
}

pid_t ContainerProcess::release() {
    pid_t p = pid_;
    pid_ = -1;
    return p;
}

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Everything the child touches, laid out before the clone.
struct ChildArgs {
    const ProcessSpec* spec = nullptr;
    std::vector<char*> argv, envp, fuse_argv;
    const char* path_list = kDefaultPath;
    int status_w = -1;
    int go_r = -1;
    int last_cap = 40;
    std::vector<gid_t> groups;
};

[[noreturn]] void fail(const ChildArgs& a, Step step, int err, size_t index = 0) {
    StartFailure f{step, err, index};
    (void)!::write(a.status_w, &f, sizeof f);
    ::_exit(125);
}

bool bring_up_loopback() {
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    struct ifreq ifr;
    ::memset(&ifr, 0, sizeof ifr);
    ::memcpy(ifr.ifr_name, "lo", 3);
    bool ok = ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    if (ok) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        ok = ::ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    }
    ::close(s);
    return ok;
}

// mkdir -p of an absolute path, in a fixed buffer (no allocation).
int mkdir_parents(const char* path) {
    char buf[4096];
    size_t n = ::strlen(path);
    if (n >= sizeof buf) return ENAMETOOLONG;
    ::memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; ++i) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char c = buf[i];
        buf[i] = '\0';
        if (::mkdir(buf, 0755) < 0 && errno != EEXIST) return errno;
        buf[i] = c;
    }
    return 0;
}

// PATH search as execvp does it, but telling "not found" from "found but not executable".
[[noreturn]] void exec_command(const ChildArgs& a) {
    const char* name = a.argv[0];
    if (::strchr(name, '/')) {
        ::execve(name, a.argv.data(), a.envp.data());
        int e = errno;
        fail(a, (e == ENOENT || e == ENOTDIR) ? Step::exec_not_found : (e == EACCES || e == ENOEXEC || e == EPERM) ? Step::exec_denied : Step::exec_other, e);
    }
    char buf[4096];
    size_t name_len = ::strlen(name);
    bool denied = false;
    int denied_err = EACCES;
    for (const char* p = a.path_list;;) {
        const char* end = ::strchrnul(p, ':');
        size_t dir_len = static_cast<size_t>(end - p);
        if (dir_len == 0) {
            buf[0] = '.';
            dir_len = 1;
        } else if (dir_len + name_len + 2 <= sizeof buf) {
            ::memcpy(buf, p, dir_len);
        } else {
            dir_len = 0;
        }
        if (dir_len > 0 && dir_len + name_len + 2 <= sizeof buf) {
            buf[dir_len] = '/';
            ::memcpy(buf + dir_len + 1, name, name_len + 1);
            ::execve(buf, a.argv.data(), a.envp.data());
            if (errno == EACCES || errno == ENOEXEC || errno == EPERM) {
                struct stat st;
                // A directory of that name is not a candidate, as Go's LookPath sees it.
                if (::stat(buf, &st) == 0 && !S_ISDIR(st.st_mode)) {
                    denied = true;
                    denied_err = errno;
                }
            } else if (errno != ENOENT && errno != ENOTDIR) {
                fail(a, Step::exec_other, errno);
            }
        }
        if (*end == '\0') break;
        p = end + 1;
    }
    fail(a, denied ? Step::exec_denied : Step::exec_not_found, denied ? denied_err : ENOENT);
}

volatile pid_t g_init_child = 0;

void forward_signal(int sig) {
    if (g_init_child > 0) ::kill(g_init_child, sig);
}

// --init: pid 1 stays this small loop; the command runs as its child.
void run_init_or_continue(const ChildArgs& a) {
    pid_t child = ::fork();
    if (child < 0) fail(a, Step::fork_init, errno);
    if (child == 0) return;  // the command
    ::close(a.status_w);
    g_init_child = child;
    struct sigaction sa;
    ::memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD) continue;
        ::sigaction(sig, &sa, nullptr);
    }
    for (;;) {
        int st = 0;
        pid_t p = ::waitpid(-1, &st, 0);
        if (p < 0) {
            if (errno == EINTR) continue;
            ::_exit(0);
        }
        if (p != child) continue;
        if (WIFEXITED(st)) ::_exit(WEXITSTATUS(st));
        if (WIFSIGNALED(st)) ::_exit(128 + WTERMSIG(st));
    }
}

int set_caps(uint64_t eff, uint64_t perm) {
    struct __user_cap_header_struct hdr;
    hdr.version = _LINUX_CAPABILITY_VERSION_3;
    hdr.pid = 0;
    struct __user_cap_data_struct data[2];
    ::memset(data, 0, sizeof data);
    data[0].effective = static_cast<uint32_t>(eff);
    data[1].effective = static_cast<uint32_t>(eff >> 32);
    data[0].permitted = static_cast<uint32_t>(perm);
    data[1].permitted = static_cast<uint32_t>(perm >> 32);
    return static_cast<int>(::syscall(SYS_capset, &hdr, data));
}

// A pty from the container's devpts: the master goes to the parent, the slave is returned.
int open_console(const ChildArgs& a) {
    const ProcessSpec& s = *a.spec;
    int m = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) fail(a, Step::stdio, errno);
    int unlock = 0;
    if (::ioctl(m, TIOCSPTLCK, &unlock) < 0) fail(a, Step::stdio, errno);
    struct winsize ws;
    ::memset(&ws, 0, sizeof ws);
    ws.ws_row = s.rows;
    ws.ws_col = s.cols;
    ::ioctl(m, TIOCSWINSZ, &ws);
    int slave = ::ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) fail(a, Step::stdio, errno);
    if (int e = send_fd(s.console_socket, m)) fail(a, Step::stdio, e);
    ::close(m);
    ::close(s.console_socket);
    return slave;
}

// Steps shared by a container's first process and an exec'd one: limits, working directory,
// stdio, credentials, seccomp, exec.
[[noreturn]] void finish_and_exec(const ChildArgs& a) {
    const ProcessSpec& s = *a.spec;
    // 4. limits, umask, working directory (created if the image lacks it, as runc does)
    for (const auto& r : s.rlimits) {
        struct rlimit rl {r.soft, r.hard};
        if (::setrlimit(r.resource, &rl) < 0) fail(a, Step::rlimits, errno);
    }
    ::umask(s.umask);
    if (::chdir(s.workdir.c_str()) < 0) {
        if (errno != ENOENT || !s.create_workdir) fail(a, Step::workdir, errno);
        if (int e = mkdir_parents(s.workdir.c_str())) fail(a, Step::workdir, e);
        if (::chdir(s.workdir.c_str()) < 0) fail(a, Step::workdir, errno);
    }

    // 5. stdio and session
    int fds[3] = {s.stdin_fd, s.stdout_fd, s.stderr_fd};
    if (s.tty && s.console_socket >= 0) {
        int slave = open_console(a);
        fds[0] = fds[1] = fds[2] = slave;
    }
    if (fds[0] < 0 && (fds[0] = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) fail(a, Step::stdio, errno);
    for (int i = 0; i < 3; ++i) {
        if (fds[i] < 0) continue;
        // Move sources out of 0..2 first so one dup2 cannot clobber another's source.
        if (fds[i] <= 2) {
            int hi = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
            if (hi < 0) fail(a, Step::stdio, errno);
            fds[i] = hi;
        }
    }
    if (s.extra_fd >= 0 && s.extra_fd != 3) {
        int hi = ::fcntl(s.extra_fd, F_DUPFD_CLOEXEC, 10);
        if (hi < 0 || ::dup2(hi, 3) < 0) fail(a, Step::stdio, errno);
    } else if (s.extra_fd == 3) {
        ::fcntl(3, F_SETFD, 0);
    }
    for (int i = 0; i < 3; ++i)
        if (fds[i] >= 0 && ::dup2(fds[i], i) < 0) fail(a, Step::stdio, errno);
    ::setsid();
    if (s.tty && ::ioctl(0, TIOCSCTTY, 0) < 0) fail(a, Step::stdio, errno);
    // Nothing of the caller's leaks into the container beyond stdio (and fd 3 when passed, or
    // the --preserve-fds ones, which lose close-on-exec).
    for (unsigned fd = 3; fd < 3 + s.preserve_fds; ++fd) ::fcntl(static_cast<int>(fd), F_SETFD, 0);
    ::syscall(SYS_close_range, s.extra_fd >= 0 ? 4U : 3U + s.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);

    // 6. credentials: bounding set, (seccomp while we still may), ids, capabilities
    for (int cap = 0; cap <= a.last_cap; ++cap)
        if (!(s.caps & (1ULL << cap)) && ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            fail(a, Step::caps, errno);
    bool seccomp_done = false;
    if (!s.no_new_privs && !s.seccomp.filter.empty()) {
        if (int e = install_seccomp(s.seccomp)) fail(a, Step::seccomp, e);
        seccomp_done = true;
    }
    if (s.set_groups && ::setgroups(a.groups.size(), a.groups.data()) < 0) fail(a, Step::groups, errno);
    if (::setresgid(s.gid, s.gid, s.gid) < 0) fail(a, Step::setgid, errno);
    ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
    if (::setresuid(s.uid, s.uid, s.uid) < 0) fail(a, Step::setuid, errno);
    uint64_t held = s.uid == 0 ? s.caps : 0;
    if (set_caps(held, held) < 0) fail(a, Step::caps, errno);
    ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    if (s.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(a, Step::no_new_privs, errno);
    if (!seccomp_done && !s.seccomp.filter.empty())
        if (int e = install_seccomp(s.seccomp)) fail(a, Step::seccomp, e);

    // 7. the command (behind a minimal init when asked)
    if (s.init) run_init_or_continue(a);
    exec_command(a);
}

// Runs fuse-overlayfs in the container's namespaces; it daemonizes once the rootfs is mounted.
// Returns 0 or an errno-like code (EIO when it exited non-zero).
int run_fuse(const ChildArgs& a) {
    if (a.fuse_argv.size() < 2) return ENOENT;
    pid_t pid = ::fork();
    if (pid < 0) return errno;
    if (pid == 0) {
        // The daemon outlives this call: it must not hold the caller's pipes open.
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) ::dup2(devnull, 0), ::dup2(devnull, 1), ::dup2(devnull, 2);
        ::execve(a.fuse_argv[0], a.fuse_argv.data(), a.envp.data());
        ::_exit(127);
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return errno;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    return WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ENOENT : EIO;
}

[[noreturn]] void child_main(const ChildArgs& a) {
    const ProcessSpec& s = *a.spec;
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl;
    ::memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);

    // 1. wait until the parent has written our id maps
    char go = 0;
    ssize_t n;
    do n = ::read(a.go_r, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) fail(a, Step::wait_maps, n < 0 ? errno : EPIPE);
    ::close(a.go_r);

    // 2. hostname and loopback in the new uts and net namespaces
    if (s.new_uts && !s.hostname.empty() && ::sethostname(s.hostname.c_str(), s.hostname.size()) < 0)
        fail(a, Step::hostname, errno);
    if (s.new_net && !bring_up_loopback()) fail(a, Step::loopback, errno);
    if (s.new_net && s.tap_socket >= 0) {
        net::TapStep failed_step = net::TapStep::open_tun;
        int tap = net::create_tap(s.tap, &failed_step);
        if (tap < 0) fail(a, Step::network, -tap, static_cast<size_t>(failed_step));
        if (int e = send_fd(s.tap_socket, tap)) fail(a, Step::network, e, 0);
        ::close(tap);
        ::close(s.tap_socket);
    }

    // 3. the mount tree
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) fail(a, Step::mount_private, errno);
    if (!s.lower_base.empty() && ::chdir(s.lower_base.c_str()) < 0) fail(a, Step::mounts, errno);
    size_t failed = 0;
    if (s.force_fuse) {
        if (int e = run_fuse(a)) fail(a, Step::fuse, e);
        if (int e = execute_mount_plan(s.mounts_after_rootfs, &failed)) fail(a, Step::mounts, e, failed + 1);
    } else if (int e = execute_mount_plan(s.mounts, &failed)) {
        // Native overlay refused (an old kernel, a filesystem it cannot stack on): fuse-overlayfs.
        if (failed != 0 || a.fuse_argv.size() < 2) fail(a, Step::mounts, e, failed);
        if (int fe = run_fuse(a)) fail(a, Step::fuse, fe);
        if (int e2 = execute_mount_plan(s.mounts_after_rootfs, &failed)) fail(a, Step::mounts, e2, failed + 1);
    }

    finish_and_exec(a);
}

int child_entry(const ChildArgs& a) { child_main(a); }

// The container process inside an existing user namespace: a helper joins it (setns needs a
// single-threaded caller, and the caller must stay outside), then clones the container as a
// sibling (CLONE_PARENT), so that it is still our child. Returns its pid, or -1 with errno.
long clone_in_userns(const ChildArgs& a, int userns_fd, unsigned long flags) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return -1;
    pid_t helper = ::fork();
    if (helper < 0) {
        int e = errno;
        ::close(p[0]), ::close(p[1]);
        errno = e;
        return -1;
    }
    if (helper == 0) {
        ::close(p[0]);
        long r = -1;
        if (::setns(userns_fd, CLONE_NEWUSER) == 0) {
            r = ::syscall(SYS_clone, flags | CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr, 0);
            if (r == 0) ::_exit(child_entry(a));
        }
        long msg[2] = {r, r < 0 ? errno : 0};
        (void)!::write(p[1], msg, sizeof msg);
        ::_exit(0);
    }
    ::close(p[1]);
    long msg[2] = {-1, EPIPE};
    ssize_t n;
    do n = ::read(p[0], msg, sizeof msg);
    while (n < 0 && errno == EINTR);
    ::close(p[0]);
    int st;
    while (::waitpid(helper, &st, 0) < 0 && errno == EINTR) {
    }
    if (n != sizeof msg) msg[0] = -1, msg[1] = EPIPE;
    if (msg[0] < 0) errno = static_cast<int>(msg[1]);
    return msg[0];
}

// exec: join the namespaces (user first: it grants the rights to join the others), then fork
// once more so the command is inside the pid namespace; this process mirrors its exit.
[[noreturn]] void exec_joiner(const ChildArgs& a, const int* ns_fds, const int* ns_types, int n_ns) {
    for (int i = 0; i < n_ns; ++i)
        if (ns_fds[i] >= 0 && ::setns(ns_fds[i], ns_types[i]) < 0) fail(a, Step::join, errno, static_cast<size_t>(i));
    for (int i = 0; i < n_ns; ++i)
        if (ns_fds[i] >= 0) ::close(ns_fds[i]);
    pid_t child = ::fork();
    if (child < 0) fail(a, Step::join, errno);
    if (child == 0) finish_and_exec(a);
    // This process only waits and forwards signals from now on: it keeps no descriptor of the
    // caller's (a detached session's caller reading our stdout through a pipe must see EOF).
    ::syscall(SYS_close_range, 0U, ~0U, 0U);
    // Signals sent to this process are meant for the command.
    g_init_child = child;
    struct sigaction sa;
    ::memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT})
        ::sigaction(sig, &sa, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (;;) {
        int st = 0;
        if (::waitpid(child, &st, 0) < 0) {
            if (errno == EINTR) continue;
            ::_exit(255);
        }
        if (WIFEXITED(st)) ::_exit(WEXITSTATUS(st));
        if (WIFSIGNALED(st)) ::_exit(128 + WTERMSIG(st));
    }
}

}  // namespace

namespace {

void prepare_args(ChildArgs& a, const ProcessSpec& spec) {
    a.spec = &spec;
    for (auto& x : spec.argv) a.argv.push_back(const_cast<char*>(x.c_str()));
    a.argv.push_back(nullptr);
    for (auto& e : spec.env) {
        a.envp.push_back(const_cast<char*>(e.c_str()));
        if (e.rfind("PATH=", 0) == 0) a.path_list = e.c_str() + 5;
    }
    a.envp.push_back(nullptr);
    a.last_cap = last_cap();
    for (auto g : spec.groups) a.groups.push_back(g);
    for (auto& x : spec.fuse_argv) a.fuse_argv.push_back(const_cast<char*>(x.c_str()));
    a.fuse_argv.push_back(nullptr);
}

// Reads the child's StartFailure; false on EOF (it exec'd).
bool read_failure(int fd, StartFailure& f) {
    size_t got = 0;
    while (got < sizeof f) {
        ssize_t n = ::read(fd, reinterpret_cast<char*>(&f) + got, sizeof f - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    if (got == 0) return false;
    if (got != sizeof f) throw Error("the container process died while starting");
    return true;
}

}  // namespace

ContainerProcess start_exec_process(const ProcessSpec& spec, pid_t target) {
    if (spec.argv.empty()) throw Error("must provide a non-empty command to start an exec session: invalid argument");
    ChildArgs a;
    prepare_args(a, spec);
    static const std::pair<const char*, int> kinds[] = {
        {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
        {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}};
    int fds[7], types[7];
    std::vector<UniqueFd> owners;
    std::string self_prefix = "/proc/self/ns/";
    for (int i = 0; i < 7; ++i) {
        std::string path = "/proc/" + std::to_string(target) + "/ns/" + kinds[i].first;
        types[i] = kinds[i].second;
        // Namespaces the container shares with us (e.g. --network host) are not joined.
        struct stat mine {}, theirs {};
        if (::stat((self_prefix + kinds[i].first).c_str(), &mine) == 0 && ::stat(path.c_str(), &theirs) == 0 &&
            mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev) {
            fds[i] = -1;
            continue;
        }
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (i == 6) {  // no cgroup namespace support is fine
                fds[i] = -1;
                continue;
            }
            throw_errno("open `" + path + "`");
        }
        owners.emplace_back(fd);
        fds[i] = fd;
    }
    int status_pipe[2];
    if (::pipe2(status_pipe, O_CLOEXEC) < 0) throw_errno("pipe");
    UniqueFd status_r(status_pipe[0]), status_w(status_pipe[1]);
    a.status_w = status_w.get();
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) exec_joiner(a, fds, types, 7);
    ContainerProcess proc(pid, -1);
    status_w.reset();
    StartFailure f;
    if (!read_failure(status_r.get(), f)) return proc;
    throw Error(describe_failure(f, spec), failure_exit_code(f));
}

int run_in_container_mounts(pid_t target, const std::function<int()>& fn) {
    UniqueFd user(::open(("/proc/" + std::to_string(target) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    UniqueFd mnt(::open(("/proc/" + std::to_string(target) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC));
    if (!user || !mnt) throw_errno("open the namespaces of pid " + std::to_string(target));
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe");
    UniqueFd rd(p[0]), wr(p[1]);
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        rd.reset();
        // The parent is single-threaded: ordinary code (allocation, exceptions) is fine here.
        int code = 125;
        try {
            if (::setns(user.get(), CLONE_NEWUSER) < 0) throw_errno("join the container's user namespace");
            if (::setns(mnt.get(), CLONE_NEWNS) < 0) throw_errno("join the container's mount namespace");
            code = fn();
        } catch (const Error& e) {
            std::string m = e.what();
            (void)!::write(wr.get(), m.data(), m.size());
            code = e.exit_code();
        } catch (const std::exception& e) {
            std::string m = e.what();
            (void)!::write(wr.get(), m.data(), m.size());
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    wr.reset();
    std::string msg = read_to_end(rd.get());
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) throw_errno("wait");
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : kExitEngine;
    if (!msg.empty()) throw Error(msg, code ? code : kExitEngine);
    return code;
}

int receive_console(int socket_fd) { return receive_fd(socket_fd, "receive the container's terminal"); }

std::string describe_failure(const StartFailure& f, const ProcessSpec& spec) {
    std::string err = std::strerror(f.err);
    std::string cmd = spec.argv.empty() ? "" : spec.argv[0];
    switch (f.step) {
    case Step::exec_not_found:
        // runc's wording, which Podman passes through and scripts match on
        if (cmd.find('/') != std::string::npos)
            return "unable to start container process: exec: \"" + cmd + "\": stat " + cmd +
                   ": no such file or directory: OCI runtime attempted to invoke a command that was not found";
        return "unable to start container process: exec: \"" + cmd +
               "\": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found";
    case Step::exec_denied:
        return "unable to start container process: exec: \"" + cmd + "\": permission denied: OCI permission denied";
    case Step::exec_other: return "exec `" + cmd + "`: " + err;
    case Step::mounts: {
        std::string what = f.mount_index < spec.mounts.size() ? spec.mounts[f.mount_index].what : "mount";
        return "set up the container's mounts: " + what + ": " + err;
    }
    case Step::wait_maps: return "container process: waiting for the id maps: " + err;
    case Step::hostname: return "sethostname `" + spec.hostname + "`: " + err;
    case Step::loopback: return "bring up the loopback interface: " + err;
    case Step::mount_private: return "make the mount tree private: " + err;
    case Step::rlimits: return "setrlimit: " + err;
    case Step::workdir:
        // Podman's words for a start (libpod resolveWorkDir)
        if (!spec.container_id.empty() && f.err == ENOENT)
            return "workdir \"" + spec.workdir + "\" does not exist on container " + spec.container_id;
        if (!spec.container_id.empty() && (f.err == ENOTDIR || f.err == EEXIST))
            return "workdir \"" + spec.workdir + "\" exists on container " + spec.container_id + ", but is not a directory";
        if (!spec.create_workdir && f.err == ENOENT)  // runc's words for exec -w, as Podman shows them
            return "unable to start container process: chdir to cwd (\"" + spec.workdir +
                   "\") set in config.json failed: no such file or directory: OCI runtime attempted to invoke a command "
                   "that was not found";
        return "chdir to `" + spec.workdir + "`: " + err;
    case Step::groups: return "setgroups: " + err;
    case Step::setgid: return "setgid " + std::to_string(spec.gid) + ": " + err;
    case Step::setuid: return "setuid " + std::to_string(spec.uid) + ": " + err;
    case Step::caps: return "set capabilities: " + err;
    case Step::no_new_privs: return "set no_new_privs: " + err;
    case Step::seccomp: return "install the seccomp filter: " + err;
    case Step::stdio: return "set up the container's stdio: " + err;
    case Step::fork_init: return "start the init process: " + err;
    case Step::join: return "join the container's namespaces: " + err;
    case Step::fuse:
        return "mount the rootfs with fuse-overlayfs: " + err +
               (f.err == ENOENT ? ": install fuse-overlayfs" : ": check that /dev/fuse is usable (mode 0666)");
    case Step::network: {
        auto ts = static_cast<net::TapStep>(f.mount_index);
        std::string what = f.mount_index ? net::tap_step_name(ts) : "send tap0 to the supervisor";
        std::string hint;
        if (ts == net::TapStep::open_tun && (f.err == EACCES || f.err == EPERM))
            hint = ": /dev/net/tun must be usable by your user (mode 0666), or run with --network none";
        else if (ts == net::TapStep::open_tun && f.err == ENOENT)
            hint = ": the kernel has no tun/tap device (modprobe tun), or run with --network none";
        return "set up the container's network: " + what + ": " + err + hint;
    }
    case Step::none: break;
    }
    return "container process failed: " + err;
}

int failure_exit_code(const StartFailure& f) {
    if (f.step == Step::exec_not_found || (f.step == Step::workdir && f.err == ENOENT)) return kExitNotFound;
    if (f.step == Step::exec_denied) return kExitCannotInvoke;
    return kExitEngine;
}

ContainerProcess start_container_process(const ProcessSpec& spec, const IdMapping& map) {
    if (spec.argv.empty()) throw Error("no command specified");
    ChildArgs a;
    prepare_args(a, spec);

    int status_pipe[2], go_pipe[2];
    if (::pipe2(status_pipe, O_CLOEXEC) < 0) throw_errno("pipe");
    UniqueFd status_r(status_pipe[0]), status_w(status_pipe[1]);
    if (::pipe2(go_pipe, O_CLOEXEC) < 0) throw_errno("pipe");
    UniqueFd go_r(go_pipe[0]), go_w(go_pipe[1]);
    a.status_w = status_w.get();
    a.go_r = go_r.get();

    unsigned long flags = CLONE_NEWNS | CLONE_NEWPID;
    if (spec.new_net) flags |= CLONE_NEWNET;
    if (spec.new_uts) flags |= CLONE_NEWUTS;
    if (spec.new_ipc) flags |= CLONE_NEWIPC;
    if (spec.new_cgroup) flags |= CLONE_NEWCGROUP;
    long pid;
    if (spec.join_userns >= 0) {
        pid = clone_in_userns(a, spec.join_userns, flags);
    } else {
        // A fork-like clone: the child continues on a copy of this stack.
        pid = ::syscall(SYS_clone, flags | CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, 0);
        if (pid == 0) ::_exit(child_entry(a));
    }
    if (pid < 0) {
        int e = errno;
        throw Error(std::string("cannot create the container's namespaces: clone: ") + std::strerror(e) +
                    ": check that unprivileged user namespaces are enabled (sysctl user.max_user_namespaces)");
    }

    ContainerProcess proc(static_cast<pid_t>(pid), -1);
    status_w.reset();
    go_r.reset();
    if (spec.join_userns < 0) write_id_maps(static_cast<pid_t>(pid), map);
    char g = 1;
    if (::write(go_w.get(), &g, 1) != 1) throw_errno("start the container process");
    go_w.reset();

    StartFailure f;
    if (!read_failure(status_r.get(), f)) return proc;  // EOF: execve succeeded
    throw Error(describe_failure(f, spec), failure_exit_code(f));
}

}  // namespace burrow::rootless
