#!/usr/bin/env python3
"""Issue 18's targets: the docker CLI driving `strata serve`, side by side
with the same CLI driving a dockerd 20.10 (Debian docker.io) of this
bench's own, in one run, interleaved A B A B:

    python3 bench/serve.py [--strata target/release/strata] [-n 21]

- `docker run --rm --network none busybox true` (and, through strata, on
  its default bridge);
- `docker ps` with 20 running containers;
- the servers' memory when idle (strata serve's RSS; dockerd's and its
  containerd's).
Medians; one figure per line appended to bench/results.txt. The dockerd
has no bridge and no iptables rules (`--bridge=none`), as the tests' own.
"""
import argparse, datetime, os, shutil, signal, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DOCKER = "/usr/local/bin/docker" if os.path.exists("/usr/local/bin/docker") else "docker"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def children(pid):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(p))
            except OSError:
                pass
    return out


def wait_sock(env, what):
    for _ in range(200):
        if subprocess.run([DOCKER, "version"], env=env, capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    sys.exit(f"{what} did not start")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", default=os.path.join(REPO, "target/release/strata"))
    ap.add_argument("-n", type=int, default=21)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    work = tempfile.mkdtemp(prefix="strata-serve-bench-")
    senv = dict(os.environ, STRATA_ROOT=os.path.join(work, "root"),
                STRATA_RUNROOT=os.path.join(work, "run"), STRATA_BRIDGE="strata-bench0")
    sock = os.path.join(work, "strata.sock")
    dsock = os.path.join(work, "docker.sock")
    cli = lambda h: dict(os.environ, DOCKER_HOST=f"unix://{h}", DOCKER_CONFIG=os.path.join(work, "cli"))
    A, B = cli(sock), cli(dsock)
    server = dockerd = None
    try:
        tar = os.path.join(work, "bb.tar")
        subprocess.run([os.path.join(REPO, "scripts/make-busybox-rootfs.sh"), tar], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([a.strata, "import", tar, "bb"], env=senv, check=True, capture_output=True)
        server = subprocess.Popen([a.strata, "serve", "-H", f"unix://{sock}"], env=senv,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_sock(A, "strata serve")
        dockerd = subprocess.Popen(
            ["dockerd", "--data-root", os.path.join(work, "ddata"), "--exec-root", os.path.join(work, "dexec"),
             "--pidfile", os.path.join(work, "dpid"), "-H", f"unix://{dsock}", "--bridge=none",
             "--iptables=false", "--ip-masq=false"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_sock(B, "dockerd")
        save = subprocess.run([a.strata, "save", "bb"], env=senv, check=True, capture_output=True).stdout
        subprocess.run([DOCKER, "load"], env=B, input=save, check=True, capture_output=True)

        def t(env, *args):
            s = time.perf_counter()
            subprocess.run([DOCKER, *args], env=env, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            return (time.perf_counter() - s) * 1000

        none_a, none_b, bridge_a = [], [], []
        for i in range(a.n + 2):
            x = t(A, "run", "--rm", "--network", "none", "bb", "true")
            y = t(B, "run", "--rm", "--network", "none", "bb", "true")
            z = t(A, "run", "--rm", "bb", "true")
            if i >= 2:
                none_a.append(x)
                none_b.append(y)
                bridge_a.append(z)
        # Idle memory, before the 20 containers (their monitors and shims
        # are the containers', not the server's).
        time.sleep(1)
        idle_a = rss_kib(server.pid)
        idle_b = rss_kib(dockerd.pid) + sum(rss_kib(c) for c in children(dockerd.pid))
        for env in (A, B):
            for i in range(20):
                subprocess.run([DOCKER, "run", "-d", "--network", "none", "bb", "sleep", "600"], env=env,
                               check=True, capture_output=True)
        ps_a, ps_b = [], []
        for i in range(a.n + 2):
            x = t(A, "ps")
            y = t(B, "ps")
            if i >= 2:
                ps_a.append(x)
                ps_b.append(y)
        for env in (A, B):
            ids = subprocess.run([DOCKER, "ps", "-aq"], env=env, capture_output=True, text=True).stdout.split()
            if ids:
                subprocess.run([DOCKER, "rm", "-f", *ids], env=env, capture_output=True)
        m = statistics.median
        lines = [
            f"docker run --rm --network none true: strata serve {m(none_a):.1f} ms, dockerd {m(none_b):.1f} ms",
            f"docker run --rm true (strata's default bridge): strata serve {m(bridge_a):.1f} ms",
            f"docker ps with 20 containers: strata serve {m(ps_a):.1f} ms, dockerd {m(ps_b):.1f} ms",
            f"idle server RSS: strata serve {idle_a / 1024:.1f} MiB, dockerd+containerd {idle_b / 1024:.1f} MiB",
        ]
        print("\n".join(lines))
        day = datetime.date.today().isoformat()
        with open(os.path.join(HERE, "results.txt"), "a") as f:
            f.write(f"{day} serve_run_none {m(none_a):.2f}\n")
            f.write(f"{day} dockerd_run_none {m(none_b):.2f}\n")
            f.write(f"{day} serve_run_bridge {m(bridge_a):.2f}\n")
            f.write(f"{day} serve_ps_20 {m(ps_a):.2f}\n")
            f.write(f"{day} dockerd_ps_20 {m(ps_b):.2f}\n")
            f.write(f"{day} serve_idle_rss_mib {idle_a / 1024:.1f}\n")
            f.write(f"{day} dockerd_idle_rss_mib {idle_b / 1024:.1f}\n")
    finally:
        for p in (server, dockerd):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
        subprocess.run([a.strata, "__network-teardown"], env=senv, capture_output=True)
        subprocess.run(["sh", "-c", f"grep ' {work}' /proc/mounts | cut -d' ' -f2 | xargs -r umount -l"])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
