#!/usr/bin/env bash
# The README's first command: install, build, then as an unprivileged user start a local
# registry, put a busybox image in it with skopeo (built by buildah from busybox-static),
# `burrow pull` it, list it with `burrow images`, run a container from it (`run --rm`) and serve
# a page from busybox httpd published with `-p`, read back with curl. Everything stays on
# 127.0.0.1.
#
# As root the demo runs as the user burrow-sub (created with /etc/subuid ranges if missing);
# as a normal user it runs as that user and uses sudo only to install packages.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
. scripts/lib.sh
BUILD=${BURROW_BUILD_DIR:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
say() { printf '\n== %s\n' "$*"; }

say "1. installing packages (skipped when present)"
bash scripts/install-deps.sh

say "2. building burrow ($BUILD)"
build_burrow "$BUILD" >/dev/null
echo "built $BUILD/burrow"

say "3. building the busybox image with buildah (cached)"
FIXTURES=$(bash tests/fixtures/build-fixtures.sh --busybox-only | tail -n 1)
echo "OCI layout: $FIXTURES/oci-busybox"

if is_root; then
  ensure_users
  open_devices
  DEMO_USER=$SUB_USER
  mkdir -p "$TEST_BASE/bin"
  chmod 0755 "$TEST_BASE"
  install -m 0755 "$BUILD/burrow" "$BUILD/burrow-pull" "$BUILD/burrow-supervisor" "$TEST_BASE/bin/"
  BURROW="$TEST_BASE/bin/burrow"
  install -m 0755 "$REPO/tests/fixtures/registry.py" "$TEST_BASE/bin/registry.py"
  REGPY="$TEST_BASE/bin/registry.py"
else
  DEMO_USER=$(id -un)
  BURROW="$BUILD/burrow"
  REGPY="$REPO/tests/fixtures/registry.py"
fi

# The part that runs as the unprivileged user. Its own temp dir holds the registry's data, the
# store, registries.conf and the runtime dir; all of it goes away at the end.
DEMO=$(cat <<'EOS'
set -euo pipefail
W=$(mktemp -d /tmp/burrow-demo.XXXXXX)
REG_PID=""
cleanup() {
  [ -n "$REG_PID" ] && /usr/bin/python3 "$REGPY" stop "$REG_PID"
  # The store holds files owned by subordinate ids: remove them inside our user namespace.
  "$BURROW" --root "$W/store" --runroot "$W/run" rm -a -f -t 0 >/dev/null 2>&1 || true
  "$BURROW" --root "$W/store" --runroot "$W/run" system reset -f >/dev/null 2>&1 || true
  if ! rm -rf "$W" 2>/dev/null; then
    su=$(grep -m1 -E "^($(id -un)|$(id -u)):" /etc/subuid | cut -d: -f2,3 | tr : ,)
    sg=$(grep -m1 -E "^($(id -un)|$(id -u)):" /etc/subgid | cut -d: -f2,3 | tr : ,)
    unshare --map-root-user --map-users="${su%,*},1,${su#*,}" --map-groups="${sg%,*},1,${sg#*,}" rm -rf "$W" || true
  fi
}
trap cleanup EXIT
echo "user: $(id -un) (uid $(id -u)); subordinate ids: $(grep -E "^($(id -un)|$(id -u)):" /etc/subuid || echo none)"

printf '\n== 4. starting docker-registry on 127.0.0.1 (data in %s)\n' "$W/registry"
eval "$(/usr/bin/python3 "$REGPY" start --data "$W/registry" --workdir "$W")"
REG_PID=$REGISTRY_PID
echo "registry at http://$REGISTRY_HOST (pid $REG_PID)"

printf '\n== 5. skopeo copy oci:busybox -> docker://%s/demo/busybox:latest\n' "$REGISTRY_HOST"
echo '{}' > "$W/auth.json"
skopeo copy -q --authfile "$W/auth.json" --dest-tls-verify=false \
  "oci:$FIXTURES/oci-busybox:latest" "docker://$REGISTRY_HOST/demo/busybox:latest"

cat > "$W/registries.conf" <<EOF
unqualified-search-registries = ["$REGISTRY_HOST"]
[[registry]]
location = "$REGISTRY_HOST"
insecure = true
EOF
export CONTAINERS_REGISTRIES_CONF="$W/registries.conf" XDG_RUNTIME_DIR="$W/xdg"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
B=("$BURROW" --root "$W/store" --runroot "$W/run")

printf '\n== 6. burrow pull %s/demo/busybox:latest\n' "$REGISTRY_HOST"
start=$EPOCHREALTIME
"${B[@]}" pull "$REGISTRY_HOST/demo/busybox:latest"
/usr/bin/python3 -c 'import sys; print("(%.2f s)" % (float(sys.argv[2]) - float(sys.argv[1])))' "$start" "$EPOCHREALTIME"

printf '\n== 7. burrow images\n'
"${B[@]}" images

IMG="$REGISTRY_HOST/demo/busybox:latest"
printf '\n== 8. burrow run --rm %s sh -c ...\n' "$IMG"
"${B[@]}" run --rm "$IMG" sh -c 'echo "hello from a burrow container: $(uname -n), uid $(id -u), $(ls /bin | wc -l) programs in /bin"'

PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '\n== 9. burrow run -d --rm -p 127.0.0.1:%s:8080 %s httpd\n' "$PORT" "$IMG"
CID=$("${B[@]}" run -d --rm -p "127.0.0.1:$PORT:8080" "$IMG" \
  sh -c 'mkdir -p /www && echo "<h1>served by busybox httpd in a burrow container</h1>" > /www/index.html && exec httpd -f -p 8080 -h /www')
echo "container ${CID:0:12} is up"
printf '\n== 10. curl http://127.0.0.1:%s/\n' "$PORT"
ok=""
for _ in $(seq 50); do
  if curl -fsS "http://127.0.0.1:$PORT/"; then ok=1; break; fi
  sleep 0.1
done
"${B[@]}" stop -t 0 "$CID" >/dev/null
[ -n "$ok" ] || { echo "the web server did not answer" >&2; exit 1; }
printf '\ndemo finished: the image was pulled by %s into %s and ran as a container (all removed again now)\n' "$(id -un)" "$W/store"
EOS
)

say "running the rest as the unprivileged user $DEMO_USER"
if is_root; then
  as_user "$DEMO_USER" BURROW="$BURROW" REGPY="$REGPY" FIXTURES="$FIXTURES" -- bash -c "$DEMO"
else
  BURROW="$BURROW" REGPY="$REGPY" FIXTURES="$FIXTURES" bash -c "$DEMO"
fi
