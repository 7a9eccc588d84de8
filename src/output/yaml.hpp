// JSON data printed as YAML the way Podman's `info` prints it (go-yaml v2): keys sorted, sequences
// not indented under their key, strings quoted only where YAML would misread them.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace burrow::output {

std::string to_yaml(const nlohmann::json& v);

// A copy with every object key's first letter upper-cased ("graphRoot" -> "GraphRoot"), so Go-style
// templates ({{.Store.GraphRoot}}) work on data whose JSON keys are camel-case.
nlohmann::json capitalize_keys(const nlohmann::json& v);

// go-units HumanSize: 4 significant digits, no space: "5.959MB", "0B".
std::string human_size_compact(double bytes);

}  // namespace burrow::output
