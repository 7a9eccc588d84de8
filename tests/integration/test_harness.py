"""The harness itself: fixtures, registries and helpers are sound, checked with independent
tools (skopeo, curl, urllib). These pass without a burrow binary."""
import json
import os
import subprocess
import tempfile
import urllib.error
import urllib.request

import pytest

from conftest import AUTH_PASSWORD, AUTH_USER, store_snapshot, snapshot_diff
from regapi import TarBuilder

pytestmark = pytest.mark.solo


def skopeo_inspect(*args):
    # An empty auth file: the user's own credentials must not leak into the harness checks.
    with tempfile.NamedTemporaryFile("w", suffix=".json") as auth:
        auth.write("{}")
        auth.flush()
        return subprocess.run(["skopeo", "inspect", "--authfile", auth.name, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)


@pytest.mark.parametrize("name", ["busybox", "debian", "debian_zstd"])
def test_registry_serves_fixture(registry, fixtures, name):
    img = fixtures["images"][name]
    p = skopeo_inspect("--tls-verify=false", "--raw", f"docker://{registry.host}/{img['repo']}:{img['tag']}")
    assert p.returncode == 0, p.stderr
    assert "sha256:" + __import__("hashlib").sha256(p.stdout.encode()).hexdigest() == img["digest"]


def test_multiarch_index_has_two_platforms(registry, fixtures):
    p = skopeo_inspect("--tls-verify=false", "--raw", f"docker://{registry.host}/multiarch:latest")
    assert p.returncode == 0, p.stderr
    idx = json.loads(p.stdout)
    assert sorted(m["platform"]["architecture"] for m in idx["manifests"]) == ["amd64", "arm64"]


def test_debian_fixture_facts(fixtures):
    facts = fixtures["debian_facts"]
    assert len(fixtures["images"]["debian"]["layers"]) >= 4
    assert "usr/share/.wh.man" in facts["whiteouts"]
    assert facts["opaque_dir_files"] == ["99burrow-fixture"]
    assert facts["owners"]["srv/owned/u1000/file"] == [1000, 1000]


def test_auth_registry_needs_credentials_and_tls(auth_registry):
    p = skopeo_inspect("--cert-dir", os.path.dirname(auth_registry.ca), "--raw",
                       f"docker://{auth_registry.host}/busybox:latest")
    assert p.returncode != 0 and ("unauthorized" in p.stderr.lower() or "authentication" in p.stderr.lower()), p.stderr
    certdir = os.path.dirname(auth_registry.ca)
    p = skopeo_inspect("--cert-dir", certdir, "--creds", f"{AUTH_USER}:{AUTH_PASSWORD}", "--raw",
                       f"docker://{auth_registry.host}/busybox:latest")
    assert p.returncode == 0, p.stderr
    # Without the CA the certificate is not trusted.
    p = skopeo_inspect("--creds", f"{AUTH_USER}:{AUTH_PASSWORD}", "--raw",
                       f"docker://{auth_registry.host}/busybox:latest")
    assert p.returncode != 0 and "certificate" in p.stderr, p.stderr


def test_registry_api_push_roundtrip(registry):
    tar = TarBuilder().dir("etc").file("etc/hello", "hi\n").bytes()
    info = registry.api.push_image("harness/roundtrip", "latest", [tar])
    p = skopeo_inspect("--tls-verify=false", f"docker://{registry.host}/harness/roundtrip:latest")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Digest"] == info["digest"]


def test_registries_conf_names_only_local_registries(env):
    text = open(env.registries_conf).read()
    assert env.registry.host in text
    for line in text.splitlines():
        if "location" in line or "unqualified" in line:
            assert "127.0.0.1:" in line, line


def test_store_snapshot_sees_changes(tmp_path):
    root = tmp_path / "s"
    (root / "a").mkdir(parents=True)
    (root / "a" / "f").write_text("x")
    (root / "a" / "x.lock").write_text("")
    before = store_snapshot(str(root))
    assert store_snapshot(str(root)) == before
    (root / "a" / "y.lock").write_text("")  # lock files are not content
    assert store_snapshot(str(root)) == before
    (root / "a" / "f").write_text("xy")
    after = store_snapshot(str(root))
    assert after != before and "a/f" in snapshot_diff(before, after)


def test_registry_down_port_refuses(env):
    from registry import free_port
    port = free_port()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=5)
