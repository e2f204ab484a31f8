//! The OCI runtime spec of a container: what the engine asks the runtime
//! for, built from the record (its image's config and the request) each
//! time it starts; `exec`'s process; and `inspect`'s `OCISpec`. The spec
//! is docker's (moby's `oci.DefaultSpec` and its daemon's additions):
//! what runc would be given for the same `docker run`. What the
//! runtime-spec has no field for travels in `runtime::Launch`.

use super::security::Granted;
use super::{Engine, Error, Result};
use crate::container::Record;
use crate::runtime::spec::{mount_options, Launch, Overlay, SPEC_VERSION};
use crate::runtime::{self, devices, limits, plan, DeviceNode, Network};
use oci_spec::runtime as oci;
use serde_json::Value;

/// docker's `--user` as the spec's numbers: a number is taken as it is,
/// a name is resolved in the container when it starts (the launch's
/// `user`), so the spec says 0 for it.
fn user_numbers(user: &str) -> (u32, u32) {
    let (u, g) = user.split_once(':').unwrap_or((user, ""));
    match (u.parse::<u32>(), g.parse::<u32>()) {
        (Ok(u), Ok(g)) => (u, g),
        (Ok(u), Err(_)) => (u, u),
        _ => (0, 0),
    }
}

/// Whether `user` names a user or group (not numbers only).
fn by_name(user: &str) -> bool {
    let (u, g) = user.split_once(':').unwrap_or((user, ""));
    !user.is_empty() && (u.parse::<u32>().is_err() || (!g.is_empty() && g.parse::<u32>().is_err()))
}

/// A working directory as the spec takes it (absolute).
fn absolute(cwd: &str) -> String {
    if cwd.starts_with('/') {
        cwd.to_string()
    } else {
        format!("/{cwd}")
    }
}

/// The capability set of a mask, as the spec lists it.
fn capability_set(mask: u64) -> oci::Capabilities {
    runtime::caps::names(mask)
        .iter()
        .filter_map(|n| n.strip_prefix("CAP_").unwrap_or(n).parse().ok())
        .collect()
}

/// The spec's `process` (run and exec alike).
#[allow(clippy::too_many_arguments)]
fn process(
    args: &[String],
    env: &[String],
    cwd: &str,
    user: &str,
    tty: bool,
    granted: &Granted,
    rlimits: &[limits::Rlimit],
    oom_score_adj: Option<i32>,
) -> oci::Process {
    let (uid, gid) = user_numbers(user);
    let mut u = oci::User::default();
    u.set_uid(uid).set_gid(gid);
    let set = capability_set(granted.caps);
    let mut caps = oci::LinuxCapabilities::default();
    caps.set_bounding(Some(set.clone()))
        .set_effective(Some(set.clone()))
        .set_permitted(Some(set))
        .set_inheritable(None)
        .set_ambient(None);
    let rlimits: Vec<oci::PosixRlimit> = rlimits
        .iter()
        .filter_map(|r| {
            let name = format!("RLIMIT_{}", limits::ulimit_name(r.resource).to_uppercase());
            oci::PosixRlimitBuilder::default()
                .typ(name.parse::<oci::PosixRlimitType>().ok()?)
                .soft(r.soft)
                .hard(r.hard)
                .build()
                .ok()
        })
        .collect();
    let mut p = oci::Process::default();
    p.set_terminal(Some(tty))
        .set_user(u)
        .set_args(Some(args.to_vec()))
        .set_env(Some(env.to_vec()))
        .set_cwd(absolute(cwd).into())
        .set_capabilities(Some(caps))
        .set_rlimits(Some(rlimits))
        .set_no_new_privileges(Some(granted.no_new_privs))
        .set_oom_score_adj(oom_score_adj);
    p
}

fn mount(dest: &str, typ: &str, source: &std::path::Path, options: Vec<String>) -> oci::Mount {
    let mut m = oci::Mount::default();
    m.set_destination(dest.into())
        .set_typ(Some(typ.to_string()))
        .set_source(Some(source.to_path_buf()))
        .set_options(Some(options));
    m
}

fn device(d: &DeviceNode) -> oci::LinuxDevice {
    let mut o = oci::LinuxDevice::default();
    o.set_path(d.path.clone().into())
        .set_typ(if d.block {
            oci::LinuxDeviceType::B
        } else {
            oci::LinuxDeviceType::C
        })
        .set_major(d.major as i64)
        .set_minor(d.minor as i64)
        .set_file_mode(Some(d.mode))
        .set_uid(Some(d.uid))
        .set_gid(Some(d.gid));
    o
}

fn device_rule(
    allow: bool,
    typ: Option<oci::LinuxDeviceType>,
    r: Option<&devices::Rule>,
) -> oci::LinuxDeviceCgroup {
    let mut o = oci::LinuxDeviceCgroup::default();
    let access = r.map_or("rwm".to_string(), |r| {
        let line = r.v1_line();
        line.rsplit(' ').next().unwrap_or("rwm").to_string()
    });
    o.set_allow(allow)
        .set_typ(typ)
        .set_major(r.and_then(|r| r.major).map(i64::from))
        .set_minor(r.and_then(|r| r.minor).map(i64::from))
        .set_access(Some(access));
    o
}

/// The device cgroup rules: docker's (a deny of all, then every
/// container's defaults, which a deny of all implies here as in runc),
/// and one allow per `--device`; `--privileged` allows every device.
fn device_rules(policy: &devices::Policy) -> Vec<oci::LinuxDeviceCgroup> {
    match policy {
        devices::Policy::AllowAll => vec![device_rule(true, None, None)],
        devices::Policy::Allow(rules) => {
            let defaults = devices::default_rules();
            let mut out = vec![device_rule(false, None, None)];
            for r in rules.iter().filter(|r| !defaults.contains(r)) {
                let typ = match r.kind {
                    devices::Kind::All => oci::LinuxDeviceType::A,
                    devices::Kind::Block => oci::LinuxDeviceType::B,
                    devices::Kind::Char => oci::LinuxDeviceType::C,
                };
                out.push(device_rule(true, Some(typ), Some(r)));
            }
            out
        }
    }
}

fn resources(rec: &Record, policy: &devices::Policy) -> oci::LinuxResources {
    let r = super::run::resources_of(&rec.limits);
    let mut res = oci::LinuxResources::default();
    res.set_devices(Some(device_rules(policy)));
    if r.memory.is_some() || r.memory_swap.is_some() || r.memory_reservation.is_some() {
        let mut m = oci::LinuxMemory::default();
        m.set_limit(r.memory)
            .set_swap(r.memory_swap)
            .set_reservation(r.memory_reservation);
        res.set_memory(Some(m));
    }
    if r.cpu_shares.is_some()
        || r.cpu_quota.is_some()
        || r.cpuset_cpus.is_some()
        || r.nano_cpus.is_some()
    {
        let mut c = oci::LinuxCpu::default();
        c.set_shares(r.cpu_shares)
            .set_quota(r.cpu_quota)
            .set_period(r.cpu_period)
            .set_cpus(r.cpuset_cpus.clone());
        // --cpus: a quota over docker's period, as docker's daemon writes it.
        if let Some(n) = r.nano_cpus {
            let period = r.cpu_period.unwrap_or(100_000);
            c.set_quota(Some(n * period as i64 / 1_000_000_000))
                .set_period(Some(period));
        }
        res.set_cpu(Some(c));
    }
    if let Some(l) = r.pids_limit.filter(|p| *p > 0) {
        let mut p = oci::LinuxPids::default();
        p.set_limit(l);
        res.set_pids(Some(p));
    }
    res
}

fn namespace(typ: oci::LinuxNamespaceType) -> oci::LinuxNamespace {
    let mut n = oci::LinuxNamespace::default();
    n.set_typ(typ).set_path(None);
    n
}

/// A container's spec and launch, and its device policy.
pub(super) struct Prepared {
    pub spec: oci::Spec,
    pub launch: Launch,
    pub policy: devices::Policy,
}

impl Engine {
    /// The spec of container `rec` as it starts now, and its launch (no
    /// cgroups yet: they are made with the returned device policy).
    pub(super) fn container_spec(&self, rec: &Record) -> Result<Prepared> {
        let granted = self.grant(&rec.security, false)?;
        let links_dir = self.images.links_dir();
        let mut lowers = vec![self.containers.ensure_init_layer(&links_dir)?];
        for chain in rec.layers.iter().rev() {
            lowers.push(self.images.layer_link(chain)?);
        }
        let dir = self.containers.dir(&rec.id);
        // A name that is not docker's own is a user network's.
        let network = super::run::parse_network(&rec.network).unwrap_or(Network::Private);
        let mut env = vec![format!("HOSTNAME={}", rec.hostname)];
        if rec.tty {
            env.push("TERM=xterm".into());
        }
        let env = super::run::merge_env(&env, rec.config.env.as_deref().unwrap_or_default());
        let args: Vec<String> = if rec.init {
            vec!["/dev/init".to_string(), "--".to_string()]
        } else {
            Vec::new()
        }
        .into_iter()
        .chain(std::iter::once(rec.path.clone()))
        .chain(rec.args.iter().cloned())
        .collect();
        let user = rec.config.user.clone().unwrap_or_default();
        let pl = super::run::process_limits(&rec.limits);
        let process = process(
            &args,
            &env,
            rec.config.working_dir.as_deref().unwrap_or("/"),
            &user,
            rec.tty,
            &granted,
            &pl.rlimits,
            pl.oom_score_adj,
        );
        // Mounts: the kernel's, the /etc files, then -v and --mount
        // binds, /dev/init, --tmpfs.
        let mut mounts: Vec<oci::Mount> = plan::kernel_mounts()
            .iter()
            .map(|m| {
                let mut flags = m.flags;
                if m.fstype == "sysfs" && rec.security.privileged {
                    flags &= !libc::MS_RDONLY;
                }
                let shm;
                let data = match (m.target, pl.shm_size) {
                    ("/dev/shm", Some(n)) => {
                        shm = format!("mode=1777,size={n}");
                        shm.as_str()
                    }
                    _ => m.data,
                };
                mount(
                    m.target,
                    m.fstype,
                    std::path::Path::new(m.fstype),
                    mount_options(flags, data),
                )
            })
            .collect();
        let bind = |src: &std::path::Path, dest: &str, ro: bool| {
            let mut o = vec!["rbind".to_string(), "rprivate".to_string()];
            if ro {
                o.push("ro".into());
            }
            mount(dest, "bind", src, o)
        };
        for f in ["hostname", "hosts", "resolv.conf"] {
            mounts.push(bind(&dir.join(f), &format!("/etc/{f}"), false));
        }
        let mut copy_up = Vec::new();
        for m in rec.mounts.iter().filter(|m| m.kind != "tmpfs") {
            mounts.push(bind(&self.mount_source(m)?, &m.destination, !m.rw));
            if m.kind == "volume" && !m.nocopy {
                copy_up.push(m.destination.clone());
            }
        }
        if rec.init {
            mounts.push(bind(&self.init_binary()?, "/dev/init", true));
        }
        let mut tmpfs = pl.tmpfs.clone();
        // --mount type=tmpfs: as --tmpfs, read-only if asked.
        for m in rec.mounts.iter().filter(|m| m.kind == "tmpfs") {
            let mut opts = m.options.clone();
            if !m.rw {
                opts = format!("ro,{opts}");
            }
            if let Ok(t) = limits::parse_tmpfs(&m.destination, opts.trim_end_matches(',')) {
                tmpfs.push(t);
            }
        }
        for (path, flags, data) in &tmpfs {
            mounts.push(mount(
                path,
                "tmpfs",
                std::path::Path::new("tmpfs"),
                mount_options(*flags, data),
            ));
        }
        use oci::LinuxNamespaceType as T;
        let mut namespaces: Vec<oci::LinuxNamespace> =
            [T::Pid, T::Ipc, T::Uts, T::Mount, T::Cgroup]
                .into_iter()
                .map(namespace)
                .collect();
        if network != Network::Host {
            namespaces.push(namespace(T::Network));
        }
        let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
        let (masked, readonly) = if rec.security.privileged {
            (Vec::new(), Vec::new())
        } else {
            (strs(plan::MASKED), strs(plan::READONLY))
        };
        let mut linux = oci::Linux::default();
        linux
            .set_namespaces(Some(namespaces))
            .set_devices(Some(granted.devices.iter().map(device).collect()))
            .set_resources(Some(resources(rec, &granted.policy)))
            .set_masked_paths(Some(masked))
            .set_readonly_paths(Some(readonly))
            .set_sysctl((!pl.sysctls.is_empty()).then(|| pl.sysctls.iter().cloned().collect()))
            .set_seccomp(None)
            .set_uid_mappings(None)
            .set_gid_mappings(None);
        let mut root = oci::Root::default();
        root.set_path(self.containers.root_mount_point()?)
            .set_readonly(Some(pl.readonly_root));
        let mut spec = oci::Spec::default();
        spec.set_version(SPEC_VERSION.to_string())
            .set_process(Some(process))
            .set_root(Some(root))
            .set_hostname(Some(rec.hostname.clone()))
            .set_mounts(Some(mounts))
            .set_linux(Some(linux))
            .set_hooks(None)
            .set_annotations(by_name(&user).then(|| {
                // A user by name is resolved in the container's
                // /etc/passwd when it starts; the spec has numbers only.
                [("org.strata.user".to_string(), user.clone())]
                    .into_iter()
                    .collect()
            }));
        let launch = Launch {
            overlay: Some(Overlay {
                links_dir,
                lowers,
                upper: dir.join("upper"),
                work: dir.join("work"),
            }),
            user: Some(user),
            wired: network == Network::Private,
            copy_up,
            group: rec.id.clone(),
            seccomp_bpf: granted.seccomp_bpf,
            stdin: rec.open_stdin,
            ..Launch::default()
        };
        Ok(Prepared {
            spec,
            launch,
            policy: granted.policy,
        })
    }

    /// `exec`'s process in container `rec` and its launch: the
    /// request's env (the container's with `-e`), cwd and user over the
    /// container's; every capability and no filter with `--privileged`.
    pub(super) fn exec_process(
        &self,
        rec: &Record,
        req: &super::detach::ExecRequest,
        env: &[String],
    ) -> Result<(oci::Process, Launch)> {
        let granted = self.grant(&rec.security, req.privileged)?;
        let cwd = req
            .workdir
            .clone()
            .or_else(|| rec.config.working_dir.clone())
            .unwrap_or_else(|| "/".into());
        let user = req
            .user
            .clone()
            .or_else(|| rec.config.user.clone())
            .unwrap_or_default();
        // An exec's process has the container's rlimits.
        let rlimits = super::run::process_limits(&rec.limits).rlimits;
        let p = process(
            &req.cmd, env, &cwd, &user, req.tty, &granted, &rlimits, None,
        );
        let launch = Launch {
            user: Some(user),
            cgroups: runtime::cgroup::dirs(&rec.id)
                .into_iter()
                .filter(|d| d.is_dir())
                .collect(),
            seccomp_bpf: granted.seccomp_bpf,
            stdin: req.interactive,
            discard_output: req.detach,
            ..Launch::default()
        };
        Ok((p, launch))
    }

    /// `inspect --format '{{json .OCISpec}}'`: the spec a start would use
    /// now, with the seccomp profile (which the runtime gets compiled)
    /// rendered for its capabilities into `linux.seccomp`.
    pub(super) fn spec_document(&self, rec: &Record) -> Result<Value> {
        let p = self.container_spec(rec)?;
        let mut doc = serde_json::to_value(&p.spec)
            .map_err(|e| Error::Runtime(runtime::Error::Invalid(e.to_string())))?;
        if let (Some(_), Some(process)) = (&p.launch.seccomp_bpf, p.spec.process()) {
            let text = super::security::seccomp_profile(&rec.security);
            // The capabilities the spec grants, as the runtime reads them.
            let caps = runtime::spec::capabilities_of(process);
            if let Ok(r) = runtime::seccomp::parse(text.as_bytes()).and_then(|p| {
                runtime::seccomp::render(&p, caps, runtime::seccomp::kernel_version())
            }) {
                doc["linux"]["seccomp"] = r.to_oci();
            }
        }
        Ok(doc)
    }
}
