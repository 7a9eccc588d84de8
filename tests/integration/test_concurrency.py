"""Two processes pulling overlapping images at once share layers and both succeed."""
import os

import pytest

from conftest import ref


def pull_together(env, *refs):
    procs = [env.popen("pull", r) for r in refs]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        results.append((p.returncode, out, err))
    for r, (rc, out, err) in zip(refs, results):
        assert rc == 0, f"pull {r} exited {rc}: {err}"
    return results


def layer_dirs_on_disk(env):
    d = os.path.join(env.root, "layers")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


@pytest.mark.solo
def test_same_image_twice(env, fixtures):
    r = ref(env.registry, "busybox")
    pull_together(env, r, r)
    imgs = env.images_json()
    assert [i["Id"] for i in imgs] == [fixtures["images"]["busybox"]["id"]]
    assert len(layer_dirs_on_disk(env)) == 1


def test_two_tags_of_one_image(env, fixtures):
    a, b = ref(env.registry, "busybox:latest"), ref(env.registry, "busybox:v2")
    pull_together(env, a, b)
    imgs = env.images_json()  # Podman lists an image once per tag
    assert len({i["Id"] for i in imgs}) == 1
    assert sorted(imgs[0]["Names"]) == sorted([a, b])
    assert len(layer_dirs_on_disk(env)) == 1


def test_gzip_and_zstd_share_layers(env, fixtures):
    """Different blobs, same diff ids: the second puller waits for the layer the first is
    extracting (or the reverse) and both images use the same layer directories."""
    a, b = ref(env.registry, "debian"), ref(env.registry, "debian-zstd")
    pull_together(env, a, b)
    assert env.layer_diff_dirs(a) == env.layer_diff_dirs(b)
    assert len(layer_dirs_on_disk(env)) == len(fixtures["images"]["debian"]["layers"])


def test_three_overlapping(env, fixtures):
    refs = [ref(env.registry, n) for n in ("busybox", "multiarch", "debian")]
    pull_together(env, *refs)
    ids = {i["Id"] for i in env.images_json()}
    assert ids == {fixtures["images"]["busybox"]["id"], fixtures["images"]["multiarch"]["platforms"]["amd64"]["id"],
                   fixtures["images"]["debian"]["id"]}
    # busybox's layer is shared with multiarch's base.
    assert len(layer_dirs_on_disk(env)) == 1 + 1 + len(fixtures["images"]["debian"]["layers"])


def test_pull_while_rmi(env, fixtures):
    """rmi of one image while another image sharing its layer is being pulled: the layer stays."""
    bb, ma = ref(env.registry, "busybox"), ref(env.registry, "multiarch")
    env.run("pull", bb)
    p = env.popen("pull", ma)
    env.run("rmi", bb)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    top = env.layer_diff_dirs(ma)
    assert all(os.path.isdir(d) for d in top)
    assert os.path.exists(os.path.join(top[0], "bin/busybox"))
