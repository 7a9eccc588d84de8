// Each command family adds its entries to the table.
#pragma once
#include "src/cli/command.hpp"

namespace burrow::commands {
void register_images(cli::CommandTable& t);        // images, image ls, inspect, image inspect
void register_image_manage(cli::CommandTable& t);  // tag, untag, rmi, image rm, image prune
void register_pull(cli::CommandTable& t);          // pull, image pull
void register_system(cli::CommandTable& t);        // system df, info, version
void register_login(cli::CommandTable& t);         // login, logout
void register_unshare(cli::CommandTable& t);       // unshare
void register_completion(cli::CommandTable& t);    // completion
}  // namespace burrow::commands
