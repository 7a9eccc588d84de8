// burrow is two executables built from one command table: `burrow` (containers, images, the
// store: starts fast, links no network or archive library) and `burrow-pull` (the registry side:
// libcurl, libarchive, decompressors). Commands that talk to a registry are handed from the first
// to the second with the same argv. Each binary links one definition of these.
#pragma once
#include <string>
#include <vector>

namespace burrow::cli {

// True in `burrow` for commands that run in burrow-pull (pull, image pull, login).
bool runs_in_pull_binary(const std::string& command_path);

// The burrow-pull executable beside this one (or in ../libexec/burrow); throws when missing.
std::string pull_binary();

// execv of burrow-pull with `argv` (argv[0] replaced); returns only by throwing.
[[noreturn]] void exec_pull_binary(const std::vector<std::string>& argv);

}  // namespace burrow::cli
