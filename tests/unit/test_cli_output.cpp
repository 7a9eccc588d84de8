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
    // containers/common's table replacer: a space of a user's table format is a column break.
    p = parse_format("table {{.Repository}} {{ .Tag }}", "");
    CHECK(p.body == "{{.Repository}}\t{{\t.Tag\t}}\n");
    CHECK(parse_format("{{.A}} {{.B}}", "").body == "{{.A}} {{.B}}\n");
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

// --- Go field names over JSON keys (go_type.hpp) ---

static std::string typed(const std::string& t, const json& dot, const std::string& type) {
    return Template("inspect", t).execute(dot, type);
}
static std::string typed_error(const std::string& t, const json& dot, const std::string& type) {
    try {
        typed(t, dot, type);
    } catch (const burrow::Error& e) {
        return e.what();
    }
    return "no error";
}

TEST_CASE("template: image inspect fields by Go name, JSON by key") {
    json img = {{"Id", "d031c9d1"}, {"Digest", "sha256:cae6"}, {"RepoTags", {"localhost/x:1"}},
                {"Config", {{"Env", {"A=1"}}, {"Labels", {{"k", "v"}}}, {"Cmd", {"top"}}}}, {"Size", 5}};
    const std::string T = "*entities.ImageInspectReport";
    CHECK(typed("{{.ID}}", img, T) == "d031c9d1");
    CHECK(typed("{{ .Digest }}|{{.Size}}", img, T) == "sha256:cae6|5");
    CHECK(typed("{{json .Config}}", img, T) == R"({"Cmd":["top"],"Env":["A=1"],"Labels":{"k":"v"}})");
    CHECK(typed("{{.Config.Labels.k}} {{index .Config.Labels \"k\"}} {{.Config.Cmd}}", img, T) == "v v [top]");
    // A field the JSON leaves out is the Go zero value of its type.
    CHECK(typed("[{{.Parent}}] {{.RepoDigests}} {{.Annotations}} {{.GraphDriver}}", img, T) == "[] [] map[] <nil>");
    CHECK(typed_error("{{.XYZ}}", img, T) ==
          "template: inspect:1:3: executing \"inspect\" at <.XYZ>: can't evaluate field XYZ in type *entities.ImageInspectReport");
    // The JSON key is not a field name.
    CHECK(typed_error("{{.Id}}", img, T).find("can't evaluate field Id in type *entities.ImageInspectReport") != std::string::npos);
    CHECK(typed_error("{{.Config.Bogus}}", img, T).find("can't evaluate field Bogus in type *v1.ImageConfig") != std::string::npos);
}

TEST_CASE("template: info and container fields by Go name") {
    json info = {{"host", {{"arch", "amd64"}, {"ociRuntime", {{"name", "burrow"}, {"path", "/usr/bin/burrow"}}},
                           {"logDriver", "k8s-file"}, {"security", {{"rootless", true}}}, {"cgroupVersion", "v2"}}},
                 {"store", {{"graphRoot", "/g"}, {"graphOptions", json::object()}, {"imageStore", {{"number", 1}}}}}};
    const std::string T = "*define.Info";
    CHECK(typed("{{.Host.OCIRuntime.Name}} {{.Host.LogDriver}} {{.Host.Security.Rootless}} {{.Host.CgroupsVersion}}", info, T) ==
          "burrow k8s-file true v2");
    CHECK(typed("{{.Store.GraphRoot}} {{.Store.GraphOptions}} {{.Store.ImageStore.Number}}", info, T) == "/g map[] 1");
    CHECK(typed("{{json .Host.OCIRuntime}}", info, T) == R"({"name":"burrow","path":"/usr/bin/burrow"})");
    CHECK(typed_error("{{.Host.Nope}}", info, T).find("can't evaluate field Nope in type *define.HostInfo") != std::string::npos);
    json ctr = {{"Id", "65c1"}, {"ImageName", "localhost/x:1"}, {"HostConfig", {{"LogConfig", {{"Type", "k8s-file"}, {"Size", "10mb"}}}}},
                {"State", {{"Status", "running"}, {"ExitCode", 0}}}};
    const std::string C = "*define.InspectContainerData";
    CHECK(typed("{{.ID}} {{.ImageName}} {{.HostConfig.LogConfig.Size}} {{.State.Status}}/{{.State.ExitCode}}", ctr, C) ==
          "65c1 localhost/x:1 10mb running/0");
    json ver = {{"Client", {{"Version", "4.3.1"}, {"APIVersion", "4.3.1"}}}};
    CHECK(typed("{{.Client.Version}}", ver, "*entities.SystemVersionReport") == "4.3.1");
    CHECK(typed("{{.Server}}", ver, "*entities.SystemVersionReport") == "<nil>");
}

TEST_CASE("template: Podman's functions and Go's built-ins") {
    json row = {{"Names", {"a", "b"}}, {"N", 3}, {"S", "x"}, {"E", ""}};
    CHECK(run("{{pad .S 2 3}}|", row) == "  x   |");
    CHECK(run("{{split \"a:b:c\" \":\"}} {{len (split \"a:b\" \":\")}} {{index (split \"a:b\" \":\") 1}}", row) == "[a b c] 2 b");
    CHECK(run("{{eq .N 3}} {{ne .S \"x\"}} {{lt .N 4}} {{le .N 3}} {{gt .N 3}} {{ge .N 3}} {{eq .S \"y\" \"x\"}}", row) ==
          "true false true true false true true");
    CHECK(run("{{and .S .N}} {{or .E .S}} {{not .E}}", row) == "3 x true");
    CHECK(run("{{with .S}}<{{.}}>{{end}}{{with .E}}no{{else}}empty{{end}}", row) == "<x>empty");
    CHECK(run("{{if eq .N 1}}one{{else if eq .N 3}}three{{else}}many{{end}}", row) == "three");
    CHECK(run("{{range .Names}}{{if eq . \"b\"}}B{{else}}{{upper .}}{{end}}{{end}}", row) == "AB");
    CHECK(run("{{title \"hello world-x\"}} {{lower \"ABC\"}}", row) == "Hello World-X abc");
    CHECK(run("{{printf \"%5s|%-3d|%03d|%q|%v|%t\" .S .N .N .S .Names true}}", row) == "    x|3  |003|\"x\"|[a b]|true");
    CHECK(run("{{printf \"%d\" .S}}", row) == "%!d(string=x)");
    CHECK(run("{{\"\\n\"}}", row) == "\n");
    CHECK(run("{{print .S .N}} {{true}}", row) == "x3 true");
    std::string big(5000, 'z');
    CHECK(run("{{printf \"%s\" .S}}", json{{"S", big}}) == big);  // no fixed-size buffer
    CHECK(run("{{ .N | printf \"%d-%d\" 1 }}", row) == "1-3");
}

TEST_CASE("template: variables, $, range declarations, comments") {
    json row = {{"Names", {"a", "b"}}, {"Labels", {{"k1", "v1"}, {"k2", "v2"}}}, {"S", "x"}, {"N", 3}};
    CHECK(run("{{$x := .S}}{{$x}}-{{$x = \"y\"}}{{$x}}", row) == "x-y");
    CHECK(run("{{range $i, $n := .Names}}{{$i}}={{$n}} {{end}}", row) == "0=a 1=b ");
    CHECK(run("{{range $n := .Names}}{{$n}}{{$.S}}{{end}}", row) == "axbx");
    // Podman's documented label listing: a map ranges in key order, key and value.
    CHECK(run("{{range $k, $v := .Labels}}{{$k}}={{$v}}\n{{end}}", row) == "k1=v1\nk2=v2\n");
    CHECK(run("{{with $s := .S}}{{$s}}{{.}}{{end}}", row) == "xx");
    CHECK(run("{{if $n := .N}}{{$n}}{{end}}", row) == "3");
    CHECK(run("a{{/* a comment */}}b{{- /* trimmed */ -}} c", row) == "abc");
    CHECK_THROWS_WITH(run("{{range .Names}}{{$y := 1}}{{end}}{{$y}}", row), Catch::Contains("undefined variable \"$y\""));
}

TEST_CASE("template: Podman's documented --format examples") {
    // podman ps --format "{{.ID}}  {{.Image}}  {{.Labels}}" (map printed in key order)
    json ctr = {{"ID", "65c1c2a2e5c3"}, {"Image", "docker.io/library/alpine:latest"}, {"Labels", {{"b", "2"}, {"a", "1"}}}};
    CHECK(run("{{.ID}}  {{.Image}}  {{.Labels}}", ctr) == "65c1c2a2e5c3  docker.io/library/alpine:latest  map[a:1 b:2]");
    // podman images --format "{{.Repository}}:{{.Tag}}" and "{{json .}}"-style pipes
    json img = {{"Repository", "quay.io/x"}, {"Tag", "1"}, {"Names", {"quay.io/x:1", "quay.io/x:latest"}}};
    CHECK(run("{{.Repository}}:{{.Tag}}", img) == "quay.io/x:1");
    CHECK(run("{{join .Names \",\"}} {{len .Names}} {{index .Names 0}}", img) == "quay.io/x:1,quay.io/x:latest 2 quay.io/x:1");
    CHECK(run("{{range .Names}}{{println .}}{{end}}", img) == "quay.io/x:1\nquay.io/x:latest\n");
    CHECK(run("{{.Repository | upper}} {{truncate .Repository 4}}", img) == "QUAY.IO/X quay");
    // podman system df --format "{{.Type}}:{{.Total}}:{{.Active}}"
    json df = {{"Type", "Local Volumes"}, {"Total", 2}, {"Active", 2}};
    CHECK(run("{{ .Type }}:{{ .Total }}:{{ .Active }}", df) == "Local Volumes:2:2");
}
