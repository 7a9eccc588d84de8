// From a container's record to what its process needs: the id map, the mount plan, the
// credentials, the seccomp program and the /etc files, prepared before the clone.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "base/fd.hpp"

#include "net/network_options.hpp"
#include "src/engine/container_files.hpp"
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

// The credentials path a container's first process and an exec'd one share: the user's ids and
// groups (those the namespace maps; an id it cannot represent fails with a clear line), the
// capabilities, no_new_privs and the seccomp program. `privileged` is the container's or exec's.
void set_process_credentials(rootless::ProcessSpec& spec, const storage::Store& store,
                             const storage::ContainerConfig& cfg, const IdMapping& map, uint32_t uid, uint32_t gid,
                             const std::vector<uint32_t>& groups, bool privileged);

// Writes userdata/{hostname,hosts,resolv.conf} and fills everything of the spec except stdio and
// the network's sockets (the lifecycle makes those).
PreparedContainer prepare_container(storage::Store& store, const storage::ContainerConfig& cfg);

}  // namespace burrow::engine
