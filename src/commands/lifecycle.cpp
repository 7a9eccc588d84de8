// start, stop, kill, restart, rm, wait, attach: one small handler each over engine/lifecycle.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_view.hpp"
#include "src/commands/lifecycle_targets.hpp"
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

// Prints one line and flushes it at once (scripts read our output as containers change).
void print_line(const std::string& s) {
    std::printf("%s\n", s.c_str());
    std::fflush(stdout);
}

// Runs `fn` on each target; errors are collected and reported together, as Podman does, with
// the first error's exit code (or `code_of`'s choice).
void for_each(const std::vector<Target>& targets, const std::function<void(const Target&)>& fn) {
    std::vector<std::string> errs;
    int code = 0;
    for (const auto& t : targets) {
        try {
            fn(t);
        } catch (const Error& e) {
            errs.push_back(e.what());
            if (code == 0) code = e.exit_code();
        }
    }
    if (!errs.empty()) throw Error(combine_errors(errs), code);
}

// --time, or its old spelling --timeout (Podman normalises one to the other); both are uints.
std::optional<unsigned> time_flag(Context& ctx) {
    for (const char* name : {"time", "timeout"})
        if (ctx.flags.find_long(name) && ctx.flags.changed(name)) {
            long long t = ctx.flags.get_int(name);
            return t > static_cast<long long>(UINT32_MAX) ? UINT32_MAX : static_cast<unsigned>(t);
        }
    return std::nullopt;
}

bool latest(Context& ctx) { return ctx.flags.get_bool("latest"); }

unsigned timeout_for(const std::optional<unsigned>& t, const ContainerConfig& cfg) { return t ? *t : cfg.stop_timeout; }

// The arguments plus the ids read from --cidfile.
std::vector<std::string> names_with_cidfiles(Context& ctx) {
    auto names = ctx.args;
    for (auto& id : read_cidfiles(ctx.flags.get_list("cidfile"))) names.push_back(std::move(id));
    return names;
}

void check_start_args(Context& ctx) {
    bool all = ctx.flags.get_bool("all"), attach = ctx.flags.get_bool("attach"), last = latest(ctx);
    size_t n = ctx.args.size();
    if (n == 0 && !all && !last && ctx.flags.get_list("filter").empty()) throw Error("start requires at least one argument");
    if (all && last) throw Error("--all and --latest cannot be used together");
    if (n > 0 && last) throw Error("--latest and containers cannot be used together");
    if (n > 1 && attach) throw Error("you cannot start and attach multiple containers at once");
    if (n > 0 && all) throw Error("either start all containers or the container(s) provided in the arguments");
    if (attach && all) throw Error("you cannot start and attach all containers at once");
    if (ctx.flags.changed("sig-proxy") && ctx.flags.get_bool("sig-proxy") && !attach)
        throw Error("you cannot use sig-proxy without --attach: invalid argument");
}

int start_cmd(Context& ctx) {
    check_start_args(ctx);
    bool attach = ctx.flags.get_bool("attach");
    bool interactive = ctx.flags.get_bool("interactive");
    TargetQuery q;
    q.names = ctx.args;
    q.all = ctx.flags.get_bool("all");
    q.latest = latest(ctx);
    q.filters = ctx.flags.get_list("filter");
    int exit_code = 0;
    for_each(select_targets(ctx.store(), q), [&](const Target& t) {
        const auto& cfg = t.cfg;
        // Podman starts only what is not running, and reports nothing for the others.
        if (storage::ContainerStore(ctx.store()).state(cfg.id).status == Status::running) return;
        engine::StartOptions so;
        so.attach = attach;
        so.interactive = interactive || (attach && cfg.interactive);
        so.sig_proxy = ctx.flags.changed("sig-proxy") ? ctx.flags.get_bool("sig-proxy") : attach;
        if (attach) {
            exit_code = engine::start_container(ctx.store(), cfg, so);
            return;
        }
        try {
            engine::start_container(ctx.store(), cfg, so);
        } catch (const Error& e) {
            throw Error("unable to start container \"" + cfg.id + "\": " + e.what(), kExitEngine);
        }
        print_line(t.raw);
    });
    return exit_code;
}

int stop_cmd(Context& ctx) {
    check_all_and_cidfile(ctx.flags, ctx.args.size(), true);
    auto timeout = time_flag(ctx);
    TargetQuery q;
    q.names = names_with_cidfiles(ctx);
    q.all = ctx.flags.get_bool("all");
    q.latest = latest(ctx);
    q.filters = ctx.flags.get_list("filter");
    q.ignore_missing = ctx.flags.get_bool("ignore");
    for_each(select_targets(ctx.store(), q), [&](const Target& t) {
        engine::stop_container(ctx.store(), t.cfg, timeout_for(timeout, t.cfg));
        print_line(t.raw);
    });
    return 0;
}

int kill_cmd(Context& ctx) {
    int sig = engine::parse_signal(ctx.flags.get_string("signal"));
    check_all_and_cidfile(ctx.flags, ctx.args.size(), true);
    TargetQuery q;
    q.names = names_with_cidfiles(ctx);
    q.all = ctx.flags.get_bool("all");
    q.latest = latest(ctx);
    storage::ContainerStore containers(ctx.store());
    for_each(select_targets(ctx.store(), q), [&](const Target& t) {
        auto status = containers.state(t.cfg.id).status;
        if (q.all && status != Status::running && status != Status::stopping) return;  // --all: the running ones
        engine::kill_container(ctx.store(), t.cfg, sig);
        print_line(t.raw);
    });
    return 0;
}

int restart_cmd(Context& ctx) {
    check_all_and_cidfile(ctx.flags, ctx.args.size(), true);
    auto timeout = time_flag(ctx);
    TargetQuery q;
    q.names = names_with_cidfiles(ctx);
    q.all = ctx.flags.get_bool("all");
    q.latest = latest(ctx);
    q.filters = ctx.flags.get_list("filter");
    bool running_only = ctx.flags.get_bool("running");
    storage::ContainerStore containers(ctx.store());
    for_each(select_targets(ctx.store(), q), [&](const Target& t) {
        auto status = containers.state(t.cfg.id).status;
        if (running_only && status != Status::running) return;
        engine::stop_container(ctx.store(), t.cfg, timeout_for(timeout, t.cfg));
        engine::start_container(ctx.store(), t.cfg, engine::StartOptions{});
        print_line(t.raw);
    });
    return 0;
}


// Podman's rm exit codes: 1 when a container is missing, 2 when one is running, else 125.
int rm_exit_code(const std::string& msg, int code) {
    if (msg.find("no such container") != std::string::npos) return 1;
    if (msg.find("container state improper") != std::string::npos) return 2;
    return code;
}

struct RmRun {
    Context& ctx;
    bool force, volumes, depend;
    std::optional<unsigned> timeout;
    std::vector<std::string> done;  // removed by this command
    std::optional<std::vector<ContainerConfig>> all;  // read once, on the first removal

    // Containers that share a namespace of `id` (--network container:ID), which must go first.
    std::vector<ContainerConfig> dependents(const std::string& id) {
        if (!all) all = storage::ContainerStore(ctx.store()).list();
        std::vector<ContainerConfig> out;
        for (const auto& c : *all)
            if (c.id != id && c.network == "container:" + id && std::find(done.begin(), done.end(), c.id) == done.end())
                out.push_back(c);
        return out;
    }

    void remove_one(const ContainerConfig& cfg) {
        if (!depend) {
            auto deps = dependents(cfg.id);
            if (!deps.empty()) {
                std::string ids;
                for (const auto& d : deps) ids += (ids.empty() ? "" : ", ") + d.id;
                throw Error("container " + cfg.id + " has dependent containers which must be removed before it: " + ids +
                            ": container already exists");
            }
        }
        engine::remove_container(ctx.store(), cfg, force, timeout_for(timeout, cfg));
        if (!volumes) return;
        storage::VolumeStore vs(ctx.store());
        for (const auto& m : cfg.mounts)
            if (m.type == "volume")
                if (auto v = vs.get(m.source); v && v->anonymous && vs.users(m.source).empty()) vs.remove(m.source);
    }

    // --depend: the containers that depend on it first, each printed by id.
    void remove_with_dependents(const ContainerConfig& cfg) {
        for (const auto& d : dependents(cfg.id))
            if (std::find(done.begin(), done.end(), d.id) == done.end()) remove_with_dependents(d);
        remove_one(cfg);
        done.push_back(cfg.id);
        print_line(cfg.id);
    }
};

int rm_cmd(Context& ctx) {
    bool force = ctx.flags.get_bool("force");
    auto timeout = time_flag(ctx);
    if (timeout && !force) throw Error("--force option must be specified to use the --time option");
    check_all_and_cidfile(ctx.flags, ctx.args.size(), true);
    TargetQuery q;
    q.names = names_with_cidfiles(ctx);
    q.all = ctx.flags.get_bool("all");
    q.latest = latest(ctx);
    q.filters = ctx.flags.get_list("filter");
    q.ignore_missing = ctx.flags.get_bool("ignore") || force;  // rm -f of a missing container is silent
    q.missing_code = 1;
    std::vector<Target> targets;
    try {
        targets = select_targets(ctx.store(), q);
    } catch (const Error& e) {
        throw Error(e.what(), rm_exit_code(e.what(), e.exit_code()));
    }
    RmRun run{ctx, force, ctx.flags.get_bool("volumes"), ctx.flags.get_bool("depend") || q.all, timeout, {}, {}};
    auto& done = run.done;
    try {
        for_each(targets, [&](const Target& t) {
            if (std::find(done.begin(), done.end(), t.cfg.id) != done.end()) return;
            if (run.depend) return run.remove_with_dependents(t.cfg);
            try {
                run.remove_one(t.cfg);
            } catch (const Error& e) {
                if (force && std::strstr(e.what(), "no such container")) return;  // gone meanwhile
                throw;
            }
            done.push_back(t.cfg.id);
            print_line(t.raw);
        });
    } catch (const Error& e) {
        throw Error(e.what(), rm_exit_code(e.what(), e.exit_code()));
    }
    return 0;
}

// Go's time.ParseDuration, or the number as milliseconds, as Podman reads --interval.
long long wait_interval_ms(const std::string& s) {
    if (auto ns = parse_go_duration(s)) return *ns / 1000000;
    if (auto ns = parse_go_duration(s + "ms")) return *ns / 1000000;
    throw Error("time: invalid duration \"" + s + "\"");
}

// wait and attach: a container by name or id, or --latest.
void check_one_or_latest(Context& ctx) {
    if (ctx.args.empty() && !latest(ctx))
        throw Error("\"" + ctx.command_path + "\" requires a name, id, or the \"--latest\" flag");
    if (!ctx.args.empty() && latest(ctx)) throw Error("--latest and containers cannot be used together");
}

int wait_cmd(Context& ctx) {
    check_one_or_latest(ctx);
    engine::WaitOptions wo;
    wo.interval_ms = wait_interval_ms(ctx.flags.get_string("interval"));
    static const std::vector<std::string> states = {"unknown", "configured", "created", "running",
                                                    "stopped", "paused",     "exited",  "removing"};
    for (const auto& c : ctx.flags.get_list("condition")) {
        if (std::find(states.begin(), states.end(), c) == states.end())
            throw Error("unknown container state: " + c + ": invalid argument");
        wo.conditions.push_back(c);
    }
    TargetQuery q;
    q.names = ctx.args;
    q.latest = latest(ctx);
    for_each(select_targets(ctx.store(), q), [&](const Target& t) {
        print_line(std::to_string(engine::wait_container(ctx.store(), t.cfg, wo)));
    });
    return 0;
}

volatile sig_atomic_t g_attach_signal = 0;
void note_signal(int sig) { g_attach_signal = sig; }

// A detached container's output is in its log: attach follows the log from now on until the
// container exits. Our stdin goes to a -i container through its attach FIFO (its EOF closes the
// container's stdin). Signals (Ctrl-C) go to the container. As Podman 4.3: a newline at the end,
// and exit 0 whatever the container's code.
int attach_cmd(Context& ctx) {
    check_one_or_latest(ctx);
    auto cfg = latest(ctx) ? latest_container(ctx.store()) : find_container(ctx.store(), ctx.args[0]);
    storage::ContainerStore containers(ctx.store());
    if (containers.state(cfg.id).status != Status::running) throw Error("you can only attach to running containers");
    bool proxy = ctx.flags.get_bool("sig-proxy");
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

// burrow has no pods: `pod kill` checks its signal as Podman does, then finds no pod by any name.
int pod_kill_cmd(Context& ctx) {
    try {
        (void)engine::parse_signal(ctx.flags.get_string("signal"));
    } catch (const Error& e) {
        if (std::string(e.what()).rfind("invalid signal", 0) == 0) throw;  // Podman checks no range here
    }
    check_all_and_cidfile(ctx.flags, ctx.args.size(), false);
    if (ctx.flags.get_bool("all")) return 0;
    if (latest(ctx)) throw Error("no such pod");
    throw Error("no pod with name or ID " + ctx.args[0] + " found: no such pod");
}

void register_pod_kill(cli::CommandTable& t) {
    if (!t.find("", "pod")) {
        cli::Command group;
        group.path = "pod";
        group.use = "";
        group.short_help = "Manage pods";
        group.long_help = "Pods are a group of one or more containers sharing the same network, pid and ipc namespaces.";
        t.add(group);
    }
    cli::Command kill;
    kill.path = "pod kill";
    kill.use = "[options] POD [POD...]";
    kill.short_help = "Send the specified signal or SIGKILL to containers in pod";
    kill.long_help = "Signals are sent to the main process of each container inside the specified pod.\n\n"
                     "  The default signal is SIGKILL, or any signal specified with option --signal.";
    kill.flags = {bool_flag("all", 'a', "Kill all containers in all pods"), latest_flag(),
                  string_flag("signal", 's', "Signal to send to the containers in the pod", "KILL"), help_flag()};
    kill.handler = pod_kill_cmd;
    t.add(kill);
}

// --filter as Podman declares it here (a string slice: "strings" in help).
cli::FlagSpec filter_flag(char shorthand, const std::string& usage) { return slice_flag("filter", shorthand, usage); }

const char* const kDetachKeysUsage =
    "Select the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated "
    "sequence of `ctrl-<value>`, where `<value>` is one of: `a-z`, `@`, `^`, `[`, `\\`, `]`, `^` or `_`";

cli::FlagSpec detach_keys_flag() { return placeholder(string_flag("detach-keys", 0, kDetachKeysUsage, "ctrl-p,ctrl-q"), "[a-Z]"); }

cli::FlagSpec cidfile_flag() {
    cli::FlagSpec f = list_flag("cidfile", 0, "Read the container ID from the file");
    f.value_name = "stringArray";
    return f;
}

cli::FlagSpec time_spec() { return uint_flag("time", 't', "Seconds to wait for stop before killing the container", "10"); }

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
                   filter_flag('f', "Filter output based on conditions given"),
                   detach_keys_flag(),
                   bool_flag("interactive", 'i', "Keep STDIN open even if not attached"),
                   latest_flag(),
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
                  cidfile_flag(),
                  filter_flag('f', "Filter output based on conditions given"),
                  bool_flag("ignore", 'i', "Ignore errors when a specified container is missing"),
                  latest_flag(),
                  time_spec(),
                  hidden_flag(uint_flag("timeout", 0, "Seconds to wait for stop before killing the container", "10")),
                  help_flag()};
    stop.handler = stop_cmd;
    add(stop);

    cli::Command kill;
    kill.path = "kill";
    kill.use = "[options] CONTAINER [CONTAINER...]";
    kill.short_help = "Kill one or more running containers with a specific signal";
    kill.long_help = "The main process inside each container specified will be sent SIGKILL, or any signal specified with option --signal.";
    kill.flags = {bool_flag("all", 'a', "Signal all running containers"), cidfile_flag(), latest_flag(),
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
                     cidfile_flag(),
                     filter_flag('f', "Filter output based on conditions given"),
                     latest_flag(),
                     bool_flag("running", 0, "Restart only running containers"),
                     time_spec(), help_flag()};
    restart.handler = restart_cmd;
    add(restart);

    cli::Command rm;
    rm.path = "rm";
    rm.use = "[options] CONTAINER [CONTAINER...]";
    rm.short_help = "Remove one or more containers";
    rm.long_help = "Removes one or more containers from the host. The container name or ID can be used.\n\n"
                   "  Command does not remove images. Running or unusable containers will not be removed without the -f option.";
    rm.flags = {bool_flag("all", 'a', "Remove all containers"),
                cidfile_flag(),
                bool_flag("depend", 0, "Remove container and all containers that depend on the selected container"),
                filter_flag(0, "Filter output based on conditions given"),
                bool_flag("force", 'f', "Force removal of a running or unusable container"),
                bool_flag("ignore", 'i', "Ignore errors when a specified container is missing"),
                latest_flag(),
                time_spec(),
                bool_flag("volumes", 'v', "Remove anonymous volumes associated with the container"),
                bool_flag("storage", 0, "Remove container from storage library", true), help_flag()};
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
    wait.flags = {slice_flag("condition", 0, "Condition to wait on"),
                  string_flag("interval", 'i', "Time Interval to wait before polling for completion", "250ms"),
                  latest_flag(), help_flag()};
    wait.handler = wait_cmd;
    add(wait);

    cli::Command attach;
    attach.path = "attach";
    attach.use = "[options] CONTAINER";
    attach.short_help = "Attach to a running container";
    attach.long_help = "The attach command allows you to attach to a running container using the container's ID or name, either to view its ongoing output or to control it interactively.";
    cli::FlagSpec sig_proxy = bool_flag("sig-proxy", 0, "Proxy received signals to the process");
    sig_proxy.default_value = "true";
    attach.flags = {detach_keys_flag(), latest_flag(), bool_flag("no-stdin", 0, "Do not attach STDIN. The default is false"),
                    sig_proxy, help_flag()};
    attach.max_args = 1;
    attach.handler = attach_cmd;
    add(attach);

    register_pod_kill(t);
}

}  // namespace burrow::commands
