#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "pull/reference.hpp"

using namespace burrow;
using namespace burrow::pull;

namespace {
std::string norm(const char* s) { return parse_reference(s).ref.str(); }
std::string err(const char* s) {
    try {
        parse_reference(s);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}
const char* kD = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
}  // namespace

TEST_CASE("short names go to docker.io with library/ for one component") {
    auto p = parse_reference("alpine");
    CHECK_FALSE(p.qualified);
    CHECK(p.ref.registry == "docker.io");
    CHECK(p.ref.repository == "library/alpine");
    CHECK(p.ref.tag == "latest");
    CHECK(p.short_name == "alpine");
    CHECK(p.ref.str() == "docker.io/library/alpine:latest");
    CHECK(p.ref.endpoint() == "registry-1.docker.io");
    CHECK(norm("foo/bar:1.2") == "docker.io/foo/bar:1.2");
    CHECK(parse_reference("foo/bar").short_name == "foo/bar");
    CHECK_FALSE(parse_reference("foo/bar").qualified);
}

TEST_CASE("the first component is a registry only with '.', ':' or localhost") {
    CHECK(norm("quay.io/podman/stable") == "quay.io/podman/stable:latest");
    CHECK(parse_reference("quay.io/podman/stable").qualified);
    CHECK(norm("localhost/img") == "localhost/img:latest");
    CHECK(parse_reference("localhost/img").ref.registry == "localhost");
    CHECK(norm("127.0.0.1:5000/nope") == "127.0.0.1:5000/nope:latest");
    CHECK(parse_reference("127.0.0.1:5000/nope").ref.endpoint() == "127.0.0.1:5000");
    CHECK(norm("myhost:5000/a/b/c:v1") == "myhost:5000/a/b/c:v1");
    CHECK(norm("localhost:5000/a__b/c.d-e") == "localhost:5000/a__b/c.d-e:latest");
    CHECK(norm("UPPER.io/x") == "UPPER.io/x:latest");
    CHECK(norm("[::1]:5000/x") == "[::1]:5000/x:latest");
    // "library" is a plain path component, not a registry
    CHECK(norm("library/alpine") == "docker.io/library/alpine:latest");
}

TEST_CASE("docker.io aliases and explicit docker.io names") {
    CHECK(norm("docker.io/alpine") == "docker.io/library/alpine:latest");
    CHECK(norm("index.docker.io/alpine") == "docker.io/library/alpine:latest");
    CHECK(norm("docker.io/foo/bar") == "docker.io/foo/bar:latest");
    CHECK(parse_reference("docker.io/alpine").qualified);
}

TEST_CASE("tags and digests") {
    auto p = parse_reference(std::string("alpine@") + kD);
    CHECK(p.ref.tag.empty());
    CHECK(p.ref.digest == kD);
    CHECK(p.ref.manifest_ref() == kD);
    CHECK(p.ref.str() == std::string("docker.io/library/alpine@") + kD);
    // name:tag@digest pulls by digest, as Podman does
    auto q = parse_reference(std::string("quay.io/a/b:1@") + kD);
    CHECK(q.ref.digest == kD);
    CHECK(q.ref.tag.empty());
    CHECK(parse_reference("localhost:5000/x:v2").ref.manifest_ref() == "v2");
    CHECK(parse_reference("x").ref.manifest_ref() == "latest");
    CHECK(parse_reference("x:A_b.c-d").ref.tag == "A_b.c-d");
}

TEST_CASE("bad references get Podman's messages") {
    CHECK(err("Alpine") == "repository name must be lowercase");
    CHECK(err("foo/Bar:1") == "repository name must be lowercase");
    CHECK(err("localhost/Foo") == "repository name must be lowercase");
    for (const char* bad : {"", "alpine:", ":tag", "/x", "x//y", "alpine:tag:more", "a..b/c", "x-/y", "a_/b",
                            "alpine@sha256:abc", "alpine@md5:0123", "a b", "x:-tag", "-x", "x/", "a:5000x/y",
                            "alpine@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"})
        CHECK(err(bad) == "invalid reference format");
    CHECK(err(std::string(300, 'a').c_str()) == "repository name must not be more than 255 characters");
}

TEST_CASE("Reference str and name") {
    Reference r{"quay.io", "a/b", "", ""};
    CHECK(r.str() == "quay.io/a/b:latest");
    CHECK(r.name() == "quay.io/a/b");
    Reference both{"quay.io", "a/b", "v1", kD};
    CHECK(both.str() == "quay.io/a/b:v1@" + std::string(kD));
}
