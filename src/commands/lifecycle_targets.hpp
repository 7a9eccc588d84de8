// Which containers start/stop/kill/rm/restart act on, chosen as Podman 4.3 does: the arguments
// (every one looked up before anything is done), --cidfile files, --all, or --filter.
#pragma once
#include <string>
#include <vector>

#include "src/cli/options.hpp"
#include "storage/container_store.hpp"

namespace burrow::storage {
class Store;
}

namespace burrow::commands {

struct Target {
    storage::ContainerConfig cfg;
    std::string raw;  // what is printed for it: the argument as typed, or the full id
};

struct TargetQuery {
    std::vector<std::string> names;
    bool all = false;
    bool latest = false;               // --latest: the newest container, printed by its id
    std::vector<std::string> filters;  // key=value
    bool ignore_missing = false;       // --ignore (and rm --force): missing names are skipped
    int missing_code = 125;            // exit code of "no container with name or ID"
};

// Throws the first lookup error (with missing_code) unless missing names are ignored; nothing is
// done to any container before that.
std::vector<Target> select_targets(storage::Store& store, const TargetQuery& q);

// The first line of each --cidfile ("reading CIDFile: open F: no such file or directory").
std::vector<std::string> read_cidfiles(const std::vector<std::string>& files);

// Podman's CheckAllLatestAndIDFile: --filter takes no arguments, --all, --latest and --cidfile
// exclude each other and arguments, and something must be named. `cidfile_flag` false: no --cidfile.
void check_all_and_cidfile(const cli::ParsedFlags& f, size_t nargs, bool cidfile_flag);

}  // namespace burrow::commands
