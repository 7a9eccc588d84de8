// start, stop, kill, restart, rm, wait, attach: one small handler each over engine/lifecycle.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "src/engine/container_log.hpp"
#include "src/engine/lifecycle.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"
#include "storage/volume_store.hpp"

namespace burrow::commands {

using cli::Context;
using storage::ContainerConfig;
using storage::Status;

namespace {

// The containers a command acts on: its arguments, or every container with --all.
std::vector<std::string> targets(Context& ctx, bool all_flag) {
    if (all_flag && ctx.flags.get_bool("all")) {
        std::vector<std::string> out;
        for (const auto& c : storage::ContainerStore(ctx.store()).list()) out.push_back(c.id);
        return out;
    }
    if (ctx.args.empty()) throw Error("you must provide at least one name or id");
    return ctx.args;
}

// Runs `fn` on each target; errors are collected and reported together, as Podman does.
int for_each(Context& ctx, const std::vector<std::string>& refs, int missing_code,
             const std::function<void(const ContainerConfig&, const std::string&)>& fn, bool ignore_missing = false) {
    std::vector<std::string> errs;
    int code = 0;
    for (const auto& ref : refs) {
        try {
            auto cfg = find_container(ctx.store(), ref, missing_code);
            fn(cfg, ref);
        } catch (const Error& e) {
            if (ignore_missing && std::string(e.what()).find("no such container") != std::string::npos) continue;
            errs.push_back(e.what());
            if (code == 0) code = e.exit_code();
        }
    }
    if (!errs.empty()) throw Error(combine_errors(errs), code);
    return 0;
}

unsigned timeout_flag(Context& ctx, const ContainerConfig& cfg) {
    if (ctx.flags.changed("time")) return static_cast<unsigned>(ctx.flags.get_int("time"));
    return cfg.stop_timeout;
}

int start_cmd(Context& ctx) {
    bool attach = ctx.flags.get_bool("attach");
    bool interactive = ctx.flags.get_bool("interactive");
    if (attach && ctx.args.size() > 1) throw Error("you cannot start and attach multiple containers at once");
    int exit_code = 0;
    for_each(ctx, targets(ctx, true), 125, [&](const ContainerConfig& cfg, const std::string& ref) {
        storage::ContainerStore containers(ctx.store());
        if (containers.state(cfg.id).status == Status::running) {
            if (!attach) std::printf("%s\n", ref.c_str());
            return;
        }
        engine::StartOptions so;
        so.attach = attach;
        so.interactive = interactive || (attach && cfg.interactive);
        so.sig_proxy = ctx.flags.changed("sig-proxy") ? ctx.flags.get_bool("sig-proxy") : attach;
        exit_code = engine::start_container(ctx.store(), cfg, so);
        if (!attach) std::printf("%s\n", ref.c_str());
        std::fflush(stdout);
    });
    return exit_code;
}

int stop_cmd(Context& ctx) {
    return for_each(
        ctx, targets(ctx, true), 125,
        [&](const ContainerConfig& cfg, const std::string& ref) {
            engine::stop_container(ctx.store(), cfg, timeout_flag(ctx, cfg));
            std::printf("%s\n", ref.c_str());
            std::fflush(stdout);
        },
        ctx.flags.get_bool("ignore"));
}

int kill_cmd(Context& ctx) {
    int sig = engine::parse_signal(ctx.flags.get_string("signal"));
    return for_each(ctx, targets(ctx, true), 125, [&](const ContainerConfig& cfg, const std::string& ref) {
        engine::kill_container(ctx.store(), cfg, sig);
        std::printf("%s\n", ref.c_str());
        std::fflush(stdout);
    });
}

int restart_cmd(Context& ctx) {
    return for_each(ctx, targets(ctx, true), 125, [&](const ContainerConfig& cfg, const std::string& ref) {
        engine::stop_container(ctx.store(), cfg, timeout_flag(ctx, cfg));
        engine::StartOptions so;
        engine::start_container(ctx.store(), cfg, so);
        std::printf("%s\n", ref.c_str());
        std::fflush(stdout);
    });
}

int rm_cmd(Context& ctx) {
    bool force = ctx.flags.get_bool("force");
    return for_each(
        ctx, targets(ctx, true), 1,
        [&](const ContainerConfig& cfg, const std::string& ref) {
            engine::remove_container(ctx.store(), cfg, force, timeout_flag(ctx, cfg));
            if (ctx.flags.get_bool("volumes")) {
                storage::VolumeStore vs(ctx.store());
                for (const auto& m : cfg.mounts)
                    if (m.type == "volume")
                        if (auto v = vs.get(m.source); v && v->anonymous && vs.users(m.source).empty()) vs.remove(m.source);
            }
            std::printf("%s\n", ctx.flags.get_bool("all") ? cfg.id.c_str() : ref.c_str());
            std::fflush(stdout);
        },
        ctx.flags.get_bool("ignore"));
}

int wait_cmd(Context& ctx) {
    return for_each(ctx, ctx.args, 125, [&](const ContainerConfig& cfg, const std::string&) {
        int code = engine::wait_container(ctx.store(), cfg);
        std::printf("%d\n", code);
        std::fflush(stdout);
    });
}

volatile sig_atomic_t g_attach_signal = 0;
void note_signal(int sig) { g_attach_signal = sig; }

// A detached container's output is in its log: attach follows the log from now on until the
// container exits. Our stdin goes to a -i container through its attach FIFO (its EOF closes the
// container's stdin). Signals (Ctrl-C) go to the container. As Podman 4.3: a newline at the end,
// and exit 0 whatever the container's code.
int attach_cmd(Context& ctx) {
    auto cfg = find_container(ctx.store(), ctx.args[0]);
    storage::ContainerStore containers(ctx.store());
    if (containers.state(cfg.id).status != Status::running) throw Error("you can only attach to running containers");
    bool proxy = !ctx.flags.changed("sig-proxy") || ctx.flags.get_bool("sig-proxy");
    if (proxy) {
        struct sigaction sa {};
        sa.sa_handler = note_signal;
        for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &sa, nullptr);
    }
    std::string log = engine::log_file(containers, cfg);
    if (log.empty()) log = "/dev/null";  // a driver without a log file: attach relays stdin only
    UniqueFd fd(::open(log.c_str(), O_RDONLY | O_CLOEXEC | O_CREAT, 0600));
    if (!fd) throw_errno("open the log of " + cfg.id);
    ::lseek(fd.get(), 0, SEEK_END);
    UniqueFd to_ctr;  // the FIFO; no reader (ENXIO) = the container's stdin is closed already
    if (cfg.interactive && !cfg.tty && !ctx.flags.get_bool("no-stdin"))
        to_ctr = UniqueFd(::open(containers.attach_fifo(cfg.id).c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (to_ctr) ::signal(SIGPIPE, SIG_IGN);  // a write after the container's exit fails with EPIPE instead
    std::string pending, unsent;
    char buf[65536];
    auto pump = [&] {
        for (;;) {
            ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n <= 0) return;
            pending.append(buf, static_cast<size_t>(n));
            size_t start = 0, nl;
            while ((nl = pending.find('\n', start)) != std::string::npos) {
                if (auto line = engine::parse_log_line(pending.substr(start, nl - start))) {
                    std::string text = line->partial ? line->text : line->text + "\n";
                    FILE* out = line->stream == 2 ? stderr : stdout;
                    std::fwrite(text.data(), 1, text.size(), out);
                    std::fflush(out);
                }
                start = nl + 1;
            }
            pending.erase(0, start);
        }
    };
    // Waits up to 50 ms for our stdin (or for room in the FIFO) and moves what it can.
    auto relay_stdin = [&] {
        struct pollfd p {-1, 0, 0};
        if (to_ctr) p = unsent.empty() ? pollfd{0, POLLIN, 0} : pollfd{to_ctr.get(), POLLOUT, 0};
        if (::poll(&p, p.fd < 0 ? 0 : 1, 50) <= 0 || !to_ctr) return;
        if (unsent.empty()) {
            ssize_t n = ::read(0, buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
            if (n <= 0) {
                to_ctr.reset();
                return;
            }
            unsent.assign(buf, static_cast<size_t>(n));
        }
        ssize_t w = ::write(to_ctr.get(), unsent.data(), unsent.size());
        if (w > 0) unsent.erase(0, static_cast<size_t>(w));
        else if (w < 0 && errno != EAGAIN && errno != EINTR) to_ctr.reset();  // the container's stdin went away
    };
    for (;;) {
        pump();
        if (g_attach_signal) {
            int sig = g_attach_signal;
            g_attach_signal = 0;
            try {
                engine::kill_container(ctx.store(), cfg, sig);
            } catch (const Error&) {
            }
        }
        auto st = containers.state(cfg.id);
        if (st.status != Status::running && st.status != Status::stopping) {
            engine::wait_container(ctx.store(), cfg);  // lets the supervisor record it
            pump();
            std::fputs("\n", stdout);
            return 0;
        }
        relay_stdin();
    }
}

cli::FlagSpec int_flag(const std::string& name, char shorthand, const std::string& usage, const std::string& def) {
    cli::FlagSpec f = string_flag(name, shorthand, usage, def);
    f.type = cli::FlagType::Int;
    return f;
}

}  // namespace

void register_lifecycle(cli::CommandTable& t) {
    auto add = [&](cli::Command c, bool container_alias = true) {
        t.add(c);
        if (container_alias) {
            c.path = "container " + c.path;
            t.add(c);
        }
    };
    cli::Command start;
    start.path = "start";
    start.use = "[options] CONTAINER [CONTAINER...]";
    start.short_help = "Start one or more containers";
    start.long_help = "Starts one or more containers.  The container name or ID can be used.";
    start.flags = {bool_flag("all", 0, "Start all containers regardless of their state or configuration"),
                   bool_flag("attach", 'a', "Attach container's STDOUT and STDERR"),
                   string_flag("detach-keys", 0, "Select the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-z`, `@`, `^`, `[`, `\\` or `_`", "ctrl-p,ctrl-q"),
                   bool_flag("interactive", 'i', "Make STDIN available to the contained process"),
                   bool_flag("sig-proxy", 0, "Proxy received signals to the process (default true if attaching, false otherwise)"),
                   help_flag()};
    start.handler = start_cmd;
    add(start);

    cli::Command stop;
    stop.path = "stop";
    stop.use = "[options] CONTAINER [CONTAINER...]";
    stop.short_help = "Stop one or more containers";
    stop.long_help = "Stops one or more running containers.  The container name or ID can be used.\n\n"
                     "  A timeout to forcibly stop the container can also be set but defaults to 10 seconds otherwise.";
    stop.flags = {bool_flag("all", 'a', "Stop all running containers"),
                  bool_flag("ignore", 'i', "Ignore errors when a specified container is missing"),
                  int_flag("time", 't', "Seconds to wait for stop before killing the container", "10"), help_flag()};
    stop.handler = stop_cmd;
    add(stop);

    cli::Command kill;
    kill.path = "kill";
    kill.use = "[options] CONTAINER [CONTAINER...]";
    kill.short_help = "Kill one or more running containers with a specific signal";
    kill.long_help = "The main process inside each container specified will be sent SIGKILL, or any signal specified with option --signal.";
    kill.flags = {bool_flag("all", 'a', "Signal all running containers"),
                  string_flag("signal", 's', "Signal to send to the container", "KILL"), help_flag()};
    kill.handler = kill_cmd;
    add(kill);

    cli::Command restart;
    restart.path = "restart";
    restart.use = "[options] CONTAINER [CONTAINER...]";
    restart.short_help = "Restart one or more containers";
    restart.long_help = "Restarts one or more running containers. The container ID or name can be used.\n\n"
                        "  A timeout before forcibly stopping can be set, but defaults to 10 seconds.";
    restart.flags = {bool_flag("all", 'a', "Restart all non-running containers"),
                     int_flag("time", 't', "Seconds to wait for stop before killing the container", "10"), help_flag()};
    restart.handler = restart_cmd;
    add(restart);

    cli::Command rm;
    rm.path = "rm";
    rm.use = "[options] CONTAINER [CONTAINER...]";
    rm.short_help = "Remove one or more containers";
    rm.long_help = "Removes one or more containers from the host. The container name or ID can be used.\n\n"
                   "  Command does not remove images. Running or unusable containers will not be removed without the -f option.";
    rm.flags = {bool_flag("all", 'a', "Remove all containers"),
                bool_flag("force", 'f', "Force removal of a running or unusable container"),
                bool_flag("ignore", 'i', "Ignore errors when a specified container is missing"),
                int_flag("time", 't', "Seconds to wait for stop before killing the container", "10"),
                bool_flag("volumes", 'v', "Remove anonymous volumes associated with the container"), help_flag()};
    rm.handler = rm_cmd;
    t.add(rm);
    rm.path = "container rm";
    rm.aliases = {"remove"};
    t.add(rm);

    cli::Command wait;
    wait.path = "wait";
    wait.use = "[options] CONTAINER [CONTAINER...]";
    wait.short_help = "Block on one or more containers";
    wait.long_help = "Block until one or more containers stop and then print their exit codes.";
    wait.flags = {list_flag("condition", 0, "Condition to wait on"),
                  string_flag("interval", 'i', "Time Interval to wait before polling for completion", "250ms"),
                  help_flag()};
    wait.min_args = 1;
    wait.handler = wait_cmd;
    add(wait);

    cli::Command attach;
    attach.path = "attach";
    attach.use = "[options] CONTAINER";
    attach.short_help = "Attach to a running container";
    attach.long_help = "The attach command allows you to attach to a running container using the container's ID or name, either to view its ongoing output or to control it interactively.";
    attach.flags = {string_flag("detach-keys", 0, "Select the key sequence for detaching a container.", "ctrl-p,ctrl-q"),
                    bool_flag("no-stdin", 0, "Do not attach STDIN. The default is false"),
                    bool_flag("sig-proxy", 0, "Proxy received signals to the process"), help_flag()};
    attach.min_args = 1;
    attach.max_args = 1;
    attach.handler = attach_cmd;
    add(attach);
}

}  // namespace burrow::commands
