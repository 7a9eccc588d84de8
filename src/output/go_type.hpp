// What a Go template sees of Podman's data: the Go types behind the JSON burrow prints.
//
// Podman's --format templates address the field names of its Go structs (`.ID`, `.Host.OCIRuntime`,
// `.Store.GraphRoot`), while its JSON uses the `json:"..."` tags (`Id`, `ociRuntime`, `graphRoot`).
// burrow keeps one JSON document per object and describes, per struct type, each Go field and the
// JSON key it is stored under, so that one document serves both `--format json` (keys) and
// `--format '{{.Field}}'` (Go names), and a field the struct lacks fails as Go's template does.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace burrow::output {

struct GoType;

struct GoField {
    std::string name;            // Go field name
    std::string key;             // JSON key it is stored under
    const GoType* type = nullptr;  // nullptr: any value (a map or scalar as the JSON has it)
};

struct GoType {
    enum Kind { Struct, Slice, Map, String, Int, Bool, Float } kind = Struct;
    std::string name;               // as Go's errors name it: "*entities.ImageInspectReport", "*define.HostInfo"
    std::vector<GoField> fields;    // Struct: in declaration order
    const GoType* elem = nullptr;   // Slice / Map: element type (nullptr: any)

    const GoField* field(std::string_view go_name) const;
};

// A registered type by name ("*entities.ImageInspectReport"), or nullptr.
const GoType* go_type(std::string_view name);

// Registers struct types from a compact spec, one entry per type:
//   {"define.HostInfo", "Arch=arch BuildahVersion=buildahVersion Conmon=conmon:*define.ConmonInfo ..."}
// A field is NAME[=json key][:type]; the key defaults to NAME; the type is a registered struct
// name, "[]T" (slice of T), "map[T]" (map to T), string, int, bool, float, or absent (any).
// Types may refer to each other in any order; unknown names fail loudly at first use.
void register_go_types(const std::vector<std::pair<std::string, std::string>>& specs);

}  // namespace burrow::output
