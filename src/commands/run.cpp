// `run` and `create` (also `container run`, `container create`).
#include <cstdio>

#include "base/error.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "src/engine/container_create.hpp"
#include "src/commands/create_flags.hpp"
#include "src/engine/lifecycle.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using cli::Context;

namespace {

storage::ContainerConfig create_from(Context& ctx) {
    engine::CreateOptions opts = create_options(ctx.flags, ctx.args);
    opts.create_command = engine::own_command_line();
    return engine::create_container(ctx.store(), opts);
}

int create_cmd(Context& ctx) {
    auto cfg = create_from(ctx);
    std::printf("%s\n", cfg.id.c_str());
    return 0;
}

int run_cmd(Context& ctx) {
    bool detach = ctx.flags.get_bool("detach");
    auto& store = ctx.store();
    auto cfg = create_from(ctx);
    engine::StartOptions so;
    so.attach = !detach;
    so.interactive = cfg.interactive;
    so.sig_proxy = cfg.sig_proxy;
    try {
        int code = engine::start_container(store, cfg, so);
        if (detach) std::printf("%s\n", cfg.id.c_str());
        return code;
    } catch (const Error&) {
        // A container that never ran is not kept around for --rm.
        if (cfg.remove) {
            try {
                engine::remove_container(store, cfg, true, 0);
            } catch (const Error&) {
            }
        }
        throw;
    }
}

}  // namespace

void register_run(cli::CommandTable& t) {
    cli::Command run;
    run.path = "run";
    run.use = "[options] IMAGE [COMMAND [ARG...]]";
    run.short_help = "Run a command in a new container";
    run.long_help = "Runs a command in a new container from the given image";
    run.examples = {"burrow run imageID ls -alF /etc", "burrow run --network=host imageID dnf -y install java",
                    "burrow run --volume /var/hostdir:/var/ctrdir -i -t fedora /bin/bash"};
    run.flags = create_flags();
    for (auto& f : run_only_flags()) run.flags.push_back(f);
    run.flags.push_back(help_flag());
    run.min_args = 1;
    run.interspersed = false;
    run.handler = run_cmd;
    t.add(run);
    run.path = "container run";
    t.add(run);

    cli::Command create;
    create.path = "create";
    create.use = "[options] IMAGE [COMMAND [ARG...]]";
    create.short_help = "Create but do not start a container";
    create.long_help = "Creates a new container from the given image or storage and prepares it for running the specified command.\n\n"
                       "  The container ID is then printed to stdout. You can then start it at any time with the burrow start <container_id>\n"
                       "  command. The container will be created with the initial state 'created'.";
    create.examples = {"burrow create alpine ls", "burrow create --annotation HELLO=WORLD alpine ls",
                       "burrow create -t -i --name myctr alpine ls"};
    create.flags = create_flags();
    create.flags.push_back(help_flag());
    create.min_args = 1;
    create.interspersed = false;
    create.handler = create_cmd;
    t.add(create);
    create.path = "container create";
    t.add(create);
}

}  // namespace burrow::commands
