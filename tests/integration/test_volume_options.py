"""volume create -o (type=tmpfs|bind, device=, o=uid/gid), inspect parity with Podman 4.3 (keys,
Go field names, omitempty fields, errors), copy-up and chown at first use, --image-volume."""
import io
import json
import os
import shutil
import tarfile

import pytest

from conftest import HAS_SUBIDS, SUBUID, assert_error, needs_subids, ref


def inspect_volume(env, name):
    data = json.loads(env.run("volume", "inspect", name).out)
    assert len(data) == 1
    return data[0]


@pytest.mark.solo
def test_inspect_keys_as_podman(env):
    env.run("volume", "create", "v")
    v = inspect_volume(env, "v")
    assert list(v) == ["Name", "Driver", "Mountpoint", "CreatedAt", "Labels", "Scope", "Options", "MountCount",
                       "NeedsCopyUp", "NeedsChown"]
    assert v["MountCount"] == 0 and v["NeedsCopyUp"] is True and v["NeedsChown"] is True
    # Go field names, the omitempty ones as their zero values
    out = env.run("volume", "inspect", "--format",
                  "{{.Name}} {{.MountCount}} {{.NeedsCopyUp}} {{.NeedsChown}} {{.Anonymous}} {{.UID}} {{.GID}}", "v").out
    assert out == "v 0 true true false 0 0\n"
    # five-space indentation, one key a line (Podman #8011)
    assert len(env.run("volume", "inspect", "v").out.splitlines()) >= 10


def test_inspect_missing_volumes(env):
    env.run("volume", "create", "v")
    res = env.run("volume", "inspect", "nosuch", check=False)
    assert res.out == "[]\n"
    assert_error(res, "inspecting object: no such volume nosuch")
    res = env.run("volume", "inspect", "a", "v", "b", check=False)
    assert json.loads(res.out)[0]["Name"] == "v"
    assert res.rc == 125
    assert res.err.splitlines() == ["error inspecting object: no such volume b", "Error: inspecting object: no such volume a"]
    assert_error(env.run("volume", "inspect", check=False), "provide one or more volume names or use --all")


@pytest.mark.parametrize("opts,words", [
    (["-o", "foo=bar"], "invalid mount option foo for driver 'local': invalid argument"),
    (["-o", "novalue"], "invalid mount option novalue for driver 'local': invalid argument"),
    (["-o", "type=bind", "-o", "device=/bogus"],
     "invalid volume option device for driver 'local': stat /bogus: no such file or directory"),
    (["-o", "o=uid=abc"], 'cannot convert UID abc to integer: strconv.Atoi: parsing "abc": invalid syntax'),
    (["-o", "o=uid"], "uid option must provide a UID: invalid argument"),
    (["-o", "o=size=abc"], "cannot convert size abc to integer: invalid size: 'abc'"),
    (["-o", "o=size=1m"], "volume options size and inodes not supported. Filesystem does not support Project Quota"),
    (["-o", "o=noquota,size=1m"], "volume options size and inodes cannot be used without quota"),
    (["--driver", "foo"], "uses volume plugin foo but it could not be retrieved: no volume plugin with name foo available"),
])
def test_create_bad_options(env, opts, words):
    res = env.run("volume", "create", *opts, "x", check=False)
    assert_error(res, words)
    assert env.run("volume", "ls", "-q").out == ""


@pytest.mark.solo
def test_create_options_recorded_as_podman(env):
    args = ("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=uid=1000,nr_inodes=100", "tv")
    if not HAS_SUBIDS:
        # uid 1000 cannot be had in a single-id user namespace
        assert_error(env.run(*args, check=False), "chowning volume directory", "to 1000:0: lchown", "invalid argument")
        assert env.run("volume", "ls", "-q").out == ""
        return
    env.run(*args)
    v = inspect_volume(env, "tv")
    assert v["Options"] == {"UID": "1000", "device": "tmpfs", "o": "uid=1000,nr_inodes=100", "type": "tmpfs"}
    assert v["UID"] == 1000 and "GID" not in v and "NeedsChown" not in v and v["NeedsCopyUp"] is True
    assert list(v)[7:9] == ["UID", "MountCount"]
    assert env.run("volume", "ls", "-q", "--filter", "opt=type=tmpfs").out == "tv\n"


@needs_subids
def test_create_uid_gid_owns_data(env):
    env.run("volume", "create", "-o", "o=uid=1000,gid=2000", "vug")
    v = inspect_volume(env, "vug")
    assert v["Options"] == {"GID": "2000", "UID": "1000", "o": "uid=1000,gid=2000"}
    assert v["UID"] == 1000 and v["GID"] == 2000
    st = os.stat(v["Mountpoint"])
    assert (st.st_uid, st.st_gid) == (SUBUID[0] + 999, SUBUID[0] + 1999)


def test_tmpfs_volume_mounted_at_start(env, bb):
    env.run("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=nr_inodes=100,noexec", "tv")
    out = env.run("run", "--rm", "-v", "tv:/vol", bb, "sh", "-c",
                  "stat -f -c %T /vol; grep ' /vol ' /proc/mounts; echo x > /vol/f").out.splitlines()
    assert out[0] == "tmpfs"
    assert "nr_inodes=100" in out[1] and "noexec" in out[1]
    assert os.listdir(inspect_volume(env, "tv")["Mountpoint"]) == [], "the tmpfs is not the host directory"
    cid = env.run("run", "-d", "-v", "tv:/vol", bb, "sleep", "100").out.strip()
    assert env.run("volume", "inspect", "--format", "{{.MountCount}}", "tv").out == "1\n"
    env.run("rm", "-f", "-t", "0", cid)
    assert env.run("volume", "inspect", "--format", "{{.MountCount}}", "tv").out == "0\n"


def test_bind_volume(env, bb, tmp_path):
    d = tmp_path / "dev"
    d.mkdir()
    (d / "myfile").write_text("from the host\n")
    env.run("volume", "create", "-o", "type=bind", "-o", f"device={d}", "vb")
    assert inspect_volume(env, "vb")["Options"] == {"device": str(d), "type": "bind"}
    out = env.run("run", "--rm", "-v", "vb:/vol", bb, "sh", "-c", "cat /vol/myfile; stat -c %u:%g /vol/myfile; "
                  "echo back > /vol/out").out
    assert out == "from the host\n0:0\n"
    assert (d / "out").read_text() == "back\n"
    env.run("volume", "create", "-o", "type=bind", "-o", f"device={d}", "-o", "o=ro", "vro")
    res = env.run("run", "--rm", "-v", "vro:/vol", bb, "touch", "/vol/x", check=False)
    assert res.rc == 1 and "Read-only file system" in res.err


@pytest.mark.solo
def test_copy_up_and_chown_flags(env, bb):
    """Podman's 160-volumes "create copyup": the image's content lands in an empty volume at its
    first mount over a non-empty directory, once."""
    env.run("volume", "create", "v")
    env.run("run", "--rm", "-v", "v:/vol", bb, "true")
    assert env.run("volume", "inspect", "--format", "{{.NeedsCopyUp}} {{.NeedsChown}}", "v").out == "true false\n"
    assert env.run("run", "--rm", "-v", "v:/etc", bb, "ls", "/etc/passwd").out == "/etc/passwd\n"
    assert env.run("volume", "inspect", "--format", "{{.NeedsCopyUp}}", "v").out == "false\n"
    mp = inspect_volume(env, "v")["Mountpoint"]
    assert os.path.exists(os.path.join(mp, "passwd"))
    # once: emptied, it is not filled again
    for n in os.listdir(mp):
        try:
            os.remove(os.path.join(mp, n))
        except OSError:
            pass
    env.run("run", "--rm", "-v", "v:/etc", bb, "true")
    assert not os.path.exists(os.path.join(mp, "passwd"))


def test_copy_up_skips_a_volume_with_content_and_nocopy(env, volimg):
    env.run("volume", "create", "full")
    mp = inspect_volume(env, "full")["Mountpoint"]
    with open(os.path.join(mp, "mine"), "w") as f:
        f.write("x")
    assert env.run("run", "--rm", "-v", "full:/data", volimg, "ls", "/data").out == "mine\n"
    assert env.run("volume", "inspect", "--format", "{{.NeedsCopyUp}}", "full").out == "true\n"
    env.run("volume", "create", "-o", "nocopy", "nc")
    assert env.run("run", "--rm", "-v", "nc:/data", volimg, "ls", "/data").out == ""
    env.run("volume", "create", "nc2")
    assert env.run("run", "--rm", "-v", "nc2:/data:nocopy", volimg, "ls", "/data").out == ""
    assert env.run("run", "--rm", "-v", "nc2:/data", volimg, "ls", "/data").out == "seed\n"


@needs_subids
def test_chown_to_the_container_user_at_first_use(env, bb):
    env.run("volume", "create", "v")
    env.run("run", "--rm", "-u", "1000:1000", "-v", "v:/newdir", bb, "touch", "/newdir/f")
    st = os.stat(inspect_volume(env, "v")["Mountpoint"])
    assert (st.st_uid, st.st_gid) == (SUBUID[0] + 999, SUBUID[0] + 999)
    # only the first use: another user later finds it as it is
    out = env.run("run", "--rm", "-u", "2000:2000", "-v", "v:/newdir", bb, "stat", "-c", "%u:%g", "/newdir").out
    assert out == "1000:1000\n"
    # over a directory of the image, the volume takes that directory's owner and mode
    env.run("volume", "create", "t")
    out = env.run("run", "--rm", "-u", "1000:1000", "-v", "t:/tmp", bb, "stat", "-c", "%u:%g %a", "/tmp").out
    assert out == "0:0 1777\n"


# --- --image-volume ------------------------------------------------------------------------------

def volume_image(registry, repo):
    """busybox-static plus /data/seed, with VOLUME /data."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for d in ("bin", "data", "etc"):
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            t.addfile(ti)
        with open(shutil.which("busybox") or "/bin/busybox", "rb") as f:
            data = f.read()
        ti = tarfile.TarInfo("bin/busybox")
        ti.size, ti.mode = len(data), 0o755
        t.addfile(ti, io.BytesIO(data))
        for app in ("sh", "stat", "cat", "ls", "grep", "true"):
            ti = tarfile.TarInfo("bin/" + app)
            ti.type, ti.linkname = tarfile.SYMTYPE, "busybox"
            t.addfile(ti)
        seed = b"seeded\n"
        ti = tarfile.TarInfo("data/seed")
        ti.size, ti.mode = len(seed), 0o644
        t.addfile(ti, io.BytesIO(seed))
    registry.api.push_image(repo, "latest", [buf.getvalue()],
                            config_extra={"config": {"Cmd": ["sh"], "Env": ["PATH=/bin"], "Volumes": {"/data": {}}}})
    return ref(registry, repo)


@pytest.fixture
def volimg(env):
    name = volume_image(env.registry, "tests/volimg")
    env.run("pull", "-q", name)
    return name


def test_image_volume_modes(env, volimg, tmp_path):
    out = env.run("run", "--rm", volimg, "sh", "-c", "stat -f -c %T /data; cat /data/seed").out.splitlines()
    assert out[0] != "tmpfs" and out[1] == "seeded"
    assert env.run("volume", "ls", "-q").out == "", "--rm takes the anonymous volume along"
    cid = env.run("create", volimg, "true").out.strip()
    names = env.run("volume", "ls", "-q").out.split()
    assert len(names) == 1 and len(names[0]) == 64
    assert inspect_volume(env, names[0]).get("Anonymous") is True
    env.run("rm", "-v", cid)
    assert env.run("run", "--rm", "--image-volume", "tmpfs", volimg, "stat", "-f", "-c", "%T", "/data").out == "tmpfs\n"
    out = env.run("run", "--rm", "--image-volume", "ignore", volimg, "sh", "-c",
                  "grep -c ' /data ' /proc/mounts; cat /data/seed", check=False).out
    assert out == "0\nseeded\n"
    conf = tmp_path / "containers.conf"
    conf.write_text('[engine]\nimage_volume_mode = "tmpfs"\n')
    e = {"CONTAINERS_CONF": str(conf)}
    assert env.run("run", "--rm", volimg, "stat", "-f", "-c", "%T", "/data", env=e).out == "tmpfs\n"
    assert env.run("run", "--rm", "--image-volume", "bind", volimg, "stat", "-f", "-c", "%T", "/data",
                   env=e).out != "tmpfs\n"
    assert_error(env.run("run", "--rm", "--image-volume", "bogus", volimg, "true", check=False),
                 'invalid image-volume type "bogus". Pick one of bind, tmpfs, or ignore')
    # a mount of the user's on the same path wins
    assert env.run("run", "--rm", "--tmpfs", "/data", volimg, "ls", "/data").out == ""
