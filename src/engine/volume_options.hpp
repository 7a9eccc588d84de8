// `volume create` options as Podman 4.3 reads them (pure): `-o KEY=VALUE` of the local driver
// (type, device, o, copy, nocopy …; o's uid=, gid=, size=, inodes=, noquota, timeout= handled
// apart), and the mount a volume with options becomes when a container starts.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "storage/container_store.hpp"
#include "storage/volume_store.hpp"

namespace burrow::engine {

struct VolumeCreateOptions {
    std::string name;    // "" = a generated name
    std::string driver;  // "" or "local"
    std::map<std::string, std::string> labels;
    std::vector<std::string> options;  // "-o" values as given: KEY=VALUE or KEY
};

// The record `volume create` writes, with Podman's errors for bad options (exit 125). Checks
// device= of type=bind on the host (stat), as Podman does at create.
storage::VolumeRecord volume_record_from(const VolumeCreateOptions& o);

// What mounting a volume with options means (Podman runs mount(8) with these).
struct VolumeMountData {
    std::string fstype;  // "tmpfs", … ("" with bind)
    std::string device;  // device= (or the type, for tmpfs and friends)
    bool bind = false;   // type=bind (or o=bind/rbind)
    bool recursive = false;
    unsigned long flags = 0;  // MS_* from o= (ro, nosuid, nodev, noexec, noatime, …)
    std::string data;         // the rest of o=, comma-joined, for the filesystem
};
VolumeMountData volume_mount_data(const storage::VolumeRecord& v);

// The image's VOLUMEs per --image-volume / image_volume_mode: "bind" = an anonymous volume each,
// "tmpfs" = a tmpfs each, "ignore" = none; a destination the user mounts already is left alone.
void add_image_volumes(std::vector<storage::MountSpec>& mounts, const std::vector<std::string>& image_volumes,
                       const std::string& mode);

}  // namespace burrow::engine
