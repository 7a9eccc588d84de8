#!/usr/bin/env bash
# Pull benchmark: the 4-layer Debian fixture (gzip, then zstd) from a local docker-registry into a
# clean store, `burrow pull` and rootless `podman pull --tls-verify=false` (overlay driver, its own
# clean --root) alternately, N rounds. Prints medians and the burrow/podman ratio, and the floor:
# downloading the same blobs with curl, and decompressing the largest layer alone (gzip -dc,
# zstd -dc) on one core.
#
#   bench/pull.sh [ROUNDS]        (default 5; as root it re-runs itself as burrow-sub)
# Environment: BURROW_BIN (default build/burrow), BURROW_FIXTURES (default: build them).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
# As burrow-sub the script runs from a copy beside lib.sh (the checkout may be private).
if [ -f "$HERE/lib.sh" ]; then . "$HERE/lib.sh"; else . "$REPO/scripts/lib.sh"; fi
ROUNDS=${1:-5}

if is_root; then
  ensure_users
  open_devices
  BIN=${BURROW_BIN:-$REPO/build/burrow}
  [ -x "$BIN" ] || { echo "bench: no burrow binary at $BIN (build first: ninja -C build)" >&2; exit 1; }
  FIX=${BURROW_FIXTURES:-$(bash "$REPO/tests/fixtures/build-fixtures.sh" | tail -n 1)}
  mkdir -p "$TEST_BASE/bench"
  chmod 0755 "$TEST_BASE" "$TEST_BASE/bench"
  install -m 0755 "$BIN" "$(dirname "$BIN")/burrow-pull" "$(dirname "$BIN")/burrow-supervisor" "$TEST_BASE/bench/"
  install -m 0755 "$REPO/bench/pull.sh" "$REPO/scripts/lib.sh" "$REPO/tests/fixtures/registry.py" "$TEST_BASE/bench/"
  exec runuser -u "$SUB_USER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    HOME="$(getent passwd "$SUB_USER" | cut -d: -f6)" USER="$SUB_USER" LANG=C.UTF-8 \
    BURROW_BIN="$TEST_BASE/bench/burrow" BURROW_FIXTURES="$FIX" BENCH_REGPY="$TEST_BASE/bench/registry.py" \
    bash "$TEST_BASE/bench/pull.sh" "$ROUNDS"
fi

BIN=${BURROW_BIN:-$REPO/build/burrow}
REGPY=${BENCH_REGPY:-$REPO/tests/fixtures/registry.py}
FIX=${BURROW_FIXTURES:-$(bash "$REPO/tests/fixtures/build-fixtures.sh" | tail -n 1)}
W=$(mktemp -d /tmp/burrow-bench.XXXXXX)
REG_PID=""
SU=$(grep -m1 -E "^($(id -un)|$(id -u)):" /etc/subuid | cut -d: -f2,3 || true)
SG=$(grep -m1 -E "^($(id -un)|$(id -u)):" /etc/subgid | cut -d: -f2,3 || true)

# Stores hold files owned by subordinate ids: remove them as root of a namespace with our map.
wipe() {
  rm -rf "$@" 2>/dev/null && return 0
  [ -n "$SU" ] && unshare --map-root-user --map-users="${SU%:*},1,${SU#*:}" \
    --map-groups="${SG%:*},1,${SG#*:}" rm -rf "$@"
}
cleanup() {
  [ -n "$REG_PID" ] && $PY "$REGPY" stop "$REG_PID"
  # Podman leaves a pause process per user namespace; it is ours, stop it.
  if [ -f "$W/xdg/libpod/tmp/pause.pid" ]; then kill "$(cat "$W/xdg/libpod/tmp/pause.pid")" 2>/dev/null || true; fi
  wipe "$W" || true
}
trap cleanup EXIT

cp -r "$FIX/registry" "$W/registry"
eval "$($PY "$REGPY" start --data "$W/registry" --workdir "$W")"
REG_PID=$REGISTRY_PID
R=$REGISTRY_HOST
mkdir -m 0700 "$W/xdg"
printf 'unqualified-search-registries = []\n[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" > "$W/registries.conf"
export XDG_RUNTIME_DIR="$W/xdg" CONTAINERS_REGISTRIES_CONF="$W/registries.conf" REGISTRY_AUTH_FILE="$W/auth.json"
echo '{}' > "$W/auth.json"

now() { echo "$EPOCHREALTIME"; }
elapsed() { $PY -c 'import sys; print("%.3f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }
median() { $PY -c 'import sys, statistics; print("%.3f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }

run_burrow() {  # repo -> seconds
  wipe "$W/b-root" "$W/b-run"
  local t0 t1
  t0=$(now)
  "$BIN" --root "$W/b-root" --runroot "$W/b-run" pull -q "$R/$1:latest" >/dev/null 2>"$W/err" \
    || { echo "bench: burrow pull $1 failed: $(tail -n 1 "$W/err")" >&2; echo nan; return; }
  t1=$(now)
  elapsed "$t0" "$t1"
}
run_podman() {
  wipe "$W/p-root" "$W/p-run"
  local t0 t1
  t0=$(now)
  podman --root "$W/p-root" --runroot "$W/p-run" --storage-driver overlay pull -q --tls-verify=false \
    "$R/$1:latest" >/dev/null 2>"$W/err" \
    || { echo "bench: podman pull $1 failed: $(tail -n 1 "$W/err")" >&2; echo nan; return; }
  t1=$(now)
  elapsed "$t0" "$t1"
}

echo "burrow: $BIN ($("$BIN" --version 2>/dev/null || echo '?'))"
echo "podman: $(podman --version)"
echo "registry: $R   rounds: $ROUNDS   user: $(id -un)   cores: $(nproc)"
# One unmeasured podman pull: its first run also creates its user namespace and pause process.
run_podman busybox >/dev/null

declare -A MED
for repo in debian debian-zstd; do
  b=() p=()
  for i in $(seq "$ROUNDS"); do
    b+=("$(run_burrow "$repo")")
    p+=("$(run_podman "$repo")")
    echo "  $repo round $i: burrow ${b[-1]} s, podman ${p[-1]} s"
  done
  MED[$repo.b]=$(median "${b[@]}")
  MED[$repo.p]=$(median "${p[@]}")
done

# Floor 1: the same blobs downloaded in parallel with curl, to /dev/null.
blobs() { $PY - "$FIX/fixtures.json" "$1" <<'EOF'
import json, sys
print(" ".join(l["digest"] for l in json.load(open(sys.argv[1]))["images"][sys.argv[2]]["layers"]))
EOF
}
download() {
  local args=() d t0 t1 best=""
  for d in $(blobs "$1"); do args+=(-o /dev/null "http://$R/v2/$2/blobs/$d"); done
  for _ in 1 2 3; do
    t0=$(now); curl -sf --parallel "${args[@]}" 2>/dev/null; t1=$(now)
    t=$(elapsed "$t0" "$t1"); best=$($PY -c 'import sys; print(min(float(x) for x in sys.argv[1:] if x))' "$t" $best)
  done
  echo "$best"
}
# Floor 2: the largest layer decompressed alone, one core.
blobfile() { local h=${1#sha256:}; echo "$W/registry/docker/registry/v2/blobs/sha256/${h:0:2}/$h/data"; }
decomp() {
  local t0 t1 best=""
  for _ in 1 2 3; do
    t0=$(now); "$@" >/dev/null; t1=$(now)
    t=$(elapsed "$t0" "$t1"); best=$($PY -c 'import sys; print(min(float(x) for x in sys.argv[1:] if x))' "$t" $best)
  done
  echo "$best"
}
LG=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["debian_facts"]["largest_layer"])' "$FIX/fixtures.json")
LZ=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["debian_facts"]["largest_layer_zstd"])' "$FIX/fixtures.json")
DL_G=$(download debian debian)
DL_Z=$(download debian_zstd debian-zstd)
GZ=$(decomp gzip -dc "$(blobfile "$LG")")
ZS=$(decomp zstd -dcq "$(blobfile "$LZ")")

ratio() { $PY -c 'import sys; a, b = map(float, sys.argv[1:]); print("%.2f" % (a / b) if b > 0 and a == a else "n/a")' "$1" "$2"; }
echo
printf '%-12s %10s %10s %8s %12s %14s %10s\n' image burrow podman ratio download decompress floor-x
printf '%-12s %9ss %9ss %8s %11ss %13ss %10s\n' gzip "${MED[debian.b]}" "${MED[debian.p]}" \
  "$(ratio "${MED[debian.b]}" "${MED[debian.p]}")" "$DL_G" "$GZ" "$(ratio "${MED[debian.b]}" "$GZ")"
printf '%-12s %9ss %9ss %8s %11ss %13ss %10s\n' zstd "${MED[debian-zstd.b]}" "${MED[debian-zstd.p]}" \
  "$(ratio "${MED[debian-zstd.b]}" "${MED[debian-zstd.p]}")" "$DL_Z" "$ZS" "$(ratio "${MED[debian-zstd.b]}" "$ZS")"
echo "(medians of $ROUNDS; ratio = burrow/podman, target <= 0.5; floor-x = burrow / single-core"
echo " decompression of the largest layer (gzip -dc, zstd -dc), target <= 1.3; download = curl --parallel, best of 3)"
