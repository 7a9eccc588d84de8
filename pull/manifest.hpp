// Manifests and indexes (OCI and Docker), and choosing a platform from an index.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace burrow::pull {

inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr const char* kDockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

// The Accept header value listing all of the above.
std::string manifest_accept_header();

struct Platform {
    std::string os;
    std::string architecture;
    std::string variant;
};

struct Descriptor {
    std::string media_type;
    std::string digest;
    int64_t size = 0;
    std::optional<Platform> platform;
};

enum class ManifestKind { image, index, schema1, unknown };

// From the Content-Type (parameters stripped), falling back to the body's mediaType / fields.
ManifestKind classify_manifest(const std::string& content_type, const std::string& body);

struct ImageManifest {
    std::string media_type;
    Descriptor config;
    std::vector<Descriptor> layers;
};
struct ImageIndex {
    std::string media_type;
    std::vector<Descriptor> manifests;
};

// Throw Error("malformed manifest ...") on invalid JSON or missing fields.
ImageManifest parse_image_manifest(const std::string& body);
ImageIndex parse_image_index(const std::string& body);

// Host platform in OCI terms (linux/amd64, linux/arm64/v8 ...).
Platform host_platform();
// Candidate (os, arch, variant) in priority order, as containers/image's WantedPlatforms.
std::vector<Platform> wanted_platforms(const Platform& want);
// First entry matching the candidates in priority order; nullopt when none.
std::optional<Descriptor> choose_instance(const ImageIndex& index, const Platform& want);
// "amd64", "x86_64" -> "amd64"; "aarch64" -> "arm64"; used for --arch/--platform.
std::string normalize_arch(const std::string& arch);
// "linux/arm64/v8" -> Platform; throws Error on malformed.
Platform parse_platform(const std::string& s);

}  // namespace burrow::pull
