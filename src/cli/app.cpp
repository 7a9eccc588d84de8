// run_app: global flags, command lookup, flag parsing, argument checks, and the one place where
// errors become "Error: ..." and an exit code.
#include "src/cli/app.hpp"
#include "src/cli/delegate.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <exception>

#include "base/error.hpp"
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
        store_ = std::make_unique<storage::Store>(storage::load_store_options(o), engine::userns_helpers());
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

const char* const kLogLevels[] = {"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"};

void apply_globals(GlobalOptions& g, const ParsedFlags& f) {
    if (f.changed("root")) g.root = f.get_string("root");
    if (f.changed("runroot")) g.runroot = f.get_string("runroot");
    if (f.changed("storage-driver")) g.storage_driver = f.get_string("storage-driver");
    if (f.changed("log-level")) g.log_level = f.get_string("log-level");
    if (f.changed("events-backend")) g.events_backend = f.get_string("events-backend");
    if (f.changed("noout")) g.noout = f.get_bool("noout");
}

void check_log_level(const std::string& level) {
    for (const char* l : kLogLevels)
        if (level == l) return;
    throw Error("invalid log level \"" + level + "\"");
}

ParseResult parse_or_usage(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args, bool interspersed,
                           const std::string& cmd_path) {
    try {
        return parse_flags(specs, args, interspersed);
    } catch (const FlagError& e) {
        throw UsageError(e.what(), cmd_path);
    }
}

int dispatch(const std::vector<std::string>& argv) {
    const CommandTable& table = command_table();
    const std::string prog = kProgram;
    ParseResult g = parse_or_usage(global_flags(), argv, false, prog);
    GlobalOptions globals;
    apply_globals(globals, g.flags);
    (void)engine::containers_conf();  // as Podman: a broken containers.conf fails every command
    engine::configure_events(engine::load_events_config(globals.events_backend));
    if (g.flags.get_bool("version")) {
        print_out(prog + " version " + BURROW_VERSION + "\n");
        return 0;
    }
    const std::vector<std::string>& rest = g.args;
    if (rest.empty()) {
        print_out(root_help(table));
        if (g.flags.get_bool("help")) return 0;
        throw Error("missing command '" + prog + " COMMAND'");
    }
    const Command* cmd = table.find("", rest[0]);
    if (!cmd && rest[0] == "help") {
        print_out(root_help(table));
        return 0;
    }
    if (!cmd) throw Error("unrecognized command `" + prog + " " + rest[0] + "`\nTry '" + prog + " --help' for more information");
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

    if (runs_in_pull_binary(cmd->path)) exec_pull_binary(g_argv);
    std::string path = prog + " " + cmd->path;
    std::vector<FlagSpec> specs = cmd->flags;
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
    std::string count_error = check_arg_count(*cmd, p.args.size());
    if (!count_error.empty()) throw Error(count_error);
    apply_globals(globals, p.flags);
    check_log_level(globals.log_level);

    if (globals.noout) {  // as Podman: the command runs, its stdout goes nowhere
        std::fflush(stdout);
        int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) {
            ::dup2(null, STDOUT_FILENO);
            ::close(null);
        }
    }
    Context ctx(globals);
    ctx.command_path = path;
    ctx.flags = std::move(p.flags);
    ctx.args = std::move(p.args);
    return cmd->handler(ctx);
}

}  // namespace

int run_app(int argc, char** argv) {
    g_argv.assign(argv, argv + argc);
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        int rc = dispatch(args);
        std::fflush(stdout);
        return rc;
    } catch (const Error& e) {
        print_error(e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        print_error(e.what());
        return kExitEngine;
    }
}

}  // namespace burrow::cli
