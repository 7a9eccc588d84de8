"""containers.conf: the user's file (~/.config/containers/containers.conf and its .d), the
system's, CONTAINERS_CONF (replaces them) and CONTAINERS_CONF_OVERRIDE (read last) give the
defaults of run/create and what `info` reports; a bad file fails every command with one line."""
import json
import os
import subprocess

import pytest

from conftest import run_rm as run


def user_conf(env, text, name="containers.conf"):
    path = os.path.join(env.config, "containers", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def env_of(res):
    return dict(line.split("=", 1) for line in res.out.splitlines() if "=" in line)


@pytest.mark.solo
def test_env_from_containers_conf_is_the_lowest_layer(env, bb):
    user_conf(env, '[containers]\nenv = ["FROM_CONF=1", "OVERRIDDEN=conf", "PATH=/conf/bin:/bin"]\n')
    got = env_of(run(env, "-e", "OVERRIDDEN=flag", bb, "env"))
    assert got["FROM_CONF"] == "1"
    assert got["OVERRIDDEN"] == "flag"
    # the image's value wins over the file's
    image_env = dict(e.split("=", 1) for e in env.inspect(bb)["Config"].get("Env") or [])
    assert got["PATH"] == image_env.get("PATH", "/conf/bin:/bin")


@pytest.mark.solo
def test_default_env_has_term_as_podman(env, bb):
    got = env_of(run(env, bb, "env"))
    assert got["TERM"] == "xterm"
    assert got["container"] == "podman"


@pytest.mark.solo
def test_default_ulimits_unless_the_flag_names_them(env, bb):
    user_conf(env, '[containers]\ndefault_ulimits = ["nofile=200:300"]\n')
    assert run(env, bb, "sh", "-c", "ulimit -n; ulimit -Hn").out == "200\n300\n"
    assert run(env, "--ulimit", "nofile=100:150", bb, "sh", "-c", "ulimit -n; ulimit -Hn").out == "100\n150\n"


@pytest.mark.solo
def test_drop_in_dir_and_the_two_variables(env, tmp_path):
    user_conf(env, '[engine]\nruntime = "from-user"\n')
    user_conf(env, '[engine]\nruntime = "from-dropin"\n', name="containers.conf.d/50-x.conf")

    def runtime(extra=None):
        return json.loads(env.run("info", "--format", "json", env=extra).out)["host"]["ociRuntime"]["name"]

    assert runtime() == "from-dropin"
    only = tmp_path / "only.conf"
    only.write_text('[engine]\nruntime = "only"\n')
    assert runtime({"CONTAINERS_CONF": str(only)}) == "only"
    over = tmp_path / "over.conf"
    over.write_text('[engine]\nruntime = "over"\n')
    assert runtime({"CONTAINERS_CONF_OVERRIDE": str(over)}) == "over"
    assert runtime({"CONTAINERS_CONF": str(only), "CONTAINERS_CONF_OVERRIDE": str(over)}) == "over"


@pytest.mark.solo
def test_info_reports_runtime_event_logger_and_log_driver(env):
    # what run-podman-bats writes into the test HOME
    user_conf(env, '# written by run-podman-bats\n[engine]\nruntime = "sh"\nevents_logger = "file"\n'
                   '[containers]\nlog_driver = "k8s-file"\n')
    host = json.loads(env.run("info", "--format", "json").out)["host"]
    assert host["ociRuntime"]["name"] == "sh"
    assert host["ociRuntime"]["path"] in ("/usr/bin/sh", "/bin/sh")
    assert host["eventLogger"] == "file"
    assert host["logDriver"] == "k8s-file"
    user_conf(env, '[engine]\nevents_logger = "none"\n[containers]\nlog_driver = "journald"\n')
    host = json.loads(env.run("info", "--format", "json").out)["host"]
    assert (host["eventLogger"], host["logDriver"]) == ("none", "journald")
    assert host["ociRuntime"]["name"] == "burrow"


@pytest.mark.solo
@pytest.mark.parametrize("text,message", [
    ('[containers]\numask = "0999"\n', 'validating containers config: not a valid umask 0999 (containers.umask in "{path}")'),
    ('[containers]\npids_limit = "lots"\n',
     'reading system config "{path}": decode configuration {path}: toml: line 2 (last key "containers.pids_limit"): '
     'incompatible types: TOML value has type string; destination has type integer'),
    ('[containers]\ndefault_ulimits = ["nofile=9:3"]\n',
     'validating containers config: unrecognized ulimit nofile=9:3: ulimit soft limit must be less than or equal to '
     'hard limit: 9 > 3 (containers.default_ulimits in "{path}")'),
    ('[containers]\ntz = "Nowhere/Atlantis"\n',
     'validating containers config: find timezone Nowhere/Atlantis in paths: /usr/share/zoneinfo, /etc/zoneinfo '
     '(containers.tz in "{path}")'),
    ('[engine]\nevents_logger = "kafka"\n',
     'validating engine config: "kafka" is not a valid events backend: invalid argument (engine.events_logger in "{path}")'),
])
def test_a_bad_file_fails_every_command_with_one_line(env, text, message):
    path = user_conf(env, text)
    for cmd in (["ps"], ["info"], ["images"]):
        res = env.run(*cmd, check=False)
        assert res.rc == 1, res.err
        assert res.err == "Error: Failed to obtain podman configuration: " + message.format(path=path) + "\n"


@pytest.mark.solo
def test_a_missing_containers_conf_variable_file(env, tmp_path):
    res = env.run("ps", check=False, env={"CONTAINERS_CONF": str(tmp_path / "nope.conf")})
    assert res.rc == 1
    assert res.err == ("Error: Failed to obtain podman configuration: finding config on system: CONTAINERS_CONF file: "
                       f"stat {tmp_path}/nope.conf: no such file or directory\n")


@pytest.mark.solo
def test_umask_from_containers_conf(env, bb):
    assert run(env, bb, "sh", "-c", "umask").out == "0022\n"
    user_conf(env, '[containers]\numask = "0077"\n')
    assert run(env, bb, "sh", "-c", "umask; touch /tmp/f; stat -c %a /tmp/f").out == "0077\n600\n"
    env.run("create", "--name", "um", bb, "true")
    assert env.run("inspect", "--format", "{{.Config.Umask}}", "um").out == "0077\n"


@pytest.mark.solo
def test_tz_from_containers_conf(env, bb):
    if not os.path.exists("/usr/share/zoneinfo/Asia/Tokyo"):
        pytest.skip("no tzdata on this host")
    user_conf(env, '[containers]\ntz = "Asia/Tokyo"\n')
    assert run(env, bb, "date", "-d", "@1600000000", "+%H:%M %Z").out == "21:26 JST\n"
    env.run("create", "--name", "tz", bb, "true")
    assert env.run("inspect", "--format", "{{.Config.Timezone}}", "tz").out == "Asia/Tokyo\n"
    user_conf(env, '[containers]\ntz = "local"\n')
    host = subprocess.run(["date", "-d", "@1600000000", "+%H:%M %Z"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"}, check=True).stdout
    # the host's /etc/localtime, not $TZ
    assert run(env, bb, "date", "-d", "@1600000000", "+%H:%M %Z", env={"TZ": "Pacific/Chatham"}).out == host
