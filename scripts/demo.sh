#!/usr/bin/env bash
# The main job, on a fresh Debian machine as root: install what is needed,
# build strata, make a busybox base image, run containers in it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --quiet
install -m 0755 target/release/strata /usr/local/bin/strata
echo "== strata $(strata --version | cut -d' ' -f2) installed in /usr/local/bin"

tar=$(mktemp --suffix=.tar)
trap 'rm -f "$tar"' EXIT
bash scripts/make-busybox-rootfs.sh "$tar"
echo "== strata import busybox.tar busybox"
strata import "$tar" busybox
strata images busybox

echo "== strata run --rm busybox sh -c '...'"
strata run --rm busybox sh -c 'echo "hello from $(hostname): pid $$, $(ls /bin | wc -l) commands"; cat /proc/1/cmdline | tr "\0" " "; echo'

echo "== strata run --name demo busybox sh -c 'echo changed > /etc/motd'"
strata rm -f demo >/dev/null 2>&1 || true
strata run --name demo busybox sh -c 'echo changed > /etc/motd'
strata ps -a --format 'table {{.Names}}\t{{.Status}}' 2>/dev/null || strata ps -a
echo "== its change lives in its own upper dir:"
ls -l "$(strata inspect -f '{{.GraphDriver.Data.UpperDir}}' demo)/etc"
strata rm demo
echo "== done: try 'strata run -it --rm busybox sh'"
