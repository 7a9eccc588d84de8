// The network half of `login`: checking credentials against the registry. Only the registry-side
// binary (burrow-pull) has it; `burrow login` hands the whole command to that binary.
#pragma once
#include <string>

#include "pull/auth.hpp"
#include "src/cli/command.hpp"

namespace burrow::commands {

// Throws Error("logging into \"KEY\": …") when the registry refuses the credentials.
void verify_login(const cli::Context& ctx, const std::string& key, const pull::Credentials& creds);

}  // namespace burrow::commands
