#include <catch2/catch.hpp>

#include "src/cli/command.hpp"
#include "src/commands/image_json.hpp"
#include "src/output/yaml.hpp"

using namespace burrow;
using nlohmann::json;

namespace {
cli::Command cmd(const std::string& path, int min, int max) {
    cli::Command c;
    c.path = path;
    c.min_args = min;
    c.max_args = max;
    c.handler = [](cli::Context&) { return 0; };
    return c;
}

storage::ImageRecord record() {
    storage::ImageRecord r;
    r.id = "6a3a3f24140993c8c6198f7a1d7060546f794f85f287933826cb445afc7f9e4d";
    r.names = {"127.0.0.1:5077/test/bb:latest", "127.0.0.1:5077/test/bb:1"};
    r.digest = "sha256:2a0feaa4789bae38dcd494c202284277a53ce03cd5b8b305e43decfcd42b3310";
    r.repo_digests = {"127.0.0.1:5077/test/bb@" + r.digest};
    r.manifest_media_type = "application/vnd.oci.image.manifest.v1+json";
    r.layers = {"34af65ea"};
    r.names_history = {"127.0.0.1:5077/test/bb:1", "127.0.0.1:5077/test/bb:latest"};
    r.size = 1986326;
    r.pulled = 1800000000;
    return r;
}

const char* kConfig = R"({"created":"2026-11-22T07:53:43.555806656Z","architecture":"amd64","os":"linux",
 "config":{"Hostname":"x","Env":["PATH=/bin"],"Cmd":["/bin/busybox","sh"],"Labels":{"org.test.label":"hello"},"User":"1000"},
 "rootfs":{"type":"layers","diff_ids":["sha256:34af65ea"]},
 "history":[{"created":"2026-11-22T07:53:43Z","created_by":"COPY x","empty_layer":true},{"created":"2026-11-22T07:53:44Z","created_by":"CMD"}]})";
}  // namespace

TEST_CASE("argument counts: cobra's and Podman's messages") {
    CHECK(cli::check_arg_count(cmd("version", 0, 0), 1) == "`burrow version` takes no arguments");
    CHECK(cli::check_arg_count(cmd("version", 0, 0), 0).empty());
    CHECK(cli::check_arg_count(cmd("tag", 2, -1), 1) == "requires at least 2 arg(s), only received 1");
    CHECK(cli::check_arg_count(cmd("tag", 2, -1), 5).empty());
    CHECK(cli::check_arg_count(cmd("images", 0, 1), 2) == "accepts at most 1 arg(s), received 2");
    CHECK(cli::check_arg_count(cmd("x", 1, 1), 0) == "accepts 1 arg(s), received 0");
    CHECK(cli::check_arg_count(cmd("x", 1, 2), 3) == "accepts between 1 and 2 arg(s), received 3");
}

TEST_CASE("command table: lookup by name and alias, children sorted") {
    cli::CommandTable t;
    cli::Command group;
    group.path = "image";
    t.add(group);
    auto ls = cmd("image list", 0, 1);
    ls.aliases = {"ls"};
    t.add(ls);
    t.add(cmd("image prune", 0, 0));
    t.add(cmd("images", 0, 1));
    CHECK(t.find("", "image")->is_group());
    CHECK(t.find("image", "ls") == t.find("image", "list"));
    CHECK(t.find("image", "images") == nullptr);
    CHECK(t.find("", "list") == nullptr);
    auto kids = t.children("image");
    REQUIRE(kids.size() == 2);
    CHECK(kids[0]->name() == "list");
    CHECK(kids[1]->parent() == "image");
    std::string help = cli::command_help(t, *t.find("", "image"));
    CHECK(help.find("Available Commands:\n  list        \n  prune       \n") != std::string::npos);
}

TEST_CASE("flag usages: pflag's alignment and defaults") {
    std::vector<cli::FlagSpec> flags = {
        {"quiet", 'q', cli::FlagType::Bool, "false", "Display only image IDs", false, ""},
        {"sort", 0, cli::FlagType::String, "created", "Sort by", false, ""},
        {"filter", 'f', cli::FlagType::StringList, "", "Filter", false, ""},
        {"old", 0, cli::FlagType::Bool, "false", "hidden", true, ""},
        {"help", 'h', cli::FlagType::Bool, "false", "Help", false, ""},
    };
    CHECK(cli::flag_usages(flags) ==
          "  -f, --filter stringArray   Filter\n"
          "  -q, --quiet                Display only image IDs\n"
          "      --sort string          Sort by (default \"created\")\n");
}

TEST_CASE("flag usages: uint, slices, counts and a usage of two lines") {
    std::vector<cli::FlagSpec> flags = {
        {"time", 't', cli::FlagType::Uint, "10", "Seconds", false, ""},
        {"filter", 0, cli::FlagType::StringSlice, "", "Filter", false, ""},
        {"verbose", 'v', cli::FlagType::Count, "0", "More", false, ""},
        {"latest", 'l', cli::FlagType::Bool, "false", "Act on the latest\nSecond line", false, ""},
        {"help", 0, cli::FlagType::Bool, "false", "", false, ""},  // run's: listed, as Podman lists it
    };
    CHECK(cli::flag_usages(flags) ==
          "      --filter strings   Filter\n"
          "      --help             \n"
          "  -l, --latest           Act on the latest\n"
          "                         Second line\n"
          "  -t, --time uint        Seconds (default 10)\n"
          "  -v, --verbose count    More\n");
}

TEST_CASE("image names split into repository and tag") {
    using commands::split_name;
    CHECK(split_name("127.0.0.1:5077/test/bb:1") == std::pair<std::string, std::string>{"127.0.0.1:5077/test/bb", "1"});
    CHECK(split_name("127.0.0.1:5077/test/bb") == std::pair<std::string, std::string>{"127.0.0.1:5077/test/bb", "<none>"});
    CHECK(split_name("r/x@sha256:ab") == std::pair<std::string, std::string>{"r/x", "<none>"});
}

TEST_CASE("RFC 3339 times") {
    int64_t t = 0;
    REQUIRE(commands::parse_rfc3339("2026-11-22T07:53:43.555806656Z", t));
    CHECK(commands::format_rfc3339_utc(t) == "2026-11-22T07:53:43Z");
    REQUIRE(commands::parse_rfc3339("2026-11-22T09:53:43+02:00", t));
    CHECK(commands::format_rfc3339_utc(t) == "2026-11-22T07:53:43Z");
    CHECK_FALSE(commands::parse_rfc3339("yesterday", t));
    CHECK_FALSE(commands::parse_rfc3339("2026-11-22T07:53:43", t));
}

TEST_CASE("images rows and --format json entries") {
    auto v = commands::make_view(record(), kConfig, "{}");
    CHECK(commands::format_rfc3339_utc(v.created) == "2026-11-22T07:53:43Z");
    auto rows = commands::image_rows(v, {false, v.created + 7200});
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["Repository"] == "127.0.0.1:5077/test/bb");
    CHECK(rows[0]["Tag"] == "latest");
    CHECK(rows[1]["Tag"] == "1");
    CHECK(rows[0]["ID"] == "6a3a3f241409");
    CHECK(rows[0]["CreatedSince"] == "2 hours ago");
    CHECK(rows[0]["Size"] == "1.99 MB");
    CHECK(commands::image_rows(v, {true, 0})[0]["ID"] == "sha256:" + record().id);

    auto j = commands::image_summary_json(v);
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"Id", "ParentId", "RepoTags", "RepoDigests", "Size", "SharedSize", "VirtualSize",
                                           "Labels", "Containers", "Names", "Digest", "History", "Created", "CreatedAt"});
    CHECK(j["RepoTags"].is_null());
    CHECK(j["Labels"]["org.test.label"] == "hello");
    CHECK(j["CreatedAt"] == "2026-11-22T07:53:43Z");

    auto dangling = record();
    dangling.names.clear();
    auto dv = commands::make_view(dangling, "{}", "{}");
    auto drows = commands::image_rows(dv, {false, 0});
    REQUIRE(drows.size() == 1);
    CHECK(drows[0]["Repository"] == "<none>");
    CHECK(commands::image_summary_json(dv)["Dangling"] == true);
    CHECK(commands::image_summary_json(dv)["Labels"].is_null());
    CHECK(dv.created == 1800000000);  // no config time: when it was pulled
}

TEST_CASE("image inspect document") {
    auto v = commands::make_view(record(), kConfig, R"({"annotations":{"a":"b"}})");
    auto j = commands::image_inspect_json(v, {"/s/layers/top/diff", {"/s/layers/mid/diff", "/s/layers/base/diff"}});
    CHECK(j["Created"] == "2026-11-22T07:53:43.555806656Z");
    CHECK(j["RepoTags"].size() == 2);
    CHECK(j["Config"].dump() == R"({"User":"1000","Env":["PATH=/bin"],"Cmd":["/bin/busybox","sh"],"Labels":{"org.test.label":"hello"}})");
    CHECK(j["GraphDriver"]["Name"] == "overlay");
    CHECK(j["GraphDriver"]["Data"]["LowerDir"] == "/s/layers/mid/diff:/s/layers/base/diff");
    CHECK(j["GraphDriver"]["Data"]["UpperDir"] == "/s/layers/top/diff");
    CHECK(j["RootFS"]["Layers"][0] == "sha256:34af65ea");
    CHECK(j["User"] == "1000");
    CHECK(j["Annotations"]["a"] == "b");
    CHECK(j["History"][0].dump() == R"({"created":"2026-11-22T07:53:43Z","created_by":"COPY x","empty_layer":true})");
    CHECK(j["History"][1].dump() == R"({"created":"2026-11-22T07:53:44Z","created_by":"CMD"})");
    CHECK(j["NamesHistory"][0] == "127.0.0.1:5077/test/bb:1");
    CHECK(j.begin().key() == "Id");
}

TEST_CASE("YAML as Podman's info prints it") {
    json v = {{"host", {{"arch", "amd64"}, {"cgroupControllers", {"cpu", "memory"}}, {"version", "12"},
                        {"conmon", "conmon version 2.1.6, commit: unknown"}, {"multi", "a\nb"}, {"empty", ""},
                        {"map", json::object()}, {"none", nullptr}, {"cpus", 2}, {"ids", {{{"container_id", 0}, {"size", 1}}}}}}};
    CHECK(output::to_yaml(v) ==
          "host:\n"
          "  arch: amd64\n"
          "  cgroupControllers:\n"
          "  - cpu\n"
          "  - memory\n"
          "  conmon: 'conmon version 2.1.6, commit: unknown'\n"
          "  cpus: 2\n"
          "  empty: \"\"\n"
          "  ids:\n"
          "  - container_id: 0\n"
          "    size: 1\n"
          "  map: {}\n"
          "  multi: |-\n"
          "    a\n"
          "    b\n"
          "  none: null\n"
          "  version: \"12\"\n");
    CHECK(output::capitalize_keys(json{{"store", {{"graphRoot", "/x"}}}})["Store"]["GraphRoot"] == "/x");
    CHECK(output::human_size_compact(5959000) == "5.959MB");
    CHECK(output::human_size_compact(0) == "0B");
}
