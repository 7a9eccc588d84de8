"""run/create flags of Podman 4.3 that burrow added for issue 9: each one works as Podman's, or
warns or fails with Podman's text where the feature cannot apply here (rootless, cgroups v1, no
pods, no secrets). Expected texts come from Podman 4.3.1's source (cmd/podman/common/create.go,
cmd/podman/containers/run.go, pkg/specgen, libpod)."""
import json
import os
import subprocess

import pytest

from conftest import assert_error, assert_store_unchanged, containers_dir, run_rm as run, store_snapshot, wait_for


def inspect(env, ref):
    return json.loads(env.run("inspect", ref).out)[0]


def cgroup_v2():
    return subprocess.run(["stat", "-fc", "%T", "/sys/fs/cgroup"], stdout=subprocess.PIPE,
                          text=True).stdout.strip() == "cgroup2fs"


LIMITS_WARNING_V1 = "Resource limits are not supported and ignored on cgroups V1 rootless systems"


# --- logging --------------------------------------------------------------------------------------

@pytest.mark.solo
@pytest.mark.parametrize("driver,has_file", [("k8s-file", True), ("json-file", True), ("none", False),
                                             ("journald", False)])
def test_log_driver_is_recorded_and_followed(env, bb, driver, has_file):
    res = env.run("run", "--name", "c", "--log-driver", driver, bb, "echo", "hello")
    assert res.out == "hello\n"
    log = inspect(env, "c")["HostConfig"]["LogConfig"]
    assert log["Type"] == driver
    if has_file:
        assert log["Path"].startswith("/") and os.path.exists(log["Path"])
        assert env.run("logs", "c").out == "hello\n"
    else:
        assert log["Path"] == ""
        assert_error(env.run("logs", "c", check=False),
                     f"this container is using the '{driver}' log driver, cannot read logs: "
                     "this container is not logging output")
    env.run("rm", "c")


@pytest.mark.solo
def test_log_opt_size_tag_and_path(env, bb, tmp_path):
    path = tmp_path / "my.log"
    cid = env.run("run", "-d", "--log-opt", "max-size=1.234m", "--log-opt", "tag=mine",
                  "--log-opt", f"path={path}", bb, "echo", "logged").out.strip()
    assert wait_for(lambda: env.run("inspect", "--format", "{{.State.Status}}", cid).out.strip() == "exited")
    log = inspect(env, cid)["HostConfig"]["LogConfig"]
    assert log["Size"] == "1.234MB" and log["Tag"] == "mine" and log["Path"] == str(path)
    assert path.read_text().endswith(" stdout F logged\n")
    assert env.run("logs", cid).out == "logged\n"
    # the default: no limit
    cid = env.run("create", bb, "true").out.strip()
    assert inspect(env, cid)["HostConfig"]["LogConfig"]["Size"] == "0B"


# --- warnings of features that do not apply ------------------------------------------------------

@pytest.mark.solo
def test_kernel_memory_warns_and_is_a_noop(env, bb):
    res = run(env, "--kernel-memory", "100", bb, "echo", "ran")
    assert res.out == "ran\n"
    assert "The --kernel-memory flag is no longer supported. This flag is a noop." in res.err


@pytest.mark.solo
@pytest.mark.parametrize("flag", [["--memory=0"], ["--cpu-shares", "100"], ["--memory-swap", "1g"],
                                  ["--blkio-weight", "100"], ["--cpuset-cpus", "0"]])
def test_any_cgroup_limit_gets_the_one_warning(env, bb, flag):
    if cgroup_v2():
        pytest.skip("the cgroups v1 warning")
    res = run(env, *flag, bb, "echo", "hello")
    assert res.err.splitlines() == [LIMITS_WARNING_V1] and res.out == "hello\n"


# --- run's own flags ------------------------------------------------------------------------------

@pytest.mark.solo
def test_attach_stdin_only_prints_the_id(env, bb):
    res = env.run("run", "--name", "att", "--attach", "stdin", bb, "echo", "hello")
    assert res.out.strip() == inspect(env, "att")["Id"]
    assert env.run("logs", "att").out == "hello\n"
    res = env.run("run", "--rm", "-a", "stderr", bb, "sh", "-c", "echo out; echo err >&2")
    assert res.out == "" and res.err == "err\n"
    assert_error(env.run("run", "--rm", "-a", "bogus", bb, "true", check=False),
                 'invalid stream "bogus" for --attach - must be one of stdin, stdout, or stderr: invalid argument')


@pytest.mark.solo
def test_preserve_fds_passes_the_callers_descriptors(env, bb, tmp_path):
    data = tmp_path / "data"
    data.write_text("from fd 4\n")
    # A shell opens fds 3 and 4 for burrow: pytest's own low descriptors are left alone.
    opener = ["sh", "-c", 'exec 3<"$0" 4<"$0"; exec "$@"', str(data)]
    p = subprocess.run(opener + env.cmd("run", "--rm", "--preserve-fds", "2", bb, "sh", "-c", "cat <&4"),
                       env=env.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.returncode == 0 and p.stdout == "from fd 4\n", p.stderr
    p = subprocess.run(env.cmd("run", "--rm", "--preserve-fds", "40", bb, "true"), env=env.environ,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.returncode == 125
    assert "the preserve-fds option requires that file descriptors must be passed" in p.stderr


@pytest.mark.solo
def test_rmi_removes_the_image_unless_in_use(env, bb):
    env.run("create", "--name", "keep", bb, "true")
    run(env, "--rmi", bb, "true")
    assert env.run("images", "-q").out.strip() != ""
    env.run("rm", "keep")
    run(env, "--rmi", bb, "true")
    assert env.run("images", "-q").out.strip() == ""


@pytest.mark.solo
def test_pidfiles(env, bb, tmp_path):
    pidfile, conmon = tmp_path / "pid", tmp_path / "conmon"
    cid = env.run("run", "-d", "--pidfile", str(pidfile), "--conmon-pidfile", str(conmon), bb,
                  "sleep", "60").out.strip()
    c = inspect(env, cid)
    assert int(pidfile.read_text()) == c["State"]["Pid"]
    assert int(conmon.read_text()) == c["State"]["ConmonPid"]
    assert c["ConmonPidFile"] == str(conmon) and c["PidFile"] == str(pidfile)
    env.run("rm", "-f", "-t", "0", cid)


# --- the environment ------------------------------------------------------------------------------

@pytest.mark.solo
def test_http_proxy_unsetenv_and_env_merge(env, bb):
    proxy = {"http_proxy": "http://proxy.invalid:3128", "NO_PROXY": "localhost"}
    out = run(env, bb, "env", env=proxy).out.splitlines()
    assert "http_proxy=http://proxy.invalid:3128" in out and "NO_PROXY=localhost" in out
    out = run(env, "--http-proxy=false", bb, "env", env=proxy).out.splitlines()
    assert not any(l.startswith("http_proxy=") for l in out)
    out = run(env, "--unsetenv", "PATH", "--unsetenv", "container", bb, "/bin/env").out.splitlines()
    assert not any(l.startswith(("PATH=", "container=")) for l in out)
    out = run(env, "--unsetenv-all", "-e", "MINE=1", bb, "/bin/env").out.splitlines()
    assert "MINE=1" in out and not any(l.startswith(("PATH=", "container=")) for l in out)
    out = run(env, "--env-merge", "PATH=/opt/x:${PATH}", bb, "env").out.splitlines()
    path = [l for l in out if l.startswith("PATH=")]
    assert path and path[0].startswith("PATH=/opt/x:/") and path[0] != "PATH=/opt/x:"


# --- time zone, timeout, namespaces and what is recorded -----------------------------------------

@pytest.mark.solo
def test_tz(env, bb):
    if not os.path.exists("/usr/share/zoneinfo/MST7MDT"):
        pytest.skip("no zoneinfo on this host")
    out = run(env, "--tz=Iceland", "--tz=MST7MDT", bb, "date", "-d", "@1600000000", "+%H %Z").out
    assert out == "06 MDT\n"
    assert run(env, bb, "date", "-u", "-d", "@1600000000", "+%H").out == "12\n"
    cid = env.run("create", "--tz", "MST7MDT", bb, "true").out.strip()
    assert inspect(env, cid)["Config"]["Timezone"] == "MST7MDT"


@pytest.mark.solo
def test_recorded_options_show_in_inspect(env, bb):
    cid = env.run("create", "--timeout", "30", "--umask", "0077", "--hostuser", "nobody", "--passwd=false",
                  bb, "true").out.strip()
    c = inspect(env, cid)["Config"]
    assert c["Timeout"] == 30 and c["Umask"] == "0077" and c["Passwd"] is False
    # argv as typed, the harness's --root/--runroot included
    assert c["CreateCommand"][-10:] == ["create", "--timeout", "30", "--umask", "0077", "--hostuser", "nobody",
                                      "--passwd=false", bb, "true"]


@pytest.mark.solo
def test_uts_and_ipc_host(env, bb):
    host = os.uname().nodename
    assert run(env, "--uts", "host", bb, "hostname").out.strip() == host
    mine = os.readlink("/proc/self/ns/ipc")
    assert run(env, "--ipc", "host", bb, "readlink", "/proc/self/ns/ipc").out.strip() == mine
    assert run(env, bb, "readlink", "/proc/self/ns/ipc").out.strip() != mine


@pytest.mark.solo
def test_image_name_is_the_name_given(env, bb):
    env.run("tag", bb, "localhost/some/other")
    cid = env.run("create", "localhost/some/other", "true").out.strip()
    assert inspect(env, cid)["ImageName"] == "localhost/some/other:latest"


# --- refusals: one line, Podman's code, nothing left behind ----------------------------------------

BAD = [
    (["--log-driver", "bogus"], "running container create option: invalid log driver: invalid argument"),
    (["--log-opt", "max-size"], 'invalid log option "max-size"'),
    (["--log-opt", "max-size=big"], "invalid size: 'big'"),
    (["--tz", "Nowhere/Atall"], "running container create option: finding timezone: unknown time zone Nowhere/Atall"),
    (["--umask", "999"], "invalid umask string 999: invalid argument"),
    (["--timeout", "-1"], 'invalid argument "-1" for "--timeout" flag: strconv.ParseUint: parsing "-1": invalid syntax'),
    (["--pod", "nopod"], "no pod with name or ID nopod found: no such pod"),
    (["--secret", "mysecret"], 'no secret with name or id "mysecret": no such secret'),
    (["--requires", "nosuch"], 'no container with name or ID "nosuch" found: no such container'),
    (["--sdnotify", "bogus"], 'invalid sdnotify value "bogus": must be container, conmon or ignore'),
    (["--userns", "keep-id", "--uidmap", "0:1:1"], "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive"),
    (["--ip", "10.0.2.50"], "networks and static ip/mac address can only be used with Bridge mode networking"),
    (["--pid", "host"], "--pid host is not supported by burrow"),
    (["--uts", "bogus"], "unrecognized namespace mode bogus passed"),
    (["--cpu-shares", "x"], 'invalid argument "x" for "--cpu-shares" flag: strconv.ParseUint: parsing "x": invalid syntax'),
    (["--health-cmd", "true"], "--health-cmd is not supported: burrow has no healthchecks"),
]


@pytest.mark.solo
@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_flag_is_one_line_and_leaves_nothing(env, bb, args, message):
    before = store_snapshot(env.root)
    res = env.run("run", "--rm", "-v", "/anon", *args, bb, "true", check=False)
    assert assert_error(res) == "Error: " + message
    assert containers_dir(env) == []
    assert_store_unchanged(before, env.root)


def test_help_lists_the_new_flags(env):
    out = env.run("run", "--help").out
    for flag in ["--attach", "--conmon-pidfile", "--http-proxy", "--hostuser", "--kernel-memory", "--log-opt",
                 "--pod", "--preserve-fds", "--rmi", "--timeout", "--tz", "--unsetenv", "--blkio-weight"]:
        assert flag in out, flag
    out = env.run("create", "--help").out
    assert "--tz" in out and "--rmi" not in out and "--preserve-fds" not in out
