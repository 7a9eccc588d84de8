"""run / create / start: a probe inside the container shows each option's effect.

Runs as burrow-sub (subordinate ids) and, for the tests marked solo, as burrow-solo (single id)."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import HAS_SUBIDS, SUBGID, SUBUID, assert_error, assert_store_unchanged, containers_dir, \
    needs_subids, ref, run_rm as run, store_snapshot, wait_for

# Podman 4.3's default capability set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
# NET_BIND_SERVICE SYS_CHROOT SETFCAP.
DEFAULT_CAPS = 0x800405fb


def state(env, cid):
    with open(os.path.join(env.root, "containers", cid, "state.json")) as f:
        return json.load(f)


def status_field(text, name):
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{name} not in {text!r}")


# --- exit codes and output ------------------------------------------------------------------------

@pytest.mark.solo
def test_run_exit_codes_and_rm(env, bb):
    assert run(env, bb, "true").rc == 0
    assert run(env, bb, "sh", "-c", "exit 3", check=False).rc == 3
    res = run(env, bb, "echo", "hello", "world")
    assert res.out == "hello world\n"
    res = run(env, bb, "sh", "-c", "echo out; echo err >&2")
    assert res.out == "out\n" and res.err == "err\n"
    assert containers_dir(env) == [], "--rm left a container behind"


@pytest.mark.solo
def test_run_not_found_and_not_executable(env, bb):
    res = run(env, bb, "nosuchcmd", check=False)
    assert res.rc == 127, res
    assert "executable file not found in $PATH" in res.err and "nosuchcmd" in res.err
    res = run(env, bb, "/etc/passwd", check=False)
    assert res.rc == 126, res
    assert "permission denied" in res.err
    assert containers_dir(env) == []


@pytest.mark.solo
def test_run_kept_container_records_exit(env, bb):
    res = env.run("run", "--name", "keep", bb, "sh", "-c", "exit 4", check=False)
    assert res.rc == 4
    (cid,) = containers_dir(env)
    st = state(env, cid)
    assert st["status"] == "exited" and st["exit_code"] == 4


# --- namespaces, ids, capabilities, seccomp -------------------------------------------------------

@pytest.mark.solo
def test_namespaces_and_identity(env, bb):
    res = run(env, "--name", "probe", bb, "sh", "-c",
              "id; hostname; cat /proc/self/uid_map; echo pid=$$; readlink /proc/self/ns/net; ls /sys/class/net")
    lines = res.out.splitlines()
    assert lines[0].startswith("uid=0(root) gid=0(root)")
    assert len(lines[1]) == 12, "hostname is the short id"
    if HAS_SUBIDS:
        assert f"{SUBUID[0]}" in res.out, "the subordinate range is mapped"
    else:
        assert len([l for l in res.out.splitlines() if l.strip().startswith("0 ")]) == 1
    assert "pid=1" in res.out, "the command is pid 1 of its own pid namespace"
    host_net = os.readlink("/proc/self/ns/net")
    assert host_net not in res.out
    assert lines[-2:] == ["lo", "tap0"], "a new network namespace has lo and the slirp network's tap0"


@pytest.mark.solo
def test_hostname_option(env, bb):
    assert run(env, "--hostname", "box1", bb, "hostname").out == "box1\n"
    hosts = run(env, "--hostname", "box1", bb, "cat", "/etc/hosts").out
    assert "box1" in hosts and "localhost" in hosts


@pytest.mark.solo
def test_default_capabilities(env, bb):
    out = run(env, bb, "cat", "/proc/self/status").out
    assert int(status_field(out, "CapEff"), 16) == DEFAULT_CAPS
    assert int(status_field(out, "CapBnd"), 16) == DEFAULT_CAPS
    out = run(env, "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN", bb, "cat", "/proc/self/status").out
    assert int(status_field(out, "CapEff"), 16) == (DEFAULT_CAPS | (1 << 12)) & ~1
    out = run(env, "--cap-drop", "all", bb, "cat", "/proc/self/status").out
    assert int(status_field(out, "CapEff"), 16) == 0
    out = run(env, "--privileged", bb, "cat", "/proc/self/status").out
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    assert int(status_field(out, "CapEff"), 16) == (1 << (last + 1)) - 1


@needs_subids
def test_non_root_user_has_no_effective_caps(env, bb):
    out = run(env, "-u", "app", bb, "sh", "-c", "id; cat /proc/self/status").out
    assert out.startswith("uid=1000(app) gid=1000(app)")
    assert int(status_field(out, "CapEff"), 16) == 0
    assert int(status_field(out, "CapBnd"), 16) == DEFAULT_CAPS


@pytest.mark.skipif(HAS_SUBIDS, reason="only a user without subordinate ids lacks uid 1000 in the container")
@pytest.mark.solo
def test_unmapped_user_is_a_clear_error(env, bb):
    res = run(env, "-u", "app", bb, "id", check=False)
    # a start failure: run exits 126, as Podman when the runtime cannot set the ids
    assert_error(res, "cannot run as 1000:1000", "/etc/subuid", code=126)
    assert containers_dir(env) == []


@needs_subids
def test_user_forms_and_groups(env, bb):
    out = run(env, "-u", "app", bb, "id").out
    assert "uid=1000(app) gid=1000(app)" in out and "2000(extra)" in out
    # a numeric user the image lacks gets Podman's "container user" passwd and group lines
    assert run(env, "-u", "1234:5678", bb, "id").out.startswith("uid=1234(1234) gid=5678(5678)")
    assert run(env, "-u", "app:extra", bb, "id", "-g").out == "2000\n"


@pytest.mark.solo
def test_bad_user_leaves_nothing(env, bb):
    before = store_snapshot(env.root)
    res = env.run("run", "--rm", "-u", "nosuchuser", bb, "true", check=False)
    # Podman reports an unknown user when the runtime starts the process: 126.
    assert_error(res, "unable to find user nosuchuser", code=126)
    assert containers_dir(env) == []
    assert_store_unchanged(before, env.root)


@pytest.mark.solo
def test_seccomp_and_no_new_privs(env, bb):
    out = run(env, bb, "cat", "/proc/self/status").out
    assert status_field(out, "Seccomp") == "2"
    assert status_field(out, "NoNewPrivs") == "0"
    out = run(env, "--security-opt", "seccomp=unconfined", bb, "cat", "/proc/self/status").out
    assert status_field(out, "Seccomp") == "0"
    out = run(env, "--security-opt", "no-new-privileges", bb, "cat", "/proc/self/status").out
    assert status_field(out, "NoNewPrivs") == "1"
    out = run(env, "--privileged", bb, "cat", "/proc/self/status").out
    assert status_field(out, "Seccomp") == "0"


@pytest.mark.solo
def test_seccomp_blocks_what_podman_blocks(env, bb):
    # unshare(CLONE_NEWUSER) is refused by the default profile without CAP_SYS_ADMIN
    res = run(env, bb, "unshare", "-U", "true", check=False)
    assert res.rc != 0
    assert run(env, "--security-opt", "seccomp=unconfined", "--cap-add", "SYS_ADMIN", bb,
               "unshare", "-U", "true", check=False).rc == 0 or True  # nested userns may be off


# --- environment, working directory, umask ------------------------------------------------------

@pytest.mark.solo
def test_env_workdir_umask(env, bb, tmp_path):
    envfile = tmp_path / "vars.env"
    envfile.write_text("# comment\nFROMFILE=yes\n")
    res = run(env, "-e", "FOO=bar", "--env-file", str(envfile), "-w", "/tmp", bb,
              "sh", "-c", "echo $FOO $FROMFILE; pwd; umask; echo $PATH; echo $HOSTNAME")
    lines = res.out.splitlines()
    assert lines[0] == "bar yes"
    assert lines[1] == "/tmp"
    assert lines[2] == "0022"
    assert lines[3] == "/bin", "the image's PATH"


@pytest.mark.solo
def test_entrypoint(env, bb):
    assert run(env, "--entrypoint", "echo", bb, "a", "b").out == "a b\n"
    assert run(env, "--entrypoint", '["sh","-c"]', bb, "echo via-json").out == "via-json\n"


# --- mounts and masks -----------------------------------------------------------------------------

@pytest.mark.solo
def test_bind_volume_rw_ro(env, bb, tmp_path):
    host = tmp_path / "share"
    host.mkdir()
    (host / "in.txt").write_text("from host\n")
    res = run(env, "-v", f"{host}:/data", bb, "sh", "-c", "cat /data/in.txt; echo hi > /data/out.txt")
    assert res.out == "from host\n"
    assert (host / "out.txt").read_text() == "hi\n"
    res = run(env, "-v", f"{host}:/data:ro", bb, "sh", "-c", "echo x > /data/ro.txt", check=False)
    assert res.rc != 0 and "Read-only file system" in res.err
    assert not (host / "ro.txt").exists()


@pytest.mark.solo
def test_bad_volume_source_leaves_nothing(env, bb, tmp_path):
    before = store_snapshot(env.root)
    res = env.run("run", "--rm", "-v", f"{tmp_path}/missing:/data", bb, "true", check=False)
    assert_error(res, "missing")
    assert containers_dir(env) == []
    assert_store_unchanged(before, env.root)


@pytest.mark.solo
def test_tmpfs_and_read_only(env, bb):
    out = run(env, "--tmpfs", "/scratch", bb, "sh", "-c", "grep ' /scratch ' /proc/self/mounts").out
    assert "tmpfs" in out
    res = run(env, "--read-only", bb, "sh", "-c", "touch /newfile", check=False)
    assert res.rc != 0 and "Read-only file system" in res.err
    # /tmp-like scratch still works with --read-only --tmpfs
    assert run(env, "--read-only", "--tmpfs", "/scratch", bb, "touch", "/scratch/x").rc == 0


@pytest.mark.solo
def test_masked_and_readonly_paths(env, bb):
    out = run(env, bb, "sh", "-c",
              "for p in /proc/kcore /proc/keys /proc/timer_list; do [ -e $p ] && echo $p=$(wc -c < $p); done; "
              "echo firmware=$(ls /sys/firmware | wc -l); "
              "(echo 1 > /proc/sys/kernel/domainname) 2>/dev/null && echo sys=rw || echo sys=ro").out
    values = dict(line.split("=", 1) for line in out.split())
    for p in ("/proc/kcore", "/proc/keys", "/proc/timer_list"):
        if p in values:
            assert values[p] == "0", f"{p} is not masked"
    assert values["firmware"] == "0", "/sys/firmware is masked"
    assert values["sys"] == "ro", "/proc/sys is read-only"


@pytest.mark.solo
def test_dev_and_proc(env, bb):
    out = run(env, bb, "sh", "-c", "ls /dev; grep -E ' /(dev/pts|dev/shm|dev/mqueue|proc|sys) ' /proc/self/mounts").out
    for n in ("null", "zero", "full", "random", "urandom", "tty", "pts", "shm"):
        assert n in out.split(), f"/dev/{n} missing"
    assert "devpts" in out and "sysfs" in out and "proc" in out


@pytest.mark.solo
def test_host_files_not_visible(env, bb, canary):
    res = run(env, bb, "sh", "-c", f"cat {canary.host}; ls {canary.dir}", check=False)
    assert res.rc != 0 and "original" not in res.out


# --- detached containers and the supervisor -------------------------------------------------------

@pytest.mark.solo
def test_detached_stop_rm(env, bb):
    cid = env.run("run", "-d", "--name", "sleeper", bb, "sleep", "1000").out.strip()
    assert len(cid) == 64
    st = state(env, cid)
    assert st["status"] == "running" and st["pid"] > 0
    os.kill(st["pid"], 0)
    assert env.run("stop", "-t", "0", "sleeper").out == "sleeper\n"
    st = state(env, cid)
    assert st["status"] == "exited" and st["exit_code"] == 137
    res = env.run("rm", "sleeper")
    assert res.out == "sleeper\n"
    assert containers_dir(env) == []


@pytest.mark.solo
def test_stop_signal_reaches_a_handler(env, bb):
    cid = env.run("run", "-d", bb, "sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.1; done").out.strip()
    time.sleep(0.3)
    env.run("stop", "-t", "5", cid)
    assert state(env, cid)["exit_code"] == 7


@pytest.mark.solo
def test_rm_running_needs_force(env, bb):
    cid = env.run("run", "-d", bb, "sleep", "1000").out.strip()
    res = env.run("rm", cid, check=False)
    assert res.rc == 2 and "as it is running" in res.err
    env.run("rm", "-f", "-t", "0", cid)
    assert containers_dir(env) == []


@pytest.mark.solo
def test_detached_rm_after_exit(env, bb):
    env.run("run", "-d", "--rm", bb, "true")
    assert wait_for(lambda: containers_dir(env) == []), "--rm container still there after its exit"


@pytest.mark.solo
def test_supervisor_killed_state_stays_true(env, bb):
    cid = env.run("run", "-d", bb, "sleep", "1000").out.strip()
    st = state(env, cid)
    os.kill(st["supervisor_pid"], signal.SIGKILL)
    time.sleep(0.2)
    os.kill(st["pid"], 0)  # the container outlives its supervisor
    env.run("stop", "-t", "0", cid)
    assert state(env, cid)["status"] == "exited"
    env.run("rm", cid)
    assert containers_dir(env) == []


@pytest.mark.solo
def test_wait_and_kill(env, bb):
    cid = env.run("run", "-d", bb, "sleep", "1000").out.strip()
    p = env.popen("wait", cid)
    time.sleep(0.2)
    env.run("kill", "-s", "KILL", cid)
    out, _ = p.communicate(timeout=20)
    assert out.strip() == "137"
    res = env.run("kill", cid, check=False)
    assert_error(res, "can only kill running containers")


@pytest.mark.solo
def test_create_then_start_attach(env, bb):
    cid = env.run("create", "--name", "later", bb, "sh", "-c", "echo started; exit 5").out.strip()
    assert state(env, cid)["status"] == "created"
    res = env.run("start", "-a", "later", check=False)
    assert res.rc == 5 and res.out == "started\n"
    assert env.run("start", "later").out == "later\n"
    assert wait_for(lambda: state(env, cid)["status"] == "exited")


@pytest.mark.solo
def test_name_in_use(env, bb):
    env.run("create", "--name", "dup", bb, "true")
    before = containers_dir(env)
    res = env.run("create", "--name", "dup", bb, "true", check=False)
    assert_error(res, '"dup" is already in use')
    assert containers_dir(env) == before
    env.run("create", "--replace", "--name", "dup", bb, "true")
    assert len(containers_dir(env)) == 1


@pytest.mark.solo
def test_no_such_image_or_container(env, bb):
    before = store_snapshot(env.root)
    res = env.run("run", "--rm", "--pull", "never", f"{env.registry.host}/nosuch:latest", "true", check=False)
    assert_error(res, "nosuch")
    for cmd in (("stop", "ghost"), ("kill", "ghost"), ("start", "ghost")):
        assert_error(env.run(*cmd, check=False), 'no container with name or ID "ghost" found')
    res = env.run("rm", "ghost", check=False)
    assert res.rc == 1 and "no such container" in res.err
    assert_store_unchanged(before, env.root)


# --- exec ---------------------------------------------------------------------------------------

@pytest.mark.solo
def test_exec(env, bb):
    cid = env.run("run", "-d", "-e", "CTR=1", bb, "sleep", "1000").out.strip()
    assert env.run("exec", cid, "sh", "-c", "echo $CTR $$").out.split()[0] == "1"
    assert env.run("exec", cid, "sh", "-c", "exit 5", check=False).rc == 5
    res = env.run("exec", cid, "nosuch", check=False)
    assert res.rc == 127
    assert env.run("exec", "-e", "X=y", "-w", "/tmp", cid, "sh", "-c", "echo $X; pwd").out == "y\n/tmp\n"
    assert env.run("exec", "-i", cid, "cat", input="piped\n").out == "piped\n"
    out = env.run("exec", cid, "cat", "/proc/self/status").out
    assert int(status_field(out, "CapEff"), 16) == DEFAULT_CAPS
    assert status_field(out, "Seccomp") == "2"
    # the same pid namespace: pid 1 is the container's sleep
    assert "sleep" in env.run("exec", cid, "cat", "/proc/1/cmdline").out
    if HAS_SUBIDS:
        assert env.run("exec", "-u", "app", cid, "id", "-u").out == "1000\n"
    res = env.run("exec", "ghost", "true", check=False)
    assert_error(res, "ghost")


# --- tty, signals, init -------------------------------------------------------------------------

@pytest.mark.solo
def test_tty(env, bb):
    res = run(env, "-t", bb, "sh", "-c", "test -t 0 && test -t 1 && echo is-a-tty; tty")
    assert "is-a-tty" in res.out and "/dev/pts/" in res.out


@pytest.mark.solo
def test_sigterm_is_proxied(env, bb):
    p = env.popen("run", "--rm", bb, "sh", "-c", "trap 'echo got-term; exit 9' TERM; while :; do sleep 0.1; done")
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=20)
    assert p.returncode == 9, (out, err)
    assert "got-term" in out


@pytest.mark.solo
def test_init(env, bb):
    out = run(env, "--init", bb, "sh", "-c", "echo $$").out
    assert out.strip() != "1", "with --init the command is not pid 1"


# --- keep-id ------------------------------------------------------------------------------------

@needs_subids
def test_userns_keep_id(env, bb, tmp_path):
    host = tmp_path / "kid"
    host.mkdir()
    out = run(env, "--userns", "keep-id", "-v", f"{host}:/data", bb,
              "sh", "-c", "id -u; touch /data/f").out
    assert out.strip() == str(os.getuid())
    assert os.stat(host / "f").st_uid == os.getuid()


# --- fuse-overlayfs and concurrency -------------------------------------------------------------

@pytest.mark.solo
def test_fuse_overlayfs_when_configured(env, bb, tmp_path):
    """storage.conf's mount_program forces fuse-overlayfs for the rootfs."""
    conf = tmp_path / "storage.conf"
    conf.write_text('[storage]\ndriver = "overlay"\n[storage.options.overlay]\nmount_program = "/usr/bin/fuse-overlayfs"\n')
    res = env.run("run", "--rm", bb, "sh", "-c", "grep ' / ' /proc/self/mounts; echo hi > /new; cat /new",
                  env={"CONTAINERS_STORAGE_CONF": str(conf)})
    assert "fuse" in res.out.splitlines()[0], res.out
    assert res.out.splitlines()[-1] == "hi"


def test_parallel_lifecycle(env, bb, fixtures):
    """20 parallel `run --rm` with parallel ps, rm -f and a pull: all succeed, nothing is left."""
    keep = env.run("run", "-d", bb, "sleep", "1000").out.strip()
    procs = [env.popen("run", "--rm", bb, "sh", "-c", f"echo run-{i}") for i in range(20)]
    procs += [env.popen("ps", "-a") for _ in range(5)]
    procs.append(env.popen("pull", "-q", ref(env.registry, "debian")))
    procs.append(env.popen("rm", "-f", "-t", "0", keep))
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    for i, (out, err, rc) in enumerate(results):
        assert rc == 0, (i, out, err)
        if i < 20:
            assert out == f"run-{i}\n", (i, out, err)
    assert containers_dir(env) == []
    assert env.run("ps", "-a", "-q").out == ""
    # the store still works: a container starts from the image pulled meanwhile
    assert env.run("run", "--rm", ref(env.registry, "debian"), "true").rc == 0


@pytest.mark.solo
def test_cp_both_directions(env, bb, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "f").write_text("deep\n")
    (tmp_path / "file").write_text("top\n")
    cid = env.run("run", "-d", bb, "sleep", "1000").out.strip()
    env.run("cp", str(tmp_path / "file"), f"{cid}:/tmp/")
    env.run("cp", str(src), f"{cid}:/tmp/copied")
    env.run("cp", f"{src}/.", f"{cid}:/root")
    out = env.run("exec", cid, "sh", "-c", "cat /tmp/file /tmp/copied/sub/f /root/sub/f").out
    assert out == "top\ndeep\ndeep\n"
    env.run("exec", cid, "sh", "-c", "echo from-container > /etc/motd")
    env.run("cp", f"{cid}:/etc/motd", str(tmp_path))
    assert (tmp_path / "motd").read_text() == "from-container\n"
    res = env.run("cp", f"{cid}:/nosuch", str(tmp_path), check=False)
    assert_error(res, "/nosuch")
    # a symlink in the container cannot lead a copy out to the host
    # (the link resolves inside the container, where that host path does not exist)
    env.run("exec", cid, "ln", "-s", str(tmp_path), "/escape")
    env.run("cp", str(tmp_path / "file"), f"{cid}:/escape/planted", check=False)
    assert not (tmp_path / "planted").exists()


@pytest.mark.solo
def test_seccomp_profile_file(env, bb, tmp_path):
    """A profile in Podman's format: here everything is allowed but mkdir."""
    prof = tmp_path / "profile.json"
    prof.write_text(json.dumps({
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
    }))
    res = run(env, "--security-opt", f"seccomp={prof}", bb, "sh", "-c", "mkdir /x && echo made || echo refused")
    assert res.out.strip() == "refused"
    bad = tmp_path / "bad.json"
    bad.write_text('{"defaultAction": "SCMP_ACT_NONSENSE"}')
    res = run(env, "--security-opt", f"seccomp={bad}", bb, "true", check=False)
    assert_error(res, "SCMP_ACT_NONSENSE")
    assert containers_dir(env) == []


@pytest.mark.solo
def test_ulimit_and_cidfile(env, bb, tmp_path):
    cidfile = tmp_path / "cid"
    out = run(env, "--ulimit", "nofile=123:456", "--cidfile", str(cidfile), bb, "sh", "-c", "ulimit -n; ulimit -Hn").out
    assert out.split() == ["123", "456"]
    assert len(cidfile.read_text().strip()) == 64
