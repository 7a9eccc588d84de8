// `exec`: flags -> engine::ExecOptions; the engine runs the session (src/engine/exec.hpp).
#include <fcntl.h>

#include <cstdio>
#include <string>

#include "base/error.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "src/engine/exec.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using cli::Context;

namespace {

engine::ExecOptions exec_options(const Context& ctx) {
    engine::ExecOptions o;
    o.argv.assign(ctx.args.begin() + 1, ctx.args.end());
    o.env = ctx.flags.get_list("env");
    o.env_files = ctx.flags.get_list("env-file");
    if (ctx.flags.changed("user")) o.user = ctx.flags.get_string("user");
    if (ctx.flags.changed("workdir")) o.workdir = ctx.flags.get_string("workdir");
    o.tty = ctx.flags.get_bool("tty");
    o.interactive = ctx.flags.get_bool("interactive");
    o.detach = ctx.flags.get_bool("detach");
    o.privileged = ctx.flags.get_bool("privileged");
    if (ctx.flags.changed("preserve-fds")) {
        std::string v = ctx.flags.get_string("preserve-fds");
        if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos)
            throw Error("invalid argument \"" + v + "\" for \"--preserve-fds\" flag: strconv.ParseUint: parsing \"" + v +
                        "\": invalid syntax");
        o.preserve_fds = static_cast<unsigned>(std::stoul(v));
        for (unsigned fd = 3; fd < 3 + o.preserve_fds; ++fd)
            if (::fcntl(static_cast<int>(fd), F_GETFD) < 0)
                throw Error("file descriptor " + std::to_string(fd) +
                            " is not available - the preserve-fds option requires that file descriptors must be passed");
    }
    return o;
}

int exec_cmd(Context& ctx) {
    bool last = ctx.flags.get_bool("latest");
    if (ctx.args.empty() && !last) throw Error("exec requires the name or ID of a container or the --latest flag");
    auto& store = ctx.store();
    auto cfg = last ? latest_container(store) : find_container(store, ctx.args[0]);
    if (last) ctx.args.insert(ctx.args.begin(), cfg.id);  // with --latest every argument is the command
    if (ctx.args.size() < 2) {
        // Podman checks the state first, then the command.
        engine::ExecOptions none;
        none.argv.clear();
        return engine::exec_in_container(store, cfg, none);
    }
    std::string session;
    int code = engine::exec_in_container(store, cfg, exec_options(ctx), &session);
    if (ctx.flags.get_bool("detach")) std::printf("%s\n", session.c_str());
    return code;
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
