//! The runtime's one input: an OCI runtime spec (`oci_spec::runtime`),
//! with [`Launch`] for what strata adds that the runtime-spec has no field
//! for. `strata run` (the engine builds the spec from the image and the
//! request) and `strata runtime create` (a bundle's `config.json`) both
//! come here; [`compile`] reads the spec into the [`Plan`] that parent.rs
//! and child.rs carry out, and refuses what strata cannot do as one line
//! in runc's words.

use super::{caps, devices, limits, resources, seccomp, Bind, CgroupLimits, DeviceNode};
use super::{Error, Namespace, Network, Plan};
use oci_spec::runtime as oci;
use std::path::{Path, PathBuf};

/// The spec versions taken (runc's: 1.0.0 up to this one).
pub const SPEC_VERSION: &str = "1.2.0";

/// An image's layers, merged by overlayfs at the spec's `root.path` inside
/// the container's own mount namespace (the host never sees the mount).
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// Directory of the short layer links; the lower dirs are given
    /// relative to it, keeping the option string short.
    pub links_dir: PathBuf,
    /// Lower layer link names, uppermost first.
    pub lowers: Vec<String>,
    pub upper: PathBuf,
    pub work: PathBuf,
}

/// What strata asks of a launch beyond the spec.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// strata's own containers: an overlay root. None: `root.path` is a
    /// directory (a bundle's rootfs), bound at itself.
    pub overlay: Option<Overlay>,
    /// docker's `--user` as given (a name or `uid[:gid]`), resolved in
    /// the container's /etc/passwd and /etc/group when it starts (the
    /// spec has numbers only). None: the spec's `process.user`.
    pub user: Option<String>,
    /// The new network namespace is wired by the caller's `wire` hook (a
    /// veth on a bridge) before the program runs.
    pub wired: bool,
    /// Destinations of the bind mounts that are volumes: an empty one gets
    /// what the image has there first (docker's copy-up), in the container.
    pub copy_up: Vec<String>,
    /// The cgroups the init joins (made by `cgroup::create`), and the
    /// group (see `cgroup::rel`) the spec's `resources` are written for.
    pub cgroups: Vec<PathBuf>,
    pub group: String,
    /// The seccomp filter compiled beforehand (strata's cache of docker's
    /// profile, keyed by the profile and the capabilities): compiling
    /// docker's profile takes 9 ms, and rendering it into the spec at each
    /// run about half a millisecond more (what `inspect` pays to show it).
    /// With it, the spec carries no `linux.seccomp`.
    pub seccomp_bpf: Option<Vec<u8>>,
    /// Keep stdin open (docker's -i); otherwise stdin is /dev/null.
    pub stdin: bool,
    /// Send the program's stdout and stderr to /dev/null (`build -q`).
    pub discard_output: bool,
    /// On SIGINT/SIGTERM/SIGHUP the supervisor kills the container
    /// instead of forwarding the signal (a build step must stop).
    pub kill_on_signal: bool,
    /// OCI `create`: once set up, the init waits for a reader of this FIFO
    /// (`start`) before it takes its identity and runs the program.
    pub hold: Option<PathBuf>,
    /// The process outlives the strata that started it (no PDEATHSIG).
    pub outlive: bool,
    /// OCI `--preserve-fds N`: our fds 3 to 3+N-1 are the program's.
    pub preserve_fds: u32,
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::Invalid(msg.into())
}

/// The mounts strata makes itself (docker's set, `plan::kernel_mounts`);
/// the spec's own of these are taken as asking for them.
const STANDARD: &[&str] = &[
    "/proc",
    "/dev",
    "/dev/pts",
    "/dev/mqueue",
    "/sys",
    "/sys/fs/cgroup",
];

/// The capabilities a spec's process gets: its bounding set, clamped to
/// this process's own.
pub fn capabilities_of(p: &oci::Process) -> u64 {
    cap_mask(
        p.capabilities()
            .as_ref()
            .and_then(|c| c.bounding().as_ref()),
    ) & caps::host_bounding()
}

/// The capability mask of an OCI capability set.
fn cap_mask(set: Option<&oci::Capabilities>) -> u64 {
    let mut mask = 0u64;
    for c in set.into_iter().flatten() {
        // A capability this kernel's list lacks is dropped, as runc warns.
        if let Some(n) = caps::from_name(&c.to_string()) {
            mask |= 1u64 << n;
        }
    }
    mask
}

/// A plan that mounts nothing, joins nothing and limits nothing.
fn blank_plan() -> Plan {
    Plan {
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
        stdin: false,
        network: Network::Host,
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

/// The launch's own part of a plan (its overlay and copy-ups are read
/// with the spec's root and mounts).
fn launch_into(launch: Launch, plan: &mut Plan) {
    plan.stdin = launch.stdin;
    plan.discard_output = launch.discard_output;
    plan.kill_on_signal = launch.kill_on_signal;
    plan.hold = launch.hold;
    plan.outlive = launch.outlive;
    plan.preserve_fds = launch.preserve_fds;
    plan.cgroups = launch.cgroups;
    if let Some(u) = launch.user {
        plan.user = u;
    }
    if launch.seccomp_bpf.is_some() {
        plan.seccomp = launch.seccomp_bpf;
    }
}

/// The parts of a spec's process the runtime takes (create and exec).
fn process_into(p: &oci::Process, plan: &mut Plan) -> Result<(), Error> {
    let args = p.args().clone().unwrap_or_default();
    if args.is_empty() {
        return Err(invalid("args must not be empty"));
    }
    plan.argv = args;
    plan.env = p.env().clone().unwrap_or_default();
    plan.cwd = p.cwd().display().to_string();
    if !plan.cwd.starts_with('/') {
        return Err(invalid("cwd must be an absolute path"));
    }
    let u = p.user();
    plan.user = format!("{}:{}", u.uid(), u.gid());
    plan.tty = p.terminal().unwrap_or(false);
    plan.caps = capabilities_of(p);
    plan.no_new_privs = p.no_new_privileges().unwrap_or(false);
    let mut rl = Vec::new();
    for r in p.rlimits().clone().unwrap_or_default() {
        let name = r.typ().to_string().to_lowercase();
        let short = name.strip_prefix("rlimit_").unwrap_or(&name);
        let parsed =
            limits::parse_ulimit(&format!("{short}={}:{}", r.soft(), r.hard())).map_err(invalid)?;
        rl.push(parsed);
    }
    plan.limits.rlimits = rl;
    plan.limits.oom_score_adj = p.oom_score_adj();
    Ok(())
}

/// A spec's `cgroupsPath` as a group (see `cgroup::rel`): an absolute one
/// from each hierarchy's root (containerd's `/default/ID`, podman's
/// `/libpod_parent/libpod-ID`), a relative one under strata's own parent;
/// systemd's `slice:prefix:name` form needs `--systemd-cgroup`.
pub fn cgroups_path(p: &Path) -> Result<String, Error> {
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
pub fn device_policy(config: &oci::Spec) -> Result<devices::Policy, Error> {
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

/// The cgroup limits of a spec's (or `update`'s) `LinuxResources`.
pub fn resources_of(res: &oci::LinuxResources) -> resources::Resources {
    let mut r = resources::Resources::default();
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

/// Checks the version and the hooks strata cannot run.
fn check(config: &oci::Spec) -> Result<(), Error> {
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
    Ok(())
}

/// The spec's namespaces into the plan. Mount and cgroup are always the
/// container's own; pid, ipc and uts are new or joined by path (a pod's
/// sandbox); the network one is new, joined by path, or the host's when
/// absent. One the spec does not list is the host's (runc's rule).
fn namespaces_into(
    config: &oci::Spec,
    linux: &oci::Linux,
    wired: bool,
    plan: &mut Plan,
) -> Result<(), Error> {
    let mut net = None;
    let mut seen = Vec::new();
    for ns in linux.namespaces().as_deref().unwrap_or_default() {
        use oci::LinuxNamespaceType as T;
        let kind = match ns.typ() {
            T::Network => {
                net = Some(ns.path().clone());
                continue;
            }
            T::User => return Err(invalid("user namespaces are not supported by strata")),
            T::Time => return Err(invalid("time namespaces are not supported by strata")),
            T::Pid => Namespace::Pid,
            T::Ipc => Namespace::Ipc,
            T::Uts => Namespace::Uts,
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
            plan.ns_paths.push((kind, p.clone()));
        }
    }
    for kind in [Namespace::Pid, Namespace::Ipc, Namespace::Uts] {
        if !seen.contains(&kind) {
            let own = format!("/proc/self/ns/{}", kind.proc_name());
            plan.ns_paths.push((kind, PathBuf::from(own)));
        }
    }
    if plan.ns_path(Namespace::Uts).is_some() && config.hostname().is_some() {
        return Err(invalid(
            "unable to set hostname without a new UTS namespace",
        ));
    }
    plan.network = match net {
        None => Network::Host,
        Some(None) if wired => Network::Private,
        Some(None) => Network::None,
        Some(Some(p)) => {
            if !p.exists() {
                return Err(invalid(format!(
                    "network namespace {} does not exist",
                    p.display()
                )));
            }
            plan.ns_paths.push((Namespace::Net, p));
            Network::Host
        }
    };
    Ok(())
}

/// The spec's device nodes (docker's `--device`, podman's, the CRI's).
fn devices_of(linux: &oci::Linux) -> Result<Vec<DeviceNode>, Error> {
    let mut out = Vec::new();
    for d in linux.devices().as_deref().unwrap_or_default() {
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
        out.push(DeviceNode {
            path,
            block,
            major: d.major() as u32,
            minor: d.minor() as u32,
            mode: d.file_mode().unwrap_or(0o666) & 0o7777,
            uid: d.uid().unwrap_or(0),
            gid: d.gid().unwrap_or(0),
        });
    }
    Ok(out)
}

/// mount(2) flags by their option names: (the name that sets it, the
/// one that clears it, the flag), in the order `mount_options` writes them.
const MOUNT_FLAGS: &[(&str, &str, u64)] = &[
    ("nosuid", "suid", libc::MS_NOSUID),
    ("nodev", "dev", libc::MS_NODEV),
    ("noexec", "exec", libc::MS_NOEXEC),
    ("ro", "rw", libc::MS_RDONLY),
    ("strictatime", "nostrictatime", libc::MS_STRICTATIME),
    ("relatime", "norelatime", libc::MS_RELATIME),
    ("sync", "async", libc::MS_SYNCHRONOUS),
    ("noatime", "atime", libc::MS_NOATIME),
    ("nodiratime", "diratime", libc::MS_NODIRATIME),
];

/// mount(2) flags and data as a spec's mount options (the inverse of
/// `mount_flags`).
pub fn mount_options(flags: u64, data: &str) -> Vec<String> {
    MOUNT_FLAGS
        .iter()
        .filter(|(_, _, bit)| flags & bit != 0)
        .map(|(name, _, _)| name.to_string())
        .chain(
            data.split(',')
                .filter(|d| !d.is_empty())
                .map(str::to_string),
        )
        .collect()
}

/// A mount's options as mount(2) flags and data, as runc reads them:
/// the flags listed (no defaults of `--tmpfs`'s), propagation left to the
/// container's own rslave root, anything else the file system's data.
fn mount_flags(opts: &[String]) -> (u64, String) {
    const PROPAGATION: &[&str] = &[
        "private",
        "rprivate",
        "shared",
        "rshared",
        "slave",
        "rslave",
        "unbindable",
        "runbindable",
        "defaults",
    ];
    let mut flags = 0u64;
    let mut data = Vec::new();
    for o in opts.iter().map(String::as_str) {
        if let Some((_, _, bit)) = MOUNT_FLAGS.iter().find(|(set, _, _)| *set == o) {
            flags |= bit;
        } else if let Some((_, _, bit)) = MOUNT_FLAGS.iter().find(|(_, clear, _)| *clear == o) {
            flags &= !bit;
        } else if !PROPAGATION.contains(&o) {
            data.push(o);
        }
    }
    (flags, data.join(","))
}

/// The spec's mounts: the standard ones are strata's own (a read-write
/// /sys is `--privileged`'s, a /dev/shm's size `--shm-size`); binds and
/// tmpfs mounts beyond, in the spec's order.
fn mounts_into(config: &oci::Spec, launch: &Launch, plan: &mut Plan) -> Result<(), Error> {
    for m in config.mounts().as_deref().unwrap_or_default() {
        let dest = m.destination().display().to_string();
        let opts = m.options().as_deref().unwrap_or_default();
        let kind = m.typ().clone().unwrap_or_default();
        if dest == "/sys" && kind == "sysfs" {
            plan.privileged = !opts.iter().any(|o| o == "ro");
        }
        if STANDARD.contains(&dest.as_str()) {
            continue;
        }
        let is_bind = kind == "bind" || opts.iter().any(|o| o == "bind" || o == "rbind");
        if is_bind {
            let src = m
                .source()
                .clone()
                .ok_or_else(|| invalid(format!("mount {dest}: no source")))?;
            plan.binds.push(Bind {
                source: src,
                copy_up: launch.copy_up.contains(&dest),
                target: dest,
                readonly: opts.iter().any(|o| o == "ro"),
            });
        } else if kind == "tmpfs" {
            if dest == "/dev/shm" {
                plan.limits.shm_size = opts
                    .iter()
                    .find_map(|o| o.strip_prefix("size="))
                    .and_then(limits::parse_size);
                continue;
            }
            let (flags, data) = mount_flags(opts);
            plan.limits.tmpfs.push((dest, flags, data));
        } else if kind == "mqueue" || kind == "devpts" || kind == "proc" || kind == "sysfs" {
            continue;
        } else {
            return Err(invalid(format!(
                "mount {dest}: type {kind:?} is not supported by strata"
            )));
        }
    }
    Ok(())
}

/// The spec (and the launch) as the runtime's plan. The spec's
/// `root.path` must be absolute (a bundle's is made so by its reader).
pub(super) fn compile(config: &oci::Spec, mut launch: Launch) -> Result<Plan, Error> {
    check(config)?;
    let mut plan = blank_plan();
    let root = config
        .root()
        .as_ref()
        .ok_or_else(|| invalid("root must be set"))?;
    if !root.path().is_absolute() {
        return Err(invalid("root.path must be absolute"));
    }
    match launch.overlay.take() {
        Some(o) => {
            plan.rootfs = root.path().clone();
            plan.links_dir = o.links_dir;
            plan.lowers = o.lowers;
            plan.upper = o.upper;
            plan.work = o.work;
        }
        None => {
            let rootfs = std::fs::canonicalize(root.path()).map_err(|e| {
                invalid(format!(
                    "rootfs ({}) does not exist: {e}",
                    root.path().display()
                ))
            })?;
            plan.rootfs = rootfs.clone();
            plan.rootfs_dir = Some(rootfs);
        }
    }
    plan.limits.readonly_root = root.readonly().unwrap_or(false);
    let process = config
        .process()
        .as_ref()
        .ok_or_else(|| invalid("process must be set"))?;
    process_into(process, &mut plan)?;
    plan.hostname = config.hostname().clone().unwrap_or_else(|| {
        nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let none = oci::Linux::default();
    let linux = config.linux().as_ref().unwrap_or(&none);
    namespaces_into(config, linux, launch.wired, &mut plan)?;
    plan.devices = devices_of(linux)?;
    plan.masked_paths = linux.masked_paths().clone();
    plan.readonly_paths = linux.readonly_paths().clone();
    mounts_into(config, &launch, &mut plan)?;
    for (k, v) in linux.sysctl().clone().unwrap_or_default() {
        plan.limits.sysctls.push((k, v));
    }
    // A sysctl map has no order; write them in one.
    plan.limits.sysctls.sort();
    // seccomp: the spec's profile, compiled as docker's are.
    if let Some(sc) = linux.seccomp() {
        let text = serde_json::to_vec(sc).map_err(|e| invalid(e.to_string()))?;
        let p = seccomp::parse(&text).map_err(invalid)?;
        let r = seccomp::render(&p, plan.caps, seccomp::kernel_version()).map_err(invalid)?;
        plan.seccomp = Some(seccomp::compile(&r).map_err(invalid)?);
    }
    if let Some(res) = linux.resources() {
        plan.cgroup_limits = Some(CgroupLimits {
            root: "/sys/fs/cgroup".into(),
            id: std::mem::take(&mut launch.group),
            resources: resources_of(res),
        });
    }
    launch_into(launch, &mut plan);
    Ok(plan)
}

/// A process of `exec` (into the running container whose init is `pid`):
/// nothing is mounted or made.
pub(super) fn compile_exec(
    process: &oci::Process,
    pid: i32,
    launch: Launch,
) -> Result<Plan, Error> {
    let mut plan = blank_plan();
    process_into(process, &mut plan)?;
    plan.join = Some(pid);
    launch_into(launch, &mut plan);
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_root() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("oci-{}", crate::util::ids::random_hex(6)));
        std::fs::create_dir_all(dir.join("rootfs")).unwrap();
        dir
    }

    #[test]
    fn a_containerd_style_config_becomes_a_plan() {
        let dir = temp_root();
        let cfg: oci::Spec = serde_json::from_str(&format!(
            r#"{{"ociVersion":"1.0.2-dev","process":{{"user":{{"uid":0,"gid":0}},"args":["sleep","100"],
                "env":["PATH=/bin"],"cwd":"/","capabilities":{{"bounding":["CAP_CHOWN","CAP_KILL"]}},
                "rlimits":[{{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}}],"noNewPrivileges":true}},
                "root":{{"path":"{}/rootfs"}},"hostname":"h1",
                "mounts":[{{"destination":"/proc","type":"proc","source":"proc"}},
                          {{"destination":"/run","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755","size=65536k"]}},
                          {{"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["size=1m"]}},
                          {{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","ro"]}},
                          {{"destination":"/etc/hosts","type":"bind","source":"/etc/hosts","options":["rbind","ro"]}}],
                "linux":{{"namespaces":[{{"type":"pid"}},{{"type":"network"}},{{"type":"mount"}},{{"type":"ipc"}},{{"type":"uts"}}],
                         "maskedPaths":["/proc/kcore"],"readonlyPaths":[],
                         "resources":{{"pids":{{"limit":100}},"memory":{{"limit":33554432}}}}}}}}"#,
            dir.display()
        ))
        .unwrap();
        let s = compile(&cfg, Launch::default()).unwrap();
        assert_eq!(s.argv, vec!["sleep", "100"]);
        assert_eq!(s.user, "0:0");
        assert_eq!(s.hostname, "h1");
        assert_eq!(s.network, Network::None);
        assert!(s.no_new_privs);
        assert!(!s.privileged);
        let want = (1u64 << caps::from_name("CHOWN").unwrap())
            | (1u64 << caps::from_name("KILL").unwrap());
        assert_eq!(s.caps, want & caps::host_bounding());
        assert_eq!(s.binds.len(), 1);
        assert!(s.binds[0].readonly);
        // Only the spec's flags: nosuid, not --tmpfs's noexec and nodev.
        assert_eq!(
            s.limits.tmpfs,
            vec![(
                "/run".to_string(),
                libc::MS_NOSUID,
                "mode=755,size=65536k".to_string()
            )]
        );
        assert_eq!(s.limits.shm_size, Some(1 << 20));
        // containerd's and runc's flags are flags; the rest is data.
        assert_eq!(
            mount_flags(&[
                "rw".into(),
                "strictatime".into(),
                "rprivate".into(),
                "size=1m".into()
            ]),
            (libc::MS_STRICTATIME, "size=1m".to_string())
        );
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
        let dir = temp_root();
        let cfg = |ns: &str, hostname: &str| -> oci::Spec {
            serde_json::from_str(&format!(
                r#"{{"ociVersion":"1.0.2","process":{{"user":{{"uid":0,"gid":0}},"args":["true"],"cwd":"/"}},
                    "root":{{"path":"{}/rootfs"}}{hostname},"linux":{{"namespaces":[{ns}]}}}}"#,
                dir.display()
            ))
            .unwrap()
        };
        let me = std::process::id();
        let l = Launch::default();
        let s = compile(
            &cfg(
                &format!(r#"{{"type":"pid","path":"/proc/{me}/ns/pid"}},{{"type":"ipc","path":"/proc/{me}/ns/ipc"}},{{"type":"mount"}}"#),
                "",
            ),
            l.clone(),
        )
        .unwrap();
        use Namespace as N;
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
        let e = compile(&cfg(r#"{"type":"mount"}"#, r#","hostname":"h""#), l.clone()).unwrap_err();
        assert!(e.to_string().contains("without a new UTS namespace"), "{e}");
        let e = compile(
            &cfg(
                &format!(r#"{{"type":"ipc","path":"/proc/{me}/ns/nosuch"}}"#),
                "",
            ),
            l.clone(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        let e = compile(
            &cfg(
                &format!(r#"{{"type":"mount","path":"/proc/{me}/ns/mnt"}}"#),
                "",
            ),
            l.clone(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("not supported"), "{e}");
        // A new network namespace is wired when the launch says so.
        let wired = Launch {
            wired: true,
            ..Launch::default()
        };
        let s = compile(&cfg(r#"{"type":"network"}"#, ""), wired).unwrap();
        assert_eq!(s.network, Network::Private);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The shape of spec the engine builds for `strata run`: its launch's
    /// parts win over the spec's where they say more (a user by name, a
    /// compiled filter), and the spec's mounts carry docker's flags.
    #[test]
    fn a_run_s_spec_and_launch_become_its_plan() {
        let cfg: oci::Spec = serde_json::from_str(
            r#"{"ociVersion":"1.2.0","process":{"user":{"uid":0,"gid":0},"args":["true"],"cwd":"/w"},
                "root":{"path":"/merged","readonly":true},"hostname":"c1",
                "mounts":[{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","nodev","noexec"]},
                          {"destination":"/dev/shm","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=1777","size=65536k"]},
                          {"destination":"/v","type":"bind","source":"/tmp","options":["rbind","rprivate"]},
                          {"destination":"/t","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","noexec","ro","size=1m"]}],
                "linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network"}],
                         "sysctl":{"net.ipv4.ip_forward":"1","kernel.msgmax":"8192"},
                         "resources":{"devices":[{"allow":false,"access":"rwm"}]}}}"#,
        )
        .unwrap();
        let launch = Launch {
            overlay: Some(Overlay {
                links_dir: "/l".into(),
                lowers: vec!["A".into()],
                upper: "/u".into(),
                work: "/wk".into(),
            }),
            user: Some("nobody".into()),
            wired: true,
            copy_up: vec!["/v".into()],
            group: "abc".into(),
            seccomp_bpf: Some(vec![0; 8]),
            ..Launch::default()
        };
        let p = compile(&cfg, launch).unwrap();
        assert_eq!(
            (p.rootfs.as_path(), p.rootfs_dir.is_none()),
            (Path::new("/merged"), true)
        );
        assert_eq!(
            (p.lowers.clone(), p.upper.clone()),
            (vec!["A".to_string()], "/u".into())
        );
        assert_eq!(p.user, "nobody");
        assert_eq!(p.cwd, "/w");
        assert_eq!(p.network, Network::Private);
        // A read-write /sys is --privileged's.
        assert!(p.privileged);
        assert!(p.limits.readonly_root);
        assert_eq!(p.limits.shm_size, Some(64 << 20));
        assert!(p.binds[0].copy_up);
        let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC | libc::MS_RDONLY;
        assert_eq!(p.limits.tmpfs, vec![("/t".into(), flags, "size=1m".into())]);
        assert_eq!(p.limits.sysctls[0].0, "kernel.msgmax");
        assert_eq!(p.seccomp, Some(vec![0; 8]));
        assert_eq!(p.cgroup_limits.unwrap().id, "abc");
        assert!(p.ns_paths.is_empty(), "{:?}", p.ns_paths);
        assert!(p.join.is_none());
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
        assert_eq!(
            super::super::cgroup::rel("/default/t1"),
            Path::new("default/t1")
        );
        assert_eq!(super::super::cgroup::rel("abc"), Path::new("strata/abc"));
    }

    #[test]
    fn bad_configs_are_refused_in_runc_s_words() {
        let cfg: oci::Spec = serde_json::from_str(
            r#"{"ociVersion":"2.0.0","process":{"user":{"uid":0,"gid":0},"args":["x"],"cwd":"/"},"root":{"path":"/"}}"#,
        )
        .unwrap();
        let l = Launch::default();
        assert!(compile(&cfg, l.clone())
            .unwrap_err()
            .to_string()
            .contains("unsupported spec version"));
        let cfg: oci::Spec = serde_json::from_str(
            r#"{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["x"],"cwd":"/"},"root":{"path":"/"},
                "linux":{"namespaces":[{"type":"user"}]}}"#,
        )
        .unwrap();
        assert!(compile(&cfg, l.clone())
            .unwrap_err()
            .to_string()
            .contains("user namespaces"));
        let cfg: oci::Spec = serde_json::from_str(
            r#"{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["x"],"cwd":"/"},"root":{"path":"rootfs"}}"#,
        )
        .unwrap();
        assert!(compile(&cfg, l.clone())
            .unwrap_err()
            .to_string()
            .contains("absolute"));
    }
}
