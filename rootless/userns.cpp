// fork + unshare(CLONE_NEWUSER) + handshake + exec of /proc/self/exe.
//
// Why not clone(CLONE_NEWUSER) straight away: unshare after fork keeps the code between fork and
// exec to a handful of raw syscalls that are safe in a child of a multi-threaded parent.
#include "rootless/userns.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"

extern char** environ;

namespace burrow::rootless {

Child& Child::operator=(Child&& o) noexcept {
    if (this != &o) {
        if (pid_ > 0) kill(SIGKILL), (void)wait();
        pid_ = o.pid_;
        o.pid_ = -1;
    }
    return *this;
}

Child::~Child() {
    if (pid_ > 0) {
        kill(SIGKILL);
        (void)wait();
    }
}

int Child::wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) {
            status = -1;
            break;
        }
    }
    pid_ = -1;
    return status;
}

void Child::kill(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
}

namespace {

std::string describe_status(int st) {
    if (WIFEXITED(st)) return "exit status " + std::to_string(WEXITSTATUS(st));
    if (WIFSIGNALED(st)) return std::string("killed by signal ") + ::strsignal(WTERMSIG(st));
    return "status " + std::to_string(st);
}


std::string first_line(const std::string& s) {
    auto t = s.substr(0, s.find('\n'));
    while (!t.empty() && (t.back() == '\r' || t.back() == ' ')) t.pop_back();
    return t;
}

// newuidmap/newgidmap PID triples...: started, then finished, so that both tools run at once.
struct MapTool {
    std::string tool, cmd;
    pid_t pid = -1;
    UniqueFd err;
};

MapTool start_map_tool(const char* tool, pid_t pid, const std::vector<IdMapEntry>& entries) {
    std::vector<std::string> args{tool, std::to_string(pid)};
    for (auto& a : format_map_args(entries)) args.push_back(std::move(a));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    Pipe err = make_pipe();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, err.write_end.get(), 2);
    pid_t tpid = -1;
    int rc = ::posix_spawnp(&tpid, tool, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    err.write_end.reset();
    if (rc != 0) {
        if (rc == ENOENT)
            throw Error(std::string(tool) + " not found: install the uidmap package (shadow-utils), or remove your "
                        "/etc/subuid and /etc/subgid entries to use a single id");
        throw SysError(std::string("run ") + tool, rc);
    }
    MapTool t;
    t.tool = tool;
    t.cmd = tool;
    for (size_t i = 1; i < args.size(); ++i) t.cmd += " " + args[i];
    t.pid = tpid;
    t.err = std::move(err.read_end);
    return t;
}

// Waits for the tool; throws with its stderr and the usual causes.
void finish_map_tool(MapTool& t) {
    std::string msg = first_line(read_to_end(t.err.get()));
    Child c(t.pid);
    t.pid = -1;
    int st = c.wait();
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return;
    throw Error("cannot set up the user namespace: `" + t.cmd + "` failed (" + (msg.empty() ? describe_status(st) : msg) +
                "): check /etc/subuid and /etc/subgid, and that " + t.tool + " is installed setuid root (or with file capabilities)");
}

void write_proc(pid_t pid, const char* file, const std::string& data) {
    std::string path = "/proc/" + std::to_string(pid) + "/" + file;
    UniqueFd fd = open_or_throw(path, O_WRONLY);
    if (::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()))
        throw_errno("write `" + path + "`");
}

// Child side. Only async-signal-safe calls: raw syscalls on prepared buffers, then execve or _exit.
[[noreturn]] void child_main(int ready_w, int go_r, pid_t parent, const std::vector<int>& pass_fds, int stderr_fd,
                             int fd_limit, char* const* argv, char* const* envp) {
    auto fail = [&](int err) {
        (void)!::write(ready_w, &err, sizeof err);
        ::_exit(127);
    };
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    // The helper must not outlive burrow (a killed pull must not leave it writing).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);

    if (::unshare(CLONE_NEWUSER) < 0) fail(errno);
    int ok = 0;
    if (::write(ready_w, &ok, sizeof ok) != sizeof ok) ::_exit(127);
    char go = 0;
    ssize_t n;
    do n = ::read(go_r, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) ::_exit(127);  // the parent could not write the maps

    // Move every fd we keep above the target range first, so dup2 into 3.. cannot clobber a
    // source that has not been moved yet.
    const int n_pass = static_cast<int>(pass_fds.size());
    const int base = 4 + n_pass;
    int moved[256];
    for (int i = 0; i < n_pass; ++i)
        if ((moved[i] = ::fcntl(pass_fds[i], F_DUPFD_CLOEXEC, base)) < 0) fail(errno);
    int ready_hi = ::fcntl(ready_w, F_DUPFD_CLOEXEC, base);
    if (ready_hi < 0) fail(errno);
    ready_w = ready_hi;
    int err_hi = -1;
    if (stderr_fd >= 0 && (err_hi = ::fcntl(stderr_fd, F_DUPFD_CLOEXEC, base)) < 0) fail(errno);
    for (int i = 0; i < n_pass; ++i)
        if (::dup2(moved[i], 3 + i) < 0) fail(errno);
    if (err_hi >= 0 && ::dup2(err_hi, 2) < 0) fail(errno);
    // The exec-error channel sits right after the passed fds and closes on exec.
    if (::dup3(ready_w, 3 + n_pass, O_CLOEXEC) < 0) fail(errno);
    ready_w = 3 + n_pass;
    if (::syscall(SYS_close_range, 4 + n_pass, ~0U, 0) < 0)
        for (int fd = 4 + n_pass; fd < fd_limit; ++fd) ::close(fd);
    ::execve("/proc/self/exe", argv, envp);
    fail(errno);
    ::_exit(127);
}

bool read_int(int fd, int& v) {
    size_t got = 0;
    auto* p = reinterpret_cast<char*>(&v);
    while (got < sizeof v) {
        ssize_t n = ::read(fd, p + got, sizeof v - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        got += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace

void write_id_maps(pid_t pid, const IdMapping& map) {
    bool helpers = !(map.uids.size() <= 1 && map.gids.size() <= 1);
    if (helpers) {
        MapTool u = start_map_tool("newuidmap", pid, map.uids);
        MapTool g;
        try {
            g = start_map_tool("newgidmap", pid, map.gids);
        } catch (...) {
            Child(u.pid).wait();
            throw;
        }
        try {
            finish_map_tool(u);
        } catch (...) {
            Child(g.pid).wait();
            throw;
        }
        finish_map_tool(g);
    } else {
        // Without newuidmap a process may map only its own ids, and gid_map needs setgroups denied first.
        write_proc(pid, "setgroups", "deny");
        write_proc(pid, "uid_map", format_proc_map(map.uids));
        write_proc(pid, "gid_map", format_proc_map(map.gids));
    }
}

Child spawn_in_userns(const IdMapping& map, const std::vector<std::string>& args, const std::vector<int>& pass_fds,
                      int stderr_fd) {
    if (pass_fds.size() > 200) throw Error("too many file descriptors for a helper process");
    // Everything the child needs is built before fork: it may not allocate.
    std::vector<std::string> argv_s{"burrow"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    struct rlimit rl {};
    int fd_limit = 65536;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536)
        fd_limit = static_cast<int>(rl.rlim_cur);

    Pipe ready = make_pipe();  // child -> parent: unshare result, then exec errno (EOF on success)
    Pipe go = make_pipe();     // parent -> child: maps written
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0)
        child_main(ready.write_end.get(), go.read_end.get(), parent, pass_fds, stderr_fd, fd_limit, argv.data(), environ);
    Child child(pid);
    ready.write_end.reset();
    go.read_end.reset();

    int code = 0;
    if (!read_int(ready.read_end.get(), code)) {
        int st = child.wait();
        throw Error("helper process died before entering its user namespace (" + describe_status(st) + ")");
    }
    if (code != 0)
        throw Error(std::string("cannot create a user namespace: unshare(CLONE_NEWUSER): ") + std::strerror(code) +
                    ": check that unprivileged user namespaces are enabled (sysctl user.max_user_namespaces, "
                    "kernel.unprivileged_userns_clone)");

    write_id_maps(pid, map);
    char g = 1;
    if (::write(go.write_end.get(), &g, 1) != 1) throw_errno("start helper process");
    go.write_end.reset();
    if (read_int(ready.read_end.get(), code))
        throw Error(std::string("cannot run helper: exec /proc/self/exe: ") + std::strerror(code));
    return child;
}

void run_in_userns(const IdMapping& map, const std::vector<std::string>& args) {
    Pipe err = make_pipe();
    Child c = spawn_in_userns(map, args, {}, err.write_end.get());
    err.write_end.reset();
    std::string text = read_to_end(err.read_end.get());
    int st = c.wait();
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return;
    std::string line = first_line(text);
    std::string what = args.empty() ? "helper" : "helper " + args[0];
    throw Error(line.empty() ? what + " failed: " + describe_status(st) : line);
}

}  // namespace burrow::rootless
