#!/usr/bin/env bash
# The main job, on a fresh Debian machine as root: install what is needed,
# build strata, make a busybox base image, run containers in it; then the
# notes' story on a Debian base (redis installed by hand, committed by ID
# prefix, run with a published port and PINGed; the same image from a
# Dockerfile, its cache, a change at the bottom). Exits 0 when it succeeds.
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
trap 'rm -f "$tar"; rm -rf "$ctx"; kill $regpid 2>/dev/null; wait $regpid 2>/dev/null || true; rm -rf "$reg"' EXIT
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

# The notes' story: redis installed by hand in a Debian container, then the
# same image as a Dockerfile, with the cache.
echo "== a Debian base: mmdebstrap bookworm, imported as debian:bookworm"
deb=target/demo-debian.tar
if [ ! -f "$deb" ]; then
  mmdebstrap --variant=minbase --quiet bookworm "$deb.part.tar"
  mv "$deb.part.tar" "$deb"
fi
strata import "$deb" debian:bookworm >/dev/null
strata images debian

echo "== strata run -d debian:bookworm sh -c 'apt-get update && apt-get install -y redis-server'"
strata rm -f redis-box redis-built >/dev/null 2>&1 || true
box=$(strata run -d --name redis-box debian:bookworm sh -c \
  'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null && echo installed')
echo "== from the side, while it installs: strata ps"
strata ps
echo "== strata wait ${box:0:12}: $(strata wait "$box")"
strata logs --tail 1 "$box"

echo "== strata commit -c 'CMD [\"redis-server\", ...]' ${box:0:4} me/redis   (by ID prefix)"
strata commit -c 'CMD ["redis-server", "--protected-mode", "no"]' "${box:0:4}" me/redis
strata history me/redis | head -3

ping_redis() {
  local port=$1 reply=
  for _ in $(seq 50); do
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      printf 'PING\r\n' >&3
      read -r -t 3 reply <&3 || true
      exec 3>&-
      [ -n "$reply" ] && { echo "$reply" | tr -d '\r'; return 0; }
    fi
    sleep 0.2
  done
  echo "no answer on $port" >&2
  return 1
}
rport=$(shuf -i 20000-60000 -n 1)
echo "== strata run -d -p $rport:6379 me/redis, and PING from the host"
rid=$(strata run -d --name redis-hand -p "$rport:6379" me/redis)
echo "PING -> $(ping_redis "$rport")"
strata rm -f "$rid" >/dev/null

echo "== the same image from a Dockerfile"
dctx=$(mktemp -d)
trap 'rm -f "$tar"; rm -rf "$ctx" "$dctx"; kill $regpid 2>/dev/null; wait $regpid 2>/dev/null || true; rm -rf "$reg"' EXIT
printf '%s\n' 'FROM debian:bookworm' \
  'RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null' \
  'CMD ["redis-server", "--protected-mode", "no"]' > "$dctx/Dockerfile"
strata build -t me/redis-built "$dctx"
echo "== built again: every step from the cache"
strata build -t me/redis-built "$dctx" | grep -E "^Step|Using cache"
echo "== a change at the bottom: only the last step runs again"
printf '%s\n' 'EXPOSE 6379' >> "$dctx/Dockerfile"
strata build -t me/redis-built "$dctx" | grep -E "^Step|Using cache|Running in"
rport=$(shuf -i 20000-60000 -n 1)
bid=$(strata run -d --name redis-built -p "$rport:6379" me/redis-built)
echo "PING -> $(ping_redis "$rport")"
strata rm -f "$bid" redis-box >/dev/null
strata rmi me/redis me/redis-built >/dev/null
echo "== done: try 'strata run -it --rm busybox sh'"
