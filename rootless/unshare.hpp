// `burrow unshare`: a command in the user namespace (and a private mount namespace), as
// `podman unshare` does, so a user can inspect or remove files owned by subordinate ids.
#pragma once

namespace burrow::rootless {

// Entry point of the hidden `__unshare` subcommand (argv[1..] is the command). Runs inside the
// user namespace: makes a private mount namespace, then execvp. Returns only on failure:
// 127 when the command is not found, 126 when it cannot be executed, 125 otherwise.
int unshare_helper_main(int argc, char** argv);

}  // namespace burrow::rootless
