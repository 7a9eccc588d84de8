"""The command line's surface as Podman 4.3.1 shows it: global flags, --log-level and logrus's
lines, the program name from argv[0], remote flags without a service, version, info, system df."""
import json
import os
import re

import pytest

from conftest import BURROW_BIN, assert_error

LOG_LINE = re.compile(r'^time="[0-9T:+Z-]+" level=(\w+) msg=')


def levels(err):
    return {m.group(1) for m in map(LOG_LINE.match, err.splitlines()) if m}


def test_log_level_errors_and_lines(env):
    res = env.run("--log-level=telepathic", "info", check=False)
    assert res.rc == 1
    assert res.err == ('Log Level "telepathic" is not supported, choose from: trace, debug, info, warn, warning, '
                       'error, fatal, panic\n')
    res = env.run("--debug", "--log-level=panic", "info", check=False)
    assert (res.rc, res.err) == (1, "Setting --log-level and --debug is not allowed\n")
    assert {"trace", "debug", "info"} <= levels(env.run("--log-level=trace", "info").err)
    assert levels(env.run("--log-level=debug", "info").err) == {"debug", "info"}
    assert levels(env.run("--log-level=info", "info").err) == {"info"}
    assert levels(env.run("-D", "info").err) == {"debug", "info"}
    for quiet in ("warn", "WARNING", "error"):
        assert env.run(f"--log-level={quiet}", "info").err == ""
    res = env.run("--log-level=info", "version")
    assert f'msg="{BURROW_BIN} filtering at log level info"' in res.err


def test_config_flag_warns(env):
    res = env.run("--config", "foobar", "version")
    assert re.search(r'level=warning msg="The --config flag is ignored by Podman. Exists for Docker compatibility"',
                     res.err), res.err


def test_program_name_from_argv0(env, tmp_path):
    link = tmp_path / "podman"
    link.symlink_to(BURROW_BIN)
    env_vars = dict(env.environ)
    res = __import__("subprocess").run([str(link), "run", "-h"], env=env_vars, capture_output=True, text=True)
    assert (res.returncode, res.stderr) == (125, "Error: flag needs an argument: 'h' in -h\nSee 'podman run --help'\n")
    res = __import__("subprocess").run([str(link), "-v"], env=env_vars, capture_output=True, text=True)
    assert res.stdout == "podman version 4.3.1\n"
    res = env.run("bad", "--invalid", check=False)
    assert (res.rc, res.err) == (125, "Error: unknown flag: --invalid\nSee 'burrow --help'\n")
    res = env.run("bad", check=False)
    assert res.err == "Error: unrecognized command `burrow bad`\nTry 'burrow --help' for more information\n"


def test_noout_keeps_stderr(env):
    assert env.run("--noout", "version").out == ""
    assert env.run("--noout", "--help").out != ""  # help is not a command's output
    res = env.run("version", "--noout", check=False)
    assert res.rc == 125 and "unknown flag: --noout" in res.err


def test_remote_without_a_service(env, tmp_path):
    sock = tmp_path / "none.sock"
    res = env.run("--url", f"unix:{sock}", "ps", check=False)
    assert res.rc == 125
    lines = res.err.splitlines()
    assert lines[0].startswith("Cannot connect to Podman.")
    assert lines[1] == (f'Error: unable to connect to Podman socket: Get "http://d/v4.3.1/libpod/_ping": '
                        f'dial unix //{sock}: connect: no such file or directory')
    res = env.run("--url", "tcp://127.0.0.1:1", "ps", check=False)
    assert res.rc == 125 and res.err.splitlines()[1].endswith("dial tcp 127.0.0.1:1: connect: connection refused")
    assert_error(env.run("--connection", "foo", "ps", check=False),
                 'failed to resolve active destination: "foo" service destination not found')
    assert_error(env.run("ps", check=False, env={"CONTAINER_HOST": "foobar"}),
                 'unable to create connection. "" is not a supported schema')
    res = env.run("--remote", check=False)
    assert res.rc == 125 and "Usage:" in res.out
    assert " --remote " in env.run("--help").out
    for extra, e in ((["--url", "foobar"], None), ([], {"CONTAINER_HOST": "foobar"}), ([], {"CONTAINER_CONNECTION": "x"})):
        assert " --remote " not in env.run(*extra, "--help", env=e).out
    res = env.run("version", "--remote", check=False)
    assert res.rc == 125 and "unknown flag: --remote" in res.err


def test_engine_flag_errors(env):
    assert_error(env.run("--cgroup-manager", "foo", "info", check=False),
                 "cgroup manager must be one of cgroupfs and systemd: invalid argument")
    assert_error(env.run("--events-backend", "foo", "info", check=False), '"foo" is not a valid events backend')
    assert_error(env.run("--storage-opt", "foo", "info", check=False), "unable to parse key/value option: foo")
    assert_error(env.run("--runtime", "no-such-runtime-x", "info", check=False),
                 'default OCI runtime "no-such-runtime-x" not found: invalid argument')
    assert_error(env.run("--runtime-flag", "debug", "start", "nothing", check=False), "--runtime-flag")
    # run fails at the start, as Podman's when its runtime refuses the flag
    assert_error(env.run("--runtime-flag", "debug", "run", "--rm", "nothing", check=False), "--runtime-flag", code=126)
    for ok in (["--tmpdir", "/tmp"], ["--ssh", "native"], ["--identity", "/x"], ["--namespace", "ns"],
               ["--hooks-dir", "/x"], ["--conmon", "/x"], ["--syslog"], ["--network-config-dir", "/x"]):
        res = env.run(*ok, "version")
        assert res.out.startswith("Client:")
        if ok[0] != "--tmpdir":  # a flag burrow has nothing for is taken, with a warning
            assert f"{ok[0]} has no effect in burrow" in res.err, res.err


def test_version_fields_and_formats(env):
    out = env.run("version").out
    assert re.match(r"Client:\s+burrow \S+\nVersion:\s+4\.3\.1\nAPI Version:\s+4\.3\.1\nGo Version:\s+\S.*\n"
                    r"Built:\s+\S.*\nOS/Arch:\s+linux/\w+\n$", out), out
    data = json.loads(env.run("version", "--format", "json").out)
    assert list(data["Client"]) == ["APIVersion", "Version", "GoVersion", "GitCommit", "BuiltTime", "Built", "OsArch", "Os"]
    assert data["Client"]["Built"] > 1546300800
    assert env.run("version", "--format", "{{.Client.Version}}").out == "4.3.1\n"
    assert env.run("version", "--format", "{{.Version}} {{.Os}}").out == "4.3.1 linux\n"  # Podman's fallback
    assert env.run("version", "--format", "{{.Server}}").out == "<nil>\n"


def test_info_fields(env, tmp_path):
    vp = str(tmp_path / "vols")
    res = env.run("--volumepath", vp, "info", "--format", "{{.Store.VolumePath}}|{{.Host.OCIRuntime.Name}}|"
                  "{{.Store.GraphDriverName}}|{{.Host.BuildahVersion}}|{{.Version.APIVersion}}")
    name, drv = res.out.split("|")[1:3]
    assert res.out.split("|")[0] == vp and name and drv and res.out.endswith("|1.28.2|4.3.1\n")
    data = json.loads(env.run("info", "--format", "json").out)
    assert list(data) == ["host", "store", "registries", "plugins", "version"]
    for key in ("buildahVersion", "cgroupManager", "cgroupVersion", "conmon", "ociRuntime", "security", "slirp4netns"):
        assert key in data["host"], key
    assert data["store"]["configFile"].endswith("storage.conf")
    assert env.run("--storage-opt", "", "info", "--format", "{{.Store.GraphOptions}}").out == "map[]\n"
    text = env.run("info").out
    for want in ("buildahVersion:", "graphRoot:", "graphStatus:", "imageStore:\n    number: 0", "volumePath:"):
        assert want in text, want


def test_volumepath_holds_the_volumes(env, tmp_path):
    vp = tmp_path / "vols"
    env.run("--volumepath", str(vp), "volume", "create", "v1")
    assert (vp / "v1").is_dir()
    assert env.run("--volumepath", str(vp), "volume", "ls", "-q").out == "v1\n"
    assert env.run("volume", "ls", "-q").out == ""


def test_system_df_counts_and_verbose(env, bb):
    env.run("create", "--name", "c1", "-v", "/myvol1", bb, "true")
    env.run("create", "--name", "c2", "-v", "named:/data", bb, "true")
    env.run("volume", "create", "unused")
    out = env.run("system", "df", "--format", "{{ .Type }}:{{ .Total }}:{{ .Active }}").out.splitlines()
    assert out == ["Images:1:1", "Containers:2:0", "Local Volumes:3:2"]
    lines = [l for l in env.run("system", "df", "-v").out.splitlines() if l]
    assert lines[0] == "Images space usage:" and lines[3] == "Containers space usage:"
    assert re.match(r"\S+busybox\s+latest\s+[0-9a-f]{12}\s+.*\s2$", lines[2]), lines[2]
    assert all(re.match(r"[0-9a-f]{12}\s+[0-9a-f]{12}\s+.*\s1\s+0B\s+.*\s(created)\s+c[12]$", l) for l in lines[5:7])
    assert lines[7] == "Local Volumes space usage:"
    vols = {re.split(r"\s+", l)[0]: re.split(r"\s+", l)[1:] for l in lines[9:]}
    assert vols["named"] == ["1", "0B"] and vols["unused"] == ["0", "0B"]
    assert env.run("system", "df", "-v", "--format", "{{.Type}}").out.startswith("Images space usage:")  # as Podman


def test_runtime_given_is_recorded(env, bb, tmp_path):
    # inspect's OCIRuntime names the --runtime a container was created with, as Podman's
    runtime = tmp_path / "myruntime"
    runtime.write_text("#!/bin/sh\n")
    runtime.chmod(0o755)
    cid = env.run("--runtime", str(runtime), "create", bb, "true").out.strip()
    assert env.run("inspect", "--format", "{{.OCIRuntime}}", cid).out == f"{runtime}\n"
    env.run("rm", cid)
