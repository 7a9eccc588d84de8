// ps rows, status texts, inspect documents and the k8s-file log: pure formatting.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "base/fs.hpp"
#include "base/strings.hpp"
#include "src/commands/container_view.hpp"
#include "src/engine/container_log.hpp"
#include "src/output/format.hpp"
#include "test_storage_util.hpp"

using namespace burrow;
using namespace burrow::commands;
using storage::ContainerConfig;
using storage::ContainerState;
using storage::Status;
using json = nlohmann::json;

namespace {

constexpr int64_t S = 1000000000;
constexpr int64_t kNow = 1795345060LL * S;  // 2026-11-22T10:57:40Z

struct Tz {
    explicit Tz(const char* tz) {
        setenv("TZ", tz, 1);
        tzset();
    }
    ~Tz() {
        unsetenv("TZ");
        tzset();
    }
};

ContainerView view() {
    ContainerView v;
    v.cfg.id = "a16aea903136172692238d7d3f93f1f3f834375628190ff20f47a07d81416d39";
    v.cfg.name = "p2";
    v.cfg.image_id = "77346a93712c7a908d9387360c11eb4ba8d98a205f078db687198b688c237238";
    v.cfg.image_name = "localhost/tmp/oci-busybox:latest";
    v.cfg.cmd = {"sh", "-c", "echo out; echo err >&2; printf partial"};
    v.cfg.created = 1795345045LL * S + 370343627;
    v.cfg.labels = {{"a", "b"}};
    v.cfg.ports = {{"", 8080, 80, 1, "tcp"}, {"127.0.0.1", 9000, 90, 2, "udp"}};
    v.cfg.layers = {std::string(64, '1'), std::string(64, '2')};
    v.st.status = Status::exited;
    v.st.started_at = 1795345045LL * S + 500000000;
    v.st.finished_at = 1795345058LL * S;
    v.st.exit_code = 0;
    return v;
}

std::string read_all(const std::string& path) { return read_file(path); }

}  // namespace

TEST_CASE("status texts are Podman 4.3's") {
    ContainerState s;
    CHECK(status_text(s, kNow) == "Created");
    s.status = Status::running;
    s.started_at = kNow - 3 * S - 5;
    CHECK(status_text(s, kNow) == "Up 3 seconds ago");
    s.started_at = kNow - 90 * S;
    CHECK(status_text(s, kNow) == "Up About a minute ago");
    s.status = Status::exited;
    s.exit_code = 137;
    s.finished_at = kNow - 2 * S;
    CHECK(status_text(s, kNow) == "Exited (137) 2 seconds ago");
    s.finished_at = kNow;
    CHECK(status_text(s, kNow) == "Exited (137) Less than a second ago");
    s.status = Status::stopping;
    CHECK(status_text(s, kNow) == "Stopping");
    s.status = Status::unknown;
    CHECK(status_text(s, kNow) == "Unknown");
}

TEST_CASE("ports and commands as ps and port print them") {
    auto v = view();
    CHECK(ports_text(v.cfg.ports) == "0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->90-91/udp");
    CHECK(ports_text({}) == "");
    CHECK(port_lines(v.cfg.ports) ==
          std::vector<std::string>{"80/tcp -> 0.0.0.0:8080", "90/udp -> 127.0.0.1:9000", "91/udp -> 127.0.0.1:9001"});
    CHECK(command_text(v.cfg, false) == "sh -c echo out; e...");
    CHECK(command_text(v.cfg, true) == "sh -c echo out; echo err >&2; printf partial");
    ContainerConfig c;
    c.entrypoint = {"/entry"};
    c.cmd = {"sleep", "300"};
    CHECK(command_text(c, false) == "/entry sleep 300");
}

TEST_CASE("Go time formats") {
    Tz utc("UTC");
    CHECK(rfc3339_nano(1795345045LL * S + 881857087) == "2026-11-22T10:57:25.881857087Z");
    CHECK(rfc3339_nano(1795345045LL * S + 500000000) == "2026-11-22T10:57:25.5Z");
    CHECK(rfc3339_nano(1795345045LL * S) == "2026-11-22T10:57:25Z");
    CHECK(rfc3339_nano(0) == "0001-01-01T00:00:00Z");
    CHECK(go_time_string_ns(1795345045LL * S + 144212069) == "2026-11-22 10:57:25.144212069 +0000 UTC");
    CHECK(go_unix_seconds(0) == -62135596800);
    CHECK(go_unix_seconds(1795345045LL * S + 999) == 1795345045);
    Tz ist("IST-5:30");
    CHECK(rfc3339_nano(1795345045LL * S + 100) == "2026-11-22T16:27:25.0000001+05:30");
}

TEST_CASE("ps rows render as Podman's table") {
    Tz utc("UTC");
    auto v = view();
    auto row = ps_row(v, false, kNow);
    CHECK(row["ID"] == "a16aea903136");
    CHECK(row["ImageID"] == "77346a93712c");
    CHECK(row["Status"] == "Exited (0) 2 seconds ago");
    CHECK(row["State"] == row["Status"]);
    CHECK(row["CreatedHuman"] == "14 seconds ago");
    CHECK(row["CreatedAt"] == "2026-11-22 10:57:25.370343627 +0000 UTC");
    CHECK(row["Exited"] == true);
    CHECK(row["ExitedAt"] == 1795345058);
    CHECK(ps_row(v, true, kNow)["ID"] == v.cfg.id);

    auto fmt = output::parse_format(
        "", "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\n");
    auto text = output::render_rows(fmt, {row}, ps_headers(), false, "ps", "containers.psReporter");
    CHECK(text ==
          "CONTAINER ID  IMAGE                             COMMAND               CREATED         STATUS              "
          "      PORTS                                                 NAMES\n"
          "a16aea903136  localhost/tmp/oci-busybox:latest  sh -c echo out; e...  14 seconds ago  Exited (0) 2 seconds "
          "ago  0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->90-91/udp  p2\n");
    auto labels = output::render_rows(output::parse_format("{{.Labels}} {{.Mounts}} {{.Pid}}", ""), {row}, ps_headers(),
                                      false, "ps");
    CHECK(labels == "map[a:b] [] 0\n");
}

TEST_CASE("ps --format json entries carry Podman's keys in its order") {
    auto v = view();
    auto j = ps_json(v, kNow);
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"AutoRemove", "Command", "CreatedAt", "Exited",   "ExitedAt", "ExitCode",
                                           "Id",         "Image",   "ImageID",   "IsInfra",  "Labels",   "Mounts",
                                           "Names",      "Namespaces", "Networks", "Pid",     "Pod",      "PodName",
                                           "Ports",      "Size",    "StartedAt", "State",    "Status",   "Created"});
    CHECK(j["Command"].size() == 3);
    CHECK(j["Created"] == 1795345045);
    CHECK(j["State"] == "exited");
    CHECK(j["Names"][0] == "p2");
    CHECK(j["Ports"][1]["range"] == 2);
    v.cfg.ports.clear();
    v.cfg.labels.clear();
    v.st = ContainerState{};
    j = ps_json(v, kNow);
    CHECK(j["Ports"].is_null());
    CHECK(j["Labels"].is_null());
    CHECK(j["StartedAt"] == -62135596800);
    CHECK(j["Status"] == "Created");
}

TEST_CASE("container inspect document") {
    Tz utc("UTC");
    auto v = view();
    v.cfg.entrypoint = {"/bin/sh", "-c"};
    v.cfg.cmd = {"echo hi"};
    v.cfg.mounts = {{"bind", "/h", "/d", {"ro"}}, {"tmpfs", "", "/run", {"size=1m"}}};
    InspectPaths p;
    p.dir = "/s/containers/x";
    p.userdata = p.dir + "/userdata";
    p.upper = p.dir + "/upper";
    p.lower_dirs = {"/s/layers/2/diff", "/s/layers/1/diff"};
    p.caps = {"CAP_SETUID", "CAP_CHOWN"};
    auto j = container_inspect_json(v, p);
    CHECK(j["Id"] == v.cfg.id);
    CHECK(j["Path"] == "/bin/sh");
    CHECK(j["Args"] == json::array({"-c", "echo hi"}));
    CHECK(j["State"]["Status"] == "exited");
    CHECK(j["State"]["Running"] == false);
    CHECK(j["State"]["FinishedAt"] == "2026-11-22T10:57:38Z");
    CHECK(j["State"]["StartedAt"] == "2026-11-22T10:57:25.5Z");
    CHECK(j["Created"] == "2026-11-22T10:57:25.370343627Z");
    CHECK(j["Name"] == "p2");
    CHECK(j["ResolvConfPath"] == "/s/containers/x/userdata/resolv.conf");
    CHECK(j["GraphDriver"]["Data"]["LowerDir"] == "/s/layers/2/diff:/s/layers/1/diff");
    CHECK(j["BoundingCaps"] == json::array({"CAP_CHOWN", "CAP_SETUID"}));
    CHECK(j["Mounts"].size() == 1);
    CHECK(j["Mounts"][0]["RW"] == false);
    CHECK(j["Config"]["Entrypoint"] == "/bin/sh -c");
    CHECK(j["Config"]["StopSignal"] == 15);
    CHECK(j["Config"]["Hostname"] == "a16aea903136");
    CHECK(j["HostConfig"]["PortBindings"]["80/tcp"][0]["HostPort"] == "8080");
    CHECK(j["HostConfig"]["PortBindings"]["91/udp"][0]["HostIp"] == "127.0.0.1");
    CHECK(j["HostConfig"]["Tmpfs"]["/run"] == "size=1m");
    CHECK(j["NetworkSettings"]["Ports"] == j["HostConfig"]["PortBindings"]);
    // Templates reach into it as Podman's do.
    auto out = output::render_rows(output::parse_format("{{.State.Status}} {{.Config.Cmd}} {{.HostConfig.PortBindings}}", ""),
                                   {json(j)}, json::object(), true, "inspect");
    CHECK(out.rfind("exited [echo hi] map[80/tcp:[", 0) == 0);
}

TEST_CASE("signal names") {
    CHECK(signal_number("SIGTERM") == 15);
    CHECK(signal_number("term") == 15);
    CHECK(signal_number("9") == 9);
    CHECK(signal_number("SIGKILL") == 9);
    CHECK(signal_number("NOPE") == 0);
}

TEST_CASE("k8s-file lines: conmon's format and back") {
    Tz utc("UTC");
    CHECK(engine::format_log_line(1795345045LL * S + 571917605, 1, false, "out") ==
          "2026-11-22T10:57:25.571917605+00:00 stdout F out\n");
    CHECK(engine::format_log_line(1795345045LL * S + 5, 2, true, "x y") ==
          "2026-11-22T10:57:25.000000005+00:00 stderr P x y\n");
    auto l = engine::parse_log_line("2026-11-22T10:57:25.571917605+00:00 stdout P partial\n");
    REQUIRE(l);
    CHECK(l->time_ns == 1795345045LL * S + 571917605);
    CHECK(l->stream == 1);
    CHECK(l->partial);
    CHECK(l->text == "partial");
    auto e = engine::parse_log_line("2026-11-22T12:57:25.5+02:00 stderr F  two  spaces ");
    REQUIRE(e);
    CHECK(e->time_ns == 1795345045LL * S + 500000000);
    CHECK(e->text == " two  spaces ");
    auto empty = engine::parse_log_line("2026-11-22T10:57:25Z stdout F");
    REQUIRE(empty);
    CHECK(empty->text.empty());
    CHECK_FALSE(engine::parse_log_line("garbage"));
    CHECK_FALSE(engine::parse_log_line("2026-11-22T10:57:25Z stdin F x"));
    Tz ist("IST-5:30");
    auto t = engine::format_log_line(1795345045LL * S, 1, false, "");
    CHECK(t == "2026-11-22T16:27:25.000000000+05:30 stdout F \n");
    CHECK(engine::parse_log_line(t)->time_ns == 1795345045LL * S);
}

TEST_CASE("the log writer splits lines and keeps partial ones") {
    TempDir t;
    auto path = t / "ctr.log";
    {
        engine::LogWriter w(path);
        w.write(1, "a\nb", 3);
        w.write(2, "err\n", 4);
        w.write(1, "c\n", 2);
        std::string big(9000, 'x');
        big += "\n";
        w.write(1, big.data(), big.size());
        w.write(1, "tail", 4);
        w.flush();
        w.flush();  // nothing left: writes nothing
    }
    std::vector<engine::LogLine> lines;
    for (const auto& raw : split(read_all(path), '\n'))
        if (!raw.empty()) lines.push_back(*engine::parse_log_line(raw));
    REQUIRE(lines.size() == 6);
    CHECK((lines[0].text == "a" && !lines[0].partial && lines[0].stream == 1));
    CHECK((lines[1].text == "err" && lines[1].stream == 2));
    CHECK(lines[2].text == "bc");
    CHECK((lines[3].partial && lines[3].text.size() == 8192));
    CHECK((!lines[4].partial && lines[4].text.size() == 9000 - 8192));
    CHECK((lines[5].partial && lines[5].text == "tail"));
}

TEST_CASE("logs --since/--until values") {
    Tz utc("UTC");
    CHECK(parse_input_time("2026-11-22T10:57:25Z", true, kNow) == 1795345045LL * S);
    CHECK(parse_input_time("2026-11-22T11:57:25.25+01:00", true, kNow) == 1795345045LL * S + 250000000);
    CHECK(parse_input_time("2026-11-22T10:57:25", true, kNow) == 1795345045LL * S);  // local = UTC here
    CHECK(parse_input_time("2026-11-22", true, kNow) == 1795305600LL * S);
    CHECK(parse_input_time("1795345045", true, kNow) == 1795345045LL * S);
    CHECK(parse_input_time("1795345045.5", true, kNow) == 1795345045LL * S + 500000000);
    CHECK(parse_input_time("10m", true, kNow) == kNow - 600 * S);
    CHECK(parse_input_time("10m", false, kNow) == kNow + 600 * S);
    CHECK_FALSE(parse_input_time("bogus", true, kNow));
    CHECK_FALSE(parse_input_time("2026-11-22T10:57", true, kNow));
    CHECK(parse_go_duration("1h30m") == 5400 * S);
    CHECK(parse_go_duration("1.5s") == 1500000000);
    CHECK(parse_go_duration("300ms") == 300000000);
    CHECK(parse_go_duration("-5m") == -300 * S);
    CHECK(parse_go_duration("0") == 0);
    CHECK_FALSE(parse_go_duration("5"));
    CHECK_FALSE(parse_go_duration("5x"));
    CHECK_FALSE(parse_go_duration(""));
}

TEST_CASE("--tail counts lines, partial records joined") {
    // F F P P F P : lines are [0] [1] [2,3,4] [5]
    std::vector<bool> p = {false, false, true, true, false, true};
    CHECK(tail_start(p, -1) == 0);
    CHECK(tail_start(p, 0) == 6);
    CHECK(tail_start(p, 1) == 5);
    CHECK(tail_start(p, 2) == 2);
    CHECK(tail_start(p, 3) == 1);
    CHECK(tail_start(p, 4) == 0);
    CHECK(tail_start(p, 10) == 0);
    CHECK(tail_start({}, 3) == 0);
}
