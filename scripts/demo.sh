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

echo "== strata build -t demo/web (a Dockerfile on the busybox image), twice"
ctx=$(mktemp -d)
trap 'rm -f "$tar"; rm -rf "$ctx"' EXIT
printf '%s\n' 'FROM busybox' \
  'RUN mkdir /www && echo "hello from a strata build" > /www/index.html' \
  'EXPOSE 80' 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]' > "$ctx/Dockerfile"
strata build -t demo/web "$ctx"
strata build -t demo/web "$ctx" | grep -c "Using cache" | sed 's/$/ steps from the cache/'

echo "== strata run -d -P demo/web, then fetch its page from the host"
id=$(strata run -d -P demo/web)
port=$(strata port "$id" 80 | cut -d: -f2)
for _ in $(seq 50); do busybox wget -q -O- "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done
strata ps
strata stop "$id" >/dev/null && strata rm "$id" >/dev/null

echo "== images travel: push to a registry on 127.0.0.1, pull it back, save and load"
reg=$(mktemp -d)
port=$(shuf -i 20000-60000 -n 1)
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$reg/data" "$port" > "$reg/config.yml"
docker-registry serve "$reg/config.yml" >"$reg/log" 2>&1 &
regpid=$!
trap 'rm -f "$tar"; rm -rf "$ctx"; kill $regpid 2>/dev/null; wait $regpid 2>/dev/null; rm -rf "$reg"' EXIT
for _ in $(seq 50); do busybox wget -q -O- "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
strata tag demo/web "127.0.0.1:$port/demo/web:1"
strata push "127.0.0.1:$port/demo/web:1"
strata rmi "127.0.0.1:$port/demo/web:1" demo/web >/dev/null
strata pull "127.0.0.1:$port/demo/web:1"
strata save -o "$reg/web.tar" "127.0.0.1:$port/demo/web:1"
strata rmi "127.0.0.1:$port/demo/web:1" >/dev/null
strata load -i "$reg/web.tar"
strata images --digests
strata rmi "127.0.0.1:$port/demo/web:1" >/dev/null
echo "== done: try 'strata run -it --rm busybox sh'"
