// run_app: global flags, command lookup, flag parsing, argument checks, and the one place where
// errors become "Error: ..." and an exit code.
#include "src/cli/app.hpp"
#include "src/cli/delegate.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>

#include "base/error.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "src/cli/remote.hpp"
#include "src/cli/command.hpp"
#include "src/cli/print.hpp"
#include "src/commands/register.hpp"
#include "src/engine/containers_conf.hpp"
#include "src/engine/userns_helpers.hpp"
#include "src/engine/events.hpp"
#include "storage/store.hpp"

namespace burrow::cli {

Context::Context(GlobalOptions g) : globals_(std::move(g)) {}
Context::~Context() = default;

storage::Store& Context::store() {
    if (!store_) {
        storage::StoreOptions o;
        o.root = globals_.root;
        o.runroot = globals_.runroot;
        o.driver = globals_.storage_driver;  // "" = storage.conf or the default
        o.volume_path = globals_.volume_path;
        storage::StoreOptions opts = storage::load_store_options(o);
        if (globals_.storage_opts_given) apply_storage_opts(opts, globals_.storage_opts);
        log::trace("Store options: &{GraphRoot:" + opts.root + " RunRoot:" + opts.runroot + " GraphDriverName:" + opts.driver +
                   " MountProgram:" + opts.mount_program + " IgnoreChownErrors:" + (opts.ignore_chown_errors ? "true" : "false") +
                   "}");
        log::debug("Using graph driver " + opts.driver);
        log::debug("Using graph root " + opts.root);
        log::debug("Using run root " + opts.runroot);
        log::debug("Using volume path " + (opts.volume_path.empty() ? opts.root + "/volumes" : opts.volume_path));
        store_ = std::make_unique<storage::Store>(std::move(opts), engine::userns_helpers());
    }
    return *store_;
}

const CommandTable& command_table() {
    static const CommandTable table = [] {
        CommandTable t;
        commands::register_images(t);
        commands::register_image_manage(t);
        commands::register_pull(t);
        commands::register_system(t);
        commands::register_login(t);
        commands::register_unshare(t);
        commands::register_completion(t);
        commands::register_run(t);
        commands::register_lifecycle(t);
        commands::register_exec(t);
        commands::register_ps(t);
        commands::register_container_inspect(t);
        commands::register_logs(t);
        commands::register_container_misc(t);
        commands::register_volume(t);
        commands::register_exists(t);
        commands::register_image_sign(t);
        commands::register_system_prune(t);
        commands::register_cp(t);
        commands::register_events(t);
        return t;
    }();
    return table;
}

namespace {

// This process's argv, for handing a command to burrow-pull unchanged.
std::vector<std::string> g_argv;


// A flag error: Podman adds a pointer to the command's help.
struct UsageError : Error {
    UsageError(const std::string& msg, const std::string& cmd_path)
        : Error(msg + "\nSee '" + cmd_path + " --help'") {}
};

// Podman's loggingHook and --debug check end the process with exit 1 and a bare line.
struct BareError : Error {
    explicit BareError(const std::string& msg) : Error(msg, 1) {}
};

// `local`: names the command declares itself (its --storage-opt is not the root's).
void apply_globals(GlobalOptions& g, const ParsedFlags& f, const std::set<std::string>& local = {}) {
    auto given = [&](const char* name) { return !local.count(name) && f.find_long(name) && f.changed(name); };
    auto str = [&](const char* name, std::string& into) {
        if (given(name)) into = f.get_string(name);
    };
    str("root", g.root);
    str("runroot", g.runroot);
    str("storage-driver", g.storage_driver);
    str("log-level", g.log_level);
    str("events-backend", g.events_backend);
    str("volumepath", g.volume_path);
    str("tmpdir", g.tmp_dir);
    str("runtime", g.runtime);
    str("cgroup-manager", g.cgroup_manager);
    str("network-cmd-path", g.network_cmd_path);
    if (given("storage-opt")) {
        g.storage_opts_given = true;
        for (const auto& o : f.get_list("storage-opt"))
            if (!o.empty()) g.storage_opts.push_back(o);
    }
}

// What the root's own flags say (they come only before the command).
struct RootState {
    bool debug = false, noout = false, remote = false;
    std::string url, connection, config;
};

RootState root_state(const ParsedFlags& f) {
    RootState r;
    r.debug = f.get_bool("debug");
    r.noout = f.get_bool("noout");
    const char* host = std::getenv("CONTAINER_HOST");
    r.remote = f.get_bool("remote") || host || std::getenv("CONTAINER_CONNECTION") || f.changed("connection") ||
               f.changed("url") || f.changed("host");
    r.url = f.changed("url") ? f.get_string("url") : f.changed("host") ? f.get_string("host") : host ? host : f.get_string("url");
    if (f.changed("connection")) r.connection = f.get_string("connection");
    r.config = f.get_string("config");
    return r;
}

// Podman's loggingHook: --debug is --log-level=debug, and the level must be one of logrus's.
void logging_hook(GlobalOptions& g, const RootState& r) {
    if (r.debug) {
        if (g.log_level != "warn") throw BareError("Setting --log-level and --debug is not allowed");
        g.log_level = "debug";
    }
    auto level = log::parse_level(g.log_level);
    if (!level) throw BareError("Log Level \"" + g.log_level + "\" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic");
    log::set_level(*level);
    log::info(g_argv.at(0) + " filtering at log level " + log::level_name(*level));
    if (!r.config.empty()) log::warn("The --config flag is ignored by Podman. Exists for Docker compatibility");
}

ParseResult parse_or_usage(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args, bool interspersed,
                           const std::string& cmd_path) {
    try {
        return parse_flags(specs, args, interspersed);
    } catch (const FlagError& e) {
        throw UsageError(e.what(), cmd_path);
    }
}

// The flags only the root takes, as Podman's remote mode shows them.
std::vector<FlagSpec> remote_visible_flags() {
    std::vector<FlagSpec> r;
    for (auto f : root_flags()) {
        bool keep = f.name == "storage-opt" || f.name == "help" || f.name == "log-level";
        for (const auto& l : root_only_flags()) keep = keep || l.name == f.name;
        if (f.name == "remote") f.hidden = true;
        if (keep) r.push_back(f);
    }
    return r;
}

// Commands that in Podman run the OCI runtime, and so would pass it --runtime-flag.
bool runs_runtime(const Command& cmd) {
    static const char* const names[] = {"run", "start", "restart", "exec", "kill", "stop", "pause", "unpause", "attach"};
    std::string n = cmd.name();
    for (const char* x : names)
        if (n == x && (cmd.parent().empty() || cmd.parent() == "container")) return true;
    return false;
}

// Global flags for parts Podman has and burrow does not (conmon, OCI hooks, libpod namespaces,
// CNI/netavark configs, ssh connections, syslog): taken for Podman's scripts, never silently.
void warn_flags_without_effect(const ParsedFlags& f, const std::set<std::string>& local) {
    static const char* const names[] = {"conmon", "hooks-dir", "namespace", "network-config-dir", "ssh", "identity",
                                        "syslog", "network-cmd-path"};
    for (const char* n : names)
        if (!local.count(n) && f.find_long(n) && f.changed(n))
            log::warn(std::string("--") + n + " has no effect in burrow: it has no such component to configure");
}

// Podman's engine setup checks of the global flags (exit 125, its words).
void check_engine_flags(const ParsedFlags& f, const Command& cmd, const std::set<std::string>& local = {}) {
    auto given = [&](const char* name) { return !local.count(name) && f.find_long(name) && f.changed(name); };
    if (given("cgroup-manager")) {
        std::string m = f.get_string("cgroup-manager");
        if (m != "cgroupfs" && m != "systemd")
            throw Error("configuring runtime: cgroup manager must be one of cgroupfs and systemd: invalid argument");
    }
    if (given("runtime")) {
        engine::ContainersConf c = engine::containers_conf();
        c.runtime = f.get_string("runtime");
        if (!c.runtime.empty() && engine::oci_runtime(c).second.empty())
            throw Error("default OCI runtime \"" + c.runtime + "\" not found: invalid argument");
    }
    if (given("events-backend")) {
        std::string b = f.get_string("events-backend");
        if (b != "file" && b != "journald" && b != "none")
            throw Error("configuring runtime: \"" + b + "\" is not a valid events backend: invalid argument");
    }
    for (const auto& o : given("storage-opt") ? f.get_list("storage-opt") : std::vector<std::string>{})
        if (!o.empty() && o.find('=') == std::string::npos) throw Error("unable to parse key/value option: " + o);
    // `run` fails as Podman's does when its runtime refuses the flag: the start, exit 126.
    if (given("runtime-flag") && runs_runtime(cmd))
        throw Error("OCI runtime error: burrow runs containers itself, without an OCI runtime to pass --runtime-flag " +
                        join(f.get_list("runtime-flag"), ",") + " to: leave the flag out",
                    cmd.name() == "run" ? 126 : 125);
}

int dispatch(const std::vector<std::string>& argv) {
    const CommandTable& table = command_table();
    const std::string prog = program_name();
    ParseResult g = parse_or_usage(root_flags(), argv, false, prog);
    GlobalOptions globals;
    apply_globals(globals, g.flags);
    RootState root = root_state(g.flags);
    (void)engine::containers_conf();  // as Podman: a broken containers.conf fails every command
    if (g.flags.get_bool("version")) {
        print_out(prog + " version " + kPodmanVersion + "\n");
        return 0;
    }
    const std::vector<std::string>& rest = g.args;
    auto help_text = [&] {
        if (!root.remote) return root_help(table);
        std::string h = root_help(table);
        return h.substr(0, h.find("Options:\n")) + "Options:\n" + flag_usages(remote_visible_flags(), true);
    };
    if (rest.empty()) {
        print_out(help_text());
        if (g.flags.get_bool("help")) return 0;
        throw Error("missing command '" + prog + " COMMAND'");
    }
    const Command* cmd = table.find("", rest[0]);
    if (!cmd && rest[0] == "help") {
        print_out(help_text());
        return 0;
    }
    if (!cmd) {
        // Podman parses what follows an unknown command with the root's flags first.
        parse_or_usage(root_flags(), {rest.begin() + 1, rest.end()}, true, prog);
        throw Error("unrecognized command `" + prog + " " + rest[0] + "`\nTry '" + prog + " --help' for more information");
    }
    size_t i = 1;
    while (cmd->is_group()) {
        std::string path = prog + " " + cmd->path;
        if (i < rest.size() && !rest[i].empty() && rest[i][0] != '-') {
            const Command* sub = table.find(cmd->path, rest[i]);
            if (!sub) throw Error("unrecognized command `" + path + " " + rest[i] + "`\nTry '" + path + " --help' for more information");
            cmd = sub;
            ++i;
            continue;
        }
        ParseResult p = parse_or_usage(global_flags(), {rest.begin() + static_cast<long>(i), rest.end()}, true, path);
        print_out(command_help(table, *cmd));
        if (p.flags.get_bool("help")) return 0;
        throw Error("missing command '" + path + " COMMAND'");
    }

    std::string path = prog + " " + cmd->path;
    std::vector<FlagSpec> specs = cmd->flags;
    std::set<std::string> local;
    for (const auto& c : cmd->flags) local.insert(c.name);
    for (const auto& f : global_flags()) {
        bool clash = false;
        for (const auto& c : cmd->flags) clash = clash || c.name == f.name || (f.shorthand && c.shorthand == f.shorthand);
        if (!clash) specs.push_back(f);
    }
    ParseResult p = parse_or_usage(specs, {rest.begin() + static_cast<long>(i), rest.end()}, cmd->interspersed, path);
    if (p.flags.find_long("help") && p.flags.get_bool("help")) {
        print_out(command_help(table, *cmd));
        return 0;
    }
    apply_globals(globals, p.flags, local);
    logging_hook(globals, root);
    std::string count_error = check_arg_count(*cmd, p.args.size());
    if (!count_error.empty()) throw Error(count_error);

    log::debug("Called " + cmd->name() + ".PersistentPreRunE(" + join(g_argv, " ") + ")");
    bool special = cmd->path == "completion" || cmd->path == "help";
    if (root.remote && !special) connect_remote(root.url, root.connection);
    if (root.noout && !special) redirect_stdout_to_null();
    check_engine_flags(g.flags, *cmd);
    check_engine_flags(p.flags, *cmd, local);
    warn_flags_without_effect(g.flags, {});
    warn_flags_without_effect(p.flags, local);
    engine::EventsConfig events = engine::load_events_config(globals.events_backend);
    // --tmpdir is libpod's state directory, where Podman's file backend keeps events.log.
    if (events.path.empty() && !globals.tmp_dir.empty()) events.path = globals.tmp_dir + "/events/events.log";
    engine::configure_events(events);
    for (const auto& f : engine::containers_conf().files) {
        log::trace("Reading configuration file \"" + f + "\"");
        log::debug("Merged system config \"" + f + "\"");
    }
    if (runs_in_pull_binary(cmd->path)) exec_pull_binary(g_argv);

    Context ctx(globals);
    ctx.command_path = path;
    ctx.flags = std::move(p.flags);
    ctx.args = std::move(p.args);
    int rc = cmd->handler(ctx);
    log::debug("Called " + cmd->name() + ".PersistentPostRunE(" + join(g_argv, " ") + ")");
    return rc;
}

}  // namespace

int run_app(int argc, char** argv) {
    g_argv.assign(argv, argv + argc);
    if (g_argv.empty()) g_argv.push_back(kProgram);
    set_program_name(g_argv[0]);
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        int rc = dispatch(args);
        std::fflush(stdout);
        return rc;
    } catch (const BareError& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", e.what());
        return e.exit_code();
    } catch (const Error& e) {
        print_error(e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        print_error(e.what());
        return kExitEngine;
    }
}

}  // namespace burrow::cli
