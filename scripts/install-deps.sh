#!/usr/bin/env bash
# Installs every Debian 12 package burrow needs to build, test, demo and bench.
# Quick and silent when everything is already there (dpkg -s), so the other scripts call it
# unconditionally. As root it runs apt-get directly; as a user it uses sudo for apt-get only.
set -euo pipefail

PACKAGES=(
  # build
  meson ninja-build g++ pkg-config libcurl4-openssl-dev nlohmann-json3-dev libarchive-dev libseccomp-dev
  libssl-dev catch2 libzstd-dev zlib1g-dev libisal-dev libtomlplusplus-dev libsystemd-dev libslirp-dev
  # run and test
  uidmap fuse-overlayfs docker-registry skopeo buildah podman runc debootstrap busybox-static
  apache2-utils openssl python3 python3-pytest jq curl hyperfine util-linux iproute2
  passwd tar gzip zstd xz-utils attr ca-certificates mmdebstrap strace
  # network: libslirp at run time, a resolver for the DNS test, Podman's slirp4netns and the
  # benchmark's load tools
  libslirp0 dnsmasq-base slirp4netns iperf3 wrk
)

missing=()
for p in "${PACKAGES[@]}"; do
  # "install ok installed" is the only state that means the package is usable.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null; then
  SUDO=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and no sudo to install them; ask an administrator" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
