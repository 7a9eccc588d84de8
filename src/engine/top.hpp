// `top`: the processes of a running container, read from the host's /proc (no binary of the
// container's runs, so an image's own ps or nsenter cannot lie), with ids as seen inside and the
// container's user and group names.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "storage/container_store.hpp"

namespace burrow::storage {
class Store;
}

namespace burrow::engine {

struct TopProcess {
    pid_t host_pid = 0, host_ppid = 0;
    pid_t pid = 0;                      // in the container's pid namespace
    uint32_t uid = 0, gid = 0;          // as seen from the host
    uint32_t inner_uid = 0, inner_gid = 0;  // as seen inside (through the container's id maps)
    uint64_t utime = 0, stime = 0, start = 0;  // clock ticks
    int tty_nr = 0;
    std::string comm, args;
};

struct TopSnapshot {
    std::vector<TopProcess> processes;  // ordered by pid
    std::map<uint32_t, std::string> user_names, group_names;  // the container's /etc/passwd, /etc/group
};

// Throws Podman's "top can only be used on running containers" (125) otherwise.
TopSnapshot container_top(storage::Store& store, const storage::ContainerConfig& cfg);

}  // namespace burrow::engine
