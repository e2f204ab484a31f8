//! strata's runtime as an OCI runtime (`strata runtime`, or the binary
//! named `strata-runc`): a bundle's `config.json` (the `oci-spec` types)
//! becomes the runtime's `Spec`, and the same runtime code runs it. The
//! state of each container is a directory under the runtime root
//! (`/run/strata-runc/<id>`: `state.json`, and `exec.fifo` while it is
//! created), as runc keeps it, since each verb is a process of its own.

use super::oci_hooks as hooks;
use super::security::host_bounding;
use super::{Error, Result};
use crate::runtime::{self, devices, Bind, Network, Spec};
use crate::util::{fsx, time};
use oci_spec::runtime as oci;
use serde_json::{json, Value};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The spec versions taken (runc's: 1.0.0 up to this one).
pub const SPEC_VERSION: &str = "1.2.0";

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

/// The capability mask of an OCI capability set.
fn cap_mask(set: Option<&oci::Capabilities>) -> u64 {
    let mut mask = 0u64;
    for c in set.into_iter().flatten() {
        let name = serde_json::to_value(c)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        // A capability this kernel's list lacks is dropped, as runc warns.
        if let Some(n) = runtime::caps::from_name(&name) {
            mask |= 1u64 << n;
        }
    }
    mask
}

/// The parts of a spec's process the runtime takes (create and exec).
fn process_into(p: &oci::Process, spec: &mut Spec) -> Result<()> {
    let args = p.args().clone().unwrap_or_default();
    if args.is_empty() {
        return Err(invalid("args must not be empty"));
    }
    spec.argv = args;
    spec.env = p.env().clone().unwrap_or_default();
    spec.cwd = p.cwd().display().to_string();
    if !spec.cwd.starts_with('/') {
        return Err(invalid("cwd must be an absolute path"));
    }
    let u = p.user();
    spec.user = format!("{}:{}", u.uid(), u.gid());
    spec.tty = p.terminal().unwrap_or(false);
    spec.caps = cap_mask(
        p.capabilities()
            .as_ref()
            .and_then(|c| c.bounding().as_ref()),
    ) & host_bounding();
    spec.no_new_privs = p.no_new_privileges().unwrap_or(false);
    let mut rl = Vec::new();
    for r in p.rlimits().clone().unwrap_or_default() {
        let name = serde_json::to_value(r.typ())
            .ok()
            .and_then(|v| v.as_str().map(str::to_lowercase))
            .unwrap_or_default();
        let short = name.strip_prefix("rlimit_").unwrap_or(&name);
        let parsed = runtime::limits::parse_ulimit(&format!("{short}={}:{}", r.soft(), r.hard()))
            .map_err(invalid)?;
        rl.push(parsed);
    }
    spec.limits.rlimits = rl;
    spec.limits.oom_score_adj = p.oom_score_adj();
    Ok(())
}

/// A blank spec: nothing mounted, nothing joined, no limits.
fn blank_spec() -> Spec {
    Spec {
        links_dir: PathBuf::new(),
        lowers: Vec::new(),
        upper: PathBuf::new(),
        work: PathBuf::new(),
        rootfs: PathBuf::new(),
        argv: Vec::new(),
        env: Vec::new(),
        cwd: "/".into(),
        user: "0:0".into(),
        hostname: String::new(),
        tty: false,
        // The runtime's stdio is the container's (conmon's and the
        // shim's pipes).
        stdin: true,
        network: Network::None,
        etc_files: Vec::new(),
        binds: Vec::new(),
        cgroups: Vec::new(),
        discard_output: false,
        kill_on_signal: false,
        join: None,
        caps: 0,
        seccomp: None,
        no_new_privs: false,
        privileged: false,
        devices: Vec::new(),
        limits: Default::default(),
        cgroup_limits: None,
        rootfs_dir: None,
        ns_paths: Vec::new(),
        masked_paths: None,
        readonly_paths: None,
        preserve_fds: 0,
        hold: None,
        outlive: false,
    }
}

/// The mounts strata makes itself (docker's set); the spec's own of these
/// are taken as asking for them.
const STANDARD: &[&str] = &[
    "/proc",
    "/dev",
    "/dev/pts",
    "/dev/mqueue",
    "/sys",
    "/sys/fs/cgroup",
];

/// A spec's `cgroupsPath` as a group (see `cgroup::rel`): an absolute one
/// from each hierarchy's root (containerd's `/default/ID`, podman's
/// `/libpod_parent/libpod-ID`), a relative one under strata's own parent;
/// systemd's `slice:prefix:name` form needs `--systemd-cgroup`.
fn cgroups_path(p: &Path) -> Result<String> {
    let text = p.to_string_lossy();
    if !text.starts_with('/') && text.split(':').count() == 3 {
        return Err(invalid(format!(
            "cgroupsPath {text:?} is a systemd slice: strata does not support --systemd-cgroup"
        )));
    }
    let parts: Vec<&str> = text
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if parts.is_empty() || parts.contains(&"..") {
        return Err(invalid(format!("invalid cgroupsPath {text:?}")));
    }
    let under = if text.starts_with('/') { "" } else { "strata/" };
    Ok(format!("/{under}{}", parts.join("/")))
}

/// The device cgroup policy of a spec's `linux.resources.devices`, read in
/// order as runc does: a deny of everything starts again from the
/// devices every container has (runc's defaults, docker's), an allow adds
/// a rule, an allow of everything is every device.
fn device_policy(config: &oci::Spec) -> Result<devices::Policy> {
    let listed = config
        .linux()
        .as_ref()
        .and_then(|l| l.resources().as_ref())
        .and_then(|r| r.devices().clone())
        .unwrap_or_default();
    let mut rules = devices::default_rules();
    let mut all = false;
    for d in listed {
        let access = d.access().clone().unwrap_or_else(|| "rwm".into());
        let mut rule = devices::parse_access(&access)
            .ok_or_else(|| invalid(format!("invalid device access {access:?}")))?;
        rule.kind = match d.typ() {
            None | Some(oci::LinuxDeviceType::A) => devices::Kind::All,
            Some(oci::LinuxDeviceType::B) => devices::Kind::Block,
            Some(_) => devices::Kind::Char,
        };
        let num = |n: Option<i64>| n.filter(|n| *n >= 0).map(|n| n as u32);
        rule.major = num(d.major());
        rule.minor = num(d.minor());
        let everything = rule.kind == devices::Kind::All && rule.major.is_none();
        match (d.allow(), everything) {
            (true, true) => all = true,
            (true, false) => rules.push(rule),
            (false, true) => {
                all = false;
                rules = devices::default_rules();
            }
            (false, false) => {
                all = false;
                rules.retain(|r| {
                    !(r.kind == rule.kind && r.major == rule.major && r.minor == rule.minor)
                })
            }
        }
    }
    Ok(if all {
        devices::Policy::AllowAll
    } else {
        devices::Policy::Allow(rules)
    })
}

/// The bundle's config as the runtime's spec (not yet its cgroups).
pub fn spec_of(bundle: &Path, config: &oci::Spec) -> Result<Spec> {
    let v = config.version();
    if !(v.starts_with("1.0.") || v.starts_with("1.1.") || v.starts_with("1.2.")) {
        return Err(invalid(format!(
            "unsupported spec version {v:?} (strata takes 1.0.0 to {SPEC_VERSION})"
        )));
    }
    if let Some(h) = config.hooks() {
        for (name, set) in [
            ("createContainer", h.create_container()),
            ("startContainer", h.start_container()),
        ] {
            if set.as_ref().is_some_and(|v| !v.is_empty()) {
                return Err(invalid(format!(
                    "{name} hooks (run in the container's namespaces) are not supported by strata"
                )));
            }
        }
    }
    let mut spec = blank_spec();
    let root = config
        .root()
        .as_ref()
        .ok_or_else(|| invalid("root must be set"))?;
    let rootfs = if root.path().is_absolute() {
        root.path().clone()
    } else {
        bundle.join(root.path())
    };
    let rootfs = std::fs::canonicalize(&rootfs)
        .map_err(|e| invalid(format!("rootfs ({}) does not exist: {e}", rootfs.display())))?;
    spec.rootfs = rootfs.clone();
    spec.rootfs_dir = Some(rootfs);
    spec.limits.readonly_root = root.readonly().unwrap_or(false);
    let process = config
        .process()
        .as_ref()
        .ok_or_else(|| invalid("process must be set"))?;
    process_into(process, &mut spec)?;
    spec.hostname = config.hostname().clone().unwrap_or_else(|| {
        nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let linux = config.linux().clone().unwrap_or_default();
    // Namespaces: mount and cgroup are always the container's own; pid,
    // ipc and uts are new or joined by path (a pod's sandbox); the
    // network one is new, joined by path, or the host's when absent.
    let mut net = None;
    let mut seen = Vec::new();
    for ns in linux.namespaces().clone().unwrap_or_default() {
        use oci::LinuxNamespaceType as T;
        let kind = match ns.typ() {
            T::Network => {
                net = Some(ns.path().clone());
                continue;
            }
            T::User => return Err(invalid("user namespaces are not supported by strata")),
            T::Time => return Err(invalid("time namespaces are not supported by strata")),
            T::Pid => runtime::Namespace::Pid,
            T::Ipc => runtime::Namespace::Ipc,
            T::Uts => runtime::Namespace::Uts,
            T::Mount | T::Cgroup => {
                if let Some(p) = ns.path() {
                    return Err(invalid(format!(
                        "joining a {} namespace by path ({}) is not supported by strata",
                        ns.typ(),
                        p.display()
                    )));
                }
                continue;
            }
        };
        seen.push(kind);
        if let Some(p) = ns.path() {
            if !p.exists() {
                return Err(invalid(format!(
                    "{} namespace {} does not exist",
                    kind.oci_name(),
                    p.display()
                )));
            }
            spec.ns_paths.push((kind, p.clone()));
        }
    }
    // One the spec does not list is the host's (runc's rule): joined as
    // our own.
    for kind in [
        runtime::Namespace::Pid,
        runtime::Namespace::Ipc,
        runtime::Namespace::Uts,
    ] {
        if !seen.contains(&kind) {
            let own = format!("/proc/self/ns/{}", kind.proc_name());
            spec.ns_paths.push((kind, PathBuf::from(own)));
        }
    }
    if spec.ns_path(runtime::Namespace::Uts).is_some() && config.hostname().is_some() {
        return Err(invalid(
            "unable to set hostname without a new UTS namespace",
        ));
    }
    match net {
        None => spec.network = Network::Host,
        Some(None) => spec.network = Network::None,
        Some(Some(p)) => {
            if !p.exists() {
                return Err(invalid(format!(
                    "network namespace {} does not exist",
                    p.display()
                )));
            }
            spec.network = Network::Host;
            spec.ns_paths.push((runtime::Namespace::Net, p));
        }
    }
    // Device nodes beyond docker's set (podman's --device, the CRI's).
    for d in linux.devices().clone().unwrap_or_default() {
        let block = match d.typ() {
            oci::LinuxDeviceType::B => true,
            oci::LinuxDeviceType::C | oci::LinuxDeviceType::U => false,
            t => {
                return Err(invalid(format!(
                    "device {}: type {t:?} is not supported by strata",
                    d.path().display()
                )))
            }
        };
        let path = d.path().display().to_string();
        if !path.starts_with("/dev/") {
            return Err(invalid(format!("device {path}: must be under /dev")));
        }
        spec.devices.push(runtime::DeviceNode {
            path,
            block,
            major: d.major() as u32,
            minor: d.minor() as u32,
            mode: d.file_mode().unwrap_or(0o666) & 0o7777,
            uid: d.uid().unwrap_or(0),
            gid: d.gid().unwrap_or(0),
        });
    }
    spec.masked_paths = linux.masked_paths().clone();
    spec.readonly_paths = linux.readonly_paths().clone();
    // Mounts: the standard ones are strata's own; binds and tmpfs beyond.
    for m in config.mounts().clone().unwrap_or_default() {
        let dest = m.destination().display().to_string();
        if STANDARD.contains(&dest.as_str()) {
            continue;
        }
        let opts = m.options().clone().unwrap_or_default();
        let kind = m.typ().clone().unwrap_or_default();
        let is_bind = kind == "bind" || opts.iter().any(|o| o == "bind" || o == "rbind");
        if is_bind {
            let src = m
                .source()
                .clone()
                .ok_or_else(|| invalid(format!("mount {dest}: no source")))?;
            spec.binds.push(Bind {
                source: src,
                target: dest,
                readonly: opts.iter().any(|o| o == "ro"),
                copy_up: false,
            });
        } else if kind == "tmpfs" {
            if dest == "/dev/shm" {
                continue;
            }
            let data: Vec<&str> = opts
                .iter()
                .map(String::as_str)
                .filter(|o| o.starts_with("size=") || o.starts_with("mode="))
                .collect();
            let t = runtime::limits::parse_tmpfs(&dest, &data.join(",")).map_err(invalid)?;
            spec.limits.tmpfs.push(t);
        } else if kind == "mqueue" || kind == "devpts" || kind == "proc" || kind == "sysfs" {
            continue;
        } else {
            return Err(invalid(format!(
                "mount {dest}: type {kind:?} is not supported by strata"
            )));
        }
    }
    for (k, v) in linux.sysctl().clone().unwrap_or_default() {
        spec.limits.sysctls.push((k, v));
    }
    // seccomp: the spec's profile, compiled as docker's are.
    if let Some(sc) = linux.seccomp() {
        let text = serde_json::to_vec(sc).map_err(|e| invalid(e.to_string()))?;
        let p = runtime::seccomp::parse(&text).map_err(invalid)?;
        let r = runtime::seccomp::render(&p, spec.caps, runtime::seccomp::kernel_version())
            .map_err(invalid)?;
        spec.seccomp = Some(runtime::seccomp::compile(&r).map_err(invalid)?);
    }
    if let Some(res) = linux.resources() {
        spec.cgroup_limits = Some(runtime::CgroupLimits {
            root: "/sys/fs/cgroup".into(),
            id: String::new(),
            resources: resources_of(res),
        });
    }
    Ok(spec)
}

fn resources_of(res: &oci::LinuxResources) -> runtime::resources::Resources {
    let mut r = runtime::resources::Resources::default();
    if let Some(m) = res.memory() {
        r.memory = m.limit().filter(|l| *l > 0);
        r.memory_swap = m.swap().filter(|s| *s != 0);
        r.memory_reservation = m.reservation().filter(|l| *l > 0);
    }
    if let Some(c) = res.cpu() {
        r.cpu_shares = c.shares().filter(|s| *s > 0);
        r.cpu_quota = c.quota().filter(|q| *q > 0);
        r.cpu_period = c.period().filter(|p| *p > 0);
        r.cpuset_cpus = c.cpus().clone().filter(|c| !c.is_empty());
    }
    if let Some(p) = res.pids() {
        r.pids_limit = Some(p.limit()).filter(|l| *l > 0);
    }
    r
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
        let config = oci::Spec::load(&cfg_path)
            .map_err(|e| invalid(format!("parse {}: {e}", cfg_path.display())))?;
        let mut spec = spec_of(&bundle, &config)?;
        spec.preserve_fds = preserve_fds;
        let group = match config
            .linux()
            .as_ref()
            .and_then(|l| l.cgroups_path().as_ref())
        {
            Some(p) => cgroups_path(p)?,
            None => self.group(id),
        };
        if spec.tty && console_socket.is_none() {
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
            spec.hold = Some(fifo);
            let group = group.clone();
            spec.cgroups = runtime::cgroup::create(&group, &device_policy(&config)?, self.devices)
                .map_err(|e| Error::Runtime(runtime::Error::Invalid(e.0)))?;
            if let Some(l) = spec.cgroup_limits.as_mut() {
                l.id = group.clone();
            }
            let started = runtime::start_with(&spec, &mut |_| Ok(()))?;
            let pid = started.pid;
            let set_up = (|| -> Result<()> {
                if let Some(sock) = console_socket {
                    let master = started
                        .pty()
                        .ok_or_else(|| invalid("the container's pty did not arrive"))?;
                    send_console(sock, &master)?;
                }
                self.after_create(id, pid, &bundle, &config, &spec, &group, pid_file)
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
        spec: &Spec,
        group: &str,
        pid_file: Option<&Path>,
    ) -> Result<()> {
        let pid_start = crate::util::proc::proc_stat(pid).map(|s| s.0).unwrap_or(0);
        self.save(&Saved {
            id: id.to_string(),
            pid,
            pid_start,
            bundle: bundle.display().to_string(),
            rootfs: spec.rootfs.display().to_string(),
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
        let mut spec = blank_spec();
        process_into(&p, &mut spec)?;
        spec.tty = spec.tty || tty;
        spec.join = Some(s.pid);
        spec.network = Network::Host;
        spec.outlive = detach;
        spec.preserve_fds = preserve_fds;
        spec.cgroups = runtime::cgroup::dirs(&s.group)
            .into_iter()
            .filter(|d| d.is_dir())
            .collect();
        if spec.tty && console_socket.is_none() && detach {
            return Err(invalid(
                "cannot allocate tty if runc will detach without setting console socket",
            ));
        }
        let started = runtime::start_with(&spec, &mut |_| Ok(()))?;
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

/// mount(2) flags as the OCI spec's mount options.
fn mount_options(flags: u64, data: &str) -> Vec<String> {
    let mut o = Vec::new();
    for (bit, name) in [
        (libc::MS_NOSUID, "nosuid"),
        (libc::MS_NODEV, "nodev"),
        (libc::MS_NOEXEC, "noexec"),
        (libc::MS_RDONLY, "ro"),
        (libc::MS_STRICTATIME, "strictatime"),
        (libc::MS_RELATIME, "relatime"),
    ] {
        if flags & bit != 0 {
            o.push(name.to_string());
        }
    }
    o.extend(
        data.split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_string),
    );
    o
}

/// The runtime's spec as an OCI runtime spec document (what `inspect`
/// shows as `OCISpec`, and what `strata runtime` takes back): the same
/// container, as any OCI runtime would be asked to run it.
pub fn document_of(spec: &Spec, seccomp: Option<Value>) -> Value {
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let (uid, gid, name) = {
        let (u, g) = spec.user.split_once(':').unwrap_or((&spec.user, ""));
        match (u.parse::<u32>(), g.parse::<u32>()) {
            (Ok(u), Ok(g)) => (u, g, None),
            (Ok(u), Err(_)) => (u, u, (!g.is_empty()).then(|| spec.user.clone())),
            _ if u.is_empty() || u == "root" => (0, 0, None),
            _ => (0, 0, Some(spec.user.clone())),
        }
    };
    let caps = runtime::caps::names(spec.caps);
    let rlimits: Vec<Value> = spec
        .limits
        .rlimits
        .iter()
        .map(|r| {
            json!({"type": format!("RLIMIT_{}", runtime::limits::ulimit_name(r.resource).to_uppercase()),
                   "soft": r.soft, "hard": r.hard})
        })
        .collect();
    let mut process = json!({
        "terminal": spec.tty,
        "user": {"uid": uid, "gid": gid},
        "args": spec.argv,
        "env": spec.env,
        "cwd": if spec.cwd.is_empty() { "/" } else { spec.cwd.as_str() },
        "capabilities": {"bounding": caps, "effective": caps, "permitted": caps},
        "rlimits": rlimits,
        "noNewPrivileges": spec.no_new_privs,
    });
    if let Some(a) = spec.limits.oom_score_adj {
        process["oomScoreAdj"] = json!(a);
    }
    let mut mounts: Vec<Value> = runtime::plan::kernel_mounts()
        .iter()
        .map(|m| {
            let mut flags = m.flags;
            if m.fstype == "sysfs" && spec.privileged {
                flags &= !libc::MS_RDONLY;
            }
            json!({"destination": m.target, "type": m.fstype, "source": m.fstype,
                   "options": mount_options(flags, m.data)})
        })
        .collect();
    for (src, target) in &spec.etc_files {
        mounts.push(json!({"destination": target, "type": "bind", "source": src, "options": ["rbind", "rprivate"]}));
    }
    for b in &spec.binds {
        let mut o = vec!["rbind", "rprivate"];
        if b.readonly {
            o.push("ro");
        }
        mounts.push(
            json!({"destination": b.target, "type": "bind", "source": b.source, "options": o}),
        );
    }
    for (path, flags, data) in &spec.limits.tmpfs {
        mounts.push(
            json!({"destination": path, "type": "tmpfs", "source": "tmpfs",
                           "options": mount_options(*flags, data)}),
        );
    }
    let mut namespaces = vec![
        json!({"type": "pid"}),
        json!({"type": "ipc"}),
        json!({"type": "uts"}),
        json!({"type": "mount"}),
        json!({"type": "cgroup"}),
    ];
    for ns in namespaces.iter_mut() {
        for (kind, p) in &spec.ns_paths {
            if ns["type"] == kind.oci_name() {
                ns["path"] = json!(p);
            }
        }
    }
    match (&spec.network, spec.ns_path(runtime::Namespace::Net)) {
        (_, Some(p)) => namespaces.push(json!({"type": "network", "path": p})),
        (Network::Host, None) => {}
        _ => namespaces.push(json!({"type": "network"})),
    }
    let mut linux = json!({
        "namespaces": namespaces,
        "maskedPaths": match (&spec.masked_paths, spec.privileged) {
            (_, true) => vec![],
            (Some(v), _) => v.clone(),
            (None, _) => strs(runtime::plan::MASKED),
        },
        "readonlyPaths": match (&spec.readonly_paths, spec.privileged) {
            (_, true) => vec![],
            (Some(v), _) => v.clone(),
            (None, _) => strs(runtime::plan::READONLY),
        },
    });
    if !spec.limits.sysctls.is_empty() {
        let m: std::collections::BTreeMap<_, _> = spec.limits.sysctls.iter().cloned().collect();
        linux["sysctl"] = json!(m);
    }
    if let Some(l) = &spec.cgroup_limits {
        let r = &l.resources;
        let mut res = json!({});
        if r.memory.is_some() || r.memory_swap.is_some() || r.memory_reservation.is_some() {
            res["memory"] = json!({"limit": r.memory, "swap": r.memory_swap, "reservation": r.memory_reservation});
        }
        if r.cpu_shares.is_some()
            || r.cpu_quota.is_some()
            || r.cpuset_cpus.is_some()
            || r.nano_cpus.is_some()
        {
            let (quota, period) = match (r.nano_cpus, r.cpu_quota, r.cpu_period) {
                (Some(n), _, _) => (Some(n / 10_000), Some(100_000)),
                (None, q, p) => (q, p),
            };
            res["cpu"] = json!({"shares": r.cpu_shares, "quota": quota, "period": period, "cpus": r.cpuset_cpus});
        }
        if let Some(p) = r.pids_limit {
            res["pids"] = json!({"limit": p});
        }
        linux["resources"] = res;
    }
    if let Some(p) = seccomp {
        linux["seccomp"] = p;
    }
    let mut doc = json!({
        "ociVersion": SPEC_VERSION,
        "process": process,
        "root": {"path": spec.rootfs, "readonly": spec.limits.readonly_root},
        "hostname": spec.hostname,
        "mounts": mounts,
        "linux": linux,
    });
    if let Some(n) = name {
        // A user by name is resolved in the container's /etc/passwd when
        // it starts; the spec has numbers only.
        doc["annotations"] = json!({"org.strata.user": n});
    }
    doc
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
    fn a_containerd_style_config_becomes_a_spec() {
        let dir = std::env::temp_dir().join(format!("oci-{}", crate::util::ids::random_hex(6)));
        std::fs::create_dir_all(dir.join("rootfs")).unwrap();
        let cfg: oci::Spec = serde_json::from_str(
            r#"{"ociVersion":"1.0.2-dev","process":{"user":{"uid":0,"gid":0},"args":["sleep","100"],
                "env":["PATH=/bin"],"cwd":"/","capabilities":{"bounding":["CAP_CHOWN","CAP_KILL"]},
                "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true},
                "root":{"path":"rootfs"},"hostname":"h1",
                "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
                          {"destination":"/run","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755","size=65536k"]},
                          {"destination":"/etc/hosts","type":"bind","source":"/etc/hosts","options":["rbind","ro"]}],
                "linux":{"namespaces":[{"type":"pid"},{"type":"network"},{"type":"mount"},{"type":"ipc"},{"type":"uts"}],
                         "maskedPaths":["/proc/kcore"],"readonlyPaths":[],
                         "resources":{"pids":{"limit":100},"memory":{"limit":33554432}}}}"#,
        )
        .unwrap();
        let s = spec_of(&dir, &cfg).unwrap();
        assert_eq!(s.argv, vec!["sleep", "100"]);
        assert_eq!(s.user, "0:0");
        assert_eq!(s.hostname, "h1");
        assert_eq!(s.network, Network::None);
        assert!(s.no_new_privs);
        let want = (1u64 << runtime::caps::from_name("CHOWN").unwrap())
            | (1u64 << runtime::caps::from_name("KILL").unwrap());
        assert_eq!(s.caps, want & host_bounding());
        assert_eq!(s.binds.len(), 1);
        assert!(s.binds[0].readonly);
        assert_eq!(s.limits.tmpfs.len(), 1);
        assert_eq!(s.limits.rlimits.len(), 1);
        let r = &s.cgroup_limits.as_ref().unwrap().resources;
        assert_eq!((r.pids_limit, r.memory), (Some(100), Some(33554432)));
        assert_eq!(
            s.rootfs_dir.as_deref(),
            Some(std::fs::canonicalize(dir.join("rootfs")).unwrap().as_path())
        );
        assert!(s.ns_paths.is_empty(), "{:?}", s.ns_paths);
        assert_eq!(s.masked_paths, Some(vec!["/proc/kcore".to_string()]));
        assert_eq!(s.readonly_paths, Some(vec![]));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A pod's container: the sandbox's namespaces joined by path, the
    /// host's where the spec lists none; a hostname needs a UTS of its own.
    #[test]
    fn namespaces_by_path_and_the_host_s_are_joined() {
        let dir = std::env::temp_dir().join(format!("oci-{}", crate::util::ids::random_hex(6)));
        std::fs::create_dir_all(dir.join("rootfs")).unwrap();
        let cfg = |ns: &str, hostname: &str| -> oci::Spec {
            serde_json::from_str(&format!(
                r#"{{"ociVersion":"1.0.2","process":{{"user":{{"uid":0,"gid":0}},"args":["true"],"cwd":"/"}},
                    "root":{{"path":"rootfs"}}{hostname},"linux":{{"namespaces":[{ns}]}}}}"#
            ))
            .unwrap()
        };
        let me = std::process::id();
        let s = spec_of(
            &dir,
            &cfg(
                &format!(r#"{{"type":"pid","path":"/proc/{me}/ns/pid"}},{{"type":"ipc","path":"/proc/{me}/ns/ipc"}},{{"type":"mount"}}"#),
                "",
            ),
        )
        .unwrap();
        use runtime::Namespace as N;
        assert_eq!(
            s.ns_path(N::Pid),
            Some(Path::new(&format!("/proc/{me}/ns/pid")))
        );
        assert_eq!(
            s.ns_path(N::Ipc),
            Some(Path::new(&format!("/proc/{me}/ns/ipc")))
        );
        assert_eq!(s.ns_path(N::Uts), Some(Path::new("/proc/self/ns/uts")));
        assert_eq!(s.network, Network::Host);
        let e = spec_of(&dir, &cfg(r#"{"type":"mount"}"#, r#","hostname":"h""#)).unwrap_err();
        assert!(e.to_string().contains("without a new UTS namespace"), "{e}");
        let e = spec_of(
            &dir,
            &cfg(
                &format!(r#"{{"type":"ipc","path":"/proc/{me}/ns/nosuch"}}"#),
                "",
            ),
        )
        .unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        let e = spec_of(
            &dir,
            &cfg(
                &format!(r#"{{"type":"mount","path":"/proc/{me}/ns/mnt"}}"#),
                "",
            ),
        )
        .unwrap_err();
        assert!(e.to_string().contains("not supported"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cgroups_paths_stay_in_the_hierarchy() {
        assert_eq!(
            cgroups_path(Path::new("/default/t1")).unwrap(),
            "/default/t1"
        );
        assert_eq!(cgroups_path(Path::new("//a/./b/")).unwrap(), "/a/b");
        assert_eq!(
            cgroups_path(Path::new("pods/c1")).unwrap(),
            "/strata/pods/c1"
        );
        for bad in ["/a/../../etc", "/", "machine.slice:libpod:abc"] {
            assert!(cgroups_path(Path::new(bad)).is_err(), "{bad}");
        }
        assert_eq!(runtime::cgroup::rel("/default/t1"), Path::new("default/t1"));
        assert_eq!(runtime::cgroup::rel("abc"), Path::new("strata/abc"));
    }

    #[test]
    fn a_spec_shown_as_an_oci_document_reads_back_the_same() {
        let dir = std::env::temp_dir().join(format!("oci-{}", crate::util::ids::random_hex(6)));
        std::fs::create_dir_all(dir.join("rootfs")).unwrap();
        let mut s = blank_spec();
        s.argv = vec!["sh".into(), "-c".into(), "echo hi".into()];
        s.env = vec!["PATH=/bin".into()];
        s.user = "1000:1000".into();
        s.hostname = "h2".into();
        s.caps = 1 << runtime::caps::from_name("CHOWN").unwrap();
        s.rootfs = dir.join("rootfs");
        s.limits.rlimits = vec![runtime::limits::parse_ulimit("nofile=256:512").unwrap()];
        s.cgroup_limits = Some(runtime::CgroupLimits {
            root: "/sys/fs/cgroup".into(),
            id: "x".into(),
            resources: runtime::resources::Resources {
                pids_limit: Some(10),
                ..Default::default()
            },
        });
        let profile =
            runtime::seccomp::parse(runtime::seccomp::DEFAULT_PROFILE.as_bytes()).unwrap();
        let rendered =
            runtime::seccomp::render(&profile, s.caps, runtime::seccomp::kernel_version()).unwrap();
        let doc = document_of(&s, Some(rendered.to_oci()));
        let cfg: oci::Spec = serde_json::from_value(doc).unwrap();
        let back = spec_of(&dir, &cfg).unwrap();
        assert_eq!(back.argv, s.argv);
        assert_eq!(back.env, s.env);
        assert_eq!(back.user, "1000:1000");
        assert_eq!(back.hostname, "h2");
        assert_eq!(back.caps, s.caps & host_bounding());
        assert_eq!(back.network, Network::None);
        assert_eq!(back.limits.rlimits.len(), 1);
        assert!(back.seccomp.is_some());
        assert_eq!(back.cgroup_limits.unwrap().resources.pids_limit, Some(10));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_configs_and_ids_are_refused_in_runc_s_words() {
        let dir = std::env::temp_dir();
        let cfg: oci::Spec = serde_json::from_str(
            r#"{"ociVersion":"2.0.0","process":{"user":{"uid":0,"gid":0},"args":["x"],"cwd":"/"},"root":{"path":"/"}}"#,
        )
        .unwrap();
        assert!(spec_of(&dir, &cfg)
            .unwrap_err()
            .to_string()
            .contains("unsupported spec version"));
        let cfg: oci::Spec = serde_json::from_str(
            r#"{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["x"],"cwd":"/"},"root":{"path":"/"},
                "linux":{"namespaces":[{"type":"user"}]}}"#,
        )
        .unwrap();
        assert!(spec_of(&dir, &cfg)
            .unwrap_err()
            .to_string()
            .contains("user namespaces"));
        assert!(check_id("../x").is_err());
        assert!(check_id("ok-id_1.2").is_ok());
    }
}
