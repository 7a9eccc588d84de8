// Podman's registries.conf (v2 TOML format): search registries, aliases, per-registry settings.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pull/reference.hpp"

namespace burrow::pull {

struct Mirror {
    std::string location;
    bool insecure = false;
};

struct RegistryConf {
    std::string prefix;    // matched against "registry/repo" (longest prefix wins)
    std::string location;  // rewrite target ("" = same as prefix)
    bool insecure = false; // plain HTTP or unverified TLS allowed
    bool blocked = false;
    std::vector<Mirror> mirrors;
};

struct RegistriesConf {
    std::vector<std::string> unqualified_search_registries;
    std::map<std::string, std::string> aliases;  // short name -> "registry/repo"
    std::vector<RegistryConf> registries;
    std::string short_name_mode = "permissive";
    // Which file set each alias (for "Resolved ... as an alias (<file>)").
    std::map<std::string, std::string> alias_origins;
    // The main file read (named in the "no unqualified-search registries" error).
    std::string origin;
    // Whether the file set these keys (a drop-in replaces only what it sets).
    bool search_set = false;
    bool mode_set = false;

    // $CONTAINERS_REGISTRIES_CONF if set, else ~/.config/containers/registries.conf if it exists,
    // else /etc/containers/registries.conf; then registries.conf.d/*.conf drop-ins beside it.
    static RegistriesConf load();
    // Throws Error naming `origin` on a TOML or schema error.
    static RegistriesConf parse(std::string_view toml, const std::string& origin);
    // Drop-in semantics: fields set in `other` replace ours; [[registry]] entries by prefix.
    void merge(const RegistriesConf& other);

    // Longest-prefix match for a reference, or nullptr.
    const RegistryConf* find(const Reference& ref) const;
    bool is_insecure(const std::string& registry_host) const;
};

// Where to fetch `ref` from, in order: its [[registry.mirror]]s, then its own location (after a
// `location` rewrite). The image keeps `ref`'s name whichever source served it.
struct PullSource {
    Reference ref;        // registry and repository to contact
    bool insecure = false;
    bool mirror = false;
};
std::vector<PullSource> pull_sources(const Reference& ref, const RegistriesConf& conf);

// The references to try, in order, for what the user typed. A qualified name gives itself; a short
// name gives the alias if one matches, else one candidate per unqualified-search registry.
// Names are as the user will see them stored (no `location` rewrite; see pull_sources).
// Throws Error when a short name has no search registries ("short-name ... did not resolve").
std::vector<Reference> resolve_candidates(const ParsedReference& parsed, const RegistriesConf& conf);

}  // namespace burrow::pull
