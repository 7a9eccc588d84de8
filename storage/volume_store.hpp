// Named volumes (Podman's "local" driver): volumes/<name>/_data plus volume.json, under the
// store's lock (exclusive to change, shared to read).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace burrow::storage {

class Store;

struct VolumeRecord {
    std::string name;
    std::string driver = "local";
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> options;
    int64_t created = 0;  // unix nanoseconds
    bool anonymous = false;
    bool needs_copy_up = true;
    bool needs_chown = true;
    int uid = 0, gid = 0;  // -o o=uid=N,gid=N: owner of _data at create (Podman's UID/GID, 0 = unset)
    unsigned mount_count = 0;  // `volume mount`s not yet unmounted (containers are counted live)
};

// Podman's rule: a local volume needs a mount when it has options beyond uid, gid, size, noquota,
// copy and nocopy (type=tmpfs, device=…, o=…).
bool volume_needs_mount(const VolumeRecord& v);

class VolumeStore {
public:
    explicit VolumeStore(Store& store);

    std::string data_dir(const std::string& name) const;  // volumes/<name>/_data

    // Creates a volume ("" = a generated 64-hex anonymous name). Podman's errors for an invalid
    // or existing name (exit 125).
    VolumeRecord create(const std::string& name, const std::map<std::string, std::string>& labels,
                        const std::map<std::string, std::string>& options, bool anonymous = false);
    // The same from a filled-in record (name "" = anonymous; labels, options, uid/gid, the
    // copy-up and chown flags are kept; created is set here).
    VolumeRecord create(VolumeRecord v);
    std::vector<VolumeRecord> list() const;
    std::optional<VolumeRecord> get(const std::string& name) const;
    // Rewrites the record of an existing volume (copy-up and chown flags, mount count).
    void update(const VolumeRecord& v);
    // Removes the record and its data. The caller checked that no container uses it.
    void remove(const std::string& name);
    // The data dir of `name`, creating the volume when it does not exist (used by run -v NAME:/dst).
    std::string ensure(const std::string& name);
    // Names of the containers whose config mounts volume `name`.
    std::vector<std::string> users(const std::string& name) const;
    // Containers using `name` that are running now.
    unsigned running_users(const std::string& name) const;

private:
    Store& store_;
};

// "[a-zA-Z0-9][a-zA-Z0-9_.-]*"
bool valid_volume_name(const std::string& name);

}  // namespace burrow::storage
