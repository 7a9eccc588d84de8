#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <set>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"
#include "test_storage_util.hpp"

using namespace burrow;
using namespace burrow::storage;

namespace {

ContainerConfig sample_config() {
    ContainerConfig c;
    c.id = std::string(64, 'a');
    c.name = "web";
    c.image_id = std::string(64, 'b');
    c.image_name = "docker.io/library/busybox:latest";
    c.raw_image_name = "busybox";
    c.layers = {std::string(64, '1'), std::string(64, '2')};
    c.entrypoint = {"/bin/sh", "-c"};
    c.cmd = {"echo \"hi\" && sleep 1"};
    c.env = {"PATH=/usr/bin", "A=b=c"};
    c.workdir = "/srv";
    c.user = "1000:1000";
    c.uid = 1000;
    c.gid = 1000;
    c.groups = {10, 20};
    c.hostname = "box";
    c.tty = true;
    c.interactive = true;
    c.read_only = true;
    c.remove = true;
    c.mounts = {{"bind", "/host/data", "/data", {"ro", "Z"}}, {"tmpfs", "", "/run", {"size=64m"}}};
    c.labels = {{"app", "web"}, {"tier", ""}};
    c.annotations = {{"io.x", "1"}};
    c.cap_add = {"CAP_NET_ADMIN"};
    c.cap_drop = {"ALL"};
    c.seccomp = "unconfined";
    c.userns = "keep-id";
    c.stop_signal = "SIGINT";
    c.stop_timeout = 3;
    c.ulimits = {{"nofile", 1024, -1}};
    c.devices = {"/dev/fuse"};
    c.network = "none";
    c.ports = {{"127.0.0.1", 8080, 80, 2, "udp"}};
    c.dns = {"1.1.1.1"};
    c.add_hosts = {"db:10.0.0.2"};
    c.no_hosts = true;
    c.pids_limit = 100;
    c.memory = 1 << 20;
    c.cpus = 1.5;
    c.sig_proxy = false;
    c.create_command = {"burrow", "run", "--name", "web", "busybox"};
    c.created = 1795000000123456789;
    c.cidfile = "/tmp/cid";
    return c;
}

Store make_store(const TempDir& t) {
    StoreOptions o;
    o.root = t / "root";
    return Store(o, burrow::engine::userns_helpers());
}

}  // namespace

TEST_CASE("container config JSON round trip keeps every field") {
    auto c = sample_config();
    auto back = config_from_json(config_to_json(c));
    CHECK(config_to_json(back) == config_to_json(c));
    CHECK(back.cmd == c.cmd);
    CHECK(back.mounts.size() == 2);
    CHECK(back.mounts[0].read_only());
    CHECK_FALSE(back.mounts[1].read_only());
    CHECK(back.ports[0].host_port == 8080);
    CHECK(back.ports[0].range == 2);
    CHECK(back.ports[0].protocol == "udp");
    CHECK(back.ulimits[0].hard == -1);
    CHECK(back.created == 1795000000123456789);
    CHECK(back.cpus == 1.5);
    CHECK_FALSE(back.sig_proxy);
    CHECK(back.labels.at("tier").empty());
    // Missing fields keep their defaults; garbage is an error.
    auto minimal = config_from_json(R"({"id":"x"})");
    CHECK(minimal.workdir == "/");
    CHECK(minimal.stop_signal == "SIGTERM");
    CHECK(minimal.sig_proxy);
    CHECK_THROWS_AS(config_from_json("{"), Error);
    CHECK_THROWS_AS(config_from_json(R"({"cmd": 5})"), Error);
}

TEST_CASE("container state JSON round trip") {
    ContainerState s;
    s.status = Status::running;
    s.pid = 1234;
    s.pid_start = 99999;
    s.supervisor_pid = 1200;
    s.supervisor_start = 99990;
    s.started_at = 5;
    s.finished_at = 6;
    s.exit_code = 137;
    s.exit_known = false;
    s.oom_killed = true;
    s.restart_count = 2;
    s.error = "boom";
    auto b = state_from_json(state_to_json(s));
    CHECK(state_to_json(b) == state_to_json(s));
    CHECK(b.status == Status::running);
    CHECK(b.exit_code == 137);
    CHECK_FALSE(b.exit_known);
    CHECK(state_from_json(R"({"status":"weird"})").status == Status::unknown);
    CHECK(status_name(Status::stopping) == "stopping");
}

TEST_CASE("generated names look like Podman's") {
    std::regex shape("^[a-z]+_[a-z]+$");
    std::set<std::string> seen;
    for (uint64_t i = 0; i < 200; ++i) {
        auto n = generate_name(i);
        CHECK(std::regex_match(n, shape));
        seen.insert(n);
    }
    CHECK(generate_name(7) == generate_name(7));
    CHECK(seen.size() > 190);  // consecutive seeds spread out
}

TEST_CASE("liveness uses the pid and its start time") {
    auto self = pid_start_time(::getpid());
    REQUIRE(self);
    CHECK(process_alive(::getpid(), *self));
    CHECK_FALSE(process_alive(::getpid(), *self + 1));  // a reused pid
    CHECK_FALSE(process_alive(0, 0));
    pid_t child = fork();
    if (child == 0) {
        ::pause();  // alive until killed: a zombie already counts as gone
        _exit(0);
    }
    auto start = pid_start_time(child);
    REQUIRE(start);
    ::kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    CHECK_FALSE(pid_start_time(child));
    CHECK_FALSE(process_alive(child, *start));
}

TEST_CASE("create, find, state, rename and remove on a store") {
    TempDir t;
    Store store = make_store(t);
    ContainerStore cs(store);

    ContainerConfig a;
    a.name = "first";
    a.image_id = std::string(64, 'b');
    a.layers = {std::string(64, '1')};
    cs.create(a);
    REQUIRE(a.id.size() == 64);
    CHECK(a.created > 0);
    struct stat st;
    REQUIRE(stat(cs.dir(a.id).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(stat(cs.upper_dir(a.id).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0755);
    CHECK(is_directory(cs.work_dir(a.id)));
    CHECK(is_directory(cs.merged_dir(a.id)));
    CHECK(is_directory(cs.userdata_dir(a.id)));
    CHECK(list_dir(t / "root/tmp").empty());

    // A taken name: Podman's message, nothing left behind.
    ContainerConfig dup;
    dup.name = "first";
    CHECK_THROWS_WITH(cs.create(dup), "the container name \"first\" is already in use by " + a.id +
                                          ". You have to remove that container to be able to reuse that name: "
                                          "that name is already in use");
    CHECK(cs.ids().size() == 1);
    ContainerConfig bad;
    bad.name = "-x";
    CHECK_THROWS_WITH(cs.create(bad), Catch::Contains("names must match"));

    ContainerConfig b;
    b.image_id = std::string(64, 'c');
    cs.create(b);
    CHECK(std::regex_match(b.name, std::regex("^[a-z]+_[a-z]+$")));
    CHECK(cs.list().size() == 2);

    // Lookups: full id, name, unique prefix; an ambiguous prefix is an error.
    CHECK(cs.find(a.id)->name == "first");
    CHECK(cs.find("first")->id == a.id);
    CHECK(cs.find(b.name)->id == b.id);
    size_t common = 0;
    while (a.id[common] == b.id[common]) ++common;
    CHECK(cs.find(a.id.substr(0, common + 1))->id == a.id);
    if (common > 0) CHECK_THROWS_WITH(cs.find(a.id.substr(0, common)), Catch::Contains("more than one result"));
    CHECK_FALSE(cs.find("nothere"));
    CHECK_FALSE(cs.find("../../etc"));
    CHECK(cs.using_image(std::string(64, 'b')).size() == 1);
    CHECK(cs.using_image(std::string(64, 'd')).empty());

    // State: created at first; a running record whose process is gone reads as exited.
    CHECK(cs.state(a.id).status == Status::created);
    ContainerState run;
    run.status = Status::running;
    run.pid = ::getpid();
    run.pid_start = *pid_start_time(::getpid());
    cs.put_state(a.id, run);
    CHECK(cs.state(a.id).status == Status::running);
    pid_t child = fork();
    if (child == 0) _exit(0);
    run.pid = child;
    run.pid_start = *pid_start_time(child);
    waitpid(child, nullptr, 0);
    cs.put_state(a.id, run);
    auto s = cs.state(a.id);
    CHECK(s.status == Status::exited);
    CHECK_FALSE(s.exit_known);
    CHECK(s.finished_at > 0);
    CHECK(cs.raw_state(a.id).status == Status::running);  // readers do not write

    // Rename: the old name is free, the new one taken.
    CHECK_THROWS_WITH(cs.rename(a.id, b.name), Catch::Contains("is already in use by " + b.id));
    cs.rename(a.id, "second");
    CHECK(cs.find("second")->id == a.id);
    CHECK_FALSE(cs.find("first"));
    ContainerConfig c;
    c.name = "first";
    cs.create(c);
    CHECK(cs.find("first")->id == c.id);

    // Remove: record, dirs and name gone, even with read-only dirs inside.
    mkdir_p(cs.upper_dir(a.id) + "/etc/x", 0755);
    chmod((cs.upper_dir(a.id) + "/etc").c_str(), 0500);
    {
        auto lock = cs.lock(a.id);
        cs.remove(a.id);
    }
    CHECK_FALSE(path_exists(cs.dir(a.id)));
    CHECK_FALSE(cs.find("second"));
    CHECK_FALSE(cs.find(a.id));
    CHECK(cs.list().size() == 2);
    CHECK(list_dir(t / "root/tmp").empty());
    CHECK_NOTHROW(cs.remove(a.id));  // already gone
}

TEST_CASE("a stale name link does not block the name") {
    TempDir t;
    Store store = make_store(t);
    ContainerStore cs(store);
    // Lookups create nothing.
    CHECK_FALSE(cs.find("ghost"));
    CHECK(cs.list().empty());
    CHECK_FALSE(path_exists(t / "root/containers"));
    CHECK_FALSE(path_exists(t / "root/container-names"));
    // As a writer killed between the link and the record leaves it.
    mkdir_p(t / "root/container-names", 0700);
    REQUIRE(symlink(std::string(64, 'e').c_str(), (t / "root/container-names/ghost").c_str()) == 0);
    CHECK_FALSE(cs.find("ghost"));
    ContainerConfig g;
    g.name = "ghost";
    cs.create(g);
    CHECK(cs.find("ghost")->id == g.id);
}

TEST_CASE("layers used by containers survive removal of unused layers") {
    TempDir t;
    Store store = make_store(t);
    ContainerStore cs(store);
    std::vector<std::string> chains = {std::string(64, '1'), std::string(64, '2')};
    for (const auto& chain : chains) {
        auto tmp = store.make_temp_layer_dir(chain);
        mkdir_p(tmp + "/diff", 0755);
        LayerRecord r;
        r.id = chain;
        r.diff_id = "sha256:" + chain;
        store.commit_layer(tmp, r);
    }
    ContainerConfig c;
    c.layers = {chains[0]};
    cs.create(c);
    auto lock = store.lock_exclusive();
    auto removed = store.remove_unused_layers();
    CHECK(removed == std::vector<std::string>{chains[1]});
    CHECK(store.has_layer(chains[0]));
}

TEST_CASE("listing 100 containers is fast") {
    TempDir t;
    Store store = make_store(t);
    ContainerStore cs(store);
    for (int i = 0; i < 100; ++i) {
        auto c = sample_config();
        c.id.clear();
        c.name = std::to_string(i);
        c.name.insert(0, 1, 'c');
        cs.create(c);
    }
    auto start = std::chrono::steady_clock::now();
    size_t n = 0;
    for (const auto& c : cs.list()) {
        cs.state(c.id);
        ++n;
    }
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    CHECK(n == 100);
    WARN("list + state of 100 containers: " << ms << " ms");
    CHECK(ms < 200);  // generous: debug builds on a loaded machine
}
