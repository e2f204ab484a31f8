//! `images`, `tag`, `rmi`.

use super::{short_id, Engine, Error, Result};
use crate::image::{ImageStore, Reference};
use std::collections::{BTreeSet, HashSet};

/// One row of `images`: an image under one of its tags (or none).
#[derive(Debug, Clone)]
pub struct ImageRow {
    pub id: String,
    pub repository: Option<String>,
    pub tag: Option<String>,
    /// The manifest digest of this repository, when pulled or pushed.
    pub digest: Option<String>,
    /// Nanoseconds since the epoch, when the config says.
    pub created: Option<i128>,
    pub size: u64,
    /// The image config's labels.
    pub labels: std::collections::BTreeMap<String, String>,
    /// No tag and nothing built on it (`dangling=true`).
    pub dangling: bool,
}

/// What `rmi` did, line by line, in docker's words.
#[derive(Debug, Default)]
pub struct RmiOutcome {
    pub untagged: Vec<String>,
    pub deleted: Vec<String>,
}

impl Engine {
    /// Images, one row per tag, newest first. Without `all`, untagged
    /// images that other images were built on (intermediate) are hidden.
    pub fn images(&self, all: bool) -> Result<Vec<ImageRow>> {
        let mut rows = Vec::new();
        let list = self.images.summaries()?;
        let listed: BTreeSet<&str> = list.iter().map(|i| i.id.as_str()).collect();
        let parents: BTreeSet<String> = list
            .iter()
            .filter_map(|i| i.summary.parent.clone())
            .filter(|p| listed.contains(p.as_str()))
            .collect();
        for img in list {
            if !all && img.tags.is_empty() && parents.contains(&img.id) {
                continue;
            }
            let created = img
                .summary
                .created
                .as_deref()
                .and_then(crate::util::time::parse_rfc3339);
            let size = img.summary.size;
            let labels = img.summary.labels;
            let dangling =
                img.tags.is_empty() && img.digests.is_empty() && !parents.contains(&img.id);
            let digest_of = |repo: &str| {
                img.digests
                    .iter()
                    .find(|d| d.repository() == repo)
                    .and_then(|d| d.digest.clone())
            };
            if img.tags.is_empty() && img.digests.is_empty() {
                rows.push(ImageRow {
                    id: img.id.clone(),
                    repository: None,
                    tag: None,
                    digest: None,
                    created,
                    size,
                    labels: labels.clone(),
                    dangling,
                });
            }
            for t in &img.tags {
                rows.push(ImageRow {
                    id: img.id.clone(),
                    repository: Some(t.familiar_repository()),
                    tag: t.tag.clone(),
                    digest: digest_of(&t.repository()),
                    created,
                    size,
                    labels: labels.clone(),
                    dangling,
                });
            }
            // A repository known only by digest (pulled by digest).
            for d in &img.digests {
                if img.tags.iter().any(|t| t.repository() == d.repository()) {
                    continue;
                }
                rows.push(ImageRow {
                    id: img.id.clone(),
                    repository: Some(d.familiar_repository()),
                    tag: None,
                    digest: d.digest.clone(),
                    created,
                    size,
                    labels: labels.clone(),
                    dangling,
                });
            }
        }
        rows.sort_by(|a, b| {
            b.created
                .cmp(&a.created)
                .then_with(|| a.repository.cmp(&b.repository))
                .then_with(|| a.tag.cmp(&b.tag))
        });
        Ok(rows)
    }

    /// The creation time of an image (for `images --filter before=/since=`).
    pub fn image_created(&self, name: &str) -> Result<Option<i128>> {
        let id = self.images.resolve(name)?;
        Ok(self
            .images
            .config(&id)?
            .created
            .as_deref()
            .and_then(crate::util::time::parse_rfc3339))
    }

    /// `tag SRC DST`.
    pub fn tag(&self, source: &str, target: &str) -> Result<()> {
        let id = self.images.resolve(source)?;
        let r = Reference::parse_tagged(target).map_err(|e| Error::Invalid(e.0))?;
        if r.digest.is_some() {
            return Err(Error::Invalid(
                "refusing to create a tag with a digest reference".into(),
            ));
        }
        let _guard = self.images.lock()?;
        self.images.set_tag(&r, &id)?;
        self.event("image", "tag", &id, &[("name", &r.familiar())]);
        Ok(())
    }

    /// Containers (id, running?) created from image `id`.
    fn users_of(&self, id: &str) -> Result<Vec<(String, bool)>> {
        let mut out = Vec::new();
        for cid in self.containers.ids()? {
            let Ok(rec) = self.containers.record(&cid) else {
                continue;
            };
            if rec.image_id == id {
                let running = self
                    .containers
                    .state(&cid)
                    .map(|s| s.is_running())
                    .unwrap_or(false);
                out.push((cid, running));
            }
        }
        out.sort_by_key(|(_, running)| !running);
        Ok(out)
    }

    /// `rmi [-f] NAME`: untags, and deletes the image once nothing names it.
    /// `rmi`; `prune`: its untagged parents go too (not with `--no-prune`).
    pub fn rmi(&self, name: &str, force: bool) -> Result<RmiOutcome> {
        self.rmi_with(name, force, true)
    }

    /// docker's `untag` and `delete` events of an `rmi`.
    fn rmi_events(&self, out: &RmiOutcome) {
        for t in &out.untagged {
            self.event("image", "untag", t, &[("name", t)]);
        }
        for d in &out.deleted {
            self.event("image", "delete", d, &[("name", d)]);
        }
    }

    pub fn rmi_with(&self, name: &str, force: bool, prune: bool) -> Result<RmiOutcome> {
        let out = self.rmi_inner(name, force, prune)?;
        self.rmi_events(&out);
        Ok(out)
    }

    fn rmi_inner(&self, name: &str, force: bool, prune: bool) -> Result<RmiOutcome> {
        let id = self.images.resolve(name)?;
        let mut out = RmiOutcome::default();
        let by_reference = !is_id_like(name, &id);
        let tags = self.images.tags_of(&id)?;
        let digests = self.images.digests_of(&id)?;
        let users = self.users_of(&id)?;
        let _guard = self.images.lock()?;

        if by_reference {
            let r = Reference::parse_tagged(name).map_err(|e| Error::Invalid(e.0))?;
            // docker's rule: drop this reference; a tag that was the last
            // of its repository takes that repository's digests with it;
            // if any reference is left, that was all.
            let mut left: Vec<Reference> = tags
                .iter()
                .chain(digests.iter())
                .filter(|x| x.canonical() != r.canonical())
                .cloned()
                .collect();
            let mut also = Vec::new();
            if r.digest.is_none()
                && !left
                    .iter()
                    .any(|x| x.digest.is_none() && x.repository() == r.repository())
            {
                left.retain(|x| {
                    let same = x.digest.is_some() && x.repository() == r.repository();
                    if same {
                        also.push(x.clone());
                    }
                    !same
                });
            }
            if !left.is_empty() {
                self.images.remove_tag(&r)?;
                out.untagged.push(r.familiar());
                for d in also {
                    self.images.remove_tag(&d)?;
                    out.untagged.push(d.familiar());
                }
                return Ok(out);
            }
            if let Some((cid, running)) = users.first() {
                if *running || !force {
                    return Err(Error::Conflict(format!(
                        "conflict: unable to remove repository reference \"{name}\" (must force) - container {} is using its referenced image {}",
                        short_id(cid),
                        short_id(&id)
                    )));
                }
            }
            self.images.remove_tag(&r)?;
            out.untagged.push(r.familiar());
        } else {
            if tags.len() > 1 && !force {
                return Err(Error::Conflict(format!(
                    "conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                    short_id(&id)
                )));
            }
            if let Some((cid, running)) = users.first() {
                if *running {
                    return Err(Error::Conflict(format!(
                        "conflict: unable to delete {} (cannot be forced) - image is being used by running container {}",
                        short_id(&id),
                        short_id(cid)
                    )));
                }
                if !force {
                    return Err(Error::Conflict(format!(
                        "conflict: unable to delete {} (must be forced) - image is being used by stopped container {}",
                        short_id(&id),
                        short_id(cid)
                    )));
                }
            }
            for t in &tags {
                self.images.remove_tag(t)?;
                out.untagged.push(t.familiar());
            }
        }
        // Its digest references go with it, as docker says.
        for d in &digests {
            if !out.untagged.contains(&d.familiar()) {
                out.untagged.push(d.familiar());
            }
        }
        // Untagged now: delete the image, then its untagged parents that
        // nothing else uses (a build's intermediate images), then the
        // layers nothing uses.
        let before: HashSet<String> = ImageStore::chain_ids(&self.images.config(&id)?)
            .into_iter()
            .collect();
        let mut parent = self.images.parent(&id);
        super::commit::kill_point("rmi-untagged");
        // The journal of a deletion: until the collection below is done,
        // the next strata to open the store collects (a kill between the
        // config and the layers leaves no orphans for long).
        self.images.mark_gc_pending();
        self.images.remove_config(&id)?;
        super::commit::kill_point("rmi-config-removed");
        out.deleted.push(id.clone());
        if !prune {
            parent = None;
        }
        while let Some(p) = parent {
            let has_child = self
                .images
                .ids()?
                .iter()
                .any(|i| self.images.parent(i).as_deref() == Some(p.as_str()));
            if has_child || !self.images.tags_of(&p)?.is_empty() || !self.users_of(&p)?.is_empty() {
                break;
            }
            parent = self.images.parent(&p);
            self.images.remove_config(&p)?;
            out.deleted.push(p);
        }
        let mut kept = HashSet::new();
        let collected = self.images.gc_layers(|| {
            kept = self.layers_in_use()?;
            Ok::<_, super::Error>(kept.clone())
        })?;
        if collected {
            self.images.clear_gc_pending();
            let mut gone: Vec<String> = before.difference(&kept).cloned().collect();
            gone.sort();
            out.deleted.extend(gone);
        }
        Ok(out)
    }

    /// Removes every layer no image or container names (unless a writer
    /// holds a lease); clears the deletion journal when done.
    pub(super) fn collect_layers(&self) -> Result<()> {
        if self.images.gc_layers(|| self.layers_in_use())? {
            self.images.clear_gc_pending();
        }
        Ok(())
    }

    /// Chain ids used by any image or container.
    fn layers_in_use(&self) -> Result<HashSet<String>> {
        let mut keep = HashSet::new();
        for id in self.images.ids()? {
            if let Ok(c) = self.images.config(&id) {
                keep.extend(ImageStore::chain_ids(&c));
            }
        }
        for cid in self.containers.ids()? {
            if let Ok(rec) = self.containers.record(&cid) {
                keep.extend(rec.layers);
                // A layer being taken over by a commit in progress.
                keep.extend(rec.rebase);
            }
        }
        Ok(keep)
    }
}

/// True when `name` names the image by id rather than by reference.
fn is_id_like(name: &str, id: &str) -> bool {
    let hex = name.strip_prefix("sha256:").unwrap_or(name);
    crate::util::ids::is_hex(hex) && crate::util::hash::hex_part(id).starts_with(hex)
}

impl Engine {
    /// `image prune`: deletes dangling images (no tag, no digest, nothing
    /// built on them), or with `all` every image no container uses.
    /// Returns docker's lines (`untagged: …`, `deleted: sha256:…`) and the
    /// bytes of layer content freed.
    pub fn prune_images(
        &self,
        all: bool,
        filter: &super::PruneFilter,
    ) -> Result<(Vec<String>, u64)> {
        // Every layer in the store, named or not: orphans that a killed
        // rmi left are reclaimed here too.
        let layer_bytes = |e: &Engine| -> Result<u64> {
            Ok(e.images
                .layer_ids()?
                .iter()
                .map(|c| e.images.layer(c).map(|l| l.size).unwrap_or(0))
                .sum())
        };
        let before = layer_bytes(self)?;
        let mut lines = Vec::new();
        // Children first: a parent becomes dangling once its child is gone.
        loop {
            let list = self.images.list()?;
            let parents: HashSet<String> = list
                .iter()
                .filter_map(|i| self.images.parent(&i.id))
                .collect();
            let victim = list.iter().find(|i| {
                let unnamed = i.tags.is_empty() && i.digests.is_empty();
                (all || unnamed)
                    && !parents.contains(&i.id)
                    && filter.matches(
                        i.config
                            .created
                            .as_deref()
                            .and_then(crate::util::time::parse_rfc3339),
                        &i.config.config.labels.clone().unwrap_or_default(),
                    )
                    && self.users_of(&i.id).map(|u| u.is_empty()).unwrap_or(false)
            });
            let Some(v) = victim else { break };
            let out = self.rmi(&v.id, true)?;
            lines.extend(out.untagged.into_iter().map(|u| format!("untagged: {u}")));
            lines.extend(
                out.deleted
                    .into_iter()
                    .filter(|d| self.images.config(d).is_err())
                    .map(|d| format!("deleted: {d}")),
            );
        }
        // Layers nothing names (a kill -9 of rmi between its config and
        // its layers), collected whatever was deleted above.
        self.collect_layers()?;
        let after = layer_bytes(self)?;
        Ok((lines, before.saturating_sub(after)))
    }
}
