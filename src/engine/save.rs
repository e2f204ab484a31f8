//! `save`: images to a docker-archive (docker 20.10's layout, which
//! `docker load` and `podman load` read) or an OCI image layout archive.
//! Each layer goes out as its uncompressed tar, checked against its diff id
//! as it streams (an OCI archive takes a stored compressed blob as it is).

use super::{Engine, Error, Result};
use crate::image::{self, ImageConfig, Layer, Reference};
use crate::oci::{self, media, ArchiveEntry, Descriptor};
use crate::util::hash::{self, HashReader};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};

/// The archive formats `save` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveFormat {
    Docker,
    Oci,
}

/// One image to save and the names it goes out under.
struct Chosen {
    id: String,
    tags: Vec<Reference>,
}

impl Engine {
    /// Writes `names` (tags, ids, or a repository for all its tags) to `out`.
    pub fn save(&self, names: &[String], format: SaveFormat, out: impl Write) -> Result<()> {
        let chosen = self.choose(names)?;
        let mut ar = tar::Builder::new(out);
        match format {
            SaveFormat::Docker => self.save_docker(&chosen, &mut ar)?,
            SaveFormat::Oci => self.save_oci(&chosen, &mut ar)?,
        }
        ar.into_inner()
            .and_then(|mut w| w.flush())
            .map_err(|e| io("writing the archive", e))?;
        for n in names {
            self.event("image", "save", n, &[("name", n)]);
        }
        Ok(())
    }

    fn choose(&self, names: &[String]) -> Result<Vec<Chosen>> {
        let mut out: Vec<Chosen> = Vec::new();
        let mut add = |id: String, tag: Option<Reference>| {
            if let Some(c) = out.iter_mut().find(|c| c.id == id) {
                if let Some(t) = tag {
                    if !c.tags.contains(&t) {
                        c.tags.push(t);
                    }
                }
            } else {
                out.push(Chosen {
                    id,
                    tags: tag.into_iter().collect(),
                });
            }
        };
        for name in names {
            // A bare repository name saves every tag of it, as docker does.
            if let Ok(r) = Reference::parse(name) {
                if r.tag.is_none() && r.digest.is_none() {
                    let all: Vec<(Reference, String)> = self
                        .images
                        .list()?
                        .into_iter()
                        .flat_map(|i| {
                            let id = i.id.clone();
                            i.tags.into_iter().map(move |t| (t, id.clone()))
                        })
                        .filter(|(t, _)| t.repository() == r.repository() && t.tag.is_some())
                        .collect();
                    if !all.is_empty() {
                        for (t, id) in all {
                            add(id, Some(t));
                        }
                        continue;
                    }
                }
            }
            let id = self.images.resolve(name)?;
            let tag = Reference::parse_tagged(name)
                .ok()
                .filter(|r| r.digest.is_none())
                .filter(|r| self.images.tagged(r).ok().flatten().as_deref() == Some(&id));
            add(id, tag);
        }
        Ok(out)
    }

    fn layers_of(&self, config: &ImageConfig) -> Result<Vec<Layer>> {
        image::ImageStore::chain_ids(config)
            .iter()
            .map(|c| self.images.layer(c).map_err(Error::from))
            .collect()
    }

    /// Appends a layer's uncompressed tar at `path`, checking its digest.
    fn append_layer<W: Write>(
        &self,
        ar: &mut tar::Builder<W>,
        layer: &Layer,
        path: &str,
    ) -> Result<()> {
        let (reader, len) = self.images.layer_tar(layer)?;
        let mut hashed = HashReader::new(reader);
        append_file(ar, path, len, &mut hashed)?;
        let (digest, n) = hashed.finish();
        if digest != layer.diff_id || n != len {
            return Err(Error::Image(image::Error::Damaged(format!(
                "layer {} does not match its diff id {} (read {digest})",
                layer.chain_id, layer.diff_id
            ))));
        }
        Ok(())
    }

    fn save_docker<W: Write>(&self, chosen: &[Chosen], ar: &mut tar::Builder<W>) -> Result<()> {
        let mut manifest = Vec::new();
        let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut written: HashSet<String> = HashSet::new();
        for c in chosen {
            let bytes = self.images.config_bytes(&c.id)?;
            let config: ImageConfig = serde_json::from_slice(&bytes).map_err(|e| {
                Error::Image(image::Error::Damaged(format!("config of {}: {e}", c.id)))
            })?;
            let hex = hash::hex_part(&c.id).to_string();
            let config_name = format!("{hex}.json");
            if written.insert(config_name.clone()) {
                append_file(ar, &config_name, bytes.len() as u64, &mut &bytes[..])?;
            }
            let mut paths = Vec::new();
            let mut parent: Option<String> = None;
            for layer in self.layers_of(&config)? {
                // docker's v1 ids; a layer's chain id is unique per position.
                let v1 = hash::hex_part(&layer.chain_id).to_string();
                if written.insert(v1.clone()) {
                    append_file(ar, &format!("{v1}/VERSION"), 3, &mut &b"1.0"[..])?;
                    let mut v1json = json!({ "id": v1, "created": config.created });
                    if let Some(p) = &parent {
                        v1json["parent"] = json!(p);
                    }
                    let j = serde_json::to_vec(&v1json).unwrap_or_default();
                    append_file(ar, &format!("{v1}/json"), j.len() as u64, &mut &j[..])?;
                    self.append_layer(ar, &layer, &format!("{v1}/layer.tar"))?;
                }
                paths.push(format!("{v1}/layer.tar"));
                parent = Some(v1);
            }
            for t in &c.tags {
                if let (Some(tag), Some(top)) = (&t.tag, &parent) {
                    repositories
                        .entry(t.familiar_repository())
                        .or_default()
                        .insert(tag.clone(), top.clone());
                }
            }
            manifest.push(ArchiveEntry {
                config: config_name,
                repo_tags: (!c.tags.is_empty())
                    .then(|| c.tags.iter().map(Reference::familiar).collect()),
                layers: paths,
            });
        }
        let m = serde_json::to_vec(&manifest).unwrap_or_default();
        append_file(ar, "manifest.json", m.len() as u64, &mut &m[..])?;
        if !repositories.is_empty() {
            let r = serde_json::to_vec(&repositories).unwrap_or_default();
            append_file(ar, "repositories", r.len() as u64, &mut &r[..])?;
        }
        Ok(())
    }

    fn save_oci<W: Write>(&self, chosen: &[Chosen], ar: &mut tar::Builder<W>) -> Result<()> {
        append_file(
            ar,
            "oci-layout",
            30,
            &mut &br#"{"imageLayoutVersion":"1.0.0"}"#[..],
        )?;
        let mut written: HashSet<String> = HashSet::new();
        let mut manifests: Vec<Descriptor> = Vec::new();
        let blob_path = |d: &str| format!("blobs/sha256/{}", hash::hex_part(d));
        for c in chosen {
            let bytes = self.images.config_bytes(&c.id)?;
            let config: ImageConfig = serde_json::from_slice(&bytes).map_err(|e| {
                Error::Image(image::Error::Damaged(format!("config of {}: {e}", c.id)))
            })?;
            if written.insert(c.id.clone()) {
                append_file(ar, &blob_path(&c.id), bytes.len() as u64, &mut &bytes[..])?;
            }
            let mut layers = Vec::new();
            for layer in self.layers_of(&config)? {
                // A stored compressed blob goes as it is; else the tar.
                let desc = match layer
                    .blobs
                    .iter()
                    .find(|b| b.compression != crate::archive::Compression::None)
                {
                    Some(b) => {
                        if written.insert(b.digest.clone()) {
                            let p = self.images.blob_path(&layer.chain_id, &b.digest);
                            let f = std::fs::File::open(&p)
                                .map_err(|e| io(&format!("reading {}", p.display()), e))?;
                            let mut hashed = HashReader::new(f);
                            append_file(ar, &blob_path(&b.digest), b.size, &mut hashed)?;
                            if hashed.finish().0 != b.digest {
                                return Err(Error::Image(image::Error::Damaged(format!(
                                    "blob {} of layer {} changed on disk",
                                    b.digest, layer.chain_id
                                ))));
                            }
                        }
                        let kind = match b.compression {
                            crate::archive::Compression::Zstd => media::OCI_LAYER_ZSTD,
                            _ => media::OCI_LAYER_GZIP,
                        };
                        oci::descriptor(kind, &b.digest, b.size).map_err(damaged)?
                    }
                    None => {
                        if written.insert(layer.diff_id.clone()) {
                            self.append_layer(ar, &layer, &blob_path(&layer.diff_id))?;
                        }
                        let size = match layer.tar_size {
                            0 => self.images.layer_tar(&layer)?.1,
                            n => n,
                        };
                        oci::descriptor(media::OCI_LAYER, &layer.diff_id, size).map_err(damaged)?
                    }
                };
                layers.push(desc);
            }
            let config_desc =
                oci::descriptor(media::OCI_CONFIG, &c.id, bytes.len() as u64).map_err(damaged)?;
            let manifest = oci::manifest(media::OCI_MANIFEST, config_desc, layers);
            let mb = serde_json::to_vec(&manifest).unwrap_or_default();
            let md = hash::sha256_digest(&mb);
            if written.insert(md.clone()) {
                append_file(ar, &blob_path(&md), mb.len() as u64, &mut &mb[..])?;
            }
            let base =
                oci::descriptor(media::OCI_MANIFEST, &md, mb.len() as u64).map_err(damaged)?;
            if c.tags.is_empty() {
                manifests.push(base.clone());
            }
            for t in &c.tags {
                let mut d = base.clone();
                let mut a = std::collections::HashMap::new();
                a.insert("io.containerd.image.name".to_string(), t.canonical());
                a.insert(
                    "org.opencontainers.image.ref.name".to_string(),
                    t.tag.clone().unwrap_or_default(),
                );
                d.set_annotations(Some(a));
                manifests.push(d);
            }
        }
        let ib = oci::canonical_json(&oci::index(manifests));
        append_file(ar, "index.json", ib.len() as u64, &mut &ib[..])?;
        Ok(())
    }
}

fn damaged(msg: String) -> Error {
    Error::Image(image::Error::Damaged(msg))
}

fn io(what: &str, err: std::io::Error) -> Error {
    Error::Io {
        what: what.to_string(),
        err,
    }
}

/// Appends a regular file of `len` bytes read from `data`.
fn append_file<W: Write>(
    ar: &mut tar::Builder<W>,
    path: &str,
    len: u64,
    data: &mut dyn Read,
) -> Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_size(len);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mtime(0);
    ar.append_data(&mut h, path, data.take(len))
        .map_err(|e| io(&format!("writing {path} to the archive"), e))
}
