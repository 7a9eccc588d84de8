"""`burrow completion`: scripts generated from the command table, exercised in a real bash."""
import os
import subprocess

import pytest

from conftest import BURROW_BIN, ref


def complete(env, words):
    """What the generated bash completion offers for `words` (the last one is being typed)."""
    script = env.run("completion", "bash").out
    words_sh = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    prog = script + f"""
COMP_WORDS=({words_sh}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMPREPLY=()
_burrow
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    # `burrow` on PATH for image-name completion, pointed at the test's store.
    wrapper = os.path.join(env.base, "bin")
    os.makedirs(wrapper, exist_ok=True)
    with open(os.path.join(wrapper, "burrow"), "w") as f:
        f.write(f'#!/bin/sh\nexec {BURROW_BIN} --root {env.root} --runroot {env.runroot} "$@"\n')
    os.chmod(os.path.join(wrapper, "burrow"), 0o755)
    e = dict(env.environ)
    e["PATH"] = f"{wrapper}:{e.get('PATH', '/usr/bin:/bin')}"
    out = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, env=e, check=True).stdout
    return sorted(set(out.split()))


def test_bash_completes_commands_groups_and_aliases(env):
    assert complete(env, ["burrow", "ima"]) == ["image", "images"]
    assert complete(env, ["burrow", "image", "l"]) == ["list", "ls"]
    # A global flag with a value is skipped over.
    assert {"df", "events", "info", "version"} <= set(complete(env, ["burrow", "--root", "/x", "system", ""]))


def test_bash_completes_flags_of_the_command(env):
    assert complete(env, ["burrow", "images", "--dig"]) == ["--digests"]
    assert "--tls-verify" in complete(env, ["burrow", "pull", "--t"])


def test_bash_completes_image_names(env, registry):
    env.run("pull", ref(registry, "busybox"))
    assert complete(env, ["burrow", "rmi", ""]) == [f"{registry.host}/busybox:latest"]


def test_zsh_and_fish_scripts_parse(env, tmp_path):
    zsh = env.run("completion", "zsh").out
    assert zsh.startswith("#compdef burrow")
    fish = env.run("completion", "fish").out
    assert "complete -c burrow -n __fish_use_subcommand -a pull" in fish
    target = tmp_path / "burrow.bash"
    env.run("completion", "-f", str(target), "bash")
    subprocess.run(["bash", "-n", str(target)], check=True)


def test_unknown_shell_is_an_error(env):
    res = env.run("completion", "tcsh", check=False)
    assert res.rc == 125
    assert res.err.strip() == 'Error: unsupported shell "tcsh": use bash, zsh or fish'


# The installed files (completions/, copied beside tests/ by scripts/test.sh) are what
# `burrow completion` prints: scripts/update-completions.sh rewrites them after a table change.
COMPLETIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "completions")


@pytest.mark.parametrize("shell,path", [("bash", "bash/burrow"), ("zsh", "zsh/_burrow"), ("fish", "fish/burrow.fish")])
def test_committed_completion_files_are_current(env, shell, path):
    with open(os.path.join(COMPLETIONS, path)) as f:
        committed = f.read()
    assert env.run("completion", shell).out == committed, f"completions/{path} is stale: run scripts/update-completions.sh"
