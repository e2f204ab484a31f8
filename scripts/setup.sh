#!/usr/bin/env bash
# Installs what strata's build, demo and tests need on a Debian machine
# (run as root). Safe to run again: it installs only what is missing.
# strata itself needs none of the second and third lines: the tests use a
# registry (docker-registry, htpasswd, curl), skopeo, podman with runc, and
# docker.io (a dockerd of the tests' own) as oracles; gcc and libc6-dev
# build their static syscall probe. libseccomp-dev is linked into strata
# (statically) at build time.
set -euo pipefail
packages=(busybox-static zstd tar gzip iproute2 util-linux ca-certificates nftables mmdebstrap
          curl docker-registry skopeo podman runc apache2-utils libseccomp-dev gcc libc6-dev
          docker.io)
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
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing; strata needs Rust 1.85 or newer (rustup.rs)" >&2
  exit 1
fi
