"""run/create options that test_run.py leaves out, each probed from inside the container, and the
bad input of run/create: one 'Error: ' line with Podman 4.3's text and code, nothing left behind.

Expected texts and effects were taken from Debian's podman 4.3 (rootless, --runtime runc) running
the same commands."""
import gzip
import json
import os
import shutil
import stat
import subprocess
import time
import urllib.request

import pytest

from conftest import SUBUID, assert_error, assert_store_unchanged, containers_dir, needs_subids, ref, \
    run_rm as run, store_snapshot, wait_for
from regapi import DOCKER_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST, TarBuilder, sha256


def volumes(env):
    return env.run("volume", "ls", "-q").out.split()


def mounts_of(out, dest):
    """The /proc/mounts line of `dest` in a container's output (fields split), or None."""
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[1] == dest:
            return f
    return None


# --- names and --replace --------------------------------------------------------------------------

@pytest.mark.solo
def test_replace_stops_and_removes_the_old_container(env, bb):
    old = env.run("run", "-d", "--name", "svc", "--stop-timeout", "5", bb,
                  "sh", "-c", "trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done").out.strip()
    pid = json.loads(env.run("inspect", old).out)[0]["State"]["Pid"]
    assert wait_for(lambda: env.run("logs", old).out == "ready\n")
    start = time.time()
    res = run(env, "--replace", "--name", "svc", bb, "echo", "replaced")
    assert time.time() - start < 4, "the old container was not stopped with its stop signal"
    # Podman prints the name of the container it removed before the new one's output.
    assert res.out == "svc\nreplaced\n"
    assert not os.path.exists(f"/proc/{pid}"), "the replaced container still runs"
    assert containers_dir(env) == []
    # Nothing to replace: just the id, as create prints it.
    out = env.run("create", "--replace", "--name", "fresh", bb, "true").out.split()
    assert len(out) == 1 and len(out[0]) == 64
    out = env.run("create", "--replace", "--name", "fresh", bb, "true").out.split()
    assert out[0] == "fresh" and len(out[1]) == 64 and containers_dir(env) == [out[1]]


# --- --mount ------------------------------------------------------------------------------------

@pytest.mark.solo
def test_mount_bind_volume_tmpfs(env, bb, tmp_path):
    host = tmp_path / "m"
    host.mkdir()
    (host / "f").write_text("hi\n")
    res = run(env, "--mount", f"type=bind,src={host},dst=/m,ro=true",
              "--mount", f"type=bind,source={host},target=/rw",
              "--mount", "type=volume,src=mv1,dst=/v",
              "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1777", bb,
              "sh", "-c", "cat /m/f; touch /m/g 2>&1; echo w > /rw/g; echo kept > /v/k; stat -c %a /t; cat /proc/mounts")
    lines = res.out.splitlines()
    assert lines[0] == "hi"
    assert "Read-only file system" in lines[1]
    assert lines[2] == "1777"
    assert (host / "g").read_text() == "w\n" and not (host / "m").exists()
    assert mounts_of(res.out, "/m")[3].startswith("ro")
    assert mounts_of(res.out, "/rw")[3].startswith("rw")
    t = mounts_of(res.out, "/t")
    assert t[2] == "tmpfs" and "size=1024k" in t[3].split(",")
    # Podman mounts named volumes nosuid,nodev.
    assert {"nosuid", "nodev"} <= set(mounts_of(res.out, "/v")[3].split(","))
    mp = json.loads(env.run("volume", "inspect", "mv1").out)[0]["Mountpoint"]
    assert open(os.path.join(mp, "k")).read() == "kept\n"
    res = run(env, "--mount", f"type=bind,src={host},dst=/m,readonly", bb, "sh", "-c", "touch /m/x", check=False)
    assert res.rc == 1 and "Read-only file system" in res.err


@pytest.mark.solo
def test_selinux_labels_are_accepted_and_ignored(env, bb, tmp_path):
    host = tmp_path / "lab"
    host.mkdir()
    (host / "f").write_text("x\n")
    res = run(env, "-v", f"{host}:/a:z", "-v", f"{host}:/b:Z,ro",
              "--mount", f"type=bind,src={host},dst=/c,relabel=private", bb,
              "sh", "-c", "cat /a/f /b/f /c/f; touch /a/new; touch /b/no 2>&1; true")
    assert res.out.splitlines()[:3] == ["x", "x", "x"]
    assert "Read-only file system" in res.out
    assert (host / "new").exists() and not (host / "no").exists()


# --- environment ----------------------------------------------------------------------------------

@pytest.mark.solo
def test_env_host_and_host_values(env, bb, tmp_path):
    host_env = {"BURROW_T_HOST": "fromhost", "BURROW_T_OTHER": "other"}
    res = run(env, "--env-host", bb, "sh", "-c", "echo $BURROW_T_HOST; echo $HOME; echo $PATH", env=host_env)
    assert res.out.splitlines() == ["fromhost", env.home, env.environ["PATH"]]
    # -e NAME takes the host's value, -e 'PREFIX*' every host variable with that prefix, and an
    # unset NAME nothing.
    res = run(env, "-e", "BURROW_T_HOST", "-e", "BURROW_T_O*", "-e", "BURROW_T_UNSET", bb, "env", env=host_env)
    got = sorted(l for l in res.out.splitlines() if l.startswith("BURROW_T_"))
    assert got == ["BURROW_T_HOST=fromhost", "BURROW_T_OTHER=other"]
    # later sources win: --env-host, then --env-file, then -e
    f = tmp_path / "e.env"
    f.write_text("BURROW_T_HOST=fromfile\nBURROW_T_OTHER=fromfile\n")
    res = run(env, "--env-host", "--env-file", str(f), "-e", "BURROW_T_OTHER=fromflag", bb,
              "sh", "-c", "echo $BURROW_T_HOST $BURROW_T_OTHER", env=host_env)
    assert res.out == "fromfile fromflag\n"


# --- --pull ---------------------------------------------------------------------------------------

def push_marker(registry, tag, text):
    """busybox plus a layer holding /marker = text, pushed as busybox:TAG."""
    api = registry.api
    manifest = json.loads(api.get_manifest("busybox", "latest"))
    with api_blob(registry, "busybox", manifest["config"]["digest"]) as r:
        config = json.loads(r.read())
    tar = TarBuilder().file("marker", text + "\n").bytes()
    blob = gzip.compress(tar, mtime=0)
    digest = api.push_blob("busybox", blob)
    config["rootfs"]["diff_ids"].append(sha256(tar))
    cfg = json.dumps(config).encode()
    manifest["config"] = {"mediaType": DOCKER_CONFIG, "size": len(cfg), "digest": api.push_blob("busybox", cfg)}
    manifest["layers"].append({"mediaType": DOCKER_LAYER, "size": len(blob), "digest": digest})
    api.push_manifest("busybox", tag, json.dumps(manifest).encode(), DOCKER_MANIFEST)


def api_blob(registry, repo, digest):
    return urllib.request.urlopen(f"{registry.api.url}/v2/{repo}/blobs/{digest}", timeout=60)


@pytest.mark.solo
def test_pull_policies(env, bb):
    tag = f"pull-{os.getpid()}-{time.time_ns() % 100000}"
    image = f"{ref(env.registry, 'busybox')}:{tag}"
    push_marker(env.registry, tag, "one")
    # missing (the default): pulled once, then the local copy is used
    assert run(env, image, "cat", "/marker").out == "one\n"
    push_marker(env.registry, tag, "two")
    assert run(env, "--pull", "missing", image, "cat", "/marker").out == "one\n"
    assert run(env, "--pull=never", image, "cat", "/marker").out == "one\n"
    # always: the registry's current image
    assert run(env, "--pull", "always", "-q", image, "cat", "/marker").out == "two\n"
    assert run(env, image, "cat", "/marker").out == "two\n"
    # never, and not here: nothing is pulled, nothing is left
    env.run("rmi", "-f", image)
    before = store_snapshot(env.root)
    res = run(env, "--pull", "never", image, "true", check=False)
    assert assert_error(res) == f"Error: {image}: image not known"
    assert_store_unchanged(before, env.root)
    # a bad policy is refused before any pull
    res = run(env, "--pull", "bogus", image, "true", check=False)
    assert assert_error(res) == 'Error: unsupported pull policy "bogus"'
    assert "Trying to pull" not in res.err
    assert_store_unchanged(before, env.root)


# --- labels ---------------------------------------------------------------------------------------

@pytest.mark.solo
def test_labels_and_ps_label_filters(env, bb, tmp_path):
    lf = tmp_path / "labels"
    lf.write_text("# from a file\nfile=yes\n")
    env.run("run", "-d", "--name", "one", "-l", "a=1", "--label", "b", "--label-file", str(lf), bb, "sleep", "1000")
    env.run("create", "--name", "two", "-l", "a=2", bb, "true")
    labels = json.loads(env.run("inspect", "one").out)[0]["Config"]["Labels"]
    assert labels["a"] == "1" and labels["b"] == "" and labels["file"] == "yes"

    def names(*filters):
        args = [x for f in filters for x in ("--filter", f)]
        return env.run("ps", "-a", *args, "--format", "{{.Names}}").out.split()
    assert names("label=a=1") == ["one"]
    assert names("label=a") == ["one", "two"]
    assert names("label=b") == ["one"]
    assert names("label=a=3") == []
    assert names("label=a", "label=file=yes") == ["one"]  # several labels: all must match
    assert names("label=a", "status=created") == ["two"]
    assert env.run("ps", "--filter", "label=a", "--format", "{{.Names}}").out == "one\n"


# --- devices --------------------------------------------------------------------------------------

@pytest.mark.solo
def test_device(env, bb):
    res = run(env, "--device", "/dev/zero:/dev/myzero:r", "--device", "/dev/null:/dev/mynull",
              "--device", "/dev/full", bb,
              "sh", "-c", "stat -c '%F %t,%T' /dev/myzero /dev/mynull /dev/full; head -c 4 /dev/myzero | od -An -c; "
                          "echo x > /dev/mynull && echo null-written; cat /proc/mounts")
    lines = res.out.splitlines()
    assert lines[:3] == ["character special file 1,5", "character special file 1,3", "character special file 1,7"]
    assert lines[3].split() == ["\\0"] * 4
    assert lines[4] == "null-written"
    opts = mounts_of(res.out, "/dev/myzero")[3].split(",")
    assert opts[0] == "ro", "a device without w permission is read-only"
    assert {"nosuid", "noexec"} <= set(opts)
    assert mounts_of(res.out, "/dev/mynull")[3].split(",")[0] == "rw"


# --- --privileged ---------------------------------------------------------------------------------

def host_devices():
    """Device nodes directly in the host's /dev that Podman binds into a rootless privileged
    container (it leaves out ptmx, the tty* and the console)."""
    out = []
    for name in os.listdir("/dev"):
        st = os.lstat(os.path.join("/dev", name))
        if not (stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)):
            continue
        if name == "ptmx" or name.startswith("tty") or name == "console":
            continue
        out.append(name)
    return sorted(out)


@pytest.mark.solo
def test_privileged_unmasks_and_binds_host_devices(env, bb):
    probe = ("cat /proc/mounts; echo firmware=$(ls /sys/firmware | wc -l); "
             "echo kcore=$(test -e /proc/kcore && wc -c < /proc/kcore); ls /dev")
    plain = run(env, bb, "sh", "-c", probe).out
    priv = run(env, "--privileged", bb, "sh", "-c", probe).out
    host_fw = len(os.listdir("/sys/firmware"))
    assert "firmware=0" in plain
    assert f"firmware={host_fw}" in priv, "/sys/firmware is not masked with --privileged"
    assert mounts_of(plain, "/sys")[3].startswith("ro")
    assert mounts_of(priv, "/sys")[3].startswith("rw"), "sysfs is read-write with --privileged"
    # no read-only binds over /proc/sys and no masks
    assert mounts_of(plain, "/proc/sys") is not None and mounts_of(priv, "/proc/sys") is None
    assert mounts_of(priv, "/proc/kcore") is None and mounts_of(priv, "/sys/firmware") is None
    devs = set(priv.split())
    missing = [d for d in host_devices() if d not in devs]
    assert missing == [], f"host devices not bound with --privileged: {missing}"
    assert "tty1" not in priv.split() and "console" not in plain.split()


# --- user namespace -------------------------------------------------------------------------------

@pytest.mark.solo
def test_userns_host_is_the_rootless_namespace(env, bb):
    own = env.run("unshare", "cat", "/proc/self/uid_map").out.split()
    for mode in ("host", ""):
        args = ["--userns", mode] if mode else []
        assert run(env, *args, bb, "cat", "/proc/self/uid_map").out.split() == own
    assert run(env, "--userns=host", bb, "id", "-u").out == "0\n"


# --- read-only rootfs -----------------------------------------------------------------------------

@pytest.mark.solo
def test_read_only_keeps_tmp_run_writable(env, bb, tmp_path):
    res = run(env, "--read-only", bb, "sh", "-c",
              "for d in /tmp /var/tmp /run; do touch $d/x && echo $d=ok; done; touch /etc/x 2>&1; cat /proc/mounts")
    assert res.out.splitlines()[:3] == ["/tmp=ok", "/var/tmp=ok", "/run=ok"]
    assert "Read-only file system" in res.out.splitlines()[3]
    for d in ("/tmp", "/var/tmp", "/run"):
        m = mounts_of(res.out, d)
        assert m and m[2] == "tmpfs" and {"rw", "nosuid", "nodev"} <= set(m[3].split(",")), (d, m)
    assert mounts_of(res.out, "/")[3].startswith("ro")
    res = run(env, "--read-only", "--read-only-tmpfs=false", bb, "sh", "-c", "touch /tmp/x", check=False)
    assert res.rc == 1 and "Read-only file system" in res.err
    # a volume on /tmp wins over the tmpfs
    host = tmp_path / "t"
    host.mkdir()
    run(env, "--read-only", "-v", f"{host}:/tmp", bb, "touch", "/tmp/from-ctr")
    assert (host / "from-ctr").exists()
    # without --read-only nothing is added
    assert mounts_of(run(env, bb, "cat", "/proc/mounts").out, "/tmp") is None


# --- volumes at create ----------------------------------------------------------------------------

@pytest.mark.solo
def test_named_volume_made_at_create_and_kept_by_rm_v(env, bb):
    cid = env.run("create", "-v", "named1:/a", "-v", "/anon", bb, "sh", "-c", "echo data > /a/f").out.strip()
    vols = volumes(env)
    assert "named1" in vols and len(vols) == 2, "create makes the named and the anonymous volume"
    mounts = {m["Destination"]: m for m in json.loads(env.run("inspect", cid).out)[0]["Mounts"]}
    mp = json.loads(env.run("volume", "inspect", "named1").out)[0]["Mountpoint"]
    assert mounts["/a"]["Source"] == mp and mounts["/a"]["Name"] == "named1" and mounts["/a"]["Type"] == "volume"
    assert mounts["/a"]["Options"] == ["nosuid", "nodev", "rbind"] and mounts["/a"]["Propagation"] == "rprivate"
    env.run("start", "-a", cid)
    env.run("rm", "-v", cid)
    assert volumes(env) == ["named1"], "rm -v removes only anonymous volumes"
    assert run(env, "-v", "named1:/a", bb, "cat", "/a/f").out == "data\n"


# --- cgroup limits --------------------------------------------------------------------------------

@pytest.mark.solo
def test_resource_limits_are_accepted_with_podmans_warning(env, bb):
    res = run(env, "--memory", "64m", "--cpus", "1.5", "--pids-limit", "10", bb, "echo", "ran")
    assert res.out == "ran\n"
    v2 = subprocess.run(["stat", "-fc", "%T", "/sys/fs/cgroup"], stdout=subprocess.PIPE, text=True).stdout.strip()
    if v2 == "cgroup2fs":
        assert res.err == "Resource limits are not honoured without a systemd user session; ignoring them\n"
    else:
        assert res.err == "Resource limits are not supported and ignored on cgroups V1 rootless systems\n"
    cid = env.run("create", "--memory", "64m", "--pids-limit", "10", bb, "true").out.strip()
    host_config = json.loads(env.run("inspect", cid).out)[0]["HostConfig"]
    assert host_config["Memory"] == 64 * 1024 * 1024 and host_config["PidsLimit"] == 10


# --- a setuid binary of a layer -------------------------------------------------------------------

PROBE_C = r"""
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    printf("ruid=%d euid=%d\n", (int)getuid(), (int)geteuid());
    /* O_APPEND and no write: even a wrong success changes nothing */
    int fd = open(argv[1], O_WRONLY | O_APPEND);
    printf("open=%s\n", fd >= 0 ? "ok" : strerror(errno));
    fflush(stdout);
    if (argc > 2) pause();
    return 0;
}
"""


@pytest.fixture
def suid_image(env, tmp_path):
    gcc = shutil.which("gcc")
    if not gcc:
        pytest.skip("gcc is needed to build the setuid probe binary")
    src = tmp_path / "probe.c"
    src.write_text(PROBE_C)
    exe = tmp_path / "probe"
    p = subprocess.run([gcc, "-static", "-O1", "-o", str(exe), str(src)], stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        pytest.skip(f"no static C toolchain for the probe: {p.stderr.strip()[:200]}")
    layer = (TarBuilder().dir("bin").dir("etc").dir("tmp", mode=0o1777)
             .file("bin/probe", exe.read_bytes(), mode=0o4755, uid=0, gid=0)
             .file("etc/passwd", "root:x:0:0:root:/:/bin/probe\napp:x:1000:1000:app:/:/bin/probe\n")
             .file("etc/group", "root:x:0:\napp:x:1000:\n").bytes())
    repo = f"suid-{os.getpid()}-{time.time_ns() % 100000}"
    env.registry.api.push_image(repo, "latest", [layer], config_extra={})
    name = ref(env.registry, repo)
    env.run("pull", "-q", name)
    return name


@needs_subids
def test_setuid_binary_gains_nothing_beyond_the_user_namespace(env, suid_image):
    # Inside, the setuid bit works as in Podman: euid 0, the container's root...
    res = run(env, "-u", "app", "-v", "/etc/passwd:/hostfile", suid_image, "/bin/probe", "/hostfile")
    assert res.out == "ruid=1000 euid=0\nopen=Permission denied\n", "host root's file stays closed"
    res = run(env, "-u", "app", "--security-opt", "no-new-privileges", suid_image, "/bin/probe", "/etc/passwd")
    assert res.out.splitlines()[0] == "ruid=1000 euid=1000", "no-new-privileges ignores the setuid bit"
    # ...which is this user on the host, nothing more.
    cid = env.run("run", "-d", "-u", "app", suid_image, "/bin/probe", "/etc/passwd", "wait").out.strip()
    assert wait_for(lambda: "euid=0" in env.run("logs", cid).out)
    pid = json.loads(env.run("inspect", cid).out)[0]["State"]["Pid"]
    with open(f"/proc/{pid}/status") as f:
        uids = next(l for l in f if l.startswith("Uid:")).split()[1:]
    assert uids == [str(SUBUID[0] + 999), str(os.getuid()), str(os.getuid()), str(os.getuid())]
    env.run("rm", "-f", "-t", "0", cid)


# --- bad input ------------------------------------------------------------------------------------

BAD = [
    (["--pull", "bogus"], 'unsupported pull policy "bogus"'),
    (["--restart", "always"], 'the --rm option conflicts with --restart, when the restartPolicy is not "" and "no"'),
    (["--platform", "linux/amd64", "--arch", "amd64"], "--platform option can not be specified with --arch or --os"),
    (["--replace"], "cannot replace container without --name being set"),
    (["--name", "bad name"], "running container create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument"),
    (["-v", "vol1:/data:bogus"], 'invalid option type "bogus"'),
    (["-v", "{tmp}:data"], 'invalid container path "data", must be an absolute path'),
    (["-v", ":/data"], "host directory cannot be empty"),
    (["-v", "{tmp}/missing:/data"], "statfs {tmp}/missing: no such file or directory"),
    (["-v", "bad@name:/x"], 'creating named volume "bad@name": running volume create option: names must match '
                            '[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument'),
    (["--mount", "type=foo,dst=/x"], 'invalid filesystem type "foo"'),
    (["--mount", "src={tmp},dst=/x"], "incorrect mount format: should be --mount type=<bind|tmpfs|volume>,"
                                      "[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]"),
    (["--mount", "type=tmpfs"], "must set volume destination"),
    (["--mount", "type=bind,src={tmp}"], "must set volume destination"),
    (["--mount", "type=bind,src={tmp},dst=/x,bogus=1"], "bogus: invalid mount option"),
    (["--mount", "type=bind,src={tmp},dst=/x,ro=maybe"],
     "'readonly', 'ro', or 'rw' must be set to true or false, instead received \"maybe\": must provide an argument for option"),
    (["--mount", "type=bind,src={tmp}/missing,dst=/x"], "statfs {tmp}/missing: no such file or directory"),
    (["--mount", "type=volume,src=bad@name,dst=/x"], 'creating named volume "bad@name": running volume create option: '
                                                     'names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument'),
    (["--tmpfs", "rel"], 'invalid container path "rel", must be an absolute path'),
    (["--userns", "bogus"], "unrecognized namespace mode bogus passed"),
    (["--cap-add", "BOGUS"], '"CAP_BOGUS": unknown capability'),
    (["--stop-signal", "BOGUS"], "invalid signal: BOGUS"),
    (["--stop-timeout", "abc"], 'invalid argument "abc" for "--stop-timeout" flag: strconv.ParseUint: parsing "abc": invalid syntax'),
    (["--ulimit", "bogus=1"], 'ulimit option "bogus=1" requires name=SOFT:HARD, failed to be parsed: invalid ulimit type: bogus'),
    (["--ulimit", "nofile=5:3"], 'ulimit option "nofile=5:3" requires name=SOFT:HARD, failed to be parsed: '
                                 "ulimit soft limit must be less than or equal to hard limit: 5 > 3"),
    (["--device", "/dev/nosuch"], "stat /dev/nosuch: no such file or directory"),
    (["--security-opt", "bogus"], 'invalid --security-opt 1: "bogus"'),
    (["--security-opt", "seccomp={tmp}/none.json"], "opening seccomp profile failed: open {tmp}/none.json: no such file or directory"),
    (["--env-file", "{tmp}/missing.env"], 'parsing env file "{tmp}/missing.env": open {tmp}/missing.env: no such file or directory'),
    (["-e", "=x"], 'invalid environment variable: "=x"'),
    (["--label-file", "{tmp}/missing"], "unable to process labels: open {tmp}/missing: no such file or directory"),
    (["--memory", "bogus"], "invalid value for memory: invalid size: 'bogus'"),
    (["--cpus", "abc"], 'invalid argument "abc" for "--cpus" flag: strconv.ParseFloat: parsing "abc": invalid syntax'),
    (["--pids-limit", "abc"], 'invalid argument "abc" for "--pids-limit" flag: strconv.ParseInt: parsing "abc": invalid syntax'),
]


@pytest.mark.solo
@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_option_is_one_line_and_leaves_nothing(env, bb, tmp_path, args, message):
    tmp = str(tmp_path)
    args = [a.replace("{tmp}", tmp) for a in args]
    before = store_snapshot(env.root)
    # -v /anon: an anonymous volume would be made before most checks; it must go again
    res = env.run("run", "--rm", "-v", "/anon", *args, bb, "true", check=False)
    assert assert_error(res) == "Error: " + message.replace("{tmp}", tmp)
    assert containers_dir(env) == [] and volumes(env) == []
    assert_store_unchanged(before, env.root)


@pytest.mark.solo
def test_name_in_use_leaves_no_anonymous_volume(env, bb, tmp_path):
    env.run("create", "--name", "taken", bb, "true")
    before = store_snapshot(env.root)
    res = env.run("run", "-v", "/anon", "--name", "taken", bb, "true", check=False)
    assert_error(res, 'the container name "taken" is already in use')
    assert volumes(env) == []
    assert_store_unchanged(before, env.root)
    cidfile = tmp_path / "cid"
    cidfile.write_text("someone else's\n")
    res = env.run("run", "--cidfile", str(cidfile), "-v", "/anon", bb, "true", check=False)
    assert assert_error(res) == f"Error: container id file exists. Ensure another container is not using it or delete {cidfile}"
    assert cidfile.read_text() == "someone else's\n" and volumes(env) == []
    assert_store_unchanged(before, env.root)
