#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "base/error.hpp"
#include "src/engine/containers_conf.hpp"

using namespace burrow;
using namespace burrow::engine;

namespace {
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

bool no_zone(const std::string&) { return false; }

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/burrow-conf-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& rel, const std::string& text) const {
        auto p = path / rel;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p) << text;
        return p.string();
    }
};
}  // namespace

TEST_CASE("containers.conf: Podman's defaults") {
    ContainersConf c;
    CHECK(c.env == std::vector<std::string>{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
    CHECK(c.log_driver == "k8s-file");
    CHECK(c.log_size_max == -1);
    CHECK(c.pids_limit == 2048);
    CHECK(c.umask == "0022");
    CHECK(c.events_logger == "file");
    CHECK(c.runtime.empty());
    CHECK_NOTHROW(validate_containers_conf(c, no_zone));
}

TEST_CASE("containers.conf: the keys burrow reads; others are ignored") {
    ContainersConf c;
    merge_containers_conf(c, R"(
[containers]
env = ["FOO=bar", "A=b"]
tz = "local"
log_driver = "journald"
log_size_max = 10000
pids_limit = 100
default_ulimits = ["nofile=1024:2048"]
umask = "0077"
some_future_key = { a = 1 }
dns_servers = ["1.1.1.1"]

[engine]
runtime = "runc"
events_logger = "none"
events_logfile_path = "/tmp/ev.log"
events_logfile_max_size = "1m"
cgroup_manager = "cgroupfs"
[engine.runtimes]
runc = ["/usr/bin/runc", "/usr/sbin/runc"]

[network]
network_backend = "netavark"
)",
                          "/x/containers.conf");
    CHECK(c.env == std::vector<std::string>{"FOO=bar", "A=b"});
    CHECK(c.tz == "local");
    CHECK(c.log_driver == "journald");
    CHECK(c.log_size_max == 10000);
    CHECK(c.pids_limit == 100);
    CHECK(c.default_ulimits == std::vector<std::string>{"nofile=1024:2048"});
    CHECK(c.umask == "0077");
    CHECK(c.runtime == "runc");
    CHECK(c.events_logger == "none");
    CHECK(c.events_logfile_path == "/tmp/ev.log");
    CHECK(c.events_logfile_max_size == 1000000);
    CHECK(c.cgroup_manager == "cgroupfs");
    CHECK(c.runtimes.at("runc") == std::vector<std::string>{"/usr/bin/runc", "/usr/sbin/runc"});
    CHECK(c.files == std::vector<std::string>{"/x/containers.conf"});
    CHECK(c.origin.at("containers.umask") == "/x/containers.conf");
    CHECK_NOTHROW(validate_containers_conf(c, no_zone));
}

TEST_CASE("containers.conf: a later file overrides only the keys it sets; arrays are replaced") {
    ContainersConf c;
    merge_containers_conf(c, "[containers]\nenv = [\"A=1\"]\numask = \"0027\"\n", "/a.conf");
    merge_containers_conf(c, "[containers]\nenv = [\"B=2\"]\n[engine]\nruntime = \"crun\"\n", "/b.conf");
    CHECK(c.env == std::vector<std::string>{"B=2"});
    CHECK(c.umask == "0027");
    CHECK(c.runtime == "crun");
    CHECK(c.origin.at("containers.umask") == "/a.conf");
    CHECK(c.origin.at("containers.env") == "/b.conf");
}

TEST_CASE("containers.conf: the run-podman-bats file is accepted") {
    ContainersConf c;
    merge_containers_conf(c, "# written by run-podman-bats\n[engine]\nruntime = \"runc\"\n", "/h/containers.conf");
    CHECK(c.runtime == "runc");
    merge_containers_conf(c, "# written by run-podman-bats\n[engine]\n", "/h/containers.conf");
    CHECK(c.runtime == "runc");
}

TEST_CASE("containers.conf: wrong types and bad TOML name the file, the line and the key") {
    ContainersConf c;
    CHECK(error_of([&] { merge_containers_conf(c, "[containers]\n\npids_limit = \"many\"\n", "/e/c.conf"); }) ==
          "reading system config \"/e/c.conf\": decode configuration /e/c.conf: toml: line 3 (last key "
          "\"containers.pids_limit\"): incompatible types: TOML value has type string; destination has type integer");
    CHECK(error_of([&] { merge_containers_conf(c, "[containers]\nenv = [\"A=1\", 2]\n", "/e/c.conf"); }) ==
          "reading system config \"/e/c.conf\": decode configuration /e/c.conf: toml: line 2 (last key "
          "\"containers.env\"): incompatible types: TOML value has type integer; destination has type string");
    CHECK(error_of([&] { merge_containers_conf(c, "[engine]\nruntime = [\"runc\"]\n", "/e/c.conf"); })
              .find("(last key \"engine.runtime\"): incompatible types: TOML value has type array; destination has type string") !=
          std::string::npos);
    std::string bad = error_of([&] { merge_containers_conf(c, "[containers\nenv = 1\n", "/e/c.conf"); });
    CHECK(bad.rfind("reading system config \"/e/c.conf\": decode configuration /e/c.conf: toml: line 1: ", 0) == 0);
    CHECK(error_of([&] { merge_containers_conf(c, "[engine]\nevents_logfile_max_size = \"lots\"\n", "/e/c.conf"); }) ==
          "reading system config \"/e/c.conf\": decode configuration /e/c.conf: invalid size: 'lots'");
    CHECK(c.files.empty());
}

TEST_CASE("containers.conf: bad values are refused with Podman's words, the key and the file") {
    auto check = [](const std::string& text) {
        ContainersConf c;
        merge_containers_conf(c, text, "/u/containers.conf");
        return error_of([&] { validate_containers_conf(c, [](const std::string& z) { return z == "Europe/Berlin"; }); });
    };
    CHECK(check("[containers]\numask = \"0999\"\n") ==
          "validating containers config: not a valid umask 0999 (containers.umask in \"/u/containers.conf\")");
    CHECK(check("[containers]\numask = \"00222\"\n").find("not a valid umask 00222") != std::string::npos);
    CHECK(check("[containers]\ntz = \"Mars/Olympus\"\n") ==
          "validating containers config: find timezone Mars/Olympus in paths: /usr/share/zoneinfo, /etc/zoneinfo "
          "(containers.tz in \"/u/containers.conf\")");
    CHECK(check("[containers]\ntz = \"Europe/Berlin\"\n") == "(no error)");
    CHECK(check("[containers]\nlog_size_max = 100\n") ==
          "validating containers config: log size max should be negative or >= 8192 (containers.log_size_max in "
          "\"/u/containers.conf\")");
    CHECK(check("[containers]\nlog_size_max = -1\n") == "(no error)");
    CHECK(check("[containers]\ndefault_ulimits = [\"nofile\"]\n") ==
          "validating containers config: unrecognized ulimit nofile: invalid ulimit argument: nofile "
          "(containers.default_ulimits in \"/u/containers.conf\")");
    CHECK(check("[containers]\ndefault_ulimits = [\"nofiles=1\"]\n").find("invalid ulimit type: nofiles") != std::string::npos);
    CHECK(check("[containers]\ndefault_ulimits = [\"nofile=9:3\"]\n").find("soft limit must be less than or equal to hard limit: 9 > 3") !=
          std::string::npos);
    CHECK(check("[containers]\ndefault_ulimits = [\"nproc=1:2:3\"]\n").find("too many limit value arguments") != std::string::npos);
    CHECK(check("[containers]\nlog_driver = \"syslog\"\n") ==
          "validating containers config: invalid log driver: syslog (containers.log_driver in \"/u/containers.conf\")");
    CHECK(check("[engine]\nevents_logger = \"kafka\"\n") ==
          "validating engine config: \"kafka\" is not a valid events backend: invalid argument (engine.events_logger in "
          "\"/u/containers.conf\")");
}

TEST_CASE("containers.conf: the files in Podman's order") {
    TempDir t;
    ConfEnv env;
    env.system_dir = (t.path / "usr").string();
    env.etc_dir = (t.path / "etc").string();
    env.user_conf = (t.path / "home/containers.conf").string();
    CHECK(containers_conf_files(env).empty());

    auto usr = t.write("usr/containers.conf", "[containers]\numask = \"0001\"\n");
    auto etc = t.write("etc/containers.conf", "[containers]\numask = \"0002\"\n");
    auto d2 = t.write("etc/containers.conf.d/20-b.conf", "[engine]\nruntime = \"b\"\n");
    auto d1 = t.write("etc/containers.conf.d/10-a.conf", "[engine]\nruntime = \"a\"\n");
    t.write("etc/containers.conf.d/30-c.txt", "ignored: not .conf");
    t.write("etc/containers.conf.d/sub/40.conf", "ignored: one level only");
    auto user = t.write("home/containers.conf", "[containers]\nenv = [\"U=1\"]\n");
    auto ud = t.write("home/containers.conf.d/99.conf", "[containers]\npids_limit = 7\n");
    CHECK(containers_conf_files(env) == std::vector<std::string>{usr, etc, d1, d2, user, ud});

    ContainersConf c = load_containers_conf(env);
    CHECK(c.umask == "0002");
    CHECK(c.runtime == "b");
    CHECK(c.env == std::vector<std::string>{"U=1"});
    CHECK(c.pids_limit == 7);

    // root reads no user file
    ConfEnv root = env;
    root.user_conf.clear();
    CHECK(containers_conf_files(root) == std::vector<std::string>{usr, etc, d1, d2});

    // CONTAINERS_CONF replaces them all; CONTAINERS_CONF_OVERRIDE comes last, with or without it
    auto only = t.write("only.conf", "[engine]\nruntime = \"only\"\n");
    auto over = t.write("over.conf", "[engine]\nruntime = \"over\"\n");
    ConfEnv e2 = env;
    e2.containers_conf = only;
    CHECK(containers_conf_files(e2) == std::vector<std::string>{only});
    e2.containers_conf_override = over;
    CHECK(containers_conf_files(e2) == std::vector<std::string>{only, over});
    CHECK(load_containers_conf(e2).runtime == "over");
    ConfEnv e3 = env;
    e3.containers_conf_override = over;
    CHECK(containers_conf_files(e3).back() == over);
    CHECK(containers_conf_files(e3).size() == 7);

    e2.containers_conf = (t.path / "missing.conf").string();
    CHECK(error_of([&] { containers_conf_files(e2); }) ==
          "finding config on system: CONTAINERS_CONF file: stat " + *e2.containers_conf + ": no such file or directory");
    e3.containers_conf_override = (t.path / "gone.conf").string();
    CHECK(error_of([&] { containers_conf_files(e3); }) == "finding config on system: CONTAINERS_CONF_OVERRIDE file: stat " +
                                                              *e3.containers_conf_override + ": no such file or directory");
}

TEST_CASE("containers.conf: the default pids limit follows Podman's rootless rule") {
    ContainersConf c;
    CHECK(default_pids_limit(c, false, false) == 2048);
    CHECK(default_pids_limit(c, true, false) == 0);
    CHECK(default_pids_limit(c, true, true) == 2048);
    c.cgroup_manager = "cgroupfs";
    CHECK(default_pids_limit(c, true, true) == 0);
}

TEST_CASE("containers.conf: comment lines are skipped, lines in errors still count them") {
    ContainersConf c;
    merge_containers_conf(c, "# a comment\n  # indented\n[containers]\n#umask = \"0777\"\numask = \"0007\" # trailing\n", "/c.conf");
    CHECK(c.umask == "0007");
    CHECK(error_of([&] { merge_containers_conf(c, "# one\n# two\n[containers]\numask = 7\n", "/c.conf"); })
              .find("toml: line 4 (last key \"containers.umask\")") != std::string::npos);
    // a multi-line string keeps its lines, even one that starts with '#'
    merge_containers_conf(c, "[engine]\nruntime = '''\n# not a comment'''\n", "/c.conf");
    CHECK(c.runtime == "# not a comment");
}
