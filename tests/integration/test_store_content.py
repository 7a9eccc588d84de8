"""What a pull leaves on disk: overlay-format whiteouts and opaque dirs, ownership mapped to the
user's subordinate ids (or squashed to the user without them), modes kept."""
import os
import stat

import pytest

from conftest import HAS_SUBIDS, SUBGID, SUBUID, needs_no_subids, needs_subids, ref


@pytest.fixture
def debian(env, fixtures):
    r = ref(env.registry, "debian")
    env.run("pull", r)
    return env.layer_diff_dirs(r)


@pytest.mark.solo
def test_layer_count(debian, fixtures):
    assert len(debian) == len(fixtures["images"]["debian"]["layers"])


@pytest.mark.solo
def test_whiteouts_are_char_devices_0_0(debian, fixtures):
    layer = debian[1]
    for w in fixtures["debian_facts"]["deleted"]:
        p = os.path.join(layer, w)
        st = os.lstat(p)
        assert stat.S_ISCHR(st.st_mode) and st.st_rdev == 0, f"{w}: mode {oct(st.st_mode)} rdev {st.st_rdev}"
    # No ".wh." file survives as such.
    for dirpath, dirnames, filenames in os.walk(layer):
        for n in dirnames + filenames:
            assert not n.startswith(".wh."), os.path.join(dirpath, n)


@pytest.mark.solo
def test_opaque_dir_has_overlay_xattr(debian, fixtures):
    facts = fixtures["debian_facts"]
    d = os.path.join(debian[2], facts["opaque_dir"])
    assert os.getxattr(d, "user.overlay.opaque", follow_symlinks=False) == b"y"
    assert sorted(os.listdir(d)) == facts["opaque_dir_files"]
    # The base layer still has the old contents: the opaque marker is what hides them.
    assert len(os.listdir(os.path.join(debian[0], facts["opaque_dir"]))) > 0


@pytest.mark.solo
def test_base_layer_content(debian):
    base = debian[0]
    assert os.path.isfile(os.path.join(base, "etc/debian_version"))
    assert open(os.path.join(base, "etc/debian_version")).read().startswith("12")
    assert os.path.islink(os.path.join(base, "bin")) or os.path.isdir(os.path.join(base, "bin"))


@needs_subids
def test_ownership_maps_to_subordinate_ids(debian, fixtures):
    top = debian[3]
    for path, (uid, gid) in fixtures["debian_facts"]["owners"].items():
        st = os.lstat(os.path.join(top, path))
        assert (st.st_uid, st.st_gid) == (SUBUID[0] + uid - 1, SUBGID[0] + gid - 1), path
    # Container root is the user.
    st = os.lstat(os.path.join(debian[0], "etc/debian_version"))
    assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid())


@pytest.mark.solo
@needs_no_subids
def test_ownership_single_id_is_the_user(debian, fixtures):
    top = debian[3]
    for path in fixtures["debian_facts"]["owners"]:
        st = os.lstat(os.path.join(top, path))
        assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid()), path


@pytest.mark.solo
def test_setuid_bit_kept_and_not_host_root(debian, fixtures):
    st = os.lstat(os.path.join(debian[3], fixtures["debian_facts"]["setuid"]))
    assert st.st_mode & stat.S_ISUID
    assert st.st_uid == os.getuid()


@pytest.mark.solo
def test_nothing_in_store_owned_by_host_root(env, debian):
    allowed = {os.getuid()}
    if HAS_SUBIDS:
        allowed |= set(range(SUBUID[0], SUBUID[0] + SUBUID[1]))
    bad = []
    for dirpath, dirnames, filenames in os.walk(env.root):
        for n in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, n))
            if st.st_uid not in allowed:
                bad.append((os.path.join(dirpath, n), st.st_uid))
    assert not bad, bad[:10]


@pytest.mark.solo
def test_busybox_symlinks(env):
    r = ref(env.registry, "busybox")
    env.run("pull", r)
    (layer,) = env.layer_diff_dirs(r)
    assert os.readlink(os.path.join(layer, "bin/sh")) == "busybox"
    assert os.stat(os.path.join(layer, "bin/busybox")).st_mode & 0o111
    assert oct(os.stat(os.path.join(layer, "tmp")).st_mode & 0o7777) == oct(0o1777)
