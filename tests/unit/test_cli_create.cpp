// run/create flags -> engine::CreateOptions (src/commands/create_flags.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "base/error.hpp"
#include "src/commands/create_flags.hpp"

using namespace burrow;
using burrow::commands::create_flags;
using burrow::commands::create_options;
using burrow::commands::run_only_flags;

namespace {

engine::CreateOptions opts(const std::vector<std::string>& argv) {
    auto specs = create_flags();
    for (auto& f : run_only_flags()) specs.push_back(f);
    specs.push_back({"help", 'h', cli::FlagType::Bool, "false", "", false, ""});
    auto r = cli::parse_flags(specs, argv, false);
    return create_options(r.flags, r.args);
}

std::string error_of(const std::vector<std::string>& argv) {
    try {
        opts(argv);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("create options: image, command and the unset optionals") {
    auto o = opts({"-e", "A=1", "alpine", "ls", "-l"});
    CHECK(o.image == "alpine");
    CHECK(o.command == std::vector<std::string>{"ls", "-l"});
    CHECK(o.env == std::vector<std::string>{"A=1"});
    CHECK_FALSE(o.entrypoint);
    CHECK_FALSE(o.workdir);
    CHECK_FALSE(o.user);
    CHECK_FALSE(o.stop_timeout);
    CHECK(o.log_driver == "k8s-file");
    CHECK(o.http_proxy);
    CHECK(o.read_only_tmpfs);
    CHECK(o.sig_proxy);
    CHECK(o.pull == "missing");
}

TEST_CASE("create options: typed numbers with pflag's errors") {
    auto o = opts({"--stop-timeout", "5", "--cpus", "1.5", "--pids-limit", "-1", "--timeout", "10", "x"});
    CHECK(*o.stop_timeout == 5);
    CHECK(*o.cpus == 1.5);
    CHECK(*o.pids_limit == -1);
    CHECK(o.timeout == 10);
    CHECK(error_of({"--timeout", "ten", "x"}) ==
          "invalid argument \"ten\" for \"--timeout\" flag: strconv.ParseUint: parsing \"ten\": invalid syntax");
    CHECK(error_of({"--cpu-quota", "q", "x"}) ==
          "invalid argument \"q\" for \"--cpu-quota\" flag: strconv.ParseInt: parsing \"q\": invalid syntax");
}

TEST_CASE("create options: the last --tz and --log-driver win, lists keep every value") {
    auto o = opts({"--tz=US/Eastern", "--tz=MST7MDT", "--log-driver=none", "--log-driver", "journald",
                   "--log-opt", "max-size=1m", "--log-opt", "tag=x", "--hostuser", "a", "--hostuser", "b", "img"});
    CHECK(o.timezone == "MST7MDT");
    CHECK(o.log_driver == "journald");
    CHECK(o.log_opts == std::vector<std::string>{"max-size=1m", "tag=x"});
    CHECK(o.hostusers == std::vector<std::string>{"a", "b"});
}

TEST_CASE("create options: every cgroup limit flag is collected for the one warning") {
    auto o = opts({"--cpu-shares", "2", "--memory-swap", "1g", "--blkio-weight", "100", "--device-read-bps", "/dev/sda:1mb", "i"});
    std::set<std::string> got(o.other_limits.begin(), o.other_limits.end());
    CHECK(got == std::set<std::string>{"cpu-shares", "memory-swap", "blkio-weight", "device-read-bps"});
    CHECK(opts({"--memory=0", "i"}).memory == std::optional<std::string>("0"));
}

TEST_CASE("create options: what burrow cannot do is refused in one line") {
    CHECK(error_of({"--userns", "keep-id", "--uidmap", "0:1:1", "i"}) ==
          "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive");
    CHECK(error_of({"--ip", "10.0.0.2", "i"}) == "networks and static ip/mac address can only be used with Bridge mode networking");
    CHECK(error_of({"--sdnotify", "x", "i"}) == "invalid sdnotify value \"x\": must be container, conmon or ignore");
    CHECK(error_of({"--init-ctr", "once", "i"}) == "must specify pod value with init-ctr");
    CHECK(error_of({"--health-cmd", "true", "i"}) == "--health-cmd is not supported: burrow has no healthchecks");
}

TEST_CASE("run/create flag table: Podman 4.3's flags, each once") {
    auto specs = create_flags();
    std::set<std::string> names;
    for (const auto& f : specs) CHECK(names.insert(f.name).second);
    for (const char* n : {"attach", "conmon-pidfile", "http-proxy", "hostuser", "kernel-memory", "log-driver", "log-opt",
                          "pod", "timeout", "tz", "unsetenv", "unsetenv-all", "env-merge", "umask", "pidfile",
                          "cpu-period", "memory-swappiness", "device-read-bps", "gpus", "disable-content-trust"})
        CHECK(names.count(n) == 1);
    auto run = run_only_flags();
    CHECK(std::any_of(run.begin(), run.end(), [](const cli::FlagSpec& f) { return f.name == "rmi"; }));
    CHECK(std::any_of(run.begin(), run.end(), [](const cli::FlagSpec& f) { return f.name == "preserve-fds"; }));
}
