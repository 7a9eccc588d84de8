#!/usr/bin/env python3
"""Writes tests/integration/data/podman-flags.json: for every command burrow has, the flags that
Podman's `--help` lists for it on this machine (long name, shorthand, the value placeholder pflag
prints, the default it shows).

burrow's commands come from its own help (`burrow --help`, then each group's "Available
Commands"); Podman's flags from `podman CMD --help`, run as an unprivileged user (rootless
Podman, as the project targets). CI has no Podman: the JSON is committed, and
tests/integration/test_flag_parity.py checks burrow against it.

Usage (as root, or as the user itself with --user ''):
  scripts/podman-flags.py [--burrow build/burrow] [--user tester] [--out FILE]
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# pflag's FlagUsages line: "  -a, --all          usage" or "      --time uint   usage".
FLAG_LINE = re.compile(r"^  (?:-(?P<short>\S), |    )--(?P<name>[A-Za-z0-9][\w-]*)(?: (?P<var>\S+))?  +(?P<usage>.*)$")
DEFAULT = re.compile(r'\(default (?:"(?P<q>[^"]*)"|(?P<v>[^)]*))\)\s*$')


def section(text, title):
    """The lines of a help section ("Options:", "Available Commands:") up to the next blank line."""
    lines = text.splitlines()
    try:
        i = lines.index(title)
    except ValueError:
        return []
    out = []
    for line in lines[i + 1:]:
        if not line.strip():
            break
        out.append(line)
    return out


def parse_flags(help_text):
    flags = {}
    for line in section(help_text, "Options:"):
        m = FLAG_LINE.match(line)
        if not m:
            continue  # a usage text's continuation line
        usage = m.group("usage")
        entry = {"shorthand": m.group("short") or "", "type": m.group("var") or "bool"}
        d = DEFAULT.search(usage)
        if d:
            entry["default"] = d.group("q") if d.group("q") is not None else d.group("v")
        flags[m.group("name")] = entry
    return flags


def subcommands(help_text):
    names = []
    for line in section(help_text, "Available Commands:"):
        parts = line.split()
        if parts:
            names.append(parts[0])
    return names


def burrow_commands(burrow):
    """Every command path of burrow's table, groups included, from its help texts."""
    out = []

    def walk(path):
        res = subprocess.run([burrow, *path, "--help"], capture_output=True, text=True, check=True)
        if path:
            out.append(" ".join(path))
        for sub in subcommands(res.stdout):
            if sub != "help":
                walk(path + [sub])

    walk([])
    return out


def podman_help(user, path):
    cmd = ["podman", *path.split(), "--help"]
    if user:
        cmd = ["su", "-", user, "-c", " ".join(shlex.quote(c) for c in cmd)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    return res.stdout if res.returncode == 0 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--burrow", default=os.path.join(REPO, "build", "burrow"))
    ap.add_argument("--user", default="tester", help="run podman as this user ('' = as ourselves)")
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "integration", "data", "podman-flags.json"))
    a = ap.parse_args()

    version_cmd = ["podman", "--version"]
    if a.user:
        version_cmd = ["su", "-", a.user, "-c", "podman --version"]
    version = subprocess.run(version_cmd, capture_output=True, text=True, check=True).stdout.split()[-1]
    commands, absent = {}, []
    for path in burrow_commands(a.burrow):
        text = podman_help(a.user, path)
        if text is None:
            absent.append(path)
            continue
        if section(text, "Available Commands:") and not section(text, "Options:"):
            continue  # a group: no flags of its own
        commands[path] = parse_flags(text)
    data = {
        "podman_version": version,
        "generated_by": "scripts/podman-flags.py",
        "commands_podman_lacks": absent,
        "commands": commands,
    }
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{a.out}: {len(commands)} commands, {sum(len(v) for v in commands.values())} flags"
          + (f"; not in Podman: {', '.join(absent)}" if absent else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
