#!/usr/bin/env python3
"""The cost of resource limits (issue 15's targets), one binary:

  * `run --rm --network none busybox true` with and without
    `-m 256m --cpus 1 --pids-limit 100`, interleaved (A B A B ...);
  * `stats --no-stream` of 10 running containers.

    python3 bench/limits.py [--strata target/release/strata] [-n 31]

Prints medians (ms) and appends them to bench/results.txt.
"""
import argparse, datetime, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LIMITS = ["-m", "256m", "--cpus", "1", "--pids-limit", "100"]


def t(cmd, env):
    s = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - s) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", default=os.path.join(REPO, "target/release/strata"))
    ap.add_argument("-n", type=int, default=31)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    work = tempfile.mkdtemp(prefix="strata-limits-")
    s = args.strata
    env = dict(os.environ, STRATA_ROOT=os.path.join(work, "root"),
               STRATA_RUNROOT=os.path.join(work, "run"), STRATA_BRIDGE="strata-bench0")
    try:
        tar = os.path.join(work, "bb.tar")
        subprocess.run([os.path.join(REPO, "scripts/make-busybox-rootfs.sh"), tar], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([s, "import", tar, "bb"], env=env, check=True, stdout=subprocess.DEVNULL)
        base = [s, "run", "--rm", "--network", "none"]
        plain, limited = [], []
        for i in range(args.n + 3):
            a = t(base + ["bb", "true"], env)
            b = t(base + LIMITS + ["bb", "true"], env)
            if i >= 3:
                plain.append(a)
                limited.append(b)
        ids = []
        for _ in range(10):
            out = subprocess.run([s, "run", "-d", "--network", "none", "bb", "sleep", "600"], env=env,
                                 check=True, capture_output=True, text=True)
            ids.append(out.stdout.strip())
        stats = [t([s, "stats", "--no-stream"], env) for _ in range(5)]
        subprocess.run([s, "rm", "-f"] + ids, env=env, check=True, stdout=subprocess.DEVNULL)
        m = statistics.median
        lines = [
            f"run true, no limits        median {m(plain):.2f} ms",
            f"run true, {' '.join(LIMITS)}  median {m(limited):.2f} ms  (+{m(limited) - m(plain):.2f})",
            f"stats --no-stream, 10 containers  median {m(stats):.0f} ms",
        ]
        print("\n".join(lines))
        with open(os.path.join(HERE, "results.txt"), "a") as f:
            f.write(f"\n# bench/limits.py {datetime.date.today()} n={args.n}\n" + "\n".join(lines) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
