"""Flags added for Podman parity that do something here: --latest on the container commands,
their argument errors, ps --watch/--ns/--pod/--size/--sort, the global --noout, completion
--no-desc and unshare --rootless-netns. Texts and codes are Podman 4.3.1's."""
import json
import time
import urllib.request

import pytest

from conftest import assert_error, ref

pytestmark = pytest.mark.solo


def test_latest_acts_on_the_newest_container(env, bb):
    env.run("run", "-d", "--name", "old", bb, "sleep", "100")
    new = env.run("run", "-d", "--name", "new", bb, "sleep", "100").out.strip()
    assert env.run("kill", "-l").out == new + "\n"
    assert env.run("wait", "-l").out == "137\n"
    assert env.run("start", "-l").out == new + "\n"
    assert env.run("stop", "-l", "-t", "0").out == new + "\n"
    assert env.run("rm", "-l").out == new + "\n"
    assert env.run("ps", "-a", "--format", "{{.Names}}").out == "old\n"
    env.run("rm", "-f", "-t", "0", "old")
    for cmd in (["stop", "-l"], ["wait", "-l"], ["logs", "-l"], ["start", "-l"], ["exec", "-l", "true"]):
        assert assert_error(env.run(*cmd, check=False)) == "Error: no such container", cmd


@pytest.mark.parametrize("args,msg", [
    (["stop", "-a", "-l"], "--all and --latest cannot be used together"),
    (["stop", "-l", "x"], "--latest and containers cannot be used together"),
    (["kill", "-l", "--cidfile", "/nonexistent"], "--all, --latest, and --cidfile cannot be used together"),
    (["rm", "-l", "x"], "--latest and containers cannot be used together"),
    (["start", "-l", "--all"], "--all and --latest cannot be used together"),
    (["start", "-l", "x"], "--latest and containers cannot be used together"),
    (["wait"], '"burrow wait" requires a name, id, or the "--latest" flag'),
    (["attach"], '"burrow attach" requires a name, id, or the "--latest" flag'),
    (["wait", "-l", "x"], "--latest and containers cannot be used together"),
    (["ps", "-l", "-n", "2"], "last and latest are mutually exclusive"),
    (["ps", "-w", "1", "-l"], "the watch and latest flags cannot be used together"),
    (["stop", "-t", "-1", "x"], 'invalid argument "-1" for "-t, --time" flag: strconv.ParseUint: parsing "-1": invalid syntax'),
])
def test_argument_errors(env, args, msg):
    res = env.run(*args, check=False)
    assert res.rc == 125
    assert res.err.splitlines()[0] == "Error: " + msg


def test_ps_sort_error_is_podmans(env):
    res = env.run("ps", "--sort", "bogus", check=False)
    assert res.rc == 125
    assert res.err.splitlines()[0] == ('Error: invalid argument "bogus" for "--sort" flag: "bogus" is not a valid value.  '
                                       'Choose from: "command, created, id, image, names, runningfor, size, status"')


def test_ps_columns_of_ns_pod_and_size(env, bb):
    cid = env.run("run", "-d", "--name", "c", bb, "sleep", "100").out.strip()
    assert env.run("ps", "--ns").out.split("\n")[0].split() == \
        ["CONTAINER", "ID", "NAMES", "PID", "CGROUPNS", "IPC", "MNT", "NET", "PIDNS", "USERNS", "UTS"]
    row = env.run("ps", "--ns", "--noheading").out.split()
    assert row[:2] == [cid[:12], "c"] and len(row) == 10 and all(x.isdigit() for x in row[2:])
    assert env.run("ps", "-p").out.split("\n")[0].endswith("POD ID      PODNAME")
    size = env.run("ps", "-s", "--format", "{{.Size}}").out.strip()
    assert size.endswith(")") and " (virtual " in size and not size.startswith(" ")
    env.run("rm", "-f", "-t", "0", "c")


def test_ps_watch_repeats(env):
    p = env.popen("ps", "-w", "1")
    time.sleep(2.5)
    p.terminate()
    out, _ = p.communicate(timeout=10)
    assert out.count("CONTAINER ID") >= 2


def test_noout_silences_stdout_only(env, bb):
    assert env.run("--noout", "ps", "-a").out == ""
    res = env.run("--noout", "stop", "nosuch", check=False)
    assert res.rc == 125 and res.err.startswith("Error: ")


def test_completion_no_desc(env):
    fish = env.run("completion", "--no-desc", "fish").out
    assert " -d '" not in fish and "complete -c burrow -n __fish_use_subcommand -a pull\n" in fish
    assert env.run("completion", "--no-desc", "bash").out == env.run("completion", "bash").out


def test_unshare_rootless_netns_is_refused(env):
    res = env.run("unshare", "--rootless-netns", "true", check=False)
    assert assert_error(res).startswith("Error: --rootless-netns: ")


def test_pull_all_tags(env, registry):
    with urllib.request.urlopen(f"http://{registry.host}/v2/busybox/tags/list", timeout=30) as r:
        want = json.load(r)["tags"]
    out = env.run("pull", "-q", "--all-tags", ref(registry, "busybox") + ":ignored").out.split()
    assert len(out) == len(want)
    names = env.run("images", "--format", "{{.Repository}}:{{.Tag}}").out.split()
    assert sorted(n for n in names if n.startswith(ref(registry, "busybox") + ":")) == \
        sorted(ref(registry, "busybox") + ":" + t for t in want)


def test_logs_color_by_position(env, bb):
    env.run("run", "--name", "a", bb, "echo", "one")
    env.run("run", "--name", "b", bb, "echo", "two")
    out = env.run("logs", "--color", "--names", "a", "b").out
    assert "\033[37ma one\033[0m\n" in out and "\033[31mb two\033[0m\n" in out
    assert env.run("logs", "--color", "a").out == "\033[37mone\033[0m\n"
