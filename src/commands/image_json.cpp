#include "src/commands/image_json.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "base/strings.hpp"

namespace burrow::commands {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

bool parse_rfc3339(const std::string& s, int64_t& out) {
    int y, mo, d, h, mi, sec;
    int n = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return false;
    size_t i = static_cast<size_t>(n);
    if (i < s.size() && s[i] == '.')
        for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {}
    int64_t offset = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return false;
        offset = (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else if (i >= s.size() || (s[i] != 'Z' && s[i] != 'z')) {
        return false;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    out = static_cast<int64_t>(timegm(&tm)) - offset;
    return true;
}

std::string format_rfc3339_utc(int64_t t) {
    time_t tt = static_cast<time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string go_time_string(int64_t t) {
    // Podman's imageReporter converts to UTC before printing.
    time_t tt = static_cast<time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
    return buf;
}

ImageView make_view(storage::ImageRecord rec, const std::string& config_text, const std::string& manifest_text) {
    ImageView v;
    v.rec = std::move(rec);
    v.config = json::parse(config_text, nullptr, false);
    if (!v.config.is_object()) v.config = json::object();
    v.manifest = json::parse(manifest_text, nullptr, false);
    if (!v.manifest.is_object()) v.manifest = json::object();
    v.created = v.rec.pulled;
    if (v.config.contains("created") && v.config["created"].is_string())
        parse_rfc3339(v.config["created"].get<std::string>(), v.created);
    return v;
}

std::pair<std::string, std::string> split_name(const std::string& name) {
    size_t at = name.find('@');
    if (at != std::string::npos) return {name.substr(0, at), "<none>"};
    size_t slash = name.rfind('/');
    size_t colon = name.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
        return {name.substr(0, colon), name.substr(colon + 1)};
    return {name, "<none>"};
}

std::vector<std::string> image_repo_digests(const storage::ImageRecord& rec) {
    std::vector<std::string> digests = rec.digests;
    digests.push_back(rec.digest);
    std::vector<std::string> out;
    for (const auto& n : rec.names) {
        std::string repo = split_name(n).first;
        for (const auto& d : digests) {
            if (d.empty()) continue;
            std::string rd = repo + "@" + d;
            if (std::find(out.begin(), out.end(), rd) == out.end()) out.push_back(rd);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string short_id(const std::string& id, bool no_trunc) { return no_trunc ? "sha256:" + id : id.substr(0, 12); }

static json labels_of(const json& config) {
    if (config.contains("config") && config["config"].is_object()) {
        const json& c = config["config"];
        if (c.contains("Labels") && c["Labels"].is_object() && !c["Labels"].empty()) return c["Labels"];
    }
    return nullptr;
}

// libimage's RepoTags: the names with a tag (a name by digest only is not one).
static std::vector<std::string> tagged_names(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& n : names)
        if (n.find('@') == std::string::npos) out.push_back(n);
    return out;
}

static json string_list(const std::vector<std::string>& v) {
    json a = json::array();
    for (const auto& s : v) a.push_back(s);
    return a;
}

std::vector<json> image_rows(const ImageView& v, const RowOptions& o) {
    std::string since = human_duration_ago(std::max<int64_t>(0, o.now - v.created));
    json base = {
        {"ID", short_id(v.rec.id, o.no_trunc)},
        {"Id", v.rec.id},
        {"ParentId", ""},
        {"Digest", v.rec.digest},
        {"RepoDigests", string_list(image_repo_digests(v.rec))},
        {"RepoTags", string_list(v.rec.names)},
        {"Names", string_list(v.rec.names)},
        {"Created", since},
        {"CreatedSince", since},
        {"CreatedAt", go_time_string(v.created)},
        {"CreatedTime", go_time_string(v.created)},
        {"Size", human_size(static_cast<double>(v.rec.size))},
        {"VirtualSize", v.rec.size},
        {"SharedSize", 0},
        {"Labels", labels_of(v.config)},
        {"Containers", v.containers},
        {"ReadOnly", false},
        {"Dangling", v.rec.names.empty()},
        {"History", join(v.rec.names_history, ", ")},
    };
    // Podman's sortImages: a row per tagged name; a digest-only name shows (as "<none>" tag) only
    // when the image has no tagged one.
    std::vector<json> tagged, untagged;
    for (const auto& n : v.rec.names) {
        json r = base;
        auto [repo, tag] = split_name(n);
        r["Repository"] = repo;
        r["Tag"] = tag;
        (tag == "<none>" ? untagged : tagged).push_back(std::move(r));
    }
    if (!tagged.empty()) return tagged;
    if (!untagged.empty()) return {untagged.front()};
    json r = base;
    r["Repository"] = "<none>";
    r["Tag"] = "<none>";
    return {r};
}

json image_row_headers() {
    return {{"ID", "IMAGE ID"},         {"Id", "ID"},
            {"ParentId", "PARENT ID"},  {"Digest", "DIGEST"},
            {"RepoDigests", "REPO DIGESTS"}, {"RepoTags", "REPO TAGS"},
            {"Names", "NAMES"},         {"Created", "CREATED"},
            {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"},
            {"CreatedTime", "CREATED TIME"}, {"Size", "SIZE"},
            {"VirtualSize", "VIRTUAL SIZE"}, {"SharedSize", "SHARED SIZE"},
            {"Labels", "LABELS"},       {"Containers", "CONTAINERS"},
            {"ReadOnly", "R/O"},        {"Dangling", "DANGLING"},
            {"History", "HISTORY"},     {"Repository", "REPOSITORY"},
            {"Tag", "TAG"}};
}

ojson image_summary_json(const ImageView& v) {
    ojson j;
    j["Id"] = v.rec.id;
    j["ParentId"] = "";
    j["RepoTags"] = nullptr;  // Podman leaves it empty here; the names are in "Names"
    j["RepoDigests"] = image_repo_digests(v.rec);
    j["Size"] = v.rec.size;
    j["SharedSize"] = 0;
    j["VirtualSize"] = v.rec.size;
    j["Labels"] = ojson(labels_of(v.config));
    j["Containers"] = v.containers;
    if (v.rec.names.empty()) j["Dangling"] = true;
    if (!v.rec.names.empty()) j["Names"] = v.rec.names;
    if (!v.rec.digest.empty()) j["Digest"] = v.rec.digest;
    if (!v.rec.names_history.empty()) j["History"] = v.rec.names_history;
    j["Created"] = v.created;
    j["CreatedAt"] = format_rfc3339_utc(v.created);
    return j;
}

// The OCI ImageConfig fields in the order Go's struct marshals them; other keys are dropped.
static ojson oci_config(const json& c) {
    static const char* const order[] = {"User",    "ExposedPorts", "Env",    "Entrypoint", "Cmd",
                                        "Volumes", "WorkingDir",   "Labels", "StopSignal", "ArgsEscaped"};
    ojson r = ojson::object();
    if (!c.is_object()) return r;
    for (const char* k : order) {
        auto it = c.find(k);
        if (it == c.end() || it->is_null()) continue;
        if ((it->is_string() || it->is_array() || it->is_object()) && it->empty()) continue;  // omitempty
        if (it->is_boolean() && !it->get<bool>()) continue;
        r[k] = ojson(*it);
    }
    return r;
}

static std::string str_field(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

ojson image_inspect_json(const ImageView& v, const GraphPaths& g) {
    const json& cfg = v.config;
    json inner = cfg.contains("config") ? cfg["config"] : json::object();
    ojson j;
    j["Id"] = v.rec.id;
    j["Digest"] = v.rec.digest;
    j["RepoTags"] = tagged_names(v.rec.names);
    j["RepoDigests"] = image_repo_digests(v.rec);
    j["Parent"] = "";
    j["Comment"] = str_field(cfg, "comment");
    j["Created"] = cfg.contains("created") && cfg["created"].is_string() ? cfg["created"].get<std::string>()
                                                                          : format_rfc3339_utc(v.created);
    j["Config"] = oci_config(inner);
    j["Version"] = str_field(cfg, "docker_version");
    j["Author"] = str_field(cfg, "author");
    j["Architecture"] = str_field(cfg, "architecture");
    j["Os"] = str_field(cfg, "os");
    if (!str_field(cfg, "variant").empty()) j["Variant"] = str_field(cfg, "variant");
    j["Size"] = v.rec.size;
    j["VirtualSize"] = v.rec.size;
    ojson data = ojson::object();
    if (!g.lower_dirs.empty()) data["LowerDir"] = join(g.lower_dirs, ":");
    if (!g.upper_dir.empty()) data["UpperDir"] = g.upper_dir;
    j["GraphDriver"] = {{"Name", "overlay"}, {"Data", data}};
    ojson layers = ojson::array();
    if (cfg.contains("rootfs") && cfg["rootfs"].contains("diff_ids"))
        for (const auto& d : cfg["rootfs"]["diff_ids"]) layers.push_back(ojson(d));
    j["RootFS"] = {{"Type", "layers"}, {"Layers", layers}};
    j["Labels"] = ojson(labels_of(cfg));
    j["Annotations"] = v.manifest.contains("annotations") ? ojson(v.manifest["annotations"]) : ojson::object();
    j["ManifestType"] = v.rec.manifest_media_type;
    j["User"] = inner.is_object() ? str_field(inner, "User") : "";
    ojson history = ojson::array();
    if (cfg.contains("history") && cfg["history"].is_array()) {
        for (const auto& h : cfg["history"]) {
            ojson e = ojson::object();
            for (const char* k : {"created", "created_by", "author", "comment"})
                if (!str_field(h, k).empty()) e[k] = str_field(h, k);
            if (h.contains("empty_layer") && h["empty_layer"].is_boolean() && h["empty_layer"].get<bool>()) e["empty_layer"] = true;
            history.push_back(std::move(e));
        }
    }
    j["History"] = history;
    j["NamesHistory"] = v.rec.names_history;
    return j;
}

}  // namespace burrow::commands
