// Pure parts of the lifecycle commands: container filters, signal parsing, the events log's
// JSON lines, their filters and the human line, containers.conf's events keys.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <functional>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"
#include "src/commands/container_filter.hpp"
#include "src/commands/cp_tar.hpp"
#include "src/commands/events_view.hpp"
#include "src/engine/events.hpp"
#include "src/engine/lifecycle.hpp"

using namespace burrow;
using namespace burrow::commands;

namespace {

constexpr int64_t S = 1000000000;

struct Utc {
    Utc() {
        setenv("TZ", "UTC", 1);
        tzset();
    }
};

ContainerView view(const std::string& id, const std::string& name, const std::string& restart, storage::Status st,
                   int code = 0) {
    ContainerView v;
    v.cfg.id = id;
    v.cfg.name = name;
    v.cfg.restart_policy = restart;
    v.st.status = st;
    v.st.exit_code = code;
    return v;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("container filters: restart-policy and exited, as Podman checks them") {
    std::vector<ContainerView> all = {view("aaa", "one", "", storage::Status::exited, 0),
                                      view("bbb", "two", "always", storage::Status::running),
                                      view("ccc", "three", "no", storage::Status::exited, 1)};
    auto f = parse_container_filters({"restart-policy=none"});
    CHECK(filter_matches(all[0], f, all));
    CHECK_FALSE(filter_matches(all[1], f, all));
    f = parse_container_filters({"restart-policy=always", "restart-policy=no"});
    CHECK(filter_matches(all[1], f, all));
    CHECK(filter_matches(all[2], f, all));
    f = parse_container_filters({"exited=0"});
    CHECK(filter_matches(all[0], f, all));
    CHECK_FALSE(filter_matches(all[2], f, all));
    CHECK(error_of([] { parse_container_filters({"restart-policy=fakepolicy"}); }) == "fakepolicy invalid restart policy");
    CHECK(error_of([] { parse_container_filters({"restart-policy=x", "restart-policy=y"}); }) ==
          "x, y invalid restart policies");
    CHECK(error_of([] { parse_container_filters({"bogus=1"}); }) == "bogus is an invalid filter");
    CHECK(error_of([] { parse_container_filters({"nofilter"}); }) == "invalid filter \"nofilter\"");
}

TEST_CASE("signals parse as Podman's ParseSignalNameOrNumber plus kill's range check") {
    CHECK(engine::parse_signal("KILL") == 9);
    CHECK(engine::parse_signal("-INT") == 2);
    CHECK(engine::parse_signal("sigusr1") == 10);
    CHECK(engine::parse_signal("-SIGUSR2") == 12);
    CHECK(engine::parse_signal("-1") == 1);
    CHECK(engine::parse_signal("64") == 64);
    CHECK(engine::parse_signal("RTMIN+2") == 36);
    CHECK(engine::parse_signal("RTMAX") == 64);
    for (const char* bad : {"0", "SIGBADSIG", "SIG", "BADSIG", "%%", "!", "''"})
        CHECK(error_of([&] { engine::parse_signal(bad); }) == std::string("invalid signal: ") + bad);
    CHECK(error_of([] { engine::parse_signal("-0"); }) == "invalid signal: 0");
    CHECK(error_of([] { engine::parse_signal("-"); }) == "invalid signal: ");
    for (const char* far : {"65", "-65", "96", "999", "99999999"})
        CHECK(error_of([&] { engine::parse_signal(far); }) == "valid signals are 1 through 64");
}

TEST_CASE("events: JSON lines as Podman's file backend writes them, and back") {
    Utc utc;
    engine::Event e;
    e.type = "container";
    e.status = "died";
    e.id = "abc";
    e.name = "web";
    e.image = "quay.io/libpod/testimage:20220615";
    e.exit_code = 3;
    e.attributes = {{"k", "v"}};
    e.time_ns = 1795345060LL * S + 120000000;
    std::string line = engine::event_to_json(e);
    CHECK(line ==
          "{\"ContainerExitCode\":3,\"ID\":\"abc\",\"Image\":\"quay.io/libpod/testimage:20220615\",\"Name\":\"web\","
          "\"Status\":\"died\",\"Time\":\"2026-11-22T10:57:40.12Z\",\"Type\":\"container\",\"Attributes\":{\"k\":\"v\"}}");
    auto back = event_from_json(line);
    REQUIRE(back);
    CHECK(back->time_ns == e.time_ns);
    CHECK(back->exit_code == 3);
    CHECK(event_human(*back, false) ==
          "2026-11-22 10:57:40.12 +0000 UTC container died abc (image=quay.io/libpod/testimage:20220615, name=web, k=v)");
    engine::Event img;
    img.type = "image";
    img.status = "pull";
    img.id = "0123456789abcdef";
    img.name = "quay.io/x:1";
    img.time_ns = 1795345060LL * S;
    CHECK(engine::event_to_json(img) ==
          "{\"ID\":\"0123456789abcdef\",\"Name\":\"quay.io/x:1\",\"Status\":\"pull\",\"Time\":\"2026-11-22T10:57:40Z\","
          "\"Type\":\"image\",\"Attributes\":null}");
    CHECK(event_human(img, true) == "2026-11-22 10:57:40 +0000 UTC image pull 0123456789ab quay.io/x:1");
    CHECK(event_template_row(img)["Status"] == "pull");
}

TEST_CASE("events: filters and time window") {
    engine::Event e;
    e.type = "container";
    e.status = "start";
    e.id = "abcdef";
    e.name = "web";
    e.attributes = {{"app", "x"}};
    e.time_ns = 100 * S;
    auto q = parse_event_query({"container=web", "event=start", "event=stop"}, "", "", 200 * S);
    CHECK(event_matches(e, q));
    q = parse_event_query({"container=abc", "type=container", "label=app=x"}, "", "", 200 * S);
    CHECK(event_matches(e, q));
    q = parse_event_query({"image=web"}, "", "", 200 * S);
    CHECK_FALSE(event_matches(e, q));
    q = parse_event_query({}, "50", "150", 200 * S);
    CHECK(event_matches(e, q));
    q = parse_event_query({}, "100", "", 200 * S);
    CHECK_FALSE(event_matches(e, q));  // since is exclusive
    CHECK(error_of([] { parse_event_query({"bogus=1"}, "", "", 0); }) ==
          "failed to parse event filters: bogus is an invalid filter");
    CHECK(error_of([] { parse_event_query({"nokey"}, "", "", 0); }) ==
          "failed to parse event filters: nokey is an invalid filter");
    CHECK(error_of([] { parse_event_query({}, "yesterday", "", 0); }) ==
          "failed to parse event filters: unable to convert since time of yesterday: unable to interpret time value");
}

TEST_CASE("containers.conf: [engine] events keys") {
    engine::EventsConfig c;
    engine::apply_containers_conf(c, "[containers]\nevents_logger = \"x\"\n[engine]\n# c\n events_logger = \"none\"\n"
                                     "events_logfile_path=\"/tmp/ev.log\" # here\n[network]\n");
    CHECK(c.backend == "none");
    CHECK(c.path == "/tmp/ev.log");
}

TEST_CASE("cp tar streams: names are cleaned, a tree goes out and comes back") {
    CHECK(clean_tar_name("./a//b/") == "a/b");
    CHECK(clean_tar_name("/etc/passwd") == "etc/passwd");
    CHECK(clean_tar_name("./") == "");
    CHECK(error_of([] { clean_tar_name("a/../../b"); }).find("leads out of the destination") != std::string::npos);

    char tmpl[] = "/tmp/burrow-tar-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    std::string base = tmpl;
    mkdir_p(base + "/src/d/sub");
    std::string long_name(150, 'n');
    { std::ofstream(base + "/src/d/sub/" + long_name) << "payload\n"; }
    REQUIRE(::symlink("sub", (base + "/src/d/link").c_str()) == 0);
    mkdir_p(base + "/dst");
    {
        UniqueFd src(::open((base + "/src").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        UniqueFd out(::open((base + "/a.tar").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        write_tar(src.get(), "d", "d", out.get());
    }
    {
        UniqueFd root(::open(base.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        UniqueFd in(::open((base + "/a.tar").c_str(), O_RDONLY | O_CLOEXEC));
        extract_tar(in.get(), root.get(), "dst");
    }
    CHECK(read_file(base + "/dst/d/sub/" + long_name) == "payload\n");
    char link[64] = {};
    CHECK(::readlink((base + "/dst/d/link").c_str(), link, sizeof link - 1) == 3);
    CHECK(std::string(link) == "sub");
    remove_tree(base);
}

TEST_CASE("events log: past events_logfile_max_size the newer half stays, with a rotate event") {
    char tmpl[] = "/tmp/burrow-events-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    std::string path = std::string(tmpl) + "/events/events.log";
    for (int i = 0; i < 60; ++i) {
        engine::Event e;
        e.type = "container";
        e.status = "start";
        e.id = "id" + std::to_string(i);
        engine::append_event(path, e, 2000);
    }
    std::string text = read_file(path);
    CHECK(text.size() < 2000);
    CHECK(text.find("\"Status\":\"rotate\",") != std::string::npos);
    CHECK(text.find("\"ID\":\"id59\"") != std::string::npos);
    CHECK(text.find("\"ID\":\"id0\"") == std::string::npos);
    CHECK(text.back() == '\n');
    remove_tree(tmpl);

    engine::EventsConfig c;
    engine::apply_containers_conf(c, "[engine]\nevents_logfile_max_size = \"1m\"\n");
    CHECK(c.max_size == 1048576);
    engine::apply_containers_conf(c, "[engine]\nevents_logfile_max_size = 5000 # bytes\n");
    CHECK(c.max_size == 5000);
}
