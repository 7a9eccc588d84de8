"""Pull progress: Podman's step lines and a live counter on a terminal, nothing of it otherwise."""
import os
import shlex
import subprocess

from conftest import ref


def test_progress_only_on_a_terminal(env, registry):
    r = ref(registry, "debian")
    plain = env.run("pull", r)
    assert "Copying blob" not in plain.err
    assert plain.err.startswith(f"Trying to pull {r}")
    env.run("rmi", "-a")
    # script(1) gives burrow a pseudo-terminal for stdout and stderr.
    cmd = " ".join(shlex.quote(a) for a in env.cmd("pull", r))
    out = subprocess.run(["script", "-qec", cmd, os.devnull], env=env.environ, capture_output=True,
                         text=True, errors="replace", timeout=300, check=True).stdout
    assert "Getting image source signatures" in out
    assert "Copying blob sha256:" in out
    assert "Writing manifest to image destination" in out
    assert "blobs:" in out  # the live byte counter
