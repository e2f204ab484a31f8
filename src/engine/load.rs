//! `load`: images from a docker-archive (`docker save`, `podman save`,
//! `strata save`) or an OCI image layout archive. The archive is spooled
//! into tmp/ first (its entries come in any order), every path checked;
//! then each image's layers are unpacked and checked against the config's
//! diff ids (and an OCI blob against its digest) before anything is
//! stored. A layer file that was stored whole is kept as the layer's blob.

use super::{Engine, Error, Result};
use crate::image::{self, ImageConfig, Reference, Staged};
use crate::oci::{self, media, ArchiveEntry, Index, Manifest};
use crate::util::{fsx, hash, ids, lock};
use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// An archive unpacked into a private directory.
struct Spool {
    dir: PathBuf,
    lock_path: PathBuf,
    _busy: lock::LockGuard,
    /// Symlinks in the archive: path -> target, both archive-relative.
    links: HashMap<String, String>,
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = fsx::remove_tree(&self.dir);
        let _ = fsx::remove_file(&self.lock_path);
    }
}

fn bad(msg: impl Into<String>) -> Error {
    Error::Invalid(msg.into())
}

/// An archive path made relative and checked: no `..`, not absolute.
fn clean(raw: &str) -> Result<String> {
    let mut parts = Vec::new();
    for c in Path::new(raw).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return Err(bad(format!("invalid archive: unsafe path {raw:?}"))),
        }
    }
    Ok(parts.join("/"))
}

impl Spool {
    /// The real file behind an archive path (following the archive's own
    /// symlinks, which may not leave it).
    fn file(&self, raw: &str) -> Result<PathBuf> {
        let mut path = clean(raw)?;
        for _ in 0..16 {
            match self.links.get(&path) {
                None => {
                    let p = self.dir.join(&path);
                    return if p.is_file() {
                        Ok(p)
                    } else {
                        Err(bad(format!("invalid archive: {raw} is missing")))
                    };
                }
                Some(target) => {
                    let base = Path::new(&path).parent().unwrap_or(Path::new(""));
                    let joined = if target.starts_with('/') {
                        target.trim_start_matches('/').to_string()
                    } else {
                        base.join(target).to_string_lossy().into_owned()
                    };
                    path = normalize(&joined)
                        .ok_or_else(|| bad(format!("invalid archive: {raw} links outside it")))?;
                }
            }
        }
        Err(bad(format!("invalid archive: too many links at {raw}")))
    }

    fn read(&self, raw: &str) -> Result<Vec<u8>> {
        let p = self.file(raw)?;
        fs::read(&p).map_err(|e| Error::Io {
            what: format!("reading {raw} from the archive"),
            err: e,
        })
    }
}

/// Resolves `..` inside an archive path; `None` when it climbs out.
fn normalize(p: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            x => out.push(x),
        }
    }
    Some(out.join("/"))
}

impl Engine {
    /// Loads every image in the archive `input`; returns docker's lines
    /// (`Loaded image: busybox:latest`).
    pub fn load(&self, input: impl Read) -> Result<Vec<String>> {
        let _lease = self.images.lease()?;
        self.sweep();
        let spool = self.spool(input)?;
        let mut lines = Vec::new();
        if spool.dir.join("manifest.json").is_file() || spool.links.contains_key("manifest.json") {
            let entries: Vec<ArchiveEntry> = serde_json::from_slice(&spool.read("manifest.json")?)
                .map_err(|e| bad(format!("invalid archive: manifest.json: {e}")))?;
            for e in entries {
                let config = spool.read(&e.config)?;
                // A layer shared with an image loaded before is in the
                // store already (its file was moved there).
                let files = e.layers.iter().map(|l| (spool.file(l), None)).collect();
                let tags = e.repo_tags.unwrap_or_default();
                lines.extend(self.load_image(&config, None, files, &tags)?);
            }
        } else if spool.dir.join("index.json").is_file() {
            let blob = |d: &str| -> Result<PathBuf> {
                let (alg, hex) = d
                    .split_once(':')
                    .ok_or_else(|| bad(format!("invalid archive: bad digest {d:?}")))?;
                if alg != "sha256" || hex.len() != 64 || !ids::is_hex(hex) {
                    return Err(bad(format!("invalid archive: unsupported digest {d:?}")));
                }
                spool.file(&format!("blobs/{alg}/{hex}"))
            };
            let index: Index = serde_json::from_slice(&spool.read("index.json")?)
                .map_err(|e| bad(format!("invalid archive: index.json: {e}")))?;
            let mut todo: Vec<(crate::oci::Descriptor, Option<String>)> = index
                .manifests()
                .iter()
                .cloned()
                .map(|d| {
                    let name = d.annotations().as_ref().and_then(|a| {
                        a.get("io.containerd.image.name")
                            .or_else(|| a.get("org.opencontainers.image.ref.name"))
                            .cloned()
                    });
                    (d, name)
                })
                .collect();
            let mut done: Vec<(String, Vec<String>)> = Vec::new();
            while let Some((d, name)) = todo.pop() {
                let digest = oci::digest_of(&d);
                let bytes = fs::read(blob(&digest)?).map_err(|e| Error::Io {
                    what: format!("reading {digest}"),
                    err: e,
                })?;
                if hash::sha256_digest(&bytes) != digest {
                    return Err(bad(format!(
                        "invalid archive: {digest} does not match its digest"
                    )));
                }
                if media::is_index(&oci::media_of(&d)) {
                    let sub: Index = serde_json::from_slice(&bytes)
                        .map_err(|e| bad(format!("invalid archive: {digest}: {e}")))?;
                    let pick = pick_platform(&sub, None)
                        .ok_or_else(|| bad("invalid archive: no image for this platform"))?;
                    todo.push((pick, name));
                    continue;
                }
                let m: Manifest = serde_json::from_slice(&bytes)
                    .map_err(|e| bad(format!("invalid archive: {digest}: {e}")))?;
                let config_digest = oci::digest_of(m.config());
                let config = fs::read(blob(&config_digest)?).map_err(|e| Error::Io {
                    what: format!("reading {config_digest}"),
                    err: e,
                })?;
                if hash::sha256_digest(&config) != config_digest {
                    return Err(bad("invalid archive: the config does not match its digest"));
                }
                let files = m
                    .layers()
                    .iter()
                    .map(|l| (blob(&oci::digest_of(l)), Some(oci::digest_of(l))))
                    .collect();
                let tag: Vec<String> = name
                    .filter(|n| n.contains(':') || n.contains('/'))
                    .filter(|n| Reference::parse(n).is_ok_and(|r| r.tag.is_some()))
                    .into_iter()
                    .collect();
                let id = hash::sha256_digest(&config);
                if let Some(e) = done.iter_mut().find(|(i, _)| *i == id) {
                    e.1.extend(tag);
                    continue;
                }
                done.push((id, tag.clone()));
                lines.extend(self.load_image(&config, Some(&m), files, &tag)?);
            }
        } else {
            return Err(bad(
                "invalid archive: no manifest.json (docker-archive) or index.json (OCI layout)",
            ));
        }
        for l in &lines {
            let name = l
                .strip_prefix("Loaded image: ")
                .or_else(|| l.strip_prefix("Loaded image ID: "))
                .unwrap_or(l);
            self.event("image", "load", name, &[("name", name)]);
        }
        Ok(lines)
    }

    fn spool(&self, input: impl Read) -> Result<Spool> {
        let dir = self
            .images
            .tmp_dir()
            .join(format!("load-{}", ids::random_hex(8)));
        let lock_path = dir.with_extension("lock");
        let busy = lock::exclusive(&lock_path).map_err(|e| Error::Io {
            what: format!("locking {}", lock_path.display()),
            err: e,
        })?;
        fs::create_dir_all(&dir).map_err(|e| Error::Io {
            what: format!("creating {}", dir.display()),
            err: e,
        })?;
        let mut spool = Spool {
            dir,
            lock_path,
            _busy: busy,
            links: HashMap::new(),
        };
        let (_, plain) = crate::archive::decompressor(input).map_err(image::Error::Archive)?;
        let mut ar = tar::Archive::new(plain);
        let entries = ar
            .entries()
            .map_err(|e| bad(format!("invalid archive: {e}")))?;
        let mut any = false;
        for entry in entries {
            let mut entry = entry.map_err(|e| {
                if any {
                    bad(format!("invalid archive: {}", printable(&e.to_string())))
                } else {
                    // The first header does not parse: random bytes, a
                    // truncated file, anything but a tar.
                    bad("invalid archive: not a tar archive".to_string())
                }
            })?;
            any = true;
            let raw = entry
                .path()
                .map_err(|e| bad(format!("invalid archive: {e}")))?
                .to_string_lossy()
                .into_owned();
            let path = clean(&raw)?;
            if path.is_empty() {
                continue;
            }
            let dest = spool.dir.join(&path);
            let kind = entry.header().entry_type();
            if kind.is_dir() {
                fs::create_dir_all(&dest).map_err(|e| Error::Io {
                    what: format!("unpacking {raw}"),
                    err: e,
                })?;
                continue;
            }
            if kind.is_symlink() || kind.is_hard_link() {
                let target = entry
                    .link_name()
                    .ok()
                    .flatten()
                    .map(|t| t.to_string_lossy().into_owned())
                    .ok_or_else(|| bad(format!("invalid archive: link {raw} has no target")))?;
                // A hard link's target is archive-relative; a symlink's is
                // relative to its directory.
                let target = if kind.is_hard_link() {
                    format!("/{}", clean(&target)?)
                } else {
                    target
                };
                spool.links.insert(path, target);
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::Io {
                    what: format!("unpacking {raw}"),
                    err: e,
                })?;
            }
            // A path under a directory the archive made a symlink of would
            // be refused by create_dir_all above only if it were a real
            // link; ours are never created on disk.
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&dest)
                .map_err(|e| Error::Io {
                    what: format!("unpacking {raw}"),
                    err: e,
                })?;
            std::io::copy(&mut entry, &mut f).map_err(|e| Error::Io {
                what: format!("unpacking {raw}"),
                err: e,
            })?;
        }
        if !any {
            return Err(bad("invalid archive: it is empty"));
        }
        Ok(spool)
    }

    /// Stores one image: its layers (each checked), its config, its tags.
    fn load_image(
        &self,
        config_bytes: &[u8],
        _manifest: Option<&Manifest>,
        files: Vec<(Result<PathBuf>, Option<String>)>,
        tags: &[String],
    ) -> Result<Vec<String>> {
        let config: ImageConfig = serde_json::from_slice(config_bytes)
            .map_err(|e| bad(format!("invalid archive: image config: {e}")))?;
        let want = &config.rootfs.diff_ids;
        if want.len() != files.len() {
            return Err(bad(format!(
                "invalid archive: the image has {} layers, its manifest lists {}",
                want.len(),
                files.len()
            )));
        }
        let refs = tags
            .iter()
            .map(|t| {
                Reference::parse_tagged(t)
                    .map_err(|e| bad(format!("invalid archive: tag {t:?}: {}", e.0)))
            })
            .collect::<Result<Vec<_>>>()?;
        let chains = hash::chain_ids(want);
        let mut staged: Vec<Option<Staged>> = Vec::new();
        for (i, (file, digest)) in files.into_iter().enumerate() {
            if self.images.layer(&chains[i]).is_ok() {
                staged.push(None);
                continue;
            }
            let s = self.images.stage_layer_file(&file?)?;
            if let Some(d) = digest {
                if s.blob.as_ref().map(|b| &b.digest) != Some(&d) {
                    return Err(bad(format!(
                        "invalid archive: layer {d} does not match its digest"
                    )));
                }
            }
            if s.diff_id != want[i] {
                return Err(bad(format!(
                    "invalid archive: layer {} has diff id {}, the config says {}",
                    i + 1,
                    s.diff_id,
                    want[i]
                )));
            }
            staged.push(Some(s));
        }
        for (i, s) in staged.into_iter().enumerate() {
            if let Some(s) = s {
                self.images
                    .commit_staged(s, i.checked_sub(1).map(|p| chains[p].as_str()))?;
            }
        }
        let id = self.images.put_config(config_bytes)?;
        let mut lines = Vec::new();
        let _guard = self.images.lock()?;
        for r in &refs {
            if let Some(old) = self.images.set_tag(r, &id)? {
                lines.push(format!(
                    "The image {} already exists, renaming the old one with ID {old} to empty string",
                    r.familiar()
                ));
            }
            lines.push(format!("Loaded image: {}", r.familiar()));
        }
        if refs.is_empty() {
            lines.push(format!("Loaded image ID: {id}"));
        }
        Ok(lines)
    }
}

/// The index entry for this machine (or `want`, `os/arch[/variant]`).
pub(super) fn pick_platform(index: &Index, want: Option<&str>) -> Option<crate::oci::Descriptor> {
    let (os, arch, variant) = match want {
        Some(w) => {
            let mut p = w.split('/');
            (
                p.next().unwrap_or("linux").to_string(),
                p.next().unwrap_or(super::import::arch()).to_string(),
                p.next().map(str::to_string),
            )
        }
        None => ("linux".to_string(), super::import::arch().to_string(), None),
    };
    index
        .manifests()
        .iter()
        .filter(|d| media::is_manifest(&oci::media_of(d)))
        .find(|d| {
            d.platform().as_ref().is_some_and(|p| {
                p.os().to_string() == os
                    && p.architecture().to_string() == arch
                    && (variant.is_none() || *p.variant() == variant)
            })
        })
        .cloned()
}

/// An error text with what a terminal should not be sent (control bytes,
/// replacement characters from binary input) left out.
fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && *c != '\u{fffd}')
        .collect()
}
