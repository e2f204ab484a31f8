#!/usr/bin/env python3
"""Issue 19's targets: strata as an OCI runtime, side by side with runc
and crun (Debian), in one run, interleaved:

    python3 bench/oci.py [--strata target/release/strata] [-n 21]

- `podman run --rm --network none busybox true` with each as podman's
  runtime (podman's own store in a temp dir, vfs, cgroupfs);
- `RUNTIME create` + `start` + `delete --force` of one prepared bundle
  (the busybox rootfs, `true`), each runtime with a root of its own.
Medians; one figure per line appended to bench/results.txt.
"""
import argparse, datetime, json, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

CONFIG = {
    "ociVersion": "1.0.2-dev",
    "process": {"user": {"uid": 0, "gid": 0}, "args": ["true"], "cwd": "/",
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "capabilities": {k: ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID"]
                                 for k in ("bounding", "effective", "permitted")},
                "noNewPrivileges": True},
    "root": {"path": "rootfs"},
    "hostname": "bench",
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
               {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
    "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]},
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", default=os.path.join(REPO, "target/release/strata"))
    ap.add_argument("-n", type=int, default=21)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    work = tempfile.mkdtemp(prefix="strata-oci-bench-")
    try:
        link = os.path.join(work, "strata-runc")
        os.symlink(os.path.abspath(a.strata), link)
        runtimes = {"strata": link, "runc": shutil.which("runc"), "crun": shutil.which("crun")}
        for k, v in runtimes.items():
            if not v:
                sys.exit(f"{k} is missing: scripts/setup.sh installs it")
        tar = os.path.join(work, "bb.tar")
        subprocess.run([os.path.join(REPO, "scripts/make-busybox-rootfs.sh"), tar], check=True,
                       stdout=subprocess.DEVNULL)
        bundle = os.path.join(work, "bundle")
        os.makedirs(os.path.join(bundle, "rootfs"))
        subprocess.run(["tar", "-C", os.path.join(bundle, "rootfs"), "-xf", tar], check=True)
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(CONFIG, f)
        # podman, its own store, the image imported once.
        pod = ["podman", "--root", os.path.join(work, "proot"), "--runroot", os.path.join(work, "prun"),
               "--tmpdir", os.path.join(work, "ptmp"), "--storage-driver", "vfs",
               "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
        subprocess.run(pod + ["import", tar, "bb"], check=True, capture_output=True)

        def t(cmd):
            s = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return (time.perf_counter() - s) * 1000

        def lifecycle(rt, root, i):
            cid = f"b{i}"
            s = time.perf_counter()
            for verb in (["create", "--bundle", bundle, cid], ["start", cid], ["delete", "--force", cid]):
                subprocess.run([rt, "--root", root, *verb], check=True, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return (time.perf_counter() - s) * 1000

        # A runtime that cannot run here is reported, not timed (crun
        # refuses hybrid cgroup hosts such as this one).
        for k, rt in list(runtimes.items()):
            r = subprocess.run(pod + ["--runtime", rt, "run", "--rm", "--network", "none", "--ulimit",
                                      "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "bb", "true"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"{k}: cannot run here: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")
                del runtimes[k]
        pod_t = {k: [] for k in runtimes}
        life_t = {k: [] for k in runtimes}
        for i in range(a.n + 2):
            for k, rt in runtimes.items():
                x = t(pod + ["--runtime", rt, "run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024",
                           "--ulimit", "nproc=1024:1024", "bb", "true"])
                y = lifecycle(rt, os.path.join(work, f"root-{k}"), i)
                if i >= 2:
                    pod_t[k].append(x)
                    life_t[k].append(y)
        m = statistics.median
        lines = ["podman run --rm --network none true: " +
                 ", ".join(f"{k} {m(v):.1f} ms" for k, v in pod_t.items()),
                 "create+start+delete of a bundle: " +
                 ", ".join(f"{k} {m(v):.1f} ms" for k, v in life_t.items()),
                 ]
        for peer in ("crun", "runc"):
            if peer in runtimes:
                lines.append(f"strata / {peer}: podman {m(pod_t['strata']) / m(pod_t[peer]):.2f}, "
                             f"lifecycle {m(life_t['strata']) / m(life_t[peer]):.2f}")
        print("\n".join(lines))
        day = datetime.date.today().isoformat()
        with open(os.path.join(HERE, "results.txt"), "a") as f:
            for k in runtimes:
                f.write(f"{day} podman_run_true_{k} {m(pod_t[k]):.2f}\n")
                f.write(f"{day} oci_lifecycle_{k} {m(life_t[k]):.2f}\n")
    finally:
        subprocess.run(["podman", "--root", os.path.join(work, "proot"), "--runroot", os.path.join(work, "prun"),
                        "--storage-driver", "vfs", "system", "reset", "-f"], capture_output=True)
        subprocess.run(["sh", "-c", f"grep ' {work}' /proc/mounts | cut -d' ' -f2 | xargs -r umount -l"])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
