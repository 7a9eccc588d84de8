#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "pull/registries_conf.hpp"

using namespace burrow;
using namespace burrow::pull;

namespace {
std::vector<std::string> names(const std::vector<Reference>& refs) {
    std::vector<std::string> out;
    for (const auto& r : refs) out.push_back(r.str());
    return out;
}
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST_CASE("registries.conf v2") {
    auto c = RegistriesConf::parse(R"(
unqualified-search-registries = ["quay.io", "docker.io"]
short-name-mode = "enforcing"
[aliases]
"myalias" = "quay.io/ns/real"
[[registry]]
location = "127.0.0.1:5000"
insecure = true
[[registry]]
prefix = "example.com/foo"
location = "mirror.local/bar"
[[registry.mirror]]
location = "m1.local"
insecure = true
[[registry]]
location = "evil.io"
blocked = true
)", "/x/registries.conf");
    CHECK(c.unqualified_search_registries == std::vector<std::string>{"quay.io", "docker.io"});
    CHECK(c.short_name_mode == "enforcing");
    CHECK(c.aliases.at("myalias") == "quay.io/ns/real");
    REQUIRE(c.registries.size() == 3);
    CHECK(c.registries[0].prefix == "127.0.0.1:5000");
    CHECK(c.registries[0].insecure);
    CHECK(c.registries[1].mirrors.size() == 1);
    CHECK(c.registries[1].mirrors[0].insecure);
    CHECK(c.is_insecure("127.0.0.1:5000"));
    CHECK(c.is_insecure("m1.local"));
    CHECK_FALSE(c.is_insecure("127.0.0.1:5001"));
    CHECK_FALSE(c.is_insecure("quay.io"));
    CHECK(c.registries[2].blocked);
}

TEST_CASE("registries.conf v1") {
    auto c = RegistriesConf::parse(R"(
[registries.search]
registries = ["registry.fedoraproject.org", "docker.io"]
[registries.insecure]
registries = ["localhost:5000"]
[registries.block]
registries = ["bad.io"]
)", "v1.conf");
    CHECK(c.unqualified_search_registries == std::vector<std::string>{"registry.fedoraproject.org", "docker.io"});
    CHECK(c.is_insecure("localhost:5000"));
    auto* b = c.find(Reference{"bad.io", "x/y", "latest", ""});
    REQUIRE(b);
    CHECK(b->blocked);
    CHECK(error_of([] { RegistriesConf::parse("[registries.search]\nregistries=[]\n[[registry]]\nlocation=\"a\"\n", "m.conf"); })
              .find("mixing sysregistry v1/v2") != std::string::npos);
}

TEST_CASE("malformed registries.conf names the file and the TOML error") {
    auto e = error_of([] { RegistriesConf::parse("unqualified-search-registries = [\"a\"\n", "/etc/bad.conf"); });
    CHECK(e.find("/etc/bad.conf") != std::string::npos);
    CHECK(e.find("toml: line") != std::string::npos);
    e = error_of([] { RegistriesConf::parse("unqualified-search-registries = \"quay.io\"\n", "f.conf"); });
    CHECK(e.find("unqualified-search-registries") != std::string::npos);
    e = error_of([] { RegistriesConf::parse("[aliases]\nx = \"notqualified\"\n", "f.conf"); });
    CHECK(e.find("fully-qualified") != std::string::npos);
    e = error_of([] { RegistriesConf::parse("[[registry]]\nlocation = \"https://x.io\"\n", "f.conf"); });
    CHECK(e.find("URI schemes") != std::string::npos);
    e = error_of([] { RegistriesConf::parse("short-name-mode = \"sometimes\"\n", "f.conf"); });
    CHECK(e.find("short-name mode") != std::string::npos);
}

TEST_CASE("longest prefix wins; wildcard prefixes") {
    auto c = RegistriesConf::parse(R"(
[[registry]]
location = "quay.io"
[[registry]]
location = "quay.io/ns"
insecure = true
[[registry]]
prefix = "*.corp.example"
location = "*.corp.example"
insecure = true
)", "p.conf");
    auto* r = c.find(Reference{"quay.io", "ns/img", "", ""});
    REQUIRE(r);
    CHECK(r->prefix == "quay.io/ns");
    r = c.find(Reference{"quay.io", "nsx/img", "", ""});
    REQUIRE(r);
    CHECK(r->prefix == "quay.io");
    CHECK(c.find(Reference{"docker.io", "library/x", "", ""}) == nullptr);
    r = c.find(Reference{"reg.corp.example", "a", "", ""});
    REQUIRE(r);
    CHECK(r->insecure);
    CHECK(c.is_insecure("reg.corp.example"));
    CHECK_FALSE(c.is_insecure("corp.example"));
}

TEST_CASE("drop-in merge replaces what the drop-in sets") {
    auto base = RegistriesConf::parse("unqualified-search-registries = [\"a.io\"]\n[aliases]\n\"x\" = \"a.io/x\"\n"
                                      "[[registry]]\nlocation = \"r.io\"\n", "main.conf");
    auto drop = RegistriesConf::parse("[aliases]\n\"y\" = \"b.io/y\"\n\"x\" = \"c.io/x\"\n[[registry]]\nlocation = \"r.io\"\ninsecure = true\n",
                                      "d/10.conf");
    base.merge(drop);
    CHECK(base.unqualified_search_registries == std::vector<std::string>{"a.io"});  // not set by the drop-in
    CHECK(base.aliases.at("x") == "c.io/x");
    CHECK(base.alias_origins.at("x") == "d/10.conf");
    CHECK(base.aliases.at("y") == "b.io/y");
    REQUIRE(base.registries.size() == 1);
    CHECK(base.registries[0].insecure);
    base.merge(RegistriesConf::parse("unqualified-search-registries = []\nshort-name-mode = \"disabled\"\n", "d/20.conf"));
    CHECK(base.unqualified_search_registries.empty());
    CHECK(base.short_name_mode == "disabled");
}

TEST_CASE("load: CONTAINERS_REGISTRIES_CONF plus sorted drop-ins") {
    auto dir = std::filesystem::temp_directory_path() / ("pullconf-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "cfg/containers/registries.conf.d");
    atomic_write_file((dir / "main.conf").string(), "unqualified-search-registries = [\"one.io\"]\n");
    atomic_write_file((dir / "cfg/containers/registries.conf.d/20-b.conf").string(), "unqualified-search-registries = [\"b.io\"]\n");
    atomic_write_file((dir / "cfg/containers/registries.conf.d/10-a.conf").string(), "unqualified-search-registries = [\"a.io\"]\n");
    atomic_write_file((dir / "cfg/containers/registries.conf.d/ignored.txt").string(), "garbage = = =\n");
    ::setenv("CONTAINERS_REGISTRIES_CONF", (dir / "main.conf").c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (dir / "cfg").c_str(), 1);
    auto c = RegistriesConf::load();
    CHECK(c.origin == (dir / "main.conf").string());
    CHECK(c.unqualified_search_registries == std::vector<std::string>{"b.io"});
    atomic_write_file((dir / "cfg/containers/registries.conf.d/30-bad.conf").string(), "[[registry]\n");
    auto e = error_of([] { RegistriesConf::load(); });
    CHECK(e.find("30-bad.conf") != std::string::npos);
    ::unsetenv("CONTAINERS_REGISTRIES_CONF");
    ::unsetenv("XDG_CONFIG_HOME");
    std::filesystem::remove_all(dir);
}

TEST_CASE("pull_sources: mirrors first, then the (rewritten) location") {
    auto c = RegistriesConf::parse(R"(
[[registry]]
prefix = "example.com/foo"
location = "primary.local/bar"
insecure = true
[[registry.mirror]]
location = "m1.local:5000/cache"
insecure = true
[[registry.mirror]]
location = "m2.local"
[[registry]]
prefix = "*.wild.io"
insecure = true
)", "r.conf");
    auto src = pull_sources(parse_reference("example.com/foo/img@sha256:" + std::string(64, 'a')).ref, c);
    REQUIRE(src.size() == 3);
    CHECK(src[0].ref.str() == "m1.local:5000/cache/img@sha256:" + std::string(64, 'a'));
    CHECK(src[0].mirror);
    CHECK(src[0].insecure);
    CHECK(src[1].ref.registry == "m2.local");
    CHECK(src[1].ref.repository == "img");
    CHECK_FALSE(src[1].insecure);
    CHECK(src[2].ref.str() == "primary.local/bar/img@sha256:" + std::string(64, 'a'));
    CHECK_FALSE(src[2].mirror);
    CHECK(src[2].insecure);
    auto plain = pull_sources(parse_reference("other.io/x:1").ref, c);
    REQUIRE(plain.size() == 1);
    CHECK(plain[0].ref.str() == "other.io/x:1");
    CHECK_FALSE(plain[0].insecure);
    auto wild = pull_sources(parse_reference("a.wild.io/x:1").ref, c);
    REQUIRE(wild.size() == 1);
    CHECK(wild[0].insecure);
}

TEST_CASE("resolve_candidates") {
    auto c = RegistriesConf::parse(R"(
unqualified-search-registries = ["quay.io", "docker.io"]
[aliases]
"myalias" = "quay.io/ns/real"
[[registry]]
prefix = "example.com/foo"
location = "mirror.local:5000/bar"
[[registry]]
location = "evil.io"
blocked = true
)", "/etc/containers/registries.conf");
    CHECK(names(resolve_candidates(parse_reference("alpine:3"), c)) ==
          std::vector<std::string>{"quay.io/alpine:3", "docker.io/library/alpine:3"});
    CHECK(names(resolve_candidates(parse_reference("foo/bar"), c)) ==
          std::vector<std::string>{"quay.io/foo/bar:latest", "docker.io/foo/bar:latest"});
    CHECK(names(resolve_candidates(parse_reference("myalias:v2"), c)) == std::vector<std::string>{"quay.io/ns/real:v2"});
    CHECK(names(resolve_candidates(parse_reference("myalias"), c)) == std::vector<std::string>{"quay.io/ns/real:latest"});
    CHECK(names(resolve_candidates(parse_reference("ghcr.io/x/y:1"), c)) == std::vector<std::string>{"ghcr.io/x/y:1"});
    // The stored name stays what the user asked for; the rewrite is where it is fetched from.
    CHECK(names(resolve_candidates(parse_reference("example.com/foo/img:1"), c)) ==
          std::vector<std::string>{"example.com/foo/img:1"});
    CHECK(error_of([&] { resolve_candidates(parse_reference("evil.io/x"), c); }) == "registry evil.io is blocked in registries.conf");

    auto empty = RegistriesConf::parse("", "/tmp/r.conf");
    CHECK(error_of([&] { resolve_candidates(parse_reference("foo"), empty); }) ==
          "short-name \"foo\" did not resolve to an alias and no unqualified-search registries are defined in \"/tmp/r.conf\"");
    auto enforcing = RegistriesConf::parse("short-name-mode=\"enforcing\"\nunqualified-search-registries=[\"a.io\",\"b.io\"]\n", "e");
    CHECK(error_of([&] { resolve_candidates(parse_reference("foo"), enforcing); }).find("enforced") != std::string::npos);
}
