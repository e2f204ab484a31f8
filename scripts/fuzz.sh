#!/bin/bash
# Fuzzes the Dockerfile parser with libFuzzer (needs a nightly toolchain and
# cargo-fuzz): seeds the corpus with every fixture Dockerfile, then runs for
# the given number of seconds (default 60). A crash leaves its input under
# fuzz/artifacts/dockerfile/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
corpus=fuzz/corpus/dockerfile
mkdir -p "$corpus"
for f in tests/fixtures/dockerfile*/*/Dockerfile; do
    cp "$f" "$corpus/$(echo "$f" | tr / _)"
done
cargo +nightly fuzz run dockerfile "$corpus" -- -max_total_time="$secs" -max_len=4096
