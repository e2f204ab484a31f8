//! `ps`: container records joined with their live state.

use super::{short_id, Engine, Error, Result};
use crate::container::{State, Status};
use crate::util::time;

/// One container as `ps` shows it (formatting is the CLI's).
#[derive(Debug, Clone)]
pub struct PsEntry {
    pub id: String,
    pub image: String,
    pub command: String,
    pub created: i128,
    pub state: State,
    pub name: String,
    pub size_rw: Option<u64>,
    /// With `-s`: the container's own bytes plus its image's (docker's
    /// "virtual" size).
    pub size_root_fs: Option<u64>,
    /// The image's exposed ports (`80/tcp`), published or not.
    pub exposed: Vec<String>,
    /// The container's labels (the image's and `--label`s).
    pub labels: std::collections::BTreeMap<String, String>,
    /// Its health check's status (`starting`, `healthy`, `unhealthy`)
    /// while it runs with one.
    pub health: Option<String>,
}

impl PsEntry {
    /// docker's STATUS column.
    pub fn status_text(&self) -> String {
        let e = self;
        let ago = |t: &Option<String>| {
            t.as_deref()
                .and_then(time::parse_rfc3339)
                .map(|n| time::human_duration(time::since(n)))
                .unwrap_or_else(|| "Less than a second".into())
        };
        match e.state.status {
            Status::Created => "Created".into(),
            Status::Running if e.state.paused => {
                format!("Up {} (Paused)", ago(&e.state.started_at))
            }
            Status::Running => {
                let health = match e.health.as_deref() {
                    Some("starting") => " (health: starting)".to_string(),
                    Some(h) => format!(" ({h})"),
                    None => String::new(),
                };
                format!("Up {}{health}", ago(&e.state.started_at))
            }
            Status::Exited => format!(
                "Exited ({}) {} ago",
                e.state.exit_code,
                ago(&e.state.finished_at)
            ),
        }
    }
}

/// `ps --filter KEY=VALUE`: values of one key are alternatives, keys must
/// all match (docker's rule).
#[derive(Debug, Clone, Default)]
pub struct PsFilter {
    status: Vec<String>,
    name: Vec<String>,
    id: Vec<String>,
    /// Image ids the `ancestor=` values resolve to.
    ancestor: Vec<String>,
    exited: Vec<i32>,
    /// `label=KEY` or `label=KEY=VALUE`: all must match.
    label: Vec<(String, Option<String>)>,
    /// Created before / after this container (its creation time).
    before: Option<i128>,
    since: Option<i128>,
    /// `publish=PORT[/PROTO]` (a published container port), `expose=` (an
    /// exposed one).
    publish: Vec<String>,
    expose: Vec<String>,
    /// `health=starting|healthy|unhealthy|none`.
    health: Vec<String>,
}

impl PsFilter {
    /// Whether a status filter is set (it implies `-a`, as docker's does).
    pub fn has_status(&self) -> bool {
        !self.status.is_empty() || !self.exited.is_empty()
    }

    fn matches(&self, e: &PsEntry, image_id: &str) -> bool {
        let status = match e.state.status {
            Status::Running if e.state.paused => "paused",
            s => s.as_str(),
        };
        (self.status.is_empty() || self.status.iter().any(|s| s == status))
            && (self.name.is_empty() || self.name.iter().any(|n| e.name.contains(n.as_str())))
            && (self.id.is_empty() || self.id.iter().any(|i| e.id.starts_with(i.as_str())))
            && (self.ancestor.is_empty() || self.ancestor.iter().any(|a| a == image_id))
            && (self.exited.is_empty()
                || (e.state.status == Status::Exited && self.exited.contains(&e.state.exit_code)))
            && self.before.is_none_or(|t| e.created < t)
            && self.since.is_none_or(|t| e.created > t)
            && (self.publish.is_empty()
                || self.publish.iter().any(|p| {
                    e.state.ports.iter().any(|b| {
                        let port = format!("{}/{}", b.container_port, b.proto);
                        *p == port
                            || *p == b.container_port.to_string()
                            || *p == b.host_port.to_string()
                    })
                }))
            && (self.expose.is_empty()
                || self.expose.iter().any(|p| {
                    e.exposed
                        .iter()
                        .any(|x| x == p || x.split('/').next() == Some(p.as_str()))
                }))
            && (self.health.is_empty()
                || self
                    .health
                    .iter()
                    .any(|h| e.health.as_deref().unwrap_or("none") == h))
            && self.label.iter().all(|(k, v)| match (e.labels.get(k), v) {
                (Some(have), Some(want)) => have == want,
                (Some(_), None) => true,
                (None, _) => false,
            })
    }
}

/// The part of a container's record `ps` shows; the rest of the record
/// (mounts, limits, security, networks) is skipped, not parsed.
#[derive(serde::Deserialize)]
struct Listed {
    name: String,
    created: String,
    image: String,
    image_id: String,
    path: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    config: ListedConfig,
}

#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedConfig {
    #[serde(default)]
    exposed_ports: Option<std::collections::BTreeMap<String, serde::de::IgnoredAny>>,
    #[serde(default)]
    labels: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    healthcheck: Option<serde_json::Value>,
}

impl Engine {
    /// Parses `--filter` values: status, name, id, ancestor, exited.
    pub fn ps_filter(&self, specs: &[String]) -> Result<PsFilter> {
        let mut f = PsFilter::default();
        for spec in specs {
            let (k, v) = spec.split_once('=').ok_or_else(|| {
                Error::Invalid(format!(
                    "bad format of filter (expected name=value): {spec}"
                ))
            })?;
            match k {
                "status" => {
                    if ![
                        "created",
                        "running",
                        "paused",
                        "exited",
                        "restarting",
                        "removing",
                        "dead",
                    ]
                    .contains(&v)
                    {
                        return Err(Error::Invalid(format!("Invalid filter 'status={v}'")));
                    }
                    f.status.push(v.to_string());
                }
                "name" => f.name.push(v.to_string()),
                "id" => f.id.push(v.to_string()),
                "ancestor" => f.ancestor.push(self.images.resolve(v).unwrap_or_default()),
                "label" => f.label.push(match v.split_once('=') {
                    Some((k, val)) => (k.to_string(), Some(val.to_string())),
                    None => (v.to_string(), None),
                }),
                "before" | "since" => {
                    let id = self.containers.resolve(v)?;
                    let t = time::parse_rfc3339(&self.containers.record(&id)?.created).unwrap_or(0);
                    if k == "before" {
                        f.before = Some(t);
                    } else {
                        f.since = Some(t);
                    }
                }
                "health" => {
                    if !["starting", "healthy", "unhealthy", "none"].contains(&v) {
                        return Err(Error::Invalid(format!(
                            "Unrecognised filter value for health: {v}"
                        )));
                    }
                    f.health.push(v.to_string());
                }
                "publish" => f.publish.push(v.to_string()),
                "expose" => f.expose.push(v.to_string()),
                "exited" => f.exited.push(
                    v.parse()
                        .map_err(|_| Error::Invalid(format!("Invalid filter 'exited={v}'")))?,
                ),
                other => return Err(Error::Invalid(format!("Invalid filter '{other}'"))),
            }
        }
        Ok(f)
    }

    /// Containers, newest first; only running ones unless `all`.
    pub fn ps(&self, all: bool, with_size: bool, filter: &PsFilter) -> Result<Vec<PsEntry>> {
        let all = all || filter.has_status();
        let mut out = Vec::new();
        // Each image name is resolved once (many containers share one).
        let mut resolved: std::collections::HashMap<String, Option<String>> =
            std::collections::HashMap::new();
        let mut resolve = self.images.resolver();
        let listing = self.containers.listing()?;
        for id in listing.ids()? {
            let Ok(Some((rec, state))) =
                listing.state_then_record::<Listed>(&id, |st| all || st.is_running())
            else {
                continue;
            };
            let image_id = rec.image_id.clone();
            // docker shows the image's short id once its tag has moved on.
            let current = resolved
                .entry(rec.image.clone())
                .or_insert_with(|| resolve(&rec.image).ok());
            let image = match current {
                Some(cur) if *cur == rec.image_id && !rec.image.starts_with("sha256:") => {
                    rec.image.clone()
                }
                _ => short_id(&rec.image_id),
            };
            // docker's daemon quotes arguments that hold spaces.
            let command = std::iter::once(rec.path.clone())
                .chain(rec.args.iter().map(|a| {
                    if a.contains(' ') {
                        format!("'{a}'")
                    } else {
                        a.clone()
                    }
                }))
                .collect::<Vec<_>>()
                .join(" ");
            let health = if state.is_running()
                && super::health::check_of(rec.config.healthcheck.as_ref()).is_some()
            {
                // Not checked yet: starting, as docker says from the start.
                Some(
                    super::health::read(&self.containers, &id)
                        .map(|h| h.status)
                        .unwrap_or_else(|| "starting".into()),
                )
            } else {
                None
            };
            let size_rw = with_size
                .then(|| crate::util::fsx::tree_size(&self.containers.dir(&id).join("upper")));
            let size_root_fs = size_rw.map(|rw| {
                rw + self
                    .images
                    .config(&rec.image_id)
                    .map(|c| self.images.size(&c))
                    .unwrap_or(0)
            });
            out.push(PsEntry {
                id,
                image,
                command,
                created: time::parse_rfc3339(&rec.created).unwrap_or(0),
                state,
                name: rec.name,
                size_rw,
                size_root_fs,
                exposed: rec
                    .config
                    .exposed_ports
                    .into_iter()
                    .flat_map(|m| m.into_keys())
                    .collect(),
                labels: rec.config.labels.unwrap_or_default(),
                health,
            });
            if !filter.matches(out.last().expect("just pushed"), &image_id) {
                out.pop();
            }
        }
        out.sort_by_key(|e| std::cmp::Reverse(e.created));
        Ok(out)
    }

    /// `port`: a container's name and its published ports while it runs.
    pub fn port(&self, container: &str) -> Result<(String, Vec<crate::oci::PortBinding>)> {
        let id = self.containers.resolve(container)?;
        let rec = self.containers.record(&id)?;
        let state = self.containers.state(&id)?;
        let ports = if state.is_running() {
            state.ports
        } else {
            Vec::new()
        };
        Ok((rec.name, ports))
    }
}
