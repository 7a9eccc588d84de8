// What a container finds inside (src/engine/container_files.cpp), run's start-failure exit codes
// (src/engine/run_exit.hpp) and base/child_call: pure planners and the child's error transport.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "base/child_call.hpp"
#include "base/error.hpp"
#include "src/engine/container_files.hpp"
#include "src/engine/run_exit.hpp"

using namespace burrow;
using namespace burrow::engine;

namespace {

const char* kPasswd = "root:x:0:0:root:/root:/bin/sh\nping:x:999:999::/:/sbin/nologin\npodman:x:1000:1000::/home/podman:/bin/sh\n";
const char* kGroup = "root:x:0:\nping:x:999:\npodman:x:1000:\n";

HostAccount alice() { return HostAccount{"alice", 4242, 4343, "Alice A", "/home/alice"}; }

}  // namespace

TEST_CASE(".containerenv is empty unless privileged, then Podman's keys in %q") {
    ContainerEnvInput in;
    in.engine = "burrow-0.1.0";
    in.name = "web";
    in.id = std::string(64, 'a');
    in.image = "localhost/img:latest";
    in.image_id = std::string(64, 'b');
    CHECK(containerenv_content(in).empty());
    in.privileged = true;
    CHECK(containerenv_content(in) == "engine=\"burrow-0.1.0\"\nname=\"web\"\nid=\"" + std::string(64, 'a') +
                                          "\"\nimage=\"localhost/img:latest\"\nimageid=\"" + std::string(64, 'b') +
                                          "\"\nrootless=1\n");
    in.name = "a\"b\\c";
    in.rootless = false;
    auto text = containerenv_content(in);
    CHECK(text.find("name=\"a\\\"b\\\\c\"\n") != std::string::npos);
    CHECK(text.find("rootless=0\n") != std::string::npos);
}

TEST_CASE("keep-id adds the current user and group unless the image has them") {
    PasswdInput in;
    in.passwd = kPasswd;
    in.group = kGroup;
    in.current_user = alice();
    in.current_group = HostGroup{"alice", 4343};
    in.user = "4242:4343";
    in.workdir = "/home/podman";
    auto plan = plan_passwd(in);
    CHECK(plan.passwd_lines == "alice:*:4242:4343:Alice A:/home/podman:/bin/sh\n");
    CHECK(plan.group_lines == "alice:x:4343:alice\n");
    REQUIRE(plan.home);
    CHECK(*plan.home == "/home/podman");

    // the home mounted in (or a parent of it) is the entry's home
    in.mount_destinations = {"/home/alice"};
    plan = plan_passwd(in);
    CHECK(plan.passwd_lines == "alice:*:4242:4343:Alice A:/home/alice:/bin/sh\n");
    CHECK(*plan.home == "/home/alice");
    in.mount_destinations = {"/home/xalice"};
    CHECK(*plan_passwd(in).home == "/home/podman");

    // an image that knows the name or the uid gets nothing added
    in.passwd = std::string(kPasswd) + "alice:x:5000:5000::/:/bin/sh\n";
    CHECK(plan_passwd(in).passwd_lines.empty());
    in.passwd = std::string(kPasswd) + "someone:x:4242:5000::/:/bin/sh\n";
    CHECK(plan_passwd(in).passwd_lines.empty());
    in.group = std::string(kGroup) + "staff:x:4343:\n";
    CHECK(plan_passwd(in).group_lines.empty());

    // HOME already in the environment stays
    in.passwd = kPasswd;
    in.env_has_home = true;
    CHECK(!plan_passwd(in).home);
}

TEST_CASE("a numeric --user unknown to the image gets a container user line; --hostuser its account") {
    PasswdInput in;
    in.passwd = kPasswd;
    in.group = kGroup;
    in.user = "100";
    auto plan = plan_passwd(in);
    CHECK(plan.passwd_lines == "100:*:100:0:container user:/:/bin/sh\n");
    CHECK(plan.group_lines == "100:x:100:100\n");
    in.user = "100:ping";
    CHECK(plan_passwd(in).passwd_lines == "100:*:100:999:container user:/:/bin/sh\n");
    in.user = "100:nogroup";
    CHECK_THROWS_WITH(plan_passwd(in), "unable to get gid nogroup from group file: no matching entries in group file");
    in.user = "1000";  // podman is in the image
    CHECK(plan_passwd(in).passwd_lines.empty());
    in.user = "podman";
    CHECK(plan_passwd(in).passwd_lines.empty());

    in.user.clear();
    in.host_users = {alice()};
    CHECK(plan_passwd(in).passwd_lines == "alice:*:4242:4343:Alice A:/:/bin/sh\n");
    in.entry_template = "$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/false";
    CHECK(plan_passwd(in).passwd_lines == "alice:x:4242:4343:Alice A:/:/bin/false\n");
}

TEST_CASE("process_env fills TERM with a tty and HOME when unset, never PATH") {
    auto env = process_env({"A=1"}, true, "/home/x");
    CHECK(env == std::vector<std::string>{"A=1", "TERM=xterm", "HOME=/home/x"});
    env = process_env({"PATH=/bin", "TERM=dumb", "HOME=/root"}, true, "/home/x");
    CHECK(env == std::vector<std::string>{"PATH=/bin", "TERM=dumb", "HOME=/root"});
    CHECK(process_env({"PATH=/bin"}, false, "") == std::vector<std::string>{"PATH=/bin", "HOME=/"});
}

TEST_CASE("exec_env: container env, TERM with -t, env files, then -e; bare keys from the caller") {
    auto lookup = [](const std::string& k) -> std::optional<std::string> {
        if (k == "FROM_HOST") return std::string("h");
        return std::nullopt;
    };
    auto env = exec_env({"PATH=/bin", "A=1", "TERM=dumb"}, true, {"B=2", "A=file"}, {"A=flag", "FROM_HOST", "MISSING"}, lookup);
    CHECK(env == std::vector<std::string>{"PATH=/bin", "A=flag", "TERM=xterm", "B=2", "FROM_HOST=h"});
}

TEST_CASE("run's exit code for a start failure follows Podman's text rule") {
    CHECK(run_start_exit_code("unable to start container process: exec: \"/no/such\": stat /no/such: no such file or directory") == 127);
    CHECK(run_start_exit_code("executable file not found in $PATH") == 127);
    CHECK(run_start_exit_code("exec: \"/etc\": permission denied: OCI permission denied") == 126);
    CHECK(run_start_exit_code("workdir \"/x\" does not exist on container abc") == 126);
    CHECK(run_start_exit_code("user: unknown user bogus") == 126);
    CHECK(run_start_exit_code("listen tcp 0.0.0.0:80: bind: address already in use") == 126);
}

TEST_CASE("child errors travel with their exit code") {
    int code = 0;
    std::string msg;
    CHECK(decode_child_error(encode_child_error(126, "no such user"), code, msg));
    CHECK(code == 126);
    CHECK(msg == "no such user");
    CHECK_FALSE(decode_child_error("ab", code, msg));

    CHECK(call_in_child([] { return 7; }) == 7);
    try {
        call_in_child([]() -> int { throw Error("workdir \"/x\" does not exist", 126); });
        FAIL("no error came back");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "workdir \"/x\" does not exist");
        CHECK(e.exit_code() == 126);
    }
    CHECK(call_in_child([]() -> int { ::_exit(3); }) == 3);  // an exit without a report is its code
}
