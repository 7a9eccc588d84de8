"""tests/fixtures/apt_mirror.py: the fixture build takes its Debian mirror from the machine's apt
sources (one-line .list and deb822 .sources files), so the tree names no mirror host."""
import os
import subprocess

import pytest

pytestmark = pytest.mark.solo

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "apt_mirror.py")


def mirror(etc, suite="bookworm", env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "BURROW_DEBIAN_MIRROR"}
    env.update(env_extra or {})
    return subprocess.run(["/usr/bin/python3", SCRIPT, "--etc", str(etc), suite],
                          capture_output=True, text=True, env=env)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_one_line_sources_with_options(tmp_path):
    write(tmp_path / "sources.list", "# comment\n"
          "deb-src http://src.example/debian bookworm main\n"
          "deb [arch=amd64 signed-by=/k.gpg] http://security.example/debian-security bookworm-security main\n"
          "deb [arch=amd64] http://mirror.example/debian/ bookworm main contrib\n")
    res = mirror(tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "http://mirror.example/debian\n"


def test_deb822_sources_and_disabled_stanzas(tmp_path):
    write(tmp_path / "sources.list.d" / "debian.sources",
          "Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n\n"
          "Types: deb deb-src\n# a comment inside\nURIs: http://on.example/debian\n"
          "Suites: bookworm bookworm-updates\nComponents: main\n")
    write(tmp_path / "sources.list.d" / "other.list.disabled", "deb http://never.example/debian bookworm main\n")
    assert mirror(tmp_path).stdout == "http://on.example/debian\n"


def test_a_release_suite_serves_when_the_wanted_one_is_not_listed(tmp_path):
    write(tmp_path / "sources.list.d" / "a.sources",
          "Types: deb\nURIs: http://sec.example/debian-security\nSuites: trixie-security\n\n"
          "Types: deb\nURIs: http://rel.example/debian\nSuites: trixie\n")
    assert mirror(tmp_path).stdout == "http://rel.example/debian\n"


def test_no_mirror_is_one_clear_line_and_the_variable_overrides(tmp_path):
    res = mirror(tmp_path)
    assert res.returncode == 1
    assert res.stderr == (f"no Debian mirror for bookworm in {tmp_path}/sources.list or {tmp_path}/sources.list.d/: "
                          "set BURROW_DEBIAN_MIRROR\n")
    res = mirror(tmp_path, env_extra={"BURROW_DEBIAN_MIRROR": "http://given.example/debian/"})
    assert res.stdout == "http://given.example/debian\n"


def test_this_machine_has_a_mirror():
    res = mirror("/etc/apt")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(("http://", "https://", "file:"))
