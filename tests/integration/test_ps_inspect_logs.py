"""ps, inspect, logs, port, rename, top, container prune and rmi of an image in use, against real
containers of the busybox fixture. Output shapes are Podman 4.3's."""
import json
import os
import re
import time

import pytest

from conftest import assert_error, ref, wait_for

HEADER = re.compile(r"^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$")
# Every test here also runs as the user without subordinate ids.
pytestmark = pytest.mark.solo

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d (stdout|stderr) [FP] ")


def names(env, *args):
    return env.run("ps", *args, "--format", "{{.Names}}").out.split()


def trio(env, bb):
    """A created, an exited (3) and a running container, created in that order."""
    env.run("create", "--name", "made", "--label", "tier=web", bb, "echo", "hi")
    env.run("run", "--name", "ended", bb, "sh", "-c", "exit 3", check=False)
    running = env.run("run", "-d", "--name", "up", bb, "sleep", "1000").out.strip()
    return running


def test_ps_table_and_states(env, bb):
    cid = trio(env, bb)
    out = env.run("ps").out.splitlines()
    assert HEADER.match(out[0]), out
    assert len(out) == 2 and out[1].startswith(cid[:12]) and out[1].endswith(" up"), out
    assert re.search(r"  Up \d+ seconds? ago  |  Up Less than a second ago  ", out[1]), out

    rows = env.run("ps", "-a").out.splitlines()
    assert HEADER.match(rows[0])
    assert [r.split()[-1] for r in rows[1:]] == ["made", "ended", "up"]  # oldest first
    assert "  Created  " in rows[1]
    assert re.search(r"  Exited \(3\) (\d+ seconds?|Less than a second) ago  ", rows[2]), rows[2]
    assert f"{ref(env.registry, 'busybox')}:latest" in rows[1]
    assert "echo hi" in rows[1]
    # The columns line up as Go's tabwriter sets them.
    col = rows[0].index("NAMES")
    assert all(r[col:].strip() in ("made", "ended", "up") for r in rows[1:])

    ids = env.run("ps", "-aq").out.split()
    assert len(ids) == 3 and all(len(i) == 12 for i in ids) and ids[2] == cid[:12]
    full = env.run("ps", "-aq", "--no-trunc").out.split()
    assert full[2] == cid and all(re.fullmatch(r"[0-9a-f]{64}", i) for i in full)
    assert env.run("ps", "-lq").out.split() == [cid[:12]]
    assert names(env, "-n", "2") == ["ended", "up"]
    assert names(env, "-a", "--sort", "names") == ["ended", "made", "up"]
    assert env.run("ps", "-a", "--noheading").out.splitlines()[0].startswith(ids[0])


def test_ps_format_and_filters(env, bb):
    cid = trio(env, bb)
    data = json.loads(env.run("ps", "-a", "--format", "json").out)
    assert [d["Names"] for d in data] == [["made"], ["ended"], ["up"]]
    made, ended, up = data
    for key in ("AutoRemove", "Command", "Created", "CreatedAt", "Exited", "ExitedAt", "ExitCode", "Id", "Image",
                "ImageID", "IsInfra", "Labels", "Mounts", "Names", "Namespaces", "Networks", "Pid", "Pod", "PodName",
                "Ports", "Size", "StartedAt", "State", "Status"):
        assert key in made, key
    assert made["State"] == "created" and made["Status"] == "Created" and made["Command"] == ["echo", "hi"]
    assert made["Labels"]["tier"] == "web"
    assert made["StartedAt"] == -62135596800 and made["ExitedAt"] == -62135596800
    assert ended["State"] == "exited" and ended["Exited"] is True and ended["ExitCode"] == 3
    assert ended["ExitedAt"] >= ended["StartedAt"] > 0
    assert up["State"] == "running" and up["Pid"] > 0 and up["Id"] == cid
    assert abs(up["Created"] - time.time()) < 120
    assert re.fullmatch(r"[0-9a-f]{64}", up["ImageID"])

    out = env.run("ps", "-a", "--format", "{{.Names}} {{.State}} {{.ExitCode}} {{.Labels}}").out.splitlines()
    # Labels: the image's (busybox fixture) and the container's own, as Podman merges them.
    assert out[0].startswith("made Created 0 map[") and "tier:web" in out[0]
    assert out[1].startswith("ended Exited (3) ") and " 3 map[" in out[1] and "tier:web" not in out[1]
    table = env.run("ps", "-a", "--format", "table {{.ID}}\t{{.Names}}").out.splitlines()
    assert table[0].split() == ["CONTAINER", "ID", "NAMES"]

    assert names(env, "-a", "--filter", "name=^ma") == ["made"]
    assert names(env, "-a", "--filter", "name=made", "--filter", "name=up") == ["made", "up"]
    assert names(env, "--filter", "status=exited") == ["ended"]  # status implies --all
    assert names(env, "-a", "--filter", "status=created", "--filter", "status=running") == ["made", "up"]
    assert names(env, "-a", "--filter", "label=tier") == ["made"]
    assert names(env, "-a", "--filter", "label=tier=db") == []
    assert names(env, "-a", "--filter", "exited=3") == ["ended"]
    assert names(env, "-a", "--filter", f"id={cid[:5]}") == ["up"]
    assert names(env, "-a", "--filter", f"ancestor={ref(env.registry, 'busybox')}") == ["made", "ended", "up"]
    assert names(env, "-a", "--filter", "ancestor=nothere") == []
    assert names(env, "-a", "--filter", "since=made") == ["ended", "up"]
    assert names(env, "-a", "--filter", "before=up") == ["made", "ended"]
    assert_error(env.run("ps", "--filter", "bogus=1", check=False), "bogus is an invalid filter")
    assert_error(env.run("ps", "--filter", "status=bogus", check=False), "unknown container state: bogus")


def test_ps_many_containers_is_quick(env, bb):
    for i in range(20):
        env.run("create", "--name", f"c{i}", bb, "true")
    start = time.time()
    rows = env.run("ps", "-a").out.splitlines()
    assert len(rows) == 21
    assert time.time() - start < 2.0


def test_container_inspect(env, bb):
    cid = trio(env, bb)
    data = json.loads(env.run("container", "inspect", "up").out)
    assert len(data) == 1
    d = data[0]
    assert d["Id"] == cid and d["Name"] == "up"
    assert d["Path"] == "sleep" and d["Args"] == ["1000"]
    st = d["State"]
    assert st["Status"] == "running" and st["Running"] is True and st["Pid"] > 0
    assert os.path.exists(f"/proc/{st['Pid']}")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", st["StartedAt"])
    assert st["FinishedAt"] == "0001-01-01T00:00:00Z"
    assert d["Config"]["Cmd"] == ["sleep", "1000"]
    assert d["ImageName"].endswith("busybox:latest")
    assert re.fullmatch(r"[0-9a-f]{64}", d["Image"])
    assert d["GraphDriver"]["Data"]["UpperDir"].startswith(env.root)
    for key in ("ResolvConfPath", "HostnamePath", "HostsPath", "Mounts", "NetworkSettings", "HostConfig",
                "EffectiveCaps", "BoundingCaps", "RestartCount", "Driver", "OCIRuntime"):
        assert key in d, key
    assert d["HostConfig"]["LogConfig"]["Type"] == "k8s-file"
    assert d["HostConfig"]["LogConfig"]["Path"].startswith(env.root)

    ended = json.loads(env.run("inspect", "ended").out)[0]
    assert ended["State"]["Status"] == "exited" and ended["State"]["ExitCode"] == 3
    assert ended["State"]["Running"] is False and ended["State"]["Pid"] == 0
    assert ended["State"]["FinishedAt"] != "0001-01-01T00:00:00Z"
    made = json.loads(env.run("inspect", "made").out)[0]
    assert made["State"]["Status"] == "created" and made["Config"]["Labels"]["tier"] == "web"

    assert env.run("inspect", "-f", "{{.State.Status}} {{.Name}} {{.Config.Cmd}}", "ended", "up").out == \
        "exited ended [sh -c exit 3]\nrunning up [sleep 1000]\n"
    assert env.run("inspect", "--format", "{{.ID}}", cid[:8]).out.strip() == cid

    # Containers first, then images; --type picks one.
    img = env.run("inspect", "--type", "image", "-f", "{{.ID}}", bb).out.strip()
    assert env.run("inspect", "-f", "{{.ID}}", bb).out.strip() == img
    assert env.run("container", "inspect", "-l", "-f", "{{.Name}}").out == "up\n"

    res = env.run("inspect", "nothere", check=False)
    assert assert_error(res) == 'Error: inspecting object: no such object: "nothere"'
    assert res.out.strip() == "[]"
    res = env.run("container", "inspect", "nothere", check=False)
    assert assert_error(res) == "Error: inspecting object: no such container nothere"
    res = env.run("inspect", "--type", "container", bb, check=False)
    assert assert_error(res) == f"Error: inspecting object: no such container {bb}"
    res = env.run("inspect", "--type", "image", "up", check=False)
    assert assert_error(res) == "Error: inspecting object: up: image not known"
    assert_error(env.run("inspect", "--type", "bogus", "up", check=False), 'invalid type "bogus"')


def log_file(env, cid):
    return json.loads(env.run("inspect", cid).out)[0]["HostConfig"]["LogConfig"]["Path"]


def test_logs(env, bb):
    env.run("run", "--name", "talk", bb, "sh", "-c", "echo out1; echo err1 >&2; echo out2; printf partial")
    cid = env.run("inspect", "-f", "{{.ID}}", "talk").out.strip()
    with open(log_file(env, cid)) as f:
        raw = f.read().splitlines()
    assert raw and all(LOG_LINE.match(l) for l in raw), raw
    assert raw[-1].endswith(" stdout P partial"), raw

    res = env.run("logs", "talk")
    assert res.out == "out1\nout2\npartial" and res.err == "err1\n"
    res = env.run("logs", "-t", cid[:12])
    ts = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) "
    assert re.fullmatch(f"{ts}out1\n{ts}out2\n{ts}partial", res.out), res.out
    assert re.fullmatch(f"{ts}err1\n", res.err), res.err
    # --tail counts the log's lines, both streams (their order in the log is the order read).
    assert env.run("logs", "--tail", "1", "talk").out == "partial"
    res = env.run("logs", "--tail", "2", "talk")
    assert res.out.endswith("partial") and len((res.out + "\n" + res.err).split("\n")) - 1 == 2, res
    assert env.run("logs", "--tail", "0", "talk").out == ""
    assert env.run("logs", "--since", "10m", "talk").out == "out1\nout2\npartial"
    assert env.run("logs", "--since", "2099-01-01T00:00:00Z", "talk").out == ""
    assert env.run("logs", "--until", "2000-01-01", "talk").out == ""
    assert env.run("logs", "--until", str(int(time.time()) + 60), "talk").out == "out1\nout2\npartial"

    env.run("run", "--name", "other", bb, "echo", "hello")
    res = env.run("logs", "-n", "other", "talk")
    assert res.out == "other hello\ntalk out1\ntalk out2\ntalk partial"
    res = env.run("logs", "other", "talk")
    assert res.out.startswith(env.run("inspect", "-f", "{{.ID}}", "other").out[:12] + " hello\n")

    assert_error(env.run("logs", "nothere", check=False), 'no container with name or ID "nothere" found')
    assert_error(env.run("logs", "--since", "bogus", "talk", check=False),
                 'parsing --since "bogus": unable to interpret time value')
    assert_error(env.run("logs", check=False), "specify at least one container name or ID to log")


def test_logs_follow_until_exit(env, bb):
    cid = env.run("run", "-d", bb, "sh", "-c", "echo first; sleep 1.5; echo second; sleep 0.5").out.strip()
    start = time.time()
    res = env.run("logs", "-f", cid, timeout=30)
    took = time.time() - start
    assert res.out == "first\nsecond\n"
    assert 0.5 < took < 15, took
    # A container that is not running: -f prints what there is and returns.
    assert env.run("logs", "-f", cid, timeout=10).out == "first\nsecond\n"
    # --rm: the record goes at the exit; what was logged before is still shown.
    gone = env.run("run", "-d", "--rm", bb, "sh", "-c", "echo one; sleep 1; echo two >&2").out.strip()
    res = env.run("logs", "-f", gone, timeout=30)
    assert res.out == "one\n" and res.err == "two\n"
    assert wait_for(lambda: env.run("ps", "-aq").out.split() == [cid[:12]])


def test_rename(env, bb):
    cid = trio(env, bb)
    env.run("rename", "up", "renamed")
    assert names(env) == ["renamed"]
    assert env.run("inspect", "-f", "{{.ID}}", "renamed").out.strip() == cid
    assert_error(env.run("inspect", "up", check=False), "no such object")
    res = env.run("rename", "renamed", "made", check=False)
    assert_error(res, "name made already in use")
    assert_error(env.run("rename", "nothere", "x", check=False), 'no container with name or ID "nothere" found')
    assert_error(env.run("rename", "made", "bad/name", check=False), "names must match")
    # The freed name can be used again.
    env.run("create", "--name", "up", bb, "true")
    assert sorted(names(env, "-a")) == ["ended", "made", "renamed", "up"]


def test_name_index_survives_create_and_rm(env, bb):
    env.run("create", "--name", "one", bb, "true")
    env.run("rm", "one")
    env.run("create", "--name", "one", bb, "true")
    assert names(env, "-a") == ["one"]
    assert sorted(os.listdir(os.path.join(env.root, "containers"))) == \
        [env.run("inspect", "-f", "{{.ID}}", "one").out.strip()]


def test_top(env, bb):
    cid = env.run("run", "-d", bb, "sh", "-c", "sleep 1000 & exec sleep 1001").out.strip()
    assert wait_for(lambda: len(env.run("top", cid).out.splitlines()) == 3)
    lines = env.run("top", cid).out.splitlines()
    assert lines[0].split() == ["USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"]
    rows = [l.split() for l in lines[1:]]
    assert rows[0][:3] == ["root", "1", "0"] and rows[0][-2:] == ["sleep", "1001"]
    assert rows[1][:3] == ["root", "2", "1"] and rows[1][-2:] == ["sleep", "1000"]
    assert env.run("top", cid, "pid", "args").out.splitlines()[1].split() == ["1", "sleep", "1001"]
    assert env.run("top", cid, "-eo", "user,pid,comm").out.splitlines()[0].split() == ["USER", "PID", "COMMAND"]
    made = env.run("create", bb, "true").out.strip()
    assert_error(env.run("top", made, check=False), "top can only be used on running containers")


def test_port(env, bb):
    port = 20000 + os.getpid() % 20000
    res = env.run("run", "-d", "-p", f"127.0.0.1:{port}:80", "-p", f"{port + 1}:81/udp", bb, "sleep", "1000",
                  check=False)
    if res.rc != 0:
        pytest.skip(f"run -p is not available here: {res.err.strip()}")
    cid = res.out.strip()
    assert env.run("port", cid).out == f"80/tcp -> 127.0.0.1:{port}\n81/udp -> 0.0.0.0:{port + 1}\n"
    assert env.run("port", cid, "80").out == f"127.0.0.1:{port}\n"
    assert env.run("port", cid, "81/udp").out == f"0.0.0.0:{port + 1}\n"
    assert env.run("port", "-a").out.splitlines()[0] == f"{cid[:12]}\t80/tcp -> 127.0.0.1:{port}"
    assert_error(env.run("port", cid, "82", check=False), 'failed to find published port "82"')
    ps = env.run("ps", "--format", "{{.Ports}}").out.strip()
    assert ps == f"127.0.0.1:{port}->80/tcp, 0.0.0.0:{port + 1}->81/udp"
    bindings = json.loads(env.run("inspect", cid).out)[0]["HostConfig"]["PortBindings"]
    assert bindings["80/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(port)}]
    assert_error(env.run("port", check=False), "you must supply a running container name or id")


def test_container_prune(env, bb):
    cid = trio(env, bb)
    res = env.run("container", "prune", "-f")
    removed = res.out.split()
    assert len(removed) == 2 and all(re.fullmatch(r"[0-9a-f]{64}", r) for r in removed)
    assert names(env, "-a") == ["up"]
    assert env.run("ps", "-aq", "--no-trunc").out.split() == [cid]
    # Without -f it asks, and "no" (or no terminal input) keeps everything.
    env.run("create", bb, "true")
    res = env.run("container", "prune", input="n\n")
    assert "WARNING! This will remove all non running containers." in res.out
    assert len(names(env, "-a")) == 2


def test_rmi_refuses_an_image_in_use(env, bb):
    cid = env.run("create", "--name", "user", bb, "true").out.strip()
    assert env.run("images", "--format", "{{.Containers}}").out == "1\n"
    assert json.loads(env.run("images", "--format", "json").out)[0]["Containers"] == 1
    res = env.run("rmi", bb, check=False)
    assert res.rc == 2, res
    assert f"image used by {cid}: image is in use by a container" in res.err
    assert env.run("images", "-q").out.strip()
    # The container's layers are kept by image prune too.
    env.run("image", "prune", "-a", "-f")
    assert env.run("images", "-q").out.strip()
    env.run("start", "-a", "user")
    # rmi -f removes the stopped container with the image.
    env.run("rmi", "-f", bb)
    assert env.run("ps", "-aq").out.strip() == ""
    assert env.run("images", "-q").out.strip() == ""
    assert os.listdir(os.path.join(env.root, "layers")) == []
