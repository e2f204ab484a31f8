#!/usr/bin/env python3
"""Issue 20's targets, measured in one run against a store of its own:

  startup      /bin/true, `strata --version`, `strata ps`, `strata images`,
               `strata runtime --version` (each a whole process)
  run          `run --rm --network none bb true` and on the default bridge,
               beside ../shared/bench/floor.c run as a process (`floor BASE 1`)
  build        one uncached RUN step, FROM + 10 trivial RUN steps uncached,
               a cached rebuild of those 10 steps
  listing      `ps -a` with 200 containers, `images` with 200 images
  monitor      a detached container's monitor PSS; 100 detached containers
               started one after another, in total

Workloads are interleaved (A B C A B C ...) so that machine noise spreads
over all of them; medians are printed and appended to bench/results.txt,
one figure per line (`DATE NAME VALUE`), so the next run compares.

    python3 bench/floor.py [--strata target/release/strata] [-n 21] [--only startup,run]
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
FLOOR_C = os.path.join(REPO, "..", "shared", "bench", "floor.c")
BRIDGE = "strata-bench0"


def timed(cmd, env, stdin=None):
    s = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stdin=stdin)
    return (time.perf_counter() - s) * 1000


def median(xs):
    return statistics.median(xs)


def pss_kib(pid):
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def rollup(pid, key):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(p))
        except OSError:
            pass
    return out


class Bench:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.strata = os.path.abspath(args.strata)
        self.env = dict(os.environ, STRATA_ROOT=os.path.join(work, "root"),
                        STRATA_RUNROOT=os.path.join(work, "run"), STRATA_BRIDGE=BRIDGE)
        self.results = []

    def s(self, *a, check=True, capture=False):
        r = subprocess.run([self.strata, *a], env=self.env, check=check,
                           stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                           stderr=subprocess.PIPE if capture else None, text=True)
        return r.stdout if capture else r

    def report(self, name, value, unit="ms", extra=""):
        print(f"{name:<44} {value:9.2f} {unit}{extra}")
        self.results.append((name, value))

    def rounds(self, workloads, n):
        """workloads: [(name, fn)]; each fn returns ms; interleaved n times."""
        times = {name: [] for name, _ in workloads}
        for _ in range(n):
            for name, fn in workloads:
                times[name].append(fn())
        return {k: median(v) for k, v in times.items()}

    # -- startup --------------------------------------------------------
    def startup(self):
        e = self.env
        w = [
            ("startup_bin_true", lambda: timed(["/bin/true"], e)),
            ("startup_version", lambda: timed([self.strata, "--version"], e)),
            ("startup_ps", lambda: timed([self.strata, "ps"], e)),
            ("startup_images", lambda: timed([self.strata, "images"], e)),
            ("startup_runtime_version", lambda: timed([self.strata, "runtime", "--version"], e)),
        ]
        for _ in range(3):
            for _, fn in w:
                fn()
        m = self.rounds(w, self.args.n * 3)
        base = m["startup_bin_true"]
        for k, v in m.items():
            self.report(k, v, extra="" if k == "startup_bin_true" else f"  (+{v - base:.2f} over /bin/true)")

    # -- run ------------------------------------------------------------
    def run(self):
        floor = os.path.join(self.work, "floor")
        subprocess.run(["gcc", "-O2", "-o", floor, FLOOR_C], check=True)
        base = os.path.join(self.work, "floorbase")
        os.makedirs(os.path.join(base, "rootfs"))
        os.makedirs(os.path.join(base, "mg"))
        subprocess.run(["tar", "-C", os.path.join(base, "rootfs"), "-xf", self.tar], check=True)
        os.makedirs(os.path.join(base, "rootfs", "proc"), exist_ok=True)
        e = self.env
        w = [
            ("floor_process", lambda: timed([floor, base, "1"], e)),
            ("run_true_none", lambda: timed([self.strata, "run", "--rm", "--network", "none", "bb", "true"], e)),
            ("run_true_bridge", lambda: timed([self.strata, "run", "--rm", "bb", "true"], e)),
        ]
        for _ in range(3):
            for _, fn in w:
                fn()
        m = self.rounds(w, self.args.n)
        f = m["floor_process"]
        self.report("floor_process", f)
        self.report("run_true_none", m["run_true_none"], extra=f"  ({m['run_true_none'] / f:.2f}x the floor)")
        self.report("run_true_bridge", m["run_true_bridge"],
                    extra=f"  (+{m['run_true_bridge'] - m['run_true_none']:.2f} over none)")

    # -- build ----------------------------------------------------------
    def build(self):
        ctx1 = os.path.join(self.work, "ctx1")
        ctx10 = os.path.join(self.work, "ctx10")
        # The cached rebuild has a Dockerfile of its own: the uncached
        # builds of ctx10 would otherwise give its steps newer cache
        # candidates each round, and its tag would move every time.
        ctxc = os.path.join(self.work, "ctxc")
        for d, steps, word in ((ctx1, 1, "u"), (ctx10, 10, "u"), (ctxc, 10, "c")):
            os.makedirs(d)
            with open(os.path.join(d, "Dockerfile"), "w") as f:
                f.write("FROM bb\n")
                for i in range(steps):
                    f.write(f"RUN echo {word}{i} > /f{i}\n")
        counter = [0]

        def uncached(ctx):
            counter[0] += 1
            return timed([self.strata, "build", "-q", "--no-cache", "-t", f"u{counter[0]}", ctx], self.env)

        def cached():
            return timed([self.strata, "build", "-q", "-t", "c10", ctxc], self.env)

        self.s("build", "-q", "-t", "c10", ctxc)
        w = [
            ("build_from_bb", lambda: timed([self.strata, "build", "-q", "--no-cache", "-t", "u0", self.ctx0], self.env)),
            ("build_1_run_uncached", lambda: uncached(ctx1)),
            ("build_10_runs_uncached", lambda: uncached(ctx10)),
            ("build_10_runs_cached", cached),
        ]
        m = self.rounds(w, max(5, self.args.n // 2))
        tags = ["u0", "c10"] + [f"u{i}" for i in range(1, counter[0] + 1)]
        subprocess.run([self.strata, "rmi", *tags], env=self.env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        per_run = (m["build_10_runs_uncached"] - m["build_from_bb"]) / 10
        self.report("build_from_bb", m["build_from_bb"])
        self.report("build_1_run_uncached", m["build_1_run_uncached"])
        self.report("build_run_step", per_run, extra="  ((10 steps - FROM only) / 10)")
        self.report("build_10_runs_uncached", m["build_10_runs_uncached"])
        self.report("build_10_runs_cached", m["build_10_runs_cached"])
        self.s("image", "prune", "-f", check=False)

    # -- listing --------------------------------------------------------
    def listing(self):
        # 200 images: tags would share one ID; commits make distinct ones.
        self.s("create", "--name", "base", "bb", "true")
        for i in range(200):
            self.s("commit", "-c", f"ENV N={i}", "base", f"img{i}")
        self.s("rm", "base")
        for i in range(200):
            self.s("create", "--network", "none", "--name", f"c{i}", f"img{i}", "true")
        e = self.env
        w = [
            ("ps_a_200", lambda: timed([self.strata, "ps", "-a"], e)),
            ("images_200", lambda: timed([self.strata, "images"], e)),
        ]
        m = self.rounds(w, self.args.n)
        for k, v in m.items():
            self.report(k, v)
        subprocess.run([self.strata, "rm", *[f"c{i}" for i in range(200)]], env=e,
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run([self.strata, "rmi", *[f"img{i}" for i in range(200)]], env=e,
                       check=False, stdout=subprocess.DEVNULL)

    # -- monitor --------------------------------------------------------
    def monitor(self):
        # PSS shares the binary's pages among the processes mapping them:
        # measured with ten monitors running, as a host with a few
        # containers has them (one alone would be charged every page).
        ids = [self.s("run", "-d", "--network", "none", "bb", "sleep", "600", capture=True).strip()
               for _ in range(10)]
        time.sleep(0.5)
        pss, anon = [], []
        for cid in ids:
            pid = int(self.s("inspect", "-f", "{{.State.Pid}}", cid, capture=True).strip())
            ppid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
            pss.append(pss_kib(ppid) / 1024)
            anon.append(rollup(ppid, "Pss_Anon:") / 1024)
        self.report("monitor_pss", median(pss), unit="MiB", extra=f"  (median of 10 monitors; anonymous {median(anon):.2f} MiB)")
        subprocess.run([self.strata, "rm", "-f", *ids], env=self.env, check=True, stdout=subprocess.DEVNULL)
        totals = []
        for r in range(3):
            s = time.perf_counter()
            for i in range(100):
                self.s("run", "-d", "--network", "none", "--name", f"d{r}-{i}", "bb", "sleep", "600")
            totals.append((time.perf_counter() - s) * 1000)
            subprocess.run([self.strata, "rm", "-f", *[f"d{r}-{i}" for i in range(100)]], env=self.env,
                           check=True, stdout=subprocess.DEVNULL)
        self.report("detached_100_total", median(totals))

    def main(self):
        self.tar = os.path.join(self.work, "bb.tar")
        subprocess.run([os.path.join(REPO, "scripts/make-busybox-rootfs.sh"), self.tar], check=True)
        self.s("import", self.tar, "bb")
        self.ctx0 = os.path.join(self.work, "ctx0")
        os.makedirs(self.ctx0)
        with open(os.path.join(self.ctx0, "Dockerfile"), "w") as f:
            f.write("FROM bb\n")
        only = set(self.args.only.split(",")) if self.args.only else None
        for part in ("startup", "run", "build", "listing", "monitor"):
            if only is None or part in only:
                getattr(self, part)()
        day = datetime.date.today().isoformat()
        with open(os.path.join(HERE, "results.txt"), "a") as f:
            for name, v in self.results:
                f.write(f"{day} {name} {v:.2f}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--strata", default=os.path.join(REPO, "target/release/strata"))
    ap.add_argument("-n", type=int, default=21)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: containers need it")
    work = tempfile.mkdtemp(prefix="strata-floor-")
    b = Bench(args, work)
    try:
        b.main()
    finally:
        subprocess.run([b.strata, "system", "prune", "-af"], env=b.env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([b.strata, "network", "prune", "-f"], env=b.env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
