// `unshare`: run a command (default: the user's shell) as root of burrow's user namespace.
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>

#include "base/error.hpp"
#include "rootless/userns.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

namespace {

int unshare_cmd(cli::Context& ctx) {
    if (ctx.flags.get_bool("rootless-netns"))  // slirp runs per container: there is no shared one to join
        throw Error("--rootless-netns: burrow has no rootless network namespace to join (each container has its own network)");
    auto& store = ctx.store();
    std::vector<std::string> args{"__unshare"};
    if (ctx.args.empty()) {
        const char* shell = std::getenv("SHELL");
        args.push_back(shell && *shell ? shell : "/bin/sh");
    } else {
        args.insert(args.end(), ctx.args.begin(), ctx.args.end());
    }
    // What podman unshare exports, so scripts can find the store from inside.
    ::setenv("CONTAINERS_GRAPHROOT", store.root().c_str(), 1);
    ::setenv("CONTAINERS_RUNROOT", store.options().runroot.c_str(), 1);
    auto child = rootless::spawn_in_userns(store.idmap(), args, {});
    // The terminal's Ctrl-C reaches the child too (same process group); we only wait for it.
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGQUIT, SIG_IGN);
    int status = child.wait();
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return kExitEngine;
}

}  // namespace

void register_unshare(cli::CommandTable& t) {
    cli::Command c;
    c.path = "unshare";
    c.use = "[options] [COMMAND [ARG...]]";
    c.short_help = "Run a command in a modified user namespace";
    c.long_help =
        "Runs a command in a new user namespace configured like the one burrow uses for its store, "
        "with a private mount namespace. Without a command, runs $SHELL.";
    c.examples = {"burrow unshare id", "burrow unshare cat /proc/self/uid_map",
                  "burrow unshare rm -rf ~/.local/share/burrow"};
    c.flags = {bool_flag("rootless-netns", 0, "Join the rootless network namespace used for CNI and netavark networking"),
               help_flag()};
    c.interspersed = false;
    c.handler = unshare_cmd;
    t.add(std::move(c));
}

}  // namespace burrow::commands
