"""Bad input (issue section 5): each failure is one 'Error: ' line naming the image and the
cause, exit 125, and the store exactly as before (compared file by file)."""
import http.server
import json
import os
import socket
import threading

import pytest

from conftest import assert_error, assert_store_unchanged, ref, store_snapshot
from regapi import TarBuilder
from registry import free_port


@pytest.fixture
def populated(env):
    """A store that already holds busybox, so 'unchanged' means something."""
    env.run("pull", ref(env.registry, "busybox"))
    return store_snapshot(env.root)


@pytest.mark.solo
def test_unknown_registry(env, populated):
    host = f"127.0.0.1:{free_port()}"  # nothing listens there
    env.add_insecure(host)
    res = env.run("pull", f"{host}/busybox:latest", check=False)
    assert_error(res, f"{host}/busybox")
    assert_store_unchanged(populated, env.root)


def test_unknown_image(env, populated):
    res = env.run("pull", ref(env.registry, "nothere"), check=False)
    line = assert_error(res, f"{env.registry.host}/nothere")
    assert "manifest unknown" in line.lower() or "not found" in line.lower()
    assert_store_unchanged(populated, env.root)


def test_unknown_tag(env, populated):
    res = env.run("pull", ref(env.registry, "busybox:nothere"), check=False)
    assert_error(res, f"{env.registry.host}/busybox", "nothere")
    assert_store_unchanged(populated, env.root)


def test_corrupt_blob(env, populated, registry):
    """A layer whose bytes no longer match its digest (overwritten in the registry's storage,
    same length, so only the digest check can notice)."""
    tar = TarBuilder().dir("data").file("data/payload", os.urandom(256 * 1024)).bytes()
    info = registry.api.push_image("bad/corrupt", "latest", [tar])
    layer = info["layers"][0]["digest"].split(":", 1)[1]
    data_file = os.path.join(registry.data, "docker/registry/v2/blobs/sha256", layer[:2], layer, "data")
    size = os.path.getsize(data_file)
    with open(data_file, "r+b") as f:
        f.seek(size // 2)
        f.write(os.urandom(64))
    res = env.run("pull", ref(registry, "bad/corrupt"), check=False)
    line = assert_error(res, f"{registry.host}/bad/corrupt")
    assert "digest" in line.lower()
    assert_store_unchanged(populated, env.root)


class _OneManifestHandler(http.server.BaseHTTPRequestHandler):
    """A registry of one manifest that docker-registry refuses to store, served from here:
    `repo`'s manifest is `body` with Content-Type `ctype`."""
    repo, body, ctype = "", b"", ""

    def do_GET(self):
        if self.path == "/v2/" or self.path == "/v2":
            self._send(200, b"{}", "application/json")
        elif self.path.startswith(f"/v2/{self.repo}/manifests/"):
            self._send(200, self.body, self.ctype)
        else:
            self._send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
                       "application/json")

    do_HEAD = do_GET

    def _send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *a):
        pass


def _serve_one_manifest(repo, body, ctype):
    handler = type("Handler", (_OneManifestHandler,), {"repo": repo, "body": body, "ctype": ctype})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"127.0.0.1:{srv.server_address[1]}"


@pytest.fixture
def broken_registry():
    """A manifest that claims a manifest media type but is not JSON."""
    srv, host = _serve_one_manifest(
        "broken", b'{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": [',
        "application/vnd.docker.distribution.manifest.v2+json")
    yield host
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def schema1_registry():
    """A signed schema 1 manifest (docker-registry 2.8 will not store an unsigned one)."""
    body = json.dumps({"schemaVersion": 1, "name": "bad/schema1", "tag": "latest", "architecture": "amd64",
                       "fsLayers": [], "history": [], "signatures": []}).encode()
    srv, host = _serve_one_manifest("bad/schema1", body,
                                    "application/vnd.docker.distribution.manifest.v1+prettyjws")
    yield host
    srv.shutdown()
    srv.server_close()


def test_malformed_manifest(env, populated, broken_registry):
    env.add_insecure(broken_registry)
    res = env.run("pull", f"{broken_registry}/broken:latest", check=False)
    assert_error(res, f"{broken_registry}/broken")
    assert_store_unchanged(populated, env.root)


class DyingProxy:
    """TCP proxy in front of the registry that, once it has relayed `limit` bytes from the
    registry, closes every connection and its listening socket: the registry is gone."""

    def __init__(self, target_port, limit):
        self.target, self.limit, self.sent = target_port, limit, 0
        self.lock = threading.Lock()
        self.dead = threading.Event()
        self.conns = []
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.dead.is_set():
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            try:
                u = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                c.close()
                continue
            with self.lock:
                self.conns += [c, u]
            threading.Thread(target=self._pipe, args=(c, u, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(u, c, True), daemon=True).start()

    def _pipe(self, src, dst, count):
        try:
            while not self.dead.is_set():
                data = src.recv(65536)
                if not data:
                    break
                if count:
                    with self.lock:
                        self.sent += len(data)
                        over = self.sent > self.limit
                    if over:
                        dst.sendall(data[: max(0, len(data) // 2)])
                        self.kill()
                        return
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def kill(self):
        self.dead.set()
        try:
            self.lsock.close()
        except OSError:
            pass
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass


def test_registry_dies_mid_pull(env, populated, registry, fixtures):
    proxy = DyingProxy(registry.port, limit=4 * 1024 * 1024)
    host = f"127.0.0.1:{proxy.port}"
    env.add_insecure(host)
    try:
        res = env.run("pull", f"{host}/debian:latest", check=False, timeout=180)
    finally:
        proxy.kill()
    assert proxy.sent > 4 * 1024 * 1024, "the pull never reached the layer download"
    assert_error(res, f"{host}/debian")
    assert_store_unchanged(populated, env.root)


@pytest.fixture
def small_fs():
    d = os.environ.get("BURROW_TEST_SMALL_FS")
    if not d or not os.path.isdir(d) or not os.access(d, os.W_OK):
        pytest.skip("no small filesystem: scripts/test.sh mounts one as root (BURROW_TEST_SMALL_FS)")
    import tempfile
    from conftest import force_rmtree
    root = tempfile.mkdtemp(prefix="store-", dir=d)
    yield root
    force_rmtree(root)


def test_disk_full(env, small_fs, fixtures):
    st = os.statvfs(small_fs)
    free = st.f_bavail * st.f_frsize
    need = sum(l["uncompressed_size"] for l in fixtures["images"]["debian"]["layers"])
    assert free < need, f"the small filesystem has {free} bytes free, the image needs {need}"
    env.run("pull", ref(env.registry, "busybox"), root=small_fs)
    before = store_snapshot(small_fs)
    res = env.run("pull", ref(env.registry, "debian"), root=small_fs, check=False)
    line = assert_error(res, f"{env.registry.host}/debian")
    assert "no space left on device" in line.lower()
    assert_store_unchanged(before, small_fs)
    # And the store still works.
    out = env.run("images", "--format", "{{.Repository}}", root=small_fs).out
    assert out == f"{env.registry.host}/busybox\n"


def test_schema1_manifest_refused(env, populated, schema1_registry):
    env.add_insecure(schema1_registry)
    res = env.run("pull", f"{schema1_registry}/bad/schema1:latest", check=False)
    line = assert_error(res, f"{schema1_registry}/bad/schema1")
    assert "schema1" in line.lower()
    assert_store_unchanged(populated, env.root)
