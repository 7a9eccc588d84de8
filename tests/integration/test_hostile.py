"""Hostile layers, written here as raw tar blobs and pushed with the registry API. Each pull
must fail (one 'Error: ' line, exit 125, store unchanged) or neutralise the entry; either way
nothing outside the store is touched: the canary directory stays empty and the host file keeps
its content and its single link."""
import hashlib
import os
import stat

import pytest

from conftest import assert_error, assert_store_unchanged, ref, store_snapshot
from regapi import TarBuilder

UP = "../" * 40  # more than any store path is deep


def cases(canary):
    c, host = canary.dir, canary.host
    return {
        "absolute": TarBuilder().dir("etc").file(f"{c}/absolute", "pwned\n")
        .file("etc/after", "ok\n"),
        "dotdot": TarBuilder().dir("etc").file(f"{UP}{c.lstrip('/')}/dotdot", "pwned\n")
        .file(f"etc/../..{c}/dotdot2", "pwned\n"),
        "symlink-abs": TarBuilder().symlink("escape", c).file("escape/through-symlink", "pwned\n"),
        "symlink-rel": TarBuilder().dir("a").symlink("a/escape", f"{UP}{c.lstrip('/')}")
        .file("a/escape/through-rel-symlink", "pwned\n"),
        "symlink-dir-chain": TarBuilder().dir("d").symlink("d/up", "..").symlink("d/up2", "up/../..")
        .file(f"d/up2{c}/chain", "pwned\n"),
        "hardlink-host": TarBuilder().hardlink("hl", host).file("hl", "pwned\n"),
        "hardlink-dotdot": TarBuilder().hardlink("hl2", f"{UP}{host.lstrip('/')}").file("after", "ok\n"),
        "devices": TarBuilder().dir("dev").device("dev/mem-like", 1, 1).device("dev/disk", 8, 0, block=True)
        .file("ok", "ok\n"),
        "setuid-root": TarBuilder().dir("bin").file("bin/suid", "#!/bin/sh\n", mode=0o4755, uid=0, gid=0)
        .file("bin/sgid", "#!/bin/sh\n", mode=0o2755, uid=0, gid=0),
    }


CASES = ["absolute", "dotdot", "symlink-abs", "symlink-rel", "symlink-dir-chain", "hardlink-host",
         "hardlink-dotdot", "devices", "setuid-root"]


def unique(canary):
    # Each test's image names its own canary path, so each test pushes its own repository.
    return hashlib.sha256(canary.dir.encode()).hexdigest()[:10]


def host_untouched(canary, before_host):
    assert os.listdir(canary.dir) == [], f"written outside the store: {os.listdir(canary.dir)}"
    st = os.stat(canary.host)
    assert open(canary.host).read() == "original\n", "the host file was modified"
    assert st.st_nlink == 1, "a hard link to the host file was made"
    assert (st.st_mtime_ns, st.st_ino) == before_host


@pytest.mark.solo
@pytest.mark.parametrize("case", CASES)
def test_hostile_layer(env, registry, canary, case):
    tar = cases(canary)[case].bytes()
    repo = f"hostile/{case}-{unique(canary)}"
    registry.api.push_image(repo, "latest", [tar])
    env.run("pull", ref(registry, "busybox"))
    before = store_snapshot(env.root)
    st = os.stat(canary.host)
    before_host = (st.st_mtime_ns, st.st_ino)
    parent_before = sorted(os.listdir(env.base))

    res = env.run("pull", ref(registry, repo), check=False)

    host_untouched(canary, before_host)
    assert sorted(os.listdir(env.base)) == parent_before, "something appeared beside the store"
    if res.rc != 0:
        assert_error(res, repo)
        assert_store_unchanged(before, env.root)
        return
    # Accepted: the entry must have been neutralised inside the layer, and nothing else in the
    # store's layers changed (an escape by one level would land beside the layer directory).
    (layer,) = env.layer_diff_dirs(ref(registry, repo))
    layer_home = os.path.relpath(os.path.dirname(layer), env.root)
    after = store_snapshot(env.root)
    for k in set(after) | set(before):
        if k.startswith("layers/") and after.get(k) != before.get(k):
            assert k == layer_home or k.startswith(layer_home + "/"), f"changed outside the new layer: {k}"
    for dirpath, dirnames, filenames in os.walk(layer):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                assert stat.S_ISCHR(st.st_mode) and st.st_rdev == 0, f"device node created: {p}"
            assert st.st_uid != 0 or os.getuid() == 0, f"owned by host root: {p}"
            if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                # A hard link inside the layer is fine; one to a file outside is not.
                assert os.stat(canary.host).st_nlink == 1
    if case == "devices":
        assert not os.path.exists(os.path.join(layer, "dev/disk")) or \
            not stat.S_ISBLK(os.lstat(os.path.join(layer, "dev/disk")).st_mode)
        assert os.path.isfile(os.path.join(layer, "ok"))
    if case == "setuid-root":
        for n in ("bin/suid", "bin/sgid"):
            st = os.lstat(os.path.join(layer, n))
            # Owned by container root, i.e. the user: a setuid bit there grants nothing.
            assert st.st_uid == os.getuid(), n
    if case == "symlink-abs":
        # The link may exist (it resolves inside a container), but the file went nowhere outside.
        assert not os.path.exists(os.path.join(canary.dir, "through-symlink"))


def test_hostile_layers_leave_no_temp_dirs(env, registry, canary):
    """After a refused layer, the store's temp area is empty again."""
    tar = cases(canary)["absolute"].bytes()
    repo = f"hostile/tmpcheck-{unique(canary)}"
    registry.api.push_image(repo, "latest", [tar])
    env.run("pull", ref(registry, repo), check=False)
    tmp = os.path.join(env.root, "tmp")
    assert not os.path.isdir(tmp) or os.listdir(tmp) == []
