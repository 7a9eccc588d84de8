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
};

class VolumeStore {
public:
    explicit VolumeStore(Store& store);

    std::string data_dir(const std::string& name) const;  // volumes/<name>/_data

    // Creates a volume ("" = a generated 64-hex anonymous name). Podman's errors for an invalid
    // or existing name (exit 125).
    VolumeRecord create(const std::string& name, const std::map<std::string, std::string>& labels,
                        const std::map<std::string, std::string>& options, bool anonymous = false);
    std::vector<VolumeRecord> list() const;
    std::optional<VolumeRecord> get(const std::string& name) const;
    // Removes the record and its data. The caller checked that no container uses it.
    void remove(const std::string& name);
    // The data dir of `name`, creating the volume when it does not exist (used by run -v NAME:/dst).
    std::string ensure(const std::string& name);
    // Names of the containers whose config mounts volume `name`.
    std::vector<std::string> users(const std::string& name) const;

private:
    Store& store_;
};

// "[a-zA-Z0-9][a-zA-Z0-9_.-]*"
bool valid_volume_name(const std::string& name);

}  // namespace burrow::storage
