//! Test harness: a store of its own per test, the real binary, and a tiny
//! busybox base image built once from the host's busybox-static.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub const BIN: &str = env!("CARGO_BIN_EXE_strata");

/// The busybox rootfs tarball, built once per test run.
pub fn busybox_tar() -> &'static Path {
    static TAR: OnceLock<PathBuf> = OnceLock::new();
    TAR.get_or_init(|| {
        assert!(nix_is_root(), "the integration tests run as root (they make real containers)");
        let busybox = ["/bin/busybox", "/usr/bin/busybox"]
            .iter()
            .find(|p| Path::new(p).exists())
            .expect("busybox-static is needed: apt-get install busybox-static");
        // Under target/, built aside and renamed into place: never in /tmp,
        // and one copy however many runs there are.
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("busybox-base");
        if base.join("busybox.tar").is_file() {
            return base.join("busybox.tar");
        }
        let dir = base.with_extension(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&dir);
        let root = dir.join("rootfs");
        for d in ["bin", "etc", "tmp", "root", "var/empty"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::copy(busybox, root.join("bin/busybox")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root.join("tmp"), std::fs::Permissions::from_mode(0o1777)).unwrap();
        let list = Command::new(root.join("bin/busybox")).arg("--list").output().unwrap();
        for applet in String::from_utf8_lossy(&list.stdout).lines() {
            if applet != "busybox" {
                let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
            }
        }
        std::fs::write(
            root.join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nredis:x:100:101:redis:/var/lib/redis:/bin/sh\n",
        )
        .unwrap();
        std::fs::write(root.join("etc/group"), "root:x:0:\nredis:x:101:\nwheel:x:10:redis\nnogroup:x:65534:\n").unwrap();
        let tar = dir.join("busybox.tar");
        let st = Command::new("tar").arg("-C").arg(&root).arg("-cf").arg(&tar).arg(".").status().unwrap();
        assert!(st.success());
        if std::fs::rename(&dir, &base).is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        base.join("busybox.tar")
    })
}

/// A strata process in the background, killed if the test ends early, so
/// that a failing test leaves no process behind.
pub struct Bg(pub std::process::Child);

impl std::ops::Deref for Bg {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Bg {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Bg {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn nix_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A temp store; removed (with anything left mounted under it) on drop.
pub struct Env {
    pub dir: PathBuf,
    /// The bridge its containers use: the shared test bridge, or one of
    /// its own (`own_bridge`), removed with it.
    pub bridge: String,
}

/// The bridge the tests use (not the user's `strata0`), and how many
/// stores are alive: the last one to go removes the bridge, so a test run
/// leaves no link, address or NAT rule behind.
pub const TEST_BRIDGE: &str = "strata-test0";
static LIVE_ENVS: std::sync::Mutex<usize> = std::sync::Mutex::new(0);

impl Env {
    pub fn new() -> Env {
        *LIVE_ENVS.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        let dir = std::env::temp_dir().join(format!("strata-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        Env {
            dir,
            bridge: TEST_BRIDGE.to_string(),
        }
    }

    /// A store with the busybox image imported as `busybox`.
    pub fn with_busybox() -> Env {
        let env = Env::new();
        let out = env.run(&["import", busybox_tar().to_str().unwrap(), "busybox"]);
        assert!(out.status.success(), "import failed: {}", stderr(&out));
        env
    }

    /// This store's containers get a bridge of their own, so that a test
    /// can check the whole bridge (links, leases) without its neighbours.
    pub fn own_bridge(mut self) -> Env {
        self.bridge = format!("st-{}", &random_suffix()[..8]);
        self
    }

    pub fn root(&self) -> PathBuf {
        self.dir.join("root")
    }

    pub fn runroot(&self) -> PathBuf {
        self.dir.join("run")
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.env("STRATA_ROOT", self.root())
            .env("STRATA_RUNROOT", self.runroot())
            .env("STRATA_BRIDGE", &self.bridge)
            .env("DOCKER_CONFIG", self.dir.join("docker"))
            .args(args);
        c.stdin(Stdio::null());
        c
    }

    /// Starts strata in the background.
    pub fn spawn(&self, args: &[&str]) -> Bg {
        Bg(self.cmd(args).spawn().unwrap())
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "strata {args:?} failed ({:?}): {}{}",
            out.status.code(),
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// Runs and asserts the exit code; returns (stdout, stderr).
    pub fn code(&self, want: i32, args: &[&str]) -> (String, String) {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(want),
            "strata {args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        (stdout(&out), stderr(&out))
    }

    /// Builds `dockerfile` (no context files, no network) as `name`.
    pub fn build_image(&self, name: &str, dockerfile: &str) {
        let dir = self.dir.join(format!("ctx-{}", random_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
        self.ok(&[
            "build",
            "-q",
            "--network",
            "none",
            "-t",
            name,
            dir.to_str().unwrap(),
        ]);
    }

    /// The full id of a container by name.
    pub fn id_of(&self, name: &str) -> String {
        self.ok(&["inspect", "-f", "{{.Id}}", name])
            .trim()
            .to_string()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        // Containers a failed test left running (detached ones outlive
        // the test): removed with their monitors.
        if let Ok(out) = self.cmd(&["ps", "-aq", "--no-trunc"]).output() {
            let ids: Vec<String> = stdout(&out).lines().map(String::from).collect();
            if !ids.is_empty() {
                let mut args = vec!["rm", "-f"];
                args.extend(ids.iter().map(String::as_str));
                let _ = self.cmd(&args).output();
            }
        }
        // User networks (their bridges are the host's): removed.
        let _ = self.cmd(&["network", "prune", "-f"]).output();
        // Nothing should be mounted here; detach anything a failed test left.
        if let Ok(mounts) = std::fs::read_to_string("/proc/self/mountinfo") {
            for line in mounts.lines() {
                if let Some(mp) = line.split_whitespace().nth(4) {
                    if Path::new(mp).starts_with(&self.dir) {
                        let _ = Command::new("umount").arg("-l").arg(mp).status();
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        if self.bridge != TEST_BRIDGE {
            let _ = Command::new(BIN)
                .arg("__network-teardown")
                .env("STRATA_BRIDGE", &self.bridge)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            // A bridge of this test's alone: nothing else can want its lock.
            let _ = std::fs::remove_dir_all(Path::new("/run/strata-net").join(&self.bridge));
        }
        // Held while tearing down: no store starts meanwhile.
        let mut live = LIVE_ENVS.lock().unwrap_or_else(|e| e.into_inner());
        *live -= 1;
        if *live == 0 {
            let _ = Command::new(BIN)
                .arg("__network-teardown")
                .env("STRATA_BRIDGE", TEST_BRIDGE)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

pub fn random_suffix() -> String {
    use std::io::Read;
    let mut b = [0u8; 6];
    std::fs::File::open("/dev/urandom")
        .unwrap()
        .read_exact(&mut b)
        .unwrap();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Mount points that mention `needle` in the host's mount table.
pub fn host_mounts_mentioning(needle: &Path) -> Vec<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle.to_str().unwrap()))
        .map(String::from)
        .collect()
}

/// Waits up to `secs` for `f` to be true.
pub fn wait_for(secs: f64, mut f: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

/// A digest of a directory tree: paths, types, modes, owners, sizes and
/// contents, in sorted order (to prove a layer dir did not change).
pub fn tree_digest(dir: &Path) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg("cd \"$1\" && find . -print0 | sort -z | xargs -0 stat -c '%n %F %a %u %g %s' && find . -type f -print0 | sort -z | xargs -0 cat | md5sum")
        .arg("sh")
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A one-thread HTTP server on `addr` (port 0: a free one) serving `files` (path -> body)
/// with a fixed Last-Modified; other paths are 404. Stops with the test.
pub struct Http {
    pub addr: String,
    pub port: u16,
    files: Served,
}

/// The files an `Http` serves: (path, body).
type Served = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

impl Http {
    pub fn start(files: &[(&str, &[u8])]) -> Http {
        Http::start_on("127.0.0.1", files)
    }

    pub fn start_on(addr: &str, files: &[(&str, &[u8])]) -> Http {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind((addr, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let files = std::sync::Arc::new(std::sync::Mutex::new(
            files
                .iter()
                .map(|(p, b)| (p.to_string(), b.to_vec()))
                .collect::<Vec<_>>(),
        ));
        let served = files.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { return };
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                }
                let target = request.split_whitespace().nth(1).unwrap_or("");
                let path = target.split('?').next().unwrap_or("").to_string();
                let body = served
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map(|(_, b)| b.clone());
                let _ = match body {
                    Some(b) => conn
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\
                                 Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
                                 Connection: close\r\n\r\n",
                                b.len()
                            )
                            .as_bytes(),
                        )
                        .and_then(|_| conn.write_all(&b)),
                    None => conn.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    ),
                };
            }
        });
        Http {
            addr: addr.to_string(),
            port,
            files,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}:{}{path}", self.addr, self.port)
    }

    pub fn set(&self, path: &str, body: &[u8]) {
        let mut f = self.files.lock().unwrap();
        f.retain(|(p, _)| p != path);
        f.push((path.to_string(), body.to_vec()));
    }
}

/// The exit code of a background process, which must end within `secs`
/// (`what` names it in the failure).
pub fn exit_within(child: &mut Bg, secs: u64, what: &str) -> Option<i32> {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st.code();
        }
        assert!(std::time::Instant::now() < end, "{what} did not end");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Runs strata with a deadline: a command that hangs is a failure, not a
/// hung test.
pub fn within(env: &Env, secs: u64, args: &[&str]) -> std::process::Output {
    let mut c = env.cmd(args);
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = Bg(c.spawn().unwrap());
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if let Ok(Some(_)) = child.try_wait() {
            let child = std::mem::replace(
                &mut child.0,
                std::process::Command::new("true").spawn().unwrap(),
            );
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("strata {args:?} still runs after {secs} s");
}

/// A tmpfs of `size` (`64m`) mounted on the store's root, unmounted when
/// dropped, even by a failing test: a small disk that fills up.
pub struct SmallDisk(pub PathBuf);

impl SmallDisk {
    pub fn on_root(env: &Env, size: &str) -> SmallDisk {
        let root = env.root();
        std::fs::create_dir_all(&root).unwrap();
        let st = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "strata-test-disk",
            ])
            .arg(&root)
            .status()
            .unwrap();
        assert!(st.success(), "mount a tmpfs on {}", root.display());
        SmallDisk(root)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// A Debian bookworm minbase rootfs tarball, made once with mmdebstrap
/// and kept under target/ for later runs.
pub fn debian_tar() -> &'static Path {
    static TAR: OnceLock<PathBuf> = OnceLock::new();
    TAR.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("debian-base");
        let tar = base.join("debian.tar");
        if tar.is_file() {
            return tar;
        }
        std::fs::create_dir_all(&base).unwrap();
        // mmdebstrap picks its output format from the extension.
        let part = base.join(format!("debian.{}.tar", std::process::id()));
        let st = std::process::Command::new("mmdebstrap")
            .args(["--variant=minbase", "--quiet", "bookworm"])
            .arg(&part)
            .status()
            .expect("mmdebstrap is needed: apt-get install mmdebstrap (scripts/setup.sh)");
        assert!(st.success(), "mmdebstrap failed");
        std::fs::rename(&part, &tar).unwrap();
        tar
    })
}
