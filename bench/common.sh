# Shared by bench/run.sh and bench/net.sh (sourced, not run): the benchmarks run as burrow-sub
# from a copy of the binaries, against a local registry holding the fixture images, with a
# burrow store and a rootless Podman store (--runtime runc, overlay) side by side.
# The caller sets HERE and REPO and has sourced scripts/lib.sh.

BD=/var/tmp/burrow-bench-run   # not under $TEST_BASE: scripts/test.sh deletes that tree when it starts

# As root: installs burrow's three binaries and the bench scripts into $BD, and sets BASE (the
# work dir's parent: /tmp, or a tmpfs with BENCH_TMPFS=1, unmounted on exit) and USERENV (what
# the unprivileged half needs). The caller then runs "$BD/SCRIPT" with as_user.
bench_prepare_root() {
  local script=$1 f
  ensure_users
  open_devices
  local bin=${BURROW_BIN:-$REPO/build/burrow}
  local bins=("$bin" "$(dirname "$bin")/burrow-pull" "$(dirname "$bin")/burrow-supervisor")
  for f in "${bins[@]}"; do
    [ -x "$f" ] || { echo "bench: no $f (build first: ninja -C build burrow burrow-pull burrow-supervisor)" >&2; exit 1; }
  done
  local fix=${BURROW_FIXTURES:-$(bash "$REPO/tests/fixtures/build-fixtures.sh" | tail -n 1)}
  mkdir -p "$BD"
  chmod 0755 "$BD"
  # burrow execs the burrow-pull (registry commands) and burrow-supervisor (detached containers)
  # beside itself.
  install -m 0755 "${bins[@]}" "$BD/"
  install -m 0755 "$REPO/bench/$script" "$REPO/bench/common.sh" "$REPO/scripts/lib.sh" \
    "$REPO/tests/fixtures/registry.py" "$BD/"
  BASE=/tmp MNT=""
  trap bench_umount_tmpfs EXIT
  if [ "${BENCH_TMPFS:-0}" = 1 ]; then
    MNT=$(mktemp -d /tmp/bbt.XXXXXX)   # short: podman refuses a runroot over 50 characters
    mount -t tmpfs -o "size=8g,mode=0700,uid=$(id -u "$SUB_USER"),gid=$(id -g "$SUB_USER")" burrow-bench "$MNT"
    BASE=$MNT
  fi
  USERENV=(BURROW_BIN="$BD/burrow" BURROW_FIXTURES="$fix" BENCH_REGPY="$BD/registry.py"
           BENCH_BASE="$BASE" BENCH_TMPFS="${BENCH_TMPFS:-0}" BENCH_CASES="${BENCH_CASES:-}")
}
bench_umount_tmpfs() { [ -n "${MNT:-}" ] && umount "$MNT" && rmdir "$MNT"; return 0; }

# As the user: W (a new work dir, or $1), a registry R with the fixtures, B=(burrow ...) and
# P=(podman ...) on stores in W, BUSYBOX and DEBIAN, everything removed on exit unless
# BENCH_KEEP_W=1.
bench_setup() {
  BIN=${BURROW_BIN:-$REPO/build/burrow}
  REGPY=${BENCH_REGPY:-$REPO/tests/fixtures/registry.py}
  FIX=${BURROW_FIXTURES:-$(bash "$REPO/tests/fixtures/build-fixtures.sh" | tail -n 1)}
  if [ -n "${1:-}" ]; then
    W=$1
  else
    local base=${BENCH_BASE:-/tmp}
    # Run directly as a user: /dev/shm is the tmpfs we may write to.
    [ "${BENCH_TMPFS:-0}" = 1 ] && [ -z "${BENCH_BASE:-}" ] && base=/dev/shm
    W=$(mktemp -d "$base/burrow-bench.XXXXXX")
  fi
  REG_PID=""
  SU=$(grep -m1 -E "^($(id -un)|$(id -u)):" /etc/subuid | cut -d: -f2,3 || true)
  SG=$(grep -m1 -E "^($(id -un)|$(id -u)):" /etc/subgid | cut -d: -f2,3 || true)
  B=("$BIN" --root "$W/b-root" --runroot "$W/b-run")
  P=(podman --root "$W/p-root" --runroot "$W/p-run" --storage-driver overlay --runtime runc)
  trap bench_cleanup EXIT
  mkdir -p "$W/registry"
  cp -r "$FIX/registry/." "$W/registry/"
  eval "$($PY "$REGPY" start --data "$W/registry" --workdir "$W")"
  REG_PID=$REGISTRY_PID
  R=$REGISTRY_HOST
  # Short: slirp4netns' API socket (port_handler=slirp4netns) lives under it and must fit in 108 bytes.
  XDG=$(mktemp -d /tmp/bx.XXXXXX)
  printf 'unqualified-search-registries = []\n[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" > "$W/registries.conf"
  export XDG_RUNTIME_DIR="$XDG" CONTAINERS_REGISTRIES_CONF="$W/registries.conf" REGISTRY_AUTH_FILE="$W/auth.json"
  echo '{}' > "$W/auth.json"
  BUSYBOX=$R/busybox:latest
  DEBIAN=$R/debian:latest
}

# Stores hold files owned by subordinate ids: remove them as root of a namespace with our map.
bench_wipe() {
  rm -rf "$@" 2>/dev/null && return 0
  [ -n "$SU" ] && unshare --map-root-user --map-users="${SU%:*},1,${SU#*:}" \
    --map-groups="${SG%:*},1,${SG#*:}" rm -rf "$@"
}
bench_stop_registry() { [ -n "$REG_PID" ] && $PY "$REGPY" stop "$REG_PID"; REG_PID=""; }
bench_cleanup() {
  bench_stop_registry
  [ "${BENCH_KEEP_W:-0}" = 1 ] && return 0
  # Containers still running (a failed stop) would keep the stores busy.
  "${P[@]}" rm -a -f -t 0 >/dev/null 2>&1 || true
  local id
  for id in $("${B[@]}" ps -q 2>/dev/null); do "${B[@]}" rm -f -t 0 "$id" >/dev/null 2>&1 || true; done
  # Podman leaves a pause process per user namespace; it is ours, stop it.
  if [ -f "$XDG/libpod/tmp/pause.pid" ]; then kill "$(cat "$XDG/libpod/tmp/pause.pid")" 2>/dev/null || true; fi
  bench_wipe "$W" "$XDG" || true
}

# pull_both IMAGE: into both stores (podman's half only unless BENCH_ONLY_BURROW=1).
pull_both() {
  # A failed burrow pull still lets podman's half run (burrow's runs then show as failed).
  "${B[@]}" pull -q "$1" >/dev/null 2>"$W/err" || echo "bench: burrow pull $1 failed: $(tail -n 1 "$W/err")" >&2
  [ "${BENCH_ONLY_BURROW:-0}" = 1 ] && return 0
  "${P[@]}" pull -q --tls-verify=false "$1" >/dev/null 2>"$W/err" \
    || { echo "bench: podman pull $1 failed: $(tail -n 1 "$W/err")" >&2; return 1; }
}

# Medians of samples, "nan" = a failed sample: med_scaled SCALE DIGITS samples... (SCALE divides,
# e.g. 1000 for microseconds shown as ms) -> "12.3" or "n/a", with " (k failed)" when some failed.
med_scaled() {
  $PY - "$@" <<'EOF'
import statistics, sys
scale, digits = float(sys.argv[1]), int(sys.argv[2])
v = [float(x) for x in sys.argv[3:] if x != "nan"]
bad = len(sys.argv) - 3 - len(v)
print(("%.*f" % (digits, statistics.median(v) / scale) if v else "n/a") + (" (%d failed)" % bad if bad else ""))
EOF
}
ratio() { $PY -c 'import sys
try: a, b = float(sys.argv[1].split()[0]), float(sys.argv[2].split()[0]); print("%.3f" % (a / b))
except Exception: print("n/a")' "$1" "$2"; }
