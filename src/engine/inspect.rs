//! `inspect`: docker-shaped JSON documents for images and containers.

use super::{Engine, Error, Result};
use crate::container;
use crate::image::{self, ImageStore};
use serde_json::{json, Value};

/// Which kinds of object `inspect` may look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectKind {
    Any,
    Image,
    Container,
}

impl Engine {
    /// The document for `name`: a container first, then an image (docker's order).
    /// `inspect -s`: a container's `SizeRw` (its own bytes) and
    /// `SizeRootFs` (with its image's), as docker adds them.
    /// `inspect --format '{{json .OCISpec}}'`: a container's runtime spec
    /// as an OCI runtime spec document (what `strata runtime` would take
    /// in a bundle), computed only when asked.
    pub fn add_oci_spec(&self, doc: &mut Value) {
        let Some(id) = doc.get("Id").and_then(Value::as_str).map(String::from) else {
            return;
        };
        let Ok(rec) = self.containers.record(&id) else {
            return;
        };
        if let Ok(spec) = self.spec_document(&rec) {
            doc["OCISpec"] = spec;
        }
    }

    pub fn add_sizes(&self, doc: &mut Value) {
        let Some(id) = doc.get("Id").and_then(Value::as_str).map(String::from) else {
            return;
        };
        let Ok(rec) = self.containers.record(&id) else {
            return;
        };
        let rw = crate::util::fsx::tree_size(&self.containers.dir(&id).join("upper"));
        let image = self
            .images
            .config(&rec.image_id)
            .map(|c| self.images.size(&c))
            .unwrap_or(0);
        if let Some(m) = doc.as_object_mut() {
            m.insert("SizeRw".into(), Value::from(rw));
            m.insert("SizeRootFs".into(), Value::from(rw + image));
        }
    }

    pub fn inspect(&self, name: &str, kind: InspectKind) -> Result<Value> {
        if kind != InspectKind::Image {
            match self.containers.resolve(name) {
                Ok(id) => return self.inspect_container(&id),
                Err(container::Error::NotFound(_)) if kind == InspectKind::Any => {}
                Err(e) => return Err(e.into()),
            }
        }
        match self.images.resolve(name) {
            Ok(id) => self.inspect_image(&id),
            Err(image::Error::NotFound(_)) if kind == InspectKind::Any => {
                Err(Error::Invalid(format!("No such object: {name}")))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn inspect_image(&self, id: &str) -> Result<Value> {
        let config = self.images.config(id)?;
        let tags: Vec<String> = self
            .images
            .tags_of(id)?
            .iter()
            .map(|r| r.familiar())
            .collect();
        let digests: Vec<String> = self
            .images
            .digests_of(id)?
            .iter()
            .map(|r| r.familiar())
            .collect();
        let chain = ImageStore::chain_ids(&config);
        let links_dir = self.images.links_dir();
        let dirs: Vec<String> = chain
            .iter()
            .rev()
            .filter_map(|c| self.images.layer_link(c).ok())
            .filter_map(|l| std::fs::canonicalize(links_dir.join(l)).ok())
            .map(|p| p.display().to_string())
            .collect();
        let comment = config
            .history
            .last()
            .and_then(|h| h.comment.clone())
            .unwrap_or_default();
        Ok(json!({
            "Id": id,
            "RepoTags": tags,
            "RepoDigests": digests,
            "Parent": "",
            "Comment": comment,
            "Created": config.created.clone().unwrap_or_default(),
            "DockerVersion": "",
            "Author": config.author.clone().unwrap_or_default(),
            "Config": config.config,
            "Architecture": config.architecture,
            "Os": config.os,
            "Size": self.images.size(&config),
            "GraphDriver": {
                "Name": "overlay",
                "Data": {
                    "LowerDir": dirs.iter().skip(1).cloned().collect::<Vec<_>>().join(":"),
                    "UpperDir": dirs.first().cloned().unwrap_or_default(),
                }
            },
            "RootFS": { "Type": "layers", "Layers": config.rootfs.diff_ids },
            "Metadata": { "LastTagTime": "0001-01-01T00:00:00Z" },
        }))
    }

    fn inspect_container(&self, id: &str) -> Result<Value> {
        let rec = self.containers.record(id)?;
        let st = self.containers.state(id)?;
        let dir = self.containers.dir(id);
        let zero = "0001-01-01T00:00:00Z".to_string();
        let mut config = serde_json::to_value(&rec.config).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut config {
            m.insert("Hostname".into(), json!(rec.hostname));
            m.insert("Tty".into(), json!(rec.tty));
            m.insert("OpenStdin".into(), json!(rec.open_stdin));
            m.insert("StdinOnce".into(), json!(rec.open_stdin));
            m.insert("AttachStdin".into(), json!(rec.open_stdin));
            m.insert("AttachStdout".into(), json!(true));
            m.insert("AttachStderr".into(), json!(true));
            m.insert("Image".into(), json!(rec.image));
        }
        let p = |f: &str| dir.join(f).display().to_string();
        Ok(json!({
            "Id": rec.id,
            "Created": rec.created,
            "Path": rec.path,
            "Args": rec.args,
            "State": {
                "Status": st.status.as_str(),
                "Running": st.is_running(),
                "Paused": st.is_paused(),
                "Restarting": false,
                "OOMKilled": st.oom_killed,
                "Dead": false,
                "Pid": st.pid,
                "ExitCode": st.exit_code,
                "Error": st.error,
                "StartedAt": st.started_at.clone().unwrap_or_else(|| zero.clone()),
                "FinishedAt": st.finished_at.clone().unwrap_or(zero),
                "Health": super::health::check_of(rec.config.healthcheck.as_ref())
                    .map(|_| {
                        super::health::read(&self.containers, &rec.id).unwrap_or(
                            super::health::Health {
                                status: "starting".into(),
                                ..Default::default()
                            },
                        )
                    })
                    .map(|h| serde_json::to_value(h).unwrap_or_default()),
            },
            "Image": rec.image_id,
            "ResolvConfPath": p("resolv.conf"),
            "HostnamePath": p("hostname"),
            "HostsPath": p("hosts"),
            "Name": format!("/{}", rec.name),
            "RestartCount": st.restart_count,
            "Driver": "overlay",
            "Platform": "linux",
            "HostConfig": {
                "Binds": rec.mounts.iter().map(|m| format!("{}:{}{}", m.source, m.destination, if m.rw { "" } else { ":ro" })).collect::<Vec<_>>(),
                "NetworkMode": if rec.network == "bridge" { "default" } else { rec.network.as_str() },
                "PortBindings": port_map(&rec.ports),
                "Dns": rec.dns,
                "ExtraHosts": rec.extra_hosts.iter().map(|(n, a)| format!("{n}:{a}")).collect::<Vec<_>>(),
                "AutoRemove": rec.auto_remove,
                "LogConfig": {"Type": "json-file", "Config": {}},
                "Privileged": rec.security.privileged,
                "CapAdd": rec.security.cap_add,
                "CapDrop": rec.security.cap_drop,
                "RestartPolicy": {
                    "Name": rec.restart.as_ref().map(|p| p.name.as_str()).unwrap_or("no"),
                    "MaximumRetryCount": rec.restart.as_ref().map(|p| p.max_retries).unwrap_or(0),
                },
                "Ulimits": ulimits(&rec.limits),
                "ReadonlyRootfs": rec.limits.read_only,
                "Tmpfs": if rec.limits.tmpfs.is_empty() { Value::Null } else { json!(rec.limits.tmpfs) },
                "ShmSize": rec.limits.shm_size.unwrap_or(64 << 20),
                "Sysctls": if rec.limits.sysctls.is_empty() { Value::Null } else { json!(rec.limits.sysctls) },
                "OomScoreAdj": rec.limits.oom_score_adj.unwrap_or(0),
                "Memory": rec.limits.memory.unwrap_or(0),
                "MemorySwap": rec.limits.memory_swap.unwrap_or(0),
                "MemoryReservation": rec.limits.memory_reservation.unwrap_or(0),
                "NanoCpus": rec.limits.nano_cpus.unwrap_or(0),
                "CpuShares": rec.limits.cpu_shares.unwrap_or(0),
                "CpuPeriod": rec.limits.cpu_period.unwrap_or(0),
                "CpuQuota": rec.limits.cpu_quota.unwrap_or(0),
                "CpusetCpus": rec.limits.cpuset_cpus.clone().unwrap_or_default(),
                "PidsLimit": rec.limits.pids_limit,
            },
            "GraphDriver": graph_driver(&rec, &st, &dir, &self.images),
            "Mounts": Engine::mounts_json(&rec),
            "Config": config,
            "NetworkSettings": network_settings(&rec, &st),
        }))
    }
}

/// docker's `GraphDriver`: the overlay's directories as the host sees
/// them. The lower layers are listed top first, as overlay's `lowerdir`
/// takes them. The merged root is mounted only inside the container's own
/// mount namespace, so the host reaches it as `/proc/PID/root` while the
/// container runs, and there is no merged directory when it does not.
fn graph_driver(
    rec: &container::Record,
    st: &container::State,
    dir: &std::path::Path,
    images: &ImageStore,
) -> Value {
    let p = |f: &str| dir.join(f).display().to_string();
    let lower: Vec<String> = rec
        .layers
        .iter()
        .rev()
        .map(|c| images.layer_diff(c).display().to_string())
        .collect();
    let mut data = serde_json::Map::new();
    if !lower.is_empty() {
        data.insert("LowerDir".into(), json!(lower.join(":")));
    }
    if st.is_running() && st.pid > 0 {
        data.insert("MergedDir".into(), json!(format!("/proc/{}/root", st.pid)));
    }
    data.insert("UpperDir".into(), json!(p("upper")));
    data.insert("WorkDir".into(), json!(p("work")));
    json!({ "Name": "overlay", "Data": data })
}

/// docker's `[{"Name":"nofile","Hard":512,"Soft":256}]` (-1 is unlimited).
fn ulimits(l: &container::Limits) -> Value {
    let n = |v: u64| if v == u64::MAX { -1 } else { v as i64 };
    Value::Array(
        l.ulimits
            .iter()
            .filter_map(|u| crate::runtime::limits::parse_ulimit(u).ok())
            .map(|r| {
                json!({
                    "Name": crate::runtime::limits::ulimit_name(r.resource),
                    "Hard": n(r.hard),
                    "Soft": n(r.soft),
                })
            })
            .collect(),
    )
}

/// docker's `{"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "18080"}]}`
/// (a host port of 0 is "" until the container runs).
fn port_map(ports: &[crate::oci::PortBinding]) -> Value {
    let mut m = serde_json::Map::new();
    for p in ports {
        let key = format!("{}/{}", p.container_port, p.proto);
        let entry = json!({
            "HostIp": p.host_ip,
            "HostPort": if p.host_port == 0 { String::new() } else { p.host_port.to_string() },
        });
        match m.get_mut(&key) {
            Some(Value::Array(a)) => a.push(entry),
            _ => {
                m.insert(key, json!([entry]));
            }
        }
    }
    Value::Object(m)
}

/// docker's NetworkSettings: the address and ports while running.
fn network_settings(rec: &container::Record, st: &container::State) -> Value {
    let running = st.is_running();
    let ip = if running {
        st.ip_address.clone()
    } else {
        String::new()
    };
    let mut networks = serde_json::Map::new();
    if rec.network == "bridge" || rec.network == "host" || rec.network == "none" {
        networks.insert(
            rec.network.clone(),
            json!({ "IPAddress": ip, "NetworkID": rec.network }),
        );
    } else {
        // A user network: its address, and the names it answers to there.
        let mut aliases = rec.network_aliases.clone();
        aliases.push(rec.id[..12].to_string());
        networks.insert(
            rec.network.clone(),
            json!({ "IPAddress": ip, "Aliases": aliases, "NetworkID": rec.network }),
        );
    }
    // The networks it joined besides (`--network` twice, `network connect`).
    {
        for e in &rec.extra_networks {
            let ip = if running {
                st.endpoints
                    .get(&e.network)
                    .map(|j| j.ip.clone())
                    .unwrap_or_default()
            } else {
                String::new()
            };
            let mut aliases = e.aliases.clone();
            aliases.push(rec.id[..12].to_string());
            networks.insert(
                e.network.clone(),
                json!({ "IPAddress": ip, "Aliases": aliases, "NetworkID": e.network }),
            );
        }
    }
    json!({
        "IPAddress": ip,
        "Ports": if running { port_map(&st.ports) } else { json!({}) },
        "Networks": networks,
    })
}
