#!/usr/bin/env python3
"""The interactive builder's targets (issue 16), through a real pty:

    python3 bench/build_i.py [--strata target/release/strata] [-n 21]

- replay: `build -i` of a 10-step Dockerfile that is all in the cache,
  from the start of the process until its prompt shows;
- typed ENV: from the Enter of an `ENV` line until the next prompt.
Medians; one figure per line appended to bench/results.txt.
"""
import argparse, datetime, fcntl, os, pty, re, select, shutil, statistics, subprocess, sys
import tempfile, termios, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PROMPT = re.compile(rb"strata (\d+)( [0-9a-f]{12})?> ")


def spawn(args, env):
    m, s = pty.openpty()
    def ctty():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    p = subprocess.Popen(args, stdin=s, stdout=s, stderr=s, env=env, preexec_fn=ctty)
    os.close(s)
    return p, m


def wait_prompt(m, n, secs=30):
    buf = b""
    end = time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([m], [], [], 0.5)
        if not r:
            continue
        buf += os.read(m, 65536)
        clean = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", buf)
        for hit in PROMPT.finditer(clean):
            if int(hit.group(1)) == n and clean.rfind(b"\n", 0, hit.start()) >= 0:
                return
    raise SystemExit(f"no prompt {n}: {buf[-500:]!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", default=os.path.join(REPO, "target/release/strata"))
    ap.add_argument("-n", type=int, default=21)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="strata-build-i-")
    env = dict(os.environ, STRATA_ROOT=os.path.join(work, "root"),
               STRATA_RUNROOT=os.path.join(work, "run"), STRATA_BRIDGE="strata-bench0",
               TERM="xterm", XDG_STATE_HOME=os.path.join(work, "state"))
    try:
        tar = os.path.join(work, "bb.tar")
        subprocess.run([os.path.join(REPO, "scripts/make-busybox-rootfs.sh"), tar], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([a.strata, "import", tar, "bb"], env=env, check=True, stdout=subprocess.DEVNULL)
        ctx = os.path.join(work, "ctx")
        os.makedirs(ctx)
        with open(os.path.join(ctx, "f.txt"), "w") as f:
            f.write("x\n")
        steps = ["FROM bb", "ENV A=1", "RUN echo one > /one", "WORKDIR /app", "COPY f.txt .",
                 "RUN echo two > two", "LABEL l=1", "USER nobody", "EXPOSE 80", 'CMD ["sh"]']
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write("\n".join(steps) + "\n")
        subprocess.run([a.strata, "build", "-q", ctx], env=env, check=True, stdout=subprocess.DEVNULL)
        replay, typed = [], []
        for i in range(a.n + 2):
            t0 = time.perf_counter()
            p, m = spawn([a.strata, "build", "-i", "--no-write", ctx], env)
            wait_prompt(m, 10)
            t1 = time.perf_counter()
            os.write(m, f"ENV RUN{i}=x\r".encode())
            wait_prompt(m, 11)
            t2 = time.perf_counter()
            os.write(m, b".quit\r")
            p.wait(10)
            os.close(m)
            if i >= 2:
                replay.append((t1 - t0) * 1000)
                typed.append((t2 - t1) * 1000)
        med = statistics.median
        lines = [
            f"build -i replay of 10 cached steps to the prompt  median {med(replay):.1f} ms",
            f"build -i typed ENV to the next prompt  median {med(typed):.1f} ms",
        ]
        print("\n".join(lines))
        with open(os.path.join(HERE, "results.txt"), "a") as f:
            f.write(f"\n# bench/build_i.py {datetime.date.today()} n={a.n}\n" + "\n".join(lines) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
