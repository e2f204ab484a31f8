//! `POST /containers/create`: docker's create body (Config, HostConfig,
//! NetworkingConfig, with the API's field names) as a `RunRequest`. Every
//! field is optional: the CLI sends them all, docker-py only a few.

use super::ApiError;
use crate::engine::{PullPolicy, RunRequest, Volume};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A string or a list of strings (`Cmd`, `Entrypoint`, `Healthcheck.Test`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Words {
    One(String),
    Many(Vec<String>),
}

impl Words {
    fn list(self) -> Vec<String> {
        match self {
            Words::One(s) => vec![s],
            Words::Many(v) => v,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateBody {
    pub image: String,
    pub cmd: Option<Words>,
    pub entrypoint: Option<Words>,
    pub env: Option<Vec<String>>,
    pub working_dir: String,
    pub user: String,
    pub hostname: String,
    pub tty: bool,
    pub open_stdin: bool,
    pub stdin_once: bool,
    pub labels: Option<BTreeMap<String, String>>,
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<u64>,
    pub healthcheck: Option<Healthcheck>,
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
    pub host_config: HostConfig,
    pub networking_config: NetworkingConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Healthcheck {
    pub test: Option<Vec<String>>,
    pub interval: i64,
    pub timeout: i64,
    pub start_period: i64,
    pub retries: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RestartPolicy {
    pub name: String,
    pub maximum_retry_count: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Mount {
    #[serde(rename = "Type")]
    pub kind: String,
    pub source: String,
    pub target: String,
    pub read_only: bool,
    pub volume_options: Option<VolumeOptions>,
    pub tmpfs_options: Option<TmpfsOptions>,
    pub bind_options: Option<BindOptions>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VolumeOptions {
    pub no_copy: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TmpfsOptions {
    pub size_bytes: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BindOptions {
    pub propagation: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostConfig {
    pub binds: Option<Vec<String>>,
    pub port_bindings: Option<BTreeMap<String, Option<Vec<PortBinding>>>>,
    pub publish_all_ports: bool,
    pub auto_remove: bool,
    pub network_mode: String,
    pub restart_policy: RestartPolicy,
    pub privileged: bool,
    pub cap_add: Option<Vec<String>>,
    pub cap_drop: Option<Vec<String>>,
    pub security_opt: Option<Vec<String>>,
    pub dns: Option<Vec<String>>,
    pub extra_hosts: Option<Vec<String>>,
    pub volumes_from: Option<Vec<String>>,
    pub mounts: Option<Vec<Mount>>,
    pub readonly_rootfs: bool,
    pub init: Option<bool>,
    pub tmpfs: Option<BTreeMap<String, String>>,
    pub shm_size: i64,
    pub memory: i64,
    pub memory_swap: i64,
    pub memory_reservation: i64,
    pub nano_cpus: i64,
    pub cpu_shares: i64,
    pub cpu_period: i64,
    pub cpu_quota: i64,
    pub cpuset_cpus: String,
    pub pids_limit: Option<i64>,
    pub ulimits: Option<Vec<Ulimit>>,
    pub sysctls: Option<BTreeMap<String, String>>,
    pub oom_score_adj: i32,
    pub devices: Option<Vec<Device>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Device {
    pub path_on_host: String,
    pub path_in_container: String,
    pub cgroup_permissions: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkingConfig {
    pub endpoints_config: Option<BTreeMap<String, Option<EndpointConfig>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EndpointConfig {
    pub aliases: Option<Vec<String>>,
    #[serde(rename = "IPAMConfig")]
    pub ipam_config: Option<IpamConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IpamConfig {
    #[serde(rename = "IPv4Address")]
    pub ipv4_address: String,
}

/// A word for `sh -c`, quoted when it needs to be.
fn sh_word(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

fn nanos_to_duration(n: i64) -> Option<String> {
    (n > 0).then(|| format!("{}ms", n / 1_000_000))
}

/// The request `create` makes of a body and `?name=`.
pub fn request(body: CreateBody, name: Option<String>) -> Result<RunRequest, ApiError> {
    if body.image.is_empty() {
        return Err(ApiError::bad("no image given (Config.Image)"));
    }
    let hc = body.host_config;
    let mut cmd = body.cmd.map(Words::list).unwrap_or_default();
    // The API's entrypoint is a list; the request's is a program, with
    // the rest of the list before the command.
    let entrypoint = match body.entrypoint.map(Words::list) {
        None => None,
        Some(e) if e.is_empty() => Some(String::new()),
        Some(e) => {
            let mut e = e.into_iter();
            let first = e.next();
            let mut rest: Vec<String> = e.collect();
            rest.append(&mut cmd);
            cmd = rest;
            first
        }
    };
    let mut volumes = Vec::new();
    for b in hc.binds.unwrap_or_default() {
        volumes.push(Volume::parse(&b)?);
    }
    // An anonymous volume per `Volumes` key (`-v /path` as the CLI sends it).
    for path in body.volumes.unwrap_or_default().keys() {
        if !volumes.iter().any(|v| &v.target == path) {
            volumes.push(Volume::parse(path)?);
        }
    }
    for m in hc.mounts.unwrap_or_default() {
        let mut spec = format!("type={},target={}", m.kind, m.target);
        if !m.source.is_empty() {
            spec.push_str(&format!(",source={}", m.source));
        }
        if m.read_only {
            spec.push_str(",readonly");
        }
        if m.volume_options.is_some_and(|o| o.no_copy) {
            spec.push_str(",volume-nocopy");
        }
        if let Some(t) = m.tmpfs_options.filter(|t| t.size_bytes > 0) {
            spec.push_str(&format!(",tmpfs-size={}", t.size_bytes));
        }
        if let Some(b) = m.bind_options.filter(|b| !b.propagation.is_empty()) {
            spec.push_str(&format!(",bind-propagation={}", b.propagation));
        }
        volumes.push(Volume::parse_mount(&spec)?);
    }
    let mut publish = Vec::new();
    for (port, bindings) in hc.port_bindings.unwrap_or_default() {
        for b in bindings.unwrap_or_default() {
            let host = match (b.host_ip.as_str(), b.host_port.as_str()) {
                ("", "") => String::new(),
                ("", p) => format!("{p}:"),
                (ip, p) => format!("{ip}:{p}:"),
            };
            publish.push(format!("{host}{port}"));
        }
    }
    // The network: HostConfig.NetworkMode ("default" is the bridge), with
    // the endpoint's aliases and address.
    let mut network = match hc.network_mode.as_str() {
        "" | "default" => "bridge".to_string(),
        n => n.to_string(),
    };
    let mut aliases = Vec::new();
    let mut ip = None;
    if let Some(eps) = body.networking_config.endpoints_config {
        for (net, ep) in eps {
            if network == "bridge" && net != "bridge" && net != "default" {
                network = net.clone();
            }
            if net == network || (net == "default" && network == "bridge") {
                if let Some(ep) = ep {
                    aliases.extend(ep.aliases.unwrap_or_default());
                    ip = ep
                        .ipam_config
                        .map(|c| c.ipv4_address)
                        .filter(|a| !a.is_empty());
                }
            }
        }
    }
    // Aliases on the default bridge mean nothing (and docker refuses them).
    if network == "bridge" {
        aliases.clear();
    }
    let restart = match hc.restart_policy.name.as_str() {
        "" | "no" => None,
        "on-failure" if hc.restart_policy.maximum_retry_count > 0 => Some(format!(
            "on-failure:{}",
            hc.restart_policy.maximum_retry_count
        )),
        n => Some(n.to_string()),
    };
    let health = match body.healthcheck {
        None => Default::default(),
        Some(h) => {
            let test = h.test.unwrap_or_default();
            match test.first().map(String::as_str) {
                Some("NONE") => crate::engine::HealthFlags {
                    none: true,
                    ..Default::default()
                },
                Some("CMD-SHELL") => crate::engine::HealthFlags {
                    cmd: Some(test[1..].join(" ")),
                    interval: nanos_to_duration(h.interval),
                    timeout: nanos_to_duration(h.timeout),
                    start_period: nanos_to_duration(h.start_period),
                    retries: (h.retries > 0).then_some(h.retries),
                    none: false,
                },
                Some("CMD") => crate::engine::HealthFlags {
                    cmd: Some(
                        test[1..]
                            .iter()
                            .map(|w| sh_word(w))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                    interval: nanos_to_duration(h.interval),
                    timeout: nanos_to_duration(h.timeout),
                    start_period: nanos_to_duration(h.start_period),
                    retries: (h.retries > 0).then_some(h.retries),
                    none: false,
                },
                _ => Default::default(),
            }
        }
    };
    let positive = |v: i64| (v > 0).then_some(v);
    let limits = crate::container::Limits {
        ulimits: hc
            .ulimits
            .unwrap_or_default()
            .into_iter()
            .map(|u| format!("{}={}:{}", u.name, u.soft, u.hard))
            .collect(),
        read_only: hc.readonly_rootfs,
        tmpfs: hc.tmpfs.unwrap_or_default(),
        shm_size: (hc.shm_size > 0).then_some(hc.shm_size as u64),
        sysctls: hc.sysctls.unwrap_or_default(),
        oom_score_adj: (hc.oom_score_adj != 0).then_some(hc.oom_score_adj),
        memory: positive(hc.memory),
        memory_swap: (hc.memory_swap != 0).then_some(hc.memory_swap),
        memory_reservation: positive(hc.memory_reservation),
        nano_cpus: positive(hc.nano_cpus),
        cpu_shares: (hc.cpu_shares > 0).then_some(hc.cpu_shares as u64),
        cpu_period: (hc.cpu_period > 0).then_some(hc.cpu_period as u64),
        cpu_quota: positive(hc.cpu_quota),
        cpuset_cpus: Some(hc.cpuset_cpus).filter(|c| !c.is_empty()),
        pids_limit: hc.pids_limit.filter(|p| *p > 0),
    };
    Ok(RunRequest {
        image: body.image,
        // A missing image is the client's to pull (a 404 "No such image").
        pull: PullPolicy::Never,
        cmd,
        entrypoint,
        name: name.filter(|n| !n.is_empty()),
        env: body.env.unwrap_or_default(),
        workdir: Some(body.working_dir).filter(|w| !w.is_empty()),
        user: Some(body.user).filter(|u| !u.is_empty()),
        hostname: Some(body.hostname).filter(|h| !h.is_empty()),
        volumes,
        volumes_from: hc.volumes_from.unwrap_or_default(),
        network,
        network_aliases: aliases,
        ip,
        publish,
        publish_all: hc.publish_all_ports,
        dns: hc.dns.unwrap_or_default(),
        add_hosts: hc.extra_hosts.unwrap_or_default(),
        tty: body.tty,
        interactive: body.open_stdin,
        rm: hc.auto_remove,
        build_step: false,
        restart,
        init: hc.init.unwrap_or(false),
        security: crate::engine::SecurityRequest {
            cap_add: hc.cap_add.unwrap_or_default(),
            cap_drop: hc.cap_drop.unwrap_or_default(),
            privileged: hc.privileged,
            security_opt: hc.security_opt.unwrap_or_default(),
            devices: hc
                .devices
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    let inside = if d.path_in_container.is_empty() {
                        d.path_on_host.clone()
                    } else {
                        d.path_in_container
                    };
                    let perms = if d.cgroup_permissions.is_empty() {
                        "rwm".to_string()
                    } else {
                        d.cgroup_permissions
                    };
                    format!("{}:{inside}:{perms}", d.path_on_host)
                })
                .collect(),
        },
        labels: body
            .labels
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect(),
        stop_signal: body.stop_signal.filter(|s| !s.is_empty()),
        stop_timeout: body.stop_timeout,
        health,
        expose: body.exposed_ports.unwrap_or_default().into_keys().collect(),
        limits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_s_create_body_becomes_a_run_request() {
        let body: CreateBody = serde_json::from_str(
            r#"{"Image":"bb","Cmd":["echo","hi"],"Entrypoint":["/bin/sh","-c"],"Env":["A=b"],"Tty":true,
                "OpenStdin":true,"Labels":{"k":"v"},"ExposedPorts":{"80/tcp":{}},
                "HostConfig":{"AutoRemove":true,"NetworkMode":"app","Binds":["/tmp:/h:ro"],
                  "PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}],"81/tcp":[{"HostIp":"127.0.0.1","HostPort":""}]},
                  "RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3},"Memory":1048576,"PidsLimit":0,
                  "Mounts":[{"Type":"volume","Source":"data","Target":"/data"}]},
                "NetworkingConfig":{"EndpointsConfig":{"app":{"Aliases":["db"],"IPAMConfig":{"IPv4Address":"10.9.0.5"}}}}}"#,
        )
        .unwrap();
        let r = request(body, Some("web".into())).unwrap();
        assert_eq!(r.image, "bb");
        assert_eq!(r.entrypoint.as_deref(), Some("/bin/sh"));
        assert_eq!(r.cmd, vec!["-c", "echo", "hi"]);
        assert_eq!(r.name.as_deref(), Some("web"));
        assert!(r.tty && r.interactive && r.rm);
        assert_eq!(r.network, "app");
        assert_eq!(r.network_aliases, vec!["db"]);
        assert_eq!(r.ip.as_deref(), Some("10.9.0.5"));
        assert_eq!(r.publish, vec!["8080:80/tcp", "127.0.0.1::81/tcp"]);
        assert_eq!(r.restart.as_deref(), Some("on-failure:3"));
        assert_eq!(r.limits.memory, Some(1048576));
        assert_eq!(r.limits.pids_limit, None);
        assert_eq!(r.volumes.len(), 2);
        assert_eq!(r.labels, vec!["k=v"]);
        assert_eq!(r.expose, vec!["80/tcp"]);
        assert_eq!(r.pull, PullPolicy::Never);
    }

    #[test]
    fn docker_py_s_sparse_body_is_enough_and_a_missing_image_is_refused() {
        let body: CreateBody = serde_json::from_str(
            r#"{"Image":"bb","Cmd":"true","HostConfig":{"NetworkMode":"default"}}"#,
        )
        .unwrap();
        let r = request(body, None).unwrap();
        assert_eq!(r.cmd, vec!["true"]);
        assert_eq!(r.network, "bridge");
        assert!(request(CreateBody::default(), None).is_err());
    }
}
