// Each command family adds its entries to the table.
#pragma once
#include "src/cli/command.hpp"

namespace burrow::commands {
void register_images(cli::CommandTable& t);        // images, image ls, inspect, image inspect
void register_image_manage(cli::CommandTable& t);  // tag, untag, rmi, image rm, image prune
void register_pull(cli::CommandTable& t);          // pull, image pull
void register_system(cli::CommandTable& t);        // system df, info, version
void register_system_info(cli::CommandTable& t);   // info, version (system_info.cpp; called by register_system)
void register_login(cli::CommandTable& t);         // login, logout
void register_unshare(cli::CommandTable& t);       // unshare
void register_completion(cli::CommandTable& t);    // completion
void register_run(cli::CommandTable& t);                     // run, create
void register_lifecycle(cli::CommandTable& t);               // start, stop, kill, restart, rm, wait, attach
void register_exec(cli::CommandTable& t);                    // exec
void register_ps(cli::CommandTable& t);                      // ps, container ls
void register_container_inspect(cli::CommandTable& t);       // container inspect (and containers in inspect)
void register_logs(cli::CommandTable& t);                    // logs
void register_container_misc(cli::CommandTable& t);          // port, rename, top, container prune
void register_volume(cli::CommandTable& t);                  // volume create/ls/inspect/rm/prune/exists
void register_exists(cli::CommandTable& t);                  // image exists, container exists
void register_image_sign(cli::CommandTable& t);              // image sign
void register_system_prune(cli::CommandTable& t);            // system prune, system reset
void register_cp(cli::CommandTable& t);                      // cp
void register_events(cli::CommandTable& t);                  // events, system events
}  // namespace burrow::commands
