"""restart, attach, exec -d/-w/-u/-e/-t, start -a -i, stop -t, --stop-timeout, --stop-signal,
kill -s, run -i and wait, each checked by what happens inside the container. Expected outputs and
codes are those of Debian's podman 4.3 (rootless, --runtime runc) for the same commands."""
import json
import os
import re
import subprocess
import time

import pytest

from conftest import HAS_SUBIDS, assert_error, ref, wait_for

pytestmark = pytest.mark.solo

# Each trap script says "ready" once its traps are set: a signal sent before would hit pid 1
# without a handler, which the kernel drops.
IGNORE_TERM = "trap '' TERM; echo ready; while :; do sleep 0.1; done"


def inspect(env, name):
    return json.loads(env.run("inspect", name).out)[0]


def status(env, name):
    return inspect(env, name)["State"]["Status"]


def ready(env, name):
    assert wait_for(lambda: env.run("logs", name).out.startswith("ready\n")), f"{name} never got ready"


# --- restart ------------------------------------------------------------------------------------

def test_restart(env, bb):
    env.run("run", "-d", "--name", "rs", bb, "sh", "-c", "echo started; sleep 1000")
    first = inspect(env, "rs")["State"]
    assert env.run("restart", "-t", "0", "rs").out == "rs\n"
    second = inspect(env, "rs")["State"]
    assert second["Status"] == "running" and second["Pid"] != first["Pid"]
    assert not os.path.exists(f"/proc/{first['Pid']}")
    assert second["StartedAt"] > first["StartedAt"]
    assert wait_for(lambda: env.run("logs", "rs").out == "started\nstarted\n")
    # an exited and a created container are simply started
    env.run("stop", "-t", "0", "rs")
    assert status(env, "rs") == "exited"
    env.run("create", "--name", "fresh", bb, "sleep", "1000")
    assert env.run("restart", "rs", "fresh").out == "rs\nfresh\n"
    assert status(env, "rs") == "running" and status(env, "fresh") == "running"
    res = env.run("restart", "ghost", check=False)
    assert assert_error(res) == 'Error: no container with name or ID "ghost" found: no such container'


# --- attach -------------------------------------------------------------------------------------

def test_attach_follows_output_until_exit(env, bb):
    env.run("run", "-d", "--name", "at", bb, "sh", "-c", "sleep 1; echo one; echo two >&2; exit 3")
    start = time.time()
    res = env.run("attach", "at", check=False, timeout=30)
    # Podman 4.3 ends an attach with a newline and exit 0, whatever the container's code.
    assert (res.rc, res.out, res.err) == (0, "one\n\n", "two\n")
    assert time.time() - start < 15
    assert inspect(env, "at")["State"]["ExitCode"] == 3
    for name in ("at", "ghost"):
        res = env.run("attach", name, check=False)
        msg = "you can only attach to running containers" if name == "at" else \
            'no container with name or ID "ghost" found: no such container'
        assert assert_error(res) == "Error: " + msg
    env.run("create", "--name", "made", bb, "true")
    assert assert_error(env.run("attach", "made", check=False)) == "Error: you can only attach to running containers"


def test_detached_interactive_keeps_stdin_open_and_attach_feeds_it(env, bb):
    env.run("run", "-d", "-i", "--name", "cat", bb, "cat")
    env.run("run", "-d", "--name", "nocat", bb, "cat")
    time.sleep(0.5)
    assert status(env, "cat") == "running", "-d -i keeps the container's stdin open"
    assert wait_for(lambda: status(env, "nocat") == "exited"), "without -i stdin is /dev/null"
    env.run("run", "-d", "-i", "--name", "reader", bb, "sh", "-c", "read line; echo got=$line; exit 4")
    res = env.run("attach", "reader", input="hello\n", timeout=30)
    assert res.out == "got=hello\n\n"
    assert inspect(env, "reader")["State"]["ExitCode"] == 4
    # --no-stdin: our input does not reach the container
    env.run("run", "-d", "-i", "--name", "waits", bb, "sh", "-c", "read line; echo got=$line")
    p = subprocess.Popen(env.cmd("attach", "--no-stdin", "waits"), env=env.environ, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, _ = p.communicate(input="secret\n", timeout=1.5)
    except subprocess.TimeoutExpired:
        env.run("stop", "-t", "0", "waits")
        out, _ = p.communicate(timeout=20)
    assert "got=secret" not in out


# --- start -a / -i -------------------------------------------------------------------------------

def test_start_attach_interactive(env, bb):
    env.run("create", "-i", "--name", "sai", bb, "sh", "-c", "read a; echo got=$a; exit 6")
    res = env.run("start", "-a", "-i", "sai", input="hello\n", check=False)
    assert (res.rc, res.out) == (6, "got=hello\n")
    res = env.run("start", "-ai", "sai", input="again\n", check=False)
    assert (res.rc, res.out) == (6, "got=again\n")
    # -a without -i: the container reads nothing
    env.run("create", "--name", "sa", bb, "sh", "-c", "read a; echo got=$a")
    assert env.run("start", "-a", "sa", input="hello\n").out == "got=\n"
    res = env.run("start", "-a", "sa", "sai", check=False)
    assert assert_error(res) == "Error: you cannot start and attach multiple containers at once"


def test_run_interactive_stdin(env, bb):
    assert env.run("run", "--rm", "-i", bb, "cat", input="piped\nlines\n").out == "piped\nlines\n"
    assert env.run("run", "--rm", bb, "cat", input="ignored\n").out == ""


# --- stop / kill ----------------------------------------------------------------------------------

def test_stop_time_and_stop_timeout(env, bb):
    env.run("run", "-d", "--name", "st", bb, "sh", "-c", IGNORE_TERM)
    ready(env, "st")
    start = time.time()
    res = env.run("stop", "-t", "1", "st")
    took = time.time() - start
    assert res.out == "st\n"
    # stderr is a pipe: logrus's text form, as Podman prints it there
    assert re.fullmatch(r'time="[0-9T:+Z-]+" level=warning msg="StopSignal SIGTERM failed to stop container st in 1 '
                        r'seconds, resorting to SIGKILL"\n', res.err), res.err
    assert 0.9 < took < 5, took
    assert inspect(env, "st")["State"]["ExitCode"] == 137
    # --stop-timeout is the default of stop (and of rm -f)
    env.run("run", "-d", "--name", "sto", "--stop-timeout", "1", bb, "sh", "-c", IGNORE_TERM)
    assert inspect(env, "sto")["Config"]["StopTimeout"] == 1
    ready(env, "sto")
    start = time.time()
    env.run("stop", "sto")
    assert 0.9 < time.time() - start < 5
    assert inspect(env, "sto")["State"]["ExitCode"] == 137
    # a container that honours SIGTERM stops at once, with its own code
    env.run("run", "-d", "--name", "quick", bb, "sh", "-c", "trap 'exit 21' TERM; echo ready; while :; do sleep 0.1; done")
    ready(env, "quick")
    start = time.time()
    assert env.run("stop", "quick").err == ""
    assert time.time() - start < 3 and inspect(env, "quick")["State"]["ExitCode"] == 21


def test_stop_signal(env, bb):
    env.run("run", "-d", "--name", "ss", "--stop-signal", "USR1", bb,
            "sh", "-c", "trap 'exit 11' USR1; echo ready; while :; do sleep 0.1; done")
    cfg = inspect(env, "ss")["Config"]
    assert cfg["StopSignal"] == 10
    ready(env, "ss")
    env.run("stop", "ss")
    assert inspect(env, "ss")["State"]["ExitCode"] == 11


def test_kill_signals(env, bb):
    env.run("run", "-d", "--name", "ks", bb,
            "sh", "-c", "trap 'echo got-usr2' USR2; trap 'exit 12' HUP; echo ready; while :; do sleep 0.1; done")
    ready(env, "ks")
    assert env.run("kill", "-s", "USR2", "ks").out == "ks\n"
    assert wait_for(lambda: env.run("logs", "ks").out == "ready\ngot-usr2\n")
    assert status(env, "ks") == "running"
    for bad in ("BOGUS", "0"):
        assert assert_error(env.run("kill", "-s", bad, "ks", check=False)) == f"Error: invalid signal: {bad}"
    assert status(env, "ks") == "running"
    assert env.run("kill", "--signal", "SIGHUP", "ks").out == "ks\n"
    assert env.run("wait", "ks").out == "12\n"


def test_wait_several(env, bb):
    env.run("run", "-d", "--name", "w1", bb, "sh", "-c", "sleep 0.5; exit 2")
    env.run("run", "-d", "--name", "w2", bb, "sh", "-c", "exit 5")
    assert env.run("wait", "w1", "w2").out == "2\n5\n"


# --- exec -----------------------------------------------------------------------------------------

def test_exec_detach_env_workdir_user_tty(env, bb, tmp_path):
    env.run("run", "-d", "--name", "ex", "-e", "CTR=1", "-w", "/tmp", bb, "sleep", "1000")
    out = env.run("exec", "-d", "ex", "sh", "-c", "sleep 0.3; echo bg > /tmp/bg").out
    assert re.fullmatch(r"[0-9a-f]{64}\n", out), out
    assert wait_for(lambda: env.run("exec", "ex", "cat", "/tmp/bg", check=False).out == "bg\n")
    envfile = tmp_path / "x.env"
    envfile.write_text("FROMFILE=f\nCTR=file\n")
    res = env.run("exec", "--env-file", str(envfile), "-e", "A=1", "ex", "sh", "-c", "echo $A $FROMFILE $CTR; pwd")
    assert res.out == "1 f file\n/tmp\n", "exec keeps the container's workdir and adds -e and --env-file"
    assert env.run("exec", "-w", "/", "ex", "pwd").out == "/\n"
    res = env.run("exec", "-w", "/nonexist", "ex", "pwd", check=False)
    assert res.rc == 127 and res.out == "", res
    assert assert_error(res, code=127) == ('Error: unable to start container process: chdir to cwd ("/nonexist") '
                                           'set in config.json failed: no such file or directory: '
                                           'OCI runtime attempted to invoke a command that was not found')
    assert env.run("exec", "ex", "test", "-e", "/nonexist", check=False).rc == 1, "exec -w made the directory"
    if HAS_SUBIDS:
        assert env.run("exec", "-u", "1000:2000", "ex", "id").out.startswith("uid=1000(app) gid=2000(extra)")
        assert env.run("exec", "-u", "app", "ex", "id", "-G").out == "1000 2000\n"
    res = env.run("exec", "-t", "ex", "sh", "-c", "tty; test -t 1 && echo is-a-tty; echo $TERM")
    assert res.out.replace("\r", "").split("\n")[:3] == ["/dev/pts/0", "is-a-tty", "xterm"]


def test_exec_errors(env, bb):
    env.run("run", "-d", "--name", "up", bb, "sleep", "1000")
    env.run("create", "--name", "made", bb, "true")
    # Podman's exec sessions fail with 255 once the container is found.
    res = env.run("exec", "made", "true", check=False)
    assert assert_error(res, code=255) == "Error: can only create exec sessions on running containers: container state improper"
    res = env.run("exec", "-u", "nosuch", "up", "true", check=False)
    assert assert_error(res, code=255) == "Error: unable to find user nosuch: no matching entries in passwd file"
    res = env.run("exec", "up", check=False)
    assert assert_error(res, code=255) == "Error: must provide a non-empty command to start an exec session: invalid argument"
    res = env.run("exec", "--env-file", "/nonexistent.env", "up", "true", check=False)
    assert assert_error(res) == 'Error: parsing env file "/nonexistent.env": open /nonexistent.env: no such file or directory'
    res = env.run("exec", "ghost", "true", check=False)
    assert assert_error(res) == 'Error: no container with name or ID "ghost" found: no such container'
    assert env.run("exec", "up", "sh", "-c", "exit 7", check=False).rc == 7


def test_inspect_templates_print_times_as_go_does(env, bb):
    """Podman's templates get time.Time values: `{{.State.StartedAt}}` prints as Go's String()."""
    go_time = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? [+-]\d{4} \S+"
    zero = "0001-01-01 00:00:00 +0000 UTC"
    env.run("create", "--name", "tt", bb, "true")
    fmt = "{{.Created}}|{{.State.StartedAt}}|{{.State.FinishedAt}}"
    created, started, finished = env.run("inspect", "-f", fmt, "tt").out.strip().split("|")
    assert re.fullmatch(go_time, created) and started == zero and finished == zero
    env.run("start", "-a", "tt")
    for cmd in (("inspect",), ("container", "inspect")):
        fields = env.run(*cmd, "-f", fmt, "tt").out.strip().split("|")
        assert all(re.fullmatch(go_time, f) and f != zero for f in fields), fields
    assert re.fullmatch(go_time + "\n", env.run("image", "inspect", "-f", "{{.Created}}", bb).out)
    # the JSON keeps RFC 3339
    state = inspect(env, "tt")["State"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", state["StartedAt"])
