//! `commit` and `diff`: a container's upper dir becomes an image layer.
//!
//! commit = (freeze if running) -> pack the upper dir: hash its canonical
//! tar and copy it into a new layer dir in one pass -> thaw -> the new config
//! (the container's config, then `--change`s, then a history entry) -> image
//! id -> tag. A crash at any point leaves no config without its layers and
//! no tag pointing nowhere: the layer is in place before the config, and
//! the config before the tag.

use super::{Engine, Error, Result};
use crate::build::{apply_config, ConfigState};
use crate::container::Status;
use crate::image::{History, Reference};
use crate::runtime;
use crate::util::time;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// What `commit` is asked.
#[derive(Debug, Clone, Default)]
pub struct CommitRequest {
    pub container: String,
    pub reference: Option<String>,
    pub changes: Vec<String>,
    pub message: Option<String>,
    pub author: Option<String>,
    pub pause: bool,
}

/// Thaws a frozen container when dropped, whatever happens in between.
struct Frozen<'a>(&'a str);

impl Drop for Frozen<'_> {
    fn drop(&mut self) {
        let _ = runtime::cgroup::thaw(self.0);
    }
}

impl Engine {
    /// `commit`: returns the new image id.
    pub fn commit(&self, req: &CommitRequest) -> Result<String> {
        // Everything that can be refused is refused before any byte is written.
        let reference = match &req.reference {
            Some(r) => Some(Reference::parse_tagged(r).map_err(|e| Error::Invalid(e.0))?),
            None => None,
        };
        let changes =
            crate::dockerfile::parse_changes(&req.changes).map_err(|e| Error::Invalid(e.0))?;
        let id = self.containers.resolve(&req.container)?;
        let rec = self.containers.record(&id)?;
        let mut state = ConfigState::new(rec.config.clone());
        for c in &changes {
            apply_config(&mut state, c).map_err(|e| Error::Invalid(e.0))?;
        }
        let parent = self.images.config(&rec.image_id).ok();

        let _lock = self.containers.lock(&id)?;
        let running = self.containers.state(&id)?.status == Status::Running;
        let _frozen = if running && req.pause {
            runtime::cgroup::freeze(&id).map_err(|err| Error::Io {
                what: format!("cannot pause container {} for the commit (use --pause=false to commit it running)", &id[..12]),
                err,
            })?;
            Some(Frozen(&id))
        } else {
            None
        };
        let parent_chain = rec.layers.last().cloned();
        let upper = self.containers.dir(&id).join("upper");
        let mut crash_hook = crash_hook();
        let layer = self
            .images
            .commit_layer(&upper, parent_chain.as_deref(), &mut crash_hook)?;
        drop(_frozen);

        let now = time::rfc3339(time::now_nanos());
        let mut config = parent.clone().unwrap_or_default();
        if config.architecture.is_empty() {
            config.architecture = super::import::arch().into();
            config.os = "linux".into();
        }
        config.created = Some(now.clone());
        config.author = req.author.clone();
        config.config = state.config;
        let created_by = std::iter::once(rec.path.as_str())
            .chain(rec.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        config.history.push(History {
            created: Some(now),
            created_by: Some(created_by),
            author: req.author.clone(),
            comment: req.message.clone(),
            empty_layer: layer.is_none(),
        });
        if let Some(l) = &layer {
            config.rootfs.diff_ids.push(l.diff_id.clone());
        }
        config.rootfs.kind = "layers".into();
        let image_id = self.images.put_config(&config.to_bytes())?;
        self.images.set_parent(&image_id, &rec.image_id)?;
        if let Some(r) = reference {
            let _guard = self.images.lock()?;
            self.images.set_tag(&r, &image_id)?;
        }
        Ok(image_id)
    }

    /// `diff`: docker's `A`/`C`/`D` lines, read from the upper dir only.
    pub fn diff(&self, name: &str) -> Result<Vec<(char, String)>> {
        let id = self.containers.resolve(name)?;
        let rec = self.containers.record(&id)?;
        let upper = self.containers.dir(&id).join("upper");
        let lowers: Vec<std::path::PathBuf> = rec
            .layers
            .iter()
            .rev()
            .map(|c| self.images.layer_diff(c))
            .collect();
        let mut out = Vec::new();
        walk_changes(&upper, Path::new("/"), &lowers, &mut out)?;
        Ok(out)
    }
}

/// Test hook: `STRATA_TEST_KILL_AFTER_ENTRIES=N` kills this process (as
/// `kill -9` would) after N entries of a commit, to test crash safety.
fn crash_hook() -> impl FnMut(u64) {
    let limit: Option<u64> = std::env::var("STRATA_TEST_KILL_AFTER_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok());
    move |n| {
        if Some(n) == limit {
            let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
        }
    }
}

/// Whether `rel` exists in the image below (layers uppermost first),
/// honouring whiteouts and opaque directories on the way down.
fn in_lower(lowers: &[std::path::PathBuf], rel: &Path) -> bool {
    for layer in lowers {
        let p = layer.join(rel);
        if let Ok(md) = std::fs::symlink_metadata(&p) {
            return !(md.file_type().is_char_device() && md.rdev() == 0);
        }
        // An opaque ancestor in this layer hides everything below it.
        let mut a = rel.parent();
        while let Some(dir) = a {
            if dir.as_os_str().is_empty() {
                break;
            }
            if xattr::get(layer.join(dir), "trusted.overlay.opaque")
                .ok()
                .flatten()
                .is_some_and(|v| v == b"y")
            {
                return false;
            }
            a = dir.parent();
        }
    }
    false
}

fn walk_changes(
    upper: &Path,
    rel: &Path,
    lowers: &[std::path::PathBuf],
    out: &mut Vec<(char, String)>,
) -> Result<()> {
    let dir = upper.join(rel.strip_prefix("/").unwrap_or(rel));
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|err| Error::Io {
            what: format!("read {}", dir.display()),
            err,
        })?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    names.sort();
    for n in names {
        let path = rel.join(&n);
        let inner = path.strip_prefix("/").unwrap_or(&path);
        let Ok(md) = std::fs::symlink_metadata(upper.join(inner)) else {
            continue;
        };
        let shown = path.display().to_string();
        if md.file_type().is_char_device() && md.rdev() == 0 {
            out.push(('D', shown));
            continue;
        }
        let kind = if in_lower(lowers, inner) { 'C' } else { 'A' };
        out.push((kind, shown));
        if md.is_dir() {
            walk_changes(upper, &path, lowers, out)?;
        }
    }
    Ok(())
}
