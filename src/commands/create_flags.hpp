// The flags of `run` and `create` (Podman 4.3's names, shorthands, defaults and usage texts) and
// their conversion into engine::CreateOptions. Pure: no store, no I/O.
#pragma once
#include <string>
#include <vector>

#include "src/cli/options.hpp"
#include "src/engine/create_options.hpp"

namespace burrow::commands {

// Flags both commands take; `run` adds its own (-d, ...) with run_only_flags().
std::vector<cli::FlagSpec> create_flags();
std::vector<cli::FlagSpec> run_only_flags();

// The options the flags ask for; args[0] is the image as typed, the rest the command.
// Values a flag's type cannot hold fail (Error, 125) as pflag words it ("invalid argument ...").
engine::CreateOptions create_options(const cli::ParsedFlags& flags, const std::vector<std::string>& args);

}  // namespace burrow::commands
