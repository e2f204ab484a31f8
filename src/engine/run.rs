//! `create` and `run`: image config + request -> container record ->
//! runtime spec -> a supervised process. docker's precedence rules for
//! command, entrypoint, env, user and working directory live here only.

use super::{Engine, Error, Result};
use crate::container::{self, names, Mount, Record, State, Status};
use crate::image::{ImageConfig, ImageStore, Reference, RunConfig};
use crate::runtime::{self, Bind, Network, Spec};
use crate::util::{ids, time};
use std::path::{Path, PathBuf};

pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A `-v HOST:CONTAINER[:ro]` bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub source: PathBuf,
    pub target: String,
    pub readonly: bool,
}

impl Volume {
    /// Parses docker's `-v` syntax for bind mounts.
    pub fn parse(spec: &str) -> Result<Volume> {
        let parts: Vec<&str> = spec.split(':').collect();
        let (src, dst, mode) = match parts.as_slice() {
            [s, d] => (*s, *d, ""),
            [s, d, m] => (*s, *d, *m),
            [_] => {
                return Err(Error::Invalid(format!(
                    "invalid volume specification: '{spec}': anonymous volumes are not supported; use HOST:CONTAINER"
                )))
            }
            _ => return Err(Error::Invalid(format!("invalid volume specification: '{spec}'"))),
        };
        if !src.starts_with('/') {
            return Err(Error::Invalid(format!(
                "invalid volume specification: '{spec}': named volumes are not supported; the host path must be absolute"
            )));
        }
        if !dst.starts_with('/') {
            return Err(Error::Invalid(format!(
                "invalid volume specification: '{spec}': invalid mount config: mount path must be absolute"
            )));
        }
        let readonly = match mode {
            "" | "rw" => false,
            "ro" => true,
            m => return Err(Error::Invalid(format!("invalid mode: {m}"))),
        };
        Ok(Volume {
            source: PathBuf::from(src),
            target: dst.to_string(),
            readonly,
        })
    }
}

/// What `run` and `create` are asked.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    pub image: String,
    pub cmd: Vec<String>,
    pub entrypoint: Option<String>,
    pub name: Option<String>,
    /// `-e` values, and the lines of `--env-file`s, in order.
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub volumes: Vec<Volume>,
    pub network: String,
    pub tty: bool,
    pub interactive: bool,
    pub rm: bool,
    /// A build step's container: swept once its builder is gone.
    pub build_step: bool,
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

/// Merges env lists: later `KEY=` entries replace earlier ones in place;
/// a bare `KEY` takes the caller's value, or is dropped if unset.
pub fn merge_env(base: &[String], extra: &[String]) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for e in extra {
        let entry = if e.contains('=') {
            e.clone()
        } else {
            match std::env::var(e) {
                Ok(v) => format!("{e}={v}"),
                Err(_) => continue,
            }
        };
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

fn hosts_file(hostname: &str, network: Network) -> String {
    let mut s = String::from(
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n\
         ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
    );
    if network == Network::None {
        // No address of its own: docker lists nothing more.
        let _ = hostname;
    }
    s.shrink_to_fit();
    s
}

/// The container's resolv.conf: the host's, with loopback resolvers (which
/// the container cannot reach) replaced by public ones, as docker does.
pub fn resolv_conf(host: &str) -> String {
    let mut out = String::new();
    let mut servers = 0;
    for line in host.lines() {
        let t = line.trim();
        if let Some(ns) = t.strip_prefix("nameserver") {
            let ns = ns.trim();
            if ns.starts_with("127.") || ns == "::1" {
                continue;
            }
            servers += 1;
        }
        out.push_str(line);
        out.push('\n');
    }
    if servers == 0 {
        out.push_str("nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    }
    out
}

fn parse_network(n: &str) -> Result<Network> {
    match n {
        "" | "none" | "default" | "bridge" => Ok(Network::None),
        "host" => Ok(Network::Host),
        other => Err(Error::Invalid(format!("network {other} not found"))),
    }
}

impl Engine {
    /// `create`: makes the container and returns its id.
    pub fn create(&self, req: &RunRequest) -> Result<String> {
        let network = parse_network(&req.network)?;
        for v in &req.volumes {
            if std::fs::symlink_metadata(&v.source).is_err() {
                return Err(Error::Invalid(format!(
                    "invalid mount config for type \"bind\": bind source path does not exist: {}",
                    v.source.display()
                )));
            }
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
        let image_id = self.find_image(&req.image)?;
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
            (None, Network::None) => id[..12].to_string(),
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
        let image_name = Reference::parse_tagged(&req.image)
            .ok()
            .filter(|r| self.images.tagged(r).ok().flatten().as_deref() == Some(image_id.as_str()))
            .map(|r| r.familiar())
            .map(|f| f.strip_suffix(":latest").map(str::to_string).unwrap_or(f))
            .unwrap_or_else(|| req.image.clone());
        let rec = Record {
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
            network: if network == Network::Host {
                "host".into()
            } else {
                "none".into()
            },
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
            mounts: req
                .volumes
                .iter()
                .map(|v| Mount {
                    source: v.source.display().to_string(),
                    destination: v.target.clone(),
                    rw: !v.readonly,
                })
                .collect(),
        };
        let host_resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        let files = [
            ("hostname", format!("{hostname}\n")),
            ("hosts", hosts_file(&hostname, network)),
            ("resolv.conf", resolv_conf(&host_resolv)),
        ];
        self.containers.create(&rec, &files)?;
        Ok(id)
    }

    fn unique_name(&self, asked: Option<&str>) -> String {
        if let Some(n) = asked {
            return n.to_string();
        }
        for retry in 0..6 {
            let r = u64::from_str_radix(&ids::random_hex(8), 16).unwrap_or(retry as u64);
            let n = names::generate(r, retry);
            if !self.containers.name_taken(&n) {
                return n;
            }
        }
        ids::random_hex(6)
    }

    /// The runtime spec for a container record.
    fn spec(&self, rec: &Record) -> Result<Spec> {
        let links_dir = self.images.links_dir();
        let mut lowers = vec![self.containers.ensure_init_layer(&links_dir)?];
        for chain in rec.layers.iter().rev() {
            lowers.push(self.images.layer_link(chain)?);
        }
        let dir = self.containers.dir(&rec.id);
        let network = if rec.network == "host" {
            Network::Host
        } else {
            Network::None
        };
        let etc_files = if network == Network::Host {
            vec![
                (dir.join("hostname"), "/etc/hostname".into()),
                (PathBuf::from("/etc/hosts"), "/etc/hosts".into()),
                (PathBuf::from("/etc/resolv.conf"), "/etc/resolv.conf".into()),
            ]
        } else {
            ["hostname", "hosts", "resolv.conf"]
                .iter()
                .map(|f| (dir.join(f), format!("/etc/{f}")))
                .collect()
        };
        let mut env = vec![format!("HOSTNAME={}", rec.hostname)];
        if rec.tty {
            env.push("TERM=xterm".into());
        }
        let env = merge_env(&env, rec.config.env.as_deref().unwrap_or_default());
        Ok(Spec {
            links_dir,
            lowers,
            upper: dir.join("upper"),
            work: dir.join("work"),
            rootfs: dir.join("rootfs"),
            argv: std::iter::once(rec.path.clone())
                .chain(rec.args.iter().cloned())
                .collect(),
            env,
            cwd: rec.config.working_dir.clone().unwrap_or_default(),
            user: rec.config.user.clone().unwrap_or_default(),
            hostname: rec.hostname.clone(),
            tty: rec.tty,
            stdin: rec.open_stdin,
            network,
            etc_files,
            binds: rec
                .mounts
                .iter()
                .map(|m| Bind {
                    source: PathBuf::from(&m.source),
                    target: m.destination.clone(),
                    readonly: !m.rw,
                })
                .collect(),
            cgroups: Vec::new(),
            discard_output: false,
            kill_on_signal: false,
        })
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
        let rec = {
            let _lock = self.containers.lock(id)?;
            self.repair(id)?
        };
        let mut spec = match self.spec(&rec) {
            Ok(s) => s,
            Err(e) => return Err(self.fail_start(&rec, e)),
        };
        spec.cgroups = runtime::cgroup::create(id);
        spec.discard_output = discard_output;
        spec.kill_on_signal = kill_on_signal;
        let started = match runtime::start(&spec) {
            Ok(s) => s,
            Err(e) => {
                runtime::cgroup::remove(id);
                return Err(self.fail_start(&rec, e.into()));
            }
        };
        let pid_start = container::state::proc_stat(started.pid)
            .map(|(s, _)| s)
            .unwrap_or(0);
        let running = State {
            status: Status::Running,
            pid: started.pid,
            pid_start,
            started_at: Some(time::rfc3339(time::now_nanos())),
            ..Default::default()
        };
        {
            let _g = self.containers.lock(id)?;
            self.containers.set_state(id, &running)?;
        }
        let exit = started.supervise();
        runtime::cgroup::remove(id);
        let exit = exit?;
        let finished = State {
            status: Status::Exited,
            pid: 0,
            exit_code: exit.code(),
            finished_at: Some(time::rfc3339(time::now_nanos())),
            ..running
        };
        {
            let _g = self.containers.lock(id)?;
            self.containers.set_state(id, &finished)?;
        }
        if rec.auto_remove {
            self.containers.remove(id)?;
        }
        Ok(exit.code())
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
        std::env::set_var("STRATA_TEST_FROM_HOST", "yes");
        let out = merge_env(
            &v(&["PATH=/bin", "A=1"]),
            &v(&[
                "A=2",
                "B=3",
                "STRATA_TEST_FROM_HOST",
                "STRATA_TEST_UNSET_XYZ",
            ]),
        );
        assert_eq!(
            out,
            v(&["PATH=/bin", "A=2", "B=3", "STRATA_TEST_FROM_HOST=yes"])
        );
    }

    #[test]
    fn volume_parsing() {
        let vol = Volume::parse("/h:/c:ro").unwrap();
        assert_eq!(
            vol,
            Volume {
                source: "/h".into(),
                target: "/c".into(),
                readonly: true
            }
        );
        assert!(!Volume::parse("/h:/c").unwrap().readonly);
        assert!(Volume::parse("name:/c").is_err());
        assert!(Volume::parse("/h:c").is_err());
        assert!(Volume::parse("/h:/c:xx").is_err());
        assert!(Volume::parse("/c").is_err());
    }

    #[test]
    fn resolv_conf_drops_loopback_resolvers() {
        assert_eq!(
            resolv_conf("nameserver 127.0.0.53\nsearch x\n"),
            "search x\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n"
        );
        assert_eq!(
            resolv_conf("nameserver 10.0.0.2\n"),
            "nameserver 10.0.0.2\n"
        );
    }
}
