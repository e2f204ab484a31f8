#!/usr/bin/env python3
"""Two strata binaries side by side: `run --rm --network none <busybox> true`
timed alternately (A B A B ...), each against a store of its own, with
the kernel's floor (../shared/bench/floor.c) when it can be built.

    python3 bench/ab.py --a /tmp/old/strata --b target/release/strata [-n 31] [-- RUN FLAGS]

Prints the medians (ms) and appends one figure per line to
bench/results.txt (`DATE NAME MEDIAN_MS`), so the next measurement can be
compared with this one.
"""
import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def store(work, name, strata, tar):
    env = dict(os.environ, STRATA_ROOT=os.path.join(work, name, "root"),
               STRATA_RUNROOT=os.path.join(work, name, "run"))
    subprocess.run([strata, "import", tar, "bb"], env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def timed(cmd, env):
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True)
    return (time.perf_counter() - t) * 1000


def floor(work, tar, n):
    src = os.path.join(REPO, "..", "shared", "bench", "floor.c")
    if not os.path.exists(src) or not shutil.which("gcc"):
        return None
    exe = os.path.join(work, "floor")
    subprocess.run(["gcc", "-O2", "-o", exe, src], check=True)
    base = os.path.join(work, "floorbase")
    os.makedirs(os.path.join(base, "rootfs"))
    os.makedirs(os.path.join(base, "mg"))
    subprocess.run(["tar", "-xf", tar, "-C", os.path.join(base, "rootfs")], check=True)
    os.makedirs(os.path.join(base, "rootfs", "proc"), exist_ok=True)
    times = [timed([exe, base, "1"], os.environ) for _ in range(n)]
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("-n", type=int, default=31)
    ap.add_argument("--label", default="run_true_none")
    ap.add_argument("--a-flags", default="", help="run flags for A only (space-separated)")
    ap.add_argument("--b-flags", default="", help="run flags for B only")
    ap.add_argument("flags", nargs="*", help="run flags for both")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    work = tempfile.mkdtemp(prefix="strata-ab-")
    try:
        tar = os.path.join(work, "busybox.tar")
        subprocess.run([os.path.join(REPO, "scripts/make-busybox-rootfs.sh"), tar], check=True)
        envs = {k: store(work, k, b, tar) for k, b in (("a", args.a), ("b", args.b))}
        extra = {"a": args.a_flags.split(), "b": args.b_flags.split()}
        cmds = {k: [b, "run", "--rm", "--network", "none", *args.flags, *extra[k], "bb", "true"]
                for k, b in (("a", args.a), ("b", args.b))}
        for _ in range(3):
            for k in "ab":
                timed(cmds[k], envs[k])
        t = {"a": [], "b": []}
        for _ in range(args.n):
            for k in "ab":
                t[k].append(timed(cmds[k], envs[k]))
        fl = floor(work, tar, args.n)
        ma, mb = statistics.median(t["a"]), statistics.median(t["b"])
        print(f"A {args.a}: median {ma:.2f} ms")
        print(f"B {args.b}: median {mb:.2f} ms ({mb - ma:+.2f} ms)")
        if fl is not None:
            print(f"floor (floor.c, one container as a process): median {fl:.2f} ms")
        day = datetime.date.today().isoformat()
        with open(os.path.join(HERE, "results.txt"), "a") as f:
            f.write(f"{day} {args.label}_A {ma:.2f}\n{day} {args.label}_B {mb:.2f}\n")
            if fl is not None:
                f.write(f"{day} floor_process {fl:.2f}\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
