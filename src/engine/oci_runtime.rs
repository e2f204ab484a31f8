//! strata's runtime as an OCI runtime (`strata runtime`, or the binary
//! named `strata-runc`): a bundle's `config.json` (the `oci-spec` types)
//! becomes the runtime's `Spec`, and the same runtime code runs it. The
//! state of each container is a directory under the runtime root
//! (`/run/strata-runc/<id>`: `state.json`, and `exec.fifo` while it is
//! created), as runc keeps it, since each verb is a process of its own.

use super::oci_hooks as hooks;
use super::{Error, Result};
use crate::runtime;
use crate::runtime::spec::{cgroups_path, device_policy, resources_of, Launch};
use crate::util::{fsx, time};
use oci_spec::runtime as oci;
use serde_json::{json, Value};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub use crate::runtime::spec::SPEC_VERSION;

/// Where runc-style state lives when `--root` is not given (podman never
/// gives it, so create, start and delete must agree on it).
pub fn default_runtime_root() -> PathBuf {
    PathBuf::from("/run/strata-runc")
}

/// What `state.json` keeps of a created container.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Saved {
    id: String,
    pid: i32,
    /// The init's start time (/proc/PID/stat), so a reused pid is not it.
    pid_start: u64,
    bundle: String,
    rootfs: String,
    created: String,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    paused: bool,
    /// Its cgroups (see `cgroup::rel`): the spec's `cgroupsPath`, else
    /// `oci-<hash>` under strata's parent (unique across runtime roots).
    #[serde(default)]
    group: String,
}

/// How `exec` runs its process (runc's flags).
#[derive(Debug, Clone, Copy, Default)]
pub struct ExecOptions<'a> {
    pub detach: bool,
    pub pid_file: Option<&'a Path>,
    pub console_socket: Option<&'a Path>,
    pub tty: bool,
    pub preserve_fds: u32,
}

/// An OCI runtime over one state root.
pub struct OciRuntime {
    root: PathBuf,
    /// Where device policies go (`STRATA_CGROUP_DEVICES`, read at the edge).
    devices: runtime::cgroup::DeviceMode,
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::Invalid(msg.into())
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let what = what.into();
    move |err| Error::Io { what, err }
}

/// A container id as runc takes it: no path separators, no dots only.
fn check_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 1024
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+-.".contains(c))
        && id != "."
        && id != "..";
    if ok {
        Ok(())
    } else {
        Err(invalid(format!("invalid container id format: {id}")))
    }
}

impl OciRuntime {
    pub fn new(root: PathBuf, devices: runtime::cgroup::DeviceMode) -> OciRuntime {
        OciRuntime { root, devices }
    }

    fn dir(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// The cgroup name of container `id` of this root: ids are only
    /// unique in a root (containerd's namespaces, podman's, a test's).
    fn group(&self, id: &str) -> String {
        let key = format!("{}\0{id}", self.root.display());
        let h = crate::util::hash::sha256_digest(key.as_bytes());
        format!("oci-{}", &crate::util::hash::hex_part(&h)[..24])
    }

    fn load(&self, id: &str) -> Result<Saved> {
        check_id(id)?;
        let p = self.dir(id).join("state.json");
        let data = std::fs::read(&p).map_err(|_| invalid("container does not exist"))?;
        let mut s: Saved =
            serde_json::from_slice(&data).map_err(|e| invalid(format!("state of {id}: {e}")))?;
        if s.group.is_empty() {
            s.group = self.group(id);
        }
        Ok(s)
    }

    fn save(&self, s: &Saved) -> Result<()> {
        let p = self.dir(&s.id).join("state.json");
        let data = serde_json::to_vec(s).map_err(|e| invalid(e.to_string()))?;
        fsx::replace(&p, &data).map_err(io(format!("write {}", p.display())))
    }

    /// runc's statuses: created while the exec FIFO is there.
    fn status(&self, s: &Saved) -> &'static str {
        if !crate::util::proc::is_alive(s.pid, s.pid_start) {
            "stopped"
        } else if self.dir(&s.id).join("exec.fifo").exists() {
            "created"
        } else if s.paused {
            "paused"
        } else {
            "running"
        }
    }

    /// `create`: the container's init set up and waiting before the
    /// program's exec; its pid (and `--pid-file`), the pty master sent to
    /// `--console-socket`.
    pub fn create(
        &self,
        id: &str,
        bundle: &Path,
        pid_file: Option<&Path>,
        console_socket: Option<&Path>,
        preserve_fds: u32,
    ) -> Result<i32> {
        check_id(id)?;
        let bundle = std::fs::canonicalize(bundle)
            .map_err(|e| invalid(format!("bundle {}: {e}", bundle.display())))?;
        let cfg_path = bundle.join("config.json");
        if !cfg_path.is_file() {
            return Err(invalid(format!(
                "open {}: no such file or directory",
                cfg_path.display()
            )));
        }
        let mut config = oci::Spec::load(&cfg_path)
            .map_err(|e| invalid(format!("parse {}: {e}", cfg_path.display())))?;
        if let Some(mut root) = config.root().clone() {
            if !root.path().is_absolute() {
                root.set_path(bundle.join(root.path()));
                config.set_root(Some(root));
            }
        }
        let mut launch = Launch {
            // The runtime's stdio is the container's (conmon's and the
            // shim's pipes).
            stdin: true,
            preserve_fds,
            ..Launch::default()
        };
        let group = match config
            .linux()
            .as_ref()
            .and_then(|l| l.cgroups_path().as_ref())
        {
            Some(p) => cgroups_path(p)?,
            None => self.group(id),
        };
        launch.group = group.clone();
        let tty = config
            .process()
            .as_ref()
            .and_then(|p| p.terminal())
            .unwrap_or(false);
        if tty && console_socket.is_none() {
            return Err(invalid(
                "cannot allocate tty if runc will detach without setting console socket",
            ));
        }
        std::fs::create_dir_all(&self.root)
            .map_err(io(format!("mkdir {}", self.root.display())))?;
        let dir = self.dir(id);
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Error::Conflict(format!("container with id exists: {id}")))
            }
            Err(e) => return Err(io(format!("mkdir {}", dir.display()))(e)),
        }
        let made = (|| -> Result<i32> {
            let fifo = dir.join("exec.fifo");
            nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o622))
                .map_err(|e| invalid(format!("mkfifo {}: {e}", fifo.display())))?;
            launch.hold = Some(fifo);
            launch.cgroups =
                runtime::cgroup::create(&group, &device_policy(&config)?, self.devices)
                    .map_err(|e| Error::Runtime(runtime::Error::Invalid(e.0)))?;
            // The config is read again for the state and the hooks.
            let started = runtime::start(config.clone(), launch, &mut |_| Ok(()))?;
            let pid = started.pid;
            let set_up = (|| -> Result<()> {
                if let Some(sock) = console_socket {
                    let master = started
                        .pty()
                        .ok_or_else(|| invalid("the container's pty did not arrive"))?;
                    send_console(sock, &master)?;
                }
                self.after_create(id, pid, &bundle, &config, &group, pid_file)
            })();
            if let Err(e) = set_up {
                // Its init, waiting for a start, goes with it.
                let child = nix::unistd::Pid::from_raw(pid);
                let _ = nix::sys::signal::kill(child, nix::sys::signal::Signal::SIGKILL);
                let _ = nix::sys::wait::waitpid(child, None);
                return Err(e);
            }
            // The init is on its own now (its parent, our caller, is a
            // subreaper); nothing of ours waits for it.
            std::mem::forget(started);
            Ok(pid)
        })();
        if made.is_err() {
            runtime::cgroup::remove(&group);
            let _ = fsx::remove_tree(&dir);
        }
        made
    }

    /// What follows a created init: its state saved, the pid file, the
    /// prestart and createRuntime hooks (the program has not run yet).
    #[allow(clippy::too_many_arguments)]
    fn after_create(
        &self,
        id: &str,
        pid: i32,
        bundle: &Path,
        config: &oci::Spec,
        group: &str,
        pid_file: Option<&Path>,
    ) -> Result<()> {
        let pid_start = crate::util::proc::proc_stat(pid).map(|s| s.0).unwrap_or(0);
        self.save(&Saved {
            id: id.to_string(),
            pid,
            pid_start,
            bundle: bundle.display().to_string(),
            rootfs: config
                .root()
                .as_ref()
                .map(|r| r.path().display().to_string())
                .unwrap_or_default(),
            created: time::rfc3339(time::now_nanos()),
            annotations: config
                .annotations()
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            paused: false,
            group: group.to_string(),
        })?;
        if let Some(p) = pid_file {
            write_pid_file(p, pid)?;
        }
        if let Some(h) = config.hooks() {
            let state = self.state(id)?;
            #[allow(deprecated)]
            let prestart = h.prestart().clone().unwrap_or_default();
            let runtime_hooks = h.create_runtime().clone().unwrap_or_default();
            hooks::run_all("prestart", &prestart, &state)?;
            hooks::run_all("createRuntime", &runtime_hooks, &state)?;
        }
        Ok(())
    }

    /// The hooks of the container's bundle (its config as it is now, as
    /// runc reads it for poststart and poststop).
    fn bundle_hooks(&self, s: &Saved) -> Option<oci::Hooks> {
        let cfg = oci::Spec::load(Path::new(&s.bundle).join("config.json")).ok()?;
        cfg.hooks().clone()
    }

    /// `start`: lets a created container's init run its program; the
    /// poststart hooks' failures are returned as warnings.
    pub fn start(&self, id: &str) -> Result<Vec<String>> {
        let s = self.load(id)?;
        match self.status(&s) {
            "created" => {}
            "running" => return Err(invalid("cannot start an already running container")),
            "paused" => return Err(invalid("cannot start a container in the paused state")),
            _ => return Err(invalid("cannot start a container that has stopped")),
        }
        let fifo = self.dir(id).join("exec.fifo");
        // Non-blocking: a writer is there (the init), or it died.
        let f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&fifo)
            .map_err(io(format!("open {}", fifo.display())))?;
        let mut b = [0u8; 1];
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            use std::io::Read;
            match (&f).read(&mut b) {
                Ok(1) => break,
                Ok(_) | Err(_) if !crate::util::proc::is_alive(s.pid, s.pid_start) => {
                    let _ = std::fs::remove_file(&fifo);
                    return Err(invalid("cannot start a container that has stopped"));
                }
                _ => {}
            }
            if std::time::Instant::now() > deadline {
                return Err(invalid("the container's init did not take the start"));
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let _ = std::fs::remove_file(&fifo);
        let hooks = self.bundle_hooks(&s);
        let post = hooks
            .and_then(|h| h.poststart().clone())
            .unwrap_or_default();
        if post.is_empty() {
            return Ok(Vec::new());
        }
        Ok(hooks::run_warn("poststart", &post, &self.state(id)?))
    }

    /// `state`: the runtime spec's state document.
    pub fn state(&self, id: &str) -> Result<Value> {
        let s = self.load(id)?;
        let status = self.status(&s);
        let mut v = json!({
            "ociVersion": SPEC_VERSION,
            "id": s.id,
            "pid": if status == "stopped" { 0 } else { s.pid },
            "status": status,
            "bundle": s.bundle,
            "rootfs": s.rootfs,
            "created": s.created,
            "owner": "",
        });
        if !s.annotations.is_empty() {
            v["annotations"] = json!(s.annotations);
        }
        Ok(v)
    }

    /// The pids in the container's cgroup (host pids).
    pub fn pids(&self, id: &str) -> Result<Vec<i32>> {
        let s = self.load(id)?;
        let mut out = Vec::new();
        for d in runtime::cgroup::dirs(&s.group) {
            if let Ok(text) = std::fs::read_to_string(d.join("cgroup.procs")) {
                out.extend(text.lines().filter_map(|l| l.trim().parse::<i32>().ok()));
                if !out.is_empty() {
                    break;
                }
            }
        }
        if out.is_empty() && self.status(&s) != "stopped" {
            out.push(s.pid);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// `kill [--all] ID SIGNAL`.
    pub fn kill(&self, id: &str, signal: &str, all: bool) -> Result<()> {
        let s = self.load(id)?;
        let sig = super::detach::parse_signal(signal)
            .ok_or_else(|| invalid(format!("invalid signal: {signal}")))?;
        if self.status(&s) == "stopped" {
            return if all {
                Ok(())
            } else {
                Err(invalid("container not running"))
            };
        }
        let targets = if all { self.pids(id)? } else { vec![s.pid] };
        for p in targets {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(p), sig);
        }
        Ok(())
    }

    /// `delete [--force]`: a stopped (or created) container's state and
    /// cgroups go; a running one only with `--force` (SIGKILL first).
    /// `delete`: the container's processes, cgroups and state gone; the
    /// poststop hooks' failures are returned as warnings.
    pub fn delete(&self, id: &str, force: bool) -> Result<Vec<String>> {
        let s = match self.load(id) {
            Ok(s) => s,
            Err(_) if force => {
                check_id(id)?;
                runtime::cgroup::remove(&self.group(id));
                return Ok(Vec::new());
            }
            Err(e) => return Err(e),
        };
        let status = self.status(&s);
        if matches!(status, "running" | "paused") && !force {
            return Err(invalid(format!(
                "cannot delete container {id} that is not stopped: {status}"
            )));
        }
        if status != "stopped" {
            if status == "paused" {
                let _ = runtime::cgroup::thaw(&s.group);
            }
            for p in self.pids(id).unwrap_or_default() {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(p),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while crate::util::proc::is_alive(s.pid, s.pid_start)
                && std::time::Instant::now() < deadline
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        runtime::cgroup::remove(&s.group);
        let post = self
            .bundle_hooks(&s)
            .and_then(|h| h.poststop().clone())
            .unwrap_or_default();
        let warnings = if post.is_empty() {
            Vec::new()
        } else {
            let mut st = self.state(id)?;
            st["status"] = json!("stopped");
            st["pid"] = json!(0);
            hooks::run_warn("poststop", &post, &st)
        };
        fsx::remove_tree(&self.dir(id))
            .map_err(io(format!("remove {}", self.dir(id).display())))?;
        Ok(warnings)
    }

    pub fn pause(&self, id: &str, pause: bool) -> Result<()> {
        let mut s = self.load(id)?;
        match (self.status(&s), pause) {
            ("running", true) => runtime::cgroup::freeze(&s.group).map_err(io("freeze"))?,
            ("paused", false) => runtime::cgroup::thaw(&s.group).map_err(io("thaw"))?,
            (st, true) => return Err(invalid(format!("container not running: {st}"))),
            (st, false) => return Err(invalid(format!("container not paused: {st}"))),
        }
        s.paused = pause;
        self.save(&s)
    }

    /// `exec --process FILE`: a process in the container's namespaces;
    /// with `detach`, its pid (it outlives us), else its exit code.
    pub fn exec(&self, id: &str, process_file: &Path, o: &ExecOptions) -> Result<i32> {
        let ExecOptions {
            detach,
            pid_file,
            console_socket,
            tty,
            preserve_fds,
        } = *o;
        let s = self.load(id)?;
        if self.status(&s) != "running" {
            return Err(invalid("cannot exec in a stopped container"));
        }
        let data =
            std::fs::read(process_file).map_err(io(format!("read {}", process_file.display())))?;
        let p: oci::Process = serde_json::from_slice(&data)
            .map_err(|e| invalid(format!("parse {}: {e}", process_file.display())))?;
        let mut p = p;
        if tty {
            p.set_terminal(Some(true));
        }
        let tty = p.terminal().unwrap_or(false);
        let launch = Launch {
            stdin: true,
            outlive: detach,
            preserve_fds,
            cgroups: runtime::cgroup::dirs(&s.group)
                .into_iter()
                .filter(|d| d.is_dir())
                .collect(),
            ..Launch::default()
        };
        if tty && console_socket.is_none() && detach {
            return Err(invalid(
                "cannot allocate tty if runc will detach without setting console socket",
            ));
        }
        let started = runtime::exec(p, s.pid, launch)?;
        let pid = started.pid;
        if let Some(sock) = console_socket {
            if let Some(master) = started.pty() {
                send_console(sock, &master)?;
            }
        }
        if let Some(f) = pid_file {
            write_pid_file(f, pid)?;
        }
        if detach {
            std::mem::forget(started);
            return Ok(pid);
        }
        Ok(started.supervise()?.code())
    }

    /// Every container this root knows, as `state` shows each.
    pub fn list(&self) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        let Ok(rd) = std::fs::read_dir(&self.root) else {
            return Ok(out);
        };
        let mut ids: Vec<String> = rd
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        ids.sort();
        for id in ids {
            if let Ok(v) = self.state(&id) {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// `events --stats`: one sample of the container's cgroup counters.
    pub fn stats(&self, id: &str) -> Result<Value> {
        let s = self.load(id)?;
        let read = |f: &str| -> Option<u64> {
            runtime::cgroup::dirs(&s.group)
                .iter()
                .chain(runtime::cgroup::memory_dirs(&s.group).iter())
                .find_map(|d| std::fs::read_to_string(d.join(f)).ok())
                .and_then(|t| t.split_whitespace().next().and_then(|n| n.parse().ok()))
        };
        let cpu = read("cpuacct.usage").or_else(|| {
            runtime::cgroup::dirs(&s.group).iter().find_map(|d| {
                let t = std::fs::read_to_string(d.join("cpu.stat")).ok()?;
                t.lines()
                    .find_map(|l| l.strip_prefix("usage_usec "))
                    .and_then(|n| n.trim().parse::<u64>().ok())
                    .map(|u| u * 1000)
            })
        });
        let mem = read("memory.usage_in_bytes").or_else(|| read("memory.current"));
        let limit = read("memory.limit_in_bytes").or_else(|| read("memory.max"));
        Ok(json!({
            "type": "stats",
            "id": id,
            "data": {
                "cpu": {"usage": {"total": cpu.unwrap_or(0)}, "throttling": {}},
                "memory": {"usage": {"usage": mem.unwrap_or(0), "limit": limit.unwrap_or(0)}},
                "pids": {"current": self.pids(id)?.len()},
                "blkio": {},
                "hugetlb": {},
            }
        }))
    }

    /// `update --resources`: an OCI `LinuxResources` document applied to
    /// the container's cgroups.
    pub fn update(&self, id: &str, resources: &[u8]) -> Result<()> {
        let s = self.load(id)?;
        if self.status(&s) == "stopped" {
            return Err(invalid("cannot update a stopped container"));
        }
        let res: oci::LinuxResources = serde_json::from_slice(resources)
            .map_err(|e| invalid(format!("parse the resources: {e}")))?;
        let dirs = runtime::cgroup::dirs(&s.group);
        let v2 = dirs.iter().find(|d| runtime::cgroup::is_v2_group(d));
        let groups = runtime::resources::apply(
            Path::new("/sys/fs/cgroup"),
            &s.group,
            &resources_of(&res),
            v2.map(|d| d.as_path()),
        )
        .map_err(|e| invalid(e.to_string()))?;
        // v1: the limits' groups are joined by every process it has.
        for g in groups {
            for p in self.pids(id)? {
                let _ = std::fs::write(g.join("cgroup.procs"), p.to_string());
            }
        }
        Ok(())
    }

    /// `exec ID CMD...` without `--process`: the container's own process
    /// (from its bundle) with these args, as a file.
    pub fn process_file_for(&self, args: &[String], tty: bool) -> Result<PathBuf> {
        let p = json!({
            "user": {"uid": 0, "gid": 0},
            "args": args,
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "cwd": "/",
            "terminal": tty,
            "capabilities": {"bounding": runtime::caps::names(runtime::caps::resolve(&[], &[], false).unwrap_or(0))},
        });
        std::fs::create_dir_all(&self.root).map_err(io("mkdir"))?;
        let f = self
            .root
            .join(format!(".process-{}.json", crate::util::ids::random_hex(6)));
        fsx::replace(&f, p.to_string().as_bytes()).map_err(io(format!("write {}", f.display())))?;
        Ok(f)
    }
}

/// The pid file conmon and the shim read: the decimal pid, no newline.
fn write_pid_file(p: &Path, pid: i32) -> Result<()> {
    fsx::replace(p, pid.to_string().as_bytes()).map_err(io(format!("write {}", p.display())))?;
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644));
    Ok(())
}

/// The console socket protocol: one message, `/dev/ptmx` with the pty
/// master as SCM_RIGHTS.
fn send_console(sock: &Path, master: &std::os::fd::OwnedFd) -> Result<()> {
    use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
    use std::os::fd::AsRawFd;
    let c = std::os::unix::net::UnixStream::connect(sock).map_err(io(format!(
        "connect to the console socket {}",
        sock.display()
    )))?;
    let fds = [master.as_raw_fd()];
    let cmsg = [ControlMessage::ScmRights(&fds)];
    sendmsg::<()>(
        c.as_raw_fd(),
        &[std::io::IoSlice::new(b"/dev/ptmx")],
        &cmsg,
        MsgFlags::empty(),
        None,
    )
    .map_err(|e| invalid(format!("send the console: {e}")))?;
    Ok(())
}

/// What `features` says.
pub fn features() -> Value {
    json!({
        "ociVersionMin": "1.0.0",
        "ociVersionMax": SPEC_VERSION,
        "hooks": ["prestart", "createRuntime", "poststart", "poststop"],
        "mountOptions": ["bind", "rbind", "ro", "rw", "nosuid", "nodev", "noexec", "rprivate", "private"],
        "linux": {
            "namespaces": ["cgroup", "ipc", "mount", "network", "pid", "uts"],
            "capabilities": runtime::caps::names(runtime::caps::ALL),
            "cgroup": {"v1": true, "v2": true, "systemd": false, "systemdUser": false},
            "seccomp": {"enabled": true},
            "apparmor": {"enabled": false},
            "selinux": {"enabled": false},
        },
        "annotations": {"org.strata.version": env!("CARGO_PKG_VERSION")},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_in_runc_s_words() {
        assert!(check_id("../x").is_err());
        assert!(check_id("a/b").is_err());
        assert!(check_id("..").is_err());
        assert!(check_id("ok-id_1.2").is_ok());
    }
}
