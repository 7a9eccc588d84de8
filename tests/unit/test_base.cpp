#include <catch2/catch.hpp>

#include "base/log.hpp"
#include "base/sha256.hpp"
#include "base/strings.hpp"

using namespace burrow;

TEST_CASE("sha256 of known input") {
    REQUIRE(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    REQUIRE(sha256_digest("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("digest validation names the bad value") {
    REQUIRE(is_valid_digest("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    REQUIRE_FALSE(is_valid_digest("sha256:E3B0"));
    REQUIRE_FALSE(is_valid_digest("md5:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    REQUIRE_THROWS_WITH(parse_digest("sha256:zz"), Catch::Contains("sha256:zz"));
}

TEST_CASE("human sizes match go-units with 3 significant digits") {
    REQUIRE(human_size(0) == "0 B");
    REQUIRE(human_size(880) == "880 B");
    REQUIRE(human_size(1467000) == "1.47 MB");
    REQUIRE(human_size(80500000) == "80.5 MB");
    REQUIRE(human_size(1200000000) == "1.2 GB");
}

TEST_CASE("human durations match go-units") {
    REQUIRE(human_duration_ago(0) == "Less than a second ago");
    REQUIRE(human_duration_ago(30) == "30 seconds ago");
    REQUIRE(human_duration_ago(61) == "About a minute ago");
    REQUIRE(human_duration_ago(5 * 60) == "5 minutes ago");
    REQUIRE(human_duration_ago(3600) == "About an hour ago");
    REQUIRE(human_duration_ago(5 * 3600) == "5 hours ago");
    REQUIRE(human_duration_ago(3 * 86400) == "3 days ago");
    REQUIRE(human_duration_ago(20 * 86400) == "2 weeks ago");
    REQUIRE(human_duration_ago(90 * 86400) == "3 months ago");
    REQUIRE(human_duration_ago(800 * 86400) == "2 years ago");
}

TEST_CASE("split, trim, base64") {
    REQUIRE(split("a:b::c", ':') == std::vector<std::string>{"a", "b", "", "c"});
    REQUIRE(trim("  x y \n") == "x y");
    REQUIRE(base64_encode("user:pass") == "dXNlcjpwYXNz");
    REQUIRE(base64_decode("dXNlcjpwYXNz") == "user:pass");
    REQUIRE(base64_encode("ab") == "YWI=");
    REQUIRE_THROWS(base64_decode("!!"));
}

TEST_CASE("log: logrus's levels and its two line forms, as Podman prints them") {
    using log::Level;
    CHECK(log::parse_level("warn") == Level::Warn);
    CHECK(log::parse_level("WARNING") == Level::Warn);
    CHECK(log::parse_level("Trace") == Level::Trace);
    CHECK(log::parse_level("panic") == Level::Panic);
    CHECK_FALSE(log::parse_level("telepathic"));
    CHECK(std::string(log::level_name(Level::Warn)) == "warning");
    // not a terminal: time="..." level=... msg="..." with Go's %q quoting when needed
    CHECK(log::format_text(Level::Info, "podman filtering at log level info", "2026-12-07T15:29:42Z") ==
          "time=\"2026-12-07T15:29:42Z\" level=info msg=\"podman filtering at log level info\"\n");
    CHECK(log::format_text(Level::Warn, "plain", "2026-12-07T15:29:42+01:00") ==
          "time=\"2026-12-07T15:29:42+01:00\" level=warning msg=plain\n");
    CHECK(log::logfmt_value("a \"b\"\n\\") == "\"a \\\"b\\\"\\n\\\\\"");
    CHECK(log::logfmt_value("") == "");
    CHECK(log::logfmt_value("caf\xc3\xa9 \x01") == "\"caf\xc3\xa9 \\x01\"");
    // a terminal: coloured 4-letter level, seconds since start, message padded to 44 columns
    CHECK(log::format_terminal(Level::Warn, "short", 0) ==
          "\x1b[33mWARN\x1b[0m[0000] short" + std::string(39, ' ') + " \n");
    std::string long_msg(50, 'm');
    CHECK(log::format_terminal(Level::Error, long_msg, 12) == "\x1b[31mERRO\x1b[0m[0012] " + long_msg + " \n");
    CHECK(log::format_terminal(Level::Info, "x", 0).substr(0, 9) == "\x1b[36mINFO");
    // levels: a line is written at or above the configured one
    log::set_level(Level::Warn);
    CHECK(log::enabled(Level::Error));
    CHECK_FALSE(log::enabled(Level::Info));
    log::set_level(Level::Trace);
    CHECK(log::enabled(Level::Debug));
    log::set_level(Level::Warn);
}
