"""Image commands scripts rely on, as Podman 4.3 behaves: `image exists` / `container exists`
(exit 0, 1, or 125 when the name cannot be looked up), tag/untag edge cases, pulls by digest,
`images` sorting and filters, `image sign`."""
import json
import os
import re
import subprocess

import pytest

from conftest import assert_error, ref


# -- exists ------------------------------------------------------------------------------------

def test_image_exists(env, bb):
    assert env.run("image", "exists", bb).rc == 0
    assert env.run("image", "exists", "busybox").rc == 0
    iid = env.inspect(bb)["Id"]
    assert env.run("image", "exists", iid[:12]).rc == 0
    assert env.run("image", "exists", "sha256:" + iid).rc == 0
    res = env.run("image", "exists", "nosuchimage", check=False)
    assert (res.rc, res.out, res.err) == (1, "", "")


def test_image_exists_refuses_bad_lookups(env):
    assert_error(env.run("image", "exists", "docker://busybox", check=False), "unsupported transport \"docker\"")
    assert_error(env.run("image", "exists", "sha256:abc", check=False),
                 "sha256:abc: invalid format: no 64-byte hexadecimal value")
    assert_error(env.run("image", "exists", check=False), "accepts 1 arg(s), received 0")


def test_container_exists(env, bb):
    cid = env.run("create", "--name", "there", bb, "true").out.strip()
    for name in ("there", cid, cid[:12]):
        assert env.run("container", "exists", name).rc == 0
    assert env.run("container", "exists", "--external", "there").rc == 0
    res = env.run("container", "exists", "notthere", check=False)
    assert (res.rc, res.out, res.err) == (1, "", "")
    env.run("rm", "there")
    assert env.run("container", "exists", cid, check=False).rc == 1


def test_exists_help(env):
    out = env.run("image", "exists", "--help").out
    assert "Check if an image exists in local storage" in out and "exits with 0" in out
    out = env.run("container", "exists", "--help").out
    assert "--external" in out
