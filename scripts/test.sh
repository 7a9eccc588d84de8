#!/usr/bin/env bash
# The README's test command: installs dependencies, builds with warnings as errors, runs the
# Catch2 unit tests and the pytest integration suite as unprivileged users, and ends with one
# line "N passed, N failed[, N skipped]". Exits non-zero on any failure.
#
# As root (CI): creates burrow-sub (with /etc/subuid and /etc/subgid ranges) and burrow-solo
# (without), opens /dev/fuse and /dev/net/tun, mounts a 40 MiB tmpfs for the disk-full test, copies
# the binaries and tests to /var/tmp/burrow-test, runs the suite as burrow-sub and the `solo` subset
# as burrow-solo. As a normal user: sudo only for packages; the suite runs as that user.
#
# Environment: BURROW_BUILD_DIR (default build), BURROW_TEST_BASE (default /var/tmp/burrow-test,
# so that two checkouts can test at once), BURROW_FIXTURE_CACHE, PYTEST_ARGS (extra args,
# split on spaces: select with -k=NAME, e.g. PYTEST_ARGS=-k=unshare).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
. scripts/lib.sh
BUILD=${BURROW_BUILD_DIR:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
T0=$(date +%s)
PASSED=0 FAILED=0 SKIPPED=0
NOTES=()
phase() { echo; echo "== $* ($(( $(date +%s) - T0 )) s)"; }
finish() {
  phase "done"
  local n
  for n in "${NOTES[@]+"${NOTES[@]}"}"; do echo "note: $n"; done
  echo "${PASSED} passed, ${FAILED} failed, ${SKIPPED} skipped"
  [ "$FAILED" -eq 0 ]
  exit $?
}

# --- dependencies -----------------------------------------------------------------------------
phase "dependencies"
if ! bash scripts/install-deps.sh; then
  FAILED=$((FAILED + 1)); NOTES+=("installing dependencies failed"); finish
fi

# --- build --------------------------------------------------------------------------------------
phase "build ($BUILD, --werror)"
if ! build_burrow "$BUILD"; then
  FAILED=$((FAILED + 1)); NOTES+=("the build failed (counted as one failure); tests run with what was built")
fi

# --- where the unprivileged users run from ------------------------------------------------------
SMALL=""
TEST_DNS=""
if is_root; then
  phase "test users and devices"
  ensure_users
  open_devices
  if mountpoint -q "$TEST_BASE/small" 2>/dev/null; then umount "$TEST_BASE/small"; fi
  rm -rf "$TEST_BASE"
  mkdir -p "$TEST_BASE/bin" "$TEST_BASE/small"
  chmod 0755 "$TEST_BASE"
  # Copies the users can read even when the checkout is in a private directory (CI's mktemp -d).
  for f in "$BUILD/burrow" "$BUILD/burrow-pull" "$BUILD/burrow-supervisor" "$BUILD"/tests/unit/test_*; do
    [ -f "$f" ] && [ -x "$f" ] && install -m 0755 "$f" "$TEST_BASE/bin/"
  done
  cp -r "$REPO/tests" "$TEST_BASE/tests"
  cp -r "$REPO/completions" "$TEST_BASE/completions"   # test_completion compares them with the binary's
  find "$TEST_BASE/tests" -name __pycache__ -prune -exec rm -rf {} +
  chmod -R a+rX "$TEST_BASE/tests" "$TEST_BASE/completions"
  BIN="$TEST_BASE/bin"
  TESTS="$TEST_BASE/tests"
  if mount -t tmpfs -o "size=40m,mode=0755,uid=$(id -u "$SUB_USER"),gid=$(id -g "$SUB_USER")" \
       burrow-small "$TEST_BASE/small" 2>/dev/null; then
    SMALL="$TEST_BASE/small"
    trap 'umount "$TEST_BASE/small" 2>/dev/null' EXIT
  else
    NOTES+=("could not mount a small tmpfs: the disk-full test skips")
  fi
  for u in "$SUB_USER" "$SOLO_USER"; do
    install -d -o "$u" -g "$(id -g "$u")" -m 0700 "$TEST_BASE/work-$u"
  done
  # The suites run in a private mount namespace whose /etc/resolv.conf names only a resolver of
  # the tests' own: the DNS that containers reach through libslirp's 10.0.2.3 forwarder then
  # never is the host's.
  if [ -e /etc/resolv.conf ] && start_test_resolver "$TEST_BASE"; then
    echo "nameserver $DNS_IP" > "$TEST_BASE/resolv.conf"
    chmod 0644 "$TEST_BASE/resolv.conf"
    AS_USER_WRAP=(unshare --mount --propagation private -- sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
                  "$TEST_BASE/resolv.conf")
    TEST_DNS="$DNS_IP $DNS_NAME $DNS_ADDR"
    trap 'umount "$TEST_BASE/small" 2>/dev/null; kill "$DNS_PID" 2>/dev/null' EXIT
  else
    NOTES+=("no test resolver (dnsmasq) could start: the DNS test skips")
  fi
else
  BIN="$BUILD"
  [ -x "$BUILD/burrow" ] || BIN=""
  TESTS="$REPO/tests"
fi

# Runs a command as the test user USER (root runs) or as ourselves.
run_as() {
  local user=$1; shift
  if is_root; then as_user "$user" "$@"; else
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do export "${1?}"; shift; done
    shift; "$@"
  fi
}

# --- unit tests ------------------------------------------------------------------------------
phase "unit tests"
UNIT_USER=${SUB_USER}
shopt -s nullglob
units=()
for f in "${BIN:-$BUILD}"/test_* "$BUILD"/tests/unit/test_*; do
  [ -f "$f" ] && [ -x "$f" ] || continue
  case " ${units[*]-} " in *"/$(basename "$f") "*) continue ;; esac
  units+=("$f")
done
if [ ${#units[@]} -eq 0 ]; then
  FAILED=$((FAILED + 1)); NOTES+=("no unit test executables were built")
fi
for exe in "${units[@]}"; do
  if is_root; then tmp="$TEST_BASE/work-$UNIT_USER"; else tmp=${TMPDIR:-/tmp}; fi
  out=$(cd "$tmp" && run_as "$UNIT_USER" TMPDIR="$tmp" -- timeout 600 "$exe" 2>&1)
  rc=$?
  # Catch2 v2: "All tests passed (A assertions in N test cases)" or
  # "test cases: N | P passed | F failed".
  summary=$(printf '%s\n' "$out" | grep -E '^(All tests passed|test cases:)' | tail -n 1)
  p=0 f=0
  if [[ $summary =~ ^All\ tests\ passed.*\ in\ ([0-9]+)\ test\ case ]]; then
    p=${BASH_REMATCH[1]}
  elif [[ $summary =~ test\ cases:\ *([0-9]+)\ *\|\ *([0-9]+)\ passed\ *\|\ *([0-9]+)\ failed ]]; then
    p=${BASH_REMATCH[2]} f=${BASH_REMATCH[3]}
  elif [[ $summary =~ test\ cases:\ *([0-9]+)\ *\|\ *([0-9]+)\ failed ]]; then
    f=${BASH_REMATCH[2]}
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # crashed, or failed before its summary
  if [ "$f" -ne 0 ]; then printf '%s\n' "$out" | tail -n 60; fi
  echo "$(basename "$exe"): $p passed, $f failed"
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
done

# --- fixtures -----------------------------------------------------------------------------------
phase "fixtures"
FIXTURES=$(bash "$REPO/tests/fixtures/build-fixtures.sh" | tail -n 1)
if [ ! -f "$FIXTURES/full.done" ]; then
  FAILED=$((FAILED + 1)); NOTES+=("building the fixture images failed; integration tests not run")
  finish
fi

# --- integration --------------------------------------------------------------------------------
# Adds a pytest junit file's counts to the totals.
count_junit() {
  local xml=$1 counts
  if [ ! -s "$xml" ]; then
    FAILED=$((FAILED + 1)); NOTES+=("pytest wrote no results ($xml)"); return
  fi
  counts=$($PY - "$xml" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
p = f = s = 0
for tc in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    kinds = {c.tag for c in tc}
    if kinds & {"failure", "error"}: f += 1
    elif "skipped" in kinds: s += 1
    else: p += 1
print(p, f, s)
PYEOF
)
  read -r p f s <<<"$counts"
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); SKIPPED=$((SKIPPED + s))
}

run_pytest() {  # USER LABEL [pytest args]
  local user=$1 label=$2; shift 2
  local work xml
  if is_root; then work="$TEST_BASE/work-$user"; else work=$(mktemp -d "${TMPDIR:-/tmp}/burrow-test.XXXXXX"); fi
  xml="$work/junit-$label.xml"
  phase "integration tests as $user ($label)"
  rm -f "$xml"
  local rc=0
  (cd "$work" && run_as "$user" BURROW_BIN="${BIN:+$BIN/burrow}" BURROW_FIXTURES="$FIXTURES" BURROW_TEST_DNS="$TEST_DNS" \
    BURROW_TEST_SMALL_FS="$SMALL" PYTHONDONTWRITEBYTECODE=1 TMPDIR="$work" -- \
    timeout 1500 "$PY" -m pytest -q -p no:cacheprovider -rfEs --basetemp="$work/pytest" \
      --junitxml="$xml" "$@" ${PYTEST_ARGS:-} "$TESTS/integration") || rc=$?
  count_junit "$xml"
  # 1 = some tests failed (counted above), 5 = none selected; anything else (interrupted, internal
  # or usage error) is a failure of its own even when the junit file says nothing failed.
  case $rc in 0|1|5) ;; *) FAILED=$((FAILED + 1)); NOTES+=("pytest as $user exited $rc") ;; esac
  if ! is_root; then rm -rf "$work"; fi
}

if is_root; then
  run_pytest "$SUB_USER" all
  run_pytest "$SOLO_USER" solo -m solo
  # Files owned by subordinate ids: root removes them; nothing stays behind.
  umount "$TEST_BASE/small" 2>/dev/null
  rm -rf "$TEST_BASE"/work-*
else
  run_pytest "$(id -un)" all
  NOTES+=("the no-subuid subset (as $SOLO_USER) was not run: creating that user needs root; run this script as root to include it")
fi
finish
