#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "pull/http.hpp"
#include "pull/manifest.hpp"
#include "pull/registry_client.hpp"

using namespace burrow;
using namespace burrow::pull;

namespace {
const char* kOci = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:aa","size":12},
 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:bb","size":100},
           {"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"sha256:cc","size":200}]})";
const char* kIndex = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
 {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:a1","size":1,"platform":{"os":"linux","architecture":"amd64"}},
 {"digest":"sha256:a2","size":1,"platform":{"os":"linux","architecture":"arm","variant":"v6"}},
 {"digest":"sha256:a3","size":1,"platform":{"os":"linux","architecture":"arm","variant":"v7"}},
 {"digest":"sha256:a4","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
 {"digest":"sha256:a5","size":1,"platform":{"os":"linux","architecture":"amd64","variant":"v2"}},
 {"digest":"sha256:a6","size":1,"platform":{"os":"windows","architecture":"amd64"}},
 {"digest":"sha256:a7","size":1,"platform":{"os":"unknown","architecture":"unknown"}}]})";
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}
std::string pick(const char* body, Platform p) {
    auto d = choose_instance(parse_image_index(body), p);
    return d ? d->digest : "none";
}
}  // namespace

TEST_CASE("classify manifests by content type, then by body") {
    CHECK(classify_manifest("application/vnd.oci.image.manifest.v1+json", "") == ManifestKind::image);
    CHECK(classify_manifest("application/vnd.docker.distribution.manifest.v2+json; charset=utf-8", "") == ManifestKind::image);
    CHECK(classify_manifest(kDockerList, "") == ManifestKind::index);
    CHECK(classify_manifest(kOciIndex, "") == ManifestKind::index);
    CHECK(classify_manifest(kDockerSchema1Signed, "") == ManifestKind::schema1);
    CHECK(classify_manifest("text/plain", kOci) == ManifestKind::image);
    CHECK(classify_manifest("application/json", kIndex) == ManifestKind::index);
    CHECK(classify_manifest("", R"({"schemaVersion":1,"name":"x","fsLayers":[]})") == ManifestKind::schema1);
    CHECK(classify_manifest("", R"({"schemaVersion":2,"manifests":[]})") == ManifestKind::index);
    CHECK(classify_manifest("", R"({"schemaVersion":2,"config":{},"layers":[]})") == ManifestKind::image);
    CHECK(classify_manifest("", "not json") == ManifestKind::unknown);
    CHECK(classify_manifest("application/octet-stream", "{}") == ManifestKind::unknown);
    CHECK(manifest_accept_header().find(kOciIndex) != std::string::npos);
    CHECK(manifest_accept_header().find(kDockerSchema1Signed) != std::string::npos);
}

TEST_CASE("parse image manifests and indexes") {
    auto m = parse_image_manifest(kOci);
    CHECK(m.media_type == kOciManifest);
    CHECK(m.config.digest == "sha256:aa");
    CHECK(m.config.size == 12);
    REQUIRE(m.layers.size() == 2);
    CHECK(m.layers[1].media_type == "application/vnd.oci.image.layer.v1.tar+zstd");
    CHECK(m.layers[1].size == 200);
    auto idx = parse_image_index(kIndex);
    REQUIRE(idx.manifests.size() == 7);
    REQUIRE(idx.manifests[2].platform);
    CHECK(idx.manifests[2].platform->variant == "v7");
}

TEST_CASE("malformed and schema1 manifests are refused") {
    CHECK(error_of([] { parse_image_manifest("{"); }).rfind("malformed manifest", 0) == 0);
    CHECK(error_of([] { parse_image_manifest("[]"); }).rfind("malformed manifest", 0) == 0);
    CHECK(error_of([] { parse_image_manifest(R"({"schemaVersion":2,"layers":[]})"); }) == "malformed manifest: no \"config\"");
    CHECK(error_of([] { parse_image_manifest(R"({"config":{"digest":"sha256:a","size":1}})"); }) ==
          "malformed manifest: no \"layers\" array");
    CHECK(error_of([] { parse_image_manifest(R"({"config":{"digest":"sha256:a"},"layers":[]})"); })
              .find("needs a digest and a size") != std::string::npos);
    CHECK(error_of([] { parse_image_manifest(R"({"config":{"digest":"sha256:a","size":-1},"layers":[]})"); })
              .find("negative") != std::string::npos);
    CHECK(error_of([] { parse_image_manifest(R"({"schemaVersion":1,"fsLayers":[]})"); }).find("schema1 images are not supported") !=
          std::string::npos);
    CHECK(error_of([] { parse_image_index(R"({"schemaVersion":2})"); }).find("malformed manifest list") != std::string::npos);
}

TEST_CASE("platforms: wanted order and choice") {
    auto w = wanted_platforms({"linux", "arm", "v7"});
    REQUIRE(w.size() == 4);
    CHECK(w[0].variant == "v7");
    CHECK(w[1].variant == "v6");
    CHECK(w[2].variant == "v5");
    CHECK(w[3].variant.empty());
    auto w64 = wanted_platforms({"linux", "arm64", "v8"});
    REQUIRE(w64.size() == 2);
    CHECK(w64[0].variant == "v8");
    CHECK(w64[1].variant.empty());
    auto wn = wanted_platforms({"linux", "arm", ""});
    CHECK(wn.front().variant.empty());
    CHECK(wn.size() == 5);
    CHECK(wanted_platforms({"linux", "amd64", ""}).size() == 1);

    CHECK(pick(kIndex, {"linux", "amd64", ""}) == "sha256:a1");
    CHECK(pick(kIndex, {"linux", "x86_64", ""}) == "sha256:a1");
    CHECK(pick(kIndex, {"linux", "arm", "v7"}) == "sha256:a3");
    CHECK(pick(kIndex, {"linux", "arm", "v8"}) == "sha256:a3");  // v8 runs v7 images
    CHECK(pick(kIndex, {"linux", "arm", "v6"}) == "sha256:a2");
    CHECK(pick(kIndex, {"linux", "arm", "v5"}) == "none");
    CHECK(pick(kIndex, {"linux", "arm64", "v8"}) == "sha256:a4");
    CHECK(pick(kIndex, {"linux", "arm64", ""}) == "sha256:a4");
    CHECK(pick(kIndex, {"windows", "amd64", ""}) == "sha256:a6");
    CHECK(pick(kIndex, {"linux", "s390x", ""}) == "none");
    // an arm64 image without a variant is taken by an arm64/v8 host
    CHECK(pick(R"({"manifests":[{"digest":"sha256:b","size":1,"platform":{"os":"linux","architecture":"arm64"}}]})",
               {"linux", "arm64", "v8"}) == "sha256:b");
}

TEST_CASE("host platform and parse_platform") {
    auto h = host_platform();
    CHECK(h.os == "linux");
    CHECK(!h.architecture.empty());
    CHECK(h.architecture != "x86_64");
    if (h.architecture == "arm64") CHECK(h.variant == "v8");
    CHECK(normalize_arch("x86_64") == "amd64");
    CHECK(normalize_arch("aarch64") == "arm64");
    CHECK(normalize_arch("amd64") == "amd64");
    auto p = parse_platform("linux/arm64/v8");
    CHECK(p.os == "linux");
    CHECK(p.architecture == "arm64");
    CHECK(p.variant == "v8");
    CHECK(parse_platform("linux/x86_64").architecture == "amd64");
    CHECK(parse_platform("linux/amd64").variant.empty());
    CHECK_THROWS_AS(parse_platform("linux"), Error);
    CHECK_THROWS_AS(parse_platform("linux//v7"), Error);
    CHECK_THROWS_AS(parse_platform("a/b/c/d"), Error);
}

TEST_CASE("WWW-Authenticate parsing") {
    auto c = parse_www_authenticate(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
    REQUIRE(c.size() == 1);
    CHECK(c[0].scheme == "bearer");
    CHECK(c[0].params.at("realm") == "https://auth.docker.io/token");
    CHECK(c[0].params.at("service") == "registry.docker.io");
    CHECK(c[0].params.at("scope") == "repository:library/alpine:pull");

    c = parse_www_authenticate(R"(Basic realm="Registry Realm", Bearer realm="https://a/t", scope="repository:a/b:pull,push", error="insufficient_scope")");
    REQUIRE(c.size() == 2);
    CHECK(c[0].scheme == "basic");
    CHECK(c[0].params.at("realm") == "Registry Realm");
    CHECK(c[1].scheme == "bearer");
    CHECK(c[1].params.at("scope") == "repository:a/b:pull,push");
    CHECK(c[1].params.at("error") == "insufficient_scope");

    c = parse_www_authenticate(R"(BEARER Realm="a \"quoted\" \\ realm",service=plain)");
    REQUIRE(c.size() == 1);
    CHECK(c[0].scheme == "bearer");
    CHECK(c[0].params.at("realm") == "a \"quoted\" \\ realm");
    CHECK(c[0].params.at("service") == "plain");

    c = parse_www_authenticate("Basic");
    REQUIRE(c.size() == 1);
    CHECK(c[0].params.empty());
    CHECK(parse_www_authenticate("").empty());
    CHECK(parse_www_authenticate(" , ,").empty());
}

TEST_CASE("registry error bodies as Podman prints them") {
    std::string code;
    CHECK(http::registry_error_text(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]})", &code) ==
          "manifest unknown: manifest unknown");
    CHECK(code == "MANIFEST_UNKNOWN");
    code.clear();
    CHECK(http::registry_error_text(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})", &code) ==
          "unauthorized: authentication required");
    CHECK(code == "UNAUTHORIZED");
    code.clear();
    CHECK(http::registry_error_text(401, "", &code) == "unauthorized: authentication required");
    CHECK(http::registry_error_text(502, "<html>\nbad gateway</html>", nullptr) == "StatusCode: 502, <html> bad gateway</html>");
}
