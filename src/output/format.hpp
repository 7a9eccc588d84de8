// Podman's --format handling for lists and inspect output: "json", "{{json .}}", "table ...",
// Go templates with "\t"/"\n" escapes, and Go-style indented JSON.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace burrow::output {

// "json" (any case, surrounding spaces) or "{{json .}}" / "{{ json . }}".
bool is_json_format(const std::string& format);

// What a user's --format means: the template body, whether "table" asked for headers.
struct ParsedFormat {
    std::string body;  // with "\t" / "\n" escapes turned into characters, ending in '\n'
    bool table = false;
};
// `default_table` is used for "" and for a bare "table".
ParsedFormat parse_format(const std::string& format, const std::string& default_table);

// Headers for a template's fields: "CreatedSince" -> "CREATED SINCE" unless `overrides` names it.
nlohmann::json header_row(const std::vector<std::string>& fields,
                          const std::vector<std::pair<std::string, std::string>>& overrides);

// Renders rows with a format. A table prints a header line (unless `noheading`) and aligns the
// columns as Go's tabwriter; a plain template prints each row as it is.
std::string render_rows(const ParsedFormat& fmt, const std::vector<nlohmann::json>& rows, const nlohmann::json& headers,
                        bool noheading, const std::string& template_name, const std::string& type_name = "");

// json.MarshalIndent(v, "", indent) as Go writes it: `indent` spaces per level, "[]"/"{}" for
// empty containers, and <, >, & escaped as \u003c, \u003e, \u0026.
std::string go_json(const nlohmann::json& v, int indent);
// The same for data whose key order matters (Go structs marshal in field order).
std::string go_json(const nlohmann::ordered_json& v, int indent);

}  // namespace burrow::output
