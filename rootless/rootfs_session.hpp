// Working in the rootfs of a container that is not running (cp to or from a created or exited
// container): a child process enters the container's user namespace (the shared one, or a
// single-id one of its own), makes a private mount namespace, mounts the rootfs exactly as the
// container's start would (the plan's first op), chroots into it and runs `fn`. The mount lives
// and dies with that child: nothing is left mounted on the host.
#pragma once
#include <functional>

#include "rootless/container_process.hpp"

namespace burrow::rootless {

// `spec` as prepared for a start (only join_userns, lower_base and mounts[0] are used). Returns
// fn's result, or throws with the child's error message. fds opened before reach the host. The
// caller must be single-threaded.
int run_in_stopped_rootfs(const ProcessSpec& spec, const IdMapping& map, const std::function<int()>& fn);

}  // namespace burrow::rootless
