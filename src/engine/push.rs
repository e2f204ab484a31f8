//! `push`: each layer goes up as a gzip blob, made once and kept beside
//! the layer (a blob it arrived as is used as it is); a blob the registry
//! has is skipped (HEAD), one another repository of the same registry has
//! is mounted; then the config and a docker v2 schema 2 manifest (OCI when
//! a layer is zstd). Lines are docker's (`Preparing`, `Pushed`, `digest:`).

use super::progress::Transfer;
use super::{Engine, Error, Result};
use crate::archive::Compression;
use crate::image::{self, Blob, ImageConfig, ImageStore, Layer, Reference};
use crate::oci::{self, media};
use crate::registry;
use crate::util::{hash, ids};
use std::io::Write;

impl Engine {
    /// Pushes `name` (a tag); `say` gets docker's progress lines.
    /// With `progress` (a terminal), docker's upload bars are said too.
    pub fn push(
        &self,
        name: &str,
        tls_verify: bool,
        progress: bool,
        say: &dyn Fn(Transfer),
    ) -> Result<String> {
        let mut r = Reference::parse(name).map_err(|e| Error::Invalid(e.0))?;
        if r.digest.is_some() {
            return Err(Error::Invalid(
                "cannot push a digest reference: push a tag".into(),
            ));
        }
        if r.tag.is_none() {
            say(Transfer::Status("Using default tag: latest".into()));
            r.tag = Some("latest".into());
        }
        let id = self.images.tagged(&r)?.ok_or_else(|| {
            Error::Image(image::Error::NotFound(format!(
                "An image does not exist locally with the tag: {}",
                r.familiar_repository()
            )))
        })?;
        let bytes = self.images.config_bytes(&id)?;
        let config: ImageConfig = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Image(image::Error::Damaged(format!("config of {id}: {e}"))))?;
        let client = self.registry_client(&r.domain, tls_verify)?;
        say(Transfer::Status(format!(
            "The push refers to repository [{}]",
            r.repository()
        )));
        let layers: Vec<Layer> = ImageStore::chain_ids(&config)
            .iter()
            .map(|c| self.images.layer(c))
            .collect::<std::result::Result<_, _>>()?;
        for l in layers.iter().rev() {
            say(Transfer::layer(super::short_id(&l.diff_id), "Preparing"));
        }
        let mut descs = Vec::new();
        let mut oci = false;
        for l in layers.iter().rev() {
            let blob = self.push_blob_of(l)?;
            let shown = super::short_id(&l.diff_id);
            let path = self.images.blob_path(&l.chain_id, &blob.digest);
            let denied = |e: registry::Error| match e {
                registry::Error::Unauthorized { why, .. } => Error::Invalid(format!(
                    "denied: requested access to the resource is denied ({why})"
                )),
                e => e.into(),
            };
            if client.has_blob(&r.path, &blob.digest).map_err(denied)? {
                say(Transfer::layer(shown.clone(), "Layer already exists"));
            } else if let Some(from) = self
                .mount_sources(&r, &l.chain_id)?
                .into_iter()
                .find(|from| client.mount(&r.path, &blob.digest, from).unwrap_or(false))
            {
                say(Transfer::layer(
                    shown.clone(),
                    format!("Mounted from {from}"),
                ));
            } else {
                let total = blob.size;
                let wrap = |inner: Box<dyn std::io::Read>| bar_reader(inner, total, &shown, say);
                client
                    .upload(
                        &r.path,
                        &blob.digest,
                        &path,
                        progress.then_some(&wrap as &registry::client::Wrap),
                    )
                    .map_err(denied)?;
                say(Transfer::layer(shown.clone(), "Pushed"));
            }
            oci |= blob.compression == Compression::Zstd;
            descs.push((blob, l.chain_id.clone()));
        }
        descs.reverse();
        if !client.has_blob(&r.path, &id)? {
            client.upload(&r.path, &id, &self.images.config_path(&id), None)?;
        }
        let layer_type = |b: &Blob| match (oci, b.compression) {
            (true, Compression::Zstd) => media::OCI_LAYER_ZSTD,
            (true, _) => media::OCI_LAYER_GZIP,
            (false, _) => media::DOCKER_LAYER_GZIP,
        };
        let (manifest_type, config_type) = if oci {
            (media::OCI_MANIFEST, media::OCI_CONFIG)
        } else {
            (media::DOCKER_MANIFEST, media::DOCKER_CONFIG)
        };
        let invalid = |e: String| Error::Image(crate::image::Error::Damaged(e));
        let layers = descs
            .iter()
            .map(|(b, _)| oci::descriptor(layer_type(b), &b.digest, b.size))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(invalid)?;
        let config = oci::descriptor(config_type, &id, bytes.len() as u64).map_err(invalid)?;
        let manifest = oci::manifest(manifest_type, config, layers);
        let mbytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        let tag = r.tag.clone().unwrap_or_default();
        let digest = client.put_manifest(&r.path, &tag, manifest_type, &mbytes)?;
        say(Transfer::Status(format!(
            "{tag}: digest: {digest} size: {}",
            mbytes.len()
        )));
        {
            let _guard = self.images.lock()?;
            let mut by_digest = r.clone();
            by_digest.tag = None;
            by_digest.digest = Some(digest.clone());
            self.images.set_tag(&by_digest, &id)?;
        }
        let name = r.familiar();
        self.event("image", "push", &name, &[("name", &name)]);
        Ok(digest)
    }

    /// `push --all-tags`: every local tag of the repository `name`.
    pub fn push_all_tags(
        &self,
        name: &str,
        tls_verify: bool,
        progress: bool,
        say: &dyn Fn(Transfer),
    ) -> Result<()> {
        let r = Reference::parse(name).map_err(|e| Error::Invalid(e.0))?;
        if r.tag.is_some() || r.digest.is_some() {
            return Err(Error::Invalid(
                "tag can't be used with --all-tags/-a".into(),
            ));
        }
        let mut tags: Vec<Reference> = self
            .images
            .all_refs()?
            .into_iter()
            .map(|(t, _)| t)
            .filter(|t| t.repository() == r.repository() && t.tag.is_some() && t.digest.is_none())
            .collect();
        tags.sort_by(|a, b| a.tag.cmp(&b.tag));
        if tags.is_empty() {
            return Err(Error::Image(image::Error::NotFound(format!(
                "An image does not exist locally with the tag: {}",
                r.familiar_repository()
            ))));
        }
        // docker says which repository once, then each tag's layers.
        let said = std::cell::Cell::new(false);
        let once = |t: Transfer| {
            if let Transfer::Status(l) = &t {
                if l.starts_with("The push refers to repository ") && said.replace(true) {
                    return;
                }
            }
            say(t)
        };
        for t in tags {
            self.push(&t.canonical(), tls_verify, progress, &once)?;
        }
        Ok(())
    }

    /// The compressed blob a layer goes up as: one it has (gzip or zstd),
    /// else a gzip made now from its tar and kept.
    fn push_blob_of(&self, l: &Layer) -> Result<Blob> {
        if let Some(b) = l
            .blobs
            .iter()
            .find(|b| b.compression == Compression::Gzip)
            .or_else(|| l.blobs.iter().find(|b| b.compression == Compression::Zstd))
        {
            return Ok(b.clone());
        }
        let tmp = self
            .images
            .tmp_dir()
            .join(format!("gzip-{}", ids::random_hex(8)));
        // Held while we write: another strata's sweep leaves it alone.
        let lock_path = tmp.with_extension("lock");
        let _busy = crate::util::lock::exclusive(&lock_path).map_err(|e| Error::Io {
            what: format!("locking {}", lock_path.display()),
            err: e,
        })?;
        let result = (|| {
            let (mut tar, _) = self.images.layer_tar(l)?;
            let f = std::fs::File::create(&tmp).map_err(|e| Error::Io {
                what: format!("creating {}", tmp.display()),
                err: e,
            })?;
            let hashed = hash::HashWriter::new(std::io::BufWriter::with_capacity(1 << 20, f));
            let mut gz = flate2::write::GzEncoder::new(hashed, flate2::Compression::default());
            let mut plain = hash::HashWriter::new(&mut gz);
            let io = |e| Error::Io {
                what: format!("compressing layer {}", l.chain_id),
                err: e,
            };
            std::io::copy(&mut tar, &mut plain).map_err(io)?;
            let (diff, _, _) = plain.finish();
            if diff != l.diff_id {
                return Err(Error::Image(image::Error::Damaged(format!(
                    "layer {} does not match its diff id {}",
                    l.chain_id, l.diff_id
                ))));
            }
            let hashed = gz.finish().map_err(io)?;
            let (digest, size, mut w) = hashed.finish();
            w.flush().map_err(io)?;
            let blob = Blob {
                digest,
                size,
                compression: Compression::Gzip,
            };
            self.images.add_blob(&l.chain_id, &tmp, blob.clone())?;
            Ok(blob)
        })();
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&lock_path);
        result
    }

    /// Repositories of the same registry whose images hold this layer:
    /// where a cross-repository mount may find its blob.
    fn mount_sources(&self, r: &Reference, chain: &str) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for (other, id) in self.images.all_refs()? {
            if other.domain != r.domain || other.path == r.path || out.contains(&other.path) {
                continue;
            }
            let Ok(c) = self.images.config(&id) else {
                continue;
            };
            if ImageStore::chain_ids(&c).iter().any(|x| x == chain) {
                out.push(other.path.clone());
            }
        }
        Ok(out)
    }
}

/// A reader that says docker's `Pushing [==>   ]` bar as it is read.
fn bar_reader<'a>(
    inner: Box<dyn std::io::Read>,
    total: u64,
    id: &'a str,
    say: &'a dyn Fn(Transfer),
) -> Box<dyn std::io::Read + 'a> {
    Box::new(super::progress::Progress {
        inner,
        done: 0,
        total,
        last: None,
        id,
        verb: "Pushing",
        say: Some(say),
    })
}
