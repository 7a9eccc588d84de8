// `images --filter` as libimage compiles it: key=value or key!=value; filters with the same key
// are alternatives (any may match), different keys must all match. Pure: lookups of other images
// (before/after/since) come through a callback.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "src/commands/image_json.hpp"

namespace burrow::commands {

// What a filter needs to know of the store besides the image itself.
struct ImageFilterEnv {
    // The created time (unix seconds) of the image a user's name or id refers to; nullopt = not known.
    std::function<std::optional<int64_t>(const std::string&)> created_of;
    int64_t now_ns = 0;
};

// What the store says about one image beyond its view.
struct ImageFacts {
    bool has_children = false;  // another image is built on top of it
};

class ImageFilter {
public:
    // Throws libimage's errors for malformed or unknown filters.
    static ImageFilter compile(const std::vector<std::string>& filters, const ImageFilterEnv& env);
    bool matches(const ImageView& v, const ImageFacts& facts) const;
    bool empty() const { return groups_.empty(); }

private:
    using Pred = std::function<bool(const ImageView&, const ImageFacts&)>;
    std::map<std::string, std::vector<Pred>> groups_;
};

// Podman's reference filter: a path.Match glob against the full name and its shorter forms.
bool image_reference_matches(const std::vector<std::string>& names, const std::string& pattern);
// containers/common's MatchLabelFilters for one "key" or "key=value" (a "*" in key is a glob).
bool image_label_matches(const nlohmann::json& labels, const std::string& filter);

// libimage's dangling / intermediate: no names and no / some children.
inline bool image_dangling(const ImageView& v, const ImageFacts& f) { return v.rec.names.empty() && !f.has_children; }
inline bool image_intermediate(const ImageView& v, const ImageFacts& f) { return v.rec.names.empty() && f.has_children; }

// True when `child`'s layers are `parent`'s plus one more (libimage's layer tree: its top layer's
// parent is the other's top layer).
bool image_is_child(const storage::ImageRecord& parent, const storage::ImageRecord& child);

}  // namespace burrow::commands
