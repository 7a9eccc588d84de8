// `image sign`: the registry half (fetching the manifest) exists only in burrow-pull, which runs
// the whole command (runs_in_pull_binary); `burrow` links a stub.
#pragma once
#include <string>

#include "src/cli/command.hpp"

namespace burrow::commands {

struct SignSource {
    std::string registry, repository, tag_or_digest;  // from the docker:// reference
    std::string full_name;                            // registry/repository[:tag|@digest]
};

struct SignManifest {
    std::string body;
    std::string digest;  // "sha256:…" of body
};

// GET the manifest as the image's registry serves it (auth file, registries.conf insecure, --cert-dir).
SignManifest fetch_sign_manifest(const cli::Context& ctx, const SignSource& src);

// The "atomic container signature" payload containers/image signs (keys in Go's map order).
std::string atomic_signature_payload(const std::string& docker_reference, const std::string& manifest_digest,
                                     int64_t timestamp);

}  // namespace burrow::commands
