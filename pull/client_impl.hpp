// Internal to pull/: the state RegistryClient keeps per registry (scheme, challenges, tokens),
// shared by registry_client.cpp (metadata) and blob_stream.cpp (layers).
#pragma once
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pull/http.hpp"
#include "pull/registry_client.hpp"

namespace burrow::pull {

// A plain struct (RegistryClient::Impl is private) so the streaming code can take it by reference.
struct ClientState {
    std::string registry;  // as in the reference: "docker.io", "127.0.0.1:5000"
    std::string host;      // what we connect to: "registry-1.docker.io"
    ClientOptions opts;
    http::Tls tls;
    http::Easy easy;  // reused for metadata requests so the connection stays open
    std::string scheme;  // "https" or "http" once pinged
    std::vector<AuthChallenge> challenges;
    struct Token {
        std::string value;
        std::chrono::steady_clock::time_point expires;
    };
    std::map<std::string, Token> tokens;  // by scope

    bool insecure() const { return !opts.tls_verify || opts.insecure; }
    // GET /v2/ once: chooses the scheme and records the auth challenges. Throws "pinging container registry ...".
    void ping();
    std::string base_url() {
        ping();
        return scheme + "://" + host;
    }
    // The Authorization header for pulling from `repo` ("" when none is needed).
    std::string authorization(const std::string& repo);
    void forget_token(const std::string& repo) { tokens.erase(pull_scope(repo)); }
    static std::string pull_scope(const std::string& repo) { return "repository:" + repo + ":pull"; }
    std::string fetch_token(const AuthChallenge& ch, const std::string& scope);
    // A metadata GET with auth, one token refresh on 401, and retries of transient transport errors.
    http::Response get(const std::string& url, const std::string& repo, const std::vector<std::string>& headers,
                       size_t max_body);
};

struct RegistryClient::Impl : ClientState {};

}  // namespace burrow::pull
