#!/usr/bin/env python3
"""Issue 17's targets (applications of several containers), one binary:

    python3 bench/apps.py [--strata target/release/strata] [-n 31]

- `run --rm --network NAME busybox true` on a user network (and on
  `--network none`, for reference);
- name resolution of a peer: `exec c ping -c1 NAME` minus `exec c ping
  -c1 ADDRESS` (the same work but the lookup);
- `cp` of a 100 MB directory out of a container, against `tar -c | tar -x`
  of the same files on the host.
Medians; one figure per line appended to bench/results.txt.
"""
import argparse, datetime, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def t(cmd, env, **kw):
    a = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return (time.perf_counter() - a) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", default=os.path.join(REPO, "target/release/strata"))
    ap.add_argument("-n", type=int, default=31)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    s = a.strata
    work = tempfile.mkdtemp(prefix="strata-apps-")
    env = dict(os.environ, STRATA_ROOT=os.path.join(work, "root"),
               STRATA_RUNROOT=os.path.join(work, "run"), STRATA_BRIDGE="strata-bench0")
    ok = lambda *c: subprocess.run([s, *c], env=env, check=True, capture_output=True, text=True).stdout.strip()
    try:
        tar = os.path.join(work, "bb.tar")
        subprocess.run([os.path.join(REPO, "scripts/make-busybox-rootfs.sh"), tar], check=True,
                       stdout=subprocess.DEVNULL)
        ok("import", tar, "bb")
        ok("network", "create", "benchnet")
        none, user = [], []
        for i in range(a.n + 3):
            x = t([s, "run", "--rm", "--network", "none", "bb", "true"], env)
            y = t([s, "run", "--rm", "--network", "benchnet", "bb", "true"], env)
            if i >= 3:
                none.append(x)
                user.append(y)
        ok("run", "-d", "--name", "peer", "--network", "benchnet", "bb", "sleep", "600")
        ok("run", "-d", "--name", "asker", "--network", "benchnet", "bb", "sleep", "600")
        ip = ok("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "peer")
        by_name, by_ip = [], []
        for i in range(a.n + 3):
            x = t([s, "exec", "asker", "ping", "-c", "1", "-W", "1", "peer"], env)
            y = t([s, "exec", "asker", "ping", "-c", "1", "-W", "1", ip], env)
            if i >= 3:
                by_name.append(x)
                by_ip.append(y)
        # 100 MB: 100 files of 1 MB and 2000 of 1 kB, in a container's upper dir.
        ok("run", "--name", "data", "--network", "none", "bb", "sh", "-c",
           "mkdir -p /data/big /data/small && for i in $(seq 100); do head -c 1048576 /dev/urandom > /data/big/$i; done"
           " && for i in $(seq 2000); do head -c 1024 /dev/urandom > /data/small/$i; done")
        cid = ok("inspect", "-f", "{{.Id}}", "data")
        upper = os.path.join(work, "root", "containers", cid, "upper", "data")
        cps, tars = [], []
        for i in range(7):
            d1, d2 = os.path.join(work, f"cp{i}"), os.path.join(work, f"tar{i}")
            cps.append(t([s, "cp", "data:/data", d1], env))
            os.makedirs(d2)
            tars.append(t(["sh", "-c", f"tar -C {upper} -cf - . | tar -C {d2} -xf -"], env))
            shutil.rmtree(d1)
            shutil.rmtree(d2)
        ok("rm", "-f", "peer", "asker", "data")
        ok("network", "rm", "benchnet")
        m = statistics.median
        lines = [
            f"run --rm true, --network none  median {m(none):.2f} ms",
            f"run --rm true, --network benchnet (user)  median {m(user):.2f} ms",
            f"name resolution of a peer (exec ping NAME - exec ping IP)  median {m(by_name) - m(by_ip):.2f} ms",
            f"cp of 100 MB out of a container  median {m(cps):.0f} ms; host tar | tar  median {m(tars):.0f} ms",
        ]
        print("\n".join(lines))
        with open(os.path.join(HERE, "results.txt"), "a") as f:
            f.write(f"\n# bench/apps.py {datetime.date.today()} n={a.n}\n" + "\n".join(lines) + "\n")
    finally:
        subprocess.run([s, "rm", "-f", "peer", "asker", "data"], env=env, capture_output=True)
        subprocess.run([s, "network", "rm", "benchnet"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
