// Registry credentials: auth.json / docker config.json lookup, login and logout.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace burrow::pull {

struct Credentials {
    std::string username;
    std::string password;
    std::string identity_token;
};

// Files searched, in order: `authfile` alone if given (or $REGISTRY_AUTH_FILE);
// else $XDG_RUNTIME_DIR/containers/auth.json, $XDG_CONFIG_HOME/containers/auth.json,
// $DOCKER_CONFIG/config.json or ~/.docker/config.json.
std::vector<std::string> auth_file_paths(const std::string& authfile);

// Most specific key first: "host/ns/repo", "host/ns", "host"; then normalised keys
// (scheme and path stripped; docker.io aliases). `name` is "registry/repository" or "registry".
std::optional<Credentials> lookup_credentials(const std::string& name, const std::string& authfile);
// Pure: the same lookup in one parsed auth file's JSON text.
std::optional<Credentials> lookup_in_auth_json(const std::string& json_text, const std::string& name);

// Write to the first path (default $XDG_RUNTIME_DIR/containers/auth.json), mode 0600, atomically.
void store_credentials(const std::string& key, const Credentials& creds, const std::string& authfile);
// Returns false when there was nothing to remove.
bool remove_credentials(const std::string& key, const std::string& authfile);
void remove_all_credentials(const std::string& authfile);

}  // namespace burrow::pull
