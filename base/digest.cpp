// Digest strings ("sha256:<hex>"): parsing only, apart from the hashing in sha256.cpp so that
// code which only reads digests does not pull libcrypto into a binary.
#include "base/error.hpp"
#include "base/sha256.hpp"

namespace burrow {

bool is_valid_digest(std::string_view s) {
    if (s.substr(0, 7) != "sha256:" || s.size() != 71) return false;
    for (char c : s.substr(7))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

Digest parse_digest(std::string_view s) {
    if (!is_valid_digest(s)) throw Error("invalid digest \"" + std::string(s) + "\": expected sha256:<64 hex digits>");
    return Digest{"sha256", std::string(s.substr(7))};
}

}  // namespace burrow
