// From a container's record to what its process needs: the id map, the mount plan, the
// credentials, the seccomp program and the /etc files, prepared before the clone.
#pragma once
#include <string>

#include "base/fd.hpp"

#include "net/network_options.hpp"
#include "rootless/container_process.hpp"
#include "base/idmap.hpp"
#include "storage/container_store.hpp"

namespace burrow::storage {
class Store;
}

namespace burrow::engine {

struct PreparedContainer {
    rootless::ProcessSpec spec;
    IdMapping map;
    UniqueFd userns;  // the shared user namespace the container is made in (when valid)
    net::NetworkMode network;
};

// The id map of a container (--userns).
IdMapping container_idmap(const storage::Store& store, const storage::ContainerConfig& cfg);

// Writes userdata/{hostname,hosts,resolv.conf} and fills everything of the spec except stdio and
// the network's sockets (the lifecycle makes those).
PreparedContainer prepare_container(storage::Store& store, const storage::ContainerConfig& cfg);

}  // namespace burrow::engine
