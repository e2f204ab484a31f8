#!/bin/bash
# Runs only the docker oracle comparison (tests/it/docker_oracle.rs) with a
# dockerd of its own, as scripts/test.sh does for the whole suite.
# strata itself never needs docker; this is a check of its behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
STRATA_TEST_FILTER=docker_oracle exec bash scripts/test.sh
