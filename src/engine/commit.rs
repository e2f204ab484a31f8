//! `commit` and `diff`: a container's upper dir becomes an image layer.
//!
//! commit = the new layer -> the new config (the container's config, then
//! `--change`s, then a history entry) -> image id -> tag. The layer is in
//! place before the config and the config before the tag, so a crash leaves
//! no config without its layers and no tag pointing nowhere.
//!
//! The layer, two ways:
//! - a running container is frozen (cgroup freezer) and its upper dir is
//!   copied into the store while its canonical tar is hashed, in one pass;
//! - a stopped container's upper dir is hashed, then *renamed* into the
//!   store (no byte copied), and the container continues on top of that
//!   layer with a new, empty upper dir: the same file system.
//!
//! The rename is journaled in the container record (`rebase`), so that
//! `repair` can finish or undo it after a crash at any step:
//!   1. record.rebase = chain               (journal written)
//!   2. stage/layer.json, upper -> stage/diff  (Container::stage_upper)
//!   3. stage -> layers/<chain>             (ImageStore::adopt_staged_layer)
//!   4. new upper, layers += chain, rebase = None  (journal closed; not for
//!      a build step's container, removed next)

use super::{Engine, Error, Result};
use crate::build::{apply_config, ConfigState};
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

/// Thaws a frozen container when dropped, whatever happens in between;
/// then its journal goes.
pub(super) struct Frozen<'a> {
    id: &'a str,
    journal: std::path::PathBuf,
}

impl Drop for Frozen<'_> {
    fn drop(&mut self) {
        let _ = runtime::cgroup::thaw(self.id);
        let _ = std::fs::remove_file(&self.journal);
    }
}

/// The file that says who froze a container for a commit or an export.
const FROZEN_BY: &str = "frozen-by";

impl Engine {
    /// Freezes a running container for a commit or an export. Who froze
    /// it is recorded first (`frozen-by`: pid and start time), so that if
    /// this process is killed while it is frozen, the next command that
    /// touches the container (or the sweep) thaws it.
    pub(super) fn freeze_for_copy<'a>(&self, id: &'a str) -> std::io::Result<Frozen<'a>> {
        let me = std::process::id() as i32;
        let start = crate::container::state::proc_stat(me)
            .map(|(s, _)| s)
            .unwrap_or(0);
        let journal = self.containers.dir(id).join(FROZEN_BY);
        crate::util::fsx::replace(&journal, format!("{me} {start}\n").as_bytes())?;
        let frozen = Frozen { id, journal };
        runtime::cgroup::freeze(id)?;
        Ok(frozen)
    }

    /// Thaws container `id` if a commit or export froze it and died
    /// before it could thaw it. A pause of the user's stays.
    pub(super) fn thaw_abandoned(&self, id: &str) {
        let journal = self.containers.dir(id).join(FROZEN_BY);
        let Ok(text) = std::fs::read_to_string(&journal) else {
            return;
        };
        let mut it = text
            .split_whitespace()
            .map(|v| v.parse::<u64>().unwrap_or(0));
        let (pid, start) = (it.next().unwrap_or(0) as i32, it.next().unwrap_or(0));
        if pid > 0 && crate::container::state::is_alive(pid, start) {
            return;
        }
        let paused = self
            .containers
            .peek_state(id)
            .map(|s| s.paused)
            .unwrap_or(false);
        if !paused {
            let _ = runtime::cgroup::thaw(id);
        }
        let _ = std::fs::remove_file(&journal);
    }
}

impl Engine {
    /// `commit`: returns the new image id.
    pub fn commit(&self, req: &CommitRequest) -> Result<String> {
        let _lease = self.images.lease()?;
        // Everything that can be refused is refused before any byte is written.
        let reference = match &req.reference {
            Some(r) => Some(Reference::parse_tagged(r).map_err(|e| Error::Invalid(e.0))?),
            None => None,
        };
        let changes =
            crate::dockerfile::parse_changes(&req.changes).map_err(|e| Error::Invalid(e.0))?;
        let id = self.containers.resolve(&req.container)?;
        let rec0 = self.containers.record(&id)?;
        let mut state = ConfigState::new(rec0.config.clone());
        for c in &changes {
            apply_config(&mut state, c).map_err(|e| Error::Invalid(e.0))?;
        }

        let _lock = self.containers.lock(&id)?;
        let rec = self.repair(&id)?;
        let st = self.containers.state_locked(&id)?;
        let running = st.is_running();
        self.thaw_abandoned(&id);
        // A container the user paused is frozen already, and stays so.
        let _frozen = if running && req.pause && !st.paused {
            self.freeze_for_copy(&id).map_err(|err| Error::Io {
                what: format!("cannot pause container {} for the commit (use --pause=false to commit it running)", &id[..12]),
                err,
            })
            .map(Some)?
        } else {
            None
        };
        let parent_chain = rec.layers.last().cloned();
        let upper = self.containers.dir(&id).join("upper");
        let mut crash_hook = crash_hook();
        let layer = if running {
            self.images
                .commit_layer(&upper, parent_chain.as_deref(), &mut crash_hook)?
        } else {
            self.rebase_onto_new_layer(&rec, &mut crash_hook)?
        };
        drop(_frozen);

        // The image the container's file system now stands on: its own
        // image, or the last image committed from it (whose layers it uses).
        let base_id = rec.based_on.clone().unwrap_or_else(|| rec.image_id.clone());
        let parent = self.images.config(&base_id).ok();
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
        config.rootfs.kind = "layers".into();
        // The new image's layers are exactly the container's (its own
        // committed layers included), whatever the parent config lists.
        // (`rec` is the record from before the commit: the new layer is not in it.)
        let mut chain_now = rec.layers.clone();
        chain_now.extend(layer.iter().map(|l| l.chain_id.clone()));
        config.rootfs.diff_ids = chain_now
            .iter()
            .map(|c| self.images.layer(c).map(|l| l.diff_id))
            .collect::<std::result::Result<_, _>>()?;
        align_history(&mut config.history, config.rootfs.diff_ids.len());
        let image_id = self.images.put_config_on(&config.to_bytes(), &base_id)?;
        if !running && layer.is_some() {
            // Later commits of this container build on this image.
            let mut r = self.containers.record(&id)?;
            r.based_on = Some(image_id.clone());
            self.containers.set_record(&r)?;
        }
        if let Some(r) = reference {
            let _guard = self.images.lock()?;
            self.images.set_tag(&r, &image_id)?;
        }
        self.container_event(&id, "commit", &[("imageID", &image_id)]);
        Ok(image_id)
    }

    /// Turns a stopped container's upper dir into a layer by renaming it,
    /// and puts the container on top of it (see the module doc).
    pub(super) fn rebase_onto_new_layer(
        &self,
        rec: &crate::container::Record,
        hook: &mut dyn FnMut(u64),
    ) -> Result<Option<crate::image::Layer>> {
        let id = &rec.id;
        let upper = self.containers.dir(id).join("upper");
        let opts = crate::archive::PackOptions {
            overlay: true,
            copy_to: None,
            on_entry: Some(hook),
        };
        let packed = crate::archive::pack(&upper, std::io::sink(), opts)
            .map_err(crate::image::Error::Archive)?;
        if packed.entries == 0 {
            return Ok(None);
        }
        let mut layer = self.images.new_layer(
            &packed.digest,
            packed.size,
            rec.layers.last().map(String::as_str),
        );
        layer.tar_size = packed.tar_size;
        let mut journal = rec.clone();
        journal.rebase = Some(layer.chain_id.clone());
        self.containers.set_record(&journal)?;
        kill_point("journal");
        let stage = self
            .containers
            .stage_upper(id, &serde_json::to_vec_pretty(&layer).unwrap_or_default())?;
        kill_point("staged");
        let stored = self.images.adopt_staged_layer(&stage)?;
        kill_point("adopted");
        // A build step's container is removed next: no new upper dir and
        // no closed journal for it (were the builder killed first, its
        // container is swept with the builder gone).
        if rec.creator.is_none() {
            self.finish_rebase(&mut journal)?;
        }
        Ok(Some(stored))
    }

    fn finish_rebase(&self, rec: &mut crate::container::Record) -> Result<()> {
        let Some(chain) = rec.rebase.take() else {
            return Ok(());
        };
        self.containers.fresh_upper(&rec.id)?;
        if rec.layers.last() != Some(&chain) {
            rec.layers.push(chain);
            rec.committed_layers += 1;
        }
        self.containers.set_record(rec)?;
        Ok(())
    }

    /// Finishes or undoes a commit that a crash interrupted (the caller
    /// holds the container's lock); returns the record as it now is.
    pub(super) fn repair(&self, id: &str) -> Result<crate::container::Record> {
        let mut rec = self.containers.record(id)?;
        let Some(chain) = rec.rebase.clone() else {
            return Ok(rec);
        };
        let stage = self.containers.stage_dir(id);
        let upper = self.containers.dir(id).join("upper");
        if stage.join("diff").exists() {
            // Staged but not adopted: adopt it, then finish. A stage whose
            // layer.json a power cut took is undone: its diff is the upper
            // dir again, and the journal is forgotten below.
            match self.images.adopt_staged_layer(&stage) {
                Err(crate::image::Error::Damaged(_)) => {
                    std::fs::rename(stage.join("diff"), &upper).map_err(|err| Error::Io {
                        what: format!("rename {}", upper.display()),
                        err,
                    })?;
                }
                adopted => {
                    adopted?;
                    self.finish_rebase(&mut rec)?;
                    return Ok(rec);
                }
            }
        } else if !upper.exists() && self.images.layer(&chain).is_ok() {
            // Adopted, not finished.
            self.finish_rebase(&mut rec)?;
            return Ok(rec);
        }
        // The upper dir never moved (or is back): forget the journal.
        crate::util::fsx::remove_tree(&stage).ok();
        rec.rebase = None;
        self.containers.set_record(&rec)?;
        Ok(rec)
    }

    /// `diff`: docker's `A`/`C`/`D` lines against the container's image,
    /// read from its upper dir and its own committed layers only.
    pub fn diff(&self, name: &str) -> Result<Vec<(char, String)>> {
        let id = self.containers.resolve(name)?;
        let rec = {
            let _lock = self.containers.lock(&id)?;
            self.repair(&id)?
        };
        let image_count = rec.layers.len() - rec.committed_layers;
        let lowers: Vec<std::path::PathBuf> = rec.layers[..image_count]
            .iter()
            .rev()
            .map(|c| self.images.layer_diff(c))
            .collect();
        // The container's own change layers, oldest first, then its upper dir.
        let mut changes: Vec<std::path::PathBuf> = rec.layers[image_count..]
            .iter()
            .map(|c| self.images.layer_diff(c))
            .collect();
        changes.push(self.containers.dir(&id).join("upper"));
        changes_over(&changes, &lowers)
    }

    /// What an image's last step changed (`build -i`'s `.diff`): its top
    /// layer against the layers below, in `diff`'s `A`/`C`/`D` lines;
    /// `None` when the step made no layer.
    pub fn image_changes(&self, image: &str) -> Result<Option<Vec<(char, String)>>> {
        let config = self.images.config(image)?;
        if config.history.last().is_none_or(|h| h.empty_layer) {
            return Ok(None);
        }
        let chain = crate::image::ImageStore::chain_ids(&config);
        let Some((top, below)) = chain.split_last() else {
            return Ok(None);
        };
        let lowers: Vec<std::path::PathBuf> = below
            .iter()
            .rev()
            .map(|c| self.images.layer_diff(c))
            .collect();
        changes_over(&[self.images.layer_diff(top)], &lowers).map(Some)
    }
}

/// The `A`/`C`/`D` lines of change layers (oldest first) over `lowers`
/// (topmost first).
fn changes_over(
    changes: &[std::path::PathBuf],
    lowers: &[std::path::PathBuf],
) -> Result<Vec<(char, String)>> {
    let mut state: std::collections::BTreeMap<String, bool> = Default::default();
    for layer in changes {
        collect_changes(layer, Path::new("/"), &mut state)?;
    }
    let mut out = Vec::new();
    for (path, present) in state {
        let inner = Path::new(&path)
            .strip_prefix("/")
            .unwrap_or(Path::new(&path));
        let below = in_lower(lowers, inner);
        match (present, below) {
            (true, true) => out.push(('C', path)),
            (true, false) => out.push(('A', path)),
            (false, true) => out.push(('D', path)),
            (false, false) => {}
        }
    }
    Ok(out)
}

/// OCI tools reject an image whose non-empty history entries do not match
/// its layers one to one (moby `isEmptyLayer`, buildah `expectedOCIDiffIDs`).
/// When the parent's history is gone, stand-in entries keep them aligned.
fn align_history(history: &mut Vec<History>, layers: usize) {
    let have = history.iter().filter(|h| !h.empty_layer).count();
    for _ in have..layers {
        let at = history.len().saturating_sub(1);
        history.insert(
            at,
            History {
                comment: Some("history not available".into()),
                ..Default::default()
            },
        );
    }
}

/// Test hook: `STRATA_TEST_KILL_AT=<point>` kills this process (as `kill -9`
/// would) at a named step of a commit.
pub(super) fn kill_point(point: &str) {
    if std::env::var("STRATA_TEST_KILL_AT").is_ok_and(|p| p == point) {
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
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

/// Applies one change layer (overlay form) to `state`: path -> present.
/// A whiteout deletes the path and what was under it; an opaque directory
/// hides what earlier layers put under it.
fn collect_changes(
    layer: &Path,
    rel: &Path,
    state: &mut std::collections::BTreeMap<String, bool>,
) -> Result<()> {
    use rustix::fs::{Mode, OFlags};
    let io = |what: String| {
        move |e: rustix::io::Errno| Error::Io {
            what,
            err: e.into(),
        }
    };
    let root = rustix::fs::open(
        layer,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io(format!("read {}", layer.display())))?;
    collect_changes_at(&std::fs::File::from(root), layer, rel, state)
}

/// One directory of a change layer, open as `dir`: every name is opened
/// relative to it with O_NOFOLLOW, so a link the container swaps in never
/// lists a host directory.
fn collect_changes_at(
    dir: &std::fs::File,
    layer: &Path,
    rel: &Path,
    state: &mut std::collections::BTreeMap<String, bool>,
) -> Result<()> {
    use rustix::fs::{Mode, OFlags};
    use std::os::unix::ffi::OsStrExt;
    use xattr::FileExt;
    let here = layer.join(rel.strip_prefix("/").unwrap_or(rel));
    let mut names: Vec<std::ffi::OsString> = Vec::new();
    let entries = rustix::fs::Dir::read_from(dir).map_err(|e| Error::Io {
        what: format!("read {}", here.display()),
        err: e.into(),
    })?;
    for e in entries.flatten() {
        let n = e.file_name().to_bytes();
        if n != b"." && n != b".." {
            names.push(std::ffi::OsStr::from_bytes(n).to_os_string());
        }
    }
    names.sort();
    let open = |n: &std::ffi::OsStr, f: OFlags| {
        rustix::fs::openat(
            dir,
            n,
            f | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map(std::fs::File::from)
    };
    for n in names {
        let path = rel.join(&n);
        let Some(md) = open(&n, OFlags::PATH).ok().and_then(|f| f.metadata().ok()) else {
            continue;
        };
        let shown = path.display().to_string();
        let under = format!("{shown}/");
        let whiteout = md.file_type().is_char_device() && md.rdev() == 0;
        let sub = if md.is_dir() {
            open(&n, OFlags::RDONLY | OFlags::DIRECTORY).ok()
        } else {
            None
        };
        let opaque = sub.as_ref().is_some_and(|d| {
            d.get_xattr("trusted.overlay.opaque")
                .ok()
                .flatten()
                .is_some_and(|v| v == b"y")
        });
        if whiteout || opaque {
            let hidden: Vec<String> = state
                .range(under.clone()..)
                .take_while(|(k, _)| k.starts_with(&under))
                .map(|(k, _)| k.clone())
                .collect();
            for k in hidden {
                state.remove(&k);
            }
        }
        state.insert(shown, !whiteout);
        if let Some(d) = &sub {
            collect_changes_at(d, layer, &path, state)?;
        }
    }
    Ok(())
}
