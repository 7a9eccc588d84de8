// Streaming SHA-256 (OpenSSL libcrypto) and "sha256:<hex>" digests.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace burrow {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;
    void update(const void* data, size_t len);
    void update(std::string_view s) { update(s.data(), s.size()); }
    // Lower-case hex of the digest; the object may not be updated afterwards.
    std::string hex_final();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view data);
// "sha256:" + hex.
std::string sha256_digest(std::string_view data);

// A content digest "algo:hex". Only sha256 is accepted (as Podman does by default).
struct Digest {
    std::string algorithm;  // "sha256"
    std::string hex;        // 64 lower-case hex chars
    std::string str() const { return algorithm + ":" + hex; }
};
// Throws Error naming the value when it is not "sha256:<64 hex>".
Digest parse_digest(std::string_view s);
bool is_valid_digest(std::string_view s);

}  // namespace burrow
