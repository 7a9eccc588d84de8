// The host's device nodes a rootless --privileged container gets bound in, since a user
// namespace cannot create device nodes.
#pragma once
#include <string>
#include <vector>

#include "rootless/mount_plan.hpp"

namespace burrow::rootless {

// Character and block devices under `dev` (subdirectories included, symlinks not), leaving out
// what every container has or must not share: ptmx (the container has its own devpts), the
// terminals (tty*, console) and the nodes the mount plan always binds (null, zero, full, random,
// urandom). Sorted; a directory that cannot be read is skipped.
std::vector<std::string> host_device_nodes(const std::string& dev = "/dev");

// --device HOST[:CONTAINER][:PERMS] (PERMS of r, w, m; CONTAINER defaults to HOST).
DeviceMount parse_device(const std::string& spec);

// Adds host_device_nodes() to `devices`, except paths the container already gets a device at.
void add_privileged_devices(std::vector<DeviceMount>& devices);

}  // namespace burrow::rootless
