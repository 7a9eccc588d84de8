"""Managing the store: images, inspect, tag/untag/rmi, image prune, system df, info, version.
Output shapes follow Podman 4.3 (checked against Debian's podman on the same registry)."""
import json
import os
import re

import pytest

from conftest import ref


@pytest.fixture
def busybox(env, fixtures):
    r = ref(env.registry, "busybox")
    env.run("pull", r)
    return r


# -- images ------------------------------------------------------------------------------------

@pytest.mark.solo
def test_images_table(env, busybox, fixtures):
    out = env.run("images").out.splitlines()
    assert re.split(r"\s{2,}", out[0].strip()) == ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]
    row = re.split(r"\s{2,}", out[1].strip())
    assert row[0] == f"{env.registry.host}/busybox" and row[1] == "latest"
    assert row[2] == fixtures["images"]["busybox"]["id"][:12]
    assert re.search(r"ago$|now", row[3]), row
    assert re.match(r"^[\d.]+ ?[kMG]?B$", row[4]), row
    assert len(out) == 2


def test_images_empty_store_prints_header_only(env):
    out = env.run("images").out.splitlines()
    assert len(out) == 1 and out[0].startswith("REPOSITORY")


@pytest.mark.solo
def test_images_quiet(env, busybox, fixtures):
    assert env.run("images", "-q").out == fixtures["images"]["busybox"]["id"][:12] + "\n"


def test_images_quiet_no_trunc(env, busybox, fixtures):
    out = env.run("images", "-q", "--no-trunc").out.strip()
    assert out == "sha256:" + fixtures["images"]["busybox"]["id"]


def test_images_digests(env, busybox, fixtures):
    out = env.run("images", "--digests").out.splitlines()
    assert re.split(r"\s{2,}", out[0].strip()) == ["REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"]
    assert fixtures["images"]["busybox"]["digest"] in out[1]


def test_images_json(env, busybox, fixtures):
    data = env.images_json()
    assert len(data) == 1
    img = data[0]
    for k in ("Id", "RepoTags", "RepoDigests", "Names", "Digest", "Size", "Created", "CreatedAt", "Labels",
              "Containers", "SharedSize", "VirtualSize"):
        assert k in img, k
    assert img["Id"] == fixtures["images"]["busybox"]["id"]
    assert img["Names"] == [f"{busybox}:latest"]
    assert img["Digest"] == fixtures["images"]["busybox"]["digest"]
    assert img["RepoDigests"] == [f"{busybox}@{fixtures['images']['busybox']['digest']}"]
    assert isinstance(img["Created"], int) and isinstance(img["Size"], int) and img["Size"] > 1000000


def test_images_format_template(env, busybox):
    out = env.run("images", "--format", "{{.Repository}}:{{.Tag}}").out
    assert out == f"{busybox}:latest\n"


def test_images_filter_by_name(env, busybox):
    env.run("pull", ref(env.registry, "multiarch"))
    out = env.run("images", "--format", "{{.Repository}}", ref(env.registry, "multiarch")).out
    assert out == f"{env.registry.host}/multiarch\n"


# -- inspect -----------------------------------------------------------------------------------

@pytest.mark.solo
def test_inspect_keys(env, fixtures):
    r = ref(env.registry, "debian")
    env.run("pull", r)
    data = env.inspect(r)
    img = fixtures["images"]["debian"]
    for k in ("Id", "Digest", "RepoTags", "RepoDigests", "Created", "Config", "Architecture", "Os", "Size",
              "RootFS", "GraphDriver"):
        assert k in data, k
    assert data["Id"] == img["id"]
    assert data["RepoTags"] == [f"{r}:latest"]
    assert data["RepoDigests"] == [f"{r}@{img['digest']}"]
    assert data["Architecture"] == "amd64" and data["Os"] == "linux"
    assert data["RootFS"]["Type"] == "layers"
    assert data["RootFS"]["Layers"] == [l["diff_id"] for l in img["layers"]]
    assert data["Config"]["Cmd"] == ["bash"]
    assert data["GraphDriver"]["Name"] == "overlay"
    assert os.path.isdir(data["GraphDriver"]["Data"]["UpperDir"])
    assert data["Size"] >= sum(l["uncompressed_size"] for l in img["layers"]) * 0.8


def test_inspect_by_short_id_and_format(env, busybox, fixtures):
    iid = fixtures["images"]["busybox"]["id"]
    assert env.inspect(iid[:12])["Id"] == iid
    assert env.run("inspect", "--format", "{{.ID}}", busybox).out.strip() == iid


def test_inspect_unknown(env):
    res = env.run("inspect", "nothere", check=False)
    assert res.rc == 125
    assert "Error: " in res.err and "nothere" in res.err


# -- tag / untag / rmi -------------------------------------------------------------------------

@pytest.mark.solo
def test_tag_adds_name(env, busybox, fixtures):
    new = f"{env.registry.host}/other:t1"
    env.run("tag", busybox, new)
    names = env.images_json()[0]["Names"]
    assert sorted(names) == sorted([f"{busybox}:latest", new])
    assert env.inspect(new)["Id"] == fixtures["images"]["busybox"]["id"]


def test_tag_short_name_gets_localhost(env, busybox):
    env.run("tag", busybox, "mine")
    assert "localhost/mine:latest" in env.images_json()[0]["Names"]


def test_untag_one_name(env, busybox):
    new = f"{env.registry.host}/other:t1"
    env.run("tag", busybox, new)
    env.run("untag", busybox, new)
    assert env.images_json()[0]["Names"] == [f"{busybox}:latest"]


def test_untag_all_names_leaves_dangling_image(env, busybox, fixtures):
    env.run("untag", busybox)
    imgs = env.images_json()
    assert len(imgs) == 1 and not imgs[0].get("Names")
    assert env.run("images", "--format", "{{.Repository}} {{.Tag}}").out == "<none> <none>\n"


def test_rmi_unknown(env):
    res = env.run("rmi", "nothere", check=False)
    assert res.rc == 1
    assert res.err.strip() == "Error: nothere: image not known"


def test_rmi_removes_name_then_image(env, busybox, fixtures):
    new = f"{env.registry.host}/other:t1"
    env.run("tag", busybox, new)
    res = env.run("rmi", new)
    assert f"Untagged: {new}" in res.out
    assert len(env.images_json()) == 1
    res = env.run("rmi", busybox)
    assert f"Untagged: {busybox}:latest" in res.out
    assert f"Deleted: {fixtures['images']['busybox']['id']}" in res.out
    assert env.images_json() == []


def test_rmi_keeps_shared_layers(env, fixtures):
    """busybox and multiarch (amd64) share busybox's layer: it stays until the last user goes."""
    bb, ma = ref(env.registry, "busybox"), ref(env.registry, "multiarch")
    env.run("pull", bb)
    env.run("pull", ma)
    shared = env.layer_diff_dirs(bb)[0]
    assert env.layer_diff_dirs(ma)[0] == shared
    ma_top = env.layer_diff_dirs(ma)[1]
    env.run("rmi", bb)
    assert os.path.isdir(shared), "a layer still used by multiarch was removed"
    env.run("rmi", ma)
    assert not os.path.exists(shared) and not os.path.exists(ma_top), "unused layers were kept"


def test_rmi_all(env, fixtures):
    env.run("pull", ref(env.registry, "busybox"))
    env.run("pull", ref(env.registry, "debian"))
    env.run("rmi", "-a")
    assert env.images_json() == []
    layers = os.path.join(env.root, "layers")
    assert not os.path.isdir(layers) or os.listdir(layers) == []


def test_rmi_force_with_several_names(env, busybox, fixtures):
    env.run("tag", busybox, f"{env.registry.host}/other:t1")
    # By id with two names: Podman refuses without --force.
    res = env.run("rmi", fixtures["images"]["busybox"]["id"][:12], check=False)
    assert res.rc != 0 and "Error: " in res.err
    env.run("rmi", "-f", fixtures["images"]["busybox"]["id"][:12])
    assert env.images_json() == []


# -- prune, df, info, version ------------------------------------------------------------------

def test_image_prune_removes_dangling_only(env, fixtures):
    bb, deb = ref(env.registry, "busybox"), ref(env.registry, "debian")
    env.run("pull", bb)
    env.run("pull", deb)
    env.run("untag", bb)
    res = env.run("image", "prune", "-f")
    assert fixtures["images"]["busybox"]["id"] in res.out
    ids = [i["Id"] for i in env.images_json()]
    assert ids == [fixtures["images"]["debian"]["id"]]


def test_image_prune_all(env):
    env.run("pull", ref(env.registry, "busybox"))
    env.run("image", "prune", "-a", "-f")
    assert env.images_json() == []


@pytest.mark.solo
def test_system_df(env, busybox):
    out = env.run("system", "df").out.splitlines()
    assert re.split(r"\s{2,}", out[0].strip()) == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]
    images = re.split(r"\s{2,}", out[1].strip())
    assert images[0] == "Images" and images[1] == "1" and images[2] == "0"


def test_system_df_json_or_format(env, busybox):
    res = env.run("system", "df", "--format", "json", check=False)
    if res.rc == 0:
        data = json.loads(res.out)
        assert any(d.get("Type") == "Images" and d.get("Total") == 1 for d in data)
    else:
        out = env.run("system", "df", "--format", "{{.Type}} {{.Total}}").out
        assert "Images 1" in out


@pytest.mark.solo
def test_info_json(env):
    data = json.loads(env.run("info", "--format", "json").out)
    assert data["store"]["graphRoot"] == env.root
    assert data["store"]["runRoot"] == env.runroot
    assert data["store"]["graphDriverName"] == "overlay"
    assert "host" in data and "version" in data


def test_info_template(env):
    assert env.run("info", "--format", "{{.Store.GraphRoot}}").out.strip() == env.root


def test_info_counts_images(env, busybox):
    data = json.loads(env.run("info", "--format", "json").out)
    assert data["store"]["imageStore"]["number"] == 1


@pytest.mark.solo
def test_version(env):
    out = env.run("version").out
    assert re.search(r"^Version:\s+\d+\.\d+\.\d+", out, re.M), out
    assert re.search(r"^OS/Arch:\s+linux/amd64", out, re.M), out
    assert env.run("--version").out.startswith("burrow version ")
