"""`burrow unshare`: a command as root of the store's user namespace, as `podman unshare`."""
import os

import pytest

from conftest import HAS_SUBIDS, SUBUID, ref


def uid_map_lines(text):
    return [l.split() for l in text.strip().splitlines()]


@pytest.mark.solo
def test_unshare_maps_the_user_to_root(env):
    res = env.run("unshare", "cat", "/proc/self/uid_map")
    lines = uid_map_lines(res.out)
    assert lines[0] == ["0", str(os.getuid()), "1"]
    if HAS_SUBIDS:
        assert lines[1] == ["1", str(SUBUID[0]), str(SUBUID[1])]
    else:
        assert len(lines) == 1
    assert env.run("unshare", "id", "-u").out.strip() == "0"


@pytest.mark.solo
def test_unshare_exports_the_store_paths(env):
    out = env.run("unshare", "sh", "-c", "echo $CONTAINERS_GRAPHROOT").out.strip()
    assert out == env.root


@pytest.mark.solo
def test_unshare_exit_codes(env):
    assert env.run("unshare", "sh", "-c", "exit 3", check=False).rc == 3
    res = env.run("unshare", "no-such-command-here", check=False)
    assert res.rc == 127
    assert res.err.strip() == 'Error: exec: "no-such-command-here": executable file not found in $PATH'
    res = env.run("unshare", "/etc/passwd", check=False)
    assert res.rc == 126 and res.err.startswith('Error: exec: "/etc/passwd": permission denied')


@pytest.mark.solo
def test_unshare_can_remove_files_of_subordinate_ids(env):
    # A layer with files owned by other ids: only root of the namespace may delete it all.
    r = ref(env.registry, "debian")
    env.run("pull", r)
    layers = env.layer_diff_dirs(r)
    env.run("unshare", "rm", "-rf", layers[-1])
    assert not os.path.exists(layers[-1])


@pytest.mark.solo
def test_unshare_mounts_stay_private(env, tmp_path):
    d = tmp_path / "m"
    d.mkdir()
    env.run("unshare", "mount", "-t", "tmpfs", "none", str(d))
    # The mount happened in the command's own mount namespace only.
    assert not os.path.ismount(d)
