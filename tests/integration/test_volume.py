"""volume create/ls/inspect/rm/prune/exists, and named, anonymous and U volumes in containers."""
import json
import os

import pytest

from conftest import HAS_SUBIDS, SUBUID, assert_error, needs_subids, ref


@pytest.mark.solo
def test_volume_create_ls_inspect(env):
    assert env.run("volume", "create", "v1").out == "v1\n"
    assert env.run("volume", "create", "--label", "team=a", "v2").out == "v2\n"
    res = env.run("volume", "create", "v1", check=False)
    assert_error(res, "volume with name v1 already exists")
    assert env.run("volume", "ls").out.splitlines() == ["DRIVER      VOLUME NAME", "local       v1", "local       v2"]
    assert env.run("volume", "ls", "-q", "--filter", "label=team=a").out == "v2\n"
    data = json.loads(env.run("volume", "inspect", "v2").out)
    assert data[0]["Name"] == "v2" and data[0]["Driver"] == "local" and data[0]["Labels"] == {"team": "a"}
    assert data[0]["Mountpoint"].endswith("/volumes/v2/_data") and os.path.isdir(data[0]["Mountpoint"])
    assert env.run("volume", "inspect", "--format", "{{.Name}} {{.Scope}}", "v1").out == "v1 local\n"
    assert env.run("volume", "exists", "v1").rc == 0
    assert env.run("volume", "exists", "nosuch", check=False).rc == 1
    res = env.run("volume", "create", "bad name", check=False)
    assert_error(res, "names must match")


@pytest.mark.solo
def test_volume_rm_and_prune(env, bb):
    env.run("volume", "create", "keep")
    env.run("volume", "create", "loose")
    res = env.run("volume", "rm", "nosuch", check=False)
    assert res.rc == 1 and 'no volume with name "nosuch" found' in res.err
    cid = env.run("create", "-v", "keep:/data", bb, "true").out.strip()
    res = env.run("volume", "rm", "keep", check=False)
    assert res.rc == 2 and "is being used by the following container(s): " + cid in res.err
    assert env.run("volume", "prune", "-f").out == "loose\n"
    assert env.run("volume", "ls", "-q").out == "keep\n"
    assert env.run("volume", "rm", "-f", "keep").out == "keep\n"
    assert env.run("volume", "ls", "-q").out == ""


@pytest.mark.solo
def test_named_volume_in_container(env, bb):
    env.run("run", "--rm", "-v", "data:/data", bb, "sh", "-c", "echo persisted > /data/f")
    mp = json.loads(env.run("volume", "inspect", "data").out)[0]["Mountpoint"]
    with open(os.path.join(mp, "f")) as f:
        assert f.read() == "persisted\n"
    assert env.run("run", "--rm", "-v", "data:/data:ro", bb, "cat", "/data/f").out == "persisted\n"


@pytest.mark.solo
def test_anonymous_volume_removed_with_rm(env, bb):
    cid = env.run("create", "-v", "/scratch", bb, "true").out.strip()
    names = env.run("volume", "ls", "-q").out.split()
    assert len(names) == 1 and len(names[0]) == 64
    env.run("rm", "-v", cid)
    assert env.run("volume", "ls", "-q").out == ""
    env.run("run", "--rm", "-v", "/scratch", bb, "true")
    assert env.run("volume", "ls", "-q").out == "", "--rm takes anonymous volumes with it"


@needs_subids
def test_volume_U_chowns_to_the_container_user(env, bb, tmp_path):
    host = tmp_path / "owned"
    host.mkdir()
    (host / "f").write_text("x")
    env.run("run", "--rm", "-u", "app", "-v", f"{host}:/data:U", bb, "sh", "-c", "touch /data/g")
    # container uid 1000 is host uid SUBUID[0] + 999
    assert os.stat(host / "f").st_uid == SUBUID[0] + 999
    assert os.stat(host / "g").st_uid == SUBUID[0] + 999
