#!/usr/bin/env python3
"""Times `strata run --rm --network none <busybox> true` (issue 2's speed target).

Runs against a store of its own in a temp dir, so it never touches
/var/lib/strata. Prints the median, p10 and p90 in milliseconds.

    python3 bench/run_true.py [--strata target/release/strata] [-n 51]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--strata", default=os.path.join(REPO, "target/release/strata"))
    ap.add_argument("-n", type=int, default=51, help="timed runs (default 51)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--network", default="none")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: containers need it")
    work = tempfile.mkdtemp(prefix="strata-bench-")
    env = dict(os.environ, STRATA_ROOT=os.path.join(work, "root"), STRATA_RUNROOT=os.path.join(work, "run"))
    try:
        tar = os.path.join(work, "busybox.tar")
        subprocess.run([os.path.join(REPO, "scripts/make-busybox-rootfs.sh"), tar], check=True)
        subprocess.run([args.strata, "import", tar, "bb"], env=env, check=True, stdout=subprocess.DEVNULL)
        cmd = [args.strata, "run", "--rm", "--network", args.network, "bb", "true"]
        for _ in range(args.warmup):
            subprocess.run(cmd, env=env, check=True)
        times = []
        for _ in range(args.n):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, check=True)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        q = statistics.quantiles(times, n=10)
        print(f"strata run --rm --network {args.network} bb true: "
              f"median {statistics.median(times):.2f} ms, p10 {q[0]:.2f} ms, p90 {q[-1]:.2f} ms (n={args.n})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
