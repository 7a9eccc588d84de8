"""What a process finds inside a container (run and exec): /run/.containerenv, /etc/mtab, the
root directory's mode, --workdir, --userns=keep-id's passwd entry, --timeout, the start-failure
exit codes of run, exec -d that detaches, big output."""
import os
import subprocess
import time

import pytest

from conftest import assert_error, containers_dir, needs_subids, run_rm as run


@pytest.mark.solo
def test_containerenv(env, bb):
    assert run(env, bb, "stat", "-c", "%s", "/run/.containerenv").out == "0\n"
    out = run(env, "--privileged", "--name", "envc", bb, "sh", "-c",
              ". /run/.containerenv; echo $engine; echo $name; echo $image; echo $id; echo $imageid; echo $rootless").out
    engine, name, image, cid, iid, rootless = out.splitlines()
    assert engine.startswith("burrow-")
    assert name == "envc"
    assert image == bb + ":latest" or image == bb
    assert len(cid) == 64
    assert iid == env.run("inspect", "--format", "{{.ID}}", bb).out.strip()
    assert rootless == "1"


@pytest.mark.solo
def test_mtab_and_root_mode(env, bb):
    out = run(env, bb, "sh", "-c", "readlink /etc/mtab || echo none").out
    # busybox's image may ship its own /etc/mtab; the link is made only where there is none
    assert out.strip() in ("/proc/mounts", "none") or out.strip().startswith("/")
    top = env.layer_diff_dirs(bb)[-1] if env.layer_diff_dirs(bb) else None
    mode = run(env, bb, "stat", "-c", "%a", "/").out.strip()
    if top:
        assert mode == format(os.stat(top).st_mode & 0o7777, "o")


@pytest.mark.solo
def test_workdir_missing_and_file(env, bb, tmp_path):
    res = env.run("run", "--rm", "--workdir", "/i/do/not/exist", bb, "pwd", check=False)
    assert_error(res, 'workdir "/i/do/not/exist" does not exist on container', code=126)
    assert containers_dir(env) == []
    res = env.run("run", "--rm", "--workdir", "/etc/passwd", bb, "pwd", check=False)
    assert_error(res, 'workdir "/etc/passwd" exists on container', "but is not a directory", code=126)
    # on a volume: fine
    (tmp_path / "content").write_text("hi\n")
    assert run(env, "--workdir", "/NotOnImage", "-v", f"{tmp_path}:/NotOnImage", bb, "cat", "content").out == "hi\n"


@pytest.mark.solo
def test_timeout_kills_and_records_minus_one(env, bb):
    t0 = time.time()
    res = env.run("run", "--name", "to", "--timeout", "2", bb, "sleep", "60", check=False)
    took = time.time() - t0
    assert res.rc == 255, res
    assert 1.5 < took < 10
    assert env.run("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "to").out == "exited -1\n"


@pytest.mark.solo
def test_exec_detach_returns_at_once(env, bb):
    cid = env.run("run", "-d", bb, "sleep", "1000").out.strip()
    t0 = time.time()
    # Through a pipe, as $(...) reads it: the session must not keep our stdout.
    p = subprocess.run(env.cmd("exec", "-d", cid, "sleep", "30"), env=env.environ, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    assert p.returncode == 0, p
    assert time.time() - t0 < 10
    assert len(p.stdout.decode().strip()) == 64
    assert "sleep 30" in env.run("exec", cid, "ps").out or "sleep" in env.run("exec", cid, "ps").out


@pytest.mark.solo
def test_exec_env_tty_and_user_errors(env, bb):
    cid = env.run("run", "-d", bb, "sleep", "1000").out.strip()
    out = env.run("exec", "-t", cid, "sh", "-c", "echo $TERM").out
    assert out.strip() == "xterm"
    res = env.run("exec", "-u", "nosuchuser", cid, "true", check=False)
    assert_error(res, "unable to find user nosuchuser", code=255)
    res = env.run("exec", cid, "/etc", check=False)
    assert res.rc == 126 and "permission denied" in res.err
    res = env.run("exec", cid, "/no/such/command", check=False)
    assert res.rc == 127


@pytest.mark.solo
def test_big_output_not_truncated(env, bb, tmp_path):
    big = tmp_path / "big"
    big.write_bytes(os.urandom(20000).hex().encode())
    assert run(env, "-v", f"{big}:/big", bb, "cat", "/big").out.encode() == big.read_bytes()
    cid = env.run("run", "-d", "-v", f"{big}:/big", bb, "sleep", "1000").out.strip()
    assert env.run("exec", cid, "cat", "/big").out.encode() == big.read_bytes()


@needs_subids
def test_keep_id_passwd_entry_and_home(env, bb, tmp_path):
    import pwd
    me = pwd.getpwuid(os.getuid()).pw_name
    assert run(env, "--userns=keep-id", bb, "id", "-un").out.strip() == me
    out = run(env, "--userns=keep-id", bb, "sh", "-c", "echo $(pwd; echo $HOME; echo ~)").out.split()
    assert out[1] == out[0] and out[2] == out[0]  # no home mounted: the workdir
    home = f"/home/{me}"
    vol = tmp_path / "homevol"
    vol.mkdir()
    out = run(env, "--userns=keep-id", "-v", f"{vol}:{home}", bb, "sh", "-c", "echo $HOME; echo ~").out.split()
    assert out == [home, home]
    assert run(env, "--userns=keep-id", "--user=0", bb, "id", "-un").out.strip() == "root"
    cid = env.run("run", "-d", "--userns=keep-id", bb, "sleep", "1000").out.strip()
    assert env.run("exec", cid, "id", "-un").out.strip() == me
    assert env.run("exec", f"--user={me}", cid, "id", "-u").out.strip() == str(os.getuid())


@pytest.mark.solo
def test_hostuser_entry_and_bogus(env, bb):
    import pwd
    me = pwd.getpwuid(os.getuid()).pw_name
    assert me in run(env, "--hostuser", me, bb, "grep", me, "/etc/passwd").out
    res = env.run("run", "--rm", "--hostuser", "bogus-user-x", bb, "true", check=False)
    assert_error(res, "unknown user bogus-user-x", code=126)
