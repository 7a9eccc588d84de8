// `create` (and the first half of `run`): image lookup (pulling per --pull), the config from
// flags and image, and the record in the store.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "src/engine/create_options.hpp"
#include "storage/container_store.hpp"

namespace burrow::storage {
class Store;
}

namespace burrow::engine {

// Creates the container and returns its config (id and name filled in). Errors leave nothing
// behind.
storage::ContainerConfig create_container(storage::Store& store, const CreateOptions& opts);

// Reads a file of an image's merged rootfs from its layers (top first, whiteouts honoured);
// nullopt when absent.
std::optional<std::string> read_layered_file(const storage::Store& store, const std::vector<std::string>& layers,
                                             const std::string& path);

// argv of this process, for CreateCommand.
std::vector<std::string> own_command_line();

}  // namespace burrow::engine
