//! `strata serve`: the Docker Engine API, driven by the real clients —
//! the docker CLI 28 (or Debian's docker.io client), docker-py 7.1 and
//! docker-compose 1.29 — against a store of the test's own.

use crate::pty::{openpty, read_until, spawn_cmd_on};
use crate::util::*;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The docker CLI: 28 where these machines have it, else Debian's.
fn docker_bin() -> &'static str {
    if Path::new("/usr/local/bin/docker").exists() {
        "/usr/local/bin/docker"
    } else {
        assert!(
            Path::new("/usr/bin/docker").exists(),
            "the docker CLI is needed: scripts/setup.sh installs docker.io"
        );
        "/usr/bin/docker"
    }
}

/// A `strata serve` on a socket of its own, over a busybox store;
/// stopped (SIGTERM) on drop.
pub struct Serve {
    pub env: Env,
    child: Option<Bg>,
    pub sock: PathBuf,
}

impl Serve {
    pub fn start() -> Serve {
        Serve::start_on(Env::with_busybox())
    }

    fn start_on(env: Env) -> Serve {
        let sock = env.dir.join("docker.sock");
        let child = env.spawn(&["serve", "-H", &format!("unix://{}", sock.display())]);
        assert!(
            wait_for(10.0, || UnixStream::connect(&sock).is_ok()),
            "strata serve did not listen"
        );
        Serve {
            env,
            child: Some(child),
            sock,
        }
    }

    pub fn docker(&self, args: &[&str]) -> Command {
        let mut c = Command::new(docker_bin());
        c.env("DOCKER_HOST", format!("unix://{}", self.sock.display()))
            .env("DOCKER_CONFIG", self.env.dir.join("docker-cli"))
            .env("DOCKER_BUILDKIT", "0")
            .env_remove("DOCKER_API_VERSION")
            .args(args)
            .stdin(Stdio::null());
        c
    }

    fn drun(&self, args: &[&str]) -> Output {
        self.docker(args).output().unwrap()
    }

    /// A docker command that must succeed; its stdout.
    fn dok(&self, args: &[&str]) -> String {
        let o = self.drun(args);
        assert!(
            o.status.success(),
            "docker {args:?} failed ({:?}): {}{}",
            o.status.code(),
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }

    /// A raw request on the socket; the status line and the body.
    fn raw(&self, request: &str) -> (String, String) {
        let mut s = UnixStream::connect(&self.sock).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).to_string();
        let status = text.lines().next().unwrap_or("").to_string();
        let body = text
            .split_once("\r\n\r\n")
            .map(|x| x.1)
            .unwrap_or("")
            .to_string();
        (status, body)
    }

    fn pid(&self) -> i32 {
        self.child.as_ref().unwrap().id() as i32
    }

    /// SIGTERM, and the server's exit status.
    fn terminate(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().unwrap();
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(c.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let end = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                return st;
            }
            assert!(Instant::now() < end, "strata serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = self.terminate();
        }
    }
}

/// The server's open fds and resident memory.
fn fds_and_rss(pid: i32) -> (usize, u64) {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<u64>().ok())
        .unwrap_or(0);
    (fds, rss)
}

#[test]
fn the_docker_cli_runs_containers_through_strata_serve() {
    let s = Serve::start();
    let v = s.dok(&[
        "version",
        "--format",
        "{{.Server.APIVersion}} {{.Server.Os}}",
    ]);
    assert_eq!(v.trim(), "1.41 linux");
    let info = s.dok(&[
        "info",
        "--format",
        "{{.Images}} {{.Driver}} {{.LoggingDriver}}",
    ]);
    assert_eq!(info.trim(), "1 overlay2 json-file");
    assert_eq!(s.dok(&["run", "--rm", "busybox", "echo", "hi"]), "hi\n");
    // docker's exit codes: the command's, 127 for a missing one.
    let o = s.drun(&[
        "run",
        "--rm",
        "busybox",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stdout(&o), "out\n");
    assert_eq!(stderr(&o), "err\n");
    let o = s.drun(&["run", "--rm", "busybox", "nosuchcommand"]);
    assert_eq!(o.status.code(), Some(127), "{}", stderr(&o));
    // stdin piped to `run -i`, closed at its end.
    let mut c = s.docker(&["run", "--rm", "-i", "busybox", "sh", "-c", "cat; echo done"]);
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"line1\nline2\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "line1\nline2\ndone\n");
    // --rm left nothing: the store is the CLI's too.
    assert_eq!(s.env.ok(&["ps", "-aq"]), "");
    // Detached, published, exec'd, logged, stopped, removed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let www = s.env.dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "from strata\n").unwrap();
    let id = s.dok(&[
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        &format!("127.0.0.1:{port}:80"),
        "-v",
        &format!("{}:/www:ro", www.display()),
        "-e",
        "GREETING=hello",
        "busybox",
        "sh",
        "-c",
        "echo started; echo warn >&2; exec httpd -f -p 80 -h /www",
    ]);
    let id = id.trim();
    assert_eq!(id.len(), 64);
    // The CLI's ps lists what docker made.
    assert_eq!(s.env.ok(&["ps", "-q"]).trim(), &id[..12]);
    let ps = s.dok(&["ps", "--format", "{{.Names}} {{.Ports}} {{.Status}}"]);
    assert!(
        ps.starts_with(&format!("web 127.0.0.1:{port}->80/tcp Up")),
        "{ps}"
    );
    let served = wait_for(5.0, || {
        std::net::TcpStream::connect(("127.0.0.1", port))
            .and_then(|mut c| {
                c.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
                let mut b = String::new();
                c.read_to_string(&mut b)?;
                Ok(b.contains("from strata"))
            })
            .unwrap_or(false)
    });
    assert!(served, "the published port does not reach the container");
    assert_eq!(
        s.dok(&["exec", "web", "sh", "-c", "echo $GREETING"]),
        "hello\n"
    );
    let o = s.drun(&["exec", "web", "sh", "-c", "exit 4"]);
    assert_eq!(o.status.code(), Some(4));
    let o = s.drun(&["logs", "web"]);
    assert_eq!(
        (stdout(&o), stderr(&o)),
        ("started\n".into(), "warn\n".into())
    );
    let st = s.dok(&[
        "stats",
        "--no-stream",
        "--format",
        "{{.Name}} {{.PIDs}}",
        "web",
    ]);
    assert_eq!(st.trim(), "web 1");
    let top = s.dok(&["top", "web"]);
    assert!(top.contains("httpd -f -p 80"), "{top}");
    let published = s.dok(&["port", "web", "80"]);
    assert_eq!(published.trim(), format!("127.0.0.1:{port}"));
    // And docker's ps lists what strata's CLI made.
    s.env
        .ok(&["run", "-d", "--name", "cli-made", "busybox", "sleep", "60"]);
    let names = s.dok(&["ps", "--format", "{{.Names}}"]);
    assert!(names.lines().any(|n| n == "cli-made"), "{names}");
    s.dok(&["stop", "-t", "1", "web", "cli-made"]);
    let st = s.dok(&[
        "inspect",
        "-f",
        "{{.State.Status}} {{.State.ExitCode}}",
        "web",
    ]);
    assert_eq!(st.trim(), "exited 137");
    s.dok(&["rm", "web", "cli-made"]);
    let o = s.drun(&["rm", "web"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("No such container: web"),
        "{}",
        stderr(&o)
    );
    assert_eq!(s.env.ok(&["ps", "-aq"]), "");
}

#[test]
fn logs_follow_streams_until_the_container_exits() {
    let s = Serve::start();
    s.dok(&[
        "run",
        "-d",
        "--name",
        "ticker",
        "busybox",
        "sh",
        "-c",
        "for i in 1 2 3; do echo tick $i; sleep 0.3; done; echo bye >&2",
    ]);
    let t = Instant::now();
    let o = s.drun(&["logs", "-f", "ticker"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), "tick 1\ntick 2\ntick 3\n");
    assert_eq!(stderr(&o), "bye\n");
    assert!(
        t.elapsed() > Duration::from_millis(500),
        "logs -f did not follow"
    );
    s.dok(&["rm", "ticker"]);
}

#[test]
fn run_it_and_exec_it_work_through_a_pty() {
    let s = Serve::start();
    let mut pty = openpty(30, 100);
    let mut child = spawn_cmd_on(
        &pty,
        s.docker(&["run", "-it", "--name", "tty1", "busybox", "sh"]),
    );
    let banner = read_until(&mut pty.master, "# ", 15);
    assert!(banner.contains("# "), "no prompt: {banner:?}");
    pty.master.write_all(b"stty size; echo $((6*7))\r").unwrap();
    let out = read_until(&mut pty.master, "42", 10);
    assert!(
        out.contains("30 100"),
        "the window size did not reach the tty: {out:?}"
    );
    assert!(out.contains("42"), "{out:?}");
    pty.master.write_all(b"exit 3\r").unwrap();
    assert_eq!(exit_within(&mut child, 10, "docker run -it"), Some(3));
    // exec -it in a running container.
    s.dok(&["run", "-d", "--name", "box", "busybox", "sleep", "60"]);
    let mut pty = openpty(25, 90);
    let mut child = spawn_cmd_on(&pty, s.docker(&["exec", "-it", "box", "sh"]));
    let banner = read_until(&mut pty.master, "# ", 15);
    assert!(banner.contains("# "), "no prompt: {banner:?}");
    pty.master
        .write_all(b"echo $((7*6)) $TERM; exit 5\r")
        .unwrap();
    let out = read_until(&mut pty.master, "xterm", 10);
    assert!(out.contains("42 xterm"), "{out:?}");
    assert_eq!(exit_within(&mut child, 10, "docker exec -it"), Some(5));
    s.dok(&["rm", "-f", "box", "tty1"]);
}

#[test]
fn build_commit_cp_volumes_networks_and_events_through_the_api() {
    let s = Serve::start();
    let ctx = s.env.dir.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox\nARG FOO\nCOPY hello.txt /\nRUN echo built $FOO > /built.txt\nCMD [\"cat\", \"/built.txt\", \"/hello.txt\"]\n",
    )
    .unwrap();
    std::fs::write(ctx.join("hello.txt"), "hello from the context\n").unwrap();
    let out = s.dok(&[
        "build",
        "-t",
        "built:1",
        "--build-arg",
        "FOO=bar",
        ctx.to_str().unwrap(),
    ]);
    assert!(
        out.contains("Step 4/5 : RUN echo built $FOO > /built.txt"),
        "{out}"
    );
    assert!(out.contains("Removing intermediate container"), "{out}");
    assert!(out.contains("Successfully tagged built:1"), "{out}");
    assert_eq!(
        s.dok(&["run", "--rm", "built:1"]),
        "built bar\nhello from the context\n"
    );
    // The second build is the cache's, with the same image.
    let again = s.dok(&[
        "build",
        "-t",
        "built:1",
        "--build-arg",
        "FOO=bar",
        ctx.to_str().unwrap(),
    ]);
    assert_eq!(again.matches("Using cache").count(), 4, "{again}");
    assert!(
        again.contains(&format!(
            "Successfully built {}",
            &s.env.id_of("built:1")[7..19]
        )),
        "{again}"
    );
    // A failing RUN: the CLI exits with the step's code.
    std::fs::write(
        ctx.join("Dockerfile.bad"),
        "FROM busybox\nRUN echo to-stderr >&2; exit 7\n",
    )
    .unwrap();
    let o = s.drun(&[
        "build",
        "-f",
        ctx.join("Dockerfile.bad").to_str().unwrap(),
        ctx.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("returned a non-zero code: 7"),
        "{}",
        stderr(&o)
    );
    // commit -c by name, then run the new image.
    s.dok(&[
        "run",
        "-d",
        "--name",
        "base",
        "busybox",
        "sh",
        "-c",
        "echo state > /state; sleep 60",
    ]);
    assert!(wait_for(5.0, || s
        .drun(&["exec", "base", "test", "-f", "/state"])
        .status
        .success()));
    let id = s.dok(&[
        "commit",
        "-c",
        "CMD [\"cat\", \"/state\"]",
        "-m",
        "by docker",
        "base",
        "committed:1",
    ]);
    assert!(id.trim().starts_with("sha256:"), "{id}");
    assert_eq!(s.dok(&["run", "--rm", "committed:1"]), "state\n");
    assert_eq!(
        s.env
            .ok(&["inspect", "-f", "{{.Comment}}", "committed:1"])
            .trim(),
        "by docker"
    );
    // export: the container's files as a tar.
    let o = s.drun(&["export", "base"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut ar = tar::Archive::new(&o.stdout[..]);
    let names: Vec<String> = ar
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(
        names.iter().any(|n| n.trim_start_matches("./") == "state"),
        "{names:?}"
    );
    // cp both ways.
    let f = s.env.dir.join("f.txt");
    std::fs::write(&f, "copied in\n").unwrap();
    s.dok(&["cp", f.to_str().unwrap(), "base:/tmp/"]);
    assert_eq!(s.dok(&["exec", "base", "cat", "/tmp/f.txt"]), "copied in\n");
    let back = s.env.dir.join("back.txt");
    s.dok(&["cp", "base:/state", back.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&back).unwrap(), "state\n");
    let o = s.drun(&["cp", "base:/no/such", back.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // A volume and a user network, with a name resolved on it.
    s.dok(&["volume", "create", "data"]);
    assert!(s
        .env
        .ok(&["volume", "ls", "-q"])
        .lines()
        .any(|l| l == "data"));
    s.dok(&["network", "create", "app"]);
    s.dok(&[
        "run",
        "-d",
        "--name",
        "db",
        "--network",
        "app",
        "-v",
        "data:/data",
        "busybox",
        "sh",
        "-c",
        "echo kept > /data/x; exec httpd -f -p 80 -h /data",
    ]);
    let got = s.dok(&[
        "run",
        "--rm",
        "--network",
        "app",
        "busybox",
        "sh",
        "-c",
        "for i in 1 2 3 4 5; do wget -qO- http://db/x && exit 0; sleep 0.3; done; exit 1",
    ]);
    assert_eq!(got, "kept\n");
    s.dok(&["network", "connect", "app", "base"]);
    let nets = s.dok(&[
        "inspect",
        "-f",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
        "base",
    ]);
    assert!(nets.contains("app"), "{nets}");
    s.dok(&["network", "disconnect", "app", "base"]);
    // Events since the test began: what docker did is in strata's journal
    // (`until` a second ahead: the CLI sends whole seconds).
    let until = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1)
    .to_string();
    let ev = s.dok(&[
        "events",
        "--since",
        "5m",
        "--until",
        &until,
        "--filter",
        "type=volume",
        "--format",
        "{{.Action}} {{.Actor.ID}}",
    ]);
    assert!(ev.lines().any(|l| l == "create data"), "{ev}");
    let ev = s.dok(&[
        "events",
        "--since",
        "5m",
        "--until",
        &until,
        "--filter",
        "container=base",
        "--format",
        "{{.Action}}",
    ]);
    assert!(ev.lines().any(|l| l == "commit" || l == "start"), "{ev}");
    s.dok(&["rm", "-f", "db", "base"]);
    s.dok(&["volume", "rm", "data"]);
    s.dok(&["network", "rm", "app"]);
    assert_eq!(
        s.env.ok(&["network", "ls", "-q", "--filter", "name=app"]),
        ""
    );
    let df = s.dok(&["system", "df", "--format", "{{.Type}}"]);
    assert!(
        df.contains("Images") && df.contains("Local Volumes"),
        "{df}"
    );
    let pruned = s.dok(&["system", "prune", "-f"]);
    assert!(pruned.contains("Total reclaimed space"), "{pruned}");
}

/// docker-py: the SDK's own calls (sparse bodies, `True`/`False`
/// queries, logs instead of attach).
#[test]
fn docker_py_drives_strata_serve() {
    let s = Serve::start();
    let reg = crate::registry::Registry::start();
    let pushed = format!("127.0.0.1:{}/py/bb:1", reg.port);
    s.env.ok(&["tag", "busybox", &pushed]);
    s.env.ok(&["push", &pushed]);
    s.env.ok(&["rmi", &pushed]);
    let script = r#"
import docker, io, sys, tarfile
assert docker.__version__ == "7.1.0", docker.__version__
c = docker.DockerClient(base_url=sys.argv[1])
out = c.containers.run("busybox", ["sh", "-c", "echo out; echo err >&2"], remove=True)
assert out == b"out\n", out
# run(remove=True) removes the container before it reads the log stream.
for i in range(10):
    out = c.containers.run("busybox", ["echo", str(i)], remove=True)
    assert out == b"%d\n" % i, (i, out)
d = c.containers.run("busybox", ["sh", "-c", "echo tick 1; echo tick 2; sleep 30"], detach=True)
lines = []
for line in d.logs(stream=True):
    lines.append(line)
    if len(lines) == 2:
        break
assert lines == [b"tick 1\n", b"tick 2\n"], lines
r = d.exec_run(["sh", "-c", "echo in-exec; exit 4"])
assert (r.exit_code, r.output) == (4, b"in-exec\n"), r
img = d.commit(repository="pycommit", tag="1")
assert img.tags == ["pycommit:1"], img.tags
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    data = b"FROM busybox\nRUN echo sdk > /sdk.txt\nCMD [\"cat\", \"/sdk.txt\"]\n"
    ti = tarfile.TarInfo("Dockerfile"); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
buf.seek(0)
im, logs = c.images.build(fileobj=buf, custom_context=True, tag="sdkbuilt:1", rm=True)
assert im.tags == ["sdkbuilt:1"], im.tags
assert c.containers.run("sdkbuilt:1", remove=True) == b"sdk\n"
pulled = c.images.pull(sys.argv[2])
assert sys.argv[2] in pulled.tags, pulled.tags
n = c.networks.create("pynet", labels={"k": "v"})
n.connect(d, aliases=["pyalias"])
d.reload()
assert "pynet" in d.attrs["NetworkSettings"]["Networks"], d.attrs["NetworkSettings"]
assert [x.name for x in c.networks.list(names=["pynet"])] == ["pynet"]
v = c.volumes.create("pyvol", labels={"a": "b"})
assert [x.name for x in c.volumes.list(filters={"label": "a=b"})] == ["pyvol"]
assert len(c.containers.list()) == 1
d.remove(force=True)
n.remove(); v.remove()
try:
    c.containers.run("busybox", ["sh", "-c", "exit 3"], remove=True)
    raise SystemExit("no ContainerError")
except docker.errors.ContainerError as e:
    assert e.exit_status == 3
try:
    c.images.get("nosuch:1")
    raise SystemExit("no ImageNotFound")
except docker.errors.ImageNotFound:
    pass
try:
    c.containers.run("nosuch-image-here", remove=True)
    raise SystemExit("no error")
except (docker.errors.ImageNotFound, docker.errors.APIError):
    pass
print("ok")
"#;
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(format!("unix://{}", s.sock.display()))
        .arg(&pushed)
        .output()
        .unwrap();
    assert!(
        o.status.success() && stdout(&o) == "ok\n",
        "docker-py: {}{}",
        stdout(&o),
        stderr(&o)
    );
    assert_eq!(s.env.ok(&["ps", "-aq"]), "");
}

#[test]
fn compose_brings_up_two_services_and_down_leaves_nothing() {
    let s = Serve::start();
    let proj = s.env.dir.join("proj");
    std::fs::create_dir_all(proj.join("web")).unwrap();
    std::fs::write(
        proj.join("web/Dockerfile"),
        "FROM busybox\nRUN mkdir /www && echo served-by-web > /www/index.html\nCMD [\"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/www\"]\n",
    )
    .unwrap();
    std::fs::write(
        proj.join("docker-compose.yml"),
        r#"version: "3.8"
services:
  web:
    build: ./web
    networks: [appnet]
    volumes:
      - data:/data
  client:
    image: busybox
    depends_on: [web]
    networks: [appnet]
    command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web/ > /data/got && break; sleep 0.3; done; cat /data/got; sleep 60"]
    volumes:
      - data:/data
volumes:
  data: {}
networks:
  appnet: {}
"#,
    )
    .unwrap();
    let compose = |args: &[&str]| -> Output {
        Command::new("docker-compose")
            .args(["-p", "demo"])
            .args(args)
            .current_dir(&proj)
            .env("DOCKER_HOST", format!("unix://{}", s.sock.display()))
            .env("DOCKER_BUILDKIT", "0")
            .env("COMPOSE_DOCKER_CLI_BUILD", "0")
            .stdin(Stdio::null())
            .output()
            .expect("docker-compose is needed: scripts/setup.sh installs it")
    };
    let o = compose(&["up", "-d"]);
    assert!(o.status.success(), "up: {}{}", stdout(&o), stderr(&o));
    let ps = compose(&["ps"]);
    let ps = stdout(&ps);
    assert!(
        ps.contains("demo_web_1") && ps.contains("demo_client_1"),
        "{ps}"
    );
    // The client reached the web service by its name, through the volume.
    let got = wait_for(8.0, || {
        stdout(&compose(&["logs", "client"])).contains("served-by-web")
    });
    assert!(got, "{}", stdout(&compose(&["logs", "client"])));
    let o = compose(&["exec", "-T", "client", "cat", "/data/got"]);
    assert_eq!(stdout(&o), "served-by-web\n", "{}", stderr(&o));
    let o = compose(&["down", "-v"]);
    assert!(o.status.success(), "down: {}", stderr(&o));
    assert_eq!(s.env.ok(&["ps", "-aq"]), "");
    assert_eq!(s.env.ok(&["volume", "ls", "-q"]), "");
    assert_eq!(
        s.env.ok(&["network", "ls", "-q", "--filter", "name=demo"]),
        ""
    );
}

#[test]
fn fifty_concurrent_clients_run_and_list_and_nothing_leaks() {
    let s = Serve::start();
    // Warm: the first run sets the bridge up.
    s.dok(&["run", "--rm", "--network", "none", "busybox", "true"]);
    let (fds0, _) = fds_and_rss(s.pid());
    let threads: Vec<_> = (0..50)
        .map(|i| {
            let mut run = s.docker(&[
                "run",
                "--rm",
                "--network",
                "none",
                "busybox",
                "echo",
                &format!("n{i}"),
            ]);
            let mut ps = s.docker(&["ps", "-a", "--format", "{{.ID}}"]);
            std::thread::spawn(move || {
                let o = run.output().unwrap();
                let p = ps.output().unwrap();
                (
                    o.status.code(),
                    stdout(&o),
                    p.status.success(),
                    stderr(&o) + &stderr(&p),
                )
            })
        })
        .collect();
    for (i, t) in threads.into_iter().enumerate() {
        let (code, out, ps_ok, err) = t.join().unwrap();
        assert_eq!(
            (code, out.as_str(), ps_ok),
            (Some(0), format!("n{i}\n").as_str(), true),
            "{err}"
        );
    }
    assert_eq!(s.env.ok(&["ps", "-aq"]), "");
    assert!(host_mounts_mentioning(&s.env.dir).is_empty());
    // The connections' threads and fds are gone once they close.
    let settled = wait_for(5.0, || fds_and_rss(s.pid()).0 <= fds0 + 2);
    let (fds, rss) = fds_and_rss(s.pid());
    assert!(settled, "the server holds {fds} fds, {fds0} before");
    assert!(rss < 64 * 1024, "the server's RSS grew to {rss} KiB");
}

#[test]
fn bad_requests_get_docker_s_errors_and_the_socket_is_root_s() {
    let s = Serve::start();
    let (st, body) = s.raw("GET /v1.41/nosuch HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(st.starts_with("HTTP/1.1 404"), "{st}");
    assert!(body.contains("\"message\":\"page not found"), "{body}");
    let (st, body) = s.raw("GET /v1.45/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(st.starts_with("HTTP/1.1 400"), "{st}");
    assert!(
        body.contains("client version 1.45 is too new. Maximum supported API version is 1.41"),
        "{body}"
    );
    let bad = "{\"Image\": \"busybox\", ";
    let (st, body) = s.raw(&format!(
        "POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{bad}",
        bad.len()
    ));
    assert!(st.starts_with("HTTP/1.1 400"), "{st} {body}");
    assert!(body.contains("invalid JSON"), "{body}");
    let (st, body) = s.raw("POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{}");
    assert!(st.starts_with("HTTP/1.1 413"), "{st} {body}");
    let (st, body) =
        s.raw("GET /v1.41/containers/nosuch/json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(st.starts_with("HTTP/1.1 404"), "{st}");
    assert!(body.contains("No such container: nosuch"), "{body}");
    let (st, _) = s.raw("garbage\r\n\r\n");
    assert!(st.starts_with("HTTP/1.1 400"), "{st}");
    // Nothing was made by any of it.
    assert_eq!(s.env.ok(&["ps", "-aq"]), "");
    // The socket: root's and the docker group's; nobody else gets in.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&s.sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660);
    std::fs::set_permissions(&s.env.dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    use std::os::unix::process::CommandExt;
    let o = Command::new("python3")
        .args([
            "-c",
            "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])",
        ])
        .arg(&s.sock)
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    assert!(!o.status.success(), "nobody connected to the socket");
    assert!(stderr(&o).contains("Permission denied"), "{}", stderr(&o));
}

#[test]
fn an_attached_client_that_goes_away_leaves_its_container_running() {
    let s = Serve::start();
    let mut c = s.docker(&[
        "run",
        "--name",
        "left",
        "busybox",
        "sh",
        "-c",
        "sleep 1; echo finished",
    ]);
    let mut child = Bg(c
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap());
    assert!(wait_for(5.0, || s.env.ok(&["ps", "-q"]).trim().len() == 12));
    child.kill().unwrap();
    let _ = child.wait();
    assert!(wait_for(5.0, || {
        s.env
            .ok(&["inspect", "-f", "{{.State.Status}}", "left"])
            .trim()
            == "exited"
    }));
    assert_eq!(
        s.env
            .ok(&["inspect", "-f", "{{.State.ExitCode}}", "left"])
            .trim(),
        "0"
    );
    assert_eq!(s.env.ok(&["logs", "left"]), "finished\n");
    s.env.ok(&["rm", "left"]);
}

#[test]
fn sigterm_lets_requests_in_flight_finish_and_containers_keep_running() {
    let mut s = Serve::start();
    s.dok(&["run", "-d", "--name", "keeps", "busybox", "sleep", "60"]);
    let mut c = s.docker(&[
        "run",
        "--rm",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        "sleep 1; echo late",
    ]);
    let child = c.stdout(Stdio::piped()).spawn().unwrap();
    // It runs: its wait is in flight.
    assert!(wait_for(5.0, || s.env.ok(&["ps", "-q"]).lines().count() == 2));
    let st = s.terminate();
    assert!(st.success(), "serve exited {st:?}");
    let o = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "late\n");
    assert_eq!(o.status.code(), Some(0));
    assert!(!s.sock.exists(), "the socket was left behind");
    assert_eq!(
        s.env
            .ok(&["inspect", "-f", "{{.State.Running}}", "keeps"])
            .trim(),
        "true"
    );
}

#[test]
fn systemd_socket_activation_serves_the_socket_it_is_given() {
    let env = Env::with_busybox();
    let sock = env.dir.join("activated.sock");
    // A launcher that binds the socket, hands it over as fd 3 and execs
    // strata with LISTEN_PID=its own pid, as systemd does.
    let launcher = r#"
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(16)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], [sys.argv[2], "serve"])
"#;
    let bin = BIN;
    let mut c = Command::new("python3");
    c.env("STRATA_ROOT", env.root())
        .env("STRATA_RUNROOT", env.runroot())
        .env("STRATA_BRIDGE", &env.bridge)
        .args(["-c", launcher])
        .arg(&sock)
        .arg(bin)
        .stdin(Stdio::null());
    let mut child = Bg(c.spawn().unwrap());
    let docker = |args: &[&str]| {
        Command::new(docker_bin())
            .env("DOCKER_HOST", format!("unix://{}", sock.display()))
            .env("DOCKER_CONFIG", env.dir.join("docker-cli"))
            .args(args)
            .output()
            .unwrap()
    };
    assert!(wait_for(10.0, || docker(&["version"]).status.success()));
    assert_eq!(
        stdout(&docker(&["run", "--rm", "busybox", "echo", "activated"])),
        "activated\n"
    );
    // No socket of its own was made in the run root.
    assert!(!env.runroot().join("docker.sock").exists());
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    assert!(wait_for(10.0, || child.try_wait().unwrap().is_some()));
}
