// Containers in `inspect` and `container inspect`.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "storage/store.hpp"

namespace burrow::commands {

// The inspect document of the container `ref` names (id, name or unique id prefix); nullopt when
// there is none.
std::optional<nlohmann::ordered_json> inspect_container(storage::Store& store, const std::string& ref);

// That document as --format templates see it (times as Go prints them).
nlohmann::json container_template_data(const nlohmann::ordered_json& doc);

}  // namespace burrow::commands
