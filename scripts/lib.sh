# Shared by scripts/test.sh, scripts/demo.sh and bench/pull.sh (sourced, not run).
# REPO must be set by the caller.

TEST_BASE=${BURROW_TEST_BASE:-/var/tmp/burrow-test}  # binaries and work dirs for the unprivileged users (root runs)
SUB_USER=burrow-sub                 # has /etc/subuid and /etc/subgid ranges
SOLO_USER=burrow-solo               # has none
PY=/usr/bin/python3                 # Debian's python (pytest lives there), not a pyenv shim

is_root() { [ "$(id -u)" -eq 0 ]; }

# Creates the two test users when missing. burrow-sub gets 200000:65536 unless it already has a
# range; burrow-solo must have none (useradd adds ranges by itself on Debian, so remove them).
ensure_users() {
  local u
  for u in "$SUB_USER" "$SOLO_USER"; do
    id "$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$u"
  done
  for f in /etc/subuid /etc/subgid; do
    touch "$f"
    sed -i "/^$SOLO_USER:/d;/^$(id -u "$SOLO_USER"):/d" "$f"
    grep -qE "^($SUB_USER|$(id -u "$SUB_USER")):" "$f" || echo "$SUB_USER:200000:65536" >> "$f"
  done
}

# This kind of VM ships /dev/fuse and /dev/net/tun as 0600 root: rootless fuse-overlayfs and the
# container network cannot open them. Podman's distributions ship them 0666.
open_devices() {
  local d
  for d in /dev/fuse /dev/net/tun; do
    [ -e "$d" ] && chmod 0666 "$d"
  done
  return 0
}

# meson setup (warnings are errors, as in CI) and ninja. Returns ninja's status.
build_burrow() {
  local dir=$1
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" --werror >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; rm -f "$dir.setup.log"; return 1; }
    rm -f "$dir.setup.log"
  else
    meson configure "$dir" -Dwerror=true >/dev/null
  fi
  ninja -C "$dir"
}

AS_USER_WRAP=()   # a command that as_user runs its runuser under (e.g. a private mount namespace)

# Runs a command as USER with a clean environment (HOME of that user, no XDG_RUNTIME_DIR of ours).
# Extra VAR=value assignments go before the command: as_user USER [VAR=val...] -- cmd args
as_user() {
  local user=$1; shift
  local vars=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do vars+=("$1"); shift; done
  shift
  local home
  home=$(getent passwd "$user" | cut -d: -f6)
  "${AS_USER_WRAP[@]}" runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" \
    USER="$user" LOGNAME="$user" LANG=C.UTF-8 ${CI:+CI=$CI} "${vars[@]}" "$@"
}

# The DNS tests' own resolver: dnsmasq on a loopback address, answering one test name and
# nothing else (no upstream). Sets DNS_IP and DNS_PID; fails when dnsmasq cannot start.
DNS_NAME=dns.burrow.test
DNS_ADDR=10.11.12.13
start_test_resolver() {
  local ip piddir=$1
  command -v dnsmasq >/dev/null || return 1
  for ip in 127.0.0.1 127.0.0.153; do
    dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --bind-interfaces --listen-address="$ip" \
      --port=53 --address="/$DNS_NAME/$DNS_ADDR" --user=root --pid-file="$piddir/dnsmasq.pid" \
      >"$piddir/dnsmasq.log" 2>&1 &
    DNS_PID=$!
    sleep 0.3
    if kill -0 "$DNS_PID" 2>/dev/null; then DNS_IP=$ip; return 0; fi
  done
  return 1
}
