"""burrow pull: formats, references, platforms, short names, -q."""
import os

import pytest

from conftest import assert_error, ref


def image_ids(env):
    return {i["Id"] for i in env.images_json()}


@pytest.mark.solo
def test_pull_busybox(env, fixtures):
    img = fixtures["images"]["busybox"]
    res = env.run("pull", ref(env.registry, "busybox"))
    assert img["id"] in res.out.split(), res.out
    assert image_ids(env) == {img["id"]}


@pytest.mark.solo
@pytest.mark.parametrize("name,repo", [("debian", "debian"), ("debian_zstd", "debian-zstd")])
def test_pull_debian(env, fixtures, name, repo):
    img = fixtures["images"][name]
    env.run("pull", ref(env.registry, f"{repo}:latest"))
    data = env.inspect(ref(env.registry, f"{repo}:latest"))
    assert data["Id"] == img["id"]
    assert data["Digest"] == img["digest"]
    assert data["RootFS"]["Layers"] == [l["diff_id"] for l in img["layers"]]


def test_gzip_and_zstd_images_are_the_same_image(env, fixtures):
    # Same config (same diff ids), different manifests: one image id, two names.
    env.run("pull", ref(env.registry, "debian"))
    env.run("pull", ref(env.registry, "debian-zstd"))
    a = env.inspect(ref(env.registry, "debian"))
    b = env.inspect(ref(env.registry, "debian-zstd"))
    assert a["RootFS"]["Layers"] == b["RootFS"]["Layers"]
    assert env.layer_diff_dirs(ref(env.registry, "debian")) == env.layer_diff_dirs(ref(env.registry, "debian-zstd"))


def test_pull_by_digest(env, fixtures):
    img = fixtures["images"]["busybox"]
    r = ref(env.registry, f"busybox@{img['digest']}")
    res = env.run("pull", r)
    assert img["id"] in res.out
    data = env.inspect(img["id"])
    assert f"{env.registry.host}/busybox@{img['digest']}" in data["RepoDigests"]


def test_pull_by_wrong_digest_fails(env, fixtures):
    bogus = "sha256:" + "0" * 64
    res = env.run("pull", ref(env.registry, f"busybox@{bogus}"), check=False)
    assert_error(res, "busybox")


@pytest.mark.solo
def test_multiarch_picks_amd64(env, fixtures):
    plat = fixtures["images"]["multiarch"]["platforms"]
    res = env.run("pull", ref(env.registry, "multiarch"))
    assert plat["amd64"]["id"] in res.out
    data = env.inspect(ref(env.registry, "multiarch"))
    assert data["Id"] == plat["amd64"]["id"] and data["Architecture"] == "amd64"
    top = env.layer_diff_dirs(ref(env.registry, "multiarch"))[-1]
    assert open(os.path.join(top, "arch-marker")).read().strip() == "amd64"


@pytest.mark.parametrize("flags", [["--arch", "arm64"], ["--platform", "linux/arm64"]])
def test_multiarch_arch_flag_picks_arm64(env, fixtures, flags):
    plat = fixtures["images"]["multiarch"]["platforms"]
    res = env.run("pull", *flags, ref(env.registry, "multiarch"))
    assert plat["arm64"]["id"] in res.out
    data = env.inspect(ref(env.registry, "multiarch"))
    assert data["Id"] == plat["arm64"]["id"] and data["Architecture"] == "arm64"
    top = env.layer_diff_dirs(ref(env.registry, "multiarch"))[-1]
    assert open(os.path.join(top, "arch-marker")).read().strip() == "arm64"


def test_multiarch_unknown_arch_fails(env):
    res = env.run("pull", "--arch", "s390x", ref(env.registry, "multiarch"), check=False)
    assert_error(res, "multiarch")


@pytest.mark.solo
def test_short_name_uses_search_registries(env, fixtures):
    # Not "busybox" or "debian": Debian's /etc/containers/registries.conf.d/shortnames.conf aliases
    # those to docker.io, and Podman (so burrow) reads that drop-in even with
    # $CONTAINERS_REGISTRIES_CONF set; an alias wins over the search list.
    img = fixtures["images"]["multiarch"]["platforms"]["amd64"]
    res = env.run("pull", "multiarch")
    assert img["id"] in res.out
    names = [n for i in env.images_json() for n in (i.get("Names") or [])]
    assert f"{env.registry.host}/multiarch:latest" in names


def test_short_name_alias(env, fixtures):
    env.write_registries_conf(f'\n[aliases]\n"tiny" = "{env.registry.host}/busybox"\n')
    res = env.run("pull", "tiny:v2")
    assert fixtures["images"]["busybox"]["id"] in res.out
    names = [n for i in env.images_json() for n in (i.get("Names") or [])]
    assert f"{env.registry.host}/busybox:v2" in names


@pytest.mark.solo
def test_pull_quiet_prints_only_the_id(env, fixtures):
    res = env.run("pull", "-q", ref(env.registry, "busybox"))
    assert res.out == fixtures["images"]["busybox"]["id"] + "\n"


def test_pull_again_is_a_noop_for_layers(env, fixtures):
    env.run("pull", ref(env.registry, "debian"))
    dirs = env.layer_diff_dirs(ref(env.registry, "debian"))
    mtimes = [os.stat(d).st_mtime_ns for d in dirs]
    res = env.run("pull", ref(env.registry, "debian"))
    assert fixtures["images"]["debian"]["id"] in res.out
    assert [os.stat(d).st_mtime_ns for d in dirs] == mtimes


def test_pull_tls_verify_false_without_config(env, fixtures):
    env.insecure = []
    env.write_registries_conf()
    res = env.run("pull", "--tls-verify=false", ref(env.registry, "busybox"))
    assert fixtures["images"]["busybox"]["id"] in res.out


def test_pull_http_registry_not_marked_insecure_fails(env):
    env.insecure = []
    env.write_registries_conf()
    res = env.run("pull", ref(env.registry, "busybox"), check=False)
    assert_error(res, "busybox")
