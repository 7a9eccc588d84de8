#pragma once
#include <string>
#include <vector>

#include "src/cli/command.hpp"

namespace burrow::cli {
// The completion script for `shell` (bash, zsh or fish); throws Error for another shell.
std::string completion_script(const CommandTable& table, const std::vector<FlagSpec>& globals, const std::string& shell);
}  // namespace burrow::cli
