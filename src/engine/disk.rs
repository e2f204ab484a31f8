//! `system df` (what the store holds, and what could go) and `system
//! prune` (containers, networks, images, build cache and, if asked,
//! volumes, in docker's order).

use super::{Engine, Result};
use std::collections::{BTreeMap, HashSet};

/// One row of `system df`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DfRow {
    pub kind: &'static str,
    pub total: usize,
    pub active: usize,
    pub size: u64,
    pub reclaimable: u64,
}

/// `system df -v`'s details.
#[derive(Debug, Clone, Default)]
pub struct DfDetail {
    /// (repository:tag or <none>, id, size, containers using it)
    pub images: Vec<(String, String, String, u64, usize)>,
    /// (id, image, name, size, status)
    pub containers: Vec<(String, String, String, u64, String)>,
    /// (name, links, size)
    pub volumes: Vec<(String, usize, u64)>,
    pub build_cache: (usize, u64),
}

/// What `system prune` removed.
#[derive(Debug, Clone, Default)]
pub struct Pruned {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
    pub images: Vec<String>,
    pub build_cache: usize,
    pub freed: u64,
}

impl Engine {
    fn build_cache_entries(&self) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(self.images.root().join("buildcache"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect()
    }

    /// `system df`: images, containers, local volumes, build cache.
    pub fn disk_usage(&self) -> Result<(Vec<DfRow>, DfDetail)> {
        let mut detail = DfDetail::default();
        // Containers, and the images they use.
        let mut used_images: BTreeMap<String, usize> = BTreeMap::new();
        let mut crow = DfRow {
            kind: "Containers",
            ..Default::default()
        };
        for id in self.containers.ids()? {
            let (Ok(rec), Ok(st)) = (self.containers.record(&id), self.containers.state(&id))
            else {
                continue;
            };
            if rec.creator.is_some() {
                continue; // a build step
            }
            *used_images.entry(rec.image_id.clone()).or_default() += 1;
            let size = crate::util::fsx::tree_size(&self.containers.dir(&id).join("upper"));
            crow.total += 1;
            crow.size += size;
            let running = st.is_running();
            if running {
                crow.active += 1;
            } else {
                crow.reclaimable += size;
            }
            detail.containers.push((
                id[..12].to_string(),
                rec.image.clone(),
                rec.name.clone(),
                size,
                if running {
                    "Up".into()
                } else {
                    format!("Exited ({})", st.exit_code)
                },
            ));
        }
        // Images: layers counted once; reclaimable is what no container's
        // image needs.
        let rows = self.images(false)?;
        let mut seen_ids = HashSet::new();
        let mut irow = DfRow {
            kind: "Images",
            ..Default::default()
        };
        let mut needed_layers: HashSet<String> = HashSet::new();
        let mut all_layers: HashSet<String> = HashSet::new();
        for r in &rows {
            let config = self.images.config(&r.id)?;
            let chain = crate::image::ImageStore::chain_ids(&config);
            all_layers.extend(chain.iter().cloned());
            let users = used_images.get(&r.id).copied().unwrap_or(0);
            if users > 0 {
                needed_layers.extend(chain.iter().cloned());
            }
            let name = match (&r.repository, &r.tag) {
                (Some(repo), Some(tag)) => format!("{repo}:{tag}"),
                _ => "<none>:<none>".into(),
            };
            detail
                .images
                .push((name, r.id.clone(), String::new(), r.size, users));
            if seen_ids.insert(r.id.clone()) {
                irow.total += 1;
                if users > 0 {
                    irow.active += 1;
                }
            }
        }
        let layer_size = |c: &String| self.images.layer(c).map(|l| l.size).unwrap_or(0);
        irow.size = all_layers.iter().map(layer_size).sum();
        irow.reclaimable = all_layers
            .iter()
            .filter(|c| !needed_layers.contains(*c))
            .map(layer_size)
            .sum();
        // Volumes.
        let mut vrow = DfRow {
            kind: "Local Volumes",
            ..Default::default()
        };
        for (v, users) in self.volume_list()? {
            let size = self.volumes.size(&v.name);
            vrow.total += 1;
            vrow.size += size;
            if users > 0 {
                vrow.active += 1;
            } else {
                vrow.reclaimable += size;
            }
            detail.volumes.push((v.name, users, size));
        }
        let cache = self.build_cache_entries();
        detail.build_cache = (cache.len(), 0);
        let brow = DfRow {
            kind: "Build Cache",
            total: cache.len(),
            ..Default::default()
        };
        Ok((vec![irow, crow, vrow, brow], detail))
    }

    /// `system prune`: stopped containers, unused networks, dangling (or
    /// with `all`, unused) images, the build cache, and with `volumes`
    /// unused anonymous volumes.
    pub fn system_prune(
        &self,
        all: bool,
        volumes: bool,
        filter: &super::PruneFilter,
    ) -> Result<Pruned> {
        let mut p = Pruned::default();
        let (c, freed) = self.prune_containers(filter)?;
        p.containers = c;
        p.freed += freed;
        p.networks = self.network_prune(filter)?;
        if volumes {
            let (v, freed) = self.volume_prune(false, filter)?;
            p.volumes = v;
            p.freed += freed;
        }
        let (i, freed) = self.prune_images(all, filter)?;
        p.images = i;
        p.freed += freed;
        p.build_cache = self.prune_build_cache().len();
        Ok(p)
    }

    /// The build cache's entries (the images stay: they are the store's),
    /// and its notes; the entries that went, by name.
    pub fn prune_build_cache(&self) -> Vec<String> {
        let mut gone = Vec::new();
        for e in self.build_cache_entries() {
            if std::fs::remove_file(&e).is_ok() {
                gone.extend(e.file_name().map(|n| n.to_string_lossy().into_owned()));
            }
        }
        let _ = std::fs::remove_dir_all(self.images.root().join("buildcache").join("notes"));
        gone
    }
}
