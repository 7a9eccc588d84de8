// The container's filesystem for cp: a running container's own mount namespace, or, for a
// created or exited one, its rootfs mounted in a private namespace as start mounts it.
#pragma once
#include <functional>

#include "storage/container_store.hpp"

namespace burrow::storage {
class Store;
}

namespace burrow::engine {

// Runs `fn` in a child whose "/" is the container's filesystem (as root of its user namespace);
// fds opened before reach the host. A stopped container is held under its lock meanwhile, so it
// cannot start while its rootfs is mounted for the copy. Returns fn's result or throws its error.
int run_in_container_fs(storage::Store& store, const storage::ContainerConfig& cfg, const std::function<int()>& fn);

}  // namespace burrow::engine
