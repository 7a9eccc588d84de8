#!/usr/bin/env bash
# Regenerates the shell completions in completions/ from the command table of a built burrow:
#
#   scripts/update-completions.sh [BURROW]          # rewrite the files (BURROW: build/burrow)
#   scripts/update-completions.sh --check [BURROW]  # exit 1 and show a diff when one is stale
#
# Run it after adding a command or a flag, and commit the result; the tests fail while the
# committed files differ from what `burrow completion SHELL` prints.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHECK=0
if [ "${1:-}" = "--check" ]; then CHECK=1; shift; fi
BURROW=${1:-$REPO/build/burrow}
[ -x "$BURROW" ] || { echo "update-completions: no burrow binary at $BURROW (build first)" >&2; exit 2; }

declare -A FILE=([bash]=completions/bash/burrow [zsh]=completions/zsh/_burrow [fish]=completions/fish/burrow.fish)
stale=0
for shell in bash zsh fish; do
  dest="$REPO/${FILE[$shell]}"
  tmp=$(mktemp)
  # A clean environment: the script must not depend on the caller's containers.conf or HOME.
  env -i HOME=/nonexistent PATH=/usr/bin:/bin "$BURROW" completion "$shell" >"$tmp"
  if [ $CHECK = 1 ]; then
    if ! cmp -s "$tmp" "$dest"; then
      echo "update-completions: ${FILE[$shell]} is stale; run scripts/update-completions.sh" >&2
      diff -u "$dest" "$tmp" | head -n 20 >&2 || true
      stale=1
    fi
    rm -f "$tmp"
  else
    mkdir -p "$(dirname "$dest")"
    mv "$tmp" "$dest"
    chmod 0644 "$dest"
    echo "wrote ${FILE[$shell]}"
  fi
done
exit $stale
