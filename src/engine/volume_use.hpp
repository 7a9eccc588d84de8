// Named volumes at a container's start, as Podman 4.3 treats them: a volume with options is
// mounted in the container's mount namespace (tmpfs, or a bind of device=); at its first use the
// image's content at the destination is copied up into an empty volume (NeedsCopyUp) and the
// volume's root takes the container user's ids, then the destination's owner and mode
// (NeedsChown). Also: running a function as root of the store's user namespace (export/import).
#pragma once
#include <functional>

#include "rootless/mount_plan.hpp"
#include "storage/container_store.hpp"
#include "storage/volume_store.hpp"

namespace burrow::engine {

struct PreparedContainer;

// `v` (destination and flags set) completed for named volume `rec`.
void complete_volume_mount(const storage::VolumeStore& vs, const storage::VolumeRecord& rec, rootless::VolumeMount& v);

// Before a start: copy-up and chown of the named volumes that still need them (one child with the
// container's rootfs mounted, only when some volume does), then their records are updated.
void first_use_of_volumes(storage::Store& store, const storage::ContainerConfig& cfg, const PreparedContainer& prep);

// Runs `fn` in a child as root of the store's user namespace (the shared one, or a single-id one
// without subordinate ids); fds opened before reach it. Returns fn's result, throws its error.
int run_in_store_userns(storage::Store& store, const std::function<int()>& fn);

// MountCount as Podman reports it: for a volume that needs a mount, the running containers that use
// it plus its `volume mount`s; 0 otherwise.
unsigned volume_mount_count(const storage::VolumeStore& vs, const storage::VolumeRecord& rec);

}  // namespace burrow::engine
