// Image records (images/<id>.json) and the resolution of a user's image reference.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "storage/store.hpp"
#include "storage/store_internal.hpp"

namespace burrow::storage {
namespace {

using detail::id_hex;

nlohmann::json image_to_json(const ImageRecord& r) {
    return nlohmann::json{{"id", r.id},
                          {"names", r.names},
                          {"digest", r.digest},
                          {"digests", r.digests},
                          {"repo_digests", r.repo_digests},
                          {"manifest_media_type", r.manifest_media_type},
                          {"layers", r.layers},
                          {"names_history", r.names_history},
                          {"pulled", r.pulled},
                          {"size", r.size}};
}

std::optional<ImageRecord> image_from_json(const std::string& text) {
    try {
        auto j = nlohmann::json::parse(text);
        ImageRecord r;
        r.id = j.at("id").get<std::string>();
        auto strings = [&](const char* k) {
            return j.contains(k) ? j.at(k).get<std::vector<std::string>>() : std::vector<std::string>{};
        };
        r.names = strings("names");
        r.digest = j.value("digest", "");
        r.digests = strings("digests");
        r.repo_digests = strings("repo_digests");
        r.manifest_media_type = j.value("manifest_media_type", "");
        r.layers = strings("layers");
        r.names_history = strings("names_history");
        r.pulled = j.value("pulled", int64_t{0});
        r.size = j.value("size", uint64_t{0});
        return r;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

// "reg/path:tag" split into its name and tag ("" when none).
struct NameTag {
    std::string name, tag;
};
NameTag split_tag(const std::string& s) {
    auto slash = s.rfind('/');
    auto colon = s.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
        return {s.substr(0, colon), s.substr(colon + 1)};
    return {s, ""};
}

// Whether the first path component is a registry host, as Docker decides it.
bool has_registry(const std::string& name) {
    auto slash = name.find('/');
    if (slash == std::string::npos) return false;
    auto first = name.substr(0, slash);
    return first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost";
}

// Does the stored fully qualified `stored` name ("reg/repo") answer to the user's `want` name?
bool name_matches(const std::string& stored, const std::string& want) {
    if (stored == want) return true;
    auto slash = stored.find('/');
    if (slash == std::string::npos) return false;
    auto reg = stored.substr(0, slash), repo = stored.substr(slash + 1);
    if (has_registry(want)) {
        auto ws = want.find('/');
        if (want.substr(0, ws) != reg) return false;
        auto wrepo = want.substr(ws + 1);
        return repo == wrepo || repo == "library/" + wrepo;
    }
    return repo == want || repo == "library/" + want;
}

const ImageRecord* newest(const std::vector<const ImageRecord*>& v) {
    if (v.empty()) return nullptr;
    return *std::max_element(v.begin(), v.end(), [](auto* a, auto* b) { return a->pulled < b->pulled; });
}

std::optional<ImageRecord> by_id_prefix(const std::vector<ImageRecord>& all, const std::string& prefix) {
    const ImageRecord* found = nullptr;
    int count = 0;
    for (const auto& img : all)
        if (img.id.compare(0, prefix.size(), prefix) == 0) {
            found = &img;
            ++count;
        }
    if (count > 1)
        throw Error("short image ID \"" + prefix + "\" is ambiguous: it matches " + std::to_string(count) +
                    " images, give more characters");
    if (found) return *found;
    return std::nullopt;
}

}  // namespace

void set_image_names(ImageRecord& rec, const std::vector<std::string>& names) {
    std::vector<std::string> unique;
    for (const auto& n : names)
        if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
    for (const auto& n : unique) {
        rec.names_history.erase(std::remove(rec.names_history.begin(), rec.names_history.end(), n),
                                rec.names_history.end());
        rec.names_history.insert(rec.names_history.begin(), n);
    }
    rec.names = std::move(unique);
}

std::vector<ImageRecord> Store::images() const {
    std::vector<ImageRecord> out;
    auto dir = opts_.root + "/images";
    for (const auto& name : list_dir(dir)) {
        if (name.size() != 69 || name.compare(64, 5, ".json") != 0) continue;  // temp files of atomic writes
        if (auto text = read_file_if_exists(dir + "/" + name))
            if (auto r = image_from_json(*text)) out.push_back(std::move(*r));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.pulled > b.pulled; });
    return out;
}

std::optional<ImageRecord> Store::image(const std::string& id) const {
    auto hex = id_hex(id);
    if (hex.empty()) return std::nullopt;
    auto text = read_file_if_exists(opts_.root + "/images/" + hex + ".json");
    if (!text) return std::nullopt;
    return image_from_json(*text);
}

void Store::put_image(const ImageRecord& rec) {
    auto hex = id_hex(rec.id);
    if (hex.empty() || hex != rec.id) throw Error("invalid image id \"" + rec.id + "\"");
    atomic_write_file(opts_.root + "/images/" + hex + ".json", image_to_json(rec).dump(2) + "\n", 0644);
}

void Store::remove_image_record(const std::string& id) {
    auto hex = id_hex(id);
    if (hex.empty()) throw Error("invalid image id \"" + id + "\"");
    auto path = opts_.root + "/images/" + hex + ".json";
    if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw_errno("remove `" + path + "`");
    fsync_dir(opts_.root + "/images");
}

std::optional<ImageRecord> Store::find_image(const std::string& ref) const {
    if (ref.empty()) return std::nullopt;
    if (auto hex = id_hex(ref); !hex.empty() && ref.size() == 64)
        if (auto r = image(hex)) return r;
    auto all = images();
    auto with_name = [&](const std::string& n) -> const ImageRecord* {
        for (const auto& img : all)
            if (std::find(img.names.begin(), img.names.end(), n) != img.names.end()) return &img;
        return nullptr;
    };
    if (auto* r = with_name(ref)) return *r;
    auto at = ref.find('@');
    auto nt = split_tag(ref.substr(0, at));
    if (at == std::string::npos && nt.tag.empty())
        if (auto* r = with_name(ref + ":latest")) return *r;

    // Short or partially qualified names: any registry, "library/" implied.
    if (at == std::string::npos) {
        std::string tag = nt.tag.empty() ? "latest" : nt.tag;
        std::vector<const ImageRecord*> hits;
        for (const auto& img : all)
            for (const auto& n : img.names) {
                auto s = split_tag(n);
                if (s.tag == tag && name_matches(s.name, nt.name)) {
                    hits.push_back(&img);
                    break;
                }
            }
        if (auto* r = newest(hits)) return *r;
    }

    // Unique id prefix.
    std::string lower = ref;
    if (lower.size() >= 3 && lower.size() <= 64 && detail::is_hex(lower))
        if (auto r = by_id_prefix(all, lower)) return r;

    // "sha256:<id or prefix>" and "name@sha256:<manifest digest>".
    if (ref.rfind("sha256:", 0) == 0) {
        auto hex = ref.substr(7);
        if (hex.size() >= 3 && hex.size() <= 64 && detail::is_hex(hex))
            if (auto r = by_id_prefix(all, hex)) return r;
        return std::nullopt;
    }
    if (at != std::string::npos) {
        auto name = split_tag(ref.substr(0, at)).name, digest = ref.substr(at + 1);
        std::vector<const ImageRecord*> named, any;
        for (const auto& img : all) {
            bool has_digest = img.digest == digest ||
                              std::find(img.digests.begin(), img.digests.end(), digest) != img.digests.end();
            if (!has_digest) continue;
            any.push_back(&img);
            bool same_repo = false;
            for (const auto& rd : img.repo_digests) {
                auto a = rd.find('@');
                if (a != std::string::npos && name_matches(rd.substr(0, a), name)) same_repo = true;
            }
            for (const auto& n : img.names)
                if (name_matches(split_tag(n.substr(0, n.find('@'))).name, name)) same_repo = true;
            if (same_repo) named.push_back(&img);
        }
        if (auto* r = newest(named)) return *r;
        if (auto* r = newest(any)) return *r;
    }
    return std::nullopt;
}

}  // namespace burrow::storage
