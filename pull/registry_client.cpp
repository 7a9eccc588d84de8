// Registry metadata: ping and auth (bearer tokens, basic), manifests, small blobs, login checks.
#include "pull/registry_client.hpp"

#include <unistd.h>

#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/sha256.hpp"
#include "base/strings.hpp"
#include "pull/client_impl.hpp"
#include "pull/manifest.hpp"

namespace burrow::pull {
namespace {

constexpr size_t kMaxManifest = 4 << 20;
constexpr size_t kMaxToken = 1 << 20;

std::string status_text(long s) {
    switch (s) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "status " + std::to_string(s);
    }
}

std::string escape(CURL* c, const std::string& s) {
    char* e = curl_easy_escape(c, s.c_str(), static_cast<int>(s.size()));
    std::string out = e ? e : "";
    curl_free(e);
    return out;
}

std::string basic_header(const Credentials& c) { return "Authorization: Basic " + base64_encode(c.username + ":" + c.password); }

bool is_tchar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("!#$%&'*+-.^_`|~", c); }

}  // namespace

std::vector<AuthChallenge> parse_www_authenticate(const std::string& h) {
    std::vector<AuthChallenge> out;
    size_t i = 0, n = h.size();
    auto skip = [&](const char* chars) {
        while (i < n && std::strchr(chars, h[i])) ++i;
    };
    while (i < n) {
        skip(" \t,");
        size_t start = i;
        while (i < n && is_tchar(h[i])) ++i;
        if (i == start) {  // garbage: skip one char so we always advance
            ++i;
            continue;
        }
        std::string token = h.substr(start, i - start);
        size_t save = i;
        skip(" \t");
        if (i < n && h[i] == '=' && !out.empty()) {
            // key=value for the current challenge; '==' padding would be a token68, which we ignore.
            ++i;
            skip(" \t");
            std::string value;
            if (i < n && h[i] == '"') {
                ++i;
                while (i < n && h[i] != '"') {
                    if (h[i] == '\\' && i + 1 < n) ++i;
                    value += h[i++];
                }
                if (i < n) ++i;  // closing quote
            } else {
                size_t vs = i;
                while (i < n && h[i] != ',' && h[i] != ' ' && h[i] != '\t') ++i;
                value = h.substr(vs, i - vs);
            }
            out.back().params[to_lower(token)] = value;
        } else {
            i = save;
            out.push_back({to_lower(token), {}});
        }
    }
    return out;
}

void ClientState::ping() {
    if (!scheme.empty()) return;
    auto record = [&](const http::Response& r, const char* s) {
        scheme = s;
        challenges.clear();
        for (const auto& h : r.www_authenticate)
            for (auto& c : parse_www_authenticate(h)) challenges.push_back(std::move(c));
    };
    auto accept = [&](const http::Response& r, const std::string& url) {
        if (r.status == 200 || r.status == 401) return true;
        throw RegistryError("pinging container registry " + registry + ": Get \"" + url +
                                "\": invalid status code from registry " + std::to_string(r.status) + " (" +
                                status_text(r.status) + ")",
                            r.status);
    };
    const std::string https_url = "https://" + host + "/v2/";
    try {
        auto r = http::perform(easy.get(), tls, "GET", https_url, {}, {}, 1 << 20);
        if (accept(r, https_url)) return record(r, "https");
    } catch (const http::TransportError& e) {
        // Plain HTTP only where the user allowed insecure access; the https error is the one shown.
        if (!insecure()) throw RegistryError("pinging container registry " + registry + ": " + e.what(), 0);
        const std::string http_url = "http://" + host + "/v2/";
        try {
            auto r = http::perform(easy.get(), tls, "GET", http_url, {}, {}, 1 << 20);
            if (r.status == 200 || r.status == 401) return record(r, "http");
        } catch (const http::TransportError&) {
        }
        throw RegistryError("pinging container registry " + registry + ": " + e.what(), 0);
    }
}

std::string ClientState::fetch_token(const AuthChallenge& ch, const std::string& scope) {
    auto realm = ch.params.find("realm");
    if (realm == ch.params.end() || realm->second.empty())
        throw RegistryError("registry " + registry + " sent a bearer challenge without a realm", 401);
    std::string service = ch.params.count("service") ? ch.params.at("service") : "";
    const auto& creds = opts.credentials;
    http::Response r;
    try {
        if (creds && !creds->identity_token.empty()) {
            std::string form = "grant_type=refresh_token&refresh_token=" + escape(easy.get(), creds->identity_token) +
                               "&client_id=containers%2Fimage&service=" + escape(easy.get(), service);
            if (!scope.empty()) form += "&scope=" + escape(easy.get(), scope);
            r = http::perform(easy.get(), tls, "POST", realm->second, {"Content-Type: application/x-www-form-urlencoded"},
                              form, kMaxToken);
        } else {
            std::string url = realm->second + (realm->second.find('?') == std::string::npos ? "?" : "&");
            url += "service=" + escape(easy.get(), service);
            if (!scope.empty()) url += "&scope=" + escape(easy.get(), scope);
            std::vector<std::string> headers;
            if (creds && !creds->username.empty()) {
                url += "&account=" + escape(easy.get(), creds->username);
                headers.push_back(basic_header(*creds));
            }
            r = http::perform(easy.get(), tls, "GET", url, headers, {}, kMaxToken);
        }
    } catch (const http::TransportError& e) {
        throw RegistryError(std::string("unable to retrieve auth token: ") + e.what(), 0);
    }
    if (r.status == 401) {
        std::string code;
        std::string text = http::registry_error_text(r.status, r.body, &code);
        throw RegistryError("unable to retrieve auth token: invalid username/password: " + text, 401, "UNAUTHORIZED");
    }
    if (r.status != 200) {
        std::string code;
        std::string text = http::registry_error_text(r.status, r.body, &code);
        throw RegistryError("unable to retrieve auth token: " + text, r.status, code);
    }
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(r.body);
    } catch (const nlohmann::json::exception&) {
        throw RegistryError("unable to retrieve auth token: the token server sent invalid JSON", r.status);
    }
    std::string tok = j.value("token", "");
    if (tok.empty()) tok = j.value("access_token", "");
    if (tok.empty()) throw RegistryError("unable to retrieve auth token: the token server sent no token", r.status);
    int64_t expires = 60;
    if (auto e = j.find("expires_in"); e != j.end() && e->is_number_integer()) expires = std::max<int64_t>(60, e->get<int64_t>());
    // Refresh a little early so a token does not expire in the middle of a request.
    tokens[scope] = {tok, std::chrono::steady_clock::now() + std::chrono::seconds(expires - 10)};
    return tok;
}

std::string ClientState::authorization(const std::string& repo) {
    ping();
    for (const auto& ch : challenges) {
        if (ch.scheme == "bearer") {
            std::string scope = pull_scope(repo);
            auto it = tokens.find(scope);
            if (it != tokens.end() && it->second.expires > std::chrono::steady_clock::now())
                return "Authorization: Bearer " + it->second.value;
            return "Authorization: Bearer " + fetch_token(ch, scope);
        }
        if (ch.scheme == "basic") return opts.credentials ? basic_header(*opts.credentials) : "";
    }
    return "";
}

http::Response ClientState::get(const std::string& url, const std::string& repo,
                                         const std::vector<std::string>& headers, size_t max_body) {
    bool refreshed = false;
    for (int attempt = 0;; ++attempt) {
        std::vector<std::string> h = headers;
        if (auto a = authorization(repo); !a.empty()) h.push_back(a);
        try {
            auto r = http::perform(easy.get(), tls, "GET", url, h, {}, max_body);
            if (r.status == 401 && !refreshed && tokens.count(pull_scope(repo))) {
                forget_token(repo);  // expired or revoked: one fresh token, then give up
                refreshed = true;
                continue;
            }
            if ((r.status >= 500 || r.status == 429) && attempt < opts.max_retries) {
                std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
                continue;
            }
            return r;
        } catch (const http::TransportError& e) {
            if (!http::is_transient(e.code()) || attempt >= opts.max_retries) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
        }
    }
}

RegistryClient::RegistryClient(std::string registry, ClientOptions opts) : impl_(std::make_unique<Impl>()) {
    impl_->registry = std::move(registry);
    impl_->host = impl_->registry == "docker.io" ? "registry-1.docker.io" : impl_->registry;
    impl_->opts = std::move(opts);
    impl_->tls = http::load_tls(impl_->host, impl_->opts.cert_dir, !impl_->insecure());
    impl_->easy = http::make_easy();
}

RegistryClient::~RegistryClient() = default;

FetchedManifest RegistryClient::get_manifest(const std::string& repository, const std::string& ref) {
    const std::string what = "reading manifest " + ref + " in " + impl_->registry + "/" + repository;
    http::Response r;
    try {
        r = impl_->get(impl_->base_url() + "/v2/" + repository + "/manifests/" + ref, repository,
                       {"Accept: " + manifest_accept_header()}, kMaxManifest);
    } catch (const RegistryError&) {
        throw;  // ping errors are complete as they are
    } catch (const Error& e) {
        throw RegistryError(what + ": " + e.what(), 0);
    }
    if (r.too_big) throw RegistryError(what + ": manifest is larger than 4 MiB", r.status);
    if (r.status != 200) {
        std::string code;
        std::string text = http::registry_error_text(r.status, r.body, &code);
        throw RegistryError(what + ": " + text, r.status, code);
    }
    FetchedManifest m;
    m.body = std::move(r.body);
    m.media_type = to_lower(trim(std::string_view(r.content_type).substr(0, r.content_type.find(';'))));
    m.digest = sha256_digest(m.body);
    if (ref.rfind("sha256:", 0) == 0 && m.digest != ref)
        throw RegistryError(what + ": manifest does not match the requested digest (got " + m.digest + ")", r.status);
    return m;
}

std::vector<std::string> RegistryClient::list_tags(const std::string& repository) {
    const std::string what = "fetching tags list of " + impl_->registry + "/" + repository;
    http::Response r;
    try {
        r = impl_->get(impl_->base_url() + "/v2/" + repository + "/tags/list", repository, {}, kMaxManifest);
    } catch (const RegistryError&) {
        throw;
    } catch (const Error& e) {
        throw RegistryError(what + ": " + e.what(), 0);
    }
    if (r.status != 200) {
        std::string code;
        std::string text = http::registry_error_text(r.status, r.body, &code);
        throw RegistryError(what + ": " + text, r.status, code);
    }
    std::vector<std::string> tags;
    try {
        auto j = nlohmann::json::parse(r.body);
        if (j.contains("tags") && j["tags"].is_array())
            for (const auto& t : j["tags"])
                if (t.is_string()) tags.push_back(t.get<std::string>());
    } catch (const nlohmann::json::exception&) {
        throw RegistryError(what + ": the registry's answer is not JSON", r.status);
    }
    return tags;
}

std::string RegistryClient::get_blob(const std::string& repository, const std::string& digest, size_t max_size) {
    const std::string what = "reading blob " + digest + " from " + impl_->registry + "/" + repository;
    if (!is_valid_digest(digest)) throw Error(what + ": unsupported digest");
    http::Response r;
    try {
        r = impl_->get(impl_->base_url() + "/v2/" + repository + "/blobs/" + digest, repository, {}, max_size);
    } catch (const RegistryError&) {
        throw;
    } catch (const Error& e) {
        throw RegistryError(what + ": " + e.what(), 0);
    }
    if (r.too_big) throw RegistryError(what + ": blob is larger than " + std::to_string(max_size) + " bytes", r.status);
    if (r.status != 200) {
        std::string code;
        std::string text = http::registry_error_text(r.status, r.body, &code);
        throw RegistryError(what + ": " + text, r.status, code);
    }
    std::string got = sha256_digest(r.body);
    if (got != digest) throw RegistryError("blob " + digest + " digest mismatch: got " + got, r.status);
    return std::move(r.body);
}

void RegistryClient::check_login() {
    auto& im = *impl_;
    im.ping();
    if (im.challenges.empty()) return;  // the registry asks for nothing: any credentials "work", as in Podman
    std::vector<std::string> headers;
    for (const auto& ch : im.challenges) {
        if (ch.scheme == "bearer") {
            try {
                headers.push_back("Authorization: Bearer " + im.fetch_token(ch, ""));
            } catch (const RegistryError& e) {
                if (e.status() == 401) throw RegistryError("invalid username/password", 401, "UNAUTHORIZED");
                throw;
            }
            break;
        }
        if (ch.scheme == "basic") {
            if (!im.opts.credentials) throw RegistryError("invalid username/password", 401, "UNAUTHORIZED");
            headers.push_back(basic_header(*im.opts.credentials));
            break;
        }
    }
    http::Response r;
    try {
        r = http::perform(im.easy.get(), im.tls, "GET", im.base_url() + "/v2/", headers, {}, 1 << 20);
    } catch (const http::TransportError& e) {
        throw RegistryError(std::string("authenticating creds for \"") + im.registry + "\": " + e.what(), 0);
    }
    if (r.status == 401) throw RegistryError("invalid username/password", 401, "UNAUTHORIZED");
    if (r.status != 200) {
        std::string code;
        std::string text = http::registry_error_text(r.status, r.body, &code);
        throw RegistryError("authenticating creds for \"" + im.registry + "\": " + text, r.status, code);
    }
}

}  // namespace burrow::pull
