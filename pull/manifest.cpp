// Manifest classification/parsing and platform choice (containers/image's WantedPlatforms rules).
#include "pull/manifest.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/strings.hpp"

namespace burrow::pull {
namespace {

using nlohmann::json;

std::string strip_params(const std::string& ct) { return to_lower(trim(std::string_view(ct).substr(0, ct.find(';')))); }

Descriptor parse_descriptor(const json& j, const char* what) {
    if (!j.is_object()) throw Error(std::string("malformed manifest: ") + what + " is not an object");
    Descriptor d;
    try {
        d.media_type = j.value("mediaType", "");
        d.digest = j.at("digest").get<std::string>();
        d.size = j.at("size").get<int64_t>();
        if (auto p = j.find("platform"); p != j.end() && p->is_object())
            d.platform = Platform{p->value("os", ""), p->value("architecture", ""), p->value("variant", "")};
    } catch (const json::exception&) {
        throw Error(std::string("malformed manifest: ") + what + " needs a digest and a size");
    }
    if (d.size < 0) throw Error(std::string("malformed manifest: ") + what + " has a negative size");
    return d;
}

json parse_json(const std::string& body) {
    try {
        json j = json::parse(body);
        if (!j.is_object()) throw Error("malformed manifest: not a JSON object");
        return j;
    } catch (const json::exception& e) {
        throw Error(std::string("malformed manifest: ") + e.what());
    }
}

// The variant table: each variant and the less capable ones it can run.
std::vector<std::string> compatible_variants(const std::string& arch, const std::string& variant) {
    static const std::vector<std::string> arm = {"v8", "v7", "v6", "v5"};
    static const std::vector<std::string> arm64 = {"v8"};
    const std::vector<std::string>* table = arch == "arm" ? &arm : arch == "arm64" ? &arm64 : nullptr;
    if (!table) return {};
    auto it = std::find(table->begin(), table->end(), variant);
    if (it == table->end()) return {};
    return {it, table->end()};
}

}  // namespace

std::string manifest_accept_header() {
    return std::string(kOciManifest) + ", " + kDockerManifest + ", " + kDockerSchema1Signed + ", " + kDockerSchema1 +
           ", " + kDockerList + ", " + kOciIndex;
}

ManifestKind classify_manifest(const std::string& content_type, const std::string& body) {
    auto kind_of = [](const std::string& mt) {
        if (mt == kOciManifest || mt == kDockerManifest) return ManifestKind::image;
        if (mt == kOciIndex || mt == kDockerList) return ManifestKind::index;
        if (mt == kDockerSchema1 || mt == kDockerSchema1Signed) return ManifestKind::schema1;
        return ManifestKind::unknown;
    };
    auto k = kind_of(strip_params(content_type));
    if (k != ManifestKind::unknown) return k;
    // Registries (and static file servers) often send text/plain or application/json: guess from the body.
    json j;
    try {
        j = json::parse(body);
    } catch (const json::exception&) {
        return ManifestKind::unknown;
    }
    if (!j.is_object()) return ManifestKind::unknown;
    if (auto mt = j.find("mediaType"); mt != j.end() && mt->is_string()) {
        k = kind_of(mt->get<std::string>());
        if (k != ManifestKind::unknown) return k;
    }
    if (j.value("schemaVersion", 0) == 1) return ManifestKind::schema1;
    if (j.contains("manifests")) return ManifestKind::index;
    if (j.contains("config") && j.contains("layers")) return ManifestKind::image;
    return ManifestKind::unknown;
}

ImageManifest parse_image_manifest(const std::string& body) {
    json j = parse_json(body);
    ImageManifest m;
    m.media_type = j.value("mediaType", "");
    if (j.value("schemaVersion", 0) == 1)
        throw Error(std::string("unsupported manifest type ") + kDockerSchema1Signed +
                    ": schema1 images are not supported, push the image again with a current tool");
    if (!j.contains("config")) throw Error("malformed manifest: no \"config\"");
    m.config = parse_descriptor(j["config"], "config");
    auto layers = j.find("layers");
    if (layers == j.end() || !layers->is_array()) throw Error("malformed manifest: no \"layers\" array");
    for (const auto& l : *layers) m.layers.push_back(parse_descriptor(l, "layer"));
    return m;
}

ImageIndex parse_image_index(const std::string& body) {
    json j = parse_json(body);
    ImageIndex idx;
    idx.media_type = j.value("mediaType", "");
    auto ms = j.find("manifests");
    if (ms == j.end() || !ms->is_array()) throw Error("malformed manifest list: no \"manifests\" array");
    for (const auto& m : *ms) idx.manifests.push_back(parse_descriptor(m, "manifest list entry"));
    return idx;
}

std::string normalize_arch(const std::string& arch) {
    std::string a = to_lower(arch);
    if (a == "x86_64" || a == "x86-64") return "amd64";
    if (a == "aarch64") return "arm64";
    if (a == "i386" || a == "i686") return "386";
    if (a == "armhf" || a == "armel" || a.rfind("armv", 0) == 0) return "arm";
    return a;
}

Platform host_platform() {
    Platform p{"linux", "amd64", ""};
    struct utsname u {};
    if (::uname(&u) == 0) p.architecture = normalize_arch(u.machine);
    if (p.architecture == "arm64") p.variant = "v8";
    if (p.architecture == "arm") {
        // "CPU architecture: 7" in /proc/cpuinfo gives v7.
        std::ifstream in("/proc/cpuinfo");
        std::string line;
        while (std::getline(in, line))
            if (to_lower(line).rfind("cpu architecture", 0) == 0) {
                auto v = std::string(trim(line.substr(line.find(':') + 1)));
                if (!v.empty() && v[0] >= '5' && v[0] <= '8') p.variant = std::string("v") + v[0];
                break;
            }
    }
    return p;
}

std::vector<Platform> wanted_platforms(const Platform& want) {
    std::vector<Platform> out;
    std::string os = want.os.empty() ? "linux" : want.os;
    std::string arch = normalize_arch(want.architecture);
    if (!want.variant.empty()) {
        auto vs = compatible_variants(arch, want.variant);
        if (vs.empty()) vs = {want.variant};
        for (const auto& v : vs) out.push_back({os, arch, v});
        out.push_back({os, arch, ""});
    } else {
        out.push_back({os, arch, ""});
        static const std::vector<std::string> arm = {"v8", "v7", "v6", "v5"};
        if (arch == "arm")
            for (const auto& v : arm) out.push_back({os, arch, v});
        if (arch == "arm64") out.push_back({os, arch, "v8"});
    }
    return out;
}

std::optional<Descriptor> choose_instance(const ImageIndex& index, const Platform& want) {
    for (const auto& cand : wanted_platforms(want))
        for (const auto& m : index.manifests) {
            if (!m.platform) continue;
            if (m.platform->os == cand.os && normalize_arch(m.platform->architecture) == cand.architecture &&
                m.platform->variant == cand.variant)
                return m;
        }
    return std::nullopt;
}

Platform parse_platform(const std::string& s) {
    auto parts = split(s, '/');
    if (parts.size() < 2 || parts.size() > 3) throw Error("invalid platform \"" + s + "\": expected OS/ARCH[/VARIANT]");
    for (const auto& p : parts)
        if (p.empty()) throw Error("invalid platform \"" + s + "\": expected OS/ARCH[/VARIANT]");
    return Platform{parts[0], normalize_arch(parts[1]), parts.size() == 3 ? parts[2] : ""};
}

}  // namespace burrow::pull
