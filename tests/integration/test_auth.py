"""login / logout / pull with credentials against the htpasswd + TLS registry. The CA is found
where Podman looks: ~/.config/containers/certs.d/<host>/ca.crt."""
import base64
import json
import os
import stat

import pytest

from conftest import assert_error, assert_store_unchanged, ref, store_snapshot


def auth_file(env):
    return os.path.join(env.runtime, "containers", "auth.json")


def login(env, password=None, *extra, check=True):
    r = env.auth_registry
    return env.run("login", "--username", r.user, "--password-stdin", *extra, r.host,
                   input=(password or r.password) + "\n", check=check)


@pytest.mark.solo
def test_login_writes_auth_json_0600(auth_env):
    res = login(auth_env)
    assert "Login Succeeded" in res.out
    path = auth_file(auth_env)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.load(open(path))
    entry = data["auths"][auth_env.auth_registry.host]
    r = auth_env.auth_registry
    assert base64.b64decode(entry["auth"]).decode() == f"{r.user}:{r.password}"
    # Never printed.
    assert r.password not in res.out + res.err


def test_login_password_flag(auth_env):
    r = auth_env.auth_registry
    res = auth_env.run("login", "-u", r.user, "-p", r.password, r.host)
    assert "Login Succeeded" in res.out


def test_login_wrong_password(auth_env):
    res = login(auth_env, "not-the-password", check=False)
    assert_error(res, auth_env.auth_registry.host)
    assert not os.path.exists(auth_file(auth_env)) or \
        auth_env.auth_registry.host not in json.load(open(auth_file(auth_env))).get("auths", {})


def test_login_authfile_flag(auth_env, tmp_path):
    path = str(tmp_path / "my-auth.json")
    login(auth_env, None, "--authfile", path)
    assert auth_env.auth_registry.host in json.load(open(path))["auths"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_login_without_ca_fails(auth_env):
    os.remove(os.path.join(auth_env.config, "containers", "certs.d", auth_env.auth_registry.host, "ca.crt"))
    res = login(auth_env, check=False)
    assert res.rc == 125 and "Error: " in res.err


@pytest.mark.solo
def test_pull_with_credentials(auth_env, fixtures):
    login(auth_env)
    res = auth_env.run("pull", ref(auth_env.auth_registry, "busybox"))
    assert fixtures["images"]["busybox"]["id"] in res.out


def test_pull_without_credentials_fails(auth_env):
    auth_env.run("pull", ref(auth_env.registry, "busybox"))
    before = store_snapshot(auth_env.root)
    res = auth_env.run("pull", ref(auth_env.auth_registry, "busybox"), check=False)
    assert_error(res, f"{auth_env.auth_registry.host}/busybox")
    assert_store_unchanged(before, auth_env.root)


def test_pull_with_wrong_credentials_fails(auth_env):
    r = auth_env.auth_registry
    os.makedirs(os.path.dirname(auth_file(auth_env)), exist_ok=True)
    with open(auth_file(auth_env), "w") as f:
        json.dump({"auths": {r.host: {"auth": base64.b64encode(f"{r.user}:wrong".encode()).decode()}}}, f)
    os.chmod(auth_file(auth_env), 0o600)
    auth_env.run("pull", ref(auth_env.registry, "busybox"))
    before = store_snapshot(auth_env.root)
    res = auth_env.run("pull", ref(r, "debian"), check=False)
    assert_error(res, f"{r.host}/debian")
    assert_store_unchanged(before, auth_env.root)


def test_pull_with_docker_config_json(auth_env, fixtures):
    r = auth_env.auth_registry
    d = os.path.join(auth_env.home, ".docker")
    os.makedirs(d)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"auths": {r.host: {"auth": base64.b64encode(f"{r.user}:{r.password}".encode()).decode()}}}, f)
    res = auth_env.run("pull", ref(r, "busybox"))
    assert fixtures["images"]["busybox"]["id"] in res.out


def test_pull_with_authfile_flag(auth_env, tmp_path, fixtures):
    path = str(tmp_path / "a.json")
    login(auth_env, None, "--authfile", path)
    res = auth_env.run("pull", "--authfile", path, ref(auth_env.auth_registry, "busybox"))
    assert fixtures["images"]["busybox"]["id"] in res.out


def test_logout_removes_credentials(auth_env):
    login(auth_env)
    res = auth_env.run("logout", auth_env.auth_registry.host)
    assert "Removed login credentials" in res.out
    data = json.load(open(auth_file(auth_env)))
    assert auth_env.auth_registry.host not in data.get("auths", {})
    res = auth_env.run("pull", ref(auth_env.auth_registry, "busybox"), check=False)
    assert res.rc == 125


def test_logout_not_logged_in(auth_env):
    res = auth_env.run("logout", auth_env.auth_registry.host, check=False)
    assert res.rc == 125 and "not logged into" in res.err


def test_logout_all(auth_env):
    login(auth_env)
    auth_env.run("logout", "--all")
    data = json.load(open(auth_file(auth_env))) if os.path.exists(auth_file(auth_env)) else {}
    assert not data.get("auths")
