// The values a template works on and its built-in functions (internal to src/output).
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace burrow::output {
struct GoType;
}

namespace burrow::output::tmpl {

// A value and the Go type it stands for (nullptr: untyped JSON, e.g. a map's value).
struct Val {
    nlohmann::json v;
    const GoType* t = nullptr;
};

// A function's failure; the executor adds where it happened.
struct FuncError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// "no value": what Go prints for a missing map key.
inline nlohmann::json no_value() { return nlohmann::json(nlohmann::json::value_t::discarded); }

// An untyped object whose keys all start with an upper-case letter stands for a Go struct
// (the rows of the list commands are built that way).
bool looks_like_struct(const nlohmann::json& v);
std::string go_type_name(const nlohmann::json& v);
bool truthy(const Val& v);
// fmt.Sprint of a value; `top` prints a pointer to a struct as "&{...}" as fmt does.
std::string print(const Val& v, bool top);
Val call_func(const std::string& name, const std::vector<Val>& args);

}  // namespace burrow::output::tmpl
