"""Image names, digests and listings as Podman 4.3 shows them (each checked against Debian's podman
on the same registry): NAME:TAG@DIGEST lookups, tag/untag errors with digests, the names history
containers/storage keeps, one `images --format json` entry per row, RepoDigests, the size with
manifests, `table` formats with spaces, `inspect` format normalising."""
import json
import os

import pytest

from conftest import assert_error, ref


def test_lookup_name_tag_digest_ignores_the_tag(env, bb, fixtures):
    digest = fixtures["images"]["busybox"]["digest"]
    iid = fixtures["images"]["busybox"]["id"]
    for r in (f"{bb}:latest@{digest}", f"{bb}:bogus@{digest}", f"busybox:latest@{digest}",
              f"other/name@{digest}"):
        assert env.run("image", "inspect", "--format", "{{.ID}}", r).out == iid + "\n", r
        assert env.run("image", "exists", r).rc == 0, r
    zero = "sha256:" + "0" * 64
    assert_error(env.run("image", "inspect", f"{bb}:latest@{zero}", check=False), f"{bb}:latest@{zero}")
    assert env.run("image", "exists", f"{bb}@{zero}", check=False).rc == 1


def test_run_name_tag_digest_uses_the_local_image(env, bb, fixtures):
    digest = fixtures["images"]["busybox"]["digest"]
    assert env.run("run", "--rm", f"{bb}:latest@{digest}", "echo", "hi").out == "hi\n"


def test_tag_errors_with_digests(env, bb, fixtures):
    digest = fixtures["images"]["busybox"]["digest"]
    assert_error(env.run("tag", bb, f"x/y@{digest}", check=False), f"x/y@{digest}: tag by digest not supported")
    assert_error(env.run("tag", bb, f"x/y:1@{digest}", check=False), f"x/y:1@{digest}: tag by digest not supported")
    assert_error(env.run("tag", bb, "sha256:abc", check=False), "sha256:abc: tag by digest not supported")
    assert_error(env.run("tag", bb, "UPPER", check=False),
                 'normalizing name "UPPER": normalizing name "UPPER": repository name must be lowercase')
    assert_error(env.run("untag", bb, "sha256:abc", check=False), "sha256:abc: untag by digest not supported")
    assert_error(env.run("untag", bb, f"x/y:1@{digest}", check=False), f"localhost/x/y@{digest}: tag not known")
    assert_error(env.run("untag", bb, "x/y:9", check=False), "localhost/x/y:9: tag not known")


def test_pull_tag_digest_then_untag_it(env, bb, fixtures):
    """001-basic: pull NAME:TAG@DIGEST adds NAME@DIGEST first; untag NAME:TAG@DIGEST removes it."""
    digest = fixtures["images"]["busybox"]["digest"]
    env.run("pull", "-q", f"{bb}:latest@{digest}")
    img = env.images_json()[0]
    assert img["Names"] == [f"{bb}@{digest}", f"{bb}:latest"]
    assert img["History"] == [f"{bb}:latest", f"{bb}@{digest}"]
    env.run("untag", bb, f"{bb}:latest@{digest}")
    img = env.images_json()[0]
    assert img["Names"] == [f"{bb}:latest"]
    assert env.run("image", "exists", bb).rc == 0


def test_names_history_after_tag_and_rmi(env, bb):
    """010-images' history test: rmi of a tag moves the remaining names to the front."""
    env.run("tag", bb, "one")
    env.run("rmi", "one")
    out = env.run("images", bb, "--format", "{{ .History }}").out
    assert out == f"{bb}:latest, localhost/one:latest\n"
    env.run("tag", bb, "two", "three")
    assert env.images_json()[0]["History"] == ["localhost/three:latest", "localhost/two:latest", f"{bb}:latest",
                                               "localhost/one:latest"]
    env.run("untag", bb)
    assert env.inspect(env.images_json()[0]["Id"])["RepoTags"] == []


def test_images_json_one_entry_per_row(env, bb):
    env.run("tag", bb, "x/y:1", "x/y:2")
    data = env.images_json()
    assert len(data) == 3
    assert all(d["Names"] == [f"{bb}:latest", "localhost/x/y:1", "localhost/x/y:2"] for d in data)
    assert all(d["RepoTags"] is None for d in data)


def test_repo_digests_follow_the_names(env, bb, fixtures):
    digest = fixtures["images"]["busybox"]["digest"]
    env.run("tag", bb, "x/y:1")
    assert env.inspect(bb)["RepoDigests"] == sorted([f"{bb}@{digest}", f"localhost/x/y@{digest}"])
    env.run("untag", bb, bb)
    assert env.inspect("x/y:1")["RepoDigests"] == [f"localhost/x/y@{digest}"]
    env.run("untag", "x/y:1")
    assert env.images_json()[0]["RepoDigests"] == []


def test_size_counts_config_and_manifests(env, bb, fixtures):
    img = env.images_json()[0]
    blobs = os.path.join(env.root, "blobs", "sha256")
    config = os.path.getsize(os.path.join(blobs, img["Id"]))
    manifest = os.path.getsize(os.path.join(blobs, img["Digest"].split(":", 1)[1]))
    layers = 0
    for d in env.layer_diff_dirs(bb):
        with open(os.path.join(os.path.dirname(d), "layer.json")) as f:
            layers += json.load(f)["uncompressed_size"]
    # containers/storage: the layers, the config, "manifest" and "manifest-<digest>".
    assert img["Size"] == layers + config + 2 * manifest
    assert env.inspect(bb)["Size"] == img["Size"]


def test_images_table_format_spaces_are_columns(env, bb):
    env.run("tag", bb, "a.b/c:d")
    out = env.run("images", "--sort", "repository", "--format", "table {{.Repository}} {{.Tag}}").out.splitlines()
    width = max(len("a.b/c"), len(bb)) + 2
    rows = sorted([("a.b/c", "d"), (bb, "latest")])
    assert out[0] == "REPOSITORY".ljust(width) + "TAG"
    assert out[1:] == [r.ljust(width) + t for r, t in rows]
    plain = env.run("images", "--sort", "repository", "--format", "{{.Repository}} {{.Tag}}").out
    assert plain.splitlines() == [f"{r} {t}" for r, t in rows]


def test_images_history_and_digests_columns(env, bb, fixtures):
    out = env.run("images", "--history", "--digests").out.splitlines()
    assert out[0].split() == ["REPOSITORY", "TAG", "DIGEST", "IMAGE", "ID", "CREATED", "SIZE", "HISTORY"]
    assert fixtures["images"]["busybox"]["digest"] in out[1] and out[1].endswith(f"{bb}:latest")


def test_images_created_at_is_utc(env, bb):
    out = env.run("images", "--format", "{{.CreatedAt}}", env=({"TZ": "America/New_York"})).out
    assert out.strip().endswith("+0000 UTC")


def test_inspect_format_normalising(env, bb, fixtures):
    iid = fixtures["images"]["busybox"]["id"]
    for cmd in (["inspect"], ["image", "inspect"], ["inspect", "--type", "image"]):
        assert env.run(*cmd, "--format", "{{.Id}}", bb).out == iid + "\n"
        assert env.run(*cmd, "--format", "{{ .Id }}", bb).out == iid + "\n"
    cid = env.run("create", bb, "true").out.strip()
    assert env.run("container", "inspect", "--format", "{{.Id}}", cid).out == cid + "\n"
    assert env.run("inspect", "--format", "{{.ImageID}}", cid).out == iid + "\n"


def test_inspect_template_failure_is_a_printing_error(env, bb):
    res = env.run("image", "inspect", "--format", "{{.XYZ}}", bb, check=False)
    assert_error(res, "inspecting object: printing inspect output: template: ")
    res = env.run("inspect", "--format", "{{.XYZ}}", bb, "nosuch", check=False)
    assert res.rc == 125
    assert res.err.splitlines()[-2].startswith("error inspecting object: printing inspect output: ")
    assert res.err.splitlines()[-1] == 'Error: inspecting object: no such object: "nosuch"'


def test_bad_image_names_are_reference_errors(env, bb):
    """Podman answers 125 with the reference error, not 1 / "image not known", for a name that
    cannot be an image's."""
    for name, why in (("UPPER", "repository name must be lowercase"), ("foo:bar:baz", "invalid reference format"),
                      ("foo@sha256:00", "invalid reference format")):
        assert_error(env.run("image", "exists", name, check=False), why)
        assert_error(env.run("image", "inspect", name, check=False), "inspecting object: " + why)
    assert env.run("image", "exists", "abc", check=False).rc == 1
    assert_error(env.run("image", "inspect", "abc", check=False), "inspecting object: abc: image not known")
