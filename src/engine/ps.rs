//! `ps`: container records joined with their live state.

use super::{short_id, Engine, Result};
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
    /// The image's exposed ports (`80/tcp`), published or not.
    pub exposed: Vec<String>,
}

impl Engine {
    /// Containers, newest first; only running ones unless `all`.
    pub fn ps(&self, all: bool, with_size: bool) -> Result<Vec<PsEntry>> {
        let mut out = Vec::new();
        for id in self.containers.ids()? {
            let (Ok(rec), Ok(state)) = (self.containers.record(&id), self.containers.state(&id))
            else {
                continue;
            };
            if !all && state.status != Status::Running {
                continue;
            }
            // docker shows the image's short id once its tag has moved on.
            let image = match self.images.resolve(&rec.image) {
                Ok(cur) if cur == rec.image_id && !rec.image.starts_with("sha256:") => {
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
            let size_rw = with_size
                .then(|| crate::util::fsx::tree_size(&self.containers.dir(&id).join("upper")));
            out.push(PsEntry {
                id,
                image,
                command,
                created: time::parse_rfc3339(&rec.created).unwrap_or(0),
                state,
                name: rec.name,
                size_rw,
                exposed: rec
                    .config
                    .exposed_ports
                    .iter()
                    .flat_map(|m| m.keys().cloned())
                    .collect(),
            });
        }
        out.sort_by_key(|e| std::cmp::Reverse(e.created));
        Ok(out)
    }

    /// `port`: a container's name and its published ports while it runs.
    pub fn port(&self, container: &str) -> Result<(String, Vec<crate::oci::PortBinding>)> {
        let id = self.containers.resolve(container)?;
        let rec = self.containers.record(&id)?;
        let state = self.containers.state(&id)?;
        let ports = if state.status == Status::Running {
            state.ports
        } else {
            Vec::new()
        };
        Ok((rec.name, ports))
    }
}
