#!/usr/bin/env python3
"""Commands' start-up side by side: each command line given is run in turn
(A B C A B C ...), `-n` rounds, against a store of its own, and the medians
are printed with their excess over the first one (give `/bin/true` first).

    python3 bench/startup_ab.py -n 301 /bin/true "OLD --version" "NEW --version" "NEW ps"

Interleaving spreads the machine's noise over every command alike, so the
differences hold when absolute times drift (a noisy VM).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=301)
    ap.add_argument("cmds", nargs="+")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="strata-startup-")
    env = dict(os.environ, STRATA_ROOT=os.path.join(work, "root"),
               STRATA_RUNROOT=os.path.join(work, "run"))
    cmds = [c.split() for c in a.cmds]
    res = [[] for _ in cmds]
    try:
        with open(os.devnull, "w") as null:
            for _ in range(a.n):
                for j, c in enumerate(cmds):
                    t = time.perf_counter()
                    subprocess.run(c, stdout=null, env=env)
                    res[j].append((time.perf_counter() - t) * 1000)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(res[0])
    for c, r in zip(a.cmds, res):
        m = statistics.median(r)
        print(f"{m:7.3f} ms  +{m - base:6.3f}  {c}")


if __name__ == "__main__":
    main()
