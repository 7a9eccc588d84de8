// Pulling an image into the store: ties pull/ (registry) to storage/ (layers, images).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace burrow::engine {

struct PullOptions {
    std::string reference;           // as typed by the user
    std::string os, arch, variant;   // --os/--arch/--variant/--platform overrides ("" = host)
    std::optional<bool> tls_verify;  // --tls-verify; nullopt = registries.conf decides
    std::string authfile;            // --authfile
    std::string cert_dir;            // --cert-dir
    std::string creds;               // --creds user[:pass]
    bool quiet = false;              // -q: only the id on stdout
};

// Resolves the reference, pulls what the store lacks, records the image and returns its id
// (config digest hex). Progress goes to stderr as Podman prints it (a live display on a
// terminal, plain lines otherwise); nothing with -q. Throws Error on failure with the store
// left as it was.
std::string pull_image(storage::Store& store, const PullOptions& opts);

// pull --all-tags: the fully qualified name of opts.reference (short names as docker.io's, as
// Podman normalises them here; a tag or digest given is ignored) with every tag its registry
// lists, in its order.
std::vector<std::string> all_tag_references(const PullOptions& opts);

}  // namespace burrow::engine
