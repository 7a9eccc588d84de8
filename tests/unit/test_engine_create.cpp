// Pure helpers of src/engine/create_checks.cpp: go-units sizes, --env-merge, --unsetenv.
#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/engine/create_spec.hpp"

using namespace burrow;
using namespace burrow::engine;

TEST_CASE("parse_human_size is go-units FromHumanSize (decimal)") {
    CHECK(parse_human_size("1.234m") == 1234000);
    CHECK(parse_human_size("10k") == 10000);
    CHECK(parse_human_size("1KiB") == 1000);
    CHECK(parse_human_size("512") == 512);
    CHECK(parse_human_size("2 GB") == 2000000000);
    CHECK_THROWS_WITH(parse_human_size("big"), "invalid size: 'big'");
    CHECK_THROWS_WITH(parse_human_size("1x"), "invalid size: '1x'");
    CHECK(human_size(1234000, 4, "") == "1.234MB");
}

TEST_CASE("expand_env takes $V and ${V} from the image's variables") {
    EnvList env = {{"PATH", "/usr/bin"}, {"A", "x"}};
    CHECK(expand_env("PATH=/opt:${PATH}", env) == "PATH=/opt:/usr/bin");
    CHECK(expand_env("B=$A-$A", env) == "B=x-x");
    CHECK(expand_env("C=$NONE.", env) == "C=.");
    CHECK(expand_env("D=$", env) == "D=$");
}

TEST_CASE("drop_unset_env keeps what the user set") {
    EnvList env = {{"PATH", "/bin"}, {"container", "podman"}, {"MINE", "1"}};
    EnvList user = {{"MINE", "1"}};
    CreateOptions o;
    o.unsetenv = {"PATH"};
    EnvList a = env;
    drop_unset_env(a, user, o);
    CHECK(a == EnvList{{"container", "podman"}, {"MINE", "1"}});
    o.unsetenv.clear();
    o.unsetenv_all = true;
    EnvList b = env;
    drop_unset_env(b, user, o);
    CHECK(b == EnvList{{"MINE", "1"}});
}

TEST_CASE("recorded options: log drivers, --tz, --umask, namespaces") {
    storage::ContainerConfig c;
    CreateOptions o;
    o.log_driver = "json-file";
    o.log_opts = {"max-size=2k", "tag=t", "path=/tmp/x.log"};
    o.umask = "0077";
    o.uts = "host";
    apply_recorded_options(c, o);
    CHECK(c.log_driver == "json-file");
    CHECK(c.log_size_max == 2000);
    CHECK(c.log_tag == "t");
    CHECK(c.log_path == "/tmp/x.log");
    CHECK(c.umask == "0077");
    CHECK(c.uts == "host");
    CHECK(c.ipc.empty());
    o.log_driver = "syslog";
    CHECK_THROWS_WITH(apply_recorded_options(c, o), "running container create option: invalid log driver: invalid argument");
    o.log_driver = "";
    o.timezone = "No/Such_Zone";
    CHECK_THROWS_WITH(apply_recorded_options(c, o), "running container create option: finding timezone: unknown time zone No/Such_Zone");
    o.timezone = "local";
    o.pid = "host";
    CHECK_THROWS_WITH(apply_recorded_options(c, o), "--pid host is not supported by burrow");
    o.pid = "";
    o.umask = "8";
    CHECK_THROWS_WITH(apply_recorded_options(c, o), "invalid umask string 8: invalid argument");
}
