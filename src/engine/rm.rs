//! `rm` and `container prune`.

use super::{Engine, Error, Result};
use std::time::{Duration, Instant};

impl Engine {
    /// Removes a container; a running one only with `force`, which kills it
    /// first. Returns the container id.
    pub fn rm(&self, name: &str, force: bool) -> Result<String> {
        self.rm_with(name, force, false)
    }

    /// `rm [-f] [-v]`: with `volumes`, the container's anonymous volumes
    /// go too (named ones stay, as docker's do).
    pub fn rm_with(&self, name: &str, force: bool, volumes: bool) -> Result<String> {
        let id = self.containers.resolve(name)?;
        let st = self.containers.state(&id)?;
        if !st.can_remove(false) {
            if !st.can_remove(force) {
                return Err(Error::Conflict(format!(
                    "cannot remove container \"{name}\": container is running: stop the container before removing or force remove"
                )));
            }
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(st.pid),
                nix::sys::signal::Signal::SIGKILL,
            );
            // Wait until the process is really gone (its supervisor reaps it).
            let deadline = Instant::now() + Duration::from_secs(10);
            while crate::container::state::is_alive(st.pid, st.pid_start)
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        let _guard = self.containers.lock(&id)?;
        // A commit cut short finishes first, so its layer is not orphaned.
        let _ = self.repair(&id);
        let rec = self.containers.record(&id).ok();
        self.container_event(&id, "destroy", &[]);
        self.containers.remove(&id)?;
        crate::runtime::cgroup::remove(&id);
        if let (true, Some(rec)) = (volumes, rec) {
            self.remove_anonymous_volumes(&rec);
        }
        Ok(id)
    }

    /// `rename OLD NEW`.
    pub fn rename(&self, name: &str, new: &str) -> Result<()> {
        let id = self.containers.resolve(name)?;
        let _guard = self.containers.lock(&id)?;
        let rec = self.containers.record(&id)?;
        if rec.name == new {
            return Err(Error::Invalid(
                "Renaming a container with the same name as its current name".into(),
            ));
        }
        self.containers.rename(&id, new)?;
        let old = format!("/{}", rec.name);
        self.container_event(&id, "rename", &[("oldName", &old)]);
        Ok(())
    }

    /// Removes every stopped container; returns their ids and the bytes freed.
    pub fn prune_containers(&self, filter: &super::PruneFilter) -> Result<(Vec<String>, u64)> {
        self.sweep();
        let mut removed = Vec::new();
        let mut freed = 0;
        for id in self.containers.ids()? {
            let Ok(st) = self.containers.state(&id) else {
                continue;
            };
            if st.is_running() {
                continue;
            }
            if let Ok(rec) = self.containers.record(&id) {
                let created = crate::util::time::parse_rfc3339(&rec.created);
                if !filter.matches(created, &rec.config.labels.unwrap_or_default()) {
                    continue;
                }
            }
            freed += crate::util::fsx::tree_size(&self.containers.dir(&id).join("upper"));
            let _guard = self.containers.lock(&id)?;
            self.container_event(&id, "destroy", &[]);
            self.containers.remove(&id)?;
            crate::runtime::cgroup::remove(&id);
            removed.push(id);
        }
        Ok((removed, freed))
    }
}
