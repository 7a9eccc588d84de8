#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "src/output/format.hpp"
#include "src/output/table.hpp"
#include "src/output/template.hpp"

using namespace burrow::output;
using nlohmann::json;

static std::string run(const std::string& t, const json& dot) { return Template("t", t).execute(dot, "images.imageReporter"); }

TEST_CASE("tabwriter: Podman's images layout (minwidth 12, padding 2)") {
    std::string in =
        "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n"
        "127.0.0.1:5077/test/bb\tlatest\t6a3a3f241409\t4 seconds ago\t1.99 MB\n";
    CHECK(tabwrite(in) ==
          "REPOSITORY              TAG         IMAGE ID      CREATED        SIZE\n"
          "127.0.0.1:5077/test/bb  latest      6a3a3f241409  4 seconds ago  1.99 MB\n");
    // Header only: every column at least 12 wide; the last cell is never padded.
    CHECK(tabwrite("REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n") ==
          "REPOSITORY  TAG         IMAGE ID    CREATED     SIZE\n");
}

TEST_CASE("tabwriter: column blocks end at a line without the column") {
    std::string out = tabwrite("a\tb\nlonger-than-twelve\tc\nno tabs here\nx\ty\n");
    CHECK(out == "a                   b\nlonger-than-twelve  c\nno tabs here\nx           y\n");
    CHECK(tabwrite("") == "");
    CHECK(tabwrite("no newline\tat end") == "no newline  at end");
    CHECK(text_width("héllo") == 5);
}

TEST_CASE("template: fields, nested fields, literal text") {
    json row = {{"ID", "6a3a"}, {"Repository", "r/x"}, {"Tag", "1"}, {"Labels", {{"k", "v"}}}, {"Config", {{"User", "u"}}}};
    CHECK(run("{{.ID}} {{.Repository}}:{{.Tag}}", row) == "6a3a r/x:1");
    CHECK(run("{{.Config.User}}|{{.Labels.k}}|{{.Labels.nope}}", row) == "u|v|<no value>");
    CHECK(run("{{ .ID }}", row) == "6a3a");
    CHECK(run("plain", row) == "plain");
}

TEST_CASE("template: functions and pipes") {
    json row = {{"Names", {"a:1", "b:2"}}, {"Labels", {{"org.k", "hello"}}}, {"Repository", "Abc"}, {"Size", 42}};
    CHECK(run("{{json .Names}}", row) == R"(["a:1","b:2"])");
    CHECK(run("{{index .Labels \"org.k\"}}|{{index .Labels \"nope\"}}|", row) == "hello||");
    CHECK(run("{{join .Names \",\"}}", row) == "a:1,b:2");
    CHECK(run("{{.Repository | lower | printf \"<%s>\"}}", row) == "<abc>");
    CHECK(run("{{lower .Repository}} {{upper .Repository}} {{len .Names}}", row) == "abc ABC 2");
    CHECK(run("{{truncate .Repository 2}}", row) == "Ab");
    CHECK(run("{{printf \"%s=%d\" .Repository .Size}}", row) == "Abc=42");
    CHECK(run("{{(index .Names 1)}}", row) == "b:2");
    CHECK(run("{{.Names}} {{.Labels}} {{.Size}}", row) == "[a:1 b:2] map[org.k:hello] 42");
}

TEST_CASE("template: range, if, else, trim markers") {
    json row = {{"Names", {"a", "b"}}, {"Empty", json::array()}, {"Flag", false}};
    CHECK(run("{{range .Names}}<{{.}}>{{end}}", row) == "<a><b>");
    CHECK(run("{{range .Empty}}x{{else}}none{{end}}", row) == "none");
    CHECK(run("{{if .Flag}}yes{{else}}no{{end}}", row) == "no");
    CHECK(run("{{if .Names}}yes{{end}}", row) == "yes");
    CHECK(run("a  {{- \" b \" -}}  c", row) == "a b c");
}

TEST_CASE("template: errors as Go words them") {
    json row = {{"ID", "x"}};
    try {
        run("{{.Bogus}}", row);
        FAIL("no error");
    } catch (const burrow::Error& e) {
        CHECK(std::string(e.what()) ==
              "template: t:1:3: executing \"t\" at <.Bogus>: can't evaluate field Bogus in type images.imageReporter");
    }
    CHECK_THROWS_WITH(Template("t", "{{nofunc .}}"), "template: t:1: function \"nofunc\" not defined");
    CHECK_THROWS_WITH(Template("t", "{{.ID"), "template: t:1: unclosed action");
    CHECK_THROWS_WITH(Template("t", "{{if .ID}}x"), "template: t:1: unexpected EOF");
    CHECK_THROWS_WITH(Template("t", "{{end}}"), "template: t:1: unexpected {{end}}");
}

TEST_CASE("format: json detection, table prefix, escapes") {
    CHECK(is_json_format("json"));
    CHECK(is_json_format(" JSON "));
    CHECK(is_json_format("{{json .}}"));
    CHECK(is_json_format("{{ json . }}"));
    CHECK_FALSE(is_json_format("{{json .Names}}"));
    auto p = parse_format("table {{.ID}}\\t{{.Tag}}", "");
    CHECK(p.table);
    CHECK(p.body == "{{.ID}}\t{{.Tag}}\n");
    p = parse_format("", "{{.A}}\t{{.B}}\n");
    CHECK(p.table);
    p = parse_format("{{.ID}}", "x");
    CHECK_FALSE(p.table);
    CHECK(p.body == "{{.ID}}\n");
}

TEST_CASE("format: render a table with headers") {
    auto fmt = parse_format("table {{.ID}}\t{{.CreatedSince}}", "");
    json headers = header_row({"ID", "CreatedSince"}, {{"ID", "IMAGE ID"}});
    CHECK(headers["CreatedSince"] == "CREATED SINCE");
    std::vector<json> rows = {{{"ID", "abc"}, {"CreatedSince", "2 days ago"}}};
    CHECK(render_rows(fmt, rows, headers, false, "images") == "IMAGE ID    CREATED SINCE\nabc         2 days ago\n");
    CHECK(render_rows(fmt, rows, headers, true, "images") == "abc         2 days ago\n");
    auto plain = parse_format("{{.ID}}\\t{{.CreatedSince}}", "");
    CHECK(render_rows(plain, rows, headers, false, "images") == "abc\t2 days ago\n");
}

TEST_CASE("go_json: indentation, empty containers, HTML escaping") {
    json v = {{"A", json::array()}, {"B", {{"c", "x && <y>"}}}};
    CHECK(go_json(v, 4) == "{\n    \"A\": [],\n    \"B\": {\n        \"c\": \"x \\u0026\\u0026 \\u003cy\\u003e\"\n    }\n}");
    CHECK(go_json(json::array(), 5) == "[]");
}
