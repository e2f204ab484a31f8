//! The image store: layer directories (overlay-ready, with short `l/`
//! links), image configs (the exact bytes whose sha256 is the image id),
//! and the tags in `refs.json`. Knows nothing of containers or processes.
//!
//! On disk, under the store root:
//!   layers/<chain-hex>/diff/       the layer's files, overlay whiteouts
//!   layers/<chain-hex>/layer.json  diff id, parent, size, link name
//!   l/<link>                       -> ../layers/<chain-hex>/diff
//!   images/<id-hex>.json           the config bytes
//!   images/<id-hex>.parent         the image it was committed on, if made here
//!   refs.json                      canonical name:tag -> image id
//!   images.summary                 what listings show, by image id (a cache)
//!   tmp/                           work in progress, swept when stale
//!   store.lock                     flock for every change

pub mod reference;
pub mod summary;

pub use crate::oci::{History, ImageConfig, RootFs, RunConfig};
pub use reference::Reference;

use crate::archive;
use crate::util::{fsx, hash, ids, lock};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Errors of the image store.
#[derive(Debug)]
pub enum Error {
    /// No image by that name or id.
    NotFound(String),
    /// An id prefix names several images.
    /// A prefix that several ids start with: the prefix and the candidates.
    Ambiguous(String, Vec<String>),
    /// A reference that does not parse.
    BadReference(String),
    /// A layer directory or config is missing or unreadable.
    Damaged(String),
    /// The input of an import is not a usable archive.
    Archive(archive::Error),
    /// A layer stream that is not a usable archive, and the digest and
    /// length of the bytes it was.
    BadLayer {
        digest: String,
        size: u64,
        cause: archive::Error,
    },
    /// A store file could not be read or written.
    Io { path: PathBuf, err: io::Error },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound(name) => write!(f, "No such image: {name}"),
            Error::Ambiguous(p, c) => {
                let short: Vec<&str> = c.iter().map(|x| &x[..x.len().min(12)]).collect();
                write!(
                    f,
                    "multiple IDs found with provided prefix: {p} (candidates: {})",
                    short.join(", ")
                )
            }
            Error::BadReference(msg) => f.write_str(msg),
            Error::Damaged(msg) => write!(f, "image store is damaged: {msg}"),
            Error::Archive(e) => e.fmt(f),
            Error::BadLayer { cause, .. } => cause.fmt(f),
            Error::Io { path, err } => write!(f, "{}: {err}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |err| Error::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// The metadata of one stored layer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Layer {
    pub chain_id: String,
    pub diff_id: String,
    #[serde(default)]
    pub parent: Option<String>,
    pub size: u64,
    pub link: String,
    /// Length of the layer's uncompressed tar (0: not known).
    #[serde(default)]
    pub tar_size: u64,
    /// The stored forms of the layer's tar (`blob-<hex>` in its directory):
    /// the bytes it arrived in (import, pull, load) and the gzip made once
    /// for a push. A layer made here (commit, build) has none: its
    /// canonical tar is made again from its files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blobs: Vec<Blob>,
}

/// One stored form of a layer's tar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blob {
    /// sha256 of the stored bytes.
    pub digest: String,
    pub size: u64,
    pub compression: archive::Compression,
}

/// A layer unpacked in tmp/, not yet in the store: `commit_staged` puts it
/// on a parent; dropping it removes it.
pub struct Staged {
    dir: PathBuf,
    lock_path: PathBuf,
    _busy: Option<lock::LockGuard>,
    /// sha256 of the uncompressed tar.
    pub diff_id: String,
    /// Bytes of file content.
    pub size: u64,
    /// Length of the uncompressed tar.
    pub tar_size: u64,
    /// The input as it came, when kept.
    pub blob: Option<Blob>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = fsx::remove_tree(&self.dir);
        let _ = fsx::remove_file(&self.lock_path);
    }
}

/// Copies what is read through it into a writer and hashes it.
struct Tee<'a, R> {
    inner: R,
    out: &'a mut fs::File,
    hasher: hash::HashWriter<io::Sink>,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        io::Write::write_all(self.out, &buf[..n])?;
        io::Write::write_all(&mut self.hasher, &buf[..n])?;
        Ok(n)
    }
}

/// An image as listed: id, config, tags (canonical), size.
#[derive(Debug, Clone)]
pub struct Image {
    pub id: String,
    pub config: ImageConfig,
    pub tags: Vec<Reference>,
    /// `repo@sha256:…` references: the manifests it was pulled or pushed as.
    pub digests: Vec<Reference>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Refs {
    refs: BTreeMap<String, String>,
}

fn blob_name(digest: &str) -> String {
    format!("blob-{}", hash::hex_part(digest))
}

/// The image store rooted at a directory.
pub struct ImageStore {
    root: PathBuf,
}

impl ImageStore {
    /// Opens (and creates when missing) the store at `root`.
    pub fn open(root: &Path) -> Result<ImageStore, Error> {
        crate::util::fsx::private_dir(root, 0o711).map_err(io_err(root))?;
        for d in ["layers", "l", "images", "tmp"] {
            let p = root.join(d);
            crate::util::fsx::private_dir(&p, 0o700).map_err(io_err(&p))?;
        }
        Ok(ImageStore {
            root: root.to_path_buf(),
        })
    }

    /// The store's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn links_dir(&self) -> PathBuf {
        self.root.join("l")
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    fn layer_dir(&self, chain_id: &str) -> PathBuf {
        self.root.join("layers").join(hash::hex_part(chain_id))
    }

    /// Where a layer's files are (for reading, never writing).
    pub fn layer_diff(&self, chain_id: &str) -> PathBuf {
        self.layer_dir(chain_id).join("diff")
    }

    /// Where an image's config bytes are.
    pub fn config_path(&self, id: &str) -> PathBuf {
        self.root
            .join("images")
            .join(format!("{}.json", hash::hex_part(id)))
    }

    /// A writer's lease on the store (shared, reentrant in a process):
    /// while any is held, the layer collector leaves every layer alone,
    /// so the layers a pull, load, import, build, commit or create has
    /// stored (or looked up) are not garbage before its config or record
    /// names them.
    pub fn lease(&self) -> Result<lock::SharedGuard, Error> {
        let p = self.root.join("gc.lock");
        lock::shared(&p).map_err(io_err(&p))
    }

    /// Takes the store's lock for a change; released on drop.
    pub fn lock(&self) -> Result<lock::LockGuard, Error> {
        let p = self.root.join("store.lock");
        lock::exclusive(&p).map_err(io_err(&p))
    }

    // ---- layers ----

    /// Reads a layer's metadata.
    pub fn layer(&self, chain_id: &str) -> Result<Layer, Error> {
        let p = self.layer_dir(chain_id).join("layer.json");
        let bytes =
            fs::read(&p).map_err(|_| Error::Damaged(format!("layer {chain_id} is missing")))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Damaged(format!("{}: {e}", p.display())))
    }

    /// Checks that a layer's directory and link are in place (re-creating
    /// a lost link) and returns its link name.
    pub fn layer_link(&self, chain_id: &str) -> Result<String, Error> {
        let layer = self.layer(chain_id)?;
        let diff = self.layer_dir(chain_id).join("diff");
        match fs::symlink_metadata(&diff) {
            Ok(md) if md.is_dir() => {}
            _ => {
                return Err(Error::Damaged(format!(
                    "layer {} has no content directory ({})",
                    chain_id,
                    diff.display()
                )))
            }
        }
        let link = self.links_dir().join(&layer.link);
        if fs::symlink_metadata(&link).is_err() {
            let target = format!("../layers/{}/diff", hash::hex_part(chain_id));
            std::os::unix::fs::symlink(target, &link).map_err(io_err(&link))?;
        }
        Ok(layer.link)
    }

    /// Unpacks a (possibly compressed) tar stream as a new layer on top of
    /// `parent`, keeping the stream as the layer's blob; returns it.
    /// Content that is already stored is kept once.
    pub fn add_layer<R: Read>(&self, input: R, parent: Option<&str>) -> Result<Layer, Error> {
        let staged = self.stage_layer(input, true)?;
        self.commit_staged(staged, parent)
    }

    /// Unpacks a (possibly compressed) tar stream into tmp/: the diff id
    /// and, with `keep_blob`, the stream's own bytes and digest. Nothing is
    /// in the store until `commit_staged`.
    pub fn stage_layer<R: Read>(&self, input: R, keep_blob: bool) -> Result<Staged, Error> {
        let dir = self.tmp_dir().join(format!("layer-{}", ids::random_hex(8)));
        // Held while we work: sweep_tmp never removes a directory in use.
        let lock_path = dir.with_extension("lock");
        let busy = lock::exclusive(&lock_path).map_err(io_err(&lock_path))?;
        let mut staged = Staged {
            dir: dir.clone(),
            lock_path,
            _busy: Some(busy),
            diff_id: String::new(),
            size: 0,
            tar_size: 0,
            blob: None,
        };
        let diff = dir.join("diff");
        fs::create_dir_all(&diff).map_err(io_err(&diff))?;
        if !keep_blob {
            let (_, plain) = archive::decompressor(input).map_err(Error::Archive)?;
            let unpacked = archive::unpack_pipelined(plain, &diff).map_err(Error::Archive)?;
            staged.diff_id = unpacked.diff_id;
            staged.size = unpacked.size;
            staged.tar_size = unpacked.tar_size;
            return Ok(staged);
        }
        let blob_path = dir.join("blob");
        let mut file = fs::File::create(&blob_path).map_err(io_err(&blob_path))?;
        let mut tee = Tee {
            inner: input,
            out: &mut file,
            hasher: hash::HashWriter::new(io::sink()),
        };
        let unpacked = archive::decompressor(&mut tee)
            .and_then(|(kind, plain)| Ok((kind, archive::unpack_pipelined(plain, &diff)?)));
        let (kind, unpacked) = match unpacked {
            Ok(x) => x,
            // A full disk is a full disk, not a short download.
            Err(cause @ archive::Error::Io { .. }) if matches!(&cause, archive::Error::Io { err, .. } if err.raw_os_error() == Some(libc::ENOSPC)) =>
            {
                return Err(Error::Archive(cause));
            }
            Err(cause) => {
                // What were the bytes? A caller that knows their digest
                // tells a corrupt download from a bad archive.
                let _ = io::copy(&mut tee, &mut io::sink());
                let (digest, size, _) = tee.hasher.finish();
                return Err(Error::BadLayer {
                    digest,
                    size,
                    cause,
                });
            }
        };
        // Whatever follows the data (a compressed stream's padding) is
        // part of the blob too.
        io::copy(&mut tee, &mut io::sink()).map_err(|e| Error::Archive(e.into()))?;
        let (digest, size, _) = tee.hasher.finish();
        staged.diff_id = unpacked.diff_id;
        staged.size = unpacked.size;
        staged.tar_size = unpacked.tar_size;
        staged.blob = Some(Blob {
            digest,
            size,
            compression: kind,
        });
        Ok(staged)
    }

    /// Stages a layer from a file that is the layer's blob as it was
    /// stored whole (an archive's layer): the file is moved, not copied.
    pub fn stage_layer_file(&self, file: &Path) -> Result<Staged, Error> {
        let f = fs::File::open(file).map_err(io_err(file))?;
        let mut raw = hash::HashReader::new(io::BufReader::with_capacity(1 << 20, f));
        let mut staged = {
            let (kind, plain) = archive::decompressor(&mut raw).map_err(Error::Archive)?;
            let mut s = self.stage_layer(plain, false)?;
            s.blob = Some(Blob {
                digest: String::new(),
                size: 0,
                compression: kind,
            });
            s
        };
        io::copy(&mut raw, &mut io::sink()).map_err(io_err(file))?;
        let (digest, size) = raw.finish();
        if let Some(b) = staged.blob.as_mut() {
            b.digest = digest;
            b.size = size;
        }
        let to = staged.dir.join("blob");
        fs::rename(file, &to).map_err(io_err(&to))?;
        Ok(staged)
    }

    /// Puts a staged layer into the store on top of `parent`.
    pub fn commit_staged(&self, staged: Staged, parent: Option<&str>) -> Result<Layer, Error> {
        let mut layer = self.new_layer(&staged.diff_id, staged.size, parent);
        layer.tar_size = staged.tar_size;
        if let Some(b) = &staged.blob {
            let from = staged.dir.join("blob");
            let to = staged.dir.join(blob_name(&b.digest));
            fs::rename(&from, &to).map_err(io_err(&to))?;
            layer.blobs.push(b.clone());
        }
        self.commit_layer_dir(&staged.dir, layer)
    }

    /// Where a layer's stored blob is.
    pub fn blob_path(&self, chain_id: &str, digest: &str) -> PathBuf {
        self.layer_dir(chain_id).join(blob_name(digest))
    }

    /// Adds a blob made from a layer (a push's gzip) to it: `file` is
    /// renamed into the layer's directory.
    pub fn add_blob(&self, chain_id: &str, file: &Path, blob: Blob) -> Result<Layer, Error> {
        let _guard = self.lock()?;
        let mut layer = self.layer(chain_id)?;
        let to = self.blob_path(chain_id, &blob.digest);
        fs::rename(file, &to).map_err(io_err(&to))?;
        if !layer.blobs.contains(&blob) {
            layer.blobs.push(blob);
            self.write_layer_meta(&layer)?;
        }
        Ok(layer)
    }

    /// The layer's uncompressed tar as a stream, and its length: a stored
    /// uncompressed blob as it is, a compressed one decompressed, or (a
    /// layer made here) its files packed again. The caller checks the
    /// stream's sha256 against the diff id as it reads.
    pub fn layer_tar(&self, layer: &Layer) -> Result<(Box<dyn Read>, u64), Error> {
        let open = |b: &Blob| {
            let p = self.blob_path(&layer.chain_id, &b.digest);
            fs::File::open(&p).map_err(io_err(&p))
        };
        if let Some(b) = layer
            .blobs
            .iter()
            .find(|b| b.compression == archive::Compression::None)
        {
            return Ok((Box::new(open(b)?), b.size));
        }
        if layer.tar_size > 0 {
            if let Some(b) = layer.blobs.first() {
                let (_, plain) =
                    archive::decompressor(io::BufReader::new(open(b)?)).map_err(Error::Archive)?;
                return Ok((plain, layer.tar_size));
            }
        }
        // Pack it into a temporary file (unlinked once open).
        let tmp = self.tmp_dir().join(format!("pack-{}", ids::random_hex(8)));
        let result = (|| {
            let mut f = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&tmp)
                .map_err(io_err(&tmp))?;
            if let Some(b) = layer.blobs.first() {
                let (_, mut plain) =
                    archive::decompressor(io::BufReader::new(open(b)?)).map_err(Error::Archive)?;
                io::copy(&mut plain, &mut io::BufWriter::new(&mut f)).map_err(io_err(&tmp))?;
            } else {
                let diff = self.layer_diff(&layer.chain_id);
                let opts = archive::PackOptions {
                    overlay: true,
                    ..Default::default()
                };
                archive::pack(&diff, io::BufWriter::new(&mut f), opts).map_err(Error::Archive)?;
            }
            let len = io::Seek::seek(&mut f, io::SeekFrom::Current(0)).map_err(io_err(&tmp))?;
            io::Seek::seek(&mut f, io::SeekFrom::Start(0)).map_err(io_err(&tmp))?;
            Ok((Box::new(f) as Box<dyn Read>, len))
        })();
        let _ = fs::remove_file(&tmp);
        result
    }

    fn write_layer_meta(&self, layer: &Layer) -> Result<(), Error> {
        let p = self.layer_dir(&layer.chain_id).join("layer.json");
        let meta = serde_json::to_vec_pretty(layer).unwrap_or_default();
        fsx::write_atomic(&p, &meta).map_err(io_err(&p))
    }

    /// Moves a finished layer directory (with `diff/`) into place under the
    /// store lock. If the same layer exists already, the new copy is dropped.
    /// The metadata of a new layer with content `diff_id` on top of `parent`.
    pub fn new_layer(&self, diff_id: &str, size: u64, parent: Option<&str>) -> Layer {
        let chain_id = match parent {
            None => diff_id.to_string(),
            Some(p) => hash::sha256_digest(format!("{p} {diff_id}").as_bytes()),
        };
        Layer {
            chain_id,
            diff_id: diff_id.to_string(),
            parent: parent.map(str::to_string),
            size,
            link: ids::random_hex(5).to_uppercase(),
            blobs: Vec::new(),
            tar_size: 0,
        }
    }

    /// Takes a staged layer directory (`diff/` and `layer.json`, prepared on
    /// this file system by the caller) into the store by renaming it: no
    /// byte is copied. If the same layer is stored already, the stage is
    /// dropped (its content is the same).
    pub fn adopt_staged_layer(&self, stage: &Path) -> Result<Layer, Error> {
        let meta = stage.join("layer.json");
        let bytes = fs::read(&meta).map_err(io_err(&meta))?;
        let layer: Layer = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Damaged(format!("{}: {e}", meta.display())))?;
        let result = self.commit_layer_dir(stage, layer);
        if stage.exists() {
            fsx::remove_tree(stage).map_err(io_err(stage))?;
        }
        result
    }

    fn commit_layer_dir(&self, tmp: &Path, layer: Layer) -> Result<Layer, Error> {
        let _guard = self.lock()?;
        let dest = self.layer_dir(&layer.chain_id);
        if dest.join("layer.json").is_file() {
            let mut existing = self.layer(&layer.chain_id)?;
            self.layer_link(&layer.chain_id)?;
            // The same content came in another form: keep that form too.
            let mut changed = false;
            for b in &layer.blobs {
                if existing.blobs.iter().any(|x| x.digest == b.digest) {
                    continue;
                }
                let name = blob_name(&b.digest);
                if fs::rename(tmp.join(&name), dest.join(&name)).is_ok() {
                    existing.blobs.push(b.clone());
                    changed = true;
                }
            }
            if changed {
                self.write_layer_meta(&existing)?;
            }
            return Ok(existing);
        }
        // A half-moved layer from a crash has no layer.json: replace it.
        fsx::remove_tree(&dest).map_err(io_err(&dest))?;
        let meta = serde_json::to_vec_pretty(&layer).unwrap_or_default();
        fsx::write_atomic(&tmp.join("layer.json"), &meta).map_err(io_err(tmp))?;
        fs::rename(tmp, &dest).map_err(io_err(&dest))?;
        fsx::sync_dir(&dest.with_file_name("")).ok();
        self.layer_link(&layer.chain_id)?;
        Ok(layer)
    }

    /// Makes a layer from an overlay upper dir, copying it into the store
    /// while its canonical tar is hashed (one read of every byte). Returns
    /// `None` when the upper dir is empty: docker's empty layer.
    pub fn commit_layer(
        &self,
        upper: &Path,
        parent: Option<&str>,
        on_entry: &mut dyn FnMut(u64),
    ) -> Result<Option<Layer>, Error> {
        let tmp = self.tmp_dir().join(format!("layer-{}", ids::random_hex(8)));
        let lock_path = tmp.with_extension("lock");
        let _busy = lock::exclusive(&lock_path).map_err(io_err(&lock_path))?;
        let diff = tmp.join("diff");
        fs::create_dir_all(&diff).map_err(io_err(&diff))?;
        let result = (|| {
            let opts = archive::PackOptions {
                overlay: true,
                copy_to: Some(&diff),
                on_entry: Some(on_entry),
            };
            let packed = archive::pack(upper, io::sink(), opts).map_err(Error::Archive)?;
            if packed.entries == 0 {
                return Ok(None);
            }
            let mut layer = self.new_layer(&packed.digest, packed.size, parent);
            layer.tar_size = packed.tar_size;
            self.commit_layer_dir(&tmp, layer).map(Some)
        })();
        let _ = fsx::remove_tree(&tmp);
        let _ = fsx::remove_file(&lock_path);
        result
    }

    /// The layer chain ids of a config, base first.
    pub fn chain_ids(config: &ImageConfig) -> Vec<String> {
        hash::chain_ids(&config.rootfs.diff_ids)
    }

    /// Deletes every layer not in `keep` (chain ids), with its link.
    /// Notes that layers may have lost their last user (an image is being
    /// deleted): `gc_pending` stays true until a collection clears it.
    pub fn mark_gc_pending(&self) {
        let _ = fs::write(self.root.join("gc-pending"), b"");
    }

    pub fn clear_gc_pending(&self) {
        let _ = fs::remove_file(self.root.join("gc-pending"));
    }

    pub fn gc_pending(&self) -> bool {
        self.root.join("gc-pending").exists()
    }

    /// The chain ids of every layer stored.
    pub fn layer_ids(&self) -> Result<Vec<String>, Error> {
        let dir = self.root.join("layers");
        Ok(fs::read_dir(&dir)
            .map_err(io_err(&dir))?
            .flatten()
            .map(|e| format!("sha256:{}", e.file_name().to_string_lossy()))
            .collect())
    }

    /// Removes every layer not in the set `keep` computes. Returns false,
    /// removing nothing, while a writer holds a lease: its layers may not
    /// be named yet. `keep` runs once the collector holds the lock, so no
    /// writer can finish (and name new layers) between the look and the
    /// removal. A later collection (any rmi or prune) takes what is left.
    pub fn gc_layers<E: From<Error>>(
        &self,
        keep: impl FnOnce() -> Result<HashSet<String>, E>,
    ) -> Result<bool, E> {
        let gc = self.root.join("gc.lock");
        if lock::held(&gc) {
            return Ok(false);
        }
        // A lease of our own process (rmi inside a build) counts too.
        let Some(_collector) = lock::try_exclusive(&gc).map_err(io_err(&gc))? else {
            return Ok(false);
        };
        let keep = keep()?;
        let dir = self.root.join("layers");
        let entries = fs::read_dir(&dir).map_err(io_err(&dir))?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let chain = format!("sha256:{name}");
            if keep.contains(&chain) {
                continue;
            }
            if let Ok(layer) = self.layer(&chain) {
                fsx::remove_file(&self.links_dir().join(&layer.link)).ok();
            }
            // Rename first so that a crash never leaves a half-deleted layer
            // under its real name.
            let doomed = self.tmp_dir().join(format!("del-{}", ids::random_hex(8)));
            let lock_path = doomed.with_extension("lock");
            let _busy = lock::exclusive(&lock_path).map_err(io_err(&lock_path))?;
            if fs::rename(e.path(), &doomed).is_ok() {
                fsx::remove_tree(&doomed).map_err(io_err(&doomed))?;
            }
            let _ = fsx::remove_file(&lock_path);
        }
        Ok(true)
    }

    // ---- images ----

    /// The exact bytes of an image's config (whose sha256 is its id).
    pub fn config_bytes(&self, id: &str) -> Result<Vec<u8>, Error> {
        fs::read(self.config_path(id)).map_err(|_| Error::NotFound(id.to_string()))
    }

    /// Stores config bytes; the image id is their sha256.
    pub fn put_config(&self, bytes: &[u8]) -> Result<String, Error> {
        let id = hash::sha256_digest(bytes);
        let p = self.config_path(&id);
        if !p.is_file() {
            fsx::write_atomic(&p, bytes).map_err(io_err(&p))?;
        }
        Ok(id)
    }

    /// Reads an image's config.
    pub fn config(&self, id: &str) -> Result<ImageConfig, Error> {
        let p = self.config_path(id);
        let bytes = fsx::read(&p).map_err(|_| Error::NotFound(id.to_string()))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Damaged(format!("{}: {e}", p.display())))
    }

    /// Every image id in the store.
    pub fn ids(&self) -> Result<Vec<String>, Error> {
        let dir = self.root.join("images");
        let mut out = Vec::new();
        for e in fs::read_dir(&dir).map_err(io_err(&dir))?.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if let Some(hex) = name.strip_suffix(".json") {
                if hex.len() == 64 && ids::is_hex(hex) {
                    out.push(format!("sha256:{hex}"));
                }
            }
        }
        Ok(out)
    }

    /// Every image with its tags.
    pub fn list(&self) -> Result<Vec<Image>, Error> {
        // Each reference parsed once, filed under its image: the listing
        // grows with images + references, not with their product.
        let mut by_id: std::collections::HashMap<String, Vec<Reference>> = Default::default();
        for (k, v) in self.load_refs()?.refs {
            if let Ok(r) = Reference::parse(&k) {
                by_id.entry(v).or_default().push(r);
            }
        }
        let mut out = Vec::new();
        for id in self.ids()? {
            let Ok(config) = self.config(&id) else {
                continue;
            };
            let (digests, tags) = by_id
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .partition(|r| r.digest.is_some());
            out.push(Image {
                id,
                config,
                tags,
                digests,
            });
        }
        Ok(out)
    }

    /// The tags that point at `id`.
    pub fn tags_of(&self, id: &str) -> Result<Vec<Reference>, Error> {
        Ok(self
            .refs_to(id)?
            .into_iter()
            .filter(|r| r.digest.is_none())
            .collect())
    }

    /// The digest references (`repo@sha256:…`) that point at `id`.
    pub fn digests_of(&self, id: &str) -> Result<Vec<Reference>, Error> {
        Ok(self
            .refs_to(id)?
            .into_iter()
            .filter(|r| r.digest.is_some())
            .collect())
    }

    fn refs_to(&self, id: &str) -> Result<Vec<Reference>, Error> {
        Ok(self
            .load_refs()?
            .refs
            .iter()
            .filter(|(_, v)| v.as_str() == id)
            .filter_map(|(k, _)| Reference::parse(k).ok())
            .collect())
    }

    /// Every reference (tag or digest) in the store, with its image.
    pub fn all_refs(&self) -> Result<Vec<(Reference, String)>, Error> {
        Ok(self
            .load_refs()?
            .refs
            .into_iter()
            .filter_map(|(k, v)| Reference::parse(&k).ok().map(|r| (r, v)))
            .collect())
    }

    /// The uncompressed size of an image: the sum of its layers.
    pub fn size(&self, config: &ImageConfig) -> u64 {
        self.sizer()(config)
    }

    /// [`size`](Self::size) for many images, each layer read once (200
    /// images on one base read its layer.json once, not 200 times).
    pub fn sizer(&self) -> impl FnMut(&ImageConfig) -> u64 + '_ {
        let mut checked = self.sizer_checked();
        move |config| checked(config).0
    }

    /// [`sizer`](Self::sizer), also telling whether every layer was there
    /// (a missing one counts 0).
    pub fn sizer_checked(&self) -> impl FnMut(&ImageConfig) -> (u64, bool) + '_ {
        let mut known: std::collections::HashMap<String, Option<u64>> = Default::default();
        move |config| {
            let mut whole = true;
            let size = Self::chain_ids(config)
                .into_iter()
                .map(|c| {
                    let s = *known
                        .entry(c)
                        .or_insert_with_key(|c| self.layer(c).map(|l| l.size).ok());
                    whole &= s.is_some();
                    s.unwrap_or(0)
                })
                .sum();
            (size, whole)
        }
    }

    /// Resolves a name, full or prefixed id to an image id, as docker
    /// does: an id (`sha256:` or bare hex) first when it is one, then the
    /// tag, then a unique id prefix.
    pub fn resolve(&self, name: &str) -> Result<String, Error> {
        self.resolve_with(name, None)
    }

    /// [`resolve`](Self::resolve) for many names against one reading of
    /// the tags (a listing of 200 containers reads `refs.json` once, not
    /// once per image).
    pub fn resolver(&self) -> impl FnMut(&str) -> Result<String, Error> + '_ {
        let mut refs: Option<Refs> = None;
        move |name| {
            if refs.is_none() {
                refs = Some(self.load_refs()?);
            }
            self.resolve_with(name, refs.as_ref())
        }
    }

    fn resolve_with(&self, name: &str, refs: Option<&Refs>) -> Result<String, Error> {
        let hexish = name.strip_prefix("sha256:").unwrap_or(name);
        if hexish.len() == 64 && ids::is_hex(hexish) {
            let id = format!("sha256:{hexish}");
            return if self.config_path(&id).is_file() {
                Ok(id)
            } else {
                Err(Error::NotFound(name.into()))
            };
        }
        if !name.starts_with("sha256:") {
            if let Ok(r) = Reference::parse_tagged(name) {
                let found = match refs {
                    Some(refs) => refs.refs.get(&r.canonical()).cloned(),
                    None => self.load_refs()?.refs.get(&r.canonical()).cloned(),
                };
                if let Some(id) = found {
                    return Ok(id);
                }
            }
        }
        if ids::is_hex(hexish) {
            let all = self.ids()?;
            let hexes: Vec<&str> = all.iter().map(|i| hash::hex_part(i)).collect();
            return match ids::match_prefix(hexish, hexes) {
                ids::PrefixMatch::One(h) => Ok(format!("sha256:{h}")),
                ids::PrefixMatch::Many(c) => Err(Error::Ambiguous(name.into(), c)),
                ids::PrefixMatch::None => Err(Error::NotFound(name.into())),
            };
        }
        if let Err(e) = Reference::parse(name) {
            return Err(Error::BadReference(e.0));
        }
        Err(Error::NotFound(name.into()))
    }

    /// Deletes an image's config (the caller untags and collects layers).
    pub fn remove_config(&self, id: &str) -> Result<(), Error> {
        // Its digest references go with it.
        let mut refs = self.load_refs()?;
        let before = refs.refs.len();
        refs.refs.retain(|k, v| v != id || !k.contains('@'));
        if refs.refs.len() != before {
            self.save_refs(&refs)?;
        }
        let p = self.config_path(id);
        fsx::remove_file(&p).map_err(io_err(&p))?;
        let _ = fsx::remove_file(&self.parent_path(id));
        Ok(())
    }

    fn parent_path(&self, id: &str) -> PathBuf {
        self.root
            .join("images")
            .join(format!("{}.parent", hash::hex_part(id)))
    }

    /// Stores config bytes for an image made on top of image `parent`
    /// (for `history`); the image id is their sha256. Both files are
    /// durable, the config first, with one fsync of their directory for
    /// the two names.
    pub fn put_config_on(&self, bytes: &[u8], parent: &str) -> Result<String, Error> {
        let id = hash::sha256_digest(bytes);
        let p = self.config_path(&id);
        if !p.is_file() {
            fsx::write_synced(&p, bytes).map_err(io_err(&p))?;
        }
        // An image's parent is recorded once: the first one it was made on
        // stays (listings keep it by image id; see summary.rs).
        let pp = self.parent_path(&id);
        if !pp.is_file() {
            fsx::write_synced(&pp, parent.as_bytes()).map_err(io_err(&pp))?;
        }
        let dir = self.root.join("images");
        fsx::sync_dir(&dir).map_err(io_err(&dir))?;
        Ok(id)
    }

    /// The image `id` was made from, when it was made here and still exists.
    pub fn parent(&self, id: &str) -> Option<String> {
        let p = self.recorded_parent(id)?;
        self.config_path(&p).is_file().then_some(p)
    }

    /// The image `id` was made from, as recorded, whether it still exists
    /// or not (a listing checks against the ids it has read).
    pub fn recorded_parent(&self, id: &str) -> Option<String> {
        String::from_utf8(fsx::read(&self.parent_path(id)).ok()?).ok()
    }

    // ---- tags ----

    fn load_refs(&self) -> Result<Refs, Error> {
        let p = self.root.join("refs.json");
        match fsx::read_opt(&p).map_err(io_err(&p))? {
            None => Ok(Refs::default()),
            Some(b) => serde_json::from_slice(&b)
                .map_err(|e| Error::Damaged(format!("{}: {e}", p.display()))),
        }
    }

    fn save_refs(&self, refs: &Refs) -> Result<(), Error> {
        let p = self.root.join("refs.json");
        let bytes = serde_json::to_vec_pretty(refs).unwrap_or_default();
        fsx::write_atomic(&p, &bytes).map_err(io_err(&p))
    }

    /// Points `r` at image `id`; returns the image it pointed at before.
    /// The caller holds the store lock.
    pub fn set_tag(&self, r: &Reference, id: &str) -> Result<Option<String>, Error> {
        let mut refs = self.load_refs()?;
        let old = refs.refs.insert(r.canonical(), id.to_string());
        // A tag that already points there is not written again (a cached
        // rebuild would pay two fsyncs for nothing).
        if old.as_deref() != Some(id) {
            self.save_refs(&refs)?;
        }
        Ok(old.filter(|o| o != id))
    }

    /// Removes a tag; returns the image it pointed at. The caller holds the lock.
    pub fn remove_tag(&self, r: &Reference) -> Result<Option<String>, Error> {
        let mut refs = self.load_refs()?;
        let old = refs.refs.remove(&r.canonical());
        if old.is_some() {
            self.save_refs(&refs)?;
        }
        Ok(old)
    }

    /// The image a tag points at, if any.
    pub fn tagged(&self, r: &Reference) -> Result<Option<String>, Error> {
        Ok(self.load_refs()?.refs.get(&r.canonical()).cloned())
    }

    /// Removes work left in tmp/ by a process that died: anything whose
    /// `.lock` nobody holds (a live import holds its lock).
    pub fn sweep_tmp(&self) {
        let Ok(rd) = fs::read_dir(self.tmp_dir()) else {
            return;
        };
        for e in rd.flatten() {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "lock") {
                continue;
            }
            let lock_path = path.with_extension("lock");
            if let Ok(Some(_held)) = lock::try_exclusive(&lock_path) {
                let _ = fsx::remove_tree(&path);
                let _ = fsx::remove_file(&lock_path);
            }
        }
    }
}
