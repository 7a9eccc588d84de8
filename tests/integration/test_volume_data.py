"""volume export/import/mount/unmount, ls and prune filters, rm, and system reset / prune --volumes,
as Podman 4.3 does them."""
import io
import json
import os
import subprocess
import tarfile

import pytest

from conftest import assert_error


def names(res):
    return sorted(res.out.split())


@pytest.mark.solo
def test_export_import_roundtrip(env, bb, tmp_path):
    env.run("volume", "create", "my_vol")
    env.run("run", "--rm", "-v", "my_vol:/data", bb, "sh", "-c", "echo hello >> /data/test; mkdir /data/sub; "
            "echo x > /data/sub/y; chown 0:0 /data/sub/y")
    env.run("volume", "create", "my_vol2")
    tarpath = tmp_path / "vol.tar"
    assert env.run("volume", "export", "my_vol", f"--output={tarpath}").out == ""
    with tarfile.open(tarpath) as t:
        assert sorted(t.getnames()) == ["sub", "sub/y", "test"]
        assert t.getmember("test").uid == 0
    with open(tarpath, "rb") as f:
        data = f.read()
    # stdout, and stdin as "-"
    p = subprocess.run(env.cmd("volume", "export", "my_vol"), env=env.environ, stdout=subprocess.PIPE, timeout=60)
    assert p.returncode == 0 and "sub/y" in tarfile.open(fileobj=io.BytesIO(p.stdout)).getnames()
    p = subprocess.run(env.cmd("volume", "import", "my_vol2", "-"), env=env.environ, input=data, timeout=60,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 0 and p.stdout == b"", p.stderr
    assert env.run("run", "--rm", "-v", "my_vol2:/data", bb, "cat", "/data/test", "/data/sub/y").out == "hello\nx\n"
    env.run("volume", "create", "my_vol3")
    env.run("volume", "import", "my_vol3", str(tarpath))
    assert env.run("run", "--rm", "-v", "my_vol3:/data", bb, "cat", "/data/test").out == "hello\n"


def test_export_import_errors(env, tmp_path):
    env.run("volume", "create", "v")
    assert_error(env.run("volume", "export", "nosuch", check=False), "no such volume nosuch")
    assert_error(env.run("volume", "export", "v", "-o", "/nonexistent/x.tar", check=False),
                 "could not create tarball file '/nonexistent/x.tar': open /nonexistent/x.tar: no such file or directory")
    assert_error(env.run("volume", "import", "nosuch", "/nonexistent.tar", check=False),
                 "open /nonexistent.tar: no such file or directory")
    (tmp_path / "empty.tar").write_bytes(b"\0" * 1024)
    assert_error(env.run("volume", "import", "nosuch", str(tmp_path / "empty.tar"), check=False), "no such volume nosuch")
    assert_error(env.run("volume", "export", check=False), "accepts 1 arg(s), received 0")
    assert_error(env.run("volume", "import", "v", check=False), "accepts 2 arg(s), received 1")
    env.run("volume", "create", "-o", "type=bind", "-o", f"device={tmp_path}", "vb")
    assert_error(env.run("volume", "export", "vb", "-o", str(tmp_path / "o.tar"), check=False),
                 "volume is using a driver local and volume is not mounted on ")


@pytest.mark.solo
def test_volume_mount_needs_unshare(env):
    env.run("volume", "create", "v")
    res = env.run("volume", "mount", "v", check=False)
    assert_error(res, 'cannot run command "burrow volume mount" in rootless mode, must execute `burrow unshare` first')
    mp = json.loads(env.run("volume", "inspect", "v").out)[0]["Mountpoint"]
    assert env.run("unshare", *env.cmd("volume", "mount", "v")).out == mp + "\n"
    res = env.run("unshare", *env.cmd("volume", "mount", "nosuch"), check=False)
    assert res.rc == 125 and 'Error: no volume with name "nosuch" found: no such volume' in res.err
    assert env.run("volume", "unmount", "v").out == "v\n"
    assert env.run("volume", "umount", "v").out == "v\n"
    assert env.run("volume", "reload").out == ""


def test_volume_mount_tmpfs_inside_unshare(env):
    env.run("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "tv")
    script = ("set -e; mp=$(\"$@\" volume mount tv); echo hi > $mp/f; stat -f -c %T $mp; "
              "\"$@\" volume inspect --format '{{.MountCount}}' tv; \"$@\" volume unmount tv; "
              "\"$@\" volume inspect --format '{{.MountCount}}' tv; ls $mp")
    out = env.run("unshare", "sh", "-c", script, "sh", *env.cmd()).out
    assert out == "tmpfs\n1\ntv\n0\n"


def test_ls_filters_or_as_podman_4_3(env, bb):
    env.run("volume", "create", "--label", "a=1", "va")
    env.run("volume", "create", "--label", "b=2", "vb")
    env.run("volume", "create", "--label", "a=1", "--label", "b=2", "vab")
    env.run("volume", "create", "other")
    env.run("create", "-v", "other:/x", bb, "true")
    ls = lambda *f: names(env.run("volume", "ls", "-q", *[x for k in f for x in ("--filter", k)]))
    assert ls("name=va") == ["va", "vab"]
    assert ls("name=^v.$") == ["va", "vb"]
    assert ls("label=a") == ["va", "vab"]
    assert ls("label=b=2") == ["vab", "vb"]
    # Podman 4.3.1 keeps a volume that passes any filter, of the same key or not
    assert ls("name=va", "name=vb") == ["va", "vab", "vb"]
    assert ls("label=a=1", "name=other") == ["other", "va", "vab"]
    assert ls("dangling=true") == ["va", "vab", "vb"]
    assert ls("dangling=false") == ["other"]
    assert ls("driver=local") == ["other", "va", "vab", "vb"]
    assert ls("scope=local") == ["other", "va", "vab", "vb"]
    assert ls("until=1h") == []
    assert ls("until=2099-01-01T00:00:00Z") == ["other", "va", "vab", "vb"]
    assert_error(env.run("volume", "ls", "--filter", "bogus=1", check=False), '"bogus" is an invalid volume filter')
    assert_error(env.run("volume", "ls", "--filter", "label!=a", check=False), '"label!" is an invalid volume filter')
    assert_error(env.run("volume", "ls", "--filter", "name", check=False),
                 "filter input must be in the form of filter=value: name is invalid")
    assert_error(env.run("volume", "ls", "--filter", "dangling=maybe", check=False),
                 '"maybe" is not a valid value for the "dangling" filter - must be true or false')
    assert_error(env.run("volume", "ls", "--filter", "name=[", check=False), "error parsing regexp: missing closing ]")
    assert_error(env.run("volume", "ls", "-q", "--format", "{{.Name}}", check=False),
                 "quiet and format flags cannot be used together")
    assert env.run("volume", "ls", "--filter", "name=nomatch").out == ""
    text = env.run("volume", "ls", "--format", "json", "--filter", "name=^va$").out
    rows = json.loads(text)
    assert [r["Name"] for r in rows] == ["va"] and rows[0]["Labels"] == {"a": "1"}
    assert list(rows[0]) == ["Name", "Driver", "Mountpoint", "CreatedAt", "Labels", "Scope", "Options", "MountCount",
                             "NeedsCopyUp", "NeedsChown"]
    # json-iterator's empty map, as Podman prints it
    assert '    "Options": {\n      \n    },\n' in text
    assert env.run("volume", "ls", "--format", "json", "--filter", "name=nomatch").out == "[]\n"
    res = env.run("volume", "ls", "-n", check=False)  # Podman 4.3 has no -n here
    assert res.rc == 125 and res.err.splitlines() == ["Error: unknown shorthand flag: 'n' in -n",
                                                      "See 'burrow volume ls --help'"]


def test_prune_prompt_and_filters(env, bb):
    for n in ("v1", "v2", "v3"):
        env.run("volume", "create", n)
    env.run("volume", "create", "--label", "mylabel", "v4")
    env.run("create", "--name", "c1", "-v", "v1:/x", bb, "true")
    res = env.run("volume", "prune", input="N\n")
    lines = res.out.splitlines()
    assert lines[0] == ("WARNING! This will remove all volumes not used by at least one container. "
                        "The following volumes will be removed:")
    assert lines[1:4] == ["v2", "v3", "v4"] and lines[4] == "Are you sure you want to continue? [y/N] "
    assert names(env.run("volume", "ls", "-q")) == ["v1", "v2", "v3", "v4"]
    res = env.run("volume", "prune", "--filter", "label=mylabel", input="N\n")
    assert res.out.splitlines()[1:2] == ["v4"]
    assert env.run("volume", "prune", "--filter", "label=mylabel", input="y\n").out.splitlines()[-1].endswith("v4")
    assert env.run("volume", "prune", "--filter", "name=v2", "--force").out == "v2\n"
    assert env.run("volume", "prune", "-f").out == "v3\n"
    assert env.run("volume", "prune", input="N\n").out.splitlines()[1] == "No dangling volumes found"
    assert_error(env.run("volume", "prune", "-f", "--filter", "bogus=1", check=False), '"bogus" is an invalid volume filter')
    env.run("rm", "c1")
    assert env.run("volume", "prune", "-f").out == "v1\n"


def test_rm_errors_and_force(env, bb):
    res = env.run("volume", "rm", "bogus", check=False)
    assert_error(res, 'no volume with name "bogus" found: no such volume', code=1)
    res = env.run("volume", "rm", "--force", "bogus")
    assert res.out == "" and res.err == ""
    res = env.run("volume", "rm", "a", "b", check=False)
    assert res.rc == 1
    assert res.err.splitlines() == ['Error: no volume with name "a" found: no such volume',
                                    'Error: no volume with name "b" found: no such volume']
    cid = env.run("run", "-d", "-v", "myvol:/myvol", bb, "sleep", "100").out.strip()
    assert_error(env.run("volume", "rm", "myvol", check=False),
                 f"volume myvol is being used by the following container(s): {cid}: volume is being used", code=2)
    assert env.run("volume", "rm", "-t", "0", "myvol", "--force").out == "myvol\n"
    assert env.run("ps", "-aq").out == ""


def test_system_prune_volumes(env, bb):
    env.run("volume", "create", "unused")
    env.run("volume", "create", "used")
    env.run("run", "-d", "-v", "used:/x", bb, "sleep", "100")
    out = env.run("system", "prune", "-f").out
    assert "unused" not in out
    out = env.run("system", "prune", "-f", "--volumes").out.splitlines()
    assert out[0] == "Deleted Volumes" and out[1] == "unused" and out[-1].startswith("Total reclaimed space:")
    assert names(env.run("volume", "ls", "-q")) == ["used"]


@pytest.mark.solo
def test_system_reset_removes_everything_and_ends_helpers(env, bb):
    env.run("volume", "create", "v")
    env.run("run", "-d", "--name", "up", "-v", "v:/x", bb, "sleep", "100")
    holder = None
    path = os.path.join(env.runroot, "userns.json")
    if os.path.exists(path):
        with open(path) as f:
            holder = json.load(f)["pid"]
    res = env.run("system", "reset", input="n\n")
    assert "WARNING! This will remove:" in res.out
    assert f'        - the graphRoot directory: "{env.root}"' in res.out.splitlines()
    assert env.run("ps", "-aq").out != ""
    env.run("system", "reset", "-f")
    assert env.run("ps", "-aq").out == ""
    assert env.run("volume", "ls", "-q").out == ""
    assert env.run("images", "-q").out == ""
    if holder:
        try:
            with open(f"/proc/{holder}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            state = "gone"
        assert state in ("gone", "Z"), "the user namespace holder still runs"
