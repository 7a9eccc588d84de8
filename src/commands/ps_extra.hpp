// What `ps --ns`, `ps --size` and `ps --pod` add to a row, and their tables, as Podman 4.3 shows them.
#pragma once
#include <nlohmann/json.hpp>

#include "src/commands/container_view.hpp"

namespace burrow::storage {
class Store;
}

namespace burrow::commands {

// The namespaces of a running container's process, by /proc/PID/ns inode ("" when not running),
// under the keys of Podman's ps Namespaces (Cgroup, IPC, MNT, NET, PIDNS, User, UTS).
nlohmann::json namespaces_of(const ContainerView& v);

struct ContainerSize {
    long long rw = 0;       // the files the container wrote (its upper dir)
    long long rootfs = 0;   // its image's layers plus rw
};
ContainerSize container_size(storage::Store& store, const ContainerView& v);
// "12B (virtual 4.86MB)"
std::string size_text(const ContainerSize& s);

// The default table for the columns asked for.
std::string ps_table(bool ns, bool size, bool pod);

}  // namespace burrow::commands
