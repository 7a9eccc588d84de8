#include "src/output/go_type.hpp"

#include <map>
#include <memory>
#include <mutex>

#include "base/error.hpp"
#include "base/strings.hpp"

namespace burrow::output {

// Podman's own types (podman_types.cpp).
const std::vector<std::pair<std::string, std::string>>& podman_type_specs();

namespace {

struct Registry {
    std::map<std::string, std::unique_ptr<GoType>, std::less<>> types;
    // Field type names waiting for resolution: (type, field index, type name).
    Registry() {
        add_scalar("string", GoType::String);
        add_scalar("int", GoType::Int);
        add_scalar("bool", GoType::Bool);
        add_scalar("float", GoType::Float);
    }
    void add_scalar(const std::string& n, GoType::Kind k) {
        auto t = std::make_unique<GoType>();
        t->kind = k;
        t->name = n;
        types[n] = std::move(t);
    }
    // "[]T", "map[T]", a scalar or a registered struct; composite types are made on demand.
    const GoType* resolve(const std::string& n) {
        if (auto it = types.find(n); it != types.end()) return it->second.get();
        auto t = std::make_unique<GoType>();
        if (n.rfind("[]", 0) == 0) {
            t->kind = GoType::Slice;
            t->elem = resolve(n.substr(2));
            t->name = n;
        } else if (n.rfind("map[", 0) == 0 && n.back() == ']') {
            t->kind = GoType::Map;
            t->elem = resolve(n.substr(4, n.size() - 5));
            t->name = "map[string]" + n.substr(4, n.size() - 5);
        } else {
            throw Error("internal error: Go type " + n + " is not described");
        }
        const GoType* p = t.get();
        types[n] = std::move(t);
        return p;
    }
};

Registry& registry() {
    static Registry r;
    return r;
}

void register_locked(Registry& r, const std::vector<std::pair<std::string, std::string>>& specs) {
    std::vector<std::pair<GoField*, std::string>> pending;
    for (const auto& [name, spec] : specs) {
        auto t = std::make_unique<GoType>();
        t->kind = GoType::Struct;
        t->name = name;
        for (const auto& item : split(spec, ' ')) {
            if (item.empty()) continue;
            GoField f;
            std::string rest = item;
            size_t colon = rest.find(':');
            std::string type_name = colon == std::string::npos ? "" : rest.substr(colon + 1);
            rest = rest.substr(0, colon);
            size_t eq = rest.find('=');
            f.name = rest.substr(0, eq);
            f.key = eq == std::string::npos ? f.name : rest.substr(eq + 1);
            t->fields.push_back(std::move(f));
            if (!type_name.empty()) pending.emplace_back(nullptr, type_name);
            else pending.emplace_back(nullptr, "");
        }
        // Field addresses are stable once the vector is complete.
        size_t first = pending.size() - t->fields.size();
        for (size_t i = 0; i < t->fields.size(); ++i) pending[first + i].first = &t->fields[i];
        r.types[name] = std::move(t);
    }
    for (auto& [field, type_name] : pending)
        if (!type_name.empty()) field->type = r.resolve(type_name);
}

std::once_flag podman_once;

}  // namespace

const GoField* GoType::field(std::string_view go_name) const {
    for (const auto& f : fields)
        if (f.name == go_name) return &f;
    return nullptr;
}

void register_go_types(const std::vector<std::pair<std::string, std::string>>& specs) {
    register_locked(registry(), specs);
}

const GoType* go_type(std::string_view name) {
    std::call_once(podman_once, [] { register_locked(registry(), podman_type_specs()); });
    auto& r = registry();
    auto it = r.types.find(name);
    return it == r.types.end() ? nullptr : it->second.get();
}

}  // namespace burrow::output
