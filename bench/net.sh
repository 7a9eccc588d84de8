#!/usr/bin/env bash
# Network benchmark: burrow's in-process network against rootless Podman's (slirp4netns, and
# rootlessport for -p), same Debian fixture image, loopback only. Each round runs every case for
# burrow and Podman one after the other (who goes first alternates); prints medians and ratios:
#   -p, host -> container     iperf3 -c 127.0.0.1:PORT to an iperf3 -s in the container; burrow's
#                             splice proxy vs Podman's rootlessport, and both tools with
#                             port_handler=slirp4netns (libslirp's own forwards)
#   container -> host         iperf3 -c 10.0.2.2 (allow_host_loopback=true) from the container to
#                             an iperf3 -s on the host's 127.0.0.1, through libslirp
#   connection rate           wrk, one new connection per request (Connection: close), to a
#                             busybox httpd in the container through -p
#   CPU                       of what each tool keeps running for the container (burrow: its
#                             supervisor and netns agent; Podman: slirp4netns, rootlessport and
#                             its child), per Gbit/s moved: cores / (Gbit/s)
# iperf3 runs inside the container from the host's /usr/bin/iperf3 and libraries, bind-mounted
# read-only (the fixture image is Debian 12 too), for both tools alike.
#
#   bench/net.sh [ROUNDS] [SECONDS]   (default 3 rounds of 5 s; as root it re-runs itself as burrow-sub)
# Environment: BURROW_BIN, BURROW_FIXTURES, BENCH_TMPFS=1 (see bench/run.sh), BENCH_CASES (a
# subset of "lo pub pubslirp out rate").
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
if [ -f "$HERE/lib.sh" ]; then . "$HERE/lib.sh"; else . "$REPO/scripts/lib.sh"; fi
if [ -f "$HERE/common.sh" ]; then . "$HERE/common.sh"; else . "$REPO/bench/common.sh"; fi
ROUNDS=${1:-3}
SECS=${2:-5}

if is_root; then
  bench_prepare_root net.sh
  as_user "$SUB_USER" "${USERENV[@]}" -- bash "$BD/net.sh" "$ROUNDS" "$SECS"
  exit
fi
for tool in iperf3 wrk; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing: run scripts/install-deps.sh" >&2; exit 1; }
done
bench_setup
IPERF_MOUNTS=(-v /usr/bin/iperf3:/usr/bin/iperf3:ro -v /usr/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:ro)
CMD=()
tool() { if [ "$1" = b ]; then CMD=("${B[@]}"); else CMD=("${P[@]}"); fi; }
both() {  # F ROUND args: F for burrow and podman in this round's order
  local f=$1 i=$2; shift 2
  if [ $((i % 2)) = 1 ]; then "$f" b "$@"; "$f" p "$@"; else "$f" p "$@"; "$f" b "$@"; fi
}
declare -A S
add() { S[$1]="${S[$1]:-} $2"; }
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# CPU ticks (utime + stime) of the processes each tool keeps for a container.
helper_pids() {  # tool id
  if [ "$1" = b ]; then
    local sup
    sup=$($PY -c 'import glob, json, sys; print(json.load(open(glob.glob(sys.argv[1])[0]))["supervisor_pid"])' \
      "$W/b-root/containers/$2*/state.json" 2>/dev/null || true)
    [ -n "$sup" ] && { echo "$sup"; pgrep -P "$sup" -x burrow-supervis || true; }
  else
    pgrep -u "$(id -u)" -x slirp4netns || true
    pgrep -u "$(id -u)" -f rootlessport || true
  fi
}
ticks() {
  local t=0 p v
  for p in "$@"; do
    v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    t=$((t + v))
  done
  echo "$t"
}
HZ=$(getconf CLK_TCK)

# iperf3 JSON on stdin -> Gbit/s received
gbps() { $PY -c 'import json, sys
try: print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception: print("nan")'; }
# cores used per Gbit/s: ticks seconds gbps
per_gbps() { $PY -c 'import sys
t, s, g = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print("nan" if g == "nan" or float(g) == 0 else "%.3f" % (t / '"$HZ"' / s / float(g)))' "$@"; }

# One iperf3 test through -p to a server in a detached container. tool label network-option
publish_run() {
  local t=$1 label=$2 netopt=$3 port id pids before after g
  tool "$t"
  port=$(free_port)
  id=$("${CMD[@]}" run -d "${IPERF_MOUNTS[@]}" ${netopt:+--network "$netopt"} -p "127.0.0.1:$port:5201" "$DEBIAN" \
    iperf3 -s 2>"$W/err" | tail -n 1) || { echo "bench: $t $label: run failed: $(tail -n 1 "$W/err")" >&2; add "$label.$t" nan; return 0; }
  for _ in $(seq 50); do iperf3 -c 127.0.0.1 -p "$port" -n 1K >/dev/null 2>&1 && break; sleep 0.1; done
  # shellcheck disable=SC2046
  pids=$(helper_pids "$t" "$id" | tr '\n' ' ')
  # shellcheck disable=SC2086
  before=$(ticks $pids)
  g=$(iperf3 -c 127.0.0.1 -p "$port" -t "$SECS" -J 2>/dev/null | gbps)
  # shellcheck disable=SC2086
  after=$(ticks $pids)
  add "$label.$t" "$g"
  add "$label-cpu.$t" "$(per_gbps $((after - before)) "$SECS" "$g")"
  "${CMD[@]}" rm -f -t 0 "$id" >/dev/null 2>&1 || true
}

# iperf3 from the container to the host's loopback: exec in a running container, so that the
# helpers' CPU can be read while they live. tool
outbound_run() {
  local t=$1 port id pids before after g srv
  tool "$t"
  port=$(free_port)
  iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  srv=$!
  id=$("${CMD[@]}" run -d "${IPERF_MOUNTS[@]}" --network slirp4netns:allow_host_loopback=true "$DEBIAN" sleep 1000 \
    2>"$W/err" | tail -n 1) || { echo "bench: $t outbound: run failed: $(tail -n 1 "$W/err")" >&2; add "out.$t" nan; kill $srv; return 0; }
  sleep 0.3
  pids=$(helper_pids "$t" "$id" | tr '\n' ' ')
  # shellcheck disable=SC2086
  before=$(ticks $pids)
  g=$("${CMD[@]}" exec "$id" iperf3 -c 10.0.2.2 -p "$port" -t "$SECS" -J 2>/dev/null | gbps)
  # shellcheck disable=SC2086
  after=$(ticks $pids)
  add "out.$t" "$g"
  add "out-cpu.$t" "$(per_gbps $((after - before)) "$SECS" "$g")"
  kill "$srv" 2>/dev/null || true
  wait "$srv" 2>/dev/null || true
  "${CMD[@]}" rm -f -t 0 "$id" >/dev/null 2>&1 || true
}

# Requests per second, a new connection each. tool
rate_run() {
  local t=$1 port id r
  tool "$t"
  port=$(free_port)
  id=$("${CMD[@]}" run -d -p "127.0.0.1:$port:80" "$BUSYBOX" sh -c 'echo ok > /tmp/index.html; exec httpd -f -p 80 -h /tmp' \
    2>"$W/err" | tail -n 1) || { echo "bench: $t rate: run failed: $(tail -n 1 "$W/err")" >&2; add "rate.$t" nan; return 0; }
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/index.html" && break; sleep 0.1; done
  r=$(wrk -t 1 -c 8 -d "${SECS}s" -H 'Connection: close' "http://127.0.0.1:$port/index.html" 2>/dev/null \
    | awk '/^Requests\/sec:/ {print $2}')
  add "rate.$t" "${r:-nan}"
  "${CMD[@]}" rm -f -t 0 "$id" >/dev/null 2>&1 || true
}

loopback_run() {  # the host's own loopback, for scale
  local port srv
  port=$(free_port)
  iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  srv=$!
  sleep 0.2
  add "lo.h" "$(iperf3 -c 127.0.0.1 -p "$port" -t "$SECS" -J 2>/dev/null | gbps)"
  wait "$srv" 2>/dev/null || true
}

echo "burrow: $BIN ($("$BIN" --version 2>/dev/null || echo '?'))"
echo "podman: $(podman --version), runc, overlay, slirp4netns $(slirp4netns --version 2>/dev/null | head -n 1 | awk '{print $3}')"
echo "rounds: $ROUNDS x ${SECS} s   user: $(id -un)   cores: $(nproc)"
pull_both "$BUSYBOX"
pull_both "$DEBIAN"
for t in b p; do tool "$t"; "${CMD[@]}" run --rm --network none "$DEBIAN" true >/dev/null 2>&1 || true; done

CASES=${BENCH_CASES:-lo pub pubslirp out rate}
[ -n "$CASES" ] || CASES="lo pub pubslirp out rate"
has() { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }
for i in $(seq "$ROUNDS"); do
  has lo && loopback_run
  has pub && both publish_run "$i" pub ""
  has pubslirp && both publish_run "$i" pubslirp "slirp4netns:port_handler=slirp4netns"
  has out && both outbound_run "$i"
  has rate && both rate_run "$i"
  echo "  round $i done"
done
for k in "${!S[@]}"; do echo "  samples $k:${S[$k]}"; done | sort

med() { med_scaled 1 2 "$@"; }
echo
printf '%-40s %12s %12s %8s %8s\n' measurement burrow podman ratio target
row() {  # label key target
  local b p
  # shellcheck disable=SC2086
  b=$(med ${S[$2.b]:-}); p=$(med ${S[$2.p]:-})
  case $2 in
    *-cpu) b=$(med_scaled 1 3 ${S[$2.b]:-}); p=$(med_scaled 1 3 ${S[$2.p]:-}) ;;
    rate) b=$(med_scaled 1 0 ${S[$2.b]:-}); p=$(med_scaled 1 0 ${S[$2.p]:-}) ;;
  esac
  printf '%-40s %12s %12s %8s %8s\n' "$1" "$b" "$p" "$(ratio "$b" "$p")" "$3"
}
row "-p host->container Gbit/s (rootlessport)" pub ">= 1.2"
row "  cores per Gbit/s" pub-cpu ""
row "-p port_handler=slirp4netns Gbit/s" pubslirp ""
row "  cores per Gbit/s" pubslirp-cpu ""
row "container->host loopback Gbit/s" out ">= 1.0"
row "  cores per Gbit/s" out-cpu ""
row "connections/s through -p (wrk)" rate ">= 1.0"
# shellcheck disable=SC2086
printf '%-40s %12s\n' "host loopback Gbit/s (reference)" "$(med ${S[lo.h]:-})"
echo "(medians of $ROUNDS; ratio = burrow/podman, higher is better here; Podman's -p row is its default"
echo " port handler, rootlessport; its container->host row is slirp4netns)"
