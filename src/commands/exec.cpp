// `exec`: a process in a running container's namespaces, with the container's credentials.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "base/error.hpp"
#include "src/engine/events.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "rootless/caps.hpp"
#include "rootless/container_process.hpp"
#include "rootless/seccomp.hpp"
#include "rootless/userspec.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "src/engine/container_setup.hpp"
#include "src/engine/supervisor.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

extern char** environ;

namespace burrow::commands {

using cli::Context;

namespace {

// Podman's code for an exec session that could not be made (libpod's ExecErrorCodeGeneric).
constexpr int kExitExecGeneric = 255;

// -e/--env and --env-file on top of the container's environment (later wins).
std::vector<std::string> exec_env(const Context& ctx, const storage::ContainerConfig& cfg, bool tty) {
    std::vector<std::pair<std::string, std::string>> kv;
    auto set = [&](const std::string& k, const std::string& v) {
        for (auto& p : kv)
            if (p.first == k) {
                p.second = v;
                return;
            }
        kv.emplace_back(k, v);
    };
    auto add = [&](const std::string& e) {
        auto eq = e.find('=');
        if (eq == std::string::npos) {
            if (const char* v = std::getenv(e.c_str())) set(e, v);
            return;
        }
        set(e.substr(0, eq), e.substr(eq + 1));
    };
    for (const auto& e : cfg.env) add(e);
    if (tty) set("TERM", "xterm");
    for (const auto& file : ctx.flags.get_list("env-file")) {
        auto text = read_file_if_exists(file);
        if (!text) throw Error("parsing env file \"" + file + "\": open " + file + ": no such file or directory");
        for (auto line : split(*text, '\n')) {
            line = trim(line);
            if (line.empty() || line[0] == '#') continue;
            add(line);
        }
    }
    for (const auto& e : ctx.flags.get_list("env")) add(e);
    std::vector<std::string> out;
    for (auto& [k, v] : kv) out.push_back(k + "=" + v);
    return out;
}

int exec_cmd(Context& ctx) {
    bool last = ctx.flags.get_bool("latest");
    if (ctx.args.empty() && !last) throw Error("exec requires the name or ID of a container or the --latest flag");
    auto& store = ctx.store();
    auto cfg = last ? latest_container(store) : find_container(store, ctx.args[0]);
    if (last) ctx.args.insert(ctx.args.begin(), cfg.id);  // with --latest every argument is the command
    storage::ContainerStore containers(store);
    auto st = containers.state(cfg.id);
    if (st.status != storage::Status::running)
        throw Error("can only create exec sessions on running containers: container state improper", kExitExecGeneric);
    if (ctx.args.size() < 2)
        throw Error("must provide a non-empty command to start an exec session: invalid argument", kExitExecGeneric);
    bool tty = ctx.flags.get_bool("tty");
    bool interactive = ctx.flags.get_bool("interactive");
    bool detach = ctx.flags.get_bool("detach");
    bool privileged = ctx.flags.get_bool("privileged") || cfg.privileged;

    rootless::ProcessSpec spec;
    spec.argv.assign(ctx.args.begin() + 1, ctx.args.end());
    spec.preserve_fds = static_cast<unsigned>(ctx.flags.get_int("preserve-fds"));
    spec.env = exec_env(ctx, cfg, tty);
    spec.workdir = ctx.flags.changed("workdir") ? ctx.flags.get_string("workdir") : cfg.workdir;
    if (spec.workdir.empty()) spec.workdir.push_back('/');
    spec.create_workdir = false;

    std::string root = "/proc/" + std::to_string(st.pid) + "/root";
    if (ctx.flags.changed("user")) {
        rootless::ResolvedUser u;
        try {
            u = rootless::resolve_user(ctx.flags.get_string("user"), read_file_if_exists(root + "/etc/passwd"),
                                       read_file_if_exists(root + "/etc/group"));
        } catch (const Error& e) {
            throw Error(e.what(), kExitExecGeneric);
        }
        spec.uid = u.uid;
        spec.gid = u.gid;
        spec.groups = u.groups;
    } else {
        spec.uid = cfg.uid;
        spec.gid = cfg.gid;
        spec.groups = cfg.groups;
    }
    IdMapping map = engine::container_idmap(store, cfg);
    spec.set_groups = !map.single();
    spec.caps = rootless::resolve_caps(cfg.cap_add, cfg.cap_drop, privileged);
    spec.no_new_privs = cfg.no_new_privileges;
    if (!privileged && cfg.seccomp != "unconfined") {
        spec.seccomp = cfg.seccomp.empty()
                           ? rootless::default_seccomp_program(spec.caps, join_path(store.root(), "cache"))
                           : rootless::compile_seccomp(read_file(cfg.seccomp), spec.caps, cfg.seccomp);
    }

    engine::container_event(store, cfg, "exec");
    UniqueFd master, slave, devnull;
    if (detach) {
        devnull = UniqueFd(::open("/dev/null", O_RDWR | O_CLOEXEC));
        spec.stdin_fd = spec.stdout_fd = spec.stderr_fd = devnull.get();
    } else if (tty) {
        // The pty comes from the container's devpts: the process sends us the master.
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
        master = UniqueFd(sv[0]);
        slave = UniqueFd(sv[1]);
        struct winsize ws {24, 80, 0, 0};
        if (::isatty(0)) ::ioctl(0, TIOCGWINSZ, &ws);
        spec.console_socket = sv[1];
        spec.rows = ws.ws_row;
        spec.cols = ws.ws_col;
        spec.tty = true;
    } else {
        // Without a tty the process gets our own stdio: no copying in between.
        spec.stdin_fd = interactive ? 0 : -1;
        spec.stdout_fd = 1;
        spec.stderr_fd = 2;
    }

    std::fflush(nullptr);
    auto proc = rootless::start_exec_process(spec, st.pid);
    if (detach) {
        proc.release();
        std::printf("%s\n", random_hex(32).c_str());
        return 0;
    }
    if (tty) {
        slave.reset();
        master = UniqueFd(rootless::receive_console(master.get()));
        engine::SuperviseOptions o;
        o.pid = proc.release();
        o.out_fd = master.get();
        o.in_fd = master.get();
        o.attach = true;
        o.relay_stdin = interactive;
        o.tty = true;
        int code;
        {
            std::optional<engine::RawTerminal> raw;
            if (interactive) raw.emplace(0);
            code = engine::supervise(o);
        }
        (void)master.release();
        return code;
    }
    // Signals for the command reach the joiner process, which forwards them.
    pid_t pid = proc.release();
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw_errno("wait for the exec session");
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 125;
}

}  // namespace

void register_exec(cli::CommandTable& t) {
    cli::Command exec;
    exec.path = "exec";
    exec.use = "[options] CONTAINER [COMMAND [ARG...]]";
    exec.short_help = "Run a process in a running container";
    exec.long_help = "Execute the specified command inside a running container.";
    exec.examples = {"burrow exec -it ctrID ls", "burrow exec -it -w /tmp myCtr pwd", "burrow exec --user root ctrID ls"};
    exec.flags = {bool_flag("detach", 'd', "Run the exec session in detached mode (backgrounded)"),
                  string_flag("detach-keys", 0, "Select the key sequence for detaching a container. Format is a single character [a-Z] or ctrl-<value> where <value> is one of: a-z, @, ^, [, , or _", "ctrl-p,ctrl-q"),
                  list_flag("env", 'e', "Set environment variables"),
                  slice_flag("env-file", 0, "Read in a file of environment variables"),
                  bool_flag("interactive", 'i', "Keep STDIN open even if not attached"),
                  latest_flag(),
                  uint_flag("preserve-fds", 0, "Pass N additional file descriptors to the container"),
                  bool_flag("privileged", 0, "Give the process extended Linux capabilities inside the container.  The default is false"),
                  bool_flag("tty", 't', "Allocate a pseudo-TTY. The default is false"),
                  string_flag("user", 'u', "Sets the username or UID used and optionally the groupname or GID for the specified command"),
                  string_flag("workdir", 'w', "Working directory inside the container"),
                  help_flag()};
    exec.min_args = 0;  // Podman's own words for a missing container or command
    exec.interspersed = false;
    exec.handler = exec_cmd;
    t.add(exec);
    exec.path = "container exec";
    t.add(exec);
}

}  // namespace burrow::commands
