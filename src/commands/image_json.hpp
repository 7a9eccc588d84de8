// Pure views of a stored image as Podman prints it: list rows, `images --format json` entries and
// `image inspect` documents, built from the store's record and the image's config and manifest.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/store.hpp"

namespace burrow::commands {

struct ImageView {
    storage::ImageRecord rec;
    nlohmann::json config = nlohmann::json::object();    // the config blob (OCI image config)
    nlohmann::json manifest = nlohmann::json::object();  // the image manifest
    int64_t created = 0;                                 // config "created", else when pulled
    int containers = 0;
};

// Parses the config's "created" (RFC 3339, any fraction, Z or offset) into unix seconds; false when malformed.
bool parse_rfc3339(const std::string& s, int64_t& out);
// "2026-11-22T07:53:43Z"
std::string format_rfc3339_utc(int64_t t);
// Go's time.Time.String() in UTC: "2026-11-22 07:53:43 +0000 UTC"
std::string go_time_string(int64_t t);

// Builds the view's `created` from its config (falls back to rec.pulled).
ImageView make_view(storage::ImageRecord rec, const std::string& config_text, const std::string& manifest_text);

// "registry/repo:tag" -> {"registry/repo", "tag"}; a name with a digest only -> {name, "<none>"}.
std::pair<std::string, std::string> split_name(const std::string& name);

struct RowOptions {
    bool no_trunc = false;
    int64_t now = 0;  // for CREATED ("2 hours ago")
};
// One row per name (or one "<none>" row), with the fields Podman's templates know.
std::vector<nlohmann::json> image_rows(const ImageView& v, const RowOptions& o);
// Header strings for those fields.
nlohmann::json image_row_headers();

// One entry of `images --format json`.
nlohmann::ordered_json image_summary_json(const ImageView& v);

// Paths for GraphDriver.Data.
struct GraphPaths {
    std::string upper_dir;                // top layer's diff dir
    std::vector<std::string> lower_dirs;  // the others, top-most first
};
// One element of `image inspect`.
nlohmann::ordered_json image_inspect_json(const ImageView& v, const GraphPaths& g);

// libimage's RepoDigests: every name's repository with every manifest digest the image has, sorted.
std::vector<std::string> image_repo_digests(const storage::ImageRecord& rec);

// Podman's ID column: 12 hex chars, or "sha256:<64>" with --no-trunc.
std::string short_id(const std::string& id, bool no_trunc);

}  // namespace burrow::commands
