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

// Podman's inspectNormalize of a --format: "{{ .Id }}" -> "{{.ID}}", ".Src" -> ".Source", ".Dst" ->
// ".Destination", ".ImageID" -> ".Image", and for `image inspect` (`image_type`) also
// ".Config.Healthcheck" -> ".HealthCheck". Plain text replacement, as Podman does it.
std::string inspect_normalize(const std::string& format, bool image_type);

// Podman's end of an inspect: prints `out`, then fails with the first of `missing` (an object not
// found) and `print_error` (the template failed while executing, "printing inspect output: ..."),
// as "inspecting object: ..."; the second, when both are set, goes to stderr before it.
void finish_inspect(const std::string& out, const std::string& missing, const std::string& print_error);

}  // namespace burrow::commands
