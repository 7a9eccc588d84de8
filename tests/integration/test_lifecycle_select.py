"""start/stop/kill/rm/restart/wait: which containers they act on (--all, --filter, --cidfile),
their argument errors, stop's "stopping" state, rm --force/--depend, wait --condition, pod kill,
and the events log. Texts and codes are Podman 4.3.1's."""
import json
import os
import subprocess
import time

import pytest

from conftest import assert_error, wait_for

pytestmark = pytest.mark.solo

IGNORE_TERM = "trap 'echo got TERM' TERM; echo ready; while :; do sleep 0.1; done"


def state(env, name):
    return json.loads(env.run("inspect", name).out)[0]["State"]


def ready(env, name):
    assert wait_for(lambda: env.run("logs", name).out.startswith("ready\n")), f"{name} never got ready"


def test_start_all_and_filter(env, bb):
    ok = env.run("run", "-d", bb, "true").out.strip()
    bad = env.run("run", "-d", "--restart", "no", bb, "false").out.strip()
    always = env.run("run", "-d", "--restart", "always", bb, "sleep", "100").out.strip()
    assert env.run("wait", ok, bad).out == "0\n1\n"
    # --all starts what is not running and names it by id; a running one is left alone, unprinted
    out = env.run("start", "--all").out.split()
    assert sorted(out) == sorted([ok, bad])
    env.run("wait", ok, bad)
    assert env.run("start", "--filter", "restart-policy=always", ok).out == ""
    # a string slice: values separated by commas are alternatives of one key
    assert env.run("start", "--filter", "restart-policy=always,restart-policy=none", ok).out == ok + "\n"
    env.run("wait", ok)
    assert env.run("start", "--all", "--filter", "exited=1").out == bad + "\n"
    res = env.run("start", "--filter", "restart-policy=fakepolicy", ok, check=False)
    assert assert_error(res) == "Error: fakepolicy invalid restart policy"
    assert assert_error(env.run("start", "--all", "x", check=False)) == \
        "Error: either start all containers or the container(s) provided in the arguments"
    assert assert_error(env.run("start", check=False)) == "Error: start requires at least one argument"
    assert assert_error(env.run("start", "--sig-proxy", ok, check=False)) == \
        "Error: you cannot use sig-proxy without --attach: invalid argument"
    env.run("rm", "-f", "-t", "0", always)


def test_start_failure_is_125(env, bb):
    env.run("create", "--name", "nocmd", bb, "/no/such/command")
    assert env.run("wait", "nocmd").out == "0\n"  # never ran
    res = env.run("start", "nocmd", check=False)
    assert res.rc == 125 and res.err.startswith('Error: unable to start container "')
    assert env.run("wait", "nocmd").rc == 0


def test_stop_marks_stopping_and_unlocks(env, bb):
    env.run("run", "-d", "--name", "slow", bb, "sh", "-c", IGNORE_TERM)
    ready(env, "slow")
    p = env.popen("stop", "-t", "20", "slow")
    assert wait_for(lambda: "got TERM" in env.run("logs", "slow").out)
    start = time.time()
    assert state(env, "slow")["Status"] == "stopping"
    assert time.time() - start < 3
    env.run("kill", "slow")
    assert env.run("wait", "slow").out == "137\n"
    p.communicate(timeout=30)
    assert state(env, "slow")["ExitCode"] == 137


def test_stop_timeout_alias_cidfile_filter_and_rm_container(env, bb, tmp_path):
    cidfile = tmp_path / "cid"
    env.run("run", "-d", "--cidfile", str(cidfile), "--name", "c1", bb,
            "sh", "-c", "trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done")
    ready(env, "c1")
    cid = cidfile.read_text().strip()
    assert env.run("stop", "--timeout=5", "--cidfile", str(cidfile)).out == cid + "\n"
    assert state(env, "c1")["ExitCode"] == 0
    env.run("run", "-d", "--name", "c2", bb, "sleep", "100")
    c2 = json.loads(env.run("inspect", "c2").out)[0]["Id"]
    assert env.run("stop", "-t", "0", "--filter", "name=c2").out == c2 + "\n"
    assert assert_error(env.run("stop", "--filter", "name=c2", "c2", check=False)) == "Error: --filter takes no arguments"
    assert assert_error(env.run("stop", "--all", "c2", check=False)) == "Error: no arguments are needed with --all"
    assert assert_error(env.run("stop", "--cidfile", str(tmp_path / "none"), check=False)) == \
        f"Error: reading CIDFile: open {tmp_path / 'none'}: no such file or directory"
    # a --rm container goes with its stop, and stop says nothing about it
    env.run("run", "--rm", "-d", "--name", "gone", bb, "sleep", "100")
    res = env.run("stop", "-t", "1", "gone")
    assert res.out == "gone\n"
    assert "StopSignal SIGTERM failed to stop container gone in 1 seconds, resorting to SIGKILL" in res.err
    assert "Error" not in res.err
    assert wait_for(lambda: env.run("container", "inspect", "gone", check=False).rc != 0)


def test_rm_force_missing_depend_and_time(env, bb, tmp_path):
    res = env.run("container", "rm", "bogus", check=False)
    assert assert_error(res, code=1) == 'Error: no container with name or ID "bogus" found: no such container'
    res = env.run("container", "rm", "--force", "bogus")
    assert res.out == "" and res.err == ""
    env.run("create", "--name", "keep", bb, "true")
    res = env.run("rm", "keep", "bogus", check=False)
    assert res.rc == 1
    assert json.loads(env.run("inspect", "keep").out)[0]["Name"] == "keep"  # nothing removed
    assert assert_error(env.run("rm", "-t", "0", "keep", check=False)) == \
        "Error: --force option must be specified to use the --time option"
    cidfile = tmp_path / "cid"
    cid = env.run("create", "--cidfile", str(cidfile), bb, "true").out.strip()
    assert env.run("rm", "--cidfile", str(cidfile)).out == cid + "\n"
    keep = json.loads(env.run("inspect", "keep").out)[0]["Id"]
    assert env.run("rm", "--depend", "keep").out == keep + "\n"  # nothing depends on it


def test_kill_argument_errors_and_pod_kill(env, bb):
    for bad in ("0", "SIGBADSIG", "SIG", "BADSIG", "%%", "!"):
        assert assert_error(env.run("kill", "-s", bad, "nosuch", check=False)) == f"Error: invalid signal: {bad}"
        assert assert_error(env.run("pod", "kill", "-s", bad, "nosuchpod", check=False)) == \
            f"Error: invalid signal: {bad}"
    for bad in ("-0", "-SIGBADSIG", "-"):
        assert assert_error(env.run("kill", "-s", bad, "nosuch", check=False)) == f"Error: invalid signal: {bad[1:]}"
    for far in ("65", "-65", "999", "99999999"):
        assert assert_error(env.run("kill", "-s", far, "nosuch", check=False)) == "Error: valid signals are 1 through 64"
    assert assert_error(env.run("create", "--stop-signal=99", bb, check=False)) == "Error: valid signals are 1 through 64"
    assert assert_error(env.run("pod", "kill", "nosuchpod", check=False)) == \
        "Error: no pod with name or ID nosuchpod found: no such pod"
    # kill --all signals only the running ones
    env.run("create", "--name", "idle", bb, "true")
    cid = env.run("run", "-d", bb, "sleep", "100").out.strip()
    assert env.run("kill", "--all").out == cid + "\n"


def test_wait_condition_and_interval(env, bb):
    env.run("create", "--name", "wc", bb, "sleep", "100")
    assert env.run("wait", "--condition", "created", "wc").out == "-1\n"
    p = env.popen("wait", "--condition", "running", "--interval", "50", "wc")
    time.sleep(0.3)
    env.run("start", "wc")
    out, _ = p.communicate(timeout=20)
    assert out == "-1\n"
    assert assert_error(env.run("wait", "--condition", "bogus", "wc", check=False)) == \
        "Error: unknown container state: bogus: invalid argument"
    assert assert_error(env.run("wait", "--interval", "xyz", "wc", check=False)) == \
        'Error: time: invalid duration "xyz"'
    env.run("rm", "-f", "-t", "0", "wc")


def events(env, *args):
    res = env.run("events", "--stream=false", *args)
    return res.out.splitlines()


def test_events_log_and_command(env, bb):
    cid = env.run("run", "--name", "ev", bb, "true").out.strip() or \
        json.loads(env.run("inspect", "ev").out)[0]["Id"]
    env.run("rm", "ev")
    log = os.path.join(env.runroot, "events", "events.log")
    lines = [json.loads(l) for l in open(log)]
    mine = [l for l in lines if l.get("ID") == cid]
    assert [l["Status"] for l in mine] == ["create", "start", "died", "remove"]
    assert list(mine[0].keys()) == ["ID", "Image", "Name", "Status", "Time", "Type", "Attributes"]
    assert mine[0]["Name"] == "ev" and mine[0]["Type"] == "container"
    out = events(env, "--filter", "container=ev", "--filter", "event=start", "--format", "{{.Status}} {{.Name}}")
    assert out == ["start ev"]
    human = events(env, "--filter", "event=remove")
    assert len(human) == 1 and f" container remove {cid} (image=" in human[0] and "name=ev" in human[0]
    as_json = events(env, "--filter", "event=died", "--format", "json")
    assert json.loads(as_json[0])["ID"] == cid
    assert events(env, "--since", "1h", "--until", "-1h") == []
    res = env.run("events", "--stream=false", "--filter", "bogus=1", check=False)
    assert assert_error(res) == "Error: failed to parse event filters: bogus is an invalid filter"
    # --until ends a stream
    start = time.time()
    env.run("events", "--until", "1s")
    assert time.time() - start < 5


def test_events_backend_none_and_logfile_path(env, bb, tmp_path):
    env.run("--events-backend", "none", "create", "--name", "quiet", bb, "true")
    log = os.path.join(env.runroot, "events", "events.log")  # the image's pull may have made it
    assert not os.path.exists(log) or '"quiet"' not in open(log).read()
    res = env.run("--events-backend", "none", "events", "--stream=false", check=False)
    assert assert_error(res) == 'Error: cannot read events with the "none" backend'
    conf = os.path.join(env.config, "containers")
    os.makedirs(conf, exist_ok=True)
    log = tmp_path / "ev" / "my.log"
    with open(os.path.join(conf, "containers.conf"), "w") as f:
        f.write(f'[engine]\nevents_logfile_path = "{log}"\n')
    env.run("rm", "quiet")
    assert json.loads(log.read_text().splitlines()[0])["Status"] == "remove"
    assert len(events(env)) == 1
    # events_logfile_max_size: the log keeps its newer half and records the rotation
    with open(os.path.join(conf, "containers.conf"), "w") as f:
        f.write(f'[engine]\nevents_logfile_path = "{log}"\nevents_logfile_max_size = 1500\n')
    for i in range(10):
        env.run("create", "--name", f"r{i}", bb, "true")
    text = log.read_text()
    assert len(text) < 1500 and '"Status":"rotate"' in text and '"Name":"r9"' in text
    res = env.run("--events-backend", "bogus", "ps", check=False)
    assert assert_error(res) == 'Error: configuring runtime: "bogus" is not a valid events backend: invalid argument'


def test_cp_created_and_exited_containers(env, bb, tmp_path):
    (tmp_path / "in").write_text("to the container\n")
    env.run("create", "--name", "cpc", bb, "cat", "/tmp/in")
    env.run("cp", str(tmp_path / "in"), "cpc:/tmp/in")
    assert env.run("start", "-a", "cpc").out == "to the container\n"
    # exited now: what it wrote comes back out
    env.run("run", "--name", "cpx", bb, "sh", "-c", "echo made inside > /made")
    env.run("cp", "cpx:/made", str(tmp_path / "out"))
    assert (tmp_path / "out").read_text() == "made inside\n"
    res = env.run("cp", "cpx:/nosuch", str(tmp_path), check=False)
    assert_error(res, "/nosuch")
    # a link in the container still resolves inside it
    env.run("run", "--name", "cpl", bb, "ln", "-s", str(tmp_path), "/escape")
    env.run("cp", str(tmp_path / "in"), "cpl:/escape/planted", check=False)
    assert not (tmp_path / "planted").exists()
    assert env.run("start", "cpx").out == "cpx\n"  # nothing left mounted or locked


def test_cp_tar_streams(env, bb, tmp_path):
    import io
    import tarfile
    env.run("run", "--name", "tars", bb, "sh", "-c", "mkdir -p /d/sub && echo a > /d/sub/f && ln -s sub/f /d/l")
    p = subprocess.run(env.cmd("cp", "tars:/d", "-"), env=env.environ, stdout=subprocess.PIPE, timeout=60)
    assert p.returncode == 0
    with tarfile.open(fileobj=io.BytesIO(p.stdout)) as t:
        names = sorted(m.name.rstrip("/") for m in t.getmembers())
        assert names == ["d", "d/l", "d/sub", "d/sub/f"]
        assert t.extractfile("d/sub/f").read() == b"a\n"
        assert t.getmember("d/l").issym() and t.getmember("d/l").linkname == "sub/f"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = b"from stdin\n"
        info = tarfile.TarInfo("in/" + "n" * 120)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    env.run("create", "--name", "tarin", bb, "cat", "/tmp/in/" + "n" * 120)
    res = subprocess.run(env.cmd("cp", "-", "tarin:/tmp"), env=env.environ, input=buf.getvalue(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert res.returncode == 0, res.stderr
    assert env.run("start", "-a", "tarin").out == "from stdin\n"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        esc = tarfile.TarInfo("out")
        esc.type = tarfile.SYMTYPE
        esc.linkname = str(tmp_path)
        t.addfile(esc)
        through = tarfile.TarInfo("out/planted")
        through.size = 1
        t.addfile(through, io.BytesIO(b"x"))
    subprocess.run(env.cmd("cp", "-", "tarin:/tmp"), env=env.environ, input=buf.getvalue(),
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert not (tmp_path / "planted").exists()  # the link resolved inside the container
    bad = io.BytesIO()
    with tarfile.open(fileobj=bad, mode="w") as t:
        up = tarfile.TarInfo("../up")
        up.size = 0
        t.addfile(up, io.BytesIO(b""))
    res = subprocess.run(env.cmd("cp", "-", "tarin:/tmp"), env=env.environ, input=bad.getvalue(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert res.returncode == 125 and b"leads out of the destination" in res.stderr
