//! `pull`: a manifest (an index picks this platform), the config, and the
//! layers this store lacks, downloaded in parallel and streamed straight
//! through digest checks and decompression into layer directories in tmp/
//! (no temp file of a whole blob; the blob itself is kept beside the
//! files, for `save` and `push`). A layer is stored only once both its
//! blob digest and its diff id match; the image is tagged only when all
//! are stored. Lines are docker's (`Pulling fs layer`, `Pull complete`).

use super::progress::Transfer;
use super::{Engine, Error, Result};
use crate::image::{self, ImageConfig, Reference, Staged};
use crate::oci::{self, media, Index, Manifest};
use crate::registry::{self, auth, Client};
use crate::util::hash;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Layers downloaded at once (docker's default is 3).
const PARALLEL: usize = 3;

/// What a pull ended with.
#[derive(Debug, Clone)]
pub struct Pulled {
    pub id: String,
    /// The reference as pulled (`docker.io/library/busybox:latest`).
    pub reference: Reference,
}

/// How to pull.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// `os/arch[/variant]` to pick from an index (default: this machine).
    pub platform: Option<String>,
    /// Say docker's download bars too (on a terminal).
    pub progress: bool,
    /// False: plain HTTP for this registry.
    pub tls_verify: bool,
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            platform: None,
            progress: false,
            tls_verify: true,
        }
    }
}

/// When `run`, `create` and `build` pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PullPolicy {
    Always,
    #[default]
    Missing,
    Never,
}

impl std::str::FromStr for PullPolicy {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "always" => Ok(PullPolicy::Always),
            "missing" => Ok(PullPolicy::Missing),
            "never" => Ok(PullPolicy::Never),
            other => Err(format!(
                "invalid pull option: '{other}': must be one of \"always\"|\"missing\"|\"never\""
            )),
        }
    }
}

/// The registries reached over plain HTTP besides loopback ones: the
/// settings' (`STRATA_INSECURE_REGISTRIES`) and docker's
/// `insecure-registries` in /etc/docker/daemon.json.
pub(super) fn insecure_registries(settings: &super::Settings) -> Vec<String> {
    let mut out = settings.insecure_registries.clone();
    if let Ok(b) = std::fs::read("/etc/docker/daemon.json") {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&b) {
            if let Some(list) = v.get("insecure-registries").and_then(|l| l.as_array()) {
                out.extend(list.iter().filter_map(|x| x.as_str().map(String::from)));
            }
        }
    }
    out
}

fn unsupported(what: &str) -> Error {
    Error::Registry(registry::Error::Protocol(format!(
        "unsupported manifest media type and no default available: {what}"
    )))
}

impl Engine {
    /// A client for a registry, with the stored login for it.
    pub(super) fn registry_client(&self, domain: &str, tls_verify: bool) -> Result<Client> {
        let creds = auth::lookup(&self.settings.docker_config, domain)?;
        let plain = registry::client::plain_http(domain, &insecure_registries(&self.settings))
            || !tls_verify;
        Ok(Client::new(domain, creds, plain))
    }

    /// `pull --all-tags`: every tag the registry has for the repository.
    pub fn pull_all_tags(
        &self,
        name: &str,
        opts: &PullOptions,
        say: &dyn Fn(Transfer),
    ) -> Result<Reference> {
        let r = Reference::parse(name).map_err(|e| Error::Invalid(e.0))?;
        if r.tag.is_some() || r.digest.is_some() {
            return Err(Error::Invalid(
                "tag can't be used with --all-tags/-a".into(),
            ));
        }
        let client = self.registry_client(&r.domain, opts.tls_verify)?;
        let mut tags = client.tags(&r.path)?;
        tags.sort();
        if tags.is_empty() {
            return Err(Error::Invalid(format!(
                "repository {} has no tags",
                r.familiar_repository()
            )));
        }
        for t in tags {
            let mut one = r.clone();
            one.tag = Some(t);
            self.pull(&one.canonical(), opts, say)?;
        }
        Ok(r)
    }

    /// Pulls `name`; `say` gets docker's progress lines (with `progress`,
    /// the download bars too).
    pub fn pull(&self, name: &str, opts: &PullOptions, say: &dyn Fn(Transfer)) -> Result<Pulled> {
        // The layers it stores are garbage to no collector until its
        // config and tag name them.
        let _lease = self.images.lease()?;
        let platform = opts.platform.as_deref();
        let progress = opts.progress;
        let mut r = Reference::parse(name).map_err(|e| Error::Invalid(e.0))?;
        if r.tag.is_none() && r.digest.is_none() {
            say(Transfer::Status("Using default tag: latest".into()));
            r.tag = Some("latest".into());
        }
        self.sweep();
        let client = self.registry_client(&r.domain, opts.tls_verify)?;
        let wanted = r
            .digest
            .clone()
            .or_else(|| r.tag.clone())
            .unwrap_or_default();
        let top = client.manifest(&r.path, &wanted).map_err(|e| match e {
            registry::Error::Status { code: 404, text, .. } => Error::Invalid(format!(
                "manifest for {} not found: {text}",
                r.familiar()
            )),
            registry::Error::Unauthorized { why, .. } => Error::Invalid(format!(
                "pull access denied for {}, repository does not exist or may require 'strata login': {why}",
                r.familiar_repository()
            )),
            e => e.into(),
        })?;
        say(Transfer::Status(format!(
            "{wanted}: Pulling from {}",
            r.path
        )));
        if let Some(d) = &r.digest {
            if &top.digest != d {
                return Err(Error::Invalid(format!(
                    "manifest verification failed for digest {d}"
                )));
            }
        }
        let (manifest_bytes, manifest_type) = if media::is_index(&top.media_type) {
            let index: Index = serde_json::from_slice(&top.bytes)
                .map_err(|e| Error::Invalid(format!("invalid index {}: {e}", top.digest)))?;
            let pick = super::load::pick_platform(&index, platform).ok_or_else(|| {
                Error::Invalid(format!(
                    "no matching manifest for {} in the manifest list entries",
                    platform
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("linux/{}", super::import::arch()))
                ))
            })?;
            let m = client.manifest(&r.path, &oci::digest_of(&pick))?;
            if m.digest != oci::digest_of(&pick) {
                return Err(Error::Invalid(format!(
                    "manifest verification failed for digest {}",
                    oci::digest_of(&pick)
                )));
            }
            (m.bytes, m.media_type)
        } else {
            (top.bytes.clone(), top.media_type.clone())
        };
        if manifest_type == media::DOCKER_SCHEMA1 || manifest_type == media::DOCKER_SCHEMA1_SIGNED {
            return Err(Error::Invalid(format!(
                "{} is a docker v2 schema 1 image, which strata does not pull: push it again with a current client",
                r.familiar()
            )));
        }
        if !media::is_manifest(&manifest_type) {
            return Err(unsupported(&manifest_type));
        }
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|e| Error::Invalid(format!("invalid manifest: {e}")))?;
        for l in manifest.layers() {
            let ok = matches!(
                oci::media_of(l).as_str(),
                media::DOCKER_LAYER_GZIP
                    | media::DOCKER_LAYER_FOREIGN
                    | media::OCI_LAYER
                    | media::OCI_LAYER_GZIP
                    | media::OCI_LAYER_ZSTD
                    | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
            );
            if !ok {
                return Err(Error::Invalid(format!(
                    "unsupported layer media type {}",
                    oci::media_of(l)
                )));
            }
        }
        // The config: small, read whole and checked.
        let mut config_bytes = Vec::new();
        client
            .blob(&r.path, &oci::digest_of(manifest.config()))?
            .take(64 << 20)
            .read_to_end(&mut config_bytes)
            .map_err(|e| Error::Io {
                what: format!("reading config {}", oci::digest_of(manifest.config())),
                err: e,
            })?;
        if hash::sha256_digest(&config_bytes) != oci::digest_of(manifest.config()) {
            return Err(Error::Invalid(format!(
                "image config verification failed for digest {}",
                oci::digest_of(manifest.config())
            )));
        }
        let config: ImageConfig = serde_json::from_slice(&config_bytes)
            .map_err(|e| Error::Invalid(format!("invalid image config: {e}")))?;
        let diff_ids = &config.rootfs.diff_ids;
        if diff_ids.len() != manifest.layers().len() {
            return Err(Error::Invalid(format!(
                "the manifest lists {} layers, the image config {}",
                manifest.layers().len(),
                diff_ids.len()
            )));
        }
        let chains = hash::chain_ids(diff_ids);
        let mut todo = Vec::new();
        for (i, l) in manifest.layers().iter().enumerate() {
            if self.images.layer(&chains[i]).is_ok() {
                say(Transfer::layer(
                    super::short_id(&oci::digest_of(l)),
                    "Already exists",
                ));
            } else {
                say(Transfer::layer(
                    super::short_id(&oci::digest_of(l)),
                    "Pulling fs layer",
                ));
                todo.push(i);
            }
        }
        // Beyond the parallel downloads, a layer waits its turn (docker
        // says so).
        for &i in todo.iter().skip(PARALLEL) {
            say(Transfer::layer(
                super::short_id(&oci::digest_of(&manifest.layers()[i])),
                "Waiting",
            ));
        }
        // Download and unpack in parallel; store in order, each layer as
        // soon as those below it are stored. Workers report through a
        // channel: the lines are printed here, on this thread.
        let results: Vec<Mutex<Option<Result<Staged>>>> =
            manifest.layers().iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let failed = std::sync::atomic::AtomicBool::new(false);
        let images = &self.images;
        let mut first_err: Option<Error> = None;
        let mut stored = 0usize;
        let mut store_ready = |upto_all: bool, first_err: &mut Option<Error>| {
            while stored < results.len() {
                let mut slot = results[stored].lock().unwrap();
                let i = stored;
                if !todo.contains(&i) {
                    stored += 1;
                    continue;
                }
                match slot.take() {
                    None if upto_all => {}
                    None => break,
                    Some(Ok(staged)) => {
                        let parent = i.checked_sub(1).map(|p| chains[p].as_str());
                        match self.images.commit_staged(staged, parent) {
                            Ok(_) => say(Transfer::layer(
                                super::short_id(&oci::digest_of(&manifest.layers()[i])),
                                "Pull complete",
                            )),
                            Err(e) => {
                                first_err.get_or_insert(Error::from(e));
                            }
                        }
                    }
                    Some(Err(e)) => {
                        first_err.get_or_insert(e);
                    }
                }
                stored += 1;
            }
        };
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel::<Option<Transfer>>();
            for _ in 0..PARALLEL.min(todo.len()) {
                let tx = tx.clone();
                let (next, failed, todo, results) = (&next, &failed, &todo, &results);
                let (client, manifest, diff_ids, path) = (&client, &manifest, diff_ids, &r.path);
                s.spawn(move || loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&i) = todo.get(k) else { break };
                    if failed.load(Ordering::SeqCst) {
                        break;
                    }
                    let desc = &manifest.layers()[i];
                    let line = |t: Transfer| {
                        let _ = tx.send(Some(t));
                    };
                    let got =
                        fetch_layer(images, client, path, desc, &diff_ids[i], progress, &line);
                    if got.is_err() {
                        failed.store(true, Ordering::SeqCst);
                    }
                    *results[i].lock().unwrap() = Some(got);
                    let _ = tx.send(None);
                });
            }
            drop(tx);
            for msg in rx {
                match msg {
                    Some(t) => say(t),
                    None => store_ready(false, &mut first_err),
                }
            }
        });
        store_ready(true, &mut first_err);
        if let Some(e) = first_err {
            return Err(e);
        }
        let id = self.images.put_config(&config_bytes)?;
        let mut changed = true;
        {
            let _guard = self.images.lock()?;
            if r.tag.is_some() && r.digest.is_none() {
                changed = self.images.tagged(&r)?.as_deref() != Some(id.as_str());
                self.images.set_tag(&r, &id)?;
            }
            let mut by_digest = r.clone();
            by_digest.tag = None;
            by_digest.digest = Some(top.digest.clone());
            if self.images.tagged(&by_digest)?.as_deref() == Some(id.as_str()) && r.tag.is_none() {
                changed = false;
            }
            self.images.set_tag(&by_digest, &id)?;
        }
        say(Transfer::Status(format!("Digest: {}", top.digest)));
        let shown = r.familiar();
        if changed {
            say(Transfer::Status(format!(
                "Status: Downloaded newer image for {shown}"
            )));
        } else {
            say(Transfer::Status(format!(
                "Status: Image is up to date for {shown}"
            )));
        }
        self.event("image", "pull", &r.familiar(), &[("name", &r.familiar())]);
        Ok(Pulled { id, reference: r })
    }
}

/// One layer: the blob stream through its digest, decompression and
/// unpacking, into a staged directory; both digests checked.
fn fetch_layer(
    images: &image::ImageStore,
    client: &Client,
    repo: &str,
    desc: &crate::oci::Descriptor,
    diff_id: &str,
    progress: bool,
    say: &dyn Fn(Transfer),
) -> Result<Staged> {
    let want = oci::digest_of(desc);
    let id = super::short_id(&want);
    let stream = client.blob(repo, &want)?;
    // A registry that sends more than the manifest said is cut off.
    let limited = super::progress::Progress {
        inner: stream.take(desc.size().saturating_add(1)),
        done: 0,
        total: desc.size(),
        last: None,
        id: &id,
        verb: "Downloading",
        say: progress.then_some(say),
    };
    let verify_failed = || {
        Error::Invalid(format!(
            "filesystem layer verification failed for digest {}",
            want
        ))
    };
    let staged = images.stage_layer(limited, true).map_err(|e| match e {
        image::Error::BadLayer { size, .. } if size < desc.size() => Error::Invalid(format!(
            "failed to download layer {id}: unexpected EOF: the connection ended after {size} of {} bytes",
            desc.size()
        )),
        image::Error::BadLayer { digest, size, .. }
            if digest != want || size != desc.size() =>
        {
            verify_failed()
        }
        e => Error::Invalid(format!("failed to register layer {id}: {e}")),
    })?;
    let blob = staged.blob.clone().unwrap_or(image::Blob {
        digest: String::new(),
        size: 0,
        compression: crate::archive::Compression::None,
    });
    say(Transfer::layer(id.clone(), "Verifying Checksum"));
    if blob.digest != want || blob.size != desc.size() {
        return Err(verify_failed());
    }
    if staged.diff_id != diff_id {
        return Err(Error::Invalid(format!(
            "layer {id}: its content {} is not the diff id the config names, {diff_id}",
            staged.diff_id
        )));
    }
    say(Transfer::layer(id.clone(), "Download complete"));
    Ok(staged)
}
