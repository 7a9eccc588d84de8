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


# -- images: rows, sort, filters ---------------------------------------------------------------

def test_pull_by_digest_keeps_one_row_and_rmi_untags(env, bb, fixtures):
    before = env.run("images", "-a").out
    digest = fixtures["images"]["busybox"]["digest"]
    fqin = f"{bb}@{digest}"
    env.run("pull", fqin)
    assert env.run("images", "-a").out == before
    assert fqin not in env.inspect(bb)["RepoTags"]
    assert env.run("rmi", fqin).out == f"Untagged: {fqin}\n"
    assert env.run("images", "-a").out == before


def test_pull_tag_and_digest(env, fixtures):
    digest = fixtures["images"]["busybox"]["digest"]
    r = ref(env.registry, "busybox")
    env.run("pull", f"{r}:latest@{digest}")
    assert env.inspect(f"{r}@{digest}")["Id"] == fixtures["images"]["busybox"]["id"]


def test_images_digest_only_name_shows_none_tag(env, fixtures):
    digest = fixtures["images"]["busybox"]["digest"]
    r = ref(env.registry, "busybox")
    env.run("pull", f"{r}@{digest}")
    assert env.run("images", "--format", "{{.Repository}} {{.Tag}}").out == f"{r} <none>\n"


def test_images_sort_and_errors(env, bb, deb):
    out = env.run("images", "--sort", "repository", "--format", "{{.Repository}}").out.split()
    assert out == sorted(out)
    sizes = env.run("images", "--sort", "size", "--format", "{{.VirtualSize}}").out.split()
    assert [int(s) for s in sizes] == sorted(int(s) for s in sizes)
    assert_error(env.run("images", "--sort", "bogus", check=False),
                 "\"bogus\" is not a valid field for sorting. Choose from: created, id, repository, size, tag")
    assert_error(env.run("images", "--filter", "dangling=true", "busybox", check=False),
                 "cannot specify an image and a filter(s)")


def test_images_filters(env, bb, deb, fixtures):
    ids = fixtures["images"]
    fmt = ["--noheading", "--format", "{{.Repository}}"]
    assert env.run("images", *fmt, "--filter", "reference=busybox").out == f"{bb}\n"
    assert env.run("images", *fmt, "--filter", "reference!=busybox").out == f"{deb}\n"
    both = env.run("images", *fmt, "--filter", "reference=busybox", "--filter", "reference=debian").out
    assert sorted(both.split()) == sorted([bb, deb])
    assert env.run("images", *fmt, "--filter", "id=" + ids["busybox"]["id"]).out == f"{bb}\n"
    assert env.run("images", *fmt, "--filter", "dangling=true").out == ""
    assert env.run("images", *fmt, "--filter", "containers=false").out.count("\n") == 2
    newer, older = sorted([bb, deb], key=lambda n: env.inspect(n)["Created"], reverse=True)
    if env.inspect(newer)["Created"] != env.inspect(older)["Created"]:
        assert env.run("images", *fmt, "--filter", "before=" + newer).out == f"{older}\n"
        assert env.run("images", *fmt, "--filter", "since=" + older).out == f"{newer}\n"


def test_images_filter_errors(env, bb):
    assert_error(env.run("images", "--filter", "bogus", check=False),
                 "invalid image filter \"bogus\": must be in the format \"filter=value or filter!=value\"")
    assert_error(env.run("images", "--filter", "color=red", check=False), "unsupported image filter \"color\"")
    assert_error(env.run("images", "--filter", "before=nosuch", check=False),
                 "could not find local image for filter filter \"before\"=\"nosuch\"")
    assert_error(env.run("images", "--filter", "dangling=maybe", check=False), "non-boolean value")


def test_untag_unknown_tag(env, bb):
    assert_error(env.run("untag", bb, "registry.com/foo:bar", check=False), "registry.com/foo:bar: tag not known")


# -- image sign ----------------------------------------------------------------------------------

GPG_KEY = """%no-protection
Key-Type: RSA
Key-Length: 2048
Name-Real: Tester
Name-Email: tester@example.com
Expire-Date: 0
%commit
"""


def test_image_sign_writes_verifiable_signature(env, bb, fixtures, tmp_path):
    gnupg = tmp_path / "gnupg"
    gnupg.mkdir(mode=0o700)
    genv = dict(env.environ, GNUPGHOME=str(gnupg))
    (tmp_path / "keydetails").write_text(GPG_KEY)
    subprocess.run(["gpg", "--batch", "--gen-key", str(tmp_path / "keydetails")], env=genv, check=True,
                   capture_output=True)
    sigs = tmp_path / "sigs"
    sigs.mkdir()
    env.run("image", "sign", "--sign-by", "tester@example.com", "--directory", str(sigs), f"docker://{bb}",
            env={"GNUPGHOME": str(gnupg)})
    digest = fixtures["images"]["busybox"]["digest"]
    d = sigs / ("busybox@" + digest.replace(":", "="))
    assert (d / "signature-1").is_file()
    v = subprocess.run(["gpg", "--decrypt", str(d / "signature-1")], env=genv, capture_output=True, text=True)
    assert "Good signature" in v.stderr, v.stderr
    payload = json.loads(v.stdout)
    assert payload["critical"]["type"] == "atomic container signature"
    assert payload["critical"]["image"]["docker-manifest-digest"] == digest
    assert payload["critical"]["identity"]["docker-reference"] == f"{bb}:latest"
    env.run("image", "sign", "--sign-by", "tester@example.com", "-d", str(sigs), f"docker://{bb}",
            env={"GNUPGHOME": str(gnupg)})
    assert (d / "signature-2").is_file()


def test_image_sign_errors(env, tmp_path):
    assert_error(env.run("image", "sign", "docker://x/y", check=False), "please provide an identity")
    assert_error(env.run("image", "sign", "--sign-by", "k", "-d", str(tmp_path / "no"), "docker://x/y", check=False),
                 "stat " + str(tmp_path / "no") + ": no such file or directory")
    assert_error(env.run("image", "sign", "--sign-by", "k", "busybox", check=False),
                 "parsing image name: Invalid image name \"busybox\", expected colon-separated transport:reference")


# -- system prune / reset ------------------------------------------------------------------------

def test_system_prune(env, bb, deb):
    env.run("create", "--name", "stopped", bb, "true")
    env.run("volume", "create", "v1")
    env.run("untag", deb)
    res = env.run("system", "prune", "-f")
    assert "Deleted Containers\n" in res.out and "Deleted Images\n" in res.out
    assert res.out.splitlines()[-1].startswith("Total reclaimed space: ")
    assert env.run("ps", "-aq").out == ""
    assert [i["Names"] for i in env.images_json()] == [[f"{bb}:latest"]]
    assert env.run("volume", "ls", "-q").out == "v1\n"
    env.run("system", "prune", "-f", "--volumes", "--all")
    assert env.images_json() == [] and env.run("volume", "ls", "-q").out == ""


def test_system_prune_prompt(env, bb):
    env.run("untag", bb)
    res = env.run("system", "prune", input="n\n")
    assert res.out.startswith("WARNING! This command removes:\n\t- all stopped containers\n")
    assert "\t- all dangling images\n" in res.out and res.out.endswith("Are you sure you want to continue? [y/N] ")
    assert len(env.images_json()) == 1
    res = env.run("system", "prune", "--volumes", input="y\n")
    assert "\t- all volumes not used by at least one container" in res.out
    assert env.images_json() == []
    assert_error(env.run("system", "prune", "--filter", "color=red", "-f", check=False), "color is an invalid filter")


def test_system_reset(env, bb):
    env.run("create", bb, "true")
    env.run("volume", "create", "v1")
    res = env.run("system", "reset", input="n\n")
    assert res.out.startswith("WARNING! This will remove:\n        - all containers\n")
    assert env.run("ps", "-aq").out != ""
    env.run("system", "reset", "-f")
    assert env.run("ps", "-aq").out == "" and env.images_json() == []
    assert env.run("volume", "ls", "-q").out == ""
    env.run("pull", "-q", bb)  # the store works again afterwards
