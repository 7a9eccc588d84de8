#!/usr/bin/env bash
# Container start and lifecycle benchmark: burrow against rootless Podman (`--runtime runc`,
# overlay driver), same fixture images, stores side by side in one work dir (same disk, or both on
# a tmpfs with BENCH_TMPFS=1). Each round times burrow and podman one after the other (who goes
# first alternates), N rounds; prints medians (ms) and the ratio burrow/podman:
#   run --rm IMAGE true            busybox and debian, default network and --network none
#   run -d busybox sleep 1000, stop -t 0 ID, rm ID      each timed on its own
#   ps -a                          with 20 and with 100 created containers
#   memory kept per detached container, outside it: VmRSS and Pss (smaps_rollup) of burrow's
#   burrow-supervisor; of podman's conmon + slirp4netns (+ rootlessport). Podman's per-user pause
#   process is shared by all containers and not counted.
#
#   bench/run.sh [ROUNDS]          (default 10; as root it re-runs itself as burrow-sub)
#   bench/run.sh --strace          strace -f -c over one `burrow run --rm busybox true`
# Environment: BURROW_BIN (default build/burrow; burrow-pull and burrow-supervisor beside it),
# BURROW_FIXTURES (default: build them), BENCH_TMPFS=1 (work dir on a tmpfs).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
# As burrow-sub the script runs from a copy beside lib.sh (the checkout may be private).
if [ -f "$HERE/lib.sh" ]; then . "$HERE/lib.sh"; else . "$REPO/scripts/lib.sh"; fi
MODE=bench
case "${1:-}" in
  --strace) MODE=strace; shift ;;
  --strace-prep) MODE=prep; shift ;;   # internal: the unprivileged half of --strace
esac
ROUNDS=${1:-10}

if [ -f "$HERE/common.sh" ]; then . "$HERE/common.sh"; else . "$REPO/bench/common.sh"; fi

if is_root && [ "$MODE" != prep ]; then
  bench_prepare_root run.sh
  if [ "$MODE" = bench ]; then
    as_user "$SUB_USER" "${USERENV[@]}" -- bash "$BD/run.sh" "$ROUNDS"
    exit
  fi
  # --strace: the image is pulled as burrow-sub; strace runs as root with -u so that the setuid
  # newuidmap/newgidmap keep their privilege (a tracer without it would make them fail).
  W=$(mktemp -d "$BASE/burrow-strace.XXXXXX")
  chown "$SUB_USER:" "$W"
  trap 'rm -rf "$W"; bench_umount_tmpfs' EXIT
  as_user "$SUB_USER" "${USERENV[@]}" -- bash "$BD/run.sh" --strace-prep "$W"
  home=$(getent passwd "$SUB_USER" | cut -d: -f6)
  t0=$EPOCHREALTIME
  strace -f -c -o "$W/strace.txt" -u "$SUB_USER" env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    HOME="$home" USER="$SUB_USER" LANG=C.UTF-8 XDG_RUNTIME_DIR="$W" \
    "$BD/burrow" --root "$W/b-root" --runroot "$W/b-run" run --rm "$(cat "$W/ref")" true \
    || echo "bench: burrow run failed under strace (status $?)" >&2
  t1=$EPOCHREALTIME
  echo "strace -f -c: burrow run --rm busybox true ($(( (${t1/./} - ${t0/./}) / 1000 )) ms wall under strace)"
  cat "$W/strace.txt"
  exit 0
fi

if [ "$MODE" = prep ]; then
  BENCH_KEEP_W=1 BENCH_ONLY_BURROW=1
  bench_setup "$1"
else
  bench_setup
fi

if [ "$MODE" != bench ]; then   # --strace, its image only
  pull_both "$BUSYBOX"
  echo "$BUSYBOX" > "$W/ref"
  bench_stop_registry
  [ "$MODE" = prep ] && exit 0
  echo "bench: not root, so newuidmap runs under strace without its setuid privilege" >&2
  strace -f -c -o "$W/strace.txt" "${B[@]}" run --rm "$BUSYBOX" true || echo "bench: burrow run failed under strace" >&2
  cat "$W/strace.txt"
  exit 0
fi

# tm KEY cmd...: sets T to the microseconds the command took, or "nan" if it failed (the first
# failure of each KEY shows its last stderr line). The command's stdout is kept in $W/out.
declare -A FAILED
tm() {
  local key=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  if "$@" >"$W/out" 2>"$W/err"; then
    t1=$EPOCHREALTIME
    T=$(( ${t1/./} - ${t0/./} ))
  else
    T=nan
    FAILED[$key]=$(( ${FAILED[$key]:-0} + 1 ))
    [ "${FAILED[$key]}" = 1 ] && echo "bench: $key failed: $(tail -n 1 "$W/err")" >&2
  fi
  return 0
}
CMD=()
tool() { if [ "$1" = b ]; then CMD=("${B[@]}"); else CMD=("${P[@]}"); fi; }
# Runs the per-tool function F for burrow and podman in this round's order.
both() {
  local f=$1 i=$2; shift 2
  if [ $((i % 2)) = 1 ]; then "$f" b "$@"; "$f" p "$@"; else "$f" p "$@"; "$f" b "$@"; fi
}
declare -A S   # "label.b" / "label.p" -> space-separated samples
add() { S[$1]="${S[$1]:-} $2"; }

run_rm() {  # tool label args...
  local t=$1 l=$2; shift 2
  tool "$t"
  tm "$l.$t" "${CMD[@]}" run --rm "$@"; add "$l.$t" "$T"
}

# Memory kept for one detached container: sums of VmRSS and Pss in kB of the given pids.
mem_of() {
  local rss=0 pss=0 p v
  for p in "$@"; do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true); rss=$((rss + ${v:-0}))
    v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true); pss=$((pss + ${v:-0}))
  done
  echo "$rss $pss"
}
kept_pids() {  # tool id -> pids kept running for the container outside it
  local id=$2 p
  if [ "$1" = b ]; then
    # The id printed may be a prefix of the directory's name.
    p=$($PY -c 'import glob, json, sys; print(json.load(open(glob.glob(sys.argv[1])[0])).get("supervisor_pid", 0))' \
      "$W/b-root/containers/$id*/state.json" 2>/dev/null || echo 0)
    [ "$p" -gt 0 ] 2>/dev/null || p=$(pgrep -f "burrow-supervisor .*$id" | tr '\n' ' ')
    echo "$p"
  else
    local ns
    ns=$("${P[@]}" inspect -f '{{.NetworkSettings.SandboxKey}}' "$id" 2>/dev/null || true)
    pgrep -f "conmon .*-c $id" || true
    [ -n "$ns" ] && { pgrep -f "slirp4netns .*$ns" || true; }
    pgrep -f '^rootlessport' || true   # only with -p; one container at a time, so it is this one's
  fi
}
lifecycle() {  # tool
  local t=$1 id pids m
  tool "$t"
  tm "run-d.$t" "${CMD[@]}" run -d "$BUSYBOX" sleep 1000; add "rund.$t" "$T"
  [ "$T" = nan ] && return 0
  id=$(tail -n 1 "$W/out")
  pids=$(kept_pids "$t" "$id" | tr '\n' ' ')
  if [ -z "${pids// }" ]; then
    echo "bench: $t: no process found for container $id" >&2
  else
    # shellcheck disable=SC2086
    m=$(mem_of $pids)
    add "rss.$t" "${m% *}"; add "pss.$t" "${m#* }"
  fi
  PIDS[$t]=$(for q in $pids; do printf '%s ' "$(cat "/proc/$q/comm" 2>/dev/null)"; done)
  tool "$t"
  tm "stop.$t" "${CMD[@]}" stop -t 0 "$id"; add "stop.$t" "$T"
  tm "rm.$t" "${CMD[@]}" rm "$id"; add "rm.$t" "$T"
}
declare -A PIDS
ps_a() {  # tool label
  tool "$1"
  tm "$2.$1" "${CMD[@]}" ps -a; add "$2.$1" "$T"
}
count() { tool "$1"; { "${CMD[@]}" ps -a -q 2>/dev/null || true; } | wc -l; }
create_n() {  # tool total: create containers (untimed) until the store holds that many
  local i have
  have=$(count "$1")
  tool "$1"
  for i in $(seq $(($2 - have))); do
    "${CMD[@]}" create "$BUSYBOX" true >/dev/null 2>"$W/err" \
      || { echo "bench: $1 create failed: $(tail -n 1 "$W/err")" >&2; break; }
  done
}

echo "burrow: $BIN ($("$BIN" --version 2>/dev/null || echo '?'))"
echo "podman: $(podman --version), runc, overlay; default network: $("${P[@]}" info -f '{{.Host.NetworkBackend}}' 2>/dev/null || echo '?') backend, slirp4netns for rootless"
echo "work dir: $W ($(stat -f -c %T "$W"))   rounds: $ROUNDS   user: $(id -un)   cores: $(nproc)"
pull_both "$BUSYBOX"
pull_both "$DEBIAN"

# One unmeasured run of each kind per tool: podman's first run creates its user namespace and
# pause process, and every first run fills the page cache.
for t in b p; do
  for img in "$BUSYBOX" "$DEBIAN"; do run_rm "$t" warm "$img" true; run_rm "$t" warm --network none "$img" true; done
  lifecycle "$t"
done
# What the default network gives inside: podman's slirp4netns adds tap0. A default without it is
# --network none in disguise, and the default-network rows then compare unequal work.
ifaces() { tool "$1"; "${CMD[@]}" run --rm "$BUSYBOX" cat /proc/net/dev 2>/dev/null | awk -F: 'NR > 2 {gsub(/ /, "", $1); printf "%s ", $1}'; }
echo "  interfaces with the default network: burrow: $(ifaces b); podman: $(ifaces p)"
# The floor under the machine's current load: starting each tool's binary.
for t in b p; do tool "$t"; for i in 1 2 3 4 5; do tm "version.$t" "${CMD[@]}" --version; add "version.$t" "$T"; done; done
unset 'S[warm.b]' 'S[warm.p]' 'S[rund.b]' 'S[rund.p]' 'S[stop.b]' 'S[stop.p]' 'S[rm.b]' 'S[rm.p]' \
  'S[rss.b]' 'S[rss.p]' 'S[pss.b]' 'S[pss.p]'

for i in $(seq "$ROUNDS"); do
  both run_rm "$i" bb "$BUSYBOX" true
  both run_rm "$i" bbnone --network none "$BUSYBOX" true
  both run_rm "$i" deb "$DEBIAN" true
  both run_rm "$i" debnone --network none "$DEBIAN" true
  both lifecycle "$i"
  echo "  round $i done"
done
echo "  kept per detached container (last round): burrow: ${PIDS[b]:-none}; podman: ${PIDS[p]:-none}"

for n in 20 100; do
  create_n b "$n"
  create_n p "$n"
  echo "  containers: burrow $(count b), podman $(count p)"
  for i in $(seq "$ROUNDS"); do both ps_a "$i" "ps$n"; done
done

# Leftovers after every container of the timed runs was removed: processes and store entries.
LEFT_B=$(pgrep -u "$(id -u)" -f burrow-supervisor | wc -l || true)
LEFT_P=$(pgrep -u "$(id -u)" -x conmon | wc -l || true)
echo "  leftovers: burrow-supervisor processes: $LEFT_B; conmon processes: $LEFT_P;" \
  "burrow containers (expect 100 created): $(count b)"

med() { med_scaled 1000 1 "$@"; }  # microseconds -> ms
mib() { $PY -c 'import statistics, sys
v = [float(x) for x in sys.argv[1:]]; print("%.2f" % (statistics.median(v) / 1024) if v else "n/a")' "$@"; }

echo
printf '%-36s %14s %14s %8s %8s\n' measurement "burrow ms" "podman ms" ratio target
row() {  # label key [target]
  local b p
  # shellcheck disable=SC2086
  b=$(med ${S[$2.b]:-})
  # shellcheck disable=SC2086
  p=$(med ${S[$2.p]:-})
  printf '%-36s %14s %14s %8s %8s\n' "$1" "$b" "$p" "$(ratio "$b" "$p")" "${3-<= 0.10}"
}
row "run --rm busybox true" bb
row "run --rm --network none busybox true" bbnone
row "run --rm debian true" deb
row "run --rm --network none debian true" debnone
row "run -d busybox sleep 1000" rund
row "stop -t 0" stop
row "rm" rm
row "ps -a (20 containers)" ps20
row "ps -a (100 containers)" ps100
row "(floor: --version, 5 runs)" version ""
# shellcheck disable=SC2086
printf '%-36s %14s %14s %8s %8s\n' "kept per detached container RSS MiB" "$(mib ${S[rss.b]:-})" "$(mib ${S[rss.p]:-})" "" "<= 3"
# shellcheck disable=SC2086
printf '%-36s %14s %14s %8s %8s\n' "kept per detached container PSS MiB" "$(mib ${S[pss.b]:-})" "$(mib ${S[pss.p]:-})" "" ""
echo "(medians of $ROUNDS; ratio = burrow/podman; memory: burrow-supervisor vs conmon + slirp4netns"
echo " (+ rootlessport), VmRSS and smaps_rollup Pss; work dir on $(stat -f -c %T "$W"))"
