#!/usr/bin/env bash
# Installs what the tests need and runs every test (as root: the tests
# make real containers, mounts and namespaces).
#
# docker is the oracle of tests/it/docker_oracle.rs: a dockerd of its own
# (data root, exec root and socket in a temp dir; no bridge, no iptables
# rules) is started here and stopped at the end, leaving nothing behind.
# STRATA_DOCKER_ORACLE=1 makes a missing daemon a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
oracle=$(mktemp -d /tmp/strata-oracle.XXXXXX)
stop_oracle() {
  if [ -f "$oracle/pid" ]; then
    kill "$(cat "$oracle/pid")" 2>/dev/null || true
    for _ in $(seq 1 100); do [ -f "$oracle/pid" ] || break; sleep 0.1; done
  fi
  rm -rf "$oracle"
}
trap stop_oracle EXIT
dockerd --data-root "$oracle/data" --exec-root "$oracle/exec" --pidfile "$oracle/pid" \
  -H "unix://$oracle/docker.sock" --bridge=none --iptables=false --ip-masq=false \
  >"$oracle/dockerd.log" 2>&1 &
export DOCKER_HOST="unix://$oracle/docker.sock"
for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
if ! docker info >/dev/null 2>&1; then
  echo "test: the oracle's dockerd did not start:" >&2
  tail -20 "$oracle/dockerd.log" >&2
  exit 1
fi
export STRATA_DOCKER_ORACLE=1
if [ -n "${STRATA_TEST_FILTER:-}" ]; then
  cargo test --locked --test it "$STRATA_TEST_FILTER"
else
  cargo test --locked
fi
