#!/usr/bin/env bash
# Installs what strata's build, demo and tests need on a Debian machine
# (run as root). Safe to run again: it installs only what is missing.
# strata itself needs none of the second and third lines: the tests use a
# registry (docker-registry, htpasswd, curl), skopeo, podman with runc, and
# docker.io (a dockerd of the tests' own) as oracles, docker.io's CLI,
# docker-compose and docker-py (pip) as clients of `strata serve`; gcc and libc6-dev
# build their static syscall probe. libseccomp-dev is linked into strata
# (statically) at build time.
set -euo pipefail
packages=(busybox-static zstd tar gzip iproute2 util-linux ca-certificates nftables mmdebstrap
          curl docker-registry skopeo podman runc apache2-utils libseccomp-dev gcc libc6-dev
          docker.io docker-compose python3-pip containerd conmon crun)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# docker-py 7.1, a client of `strata serve` in the tests (PyPI).
if ! python3 -c 'import docker, sys; sys.exit(docker.__version__ != "7.1.0")' 2>/dev/null; then
  echo "setup: installing docker-py 7.1.0"
  python3 -m pip install -q docker==7.1.0 2>/dev/null \
    || python3 -m pip install -q --break-system-packages docker==7.1.0
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing; strata needs Rust 1.85 or newer (rustup.rs)" >&2
  exit 1
fi
