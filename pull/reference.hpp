// Image references: parsing and normalisation as containers/image does it.
#pragma once
#include <string>
#include <string_view>

namespace burrow::pull {

struct Reference {
    std::string registry;    // "docker.io", "quay.io", "127.0.0.1:5000", "localhost"
    std::string repository;  // "library/alpine"
    std::string tag;         // "" when only a digest was given
    std::string digest;      // "sha256:..." or ""

    // registry/repository
    std::string name() const;
    // registry/repository[:tag][@digest]; tag "latest" added when neither is set
    std::string str() const;
    // The host to connect to: docker.io -> registry-1.docker.io
    std::string endpoint() const;
    // "tag" or the digest: what /v2/<repo>/manifests/<x> is asked for
    std::string manifest_ref() const;
};

struct ParsedReference {
    Reference ref;
    bool qualified = false;  // the registry was given explicitly (first component has '.', ':' or is localhost)
    std::string short_name;  // the repository as typed, without registry, tag or digest (alias key)
};

// Throws Error("invalid reference format" style message naming `s`) for bad input.
// A short name ("alpine") is returned with registry "docker.io" and qualified == false.
ParsedReference parse_reference(std::string_view s);

}  // namespace burrow::pull
