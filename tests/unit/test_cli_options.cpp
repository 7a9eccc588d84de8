#include <catch2/catch.hpp>

#include "src/cli/options.hpp"

using namespace burrow::cli;

namespace {
std::vector<FlagSpec> image_flags() {
    return {
        {"all", 'a', FlagType::Bool, "false", "Show all images", false, ""},
        {"quiet", 'q', FlagType::Bool, "false", "Display only image IDs", false, ""},
        {"format", 0, FlagType::String, "", "Pretty-print images", false, ""},
        {"filter", 'f', FlagType::StringList, "", "Filter output", false, ""},
        {"last", 'n', FlagType::Int, "-1", "Last n", false, ""},
        {"help", 'h', FlagType::Bool, "false", "Help", false, ""},
    };
}
std::string error_of(const std::vector<std::string>& argv, bool interspersed = true) {
    try {
        parse_flags(image_flags(), argv, interspersed);
    } catch (const FlagError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("long flags with = and with a separate value") {
    auto r = parse_flags(image_flags(), {"--format={{.ID}}", "x", "--filter", "a=b", "--filter=c=d"}, true);
    CHECK(r.flags.get_string("format") == "{{.ID}}");
    CHECK(r.flags.get_list("filter") == std::vector<std::string>{"a=b", "c=d"});
    CHECK(r.args == std::vector<std::string>{"x"});
    CHECK(r.flags.changed("format"));
    CHECK_FALSE(r.flags.changed("all"));
}

TEST_CASE("bool flags: bare, =false, =true, combined shorts") {
    auto r = parse_flags(image_flags(), {"-aq"}, true);
    CHECK(r.flags.get_bool("all"));
    CHECK(r.flags.get_bool("quiet"));
    r = parse_flags(image_flags(), {"--all=false", "-q=false"}, true);
    CHECK_FALSE(r.flags.get_bool("all"));
    CHECK(r.flags.changed("all"));
    CHECK_FALSE(r.flags.get_bool("quiet"));
    r = parse_flags(image_flags(), {"--quiet=T"}, true);
    CHECK(r.flags.get_bool("quiet"));
}

TEST_CASE("short flag values: attached, next arg, =, and after bools") {
    auto r = parse_flags(image_flags(), {"-fdangling=true", "-f", "x", "-f=y", "-aqfz"}, true);
    CHECK(r.flags.get_list("filter") == std::vector<std::string>{"dangling=true", "x", "y", "z"});
    CHECK(r.flags.get_bool("all"));
    r = parse_flags(image_flags(), {"-n", "3"}, true);
    CHECK(r.flags.get_int("last") == 3);
    CHECK(parse_flags(image_flags(), {}, true).flags.get_int("last") == -1);
}

TEST_CASE("-- ends flags and a lone - is a positional") {
    auto r = parse_flags(image_flags(), {"-q", "--", "-a", "--format"}, true);
    CHECK(r.flags.get_bool("quiet"));
    CHECK_FALSE(r.flags.get_bool("all"));
    CHECK(r.args == std::vector<std::string>{"-a", "--format"});
    CHECK(r.dashdash);
    r = parse_flags(image_flags(), {"-"}, true);
    CHECK(r.args == std::vector<std::string>{"-"});
}

TEST_CASE("interspersed flags versus stop at the first positional") {
    auto r = parse_flags(image_flags(), {"img", "-q", "cmd"}, true);
    CHECK(r.flags.get_bool("quiet"));
    CHECK(r.args == std::vector<std::string>{"img", "cmd"});
    r = parse_flags(image_flags(), {"-a", "img", "-q", "--bogus"}, false);
    CHECK(r.flags.get_bool("all"));
    CHECK_FALSE(r.flags.get_bool("quiet"));
    CHECK(r.args == std::vector<std::string>{"img", "-q", "--bogus"});
}

TEST_CASE("pflag's error texts") {
    CHECK(error_of({"--bogus"}) == "unknown flag: --bogus");
    CHECK(error_of({"--bogus=1"}) == "unknown flag: --bogus");
    CHECK(error_of({"-x"}) == "unknown shorthand flag: 'x' in -x");
    CHECK(error_of({"-ax"}) == "unknown shorthand flag: 'x' in -ax");
    CHECK(error_of({"--format"}) == "flag needs an argument: --format");
    CHECK(error_of({"-f"}) == "flag needs an argument: 'f' in -f");
    CHECK(error_of({"-q=maybe"}) ==
          "invalid argument \"maybe\" for \"-q, --quiet\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax");
    CHECK(error_of({"--quiet=maybe"}) ==
          "invalid argument \"maybe\" for \"-q, --quiet\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax");
    CHECK(error_of({"--last=x"}) ==
          "invalid argument \"x\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"x\": invalid syntax");
    CHECK(error_of({"---x"}) == "bad flag syntax: ---x");
    CHECK(error_of({"img", "--bogus"}, false).empty());
}

TEST_CASE("undeclared names are a programming error") {
    auto r = parse_flags(image_flags(), {}, true);
    CHECK_THROWS_AS(r.flags.get_bool("nope"), std::logic_error);
}

TEST_CASE("Go's ParseBool spellings") {
    for (auto s : {"1", "t", "T", "TRUE", "true", "True"}) CHECK(parse_go_bool(s) == true);
    for (auto s : {"0", "f", "F", "FALSE", "false", "False"}) CHECK(parse_go_bool(s) == false);
    CHECK_FALSE(parse_go_bool("yes").has_value());
    CHECK_FALSE(parse_go_bool("").has_value());
}

TEST_CASE("uint, count and string-slice flags as pflag's") {
    std::vector<FlagSpec> specs = {
        {"time", 't', FlagType::Uint, "10", "Seconds", false, ""},
        {"verbose", 'v', FlagType::Count, "0", "More", false, ""},
        {"filter", 'f', FlagType::StringSlice, "", "Filter", false, ""},
    };
    auto r = parse_flags(specs, {"-t", "3", "-vvv", "--filter=a=1,b=2", "-f", "c=3"}, true);
    CHECK(r.flags.get_int("time") == 3);
    CHECK(r.flags.get_int("verbose") == 3);
    CHECK(r.flags.get_list("filter") == std::vector<std::string>{"a=1", "b=2", "c=3"});
    CHECK(parse_flags(specs, {"--verbose", "--verbose=5"}, true).flags.get_int("verbose") == 5);
    CHECK(parse_flags(specs, {"--verbose", "x"}, true).args == std::vector<std::string>{"x"});  // takes no value
    CHECK(parse_flags(specs, {}, true).flags.get_int("time") == 10);
    auto err = [&](const std::vector<std::string>& argv) {
        try {
            parse_flags(specs, argv, true);
        } catch (const FlagError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(err({"-t", "-1"}) == "invalid argument \"-1\" for \"-t, --time\" flag: strconv.ParseUint: parsing \"-1\": invalid syntax");
    CHECK(err({"--time=x"}) == "invalid argument \"x\" for \"-t, --time\" flag: strconv.ParseUint: parsing \"x\": invalid syntax");
    CHECK(err({"--verbose=x"}) == "invalid argument \"x\" for \"-v, --verbose\" flag: strconv.ParseInt: parsing \"x\": invalid syntax");
}
