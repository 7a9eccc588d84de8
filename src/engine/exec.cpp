// exec: resolve the session's user and environment, share start's credentials path, then join the
// container's namespaces (rootless/container_process.hpp's start_exec_process).
#include "src/engine/exec.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "base/child_call.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "rootless/container_process.hpp"
#include "rootless/userspec.hpp"
#include "src/engine/container_setup.hpp"
#include "src/engine/events.hpp"
#include "src/engine/supervisor.hpp"
#include "storage/store.hpp"

namespace burrow::engine {

using storage::ContainerConfig;

namespace {

std::vector<std::string> env_file_lines(const std::vector<std::string>& files) {
    std::vector<std::string> out;
    for (const auto& file : files) {
        auto text = read_file_if_exists(file);
        if (!text) throw Error("parsing env file \"" + file + "\": open " + file + ": no such file or directory");
        for (auto line : split(*text, '\n')) {
            line = trim(line);
            if (!line.empty() && line[0] != '#') out.push_back(line);
        }
    }
    return out;
}

// The session's process: user, environment, working directory, credentials.
rootless::ProcessSpec exec_spec(storage::Store& store, const ContainerConfig& cfg, const ExecOptions& o, pid_t pid) {
    rootless::ProcessSpec spec;
    spec.argv = o.argv;
    spec.workdir = o.workdir ? *o.workdir : cfg.workdir;
    if (spec.workdir.empty()) spec.workdir.push_back('/');  // not = "/": GCC 12 -O3 warns (-Wrestrict)
    spec.create_workdir = false;

    uint32_t uid = cfg.uid, gid = cfg.gid;
    std::vector<uint32_t> groups = cfg.groups;
    std::string home = "/";
    if (o.user) {
        // The container's own files, resolved under its root (a symlink in it cannot reach ours).
        UniqueFd root(::open(("/proc/" + std::to_string(pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root) throw_errno("open the root of container " + cfg.id);
        rootless::ResolvedUser u;
        try {
            u = rootless::resolve_user(*o.user, read_file_in_root(root.get(), "/etc/passwd"),
                                       read_file_in_root(root.get(), "/etc/group"));
        } catch (const Error& e) {
            throw Error(e.what(), kExitExecGeneric);
        }
        uid = u.uid, gid = u.gid, groups = u.groups, home = u.home;
    }
    auto lookup = [](const std::string& k) -> std::optional<std::string> {
        const char* v = std::getenv(k.c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
    };
    spec.env = process_env(exec_env(cfg.env, o.tty, env_file_lines(o.env_files), o.env, lookup), o.tty, home);
    set_process_credentials(spec, store, cfg, container_idmap(store, cfg), uid, gid, groups,
                            o.privileged || cfg.privileged);
    spec.preserve_fds = o.preserve_fds;
    return spec;
}

int wait_exit(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw_errno("wait for the exec session");
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return kExitEngine;
}

// -d: a child of ours starts the session with nothing of the caller's (stdio on /dev/null, no other
// descriptor, its own session) and reports how the start went; the session's joiner outlives it.
void start_detached(rootless::ProcessSpec& spec, pid_t target) {
    call_in_child([&]() {
        ::setsid();
        UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
        if (!devnull) throw_errno("open /dev/null");
        for (int fd = 0; fd < 3; ++fd) ::dup2(devnull.get(), fd);
        spec.stdin_fd = spec.stdout_fd = spec.stderr_fd = devnull.get();
        auto proc = rootless::start_exec_process(spec, target);
        (void)proc.release();
        return 0;
    });
}

int run_with_tty(rootless::ProcessSpec& spec, pid_t target, bool interactive) {
    // The pty comes from the container's devpts: the process sends us the master.
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
    UniqueFd master(sv[0]), slave(sv[1]);
    struct winsize ws {24, 80, 0, 0};
    if (::isatty(0)) ::ioctl(0, TIOCGWINSZ, &ws);
    spec.console_socket = sv[1];
    spec.rows = ws.ws_row;
    spec.cols = ws.ws_col;
    spec.tty = true;
    std::fflush(nullptr);
    auto proc = rootless::start_exec_process(spec, target);
    slave.reset();
    master = UniqueFd(rootless::receive_console(master.get()));
    SuperviseOptions so;
    so.pid = proc.release();
    so.out_fd = master.get();
    so.in_fd = master.get();
    so.attach = true;
    so.relay_stdin = interactive;
    so.tty = true;
    int code;
    {
        std::optional<RawTerminal> raw;
        if (interactive) raw.emplace(0);
        code = supervise(so);
    }
    (void)master.release();  // closed by supervise
    return code;
}

}  // namespace

int exec_in_container(storage::Store& store, const ContainerConfig& cfg, const ExecOptions& o, std::string* session_id) {
    storage::ContainerStore containers(store);
    auto st = containers.state(cfg.id);
    if (st.status != storage::Status::running)
        throw Error("can only create exec sessions on running containers: container state improper", kExitExecGeneric);
    if (o.argv.empty())
        throw Error("must provide a non-empty command to start an exec session: invalid argument", kExitExecGeneric);
    rootless::ProcessSpec spec = exec_spec(store, cfg, o, st.pid);
    container_event(store, cfg, "exec");
    if (o.detach) {
        start_detached(spec, st.pid);
        if (session_id) *session_id = random_hex(32);
        return 0;
    }
    if (o.tty) return run_with_tty(spec, st.pid, o.interactive);
    // Without a tty the process gets our own stdio: no copying in between. Signals for the command
    // reach the joiner process, which forwards them.
    spec.stdin_fd = o.interactive ? 0 : -1;
    spec.stdout_fd = 1;
    spec.stderr_fd = 2;
    std::fflush(nullptr);
    auto proc = rootless::start_exec_process(spec, st.pid);
    return wait_exit(proc.release());
}

}  // namespace burrow::engine
