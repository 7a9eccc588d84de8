#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "base/idmap.hpp"

using namespace burrow;

TEST_CASE("parse_subid picks the user's lines by name or uid") {
    std::string text =
        "# comment\n"
        "alice:100000:65536\n"
        "bob:165536:65536\n"
        "\n"
        "1000:300000:1000\n"
        "alice:bad:10\n"
        "alice:5:0\n"
        "  alice : 400000 : 10  \n"
        "malformed line\n";
    auto r = parse_subid(text, "alice", 1000);
    REQUIRE(r.size() == 3);
    CHECK(r[0].start == 100000);
    CHECK(r[0].count == 65536);
    CHECK(r[1].start == 300000);
    CHECK(r[1].count == 1000);
    CHECK(r[2].start == 400000);
    CHECK(r[2].count == 10);
    CHECK(parse_subid(text, "carol", 1001).empty());
    CHECK(parse_subid(text, "bob", 1001).size() == 1);
}

TEST_CASE("default mapping: user to 0, ranges stacked from 1") {
    auto m = make_default_mapping(1000, 1001, {{100000, 65536}, {300000, 10}}, {{200000, 65536}});
    REQUIRE(m.uids.size() == 3);
    CHECK(m.uids[0].container_id == 0);
    CHECK(m.uids[0].host_id == 1000);
    CHECK(m.uids[0].size == 1);
    CHECK(m.uids[1].container_id == 1);
    CHECK(m.uids[1].host_id == 100000);
    CHECK(m.uids[2].container_id == 65537);
    CHECK(m.uids[2].host_id == 300000);
    CHECK(m.uid_count() == 65547);
    REQUIRE(m.gids.size() == 2);
    CHECK(m.gids[0].host_id == 1001);
    CHECK(m.gid_count() == 65537);
    CHECK_FALSE(m.single());
}

TEST_CASE("a range that holds the user's own id is skipped") {
    auto m = make_default_mapping(100005, 100005, {{100000, 10}, {200000, 5}}, {{200000, 5}});
    REQUIRE(m.uids.size() == 2);
    CHECK(m.uids[1].host_id == 200000);
    CHECK(m.uids[1].container_id == 1);
}

TEST_CASE("no subordinate ids gives a single mapping") {
    auto m = make_default_mapping(1000, 1000, {}, {});
    CHECK(m.single());
    CHECK(m.uid_count() == 1);
    // Half a mapping (uids but no gids) is treated as none.
    auto half = make_default_mapping(1000, 1000, {{100000, 65536}}, {});
    CHECK(half.single());
    CHECK(half.gids.size() == 1);
}

TEST_CASE("proc map and newuidmap argument formats") {
    std::vector<IdMapEntry> e{{0, 1000, 1}, {1, 100000, 65536}};
    CHECK(format_proc_map(e) == "0 1000 1\n1 100000 65536\n");
    CHECK(format_map_args(e) == std::vector<std::string>{"0", "1000", "1", "1", "100000", "65536"});
}

TEST_CASE("current_user_mapping reads the files named in the environment") {
    char tmpl[] = "/tmp/burrow-subid-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    std::string uid = std::to_string(getuid());
    FILE* f = fopen((dir + "/subuid").c_str(), "w");
    fprintf(f, "%s:500000:65536\n", uid.c_str());
    fclose(f);
    f = fopen((dir + "/subgid").c_str(), "w");
    fprintf(f, "%s:600000:1000\n", uid.c_str());
    fclose(f);
    setenv("BURROW_SUBUID_FILE", (dir + "/subuid").c_str(), 1);
    setenv("BURROW_SUBGID_FILE", (dir + "/subgid").c_str(), 1);
    auto m = current_user_mapping();
    unsetenv("BURROW_SUBUID_FILE");
    unsetenv("BURROW_SUBGID_FILE");
    REQUIRE(m.uids.size() == 2);
    CHECK(m.uids[0].host_id == getuid());
    CHECK(m.uids[1].host_id == 500000);
    REQUIRE(m.gids.size() == 2);
    CHECK(m.gids[1].host_id == 600000);
    CHECK(m.gids[1].size == 1000);
    std::remove((dir + "/subuid").c_str());
    std::remove((dir + "/subgid").c_str());
    rmdir(dir.c_str());
}
