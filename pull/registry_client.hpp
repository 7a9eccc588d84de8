// The registry HTTP client (libcurl): ping and auth challenge, manifests, blobs.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "pull/auth.hpp"

namespace burrow::pull {

// An HTTP-level failure. `status` is the HTTP code (0 for transport errors); `code` the registry's
// error code ("MANIFEST_UNKNOWN", "NAME_UNKNOWN", "UNAUTHORIZED"...) when it sent one.
class RegistryError : public Error {
public:
    RegistryError(const std::string& msg, long status, std::string code = {})
        : Error(msg), status_(status), code_(std::move(code)) {}
    long status() const { return status_; }
    const std::string& code() const { return code_; }

private:
    long status_;
    std::string code_;
};

struct ClientOptions {
    bool tls_verify = true;        // false: skip TLS verification and allow plain HTTP fallback
    bool insecure = false;         // registries.conf insecure=true: same as tls_verify=false
    std::optional<Credentials> credentials;
    std::string cert_dir;          // explicit --cert-dir; else certs.d lookup
    int max_retries = 3;           // transient network errors
};

// A parsed WWW-Authenticate challenge.
struct AuthChallenge {
    std::string scheme;  // "bearer" or "basic" (lower case)
    std::map<std::string, std::string> params;  // realm, service, scope, error...
};
// Pure: parses one header value, possibly with several challenges.
std::vector<AuthChallenge> parse_www_authenticate(const std::string& header);

struct FetchedManifest {
    std::string body;
    std::string media_type;  // Content-Type without parameters
    std::string digest;      // sha256 of body (verified against the request when by digest)
};

// A blob to stream into a pipe. `out_fd` is a non-blocking pipe write end owned by the caller;
// stream_blobs closes it (writes EOF) when the blob is complete or failed.
struct BlobStream {
    std::string digest;
    int64_t size = -1;
    int out_fd = -1;
};
struct BlobResult {
    bool ok = false;
    std::string error;   // one line, when !ok
    uint64_t bytes = 0;
};
// Progress: (index into streams, bytes so far, total or -1)
using ProgressFn = std::function<void(size_t, uint64_t, int64_t)>;

class RegistryClient {
public:
    // `registry` is the reference's registry ("docker.io" or host:port); the endpoint host is derived.
    RegistryClient(std::string registry, ClientOptions opts);
    ~RegistryClient();
    RegistryClient(const RegistryClient&) = delete;
    RegistryClient& operator=(const RegistryClient&) = delete;

    // GET /v2/<repo>/manifests/<ref>; verifies the digest when `ref` is a digest.
    FetchedManifest get_manifest(const std::string& repository, const std::string& ref);
    // Small blob fetched into memory and verified (configs). Throws on mismatch or > max_size.
    std::string get_blob(const std::string& repository, const std::string& digest, size_t max_size = 64 << 20);
    // Streams all blobs in parallel (curl multi) into their fds with backpressure, verifying each
    // blob's sha256 as it passes; resumes with Range requests on transient errors.
    std::vector<BlobResult> stream_blobs(const std::string& repository, std::vector<BlobStream>& streams,
                                         const ProgressFn& progress = {});
    // GET /v2/<repo>/tags/list (pull --all-tags): the repository's tags, as the registry lists them.
    std::vector<std::string> list_tags(const std::string& repository);
    // For `login`: checks the credentials against /v2/ (and the token realm). Throws on rejection.
    void check_login();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace burrow::pull
