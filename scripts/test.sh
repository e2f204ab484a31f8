#!/usr/bin/env bash
# Installs what the tests need and runs every test (as root: the tests
# make real containers, mounts and namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --locked
