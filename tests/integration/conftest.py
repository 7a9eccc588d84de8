"""Session and per-test fixtures for the integration suite.

The suite runs as an unprivileged user (scripts/test.sh drops to burrow-sub, then burrow-solo).
Everything it starts listens on 127.0.0.1 only and is stopped at the end of the session.

Environment:
  BURROW_BIN            the binary under test (default: <repo>/build/burrow)
  BURROW_FIXTURES       fixture dir from tests/fixtures/build-fixtures.sh (built on demand if unset)
  BURROW_TEST_SMALL_FS  a directory on a small filesystem owned by this user (disk-full test)
"""
import collections
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, "fixtures"))
sys.path.insert(0, HERE)

from registry import Registry  # noqa: E402
from regapi import RegistryAPI  # noqa: E402

BURROW_BIN = os.environ.get("BURROW_BIN") or os.path.join(os.path.dirname(TESTS), "build", "burrow")
AUTH_USER, AUTH_PASSWORD = "burrow-user", "burrow-pass-1"
CMD_TIMEOUT = int(os.environ.get("BURROW_TEST_CMD_TIMEOUT", "300"))


# ---------------------------------------------------------------------------------------------
# who we are

def subid_range(path, user=None):
    """(start, count) of the first range for the current user in /etc/subuid-like files, or None."""
    pw = pwd.getpwuid(os.getuid()) if user is None else pwd.getpwnam(user)
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split(":")
                if len(parts) == 3 and parts[0] in (pw.pw_name, str(pw.pw_uid)):
                    return int(parts[1]), int(parts[2])
    except FileNotFoundError:
        pass
    return None


SUBUID = subid_range("/etc/subuid")
SUBGID = subid_range("/etc/subgid")
HAS_SUBIDS = SUBUID is not None and SUBGID is not None

needs_subids = pytest.mark.skipif(not HAS_SUBIDS, reason="this user has no /etc/subuid and /etc/subgid ranges")
needs_no_subids = pytest.mark.skipif(HAS_SUBIDS, reason="this user has subordinate ids (single-id case runs as burrow-solo)")


def pytest_configure(config):
    config.addinivalue_line("markers", "solo: also run as the user without subordinate ids (burrow-solo)")


def pytest_report_header(config):
    return [f"burrow: {BURROW_BIN} ({'present' if os.access(BURROW_BIN, os.X_OK) else 'MISSING'})",
            f"user: {pwd.getpwuid(os.getuid()).pw_name} subuid={SUBUID} subgid={SUBGID}"]


# ---------------------------------------------------------------------------------------------
# removing what the tests made, including files owned by subordinate ids

def force_rmtree(path):
    if not os.path.lexists(path):
        return

    def onerror(func, p, exc):
        # A read-only directory (or one without x) stops the walk: open it up and retry once.
        try:
            parent = os.path.dirname(p)
            for d in (parent, p):
                if os.path.isdir(d) and not os.path.islink(d) and os.stat(d).st_uid == os.getuid():
                    os.chmod(d, 0o700)
            if func in (os.open, os.lstat, os.scandir):
                return  # the walk could not look inside: the fallbacks below take the rest
            func(p)
        except (OSError, TypeError):
            pass

    shutil.rmtree(path, onerror=onerror)
    if os.path.lexists(path) and HAS_SUBIDS:
        # Files owned by subordinate ids: remove them as root of a user namespace with our mapping.
        subprocess.run(["unshare", "--map-root-user",
                        f"--map-users={SUBUID[0]},1,{SUBUID[1]}", f"--map-groups={SUBGID[0]},1,{SUBGID[1]}",
                        "rm", "-rf", "--", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.path.lexists(path):
        subprocess.run(["rm", "-rf", "--", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------------------
# the store, seen from outside

def store_snapshot(root):
    """Every path under root with its type, mode, owner, size and (for non-directories) mtime.

    Lock files are left out (taking a lock may create one: that is not content), and so are
    directory mtimes (a temp entry made and removed again changes them). Directories this user
    cannot read (owned by a subordinate id without r/x for others) are recorded as such."""
    snap = {}
    if not os.path.exists(root):
        return snap

    def onerror(err):
        snap[os.path.relpath(err.filename, root) + "/<unreadable>"] = str(err.strerror)

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if name.endswith(".lock"):
                continue
            try:
                st = os.lstat(p)
            except OSError as e:
                snap[rel] = ("error", e.strerror)
                continue
            if stat.S_ISDIR(st.st_mode):
                snap[rel] = ("dir", st.st_mode, st.st_uid, st.st_gid)
            else:
                snap[rel] = (stat.S_IFMT(st.st_mode), st.st_mode, st.st_uid, st.st_gid, st.st_size,
                             st.st_mtime_ns)
    return snap


def snapshot_diff(before, after):
    lines = []
    for k in sorted(set(before) | set(after)):
        if before.get(k) != after.get(k):
            lines.append(f"  {k}: {before.get(k, '<absent>')} -> {after.get(k, '<absent>')}")
    return "\n".join(lines[:40]) + ("\n  ..." if len(lines) > 40 else "")


def assert_store_unchanged(before, root):
    after = store_snapshot(root)
    assert before == after, "the store changed:\n" + snapshot_diff(before, after)


# ---------------------------------------------------------------------------------------------
# running burrow

Result = collections.namedtuple("Result", "rc out err")


def assert_error(res, *words, code=125):
    """Podman's failure shape: exit 125 (or `code`) and one line on stderr, 'Error: ...', naming `words`.
    Podman's own "Trying to pull ..." line and its warnings (logrus's 'time="..." level=warning
    msg="..."' on a pipe, "WARN[0000] ..." on a terminal; e.g. the
    single-id mapping notice) may come before it; progress lines may not: the issue asks for none
    when stderr is not a terminal."""
    lines = [l for l in res.err.splitlines()
             if l.strip() and not l.startswith("Trying to pull ") and not l.startswith("WARN[")
             and not re.match(r'time="[^"]*" level=warning ', l)]
    assert res.rc == code, f"exit {res.rc}, expected {code}; stderr: {res.err!r}"
    assert len(lines) == 1 and lines[0].startswith("Error: "), f"not one 'Error: ' line: {res.err!r}"
    for w in words:
        assert w in lines[0], f"{w!r} not named in {lines[0]!r}"
    return lines[0]


class BurrowEnv:
    """A fresh store and a private home for one test: --root/--runroot in a temp dir, HOME,
    XDG_CONFIG_HOME, XDG_RUNTIME_DIR there too, and a registries.conf naming only local
    registries."""

    def __init__(self, base, registry=None, auth_registry=None):
        self.base = base
        self.home = os.path.join(base, "home")
        self.config = os.path.join(self.home, ".config")
        self.runtime = os.path.join(base, "run")
        self.root = os.path.join(base, "store")
        self.runroot = os.path.join(base, "runroot")
        for d in (self.home, self.config, self.runtime):
            os.makedirs(d, mode=0o700, exist_ok=True)
        self.registry, self.auth_registry = registry, auth_registry
        self.insecure = [registry.host] if registry else []
        self.search = [registry.host] if registry else []
        self.registries_conf = os.path.join(base, "registries.conf")
        if auth_registry:
            d = os.path.join(self.config, "containers", "certs.d", auth_registry.host)
            os.makedirs(d)
            shutil.copy(auth_registry.ca, os.path.join(d, "ca.crt"))
        self.write_registries_conf()

    def write_registries_conf(self, extra=""):
        lines = ["unqualified-search-registries = [" + ", ".join(f'"{h}"' for h in self.search) + "]",
                 'short-name-mode = "permissive"', ""]
        for h in self.insecure:
            lines += ["[[registry]]", f'location = "{h}"', "insecure = true", ""]
        with open(self.registries_conf, "w") as f:
            f.write("\n".join(lines) + extra)

    def add_insecure(self, host):
        self.insecure.append(host)
        self.write_registries_conf()

    @property
    def environ(self):
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": self.home,
            "USER": pwd.getpwuid(os.getuid()).pw_name,
            "LOGNAME": pwd.getpwuid(os.getuid()).pw_name,
            "XDG_CONFIG_HOME": self.config,
            "XDG_RUNTIME_DIR": self.runtime,
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "CONTAINERS_REGISTRIES_CONF": self.registries_conf,
            "LANG": "C.UTF-8",
            "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
        }
        return env

    def cmd(self, *args, root=None, runroot=None):
        return [BURROW_BIN, "--root", root or self.root, "--runroot", runroot or self.runroot, *args]

    def run(self, *args, check=True, input=None, timeout=CMD_TIMEOUT, root=None, runroot=None, env=None):
        if not os.access(BURROW_BIN, os.X_OK):
            pytest.fail(f"burrow binary not found or not executable: {BURROW_BIN} (set BURROW_BIN)")
        e = self.environ
        e.update(env or {})
        try:
            p = subprocess.run(self.cmd(*args, root=root, runroot=runroot), env=e, input=input,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                               text=True, errors="replace")
        except subprocess.TimeoutExpired as ex:
            pytest.fail(f"burrow {' '.join(args)} did not finish in {timeout} s: {ex.stderr!r}")
        res = Result(p.returncode, p.stdout, p.stderr)
        if check:
            assert res.rc == 0, f"burrow {' '.join(args)} exited {res.rc}\nstdout: {res.out}\nstderr: {res.err}"
        return res

    def popen(self, *args):
        return subprocess.Popen(self.cmd(*args), env=self.environ, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace")

    def inspect(self, name):
        res = self.run("inspect", "--type", "image", name)
        data = json.loads(res.out)
        assert isinstance(data, list) and len(data) == 1, res.out
        return data[0]

    def images_json(self):
        return json.loads(self.run("images", "--format", "json").out or "[]")

    def layer_diff_dirs(self, name):
        """The image's layer directories, base first, from inspect's GraphDriver (Podman's
        LowerDir lists the highest lower layer first)."""
        data = self.inspect(name)["GraphDriver"]["Data"]
        lowers = [d for d in data.get("LowerDir", "").split(":") if d]
        dirs = list(reversed(lowers)) + [data["UpperDir"]]
        for d in dirs:
            assert os.path.realpath(d).startswith(os.path.realpath(self.root) + "/"), f"{d} not in the store"
        return dirs


# ---------------------------------------------------------------------------------------------
# session fixtures

@pytest.fixture(scope="session")
def fixtures():
    d = os.environ.get("BURROW_FIXTURES")
    if not d:
        p = subprocess.run(["bash", os.path.join(TESTS, "fixtures", "build-fixtures.sh")],
                           stdout=subprocess.PIPE, text=True, check=True)
        d = p.stdout.strip().splitlines()[-1]
    with open(os.path.join(d, "fixtures.json")) as f:
        data = json.load(f)
    data["dir"] = d
    return data


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("session"))


@pytest.fixture(scope="session")
def registry_data(fixtures, session_dir):
    """A private copy of the fixture registry's storage: tests may push to it and corrupt it."""
    dst = os.path.join(session_dir, "registry-data")
    shutil.copytree(os.path.join(fixtures["dir"], "registry"), dst)
    return dst


@pytest.fixture(scope="session")
def registry(registry_data, session_dir):
    r = Registry(registry_data, os.path.join(session_dir, "registry-plain")).start()
    r.api = RegistryAPI(r.url)
    yield r
    r.stop()


def make_tls(dirpath):
    """A CA and a server certificate for 127.0.0.1 signed by it (openssl)."""
    os.makedirs(dirpath, exist_ok=True)
    ca_key, ca, key, csr, crt = (os.path.join(dirpath, n) for n in ("ca.key", "ca.crt", "server.key",
                                                                    "server.csr", "server.crt"))
    ext = os.path.join(dirpath, "san.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run = lambda *a: subprocess.run(["openssl", *a], check=True, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
        "-subj", "/CN=burrow test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", crt,
        "-days", "2", "-extfile", ext)
    # A directory holding only the CA, as in Podman's certs.d/<host>/ (a *.key there would be
    # taken for a client certificate's key).
    certdir = os.path.join(dirpath, "certs.d")
    os.makedirs(certdir)
    shutil.copy(ca, os.path.join(certdir, "ca.crt"))
    return os.path.join(certdir, "ca.crt"), crt, key


@pytest.fixture(scope="session")
def auth_registry(registry_data, session_dir):
    """The same images behind htpasswd Basic auth and TLS with a self-signed CA."""
    d = os.path.join(session_dir, "registry-auth")
    ca, crt, key = make_tls(os.path.join(d, "tls"))
    htpasswd = os.path.join(d, "htpasswd")
    out = subprocess.run(["htpasswd", "-Bbn", AUTH_USER, AUTH_PASSWORD], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    with open(htpasswd, "w") as f:
        f.write(out)
    r = Registry(registry_data, d, htpasswd=htpasswd, cert=crt, key=key, ca=ca).start()
    r.user, r.password = AUTH_USER, AUTH_PASSWORD
    r.api = RegistryAPI(r.url, auth=(AUTH_USER, AUTH_PASSWORD), cafile=ca)
    yield r
    r.stop()


# ---------------------------------------------------------------------------------------------
# per-test fixtures

def stop_containers(e):
    """Containers a test left running must not outlive it (nor keep its store busy), and neither
    may the holder of the store's shared user namespace."""
    holder = os.path.join(e.runroot, "userns.json")
    if os.path.exists(holder):
        try:
            with open(holder) as f:
                os.kill(json.load(f)["pid"], 9)
        except (OSError, ValueError, KeyError):
            pass
    store = os.path.join(e.root, "containers")
    if os.path.isdir(store) and os.listdir(store):
        try:
            subprocess.run(e.cmd("rm", "--all", "--force", "--time", "0"), env=e.environ, timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pass


@pytest.fixture
def env(tmp_path, registry):
    e = BurrowEnv(str(tmp_path), registry)
    yield e
    stop_containers(e)
    force_rmtree(str(tmp_path))


@pytest.fixture
def auth_env(tmp_path, registry, auth_registry):
    e = BurrowEnv(str(tmp_path), registry, auth_registry)
    yield e
    force_rmtree(str(tmp_path))


@pytest.fixture
def burrow(env):
    """burrow(*args, check=True) -> Result(rc, out, err) against a fresh store."""
    return env.run


@pytest.fixture
def canary():
    """A directory outside every store, writable by the test user, that must stay empty, and a
    host file beside it that must stay unchanged (content and link count)."""
    d = tempfile.mkdtemp(prefix="burrow-canary-", dir="/tmp")
    os.chmod(d, 0o777)
    hostdir = tempfile.mkdtemp(prefix="burrow-hostfile-", dir="/tmp")
    host = os.path.join(hostdir, "precious")
    with open(host, "w") as f:
        f.write("original\n")
    os.chmod(host, 0o666)
    c = collections.namedtuple("Canary", "dir host")(d, host)
    yield c
    force_rmtree(d)
    force_rmtree(hostdir)


def ref(registry, name):
    return f"{registry.host}/{name}"


@pytest.fixture
def bb(env):
    """The busybox fixture, pulled into the test's store."""
    name = ref(env.registry, "busybox")
    env.run("pull", "-q", name)
    return name


@pytest.fixture
def deb(env):
    """The Debian fixture, pulled into the test's store."""
    name = ref(env.registry, "debian")
    env.run("pull", "-q", name)
    return name


def run_rm(e, *args, check=True, **kw):
    """burrow run --rm ARGS (`e`, not `env`: callers pass env= for the process environment)."""
    return e.run("run", "--rm", *args, check=check, **kw)


def containers_dir(env):
    """The container ids in the store, sorted."""
    d = os.path.join(env.root, "containers")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def wait_for(pred, timeout=10.0):
    """Polls pred() until it is true or timeout seconds passed; returns its last value."""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()
