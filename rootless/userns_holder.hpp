// The user's shared user namespace, kept alive by a small holder process (what Podman's pause
// process is). Containers are created inside it instead of in a fresh user namespace each, so a
// start runs no newuidmap/newgidmap (two setuid programs, most of a start's cost).
//
// runroot/userns.json records the holder (pid, start time, the map it was made with); a holder
// that is gone or was made with another map is replaced. runroot/userns.lock serialises that.
#pragma once
#include <string>

#include "base/fd.hpp"
#include "base/idmap.hpp"

namespace burrow::rootless {

// An fd of the holder's /proc/PID/ns/user for `map`, starting the holder when needed.
// Invalid fd when no holder can be had (the caller then makes its own namespace).
UniqueFd shared_userns(const IdMapping& map, const std::string& runroot);

// Ends the recorded holder of `runroot` (system reset), if it still runs; no-op otherwise.
void stop_shared_userns(const std::string& runroot);

// Entry point of the hidden `__pause` subcommand: the holder itself.
int pause_helper_main(int argc, char** argv);

}  // namespace burrow::rootless
