"""A small registry API client for tests that write their own images (hostile layers, corrupt
blobs, odd manifests), and tar/gzip helpers. Plain urllib: the harness must not depend on the
code under test."""
import gzip
import hashlib
import io
import json
import ssl
import tarfile
import time
import urllib.parse
import urllib.request

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _request(url, method="GET", data=None, headers=None, auth=None, ctx=None):
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if auth:
        import base64
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    return urllib.request.urlopen(req, timeout=60, context=ctx)


class RegistryAPI:
    def __init__(self, url, auth=None, cafile=None):
        self.url = url.rstrip("/")
        self.auth = auth
        self.ctx = ssl.create_default_context(cafile=cafile) if cafile else None

    def push_blob(self, repo, data):
        digest = sha256(data)
        with _request(f"{self.url}/v2/{repo}/blobs/uploads/", "POST", b"", auth=self.auth, ctx=self.ctx) as r:
            loc = r.headers["Location"]
        loc = urllib.parse.urljoin(self.url + "/", loc)
        sep = "&" if "?" in loc else "?"
        with _request(f"{loc}{sep}digest={urllib.parse.quote(digest)}", "PUT", data,
                      {"Content-Type": "application/octet-stream"}, auth=self.auth, ctx=self.ctx):
            pass
        return digest

    def push_manifest(self, repo, ref, body, media_type=DOCKER_MANIFEST):
        with _request(f"{self.url}/v2/{repo}/manifests/{ref}", "PUT", body,
                      {"Content-Type": media_type}, auth=self.auth, ctx=self.ctx) as r:
            return r.headers.get("Docker-Content-Digest") or sha256(body)

    def get_manifest(self, repo, ref, accept=DOCKER_MANIFEST):
        with _request(f"{self.url}/v2/{repo}/manifests/{ref}", headers={"Accept": accept},
                      auth=self.auth, ctx=self.ctx) as r:
            return r.read()

    def push_image(self, repo, tag, layer_tars, arch="amd64", compress=True, config_extra=None):
        """Pushes a Docker schema 2 image made of uncompressed tar byte strings. Returns a dict with
        digest (manifest), id (config hex), layers (compressed digests), diff_ids."""
        layers, diff_ids = [], []
        for tar in layer_tars:
            diff_ids.append(sha256(tar))
            blob = gzip.compress(tar, mtime=0) if compress else tar
            layers.append({"mediaType": DOCKER_LAYER if compress else "application/vnd.docker.image.rootfs.diff.tar",
                           "size": len(blob), "digest": self.push_blob(repo, blob)})
        config = {"architecture": arch, "os": "linux", "created": "2024-01-01T00:00:00Z",
                  "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": []}
        config.update(config_extra or {})
        cfg = json.dumps(config).encode()
        cfg_digest = self.push_blob(repo, cfg)
        manifest = {"schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
                    "config": {"mediaType": DOCKER_CONFIG, "size": len(cfg), "digest": cfg_digest},
                    "layers": layers}
        body = json.dumps(manifest).encode()
        self.push_manifest(repo, tag, body)
        return {"digest": sha256(body), "id": cfg_digest.split(":", 1)[1], "layers": layers,
                "diff_ids": diff_ids, "manifest": body}


class TarBuilder:
    """Writes tar entries exactly as given: no path cleaning, so hostile names stay hostile."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name, type_, mode=0o644, uid=0, gid=0, size=0):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.uid, ti.gid, ti.size = type_, mode, uid, gid, size
        ti.mtime = int(time.time())
        return ti

    def dir(self, name, mode=0o755, uid=0, gid=0):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode, uid, gid))
        return self

    def file(self, name, data=b"", mode=0o644, uid=0, gid=0):
        data = data.encode() if isinstance(data, str) else data
        self.tar.addfile(self._info(name, tarfile.REGTYPE, mode, uid, gid, len(data)), io.BytesIO(data))
        return self

    def symlink(self, name, target):
        ti = self._info(name, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.tar.addfile(ti)
        return self

    def hardlink(self, name, target):
        ti = self._info(name, tarfile.LNKTYPE)
        ti.linkname = target
        self.tar.addfile(ti)
        return self

    def device(self, name, major, minor, block=False):
        ti = self._info(name, tarfile.BLKTYPE if block else tarfile.CHRTYPE, 0o666)
        ti.devmajor, ti.devminor = major, minor
        self.tar.addfile(ti)
        return self

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()
