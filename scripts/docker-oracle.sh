#!/bin/bash
# Compares strata's build with docker's classic builder (the oracle test in
# tests/it/docker_oracle.rs): installs Debian's docker.io, starts dockerd if
# none answers, runs the comparison, and stops the daemon it started.
# strata itself never needs docker; this is a check of its behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dockerd >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null
fi
started=
if ! docker info >/dev/null 2>&1; then
    dockerd >/tmp/strata-oracle-dockerd.log 2>&1 &
    started=$!
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
fi
trap '[ -n "$started" ] && kill "$started" && wait "$started" 2>/dev/null || true' EXIT
STRATA_DOCKER_ORACLE=1 cargo test --locked --test it docker_oracle -- --nocapture
