// registries.conf: v2 (and the old v1) TOML formats, drop-ins, short-name resolution.
#include "pull/registries_conf.hpp"

#include <algorithm>
#include <cstdlib>
#include <toml++/toml.h>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace burrow::pull {
namespace {

[[noreturn]] void conf_error(const std::string& origin, const std::string& what) {
    throw Error("loading registries configuration \"" + origin + "\": " + what);
}

std::vector<std::string> string_array(const toml::node* n, const std::string& key, const std::string& origin) {
    std::vector<std::string> out;
    if (!n) return out;
    const auto* arr = n->as_array();
    if (!arr) conf_error(origin, "\"" + key + "\" must be an array of strings");
    for (const auto& e : *arr) {
        auto v = e.value<std::string>();
        if (!v) conf_error(origin, "\"" + key + "\" must be an array of strings");
        out.push_back(*v);
    }
    return out;
}

bool get_bool(const toml::table& t, const char* key, const std::string& origin) {
    const auto* n = t.get(key);
    if (!n) return false;
    auto v = n->value<bool>();
    if (!v) conf_error(origin, std::string("\"") + key + "\" must be a boolean");
    return *v;
}

std::string get_string(const toml::table& t, const char* key, const std::string& origin) {
    const auto* n = t.get(key);
    if (!n) return {};
    auto v = n->value<std::string>();
    if (!v) conf_error(origin, std::string("\"") + key + "\" must be a string");
    return *v;
}

std::string strip_location(std::string s, const std::string& origin) {
    if (s.find("://") != std::string::npos) conf_error(origin, "invalid location '" + s + "': URI schemes are not supported");
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

// v1: [registries.search] registries = [...], [registries.insecure], [registries.block].
void parse_v1(const toml::table& regs, RegistriesConf& c, const std::string& origin) {
    auto section = [&](const char* name) {
        const auto* t = regs.get_as<toml::table>(name);
        return t ? string_array(t->get("registries"), std::string("registries.") + name + ".registries", origin)
                 : std::vector<std::string>{};
    };
    auto entry = [&](const std::string& loc) -> RegistryConf& {
        for (auto& r : c.registries)
            if (r.prefix == loc) return r;
        c.registries.push_back({loc, loc, false, false, {}});
        return c.registries.back();
    };
    if (regs.get("search")) {
        c.unqualified_search_registries = section("search");
        c.search_set = true;
    }
    for (auto& loc : section("insecure")) entry(strip_location(loc, origin)).insecure = true;
    for (auto& loc : section("block")) entry(strip_location(loc, origin)).blocked = true;
}

// "*.example.com" matches any host below example.com.
bool prefix_matches(const std::string& prefix, const std::string& name) {
    if (prefix.rfind("*.", 0) == 0) {
        auto host = name.substr(0, name.find('/'));
        auto suffix = prefix.substr(1);
        return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
    }
    if (name.size() < prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return false;
    return name.size() == prefix.size() || name[prefix.size()] == '/';
}

}  // namespace

RegistriesConf RegistriesConf::parse(std::string_view text, const std::string& origin) {
    RegistriesConf c;
    c.origin = origin;
    toml::table root;
    try {
        root = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        conf_error(origin, "toml: line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
    if (const auto* v1 = root.get_as<toml::table>("registries")) {
        if (root.get("registry") || root.get("unqualified-search-registries"))
            conf_error(origin, "mixing sysregistry v1/v2 is not supported");
        parse_v1(*v1, c, origin);
        return c;
    }
    if (const auto* n = root.get("unqualified-search-registries")) {
        c.unqualified_search_registries = string_array(n, "unqualified-search-registries", origin);
        c.search_set = true;
    }
    if (root.get("short-name-mode")) {
        c.short_name_mode = get_string(root, "short-name-mode", origin);
        if (c.short_name_mode != "enforcing" && c.short_name_mode != "permissive" && c.short_name_mode != "disabled")
            conf_error(origin, "invalid short-name mode \"" + c.short_name_mode + "\"");
        c.mode_set = true;
    }
    if (const auto* n = root.get("aliases")) {
        const auto* t = n->as_table();
        if (!t) conf_error(origin, "\"aliases\" must be a table");
        for (const auto& [k, v] : *t) {
            auto val = v.value<std::string>();
            if (!val) conf_error(origin, "alias \"" + std::string(k.str()) + "\" must be a string");
            auto parsed = parse_reference(*val);
            auto last = val->substr(val->rfind('/') + 1);
            if (!parsed.qualified || val->find('@') != std::string::npos || last.find(':') != std::string::npos)
                conf_error(origin, "alias \"" + std::string(k.str()) + "\": value \"" + *val +
                                       "\" must be a fully-qualified name without tag or digest");
            c.aliases[std::string(k.str())] = *val;
            c.alias_origins[std::string(k.str())] = origin;
        }
    }
    if (const auto* n = root.get("registry")) {
        const auto* arr = n->as_array();
        if (!arr) conf_error(origin, "\"registry\" must be an array of tables ([[registry]])");
        for (const auto& e : *arr) {
            const auto* t = e.as_table();
            if (!t) conf_error(origin, "\"registry\" must be an array of tables ([[registry]])");
            RegistryConf r;
            r.location = strip_location(get_string(*t, "location", origin), origin);
            r.prefix = get_string(*t, "prefix", origin);
            if (r.prefix.empty()) r.prefix = r.location;
            if (r.prefix.empty()) conf_error(origin, "a [[registry]] needs a prefix or a location");
            r.insecure = get_bool(*t, "insecure", origin);
            r.blocked = get_bool(*t, "blocked", origin);
            if (const auto* m = t->get("mirror")) {
                const auto* marr = m->as_array();
                if (!marr) conf_error(origin, "\"mirror\" must be an array of tables ([[registry.mirror]])");
                for (const auto& me : *marr) {
                    const auto* mt = me.as_table();
                    if (!mt) conf_error(origin, "\"mirror\" must be an array of tables ([[registry.mirror]])");
                    r.mirrors.push_back({strip_location(get_string(*mt, "location", origin), origin),
                                         get_bool(*mt, "insecure", origin)});
                }
            }
            // A later entry with the same prefix replaces the earlier one, as in a drop-in.
            auto it = std::find_if(c.registries.begin(), c.registries.end(),
                                   [&](const RegistryConf& x) { return x.prefix == r.prefix; });
            if (it != c.registries.end()) *it = std::move(r);
            else c.registries.push_back(std::move(r));
        }
    }
    return c;
}

void RegistriesConf::merge(const RegistriesConf& other) {
    if (other.search_set) {
        unqualified_search_registries = other.unqualified_search_registries;
        search_set = true;
    }
    if (other.mode_set) {
        short_name_mode = other.short_name_mode;
        mode_set = true;
    }
    for (const auto& [k, v] : other.aliases) {
        aliases[k] = v;
        auto o = other.alias_origins.find(k);
        alias_origins[k] = o == other.alias_origins.end() ? other.origin : o->second;
    }
    for (const auto& r : other.registries) {
        auto it = std::find_if(registries.begin(), registries.end(), [&](const RegistryConf& x) { return x.prefix == r.prefix; });
        if (it != registries.end()) *it = r;
        else registries.push_back(r);
    }
}

RegistriesConf RegistriesConf::load() {
    // Same choice of files as containers/image: an explicit file or the user's file replaces the
    // system file; drop-ins are read from the system dir (unless the user's file is used) and the user dir.
    const std::string user_conf = join_path(xdg_config_home(), "containers/registries.conf");
    const std::string user_dir = user_conf + ".d";
    const std::string system_conf = "/etc/containers/registries.conf";
    std::string main;
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("CONTAINERS_REGISTRIES_CONF"); env && *env) {
        main = env;
        dirs = {system_conf + ".d", user_dir};
    } else if (path_exists(user_conf)) {
        main = user_conf;
        dirs = {user_dir};
    } else {
        main = system_conf;
        dirs = {system_conf + ".d", user_dir};
    }
    RegistriesConf conf;
    if (auto text = read_file_if_exists(main)) conf = parse(*text, main);
    conf.origin = main;
    for (const auto& dir : dirs) {
        auto names = list_dir(dir);
        std::sort(names.begin(), names.end());
        for (const auto& n : names) {
            if (n.size() < 5 || n.compare(n.size() - 5, 5, ".conf") != 0) continue;
            std::string path = join_path(dir, n);
            if (is_directory(path)) continue;
            if (auto text = read_file_if_exists(path)) conf.merge(parse(*text, path));
        }
    }
    return conf;
}

const RegistryConf* RegistriesConf::find(const Reference& ref) const {
    const RegistryConf* best = nullptr;
    const std::string name = ref.name();
    for (const auto& r : registries) {
        if (!prefix_matches(r.prefix, name)) continue;
        // Exact prefixes beat wildcards; among each, the longest wins.
        auto rank = [](const RegistryConf* x) { return std::make_pair(x->prefix.rfind("*.", 0) != 0, x->prefix.size()); };
        if (!best || rank(&r) > rank(best)) best = &r;
    }
    return best;
}

bool RegistriesConf::is_insecure(const std::string& registry_host) const {
    for (const auto& r : registries) {
        auto prefix_host = r.prefix.substr(0, r.prefix.find('/'));
        auto loc_host = r.location.substr(0, r.location.find('/'));
        if (prefix_host == registry_host || loc_host == registry_host ||
            (r.prefix.rfind("*.", 0) == 0 && prefix_matches(r.prefix, registry_host)))
            if (r.insecure) return true;
        for (const auto& m : r.mirrors)
            if (m.insecure && m.location.substr(0, m.location.find('/')) == registry_host) return true;
    }
    return false;
}

namespace {

// Refuses a candidate whose registry is blocked.
Reference apply_registry_conf(const Reference& ref, const RegistriesConf& conf) {
    const RegistryConf* r = conf.find(ref);
    if (r && r->blocked) throw Error("registry " + ref.registry + " is blocked in registries.conf");
    return ref;
}

// `location` + the part of `ref`'s name after `prefix`, as a reference with `ref`'s tag/digest.
Reference rewrite(const Reference& ref, const std::string& prefix, const std::string& location) {
    std::string rewritten = location + ref.name().substr(prefix.size());
    auto slash = rewritten.find('/');
    if (slash == std::string::npos)
        throw Error("registries.conf location \"" + location + "\" gives no repository for " + ref.name());
    Reference out = ref;
    out.registry = rewritten.substr(0, slash);
    out.repository = rewritten.substr(slash + 1);
    return out;
}

}  // namespace

std::vector<PullSource> pull_sources(const Reference& ref, const RegistriesConf& conf) {
    const RegistryConf* r = conf.find(ref);
    if (!r) return {PullSource{ref, conf.is_insecure(ref.registry), false}};
    if (r->blocked) throw Error("registry " + ref.registry + " is blocked in registries.conf");
    // A wildcard prefix names hosts, not a path to rewrite: its entry only sets flags.
    if (r->prefix.rfind("*.", 0) == 0) return {PullSource{ref, r->insecure, false}};
    std::vector<PullSource> out;
    for (const auto& m : r->mirrors) out.push_back({rewrite(ref, r->prefix, m.location), m.insecure, true});
    Reference primary = r->location.empty() ? ref : rewrite(ref, r->prefix, r->location);
    out.push_back({primary, r->insecure || conf.is_insecure(primary.registry), false});
    return out;
}

std::vector<Reference> resolve_candidates(const ParsedReference& parsed, const RegistriesConf& conf) {
    if (parsed.qualified) return {apply_registry_conf(parsed.ref, conf)};
    const std::string& short_name = parsed.short_name.empty() ? parsed.ref.repository : parsed.short_name;
    if (auto it = conf.aliases.find(short_name); it != conf.aliases.end()) {
        Reference r = parse_reference(it->second).ref;
        r.tag = parsed.ref.tag;
        r.digest = parsed.ref.digest;
        return {apply_registry_conf(r, conf)};
    }
    if (conf.unqualified_search_registries.empty())
        throw Error("short-name \"" + short_name +
                    "\" did not resolve to an alias and no unqualified-search registries are defined in \"" +
                    conf.origin + "\"");
    if (conf.short_name_mode == "enforcing" && conf.unqualified_search_registries.size() > 1)
        throw Error("short-name resolution enforced but cannot prompt without a TTY: use a fully-qualified name for \"" +
                    short_name + "\"");
    std::vector<Reference> out;
    std::string blocked_error;
    for (const auto& reg : conf.unqualified_search_registries) {
        Reference r = parsed.ref;
        r.registry = reg == "index.docker.io" ? "docker.io" : reg;
        r.repository = short_name;
        if (r.registry == "docker.io" && short_name.find('/') == std::string::npos) r.repository = "library/" + short_name;
        try {
            out.push_back(apply_registry_conf(r, conf));
        } catch (const Error& e) {
            blocked_error = e.what();  // a blocked search registry is skipped
        }
    }
    if (out.empty()) throw Error(blocked_error);
    return out;
}

}  // namespace burrow::pull
