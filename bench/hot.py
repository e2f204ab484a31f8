#!/usr/bin/env python3
"""The hot paths of two strata binaries side by side (A B A B ...), each
against a store of its own: a cached 3-step build, and a commit of a
running container (a few files in its upper dir).

    python3 bench/hot.py --a OLD --b NEW [-n 21]

Prints medians (ms) and appends them to bench/results.txt.
"""
import argparse, datetime, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def t(cmd, env):
    s = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - s) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("-n", type=int, default=21)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    work = tempfile.mkdtemp(prefix="strata-hot-")
    try:
        tar = os.path.join(work, "bb.tar")
        subprocess.run([os.path.join(REPO, "scripts/make-busybox-rootfs.sh"), tar], check=True)
        ctx = os.path.join(work, "ctx")
        os.makedirs(ctx)
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write("FROM bb\nRUN echo a > /a\nENV X=1\nCMD [\"cat\", \"/a\"]\n")
        envs, res = {}, {}
        for k, b in (("a", args.a), ("b", args.b)):
            env = dict(os.environ, STRATA_ROOT=os.path.join(work, k, "root"),
                       STRATA_RUNROOT=os.path.join(work, k, "run"), STRATA_BRIDGE="strata-hot0")
            subprocess.run([b, "import", tar, "bb"], env=env, check=True, stdout=subprocess.DEVNULL)
            subprocess.run([b, "build", "--network", "none", "-t", "x", ctx], env=env, check=True, stdout=subprocess.DEVNULL)
            subprocess.run([b, "run", "-d", "--name", "hotc", "--network", "none", "bb", "sh", "-c",
                            "for i in 1 2 3 4 5; do echo $i > /f$i; done; sleep 600"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            envs[k] = env
            res[k] = {"build_cached": [], "commit_running": []}
        time.sleep(0.5)
        for i in range(args.n):
            for k, b in (("a", args.a), ("b", args.b)):
                res[k]["build_cached"].append(t([b, "build", "--network", "none", "-t", "x", ctx], envs[k]))
                res[k]["commit_running"].append(t([b, "commit", "hotc", f"img:{i}"], envs[k]))
        day = datetime.date.today().isoformat()
        with open(os.path.join(HERE, "results.txt"), "a") as f:
            for w in ("build_cached", "commit_running"):
                ma, mb = statistics.median(res["a"][w]), statistics.median(res["b"][w])
                print(f"{w}: A {ma:.2f} ms, B {mb:.2f} ms ({mb - ma:+.2f} ms)")
                f.write(f"{day} {w}_A {ma:.2f}\n{day} {w}_B {mb:.2f}\n")
        for k, b in (("a", args.a), ("b", args.b)):
            subprocess.run([b, "rm", "-f", "hotc"], env=envs[k], stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
