//! strata as an OCI runtime: `strata runtime` (and `strata-runc`) on a
//! bundle of its own, then driven by podman (through conmon) and by
//! containerd's runc-v2 shim, each against stores of the test's own.

use crate::pty::{openpty, read_until, spawn_cmd_on};
use crate::util::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A bundle (the busybox rootfs and a config.json) and a runtime root.
struct Bundle {
    env: Env,
    dir: PathBuf,
    state: PathBuf,
}

const CONFIG: &str = r#"{"ociVersion":"1.0.2-dev",
 "process":{"user":{"uid":0,"gid":0},"args":ARGS,"terminal":TTY,
   "env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"cwd":"/",
   "capabilities":{"bounding":["CAP_CHOWN","CAP_KILL","CAP_SETUID","CAP_SETGID"],
                   "effective":["CAP_CHOWN","CAP_KILL","CAP_SETUID","CAP_SETGID"],
                   "permitted":["CAP_CHOWN","CAP_KILL","CAP_SETUID","CAP_SETGID"]},
   "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":512}],"noNewPrivileges":true},
 "root":{"path":"rootfs"},"hostname":"ocibox",
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
           {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755"]},
           {"destination":"/run","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755","size=65536k"]}],
 "linux":{"namespaces":[{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],
          "resources":{"pids":{"limit":64}}}}"#;

impl Bundle {
    fn new(args: &[&str], tty: bool) -> Bundle {
        let env = Env::new();
        let dir = env.dir.join("bundle");
        std::fs::create_dir_all(dir.join("rootfs")).unwrap();
        let st = Command::new("tar")
            .arg("-C")
            .arg(dir.join("rootfs"))
            .arg("-xf")
            .arg(busybox_tar())
            .status()
            .unwrap();
        assert!(st.success());
        let b = Bundle {
            state: env.dir.join("state"),
            env,
            dir,
        };
        b.config(args, tty);
        b
    }

    fn config(&self, args: &[&str], tty: bool) {
        let cfg = CONFIG
            .replace("ARGS", &serde_json::to_string(args).unwrap())
            .replace("TTY", if tty { "true" } else { "false" });
        std::fs::write(self.dir.join("config.json"), cfg).unwrap();
    }

    fn rt(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("runtime").arg("--root").arg(&self.state).args(args);
        c.stdin(Stdio::null());
        c
    }

    /// Its output in files, not pipes: a created container's init keeps
    /// the runtime's stdio (they are its own), so a pipe would not end.
    fn run(&self, args: &[&str]) -> Output {
        let (o, e) = (self.env.dir.join("rt.out"), self.env.dir.join("rt.err"));
        let status = self
            .rt(args)
            .stdout(std::fs::File::create(&o).unwrap())
            .stderr(std::fs::File::create(&e).unwrap())
            .status()
            .unwrap();
        Output {
            status,
            stdout: std::fs::read(&o).unwrap_or_default(),
            stderr: std::fs::read(&e).unwrap_or_default(),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "runtime {args:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }

    fn state(&self, id: &str) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["state", id])).unwrap()
    }
}

impl Drop for Bundle {
    fn drop(&mut self) {
        // Whatever a failed test left: killed, its cgroups gone.
        if let Ok(rd) = std::fs::read_dir(&self.state) {
            for e in rd.flatten() {
                let id = e.file_name().to_string_lossy().to_string();
                if !id.starts_with('.') {
                    let _ = self.rt(&["delete", "--force", &id]).output();
                }
            }
        }
    }
}

/// A console socket at `path`: the payload and the fd of its one message.
fn console_receiver(
    path: &Path,
) -> std::thread::JoinHandle<(String, Option<std::os::fd::OwnedFd>)> {
    use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let l = std::os::unix::net::UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        let (c, _) = l.accept().unwrap();
        let mut buf = [0u8; 64];
        let mut cmsg = nix::cmsg_space!([std::os::fd::RawFd; 1]);
        let mut iov = [std::io::IoSliceMut::new(&mut buf)];
        let msg =
            recvmsg::<()>(c.as_raw_fd(), &mut iov, Some(&mut cmsg), MsgFlags::empty()).unwrap();
        let mut fd = None;
        for m in msg.cmsgs().unwrap() {
            if let ControlMessageOwned::ScmRights(fds) = m {
                fd = fds.first().copied();
            }
        }
        let n = msg.bytes;
        // SAFETY (test): the fd arrived through SCM_RIGHTS and is ours.
        (
            String::from_utf8_lossy(&buf[..n]).to_string(),
            fd.map(|f| unsafe { OwnedFd::from_raw_fd(f) }),
        )
    })
}

fn wait_status(b: &Bundle, id: &str, want: &str) -> bool {
    wait_for(10.0, || b.state(id)["status"] == want)
}

#[test]
fn a_bundle_is_created_started_killed_and_deleted_with_runc_s_states() {
    let b = Bundle::new(&["sh", "-c", "echo started > /run/mark; sleep 30"], false);
    let pid_file = b.env.dir.join("pid");
    let out = b.ok(&[
        "create",
        "--bundle",
        b.dir.to_str().unwrap(),
        "--pid-file",
        pid_file.to_str().unwrap(),
        "c1",
    ]);
    assert_eq!(out, "");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(!pid.ends_with('\n'), "the pid file has a newline: {pid:?}");
    let st = b.state("c1");
    assert_eq!(st["status"], "created");
    assert_eq!(st["id"], "c1");
    assert_eq!(st["pid"].to_string(), pid);
    assert_eq!(
        st["bundle"],
        b.dir.canonicalize().unwrap().display().to_string()
    );
    assert!(st["created"].as_str().unwrap().ends_with('Z'));
    // Created: the init waits; the program has not run.
    let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(
        !cmdline.contains("sleep"),
        "the program ran before start: {cmdline:?}"
    );
    let ps: Vec<i32> = serde_json::from_str(&b.ok(&["ps", "--format", "json", "c1"])).unwrap();
    assert_eq!(ps, vec![pid.parse::<i32>().unwrap()]);
    // A second create of the id, and a delete of the created one, are
    // runc's.
    let o = b.run(&["create", "--bundle", b.dir.to_str().unwrap(), "c1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("container with id exists: c1"),
        "{}",
        stderr(&o)
    );
    b.ok(&["start", "c1"]);
    assert_eq!(b.state("c1")["status"], "running");
    let o = b.run(&["start", "c1"]);
    assert!(
        stderr(&o).contains("cannot start an already running container"),
        "{}",
        stderr(&o)
    );
    // It runs in its own namespaces, with the spec's capabilities, limits and hostname.
    let root = format!("/proc/{pid}/root");
    assert!(wait_for(5.0, || std::fs::read_to_string(format!(
        "{root}/run/mark"
    ))
    .is_ok()));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let bnd = status.lines().find(|l| l.starts_with("CapBnd:")).unwrap();
    assert_eq!(
        bnd.split_whitespace().nth(1),
        Some("00000000000000e1"),
        "{bnd}"
    );
    assert!(status
        .lines()
        .any(|l| l.starts_with("NoNewPrivs:") && l.ends_with('1')));
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    assert!(
        limits.lines().any(|l| l.starts_with("Max open files")
            && l.contains(" 512 ")
            && l.contains(" 1024 ")),
        "{limits}"
    );
    for ns in ["pid", "net", "mnt", "uts", "ipc"] {
        assert_ne!(
            std::fs::read_link(format!("/proc/{pid}/ns/{ns}")).unwrap(),
            std::fs::read_link(format!("/proc/self/ns/{ns}")).unwrap(),
            "{ns} namespace shared with the host"
        );
    }
    // delete of a running one needs --force.
    let o = b.run(&["delete", "c1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot delete container c1 that is not stopped: running"),
        "{}",
        stderr(&o)
    );
    b.ok(&["kill", "c1", "KILL"]);
    assert!(wait_status(&b, "c1", "stopped"));
    assert_eq!(b.state("c1")["pid"], 0);
    let o = b.run(&["kill", "c1", "9"]);
    assert!(
        stderr(&o).contains("container not running"),
        "{}",
        stderr(&o)
    );
    b.ok(&["kill", "--all", "c1", "9"]);
    b.ok(&["delete", "c1"]);
    let o = b.run(&["state", "c1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("container does not exist"),
        "{}",
        stderr(&o)
    );
    // delete --force of an unknown id is no error (the shim's cleanup).
    b.ok(&["delete", "--force", "c1"]);
    assert!(!b.state.join("c1").exists());
    assert!(host_mounts_mentioning(&b.dir).is_empty());
}

#[test]
fn the_console_socket_gets_the_pty_master() {
    let b = Bundle::new(&["sh"], true);
    let sock = b.env.dir.join("console.sock");
    let t = console_receiver(&sock);
    b.ok(&[
        "create",
        "--bundle",
        b.dir.to_str().unwrap(),
        "--console-socket",
        sock.to_str().unwrap(),
        "tty1",
    ]);
    let (name, master) = t.join().unwrap();
    assert_eq!(name, "/dev/ptmx");
    let mut master = std::fs::File::from(master.expect("no fd with the message"));
    b.ok(&["start", "tty1"]);
    master.write_all(b"echo $((6*7)) on $(tty)\n").unwrap();
    let out = read_until(&mut master, "42 on /dev/pts/0", 10);
    assert!(out.contains("42 on /dev/pts/0"), "{out:?}");
    master.write_all(b"exit\n").unwrap();
    assert!(wait_status(&b, "tty1", "stopped"));
    b.ok(&["delete", "tty1"]);
    // A tty without a console socket is runc's refusal.
    let o = b.run(&["create", "--bundle", b.dir.to_str().unwrap(), "tty2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("console socket"), "{}", stderr(&o));
    assert!(!b.state.join("tty2").exists());
}

#[test]
fn bad_bundles_are_refused_in_runc_s_style_and_leave_nothing() {
    let b = Bundle::new(&["true"], false);
    let log = b.env.dir.join("log.json");
    // No config.json.
    let empty = b.env.dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = b.run(&[
        "--log",
        log.to_str().unwrap(),
        "--log-format",
        "json",
        "create",
        "--bundle",
        empty.to_str().unwrap(),
        "x1",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("level=error"), "{}", stderr(&o));
    let line = std::fs::read_to_string(&log).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.lines().last().unwrap()).unwrap();
    assert_eq!(v["level"], "error");
    assert!(v["msg"].as_str().unwrap().contains("config.json"), "{v}");
    // An ociVersion from the future, a user namespace, a missing program.
    let cfg = std::fs::read_to_string(b.dir.join("config.json")).unwrap();
    std::fs::write(b.dir.join("config.json"), cfg.replace("1.0.2-dev", "9.0.0")).unwrap();
    let o = b.run(&["create", "--bundle", b.dir.to_str().unwrap(), "x2"]);
    assert!(
        stderr(&o).contains("unsupported spec version"),
        "{}",
        stderr(&o)
    );
    std::fs::write(
        b.dir.join("config.json"),
        cfg.replace("{\"type\":\"pid\"}", "{\"type\":\"user\"}"),
    )
    .unwrap();
    let o = b.run(&["create", "--bundle", b.dir.to_str().unwrap(), "x3"]);
    assert!(
        stderr(&o).contains("user namespaces are not supported"),
        "{}",
        stderr(&o)
    );
    b.config(&["/no/such/program"], false);
    let o = b.run(&["create", "--bundle", b.dir.to_str().unwrap(), "x4"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // start of what was never created; a bad id.
    let o = b.run(&["start", "nosuch"]);
    assert!(
        stderr(&o).contains("container does not exist"),
        "{}",
        stderr(&o)
    );
    let o = b.run(&["create", "--bundle", b.dir.to_str().unwrap(), "../escape"]);
    assert!(
        stderr(&o).contains("invalid container id"),
        "{}",
        stderr(&o)
    );
    // Nothing was left: no state, no cgroup, no mount.
    let left: Vec<_> = std::fs::read_dir(&b.state)
        .map(|r| r.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    assert!(host_mounts_mentioning(&b.dir).is_empty());
    let o = b.run(&[
        "--systemd-cgroup",
        "create",
        "--bundle",
        b.dir.to_str().unwrap(),
        "x5",
    ]);
    assert!(
        stderr(&o).contains("--systemd-cgroup is not supported"),
        "{}",
        stderr(&o)
    );
    let v = b.ok(&["--version"]);
    assert!(
        v.starts_with("strata-runc version ") && v.contains("\nspec: 1.2.0"),
        "{v}"
    );
    let f: serde_json::Value = serde_json::from_str(&b.ok(&["features"])).unwrap();
    assert_eq!(f["ociVersionMin"], "1.0.0");
}

/// A `strata-runc` link to the binary, in the test's dir.
fn runc_link(env: &Env) -> PathBuf {
    let p = env.dir.join("bin").join("strata-runc");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    let _ = std::os::unix::fs::symlink(BIN, &p);
    p
}

/// podman with a store of its own, strata as its runtime.
struct Podman {
    env: Env,
    runtime: PathBuf,
}

impl Podman {
    fn new() -> Podman {
        let env = Env::with_busybox();
        let runtime = runc_link(&env);
        let p = Podman { env, runtime };
        let tar = p.env.dir.join("bb.tar");
        let o = p
            .env
            .cmd(&["save", "-o", tar.to_str().unwrap(), "busybox"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let o = p
            .cmd(&["load", "-q", "-i", tar.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "podman load: {}", stderr(&o));
        p
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("podman");
        c.arg("--root")
            .arg(self.env.dir.join("proot"))
            .arg("--runroot")
            .arg(self.env.dir.join("prun"))
            .arg("--tmpdir")
            .arg(self.env.dir.join("ptmp"))
            .args([
                "--storage-driver",
                "vfs",
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "file",
            ])
            .arg("--runtime")
            .arg(&self.runtime)
            .args(args)
            .stdin(Stdio::null());
        c
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self
            .cmd(args)
            .output()
            .expect("podman is needed: scripts/setup.sh installs it");
        assert!(
            o.status.success(),
            "podman {args:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self.cmd(&["rm", "-f", "-a", "-t", "0"]).output();
        let _ = self.cmd(&["system", "reset", "-f"]).output();
    }
}

#[test]
fn podman_runs_containers_with_strata_as_its_runtime() {
    let p = Podman::new();
    let info = p.ok(&["info", "--format", "{{.Host.OCIRuntime.Version}}"]);
    assert!(info.starts_with("strata-runc version"), "{info}");
    assert_eq!(
        p.ok(&["run", "--rm", "--network", "none", "busybox", "echo", "hi"]),
        "hi\n"
    );
    let o = p
        .cmd(&[
            "run",
            "--rm",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "exit 3",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    p.ok(&[
        "run",
        "-d",
        "--name",
        "p1",
        "--network",
        "none",
        "busybox",
        "sleep",
        "60",
    ]);
    assert!(p
        .ok(&["ps", "--format", "{{.Names}} {{.Status}}"])
        .starts_with("p1 Up"));
    assert_eq!(
        p.ok(&["exec", "p1", "sh", "-c", "echo in-exec; hostname"])
            .lines()
            .next(),
        Some("in-exec")
    );
    let o = p
        .cmd(&["exec", "p1", "sh", "-c", "exit 4"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4));
    p.ok(&["stop", "-t", "1", "p1"]);
    assert!(p
        .ok(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"])
        .starts_with("p1 Exited"));
    p.ok(&["rm", "p1"]);
    // -it through a pty.
    let mut pty = openpty(30, 100);
    let mut child = spawn_cmd_on(
        &pty,
        p.cmd(&["run", "-it", "--rm", "--network", "none", "busybox", "sh"]),
    );
    let banner = read_until(&mut pty.master, "# ", 20);
    assert!(banner.contains("# "), "no prompt: {banner:?}");
    pty.master.write_all(b"echo $((6*7))\r").unwrap();
    assert!(read_until(&mut pty.master, "42", 10).contains("42"));
    pty.master.write_all(b"exit 3\r").unwrap();
    assert_eq!(exit_within(&mut child, 20, "podman run -it"), Some(3));
}

/// A containerd of the test's own (root, state and socket in its dir), in
/// a namespace of its own.
struct Containerd {
    env: Env,
    child: Option<Bg>,
    sock: PathBuf,
    ns: String,
    runtime: PathBuf,
}

impl Containerd {
    fn start() -> Containerd {
        let env = Env::with_busybox();
        let runtime = runc_link(&env);
        let dir = env.dir.join("ctrd");
        std::fs::create_dir_all(&dir).unwrap();
        let sock = dir.join("c.sock");
        std::fs::write(
            dir.join("config.toml"),
            format!(
                "version = 2\nroot = \"{}\"\nstate = \"{}\"\n[grpc]\n  address = \"{}\"\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  disable_tcp_service = true\n",
                dir.join("root").display(),
                dir.join("state").display(),
                sock.display()
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.join("log")).unwrap();
        let child = Command::new("containerd")
            .arg("--config")
            .arg(dir.join("config.toml"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("containerd is needed: scripts/setup.sh installs it");
        let c = Containerd {
            ns: format!("strata-{}", &random_suffix()[..8]),
            env,
            child: Some(Bg(child)),
            sock,
            runtime,
        };
        assert!(
            wait_for(20.0, || c.ctr(&["version"]).status.success()),
            "containerd did not start"
        );
        c
    }

    fn ctr(&self, args: &[&str]) -> Output {
        Command::new("ctr")
            .arg("-a")
            .arg(&self.sock)
            .arg("-n")
            .arg(&self.ns)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.ctr(args);
        assert!(
            o.status.success(),
            "ctr {args:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }
}

impl Drop for Containerd {
    fn drop(&mut self) {
        let tasks = stdout(&self.ctr(&["task", "ls", "-q"]));
        for t in tasks.lines() {
            let _ = self.ctr(&["task", "kill", "-s", "SIGKILL", t]);
            let _ = self.ctr(&["task", "delete", "-f", t]);
        }
        let containers = stdout(&self.ctr(&["container", "ls", "-q"]));
        for c in containers.lines() {
            let _ = self.ctr(&["container", "delete", c]);
        }
        if let Some(mut c) = self.child.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(c.id() as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
            let _ = wait_for(10.0, || c.try_wait().unwrap().is_some());
        }
        let _ = std::fs::remove_dir_all(Path::new("/run/containerd/runc").join(&self.ns));
        // The namespace's parent groups (`/NS/ID` is the tasks' cgroupsPath).
        for h in std::fs::read_dir("/sys/fs/cgroup")
            .into_iter()
            .flatten()
            .flatten()
        {
            let _ = std::fs::remove_dir(h.path().join(&self.ns));
        }
    }
}

#[test]
fn containerd_runs_tasks_with_strata_as_its_runc() {
    let c = Containerd::start();
    let tar = c.env.dir.join("bb.tar");
    let o = c
        .env
        .cmd(&["tag", "busybox", "bb:latest"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let o = c
        .env
        .cmd(&["save", "-o", tar.to_str().unwrap(), "bb:latest"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    c.ok(&["images", "import", tar.to_str().unwrap()]);
    let rt = c.runtime.to_str().unwrap().to_string();
    let out = c.ok(&[
        "run",
        "--rm",
        "--runc-binary",
        &rt,
        "docker.io/library/bb:latest",
        "t1",
        "echo",
        "hi",
    ]);
    assert_eq!(out, "hi\n");
    c.ok(&[
        "run",
        "-d",
        "--runc-binary",
        &rt,
        "docker.io/library/bb:latest",
        "t2",
        "sleep",
        "60",
    ]);
    assert!(wait_for(5.0, || stdout(&c.ctr(&["task", "ls"])).contains("RUNNING")));
    // It is strata's state the shim's runtime root holds.
    let saved = std::fs::read_to_string(
        Path::new("/run/containerd/runc")
            .join(&c.ns)
            .join("t2/state.json"),
    )
    .unwrap();
    assert!(saved.contains("\"pid_start\""), "{saved}");
    // In the cgroup containerd asks for (cgroupsPath /NS/ID).
    let group = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
        .iter()
        .map(|r| Path::new(r).join(&c.ns).join("t2"))
        .find(|g| g.join("cgroup.procs").exists())
        .expect("no cgroup at the task's cgroupsPath");
    let procs = std::fs::read_to_string(group.join("cgroup.procs")).unwrap();
    assert_eq!(procs.lines().count(), 1, "{procs}");
    let o = c.ctr(&[
        "task",
        "exec",
        "--exec-id",
        "e1",
        "t2",
        "sh",
        "-c",
        "echo from-exec; exit 4",
    ]);
    assert_eq!(stdout(&o), "from-exec\n");
    assert_eq!(o.status.code(), Some(4));
    let ps = c.ok(&["task", "ps", "t2"]);
    assert_eq!(ps.lines().count(), 2, "{ps}");
    c.ok(&["task", "kill", "-s", "SIGKILL", "t2"]);
    assert!(wait_for(5.0, || stdout(&c.ctr(&["task", "ls"])).contains("STOPPED")));
    c.ok(&["task", "delete", "t2"]);
    c.ok(&["container", "delete", "t2"]);
    assert!(!Path::new("/run/containerd/runc")
        .join(&c.ns)
        .join("t2")
        .exists());
}

/// `inspect --format '{{json .OCISpec}}'`: the spec strata runs a
/// container with, as an OCI document that strata's runtime (or any OCI
/// runtime) takes back in a bundle, with the same result.
#[test]
fn a_container_s_oci_spec_runs_as_a_bundle_with_the_same_result() {
    let env = Env::with_busybox();
    let script = "echo $GREETING from $(hostname); grep CapBnd /proc/self/status; ulimit -n";
    env.ok(&[
        "create",
        "--name",
        "cspec",
        "--hostname",
        "spec-host",
        "--network",
        "none",
        "-e",
        "GREETING=hi",
        "--ulimit",
        "nofile=300:400",
        "--pids-limit",
        "50",
        "busybox",
        "sh",
        "-c",
        script,
    ]);
    let doc = env.ok(&["inspect", "--format", "{{json .OCISpec}}", "cspec"]);
    let mut v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["ociVersion"], "1.2.0");
    assert_eq!(v["hostname"], "spec-host");
    assert_eq!(v["process"]["args"][2], script);
    assert_eq!(v["linux"]["resources"]["pids"]["limit"], 50);
    assert!(v["linux"]["seccomp"]["syscalls"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));
    assert!(v["linux"]["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["type"] == "network"));
    // What `strata run` gives...
    let want = env.ok(&["start", "-a", "cspec"]);
    assert!(want.starts_with("hi from spec-host\n"), "{want}");
    // ... the bundle gives too.
    let bundle = env.dir.join("bundle");
    std::fs::create_dir_all(bundle.join("rootfs")).unwrap();
    let st = Command::new("tar")
        .arg("-C")
        .arg(bundle.join("rootfs"))
        .arg("-xf")
        .arg(busybox_tar())
        .status()
        .unwrap();
    assert!(st.success());
    v["root"]["path"] = serde_json::json!("rootfs");
    std::fs::write(bundle.join("config.json"), v.to_string()).unwrap();
    let state = env.dir.join("state");
    let out = env.dir.join("out");
    let rt = |args: &[&str]| {
        let o = std::fs::File::create(env.dir.join("rt.log")).unwrap();
        Command::new(BIN)
            .arg("runtime")
            .arg("--root")
            .arg(&state)
            .args(args)
            .stdin(Stdio::null())
            .stdout(o.try_clone().unwrap())
            .stderr(o)
            .status()
            .unwrap()
    };
    let f = std::fs::File::create(&out).unwrap();
    let st = Command::new(BIN)
        .arg("runtime")
        .arg("--root")
        .arg(&state)
        .args(["create", "--bundle", bundle.to_str().unwrap(), "fromspec"])
        .stdin(Stdio::null())
        .stdout(f.try_clone().unwrap())
        .stderr(f)
        .status()
        .unwrap();
    assert!(st.success(), "{}", std::fs::read_to_string(&out).unwrap());
    assert!(rt(&["start", "fromspec"]).success());
    assert!(wait_for(10.0, || std::fs::read_to_string(&out)
        .is_ok_and(|o| o.lines().count() >= 3)));
    assert!(rt(&["delete", "--force", "fromspec"]).success());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), want);
}

#[test]
fn exec_pause_update_and_stats_work_on_a_running_bundle() {
    let b = Bundle::new(&["sleep", "30"], false);
    b.ok(&["create", "--bundle", b.dir.to_str().unwrap(), "r1"]);
    b.ok(&["start", "r1"]);
    // exec with a process file, waited for: its exit code.
    let proc_file = b.env.dir.join("process.json");
    std::fs::write(
        &proc_file,
        r#"{"user":{"uid":0,"gid":0},"args":["sh","-c","hostname; exit 6"],"cwd":"/","env":["PATH=/bin"]}"#,
    )
    .unwrap();
    let o = b.run(&["exec", "--process", proc_file.to_str().unwrap(), "r1"]);
    assert_eq!(o.status.code(), Some(6));
    assert_eq!(stdout(&o), "ocibox\n");
    // exec --detach: its pid in the pid file, and it outlives us.
    let pid_file = b.env.dir.join("exec.pid");
    std::fs::write(
        &proc_file,
        r#"{"user":{"uid":0,"gid":0},"args":["sleep","20"],"cwd":"/"}"#,
    )
    .unwrap();
    b.ok(&[
        "exec",
        "--detach",
        "--pid-file",
        pid_file.to_str().unwrap(),
        "--process",
        proc_file.to_str().unwrap(),
        "r1",
    ]);
    let epid: i32 = std::fs::read_to_string(&pid_file).unwrap().parse().unwrap();
    assert!(std::path::Path::new(&format!("/proc/{epid}")).exists());
    let ps: Vec<i32> = serde_json::from_str(&b.ok(&["ps", "--format", "json", "r1"])).unwrap();
    assert!(ps.contains(&epid), "{ps:?}");
    // exec --tty: the pty master through the console socket.
    let sock = b.env.dir.join("exec-console.sock");
    let t = console_receiver(&sock);
    std::fs::write(
        &proc_file,
        r#"{"user":{"uid":0,"gid":0},"terminal":true,"args":["sh","-c","tty; sleep 2"],"cwd":"/"}"#,
    )
    .unwrap();
    b.ok(&[
        "exec",
        "--detach",
        "--tty",
        "--console-socket",
        sock.to_str().unwrap(),
        "--process",
        proc_file.to_str().unwrap(),
        "r1",
    ]);
    let mut master = std::fs::File::from(t.join().unwrap().1.expect("no pty master"));
    let out = read_until(&mut master, "/dev/pts/", 10);
    assert!(out.contains("/dev/pts/"), "{out:?}");
    // pause and resume: the freezer, and runc's statuses.
    b.ok(&["pause", "r1"]);
    assert_eq!(b.state("r1")["status"], "paused");
    let o = b.run(&["pause", "r1"]);
    assert_eq!(o.status.code(), Some(1));
    b.ok(&["resume", "r1"]);
    assert_eq!(b.state("r1")["status"], "running");
    // update: a pids limit on its group; events --stats: one sample.
    let res = b.env.dir.join("res.json");
    std::fs::write(&res, r#"{"pids":{"limit":20}}"#).unwrap();
    b.ok(&["update", "--resources", res.to_str().unwrap(), "r1"]);
    let init = b.state("r1")["pid"].as_i64().unwrap();
    let cg = std::fs::read_to_string(format!("/proc/{init}/cgroup")).unwrap();
    let max = cg
        .lines()
        .find_map(|l| {
            let mut f = l.splitn(3, ':');
            let (_, ctl, path) = (f.next()?, f.next()?, f.next()?);
            let dir = if ctl.split(',').any(|c| c == "pids") {
                format!("/sys/fs/cgroup/pids{path}")
            } else if ctl.is_empty() && cg.lines().count() == 1 {
                format!("/sys/fs/cgroup{path}")
            } else {
                return None;
            };
            std::fs::read_to_string(format!("{dir}/pids.max")).ok()
        })
        .unwrap_or_default();
    assert_eq!(max.trim(), "20", "{cg}");
    let ev: serde_json::Value = serde_json::from_str(&b.ok(&["events", "--stats", "r1"])).unwrap();
    assert_eq!(ev["type"], "stats");
    assert!(ev["data"]["pids"]["current"].as_u64().unwrap() >= 2, "{ev}");
    let list = b.ok(&["list", "-q"]);
    assert_eq!(list.trim(), "r1");
    b.ok(&["delete", "--force", "r1"]);
    assert!(wait_for(5.0, || !std::path::Path::new(&format!(
        "/proc/{epid}"
    ))
    .exists()));
}

/// A Kubernetes pod as containerd's CRI makes one: a sandbox, and a
/// container that joins its PID, IPC, UTS and network namespaces by path,
/// in the cgroup its `cgroupsPath` names, with the spec's own masked and
/// read-only paths.
#[test]
fn a_pod_s_container_joins_the_sandbox_s_namespaces_in_its_cgroups_path() {
    let b = Bundle::new(&["sleep", "30"], false);
    b.ok(&["create", "--bundle", b.dir.to_str().unwrap(), "sandbox"]);
    b.ok(&["start", "sandbox"]);
    let sandbox = b.state("sandbox")["pid"].as_i64().unwrap();
    let out = b.env.dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let parent = format!("strata-pod-{}", random_suffix());
    let c2 = b.env.dir.join("c2");
    std::fs::create_dir_all(&c2).unwrap();
    let ns = |t: &str, n: &str| format!(r#"{{"type":"{t}","path":"/proc/{sandbox}/ns/{n}"}}"#);
    let script = "hostname > /out/host; ps -o pid,comm > /out/ps; cat /proc/self/cgroup > /out/cg; \
                  cat /etc/passwd > /out/passwd; touch /etc/x 2>/dev/null; echo $? > /out/ro; sleep 30";
    let cfg = format!(
        r#"{{"ociVersion":"1.0.2-dev",
         "process":{{"user":{{"uid":0,"gid":0}},"args":{args},"cwd":"/","env":["PATH=/bin"]}},
         "root":{{"path":"{root}"}},
         "mounts":[{{"destination":"/proc","type":"proc","source":"proc"}},
                   {{"destination":"/out","type":"bind","source":"{out}","options":["rbind"]}}],
         "linux":{{"namespaces":[{pid},{ipc},{uts},{net},{{"type":"mount"}}],
                  "cgroupsPath":"/{parent}/c2",
                  "maskedPaths":["/etc/passwd"],"readonlyPaths":["/etc"],
                  "resources":{{"pids":{{"limit":33}}}}}}}}"#,
        args = serde_json::to_string(&["sh", "-c", script]).unwrap(),
        root = b.dir.join("rootfs").display(),
        out = out.display(),
        pid = ns("pid", "pid"),
        ipc = ns("ipc", "ipc"),
        uts = ns("uts", "uts"),
        net = ns("network", "net"),
    );
    std::fs::write(c2.join("config.json"), cfg).unwrap();
    b.ok(&["create", "--bundle", c2.to_str().unwrap(), "c2"]);
    b.ok(&["start", "c2"]);
    let pid = b.state("c2")["pid"].as_i64().unwrap();
    assert!(wait_for(5.0, || std::fs::read_to_string(out.join("ro")).is_ok()));
    for n in ["pid", "ipc", "uts", "net"] {
        assert_eq!(
            std::fs::read_link(format!("/proc/{pid}/ns/{n}")).unwrap(),
            std::fs::read_link(format!("/proc/{sandbox}/ns/{n}")).unwrap(),
            "{n} namespace not the sandbox's"
        );
    }
    assert_ne!(
        std::fs::read_link(format!("/proc/{pid}/ns/mnt")).unwrap(),
        std::fs::read_link(format!("/proc/{sandbox}/ns/mnt")).unwrap()
    );
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    // The sandbox's hostname, and its init as pid 1 of the shared pids.
    assert_eq!(read("host"), "ocibox\n");
    let ps = read("ps");
    assert!(
        ps.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["1", "sleep"]),
        "{ps}"
    );
    assert_eq!(read("passwd"), "", "the spec's masked path is not masked");
    assert_ne!(
        read("ro").trim(),
        "0",
        "the spec's read-only path is writable"
    );
    // Its groups are where cgroupsPath says, with the spec's limit.
    let cg = read("cg");
    assert!(cg.lines().all(|l| !l.contains("strata/")), "{cg}");
    let pids_dir = Path::new("/sys/fs/cgroup/pids").join(&parent).join("c2");
    let unified = Path::new("/sys/fs/cgroup/unified").join(&parent).join("c2");
    let group = if pids_dir.exists() {
        pids_dir
    } else {
        unified.clone()
    };
    let max = std::fs::read_to_string(group.join("pids.max")).unwrap_or_default();
    assert_eq!(max.trim(), "33", "{}", group.display());
    let procs = std::fs::read_to_string(group.join("cgroup.procs")).unwrap();
    assert!(
        procs.lines().any(|l| l.trim() == pid.to_string()),
        "{procs}"
    );
    b.ok(&["delete", "--force", "c2"]);
    assert!(
        !group.exists() && !unified.exists(),
        "its groups outlive it"
    );
    b.ok(&["delete", "--force", "sandbox"]);
    for h in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
        let _ = std::fs::remove_dir(h.path().join(&parent));
    }
}

/// Lifecycle hooks: prestart and createRuntime before the program runs
/// (with the state on stdin), poststart after the start, poststop after
/// the delete; a failing createRuntime hook fails the create and leaves
/// nothing; a failing poststop one is a warning.
#[test]
fn hooks_run_at_their_points_of_the_lifecycle() {
    let b = Bundle::new(&["sh", "-c", "echo ran > /run/mark; sleep 30"], false);
    let out = b.env.dir.join("hooks");
    std::fs::create_dir_all(&out).unwrap();
    let hook = |name: &str, extra: &str| {
        serde_json::json!({
            "path": "/bin/sh",
            "args": ["sh", "-c", format!("cat > {}/{name}.json; echo $HOOK_ENV > {}/{name}.env{extra}", out.display(), out.display())],
            "env": [format!("HOOK_ENV={name}-env")],
            "timeout": 5,
        })
    };
    let write = |hooks: serde_json::Value| {
        let mut cfg: serde_json::Value =
            serde_json::from_slice(&std::fs::read(b.dir.join("config.json")).unwrap()).unwrap();
        cfg["hooks"] = hooks;
        std::fs::write(b.dir.join("config.json"), cfg.to_string()).unwrap();
    };
    // The createRuntime hook sees the container's init, not yet its program.
    let check = " && test -d /proc/$(sed 's/.*\"pid\":\\([0-9]*\\).*/\\1/' ".to_string()
        + &format!("{}/createRuntime.json) && ! grep -q sleep /proc/$(sed 's/.*\"pid\":\\([0-9]*\\).*/\\1/' {}/createRuntime.json)/cmdline", out.display(), out.display());
    write(serde_json::json!({
        "prestart": [hook("prestart", "")],
        "createRuntime": [hook("createRuntime", &check)],
        "poststart": [hook("poststart", "")],
        "poststop": [hook("poststop", "; exit 3")],
    }));
    b.ok(&["create", "--bundle", b.dir.to_str().unwrap(), "h1"]);
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_default();
    let st: serde_json::Value = serde_json::from_str(&read("createRuntime.json")).unwrap();
    assert_eq!(st["id"], "h1");
    assert_eq!(st["status"], "created");
    assert_eq!(st["pid"], b.state("h1")["pid"]);
    assert_eq!(read("prestart.env"), "prestart-env\n");
    assert!(!out.join("poststart.json").exists());
    b.ok(&["start", "h1"]);
    let st: serde_json::Value = serde_json::from_str(&read("poststart.json")).unwrap();
    assert_eq!(st["status"], "running");
    b.ok(&["kill", "h1", "KILL"]);
    assert!(wait_status(&b, "h1", "stopped"));
    let o = b.run(&["delete", "h1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("level=warning") && stderr(&o).contains("poststop hook #0"),
        "{}",
        stderr(&o)
    );
    let st: serde_json::Value = serde_json::from_str(&read("poststop.json")).unwrap();
    assert_eq!(st["status"], "stopped");
    assert!(!b.state.join("h1").exists());
    // A failing createRuntime hook: no container, no process, no group.
    write(serde_json::json!({"createRuntime": [hook("bad", "; echo no network >&2; exit 7")]}));
    let o = b.run(&["create", "--bundle", b.dir.to_str().unwrap(), "h2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error running createRuntime hook #0")
            && stderr(&o).contains("no network"),
        "{}",
        stderr(&o)
    );
    let st: serde_json::Value = serde_json::from_str(&read("bad.json")).unwrap();
    let pid = st["pid"].as_i64().unwrap();
    assert!(
        wait_for(2.0, || !Path::new(&format!("/proc/{pid}")).exists()),
        "its init lives on"
    );
    assert!(!b.state.join("h2").exists());
    assert!(host_mounts_mentioning(&b.dir).is_empty());
    // Hooks in the container's namespaces are refused, not ignored.
    write(serde_json::json!({"startContainer": [hook("sc", "")]}));
    let o = b.run(&["create", "--bundle", b.dir.to_str().unwrap(), "h3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("startContainer hooks"),
        "{}",
        stderr(&o)
    );
}

/// The spec's devices: its nodes made in the container's /dev, its
/// cgroup rules on top of the devices every container has; without a
/// rule of its own a node is made but not allowed.
#[test]
fn the_spec_s_devices_and_device_rules_are_applied() {
    let b = Bundle::new(&["sleep", "30"], false);
    let out = b.env.dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let run = |id: &str, allow: bool| -> String {
        let mut cfg: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(b.dir.join("config.json")).unwrap())
                .unwrap();
        cfg["process"]["args"] = serde_json::json!([
            "sh",
            "-c",
            format!("stat -c '%F %t:%T %a' /dev/t41 > /out/{id}; sleep 30")
        ]);
        cfg["mounts"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!(
                {"destination": "/out", "type": "bind", "source": out, "options": ["rbind"]}
            ));
        cfg["linux"]["devices"] = serde_json::json!([
            {"path": "/dev/t41", "type": "c", "major": 4, "minor": 1, "fileMode": 0o620, "uid": 0, "gid": 0}
        ]);
        let mut rules = vec![serde_json::json!({"allow": false, "access": "rwm"})];
        if allow {
            rules.push(serde_json::json!({"allow": true, "type": "c", "major": 4, "minor": 1, "access": "rw"}));
        }
        cfg["linux"]["resources"]["devices"] = serde_json::json!(rules);
        let bundle = b.env.dir.join(id);
        std::fs::create_dir_all(&bundle).unwrap();
        cfg["root"]["path"] = serde_json::json!(b.dir.join("rootfs"));
        std::fs::write(bundle.join("config.json"), cfg.to_string()).unwrap();
        let mut c = b.rt(&["create", "--bundle", bundle.to_str().unwrap(), id]);
        c.env("STRATA_CGROUP_DEVICES", "v1");
        let o = c
            .stdout(std::fs::File::create(b.env.dir.join(format!("{id}.log"))).unwrap())
            .stderr(std::fs::File::create(b.env.dir.join(format!("{id}.err"))).unwrap())
            .status()
            .unwrap();
        assert!(
            o.success(),
            "{}",
            std::fs::read_to_string(b.env.dir.join(format!("{id}.err"))).unwrap()
        );
        b.ok(&["start", id]);
        assert!(wait_for(5.0, || out.join(id).exists()
            && !std::fs::read_to_string(out.join(id)).unwrap().is_empty()));
        let node = std::fs::read_to_string(out.join(id)).unwrap();
        assert_eq!(node, "character special file 4:1 620\n");
        let state: serde_json::Value = serde_json::from_str(&b.ok(&["state", id])).unwrap();
        let pid = state["pid"].as_i64().unwrap();
        let cg = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
        let dev = cg
            .lines()
            .find_map(|l| l.split_once(":devices:"))
            .map(|(_, p)| p.to_string())
            .expect("a v1 devices group");
        let list =
            std::fs::read_to_string(format!("/sys/fs/cgroup/devices{dev}/devices.list")).unwrap();
        b.ok(&["delete", "--force", id]);
        list
    };
    let list = run("d1", true);
    assert!(list.contains("c 4:1 rw\n"), "{list}");
    assert!(
        list.contains("c 1:3 rwm") && !list.contains("a *:* rwm"),
        "{list}"
    );
    let list = run("d2", false);
    assert!(!list.contains("c 4:1"), "{list}");
    assert!(list.contains("c 1:3 rwm"), "{list}");
}

/// `--preserve-fds N`: the caller's fds 3.. are the program's, at the
/// same numbers (podman's socket activation); fd 3+N is not.
#[test]
fn preserved_fds_reach_the_program_and_no_others() {
    let b = Bundle::new(
        &[
            "sh",
            "-c",
            "echo from-create >&3; echo leak >&4 && echo fd4-open >&3; sleep 30",
        ],
        false,
    );
    let shared = b.env.dir.join("fd3");
    let other = b.env.dir.join("fd4");
    let script = format!(
        "exec {} runtime --root {} create --preserve-fds 1 --bundle {} p1 3>>{} 4>>{} </dev/null >/dev/null 2>&1",
        BIN,
        b.state.display(),
        b.dir.display(),
        shared.display(),
        other.display()
    );
    let st = Command::new("sh").arg("-c").arg(&script).status().unwrap();
    assert!(st.success());
    b.ok(&["start", "p1"]);
    assert!(wait_for(5.0, || std::fs::read_to_string(&shared)
        .unwrap_or_default()
        .contains("from-create")));
    let proc_file = b.env.dir.join("p.json");
    std::fs::write(
        &proc_file,
        r#"{"user":{"uid":0,"gid":0},"args":["sh","-c","echo from-exec >&3"],"cwd":"/","env":["PATH=/bin"]}"#,
    )
    .unwrap();
    let script = format!(
        "exec {} runtime --root {} exec --preserve-fds 1 --process {} p1 3>>{} </dev/null",
        BIN,
        b.state.display(),
        proc_file.display(),
        shared.display()
    );
    let st = Command::new("sh").arg("-c").arg(&script).status().unwrap();
    assert!(st.success());
    let got = std::fs::read_to_string(&shared).unwrap();
    assert_eq!(got, "from-create\nfrom-exec\n");
    assert_eq!(
        std::fs::read_to_string(&other).unwrap(),
        "",
        "fd 4 reached the container"
    );
    b.ok(&["delete", "--force", "p1"]);
}
