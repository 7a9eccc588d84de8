// Credentials in auth.json / docker config.json, looked up as containers/image does.
#include "pull/auth.hpp"

#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"

namespace burrow::pull {
namespace {

using nlohmann::json;

const char* env(const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
}

// Legacy keys may be URLs ("https://index.docker.io/v1/"): keep the host only; the docker.io
// aliases all become index.docker.io, the key docker's own login writes.
std::string normalize_key(std::string_view key) {
    std::string k(key);
    for (const char* scheme : {"http://", "https://"})
        if (k.rfind(scheme, 0) == 0) k = k.substr(std::string(scheme).size());
    k = k.substr(0, k.find('/'));
    if (k == "docker.io" || k == "registry-1.docker.io") k = "index.docker.io";
    return k;
}

std::optional<Credentials> decode_entry(const json& entry, const std::string& key) {
    if (!entry.is_object()) throw Error("auths entry \"" + key + "\" is not an object");
    Credentials c;
    if (auto it = entry.find("auth"); it != entry.end() && it->is_string() && !it->get<std::string>().empty()) {
        std::string decoded;
        try {
            decoded = base64_decode(it->get<std::string>());
        } catch (const Error&) {
            throw Error("auths entry \"" + key + "\": invalid base64 in \"auth\"");
        }
        auto colon = decoded.find(':');
        if (colon == std::string::npos) throw Error("auths entry \"" + key + "\": \"auth\" is not base64(user:password)");
        c.username = decoded.substr(0, colon);
        c.password = decoded.substr(colon + 1);
    }
    if (auto it = entry.find("identitytoken"); it != entry.end() && it->is_string()) c.identity_token = it->get<std::string>();
    if (c.username.empty() && c.password.empty() && c.identity_token.empty()) return std::nullopt;
    return c;
}

std::string primary_auth_path(const std::string& authfile) {
    if (!authfile.empty()) return authfile;
    if (const char* f = env("REGISTRY_AUTH_FILE")) return f;
    return join_path(xdg_runtime_dir_or_fallback(), "containers/auth.json");
}

json read_auth_json(const std::string& path) {
    auto text = read_file_if_exists(path);
    if (!text || trim(*text).empty()) return json{{"auths", json::object()}};
    json j;
    try {
        j = json::parse(*text);
    } catch (const json::exception& e) {
        throw Error("reading JSON file \"" + path + "\": " + e.what());
    }
    if (!j.is_object()) throw Error("reading JSON file \"" + path + "\": not a JSON object");
    if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = json::object();
    return j;
}

void write_auth_json(const std::string& path, const json& j) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) mkdir_p(path.substr(0, slash), 0700);
    atomic_write_file(path, j.dump(1, '\t') + "\n", 0600);
}

std::string store_key(const std::string& key) {
    std::string k = key;
    for (const char* scheme : {"http://", "https://"})
        if (k.rfind(scheme, 0) == 0) k = k.substr(std::string(scheme).size());
    while (!k.empty() && k.back() == '/') k.pop_back();
    return k;
}

}  // namespace

std::vector<std::string> auth_file_paths(const std::string& authfile) {
    if (!authfile.empty()) return {authfile};
    if (const char* f = env("REGISTRY_AUTH_FILE")) return {f};
    std::vector<std::string> out;
    if (const char* x = env("XDG_RUNTIME_DIR")) out.push_back(join_path(x, "containers/auth.json"));
    else out.push_back(join_path(xdg_runtime_dir_or_fallback(), "containers/auth.json"));
    out.push_back(join_path(xdg_config_home(), "containers/auth.json"));
    if (const char* d = env("DOCKER_CONFIG")) out.push_back(join_path(d, "config.json"));
    else out.push_back(join_path(home_dir(), ".docker/config.json"));
    return out;
}

std::optional<Credentials> lookup_in_auth_json(const std::string& json_text, const std::string& name) {
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::exception& e) {
        throw Error(std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object()) throw Error("invalid JSON: not an object");
    auto auths = j.find("auths");
    if (auths == j.end() || !auths->is_object()) return std::nullopt;

    // "host/ns/repo", "host/ns", "host"
    std::string key = name;
    while (true) {
        if (auto it = auths->find(key); it != auths->end())
            if (auto c = decode_entry(*it, key)) return c;
        auto slash = key.rfind('/');
        if (slash == std::string::npos) break;
        key = key.substr(0, slash);
    }
    // Legacy keys: compare hosts only.
    std::string host = normalize_key(name);
    for (auto it = auths->begin(); it != auths->end(); ++it)
        if (normalize_key(it.key()) == host)
            if (auto c = decode_entry(it.value(), it.key())) return c;
    return std::nullopt;
}

std::optional<Credentials> lookup_credentials(const std::string& name, const std::string& authfile) {
    for (const auto& path : auth_file_paths(authfile)) {
        auto text = read_file_if_exists(path);
        if (!text || trim(*text).empty()) continue;
        try {
            if (auto c = lookup_in_auth_json(*text, name)) return c;
        } catch (const Error& e) {
            throw Error("reading auth file \"" + path + "\": " + e.what());
        }
    }
    return std::nullopt;
}

void store_credentials(const std::string& key, const Credentials& creds, const std::string& authfile) {
    std::string path = primary_auth_path(authfile);
    json j = read_auth_json(path);
    json entry = json::object();
    if (!creds.username.empty() || !creds.password.empty())
        entry["auth"] = base64_encode(creds.username + ":" + creds.password);
    if (!creds.identity_token.empty()) entry["identitytoken"] = creds.identity_token;
    j["auths"][store_key(key)] = entry;
    write_auth_json(path, j);
}

bool remove_credentials(const std::string& key, const std::string& authfile) {
    std::string path = primary_auth_path(authfile);
    if (!path_exists(path)) return false;
    json j = read_auth_json(path);
    if (j["auths"].erase(store_key(key)) == 0) return false;
    write_auth_json(path, j);
    return true;
}

void remove_all_credentials(const std::string& authfile) {
    std::string path = primary_auth_path(authfile);
    if (!path_exists(path)) return;
    json j = read_auth_json(path);
    j["auths"] = json::object();
    write_auth_json(path, j);
}

}  // namespace burrow::pull
