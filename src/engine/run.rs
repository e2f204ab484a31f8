//! `create` and `run`: image config + request -> container record ->
//! runtime spec -> a supervised process. docker's precedence rules for
//! command, entrypoint, env, user and working directory live here only.

use super::mounts::Volume;
use super::{Engine, Error, Result};
use crate::container::{self, names, Record, State, Status};
use crate::image::{ImageConfig, ImageStore, Reference, RunConfig};
use crate::network;
use crate::runtime::{self, Network};
use crate::util::{ids, time};
use std::path::{Path, PathBuf};

pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What `run` and `create` are asked.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    pub image: String,
    /// `--pull`: when the image is fetched from its registry.
    pub pull: super::PullPolicy,
    pub cmd: Vec<String>,
    pub entrypoint: Option<String>,
    pub name: Option<String>,
    /// `-e` values, and the lines of `--env-file`s, in order.
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub volumes: Vec<Volume>,
    /// `--volumes-from CONTAINER[:ro|rw]`.
    pub volumes_from: Vec<String>,
    pub network: String,
    /// `--network-alias` (user networks only).
    pub network_aliases: Vec<String>,
    /// `--ip` (user networks only).
    pub ip: Option<String>,
    /// `-p` values, as written.
    pub publish: Vec<String>,
    /// `-P`: publish every exposed port on a free host port.
    pub publish_all: bool,
    pub dns: Vec<String>,
    /// `--add-host NAME:IP` values.
    pub add_hosts: Vec<String>,
    pub tty: bool,
    pub interactive: bool,
    pub rm: bool,
    /// A build step's container: swept once its builder is gone.
    pub build_step: bool,
    /// `--restart`: no, always, unless-stopped, on-failure[:N].
    pub restart: Option<String>,
    /// `--init`: strata's init as PID 1.
    pub init: bool,
    /// `--cap-add`, `--cap-drop`, `--privileged`, `--security-opt`, `--device`.
    pub security: super::SecurityRequest,
    /// `--label KEY=VALUE` (and the lines of `--label-file`s), over the
    /// image's labels.
    pub labels: Vec<String>,
    /// `--stop-signal`.
    pub stop_signal: Option<String>,
    /// `--stop-timeout` seconds.
    pub stop_timeout: Option<u64>,
    /// `--health-cmd`, `--health-interval`, ..., `--no-healthcheck`.
    pub health: super::HealthFlags,
    /// `--expose PORT[/PROTO]` (or a range): added to the image's.
    pub expose: Vec<String>,
    /// `--ulimit`, `--read-only`, `--tmpfs`, `--shm-size`, `--sysctl`,
    /// `--oom-score-adj`.
    pub limits: container::Limits,
}

/// How `run_container` watches a container.
pub(super) struct Watch<'a> {
    /// Output to /dev/null (a quiet build step).
    pub discard_output: bool,
    /// A signal to this process kills the container (a build step).
    pub kill_on_signal: bool,
    /// Called once the container runs and its state says so, with its
    /// init's pid and a handle on its pty (if it has one).
    pub started: &'a mut dyn FnMut(i32, Option<std::os::fd::OwnedFd>),
    /// Called once its init has exited, before that is recorded; what it
    /// returns goes to the state's error (say, dropped log lines).
    pub exited: &'a mut dyn FnMut() -> Option<String>,
}

/// Reads an `--env-file`: KEY=VALUE lines, `#` comments, bare KEY taken from our env.
pub fn read_env_file(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|err| Error::Io {
        what: format!("open {}", path.display()),
        err,
    })?;
    Ok(text
        .lines()
        .map(|l| l.trim_start())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// Merges env lists: later `KEY=` entries replace earlier ones in place.
/// (A bare `KEY` of `-e` was given the caller's value at the edge, by the
/// CLI; one left here is dropped.)
pub fn merge_env(base: &[String], extra: &[String]) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for e in extra {
        if !e.contains('=') {
            continue;
        }
        let entry = e.clone();
        let key = entry.split('=').next().unwrap_or("").to_string();
        match out
            .iter_mut()
            .find(|x| x.split('=').next() == Some(key.as_str()))
        {
            Some(slot) => *slot = entry,
            None => out.push(entry),
        }
    }
    out
}

/// docker's rule for the command: `--entrypoint` replaces the image's and
/// drops its CMD; arguments replace CMD.
pub fn command(image: &RunConfig, req_cmd: &[String], req_entrypoint: Option<&str>) -> Vec<String> {
    let (entrypoint, image_cmd) = match req_entrypoint {
        Some("") => (vec![], vec![]),
        Some(e) => (vec![e.to_string()], vec![]),
        None => (
            image.entrypoint.clone().unwrap_or_default(),
            image.cmd.clone().unwrap_or_default(),
        ),
    };
    let cmd = if req_cmd.is_empty() {
        image_cmd
    } else {
        req_cmd.to_vec()
    };
    entrypoint.into_iter().chain(cmd).collect()
}

/// Checks `--ulimit`, `--tmpfs`, `--sysctl`, `--shm-size` and
/// `--oom-score-adj` before anything is made (docker's errors).
fn check_limits(l: &container::Limits, own_network: bool) -> Result<()> {
    for u in &l.ulimits {
        runtime::limits::parse_ulimit(u).map_err(Error::Invalid)?;
    }
    for (p, o) in &l.tmpfs {
        runtime::limits::parse_tmpfs(p, o).map_err(Error::Invalid)?;
    }
    for (k, v) in &l.sysctls {
        runtime::limits::parse_sysctl(&format!("{k}={v}"), own_network).map_err(Error::Invalid)?;
    }
    if l.shm_size == Some(0) {
        return Err(Error::Invalid(
            "invalid size: shm size must be greater than 0".into(),
        ));
    }
    check_resources(l)?;
    if let Some(a) = l.oom_score_adj {
        if !(-1000..=1000).contains(&a) {
            return Err(Error::Invalid(format!(
                "Invalid value {a}, range for oom score adj is [-1000, 1000]"
            )));
        }
    }
    Ok(())
}

/// The CPUs this host has online (`0-1`), from sysfs.
fn online_cpus() -> Vec<u32> {
    let s = std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap_or_default();
    parse_cpu_list(s.trim()).unwrap_or_default()
}

/// `0-3,5` as a list of CPUs.
pub(super) fn parse_cpu_list(s: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in s.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if a > b {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.trim().parse().ok()?),
        }
    }
    Some(out)
}

/// docker's daemon-side checks of the cgroup limits (its words).
pub(super) fn check_resources(l: &container::Limits) -> Result<()> {
    let bad = |m: &str| Err(Error::Invalid(m.to_string()));
    if let Some(m) = l.memory {
        if m > 0 && m < 6 * 1024 * 1024 {
            return bad("Minimum memory limit allowed is 6MB");
        }
    }
    if let Some(s) = l.memory_swap {
        if s > 0 {
            match l.memory {
                None => return bad(
                    "You should always set the Memory limit when using Memoryswap limit, see usage",
                ),
                Some(m) if s < m => {
                    return bad(
                        "Minimum memoryswap limit should be larger than memory limit, see usage",
                    )
                }
                _ => {}
            }
        }
    }
    if let (Some(r), Some(m)) = (l.memory_reservation, l.memory) {
        if m > 0 && r > m {
            return bad(
                "Minimum memory limit can not be less than memory reservation limit, see usage",
            );
        }
    }
    let cpus = online_cpus();
    if let Some(n) = l.nano_cpus {
        if l.cpu_period.is_some() || l.cpu_quota.is_some() {
            return bad("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        let have = cpus.len().max(1) as i64;
        if n < 0 || n > have * 1_000_000_000 {
            return Err(Error::Invalid(format!(
                "range of CPUs is from 0.01 to {have}.00, as there are only {have} CPUs available"
            )));
        }
    }
    if let Some(p) = l.cpu_period {
        if p != 0 && !(1000..=1_000_000).contains(&p) {
            return bad("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1 second (i.e. 1000000)");
        }
    }
    if let Some(q) = l.cpu_quota {
        if q > 0 && q < 1000 {
            return bad("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        }
    }
    if let Some(set) = &l.cpuset_cpus {
        let want = parse_cpu_list(set)
            .ok_or_else(|| Error::Invalid(format!("Invalid value {set} for cpuset cpus")))?;
        if want.iter().any(|c| !cpus.contains(c)) {
            let avail =
                std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap_or_default();
            return Err(Error::Invalid(format!(
                "Requested CPUs are not available - requested {set}, available: {}",
                avail.trim()
            )));
        }
    }
    Ok(())
}

/// The cgroup limits, as the runtime takes them.
pub(super) fn resources_of(l: &container::Limits) -> runtime::resources::Resources {
    runtime::resources::Resources {
        memory: l.memory,
        memory_swap: l.memory_swap,
        memory_reservation: l.memory_reservation,
        cpu_shares: l.cpu_shares,
        cpu_period: l.cpu_period,
        cpu_quota: l.cpu_quota,
        nano_cpus: l.nano_cpus,
        cpuset_cpus: l.cpuset_cpus.clone(),
        pids_limit: l.pids_limit,
    }
}

/// The runtime's form of a container's limits (checked at create).
pub(super) fn process_limits(l: &container::Limits) -> runtime::limits::ProcessLimits {
    runtime::limits::ProcessLimits {
        rlimits: l
            .ulimits
            .iter()
            .filter_map(|u| runtime::limits::parse_ulimit(u).ok())
            .collect(),
        readonly_root: l.read_only,
        tmpfs: l
            .tmpfs
            .iter()
            .filter_map(|(p, o)| runtime::limits::parse_tmpfs(p, o).ok())
            .collect(),
        shm_size: l.shm_size,
        sysctls: l
            .sysctls
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        oom_score_adj: l.oom_score_adj,
    }
}

/// docker's rules for `-w`: absolute; and strata's: never through /proc,
/// whose magic links lead out of the container.
pub fn check_workdir(w: &str) -> Result<()> {
    if !w.starts_with('/') {
        return Err(Error::Invalid(format!(
            "the working directory '{w}' is invalid, it needs to be an absolute path"
        )));
    }
    let clean: Vec<&str> = w
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if clean.first() == Some(&"proc") {
        return Err(Error::Invalid(format!(
            "the working directory '{w}' is invalid: it is inside /proc"
        )));
    }
    Ok(())
}

pub(super) fn parse_network(n: &str) -> Result<Network> {
    match n {
        "" | "default" | "bridge" => Ok(Network::Private),
        "none" => Ok(Network::None),
        "host" => Ok(Network::Host),
        other => Err(Error::Invalid(format!("network {other} not found"))),
    }
}

/// `--restart` as the record keeps it: None for `no`.
pub(super) fn restart_policy(p: &str) -> Result<Option<container::RestartPolicy>> {
    match p {
        "no" | "" => Ok(None),
        p => Ok(Some(parse_restart(p)?)),
    }
}

/// `--restart`'s value: `always`, `unless-stopped`, `on-failure[:N]`.
fn parse_restart(p: &str) -> Result<container::RestartPolicy> {
    let (name, max) = p.split_once(':').unwrap_or((p, ""));
    let bad = || Error::Invalid(format!("invalid restart policy: {p}"));
    match (name, max) {
        ("always" | "unless-stopped", "") => Ok(container::RestartPolicy {
            name: name.into(),
            max_retries: 0,
        }),
        ("on-failure", m) => Ok(container::RestartPolicy {
            name: name.into(),
            max_retries: if m.is_empty() {
                0
            } else {
                m.parse().map_err(|_| bad())?
            },
        }),
        _ => Err(bad()),
    }
}

fn network_name(n: Network) -> &'static str {
    match n {
        Network::Private => "bridge",
        Network::None => "none",
        Network::Host => "host",
    }
}

/// The resolvers behind a loopback resolver (systemd-resolved's list).
fn upstream_resolv() -> Option<String> {
    std::fs::read_to_string("/run/systemd/resolve/resolv.conf").ok()
}

impl Engine {
    /// `create`: makes the container and returns its id.
    pub fn create(&self, req: &RunRequest) -> Result<String> {
        // The image's layers stay until the record names them.
        let _lease = self.images.lease()?;
        // A user network's name: its bridge, with name resolution.
        let (network, user_network) = match parse_network(&req.network) {
            Ok(n) => (n, None),
            Err(e) => (
                Network::Private,
                Some(self.user_network(&req.network).map_err(|_| e)?),
            ),
        };
        if user_network.is_none() && !req.network_aliases.is_empty() {
            return Err(Error::Invalid(
                "network-scoped alias is supported only for containers in user defined networks"
                    .into(),
            ));
        }
        if let Some(ip) = &req.ip {
            let Some(net) = &user_network else {
                return Err(Error::Invalid(
                    "user specified IP address is supported on user defined networks only".into(),
                ));
            };
            let addr: std::net::Ipv4Addr = ip
                .parse()
                .map_err(|_| Error::Invalid(format!("invalid IPv4 address: {ip}")))?;
            let subnet = network::Subnet::parse(&net.subnet).map_err(Error::Invalid)?;
            if !subnet.overlaps(&network::Subnet { addr, prefix: 32 }) {
                return Err(Error::Invalid(format!(
                    "invalid endpoint settings: no configured subnet or ip-range contain the IP address {ip}"
                )));
            }
        }
        let security = super::security::parse(&req.security)?;
        check_limits(&req.limits, network != Network::Host)?;
        if let Some(w) = &req.workdir {
            check_workdir(w)?;
        }
        let restart = match req.restart.as_deref() {
            None | Some("no") | Some("") => None,
            Some(p) => Some(parse_restart(p)?),
        };
        if restart.is_some() && req.rm {
            return Err(Error::Invalid(
                "Conflicting options: --restart and --rm".into(),
            ));
        }
        let mut ports = Vec::new();
        for p in &req.publish {
            ports.extend(network::parse_ports(p).map_err(Error::Invalid)?);
        }
        let mut extra_hosts = Vec::new();
        for h in &req.add_hosts {
            extra_hosts.push(network::parse_add_host(h).map_err(Error::Invalid)?);
        }
        if network != Network::Private && (!ports.is_empty() || req.publish_all) {
            // docker publishes nothing outside the bridge, and says nothing;
            // strata says so.
            return Err(Error::Invalid(format!(
                "ports cannot be published with --network {}",
                network_name(network)
            )));
        }
        if let Some(n) = &req.name {
            if !names::is_valid(n) {
                return Err(container::Error::BadName(n.clone()).into());
            }
            if self.containers.name_taken(n) {
                let id = self.containers.resolve(n)?;
                return Err(container::Error::NameInUse {
                    name: n.clone(),
                    id,
                }
                .into());
            }
        }
        let image_id = self.find_image(&req.image, req.pull)?;
        let image: ImageConfig = self.images.config(&image_id)?;
        let argv = command(&image.config, &req.cmd, req.entrypoint.as_deref());
        if argv.is_empty() {
            return Err(Error::Invalid("No command specified".into()));
        }
        let id = ids::new_container_id();
        let hostname = match (&req.hostname, network) {
            (Some(h), _) => h.clone(),
            (None, Network::Host) => nix::unistd::gethostname()
                .map(|h| h.to_string_lossy().to_string())
                .unwrap_or_else(|_| id[..12].to_string()),
            (None, _) => id[..12].to_string(),
        };
        let mut env = image.config.env.clone().unwrap_or_default();
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.insert(0, DEFAULT_PATH.to_string());
        }
        let env = merge_env(&env, &req.env);
        let mut config = image.config.clone();
        config.env = Some(env);
        if req.entrypoint.is_some() {
            config.entrypoint = req
                .entrypoint
                .clone()
                .filter(|e| !e.is_empty())
                .map(|e| vec![e]);
            config.cmd = None;
        }
        if !req.cmd.is_empty() {
            config.cmd = Some(req.cmd.clone());
        }
        if let Some(w) = &req.workdir {
            config.working_dir = Some(w.clone());
        }
        if let Some(u) = &req.user {
            config.user = Some(u.clone());
        }
        let h = &req.health;
        if h.none
            || h.cmd.is_some()
            || h.interval.is_some()
            || h.timeout.is_some()
            || h.start_period.is_some()
            || h.retries.is_some()
        {
            config.healthcheck = super::health::merge(config.healthcheck.as_ref(), h)?;
        }
        for e in &req.expose {
            // EXPOSE's own rule: a port or a range, tcp unless said.
            let ports = crate::build::expand_ports(e).map_err(|err| Error::Invalid(err.0))?;
            let map = config.exposed_ports.get_or_insert_with(Default::default);
            for p in ports {
                map.insert(p, serde_json::json!({}));
            }
        }
        if let Some(sig) = &req.stop_signal {
            if super::detach::parse_signal(sig).is_none() {
                return Err(Error::Invalid(format!("Invalid signal: {sig}")));
            }
            config.stop_signal = Some(sig.clone());
        }
        if !req.labels.is_empty() {
            let mut labels = config.labels.clone().unwrap_or_default();
            for l in &req.labels {
                let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
                labels.insert(k.to_string(), v.to_string());
            }
            config.labels = Some(labels);
        }
        let image_name = Reference::parse_tagged(&req.image)
            .ok()
            .filter(|r| self.images.tagged(r).ok().flatten().as_deref() == Some(image_id.as_str()))
            .map(|r| r.familiar())
            .map(|f| f.strip_suffix(":latest").map(str::to_string).unwrap_or(f))
            .unwrap_or_else(|| req.image.clone());
        let mut rec = Record {
            id: id.clone(),
            name: self.unique_name(req.name.as_deref()),
            created: time::rfc3339(time::now_nanos()),
            image: image_name,
            image_id: image_id.clone(),
            layers: ImageStore::chain_ids(&image),
            path: argv[0].clone(),
            args: argv[1..].to_vec(),
            config,
            hostname: hostname.clone(),
            tty: req.tty,
            open_stdin: req.interactive,
            network: match &user_network {
                Some(n) => n.name.clone(),
                None => network_name(network).into(),
            },
            network_aliases: req.network_aliases.clone(),
            ip: req.ip.clone(),
            extra_networks: Vec::new(),
            auto_remove: req.rm,
            committed_layers: 0,
            rebase: None,
            based_on: None,
            creator: req.build_step.then(|| {
                let me = std::process::id() as i32;
                (
                    me,
                    container::state::proc_stat(me).map(|(s, _)| s).unwrap_or(0),
                )
            }),
            mounts: Vec::new(),
            ports,
            dns: req.dns.clone(),
            extra_hosts,
            restart,
            init: req.init,
            security,
            stop_timeout: req.stop_timeout,
            limits: req.limits.clone(),
        };
        if req.publish_all {
            for p in image.config.exposed_ports.iter().flat_map(|m| m.keys()) {
                let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
                if let Ok(port) = port.parse() {
                    rec.ports.push(crate::oci::PortBinding {
                        proto: proto.to_string(),
                        host_ip: "0.0.0.0".into(),
                        host_port: 0,
                        container_port: port,
                    });
                }
            }
        }
        let host_resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        let files = if network == Network::Host {
            // Copies of the host's files, never binds of them: a container
            // must not be able to rewrite the host's name resolution.
            let mut hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
            for (h, ip) in &rec.extra_hosts {
                hosts.push_str(&format!("{ip}\t{h}\n"));
            }
            [
                ("hostname", format!("{hostname}\n")),
                ("hosts", hosts),
                ("resolv.conf", host_resolv),
            ]
        } else {
            [
                ("hostname", format!("{hostname}\n")),
                ("hosts", network::hosts(&hostname, None, &rec.extra_hosts)),
                (
                    "resolv.conf",
                    network::resolv_conf(&host_resolv, upstream_resolv().as_deref(), &rec.dns),
                ),
            ]
        };
        // Volumes are made and taken under their lock, until the record
        // that names them is written (`volume rm` looks there).
        let image_volumes: Vec<String> = if req.build_step {
            Vec::new()
        } else {
            image
                .config
                .volumes
                .iter()
                .flat_map(|m| m.keys().cloned())
                .collect()
        };
        let no_volumes =
            req.volumes.is_empty() && req.volumes_from.is_empty() && image_volumes.is_empty();
        let _volumes = if no_volumes {
            None
        } else {
            Some(self.volumes.lock().map_err(Error::Volume)?)
        };
        rec.mounts = self.resolve_mounts(&req.volumes, &req.volumes_from, &image_volumes)?;
        // A name strata chose can be taken meanwhile by another create
        // that chose the same one (of 25,487 names, 50 creates at once
        // share one with a chance of about 1 in 20): choose again, as
        // docker's daemon does.
        let mut made = self.containers.create(&rec, &files);
        for retry in 1..=8 {
            match &made {
                Err(container::Error::NameInUse { .. }) if req.name.is_none() => {
                    rec.name = self.generated_name(retry);
                    made = self.containers.create(&rec, &files);
                }
                _ => break,
            }
        }
        if let Err(e) = made {
            for n in rec
                .mounts
                .iter()
                .filter(|m| m.anonymous)
                .filter_map(|m| m.name.as_ref())
            {
                let _ = self.volumes.remove(n);
            }
            return Err(e.into());
        }
        self.record_event(&rec, "create", &[]);
        Ok(id)
    }

    fn unique_name(&self, asked: Option<&str>) -> String {
        match asked {
            Some(n) => n.to_string(),
            None => self.generated_name(0),
        }
    }

    /// A docker-style name no container has; from `first` retry on, with
    /// docker's digit (after a name lost a race, a wider choice).
    fn generated_name(&self, first: u32) -> String {
        for retry in first..first + 6 {
            let r = u64::from_str_radix(&ids::random_hex(8), 16).unwrap_or(retry as u64);
            let n = names::generate(r, retry);
            if !self.containers.name_taken(&n) {
                return n;
            }
        }
        ids::random_hex(6)
    }

    /// Starts container `id` in the foreground: this process supervises it
    /// until it exits. Returns its exit code (128+N for signal N).
    pub fn run_foreground(&self, id: &str) -> Result<i32> {
        self.run_foreground_with(id, false, false)
    }

    /// `run_foreground` for a build step: its output may be discarded, and
    /// a signal to the build kills the step instead of reaching its PID 1.
    pub(super) fn run_foreground_with(
        &self,
        id: &str,
        discard_output: bool,
        kill_on_signal: bool,
    ) -> Result<i32> {
        self.run_container(
            id,
            Watch {
                discard_output,
                kill_on_signal,
                started: &mut |_, _| {},
                exited: &mut || None,
            },
        )
    }

    /// Starts container `id` and supervises it from this process until it
    /// exits; records each state. Returns its exit code.
    pub(super) fn run_container(&self, id: &str, watch: Watch) -> Result<i32> {
        let Watch {
            discard_output,
            kill_on_signal,
            started: on_started,
            exited: on_exited,
        } = watch;
        let (rec, restart_count) = {
            let _lock = self.containers.lock(id)?;
            let prev = self.containers.state_locked(id)?;
            if !prev.can_start() {
                return Err(Error::Conflict(format!(
                    "container {} is already running",
                    &id[..12]
                )));
            }
            (self.repair(id)?, prev.restart_count)
        };
        // Room for its last state writes, should it fill the disk. An
        // `--rm` container or a build step's needs none: its removal gives
        // the room back, and a last state that cannot be written is not
        // waited for.
        if !rec.auto_remove && rec.creator.is_none() {
            self.containers.reserve_space(id);
        }
        let super::spec::Prepared {
            spec,
            mut launch,
            policy,
        } = match self.container_spec(&rec) {
            Ok(p) => p,
            Err(e) => return Err(self.fail_start(&rec, e)),
        };
        launch.cgroups = match runtime::cgroup::create(id, &policy, self.settings.devices) {
            Ok(d) => d,
            Err(e) => {
                return Err(self.fail_start(&rec, Error::Runtime(runtime::Error::Invalid(e.0))))
            }
        };
        launch.discard_output = discard_output;
        launch.kill_on_signal = kill_on_signal;
        // On the bridge: an address and the ports, before anything starts.
        let bridge = match self.bridge_of(&rec) {
            Ok(b) => b,
            Err(e) => {
                runtime::cgroup::remove(id);
                return Err(self.fail_start(&rec, e));
            }
        };
        let attachment = if launch.wired {
            match self.attach_network(&bridge, &rec) {
                Ok(a) => Some(a),
                Err(e) => {
                    runtime::cgroup::remove(id);
                    return Err(self.fail_start(&rec, e));
                }
            }
        } else {
            None
        };
        // More user networks (`network connect`): an address on each,
        // wired with the first, as eth1, eth2, ...
        let mut extras: Vec<(network::Bridge, network::Attachment, String, String)> = Vec::new();
        if attachment.is_some() {
            for (i, ep) in rec.extra_networks.iter().enumerate() {
                let leased = self.user_network(&ep.network).and_then(|n| {
                    let b = n.bridge();
                    let asked = ep.ip.as_deref().and_then(|x| x.parse().ok());
                    let a = b.lease_ip(id, &[], asked)?;
                    Ok((b, a))
                });
                match leased {
                    Ok((b, a)) => extras.push((b, a, ep.network.clone(), format!("eth{}", i + 1))),
                    Err(e) => {
                        runtime::cgroup::remove(id);
                        bridge.release(id);
                        for (b, ..) in &extras {
                            b.release(id);
                        }
                        return Err(self.fail_start(&rec, e));
                    }
                }
            }
        }
        let started = match runtime::start(spec, launch, &mut |pid| {
            if let Some(a) = &attachment {
                a.connect(pid).map_err(|e| e.to_string())?;
            }
            for (_, a, _, ifname) in &extras {
                a.connect_as(pid, ifname, false)
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        }) {
            Ok(s) => s,
            Err(e) => {
                runtime::cgroup::remove(id);
                if attachment.is_some() {
                    bridge.release(id);
                }
                for (b, ..) in &extras {
                    b.release(id);
                }
                return Err(self.fail_start(&rec, e.into()));
            }
        };
        let pid_start = container::state::proc_stat(started.pid)
            .map(|(s, _)| s)
            .unwrap_or(0);
        let me = std::process::id() as i32;
        let running = State {
            status: Status::Running,
            pid: started.pid,
            pid_start,
            restart_count,
            supervisor: me,
            supervisor_start: container::state::proc_stat(me).map(|(s, _)| s).unwrap_or(0),
            started_at: Some(time::rfc3339(time::now_nanos())),
            ip_address: attachment
                .as_ref()
                .map(|a| a.ip.to_string())
                .unwrap_or_default(),
            ports: attachment
                .as_ref()
                .map(|a| a.ports.clone())
                .unwrap_or_default(),
            endpoints: extras
                .iter()
                .map(|(_, a, n, ifname)| {
                    (
                        n.clone(),
                        container::state::Joined {
                            ip: a.ip.to_string(),
                            ifname: ifname.clone(),
                        },
                    )
                })
                .collect(),
            ..Default::default()
        };
        {
            let _g = self.containers.lock(id)?;
            self.containers.set_state(id, &running)?;
        }
        for m in rec.mounts.iter().filter(|m| m.kind == "volume") {
            let rw = if m.rw { "true" } else { "false" };
            self.event(
                "volume",
                "mount",
                m.name.as_deref().unwrap_or_default(),
                &[
                    ("container", id),
                    ("destination", &m.destination),
                    ("driver", "local"),
                    ("propagation", ""),
                    ("read/write", rw),
                ],
            );
        }
        if attachment.is_some() {
            self.network_event("connect", &rec.network, id);
        }
        self.record_event(&rec, "start", &[]);
        // Its peers learn its name now (it knew theirs before it ran).
        self.refresh_hosts(&rec.network);
        for (_, _, n, _) in &extras {
            self.refresh_hosts(n);
        }
        on_started(started.pid, started.pty());
        let exit = started.supervise();
        let oom_killed = runtime::resources::oom_killed(&runtime::cgroup::memory_dirs(id));
        runtime::cgroup::remove(id);
        // Its extra networks: the leases of its first start, and those
        // `network connect` made while it ran (owned by us too).
        let joined = self
            .containers
            .state(id)
            .map(|s| s.endpoints)
            .unwrap_or_default();
        for n in joined.keys() {
            if let Ok(net) = self.user_network(n) {
                net.bridge().release(id);
            }
        }
        if attachment.is_some() {
            bridge.release(id);
            self.network_event("disconnect", &rec.network, id);
        }
        let note = on_exited();
        let exit = exit?;
        // Removed while it ran (`rm -f`): there is no record left to
        // write (nor, once it is all gone, a lock to take); the exit is
        // still what this run reports (docker: 137).
        let guard = match self.containers.lock(id) {
            Ok(g) => Some(g),
            Err(crate::container::Error::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let refresh_hosts = || {
            self.refresh_hosts(&rec.network);
            for n in joined.keys() {
                self.refresh_hosts(n);
            }
        };
        if guard.is_none() || !self.containers.dir(id).join("container.json").exists() {
            drop(guard);
            refresh_hosts();
            return Ok(exit.code());
        }
        // `die` is in the journal before the state says exited: `stop`,
        // which waits for that state, then writes `stop` after it, as
        // docker orders them.
        if oom_killed {
            self.container_event(id, "oom", &[]);
        }
        let code = exit.code().to_string();
        self.record_event(&rec, "die", &[("exitCode", &code)]);
        if rec.auto_remove {
            // An `--rm` container goes with its exit: its last state would
            // be a file made only to be deleted. It is removed under the
            // lock it ran under, so no command sees it between; a `wait`
            // on it finds its code in the journal's `die`.
            self.record_event(&rec, "destroy", &[]);
            let retired = self.containers.retire(id);
            drop(guard);
            self.remove_later(retired?);
            self.remove_anonymous_volumes(&rec);
        } else {
            // `stop` and `kill` mark the state while it runs.
            let stopped_by_user = self
                .containers
                .state_locked(id)
                .map(|s| s.stopped_by_user)
                .unwrap_or(false);
            let finished = State {
                status: Status::Exited,
                pid: 0,
                exit_code: exit.code(),
                oom_killed,
                finished_at: Some(time::rfc3339(time::now_nanos())),
                supervisor: 0,
                supervisor_start: 0,
                ip_address: String::new(),
                ports: Vec::new(),
                endpoints: Default::default(),
                error: note.unwrap_or_default(),
                stopped_by_user,
                paused: false,
                ..running
            };
            self.containers.set_state(id, &finished)?;
            drop(guard);
        }
        refresh_hosts();
        Ok(exit.code())
    }

    /// Deletes what is left of a retired `--rm` container in a process of
    /// its own (`__rm-tree`), which inherits the directory's lock: the
    /// run's exit code is not held back by a dozen unlinks (1.7 ms on this
    /// project's machines). If that process cannot start, here.
    fn remove_later(&self, retired: container::Retired) {
        use std::os::fd::AsRawFd;
        let fd = retired.held().as_raw_fd();
        let inherit = nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
        );
        let spawned = inherit.is_ok()
            && std::env::current_exe()
                .and_then(|exe| {
                    std::process::Command::new(exe)
                        .arg("__rm-tree")
                        .arg("--fd")
                        .arg(fd.to_string())
                        .arg(retired.dir())
                        .stdin(std::process::Stdio::null())
                        .stdout(std::process::Stdio::null())
                        .stderr(std::process::Stdio::null())
                        .spawn()
                })
                .is_ok();
        if !spawned {
            let _ = retired.finish();
        }
    }

    /// strata's init in the store (written once, whole), for `--init`.
    pub(super) fn init_binary(&self) -> Result<PathBuf> {
        let path = self.root.join("strata-init");
        let current = std::fs::metadata(&path)
            .map(|m| {
                use std::os::unix::fs::PermissionsExt;
                m.len() == runtime::INIT_BINARY.len() as u64 && m.permissions().mode() & 0o111 != 0
            })
            .unwrap_or(false);
        if !current {
            crate::util::fsx::write_atomic(&path, runtime::INIT_BINARY)
                .and_then(|_| {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                })
                .map_err(|err| Error::Io {
                    what: format!("write {}", path.display()),
                    err,
                })?;
        }
        Ok(path)
    }

    /// Leases an address and the ports on the bridge, and writes the
    /// container's /etc/hosts with its address.
    fn attach_network(
        &self,
        bridge: &network::Bridge,
        rec: &Record,
    ) -> Result<network::Attachment> {
        let asked = rec.ip.as_deref().and_then(|i| i.parse().ok());
        let a = bridge.lease_ip(&rec.id, &rec.ports, asked)?;
        let hosts = self.network_hosts(rec, a.ip);
        let path = self.containers.dir(&rec.id).join("hosts");
        if let Err(err) = std::fs::write(&path, hosts) {
            bridge.release(&rec.id);
            return Err(Error::Io {
                what: format!("write {}", path.display()),
                err,
            });
        }
        Ok(a)
    }

    /// Records a start that failed, removes an `--rm` container, and
    /// passes the error on.
    fn fail_start(&self, rec: &Record, err: Error) -> Error {
        let now = Some(time::rfc3339(time::now_nanos()));
        let st = State {
            status: Status::Exited,
            exit_code: err.exit_code(),
            error: err.to_string(),
            started_at: now.clone(),
            finished_at: now,
            ..Default::default()
        };
        let _ = self.containers.set_state(&rec.id, &st);
        if rec.auto_remove {
            let _ = self.containers.remove(&rec.id);
            self.remove_anonymous_volumes(rec);
        }
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn command_precedence_follows_docker() {
        let img = RunConfig {
            entrypoint: Some(v(&["/ep"])),
            cmd: Some(v(&["a"])),
            ..Default::default()
        };
        assert_eq!(command(&img, &[], None), v(&["/ep", "a"]));
        assert_eq!(command(&img, &v(&["b"]), None), v(&["/ep", "b"]));
        assert_eq!(command(&img, &[], Some("/x")), v(&["/x"]));
        assert_eq!(command(&img, &v(&["c"]), Some("/x")), v(&["/x", "c"]));
        assert_eq!(command(&img, &v(&["sh"]), Some("")), v(&["sh"]));
        assert!(command(&RunConfig::default(), &[], None).is_empty());
    }

    #[test]
    fn env_merging() {
        let out = merge_env(
            &v(&["PATH=/bin", "A=1"]),
            &v(&["A=2", "B=3", "STRATA_TEST_FROM_HOST=yes", "BARE"]),
        );
        assert_eq!(
            out,
            v(&["PATH=/bin", "A=2", "B=3", "STRATA_TEST_FROM_HOST=yes"])
        );
    }
}
