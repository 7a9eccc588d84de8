#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "pull/auth.hpp"

using namespace burrow;
using namespace burrow::pull;

namespace {
std::string entry(const std::string& u, const std::string& p) { return "{\"auth\":\"" + base64_encode(u + ":" + p) + "\"}"; }

struct TempHome {
    std::filesystem::path dir;
    TempHome() {
        dir = std::filesystem::temp_directory_path() / ("pullauth-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir / "run");
        ::setenv("XDG_RUNTIME_DIR", (dir / "run").c_str(), 1);
        ::setenv("XDG_CONFIG_HOME", (dir / "cfg").c_str(), 1);
        ::setenv("DOCKER_CONFIG", (dir / "docker").c_str(), 1);
        ::unsetenv("REGISTRY_AUTH_FILE");
    }
    ~TempHome() {
        for (const char* v : {"XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "DOCKER_CONFIG", "REGISTRY_AUTH_FILE"}) ::unsetenv(v);
        std::filesystem::remove_all(dir);
    }
};
}  // namespace

TEST_CASE("auth lookup: most specific key first") {
    std::string j = "{\"auths\":{\"quay.io\":" + entry("host", "1") + ",\"quay.io/ns\":" + entry("ns", "2") +
                    ",\"quay.io/ns/img\":" + entry("img", "3") + "}}";
    CHECK(lookup_in_auth_json(j, "quay.io/ns/img")->username == "img");
    CHECK(lookup_in_auth_json(j, "quay.io/ns/other")->username == "ns");
    CHECK(lookup_in_auth_json(j, "quay.io/x/y")->username == "host");
    CHECK(lookup_in_auth_json(j, "quay.io")->username == "host");
    CHECK(lookup_in_auth_json(j, "quay.io/ns/img")->password == "3");
    CHECK_FALSE(lookup_in_auth_json(j, "ghcr.io/ns/img"));
}

TEST_CASE("auth lookup: legacy keys and docker.io equivalence") {
    std::string j = "{\"auths\":{\"https://index.docker.io/v1/\":" + entry("hub", "pw:with:colons") +
                    ",\"http://127.0.0.1:5000/v2/\":" + entry("local", "x") + "}}";
    auto c = lookup_in_auth_json(j, "docker.io/library/alpine");
    REQUIRE(c);
    CHECK(c->username == "hub");
    CHECK(c->password == "pw:with:colons");
    CHECK(lookup_in_auth_json(j, "registry-1.docker.io")->username == "hub");
    CHECK(lookup_in_auth_json(j, "127.0.0.1:5000/a/b")->username == "local");
    CHECK_FALSE(lookup_in_auth_json(j, "127.0.0.1:5001/a"));
    // a plain docker.io key is found for docker.io names directly
    CHECK(lookup_in_auth_json("{\"auths\":{\"docker.io\":" + entry("d", "p") + "}}", "docker.io/x/y")->username == "d");
    // identity tokens
    auto t = lookup_in_auth_json("{\"auths\":{\"r.io\":{\"identitytoken\":\"tok\"}}}", "r.io/a");
    REQUIRE(t);
    CHECK(t->identity_token == "tok");
    // empty entries do not count
    CHECK_FALSE(lookup_in_auth_json("{\"auths\":{\"r.io\":{}}}", "r.io/a"));
    CHECK_FALSE(lookup_in_auth_json("{\"credHelpers\":{}}", "r.io/a"));
}

TEST_CASE("auth lookup: bad files are errors naming the file") {
    CHECK_THROWS_AS(lookup_in_auth_json("{not json", "r.io"), Error);
    CHECK_THROWS_AS(lookup_in_auth_json("{\"auths\":{\"r.io\":{\"auth\":\"!!!\"}}}", "r.io"), Error);
    CHECK_THROWS_AS(lookup_in_auth_json("{\"auths\":{\"r.io\":{\"auth\":\"" + base64_encode("nocolon") + "\"}}}", "r.io"), Error);
    TempHome h;
    auto path = (h.dir / "bad.json").string();
    atomic_write_file(path, "{\"auths\":{\"r.io\":{\"auth\":\"%%%\"}}}");
    try {
        lookup_credentials("r.io/x", path);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find(path) != std::string::npos);
    }
}

TEST_CASE("auth file order and --authfile") {
    TempHome h;
    auto paths = auth_file_paths("");
    REQUIRE(paths.size() == 3);
    CHECK(paths[0] == (h.dir / "run/containers/auth.json").string());
    CHECK(paths[1] == (h.dir / "cfg/containers/auth.json").string());
    CHECK(paths[2] == (h.dir / "docker/config.json").string());
    CHECK(auth_file_paths("/x/a.json") == std::vector<std::string>{"/x/a.json"});
    ::setenv("REGISTRY_AUTH_FILE", "/y/b.json", 1);
    CHECK(auth_file_paths("") == std::vector<std::string>{"/y/b.json"});
    CHECK(auth_file_paths("/x/a.json") == std::vector<std::string>{"/x/a.json"});
    ::unsetenv("REGISTRY_AUTH_FILE");

    // docker's config is used when the containers files have nothing for the registry
    mkdir_p((h.dir / "docker").string());
    atomic_write_file((h.dir / "docker/config.json").string(), "{\"auths\":{\"r.io\":" + entry("docker", "d") + "}}");
    CHECK(lookup_credentials("r.io/a", "")->username == "docker");
    mkdir_p((h.dir / "cfg/containers").string());
    atomic_write_file((h.dir / "cfg/containers/auth.json").string(), "{\"auths\":{\"r.io\":" + entry("config", "c") + "}}");
    CHECK(lookup_credentials("r.io/a", "")->username == "config");
    store_credentials("r.io", Credentials{"runtime", "r", ""}, "");
    CHECK(lookup_credentials("r.io/a", "")->username == "runtime");
    CHECK_FALSE(lookup_credentials("other.io/a", ""));
}

TEST_CASE("store and remove credentials: 0600, other keys preserved") {
    TempHome h;
    auto path = (h.dir / "run/containers/auth.json").string();
    mkdir_p((h.dir / "run/containers").string(), 0700);
    atomic_write_file(path, "{\"auths\":{\"keep.io\":" + entry("k", "k") + "},\"credHelpers\":{\"x.io\":\"pass\"}}");
    store_credentials("https://127.0.0.1:5000/", Credentials{"me", "secret", ""}, "");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto j = nlohmann::json::parse(read_file(path));
    CHECK(j["credHelpers"]["x.io"] == "pass");
    CHECK(j["auths"].contains("keep.io"));
    CHECK(j["auths"]["127.0.0.1:5000"]["auth"] == base64_encode("me:secret"));
    CHECK(lookup_credentials("127.0.0.1:5000/repo", "")->password == "secret");

    CHECK(remove_credentials("127.0.0.1:5000", ""));
    CHECK_FALSE(remove_credentials("127.0.0.1:5000", ""));
    CHECK_FALSE(lookup_credentials("127.0.0.1:5000/repo", ""));
    CHECK(lookup_credentials("keep.io/x", ""));
    remove_all_credentials("");
    CHECK_FALSE(lookup_credentials("keep.io/x", ""));
    CHECK(nlohmann::json::parse(read_file(path))["credHelpers"]["x.io"] == "pass");

    // a new file in a new directory: dir 0700, file 0600
    auto other = (h.dir / "new/dir/auth.json").string();
    store_credentials("r.io", Credentials{"u", "p", ""}, other);
    REQUIRE(::stat((h.dir / "new/dir").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(::stat(other.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_FALSE(remove_credentials("r.io", (h.dir / "missing.json").string()));
}
