//! What a listing shows of each image, kept between listings.
//!
//! `images` shows, of every image, its creation time, size, labels and
//! whether it has a parent: facts that never change for an image id (the
//! id is the sha256 of the config that holds them; a layer's size is that
//! of its content, named by its chain id; a parent is recorded once). So
//! they are kept in `images.summary` by id, and a listing reads that one
//! file and the `images/` directory instead of every config and parent
//! record: its cost grows with the images the store holds, not with the
//! bytes of their configs.
//!
//! The file is a cache, never the truth: any listing may write it (temp
//! file in `tmp/` + rename, no fsync), a missing, torn or foreign one
//! (its first line is the sha256 of the rest) is ignored and made again,
//! and an entry is used only for an id whose config `images/` still holds
//! and whose parent record is there exactly when the entry has a parent.
//! Every version of the file holds only true entries, so concurrent
//! writers need no lock: the last rename wins.

use super::{Error, ImageStore, Reference};
use crate::util::{fsx, hash, ids};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;

/// One image as a listing shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The config's `created`, as written.
    pub created: Option<String>,
    /// The sum of its layers' sizes.
    pub size: u64,
    /// The image it was made on here, when recorded.
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// An image with its references and summary.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    pub summary: Summary,
    pub tags: Vec<Reference>,
    pub digests: Vec<Reference>,
}

#[derive(Default, Serialize, Deserialize)]
struct Cache {
    /// Summaries by image id hex.
    images: BTreeMap<String, Summary>,
}

const FILE: &str = "images.summary";

impl ImageStore {
    /// Every image with its references and summary, each summary read
    /// from the cache when it holds it and made from the config otherwise.
    pub fn summaries(&self) -> Result<Vec<Listed>, Error> {
        let mut by_id: BTreeMap<String, Vec<Reference>> = BTreeMap::new();
        for (k, v) in self.load_refs()?.refs {
            if let Ok(r) = Reference::parse(&k) {
                by_id.entry(v).or_default().push(r);
            }
        }
        let dir = self.root.join("images");
        let mut configs = Vec::new();
        let mut parents = BTreeSet::new();
        for e in fs::read_dir(&dir).map_err(super::io_err(&dir))?.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let (hex, is_config) = match name.split_once('.') {
                Some((h, "json")) => (h, true),
                Some((h, "parent")) => (h, false),
                _ => continue,
            };
            if hex.len() != 64 || !ids::is_hex(hex) {
                continue;
            }
            if is_config {
                configs.push(hex.to_string());
            } else {
                parents.insert(hex.to_string());
            }
        }
        let mut old = self.load_cache();
        let mut size_of = self.sizer_checked();
        let mut out = Vec::with_capacity(configs.len());
        // Whether the file should be written again: an entry made here, or
        // one of an image that is gone.
        let mut changed = false;
        let mut uncached = BTreeSet::new();
        for hex in configs {
            let has_parent = parents.contains(&hex);
            let id = format!("sha256:{hex}");
            let summary = match old.images.remove(&hex) {
                Some(s) if s.parent.is_some() == has_parent => s,
                _ => {
                    let Ok(config) = self.config(&id) else {
                        continue;
                    };
                    let (size, whole) = size_of(&config);
                    let s = Summary {
                        created: config.created,
                        size,
                        parent: has_parent.then(|| self.recorded_parent(&id)).flatten(),
                        labels: config.config.labels.unwrap_or_default(),
                    };
                    // A size short of a missing layer is not kept: the
                    // layer may come back (a pull repairs it).
                    if whole && s.parent.is_some() == has_parent {
                        changed = true;
                    } else {
                        uncached.insert(id.clone());
                    }
                    s
                }
            };
            out.push(self.listed(id, summary, &mut by_id));
        }
        if changed || !old.images.is_empty() {
            let cache = Cache {
                images: out
                    .iter()
                    .filter(|l| !uncached.contains(&l.id))
                    .map(|l| (hash::hex_part(&l.id).to_string(), l.summary.clone()))
                    .collect(),
            };
            self.save_cache(&cache);
        }
        Ok(out)
    }

    fn listed(
        &self,
        id: String,
        summary: Summary,
        by_id: &mut BTreeMap<String, Vec<Reference>>,
    ) -> Listed {
        let (digests, tags) = by_id
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .partition(|r| r.digest.is_some());
        Listed {
            id,
            summary,
            tags,
            digests,
        }
    }

    /// The cache as last written; empty when missing or not whole.
    fn load_cache(&self) -> Cache {
        let Ok(bytes) = fsx::read(&self.root.join(FILE)) else {
            return Cache::default();
        };
        let Some(nl) = bytes.iter().position(|b| *b == b'\n') else {
            return Cache::default();
        };
        let (sum, body) = (&bytes[..nl], &bytes[nl + 1..]);
        if sum != hash::sha256_digest(body).as_bytes() {
            return Cache::default();
        }
        serde_json::from_slice(body).unwrap_or_default()
    }

    /// Writes the cache; a listing that cannot (a full disk, a store
    /// being swept) lists all the same.
    fn save_cache(&self, cache: &Cache) {
        let Ok(body) = serde_json::to_vec(cache) else {
            return;
        };
        let mut bytes = hash::sha256_digest(&body).into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(&body);
        // In tmp/, where a crash's leftover is swept; no dot in the name
        // (the sweep pairs `X` with `X.lock`).
        let tmp = self
            .tmp_dir()
            .join(format!("images-summary-{}", ids::random_hex(6)));
        if fsx::write_new_private(&tmp, &bytes).is_err()
            || fs::rename(&tmp, self.root.join(FILE)).is_err()
        {
            let _ = fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store in a temp dir that goes with it.
    struct Temp(std::path::PathBuf);

    impl Temp {
        fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn store() -> (Temp, ImageStore) {
        let t = Temp(std::env::temp_dir().join(format!("strata-summary-{}", ids::random_hex(6))));
        let s = ImageStore::open(t.path()).unwrap();
        (t, s)
    }

    fn config(n: u32, labels: &str) -> Vec<u8> {
        format!(
            r#"{{"architecture":"amd64","os":"linux","created":"2026-01-0{n}T00:00:00Z","config":{{"Labels":{labels}}},"rootfs":{{"type":"layers","diff_ids":[]}}}}"#
        )
        .into_bytes()
    }

    fn listed(s: &ImageStore) -> Vec<(String, Summary)> {
        let mut v: Vec<_> = s
            .summaries()
            .unwrap()
            .into_iter()
            .map(|l| (l.id, l.summary))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    #[test]
    fn a_listing_is_the_same_from_the_configs_and_from_the_cache() {
        let (t, s) = store();
        let a = s.put_config(&config(1, r#"{"x":"1"}"#)).unwrap();
        let b = s.put_config_on(&config(2, "null"), &a).unwrap();
        let first = listed(&s);
        assert!(t.path().join(FILE).is_file());
        assert_eq!(first.len(), 2);
        let of = |id: &str| first.iter().find(|(i, _)| i == id).unwrap().1.clone();
        assert_eq!(of(&a).labels.get("x").map(String::as_str), Some("1"));
        assert_eq!(of(&a).parent, None);
        assert_eq!(of(&b).parent.as_deref(), Some(a.as_str()));
        assert_eq!(of(&b).created.as_deref(), Some("2026-01-02T00:00:00Z"));
        // Read again: the same, from the cache alone (the configs are not
        // read: one made unreadable still lists).
        let p = s.config_path(&b);
        let bytes = fs::read(&p).unwrap();
        fs::write(&p, b"not json").unwrap();
        assert_eq!(listed(&s), first);
        fs::write(&p, bytes).unwrap();
    }

    #[test]
    fn a_torn_or_foreign_cache_is_ignored_and_made_again() {
        let (t, s) = store();
        let a = s.put_config(&config(1, "null")).unwrap();
        let first = listed(&s);
        let cache = t.path().join(FILE);
        let good = fs::read(&cache).unwrap();
        for bad in [
            good[..good.len() / 2].to_vec(),
            Vec::new(),
            b"\n{}".to_vec(),
            // A well-formed body under the wrong sum (another file's bytes).
            [
                b"sha256:00\n".as_slice(),
                &good[good.iter().position(|b| *b == b'\n').unwrap() + 1..],
            ]
            .concat(),
        ] {
            fs::write(&cache, &bad).unwrap();
            assert_eq!(listed(&s), first, "{}", String::from_utf8_lossy(&bad));
            assert_eq!(fs::read(&cache).unwrap(), good);
        }
        assert_eq!(first[0].0, a);
    }

    #[test]
    fn entries_follow_the_images_the_store_holds() {
        let (t, s) = store();
        let a = s.put_config(&config(1, "null")).unwrap();
        let b = s.put_config(&config(2, "null")).unwrap();
        assert_eq!(listed(&s).len(), 2);
        // A removed image leaves the listing and the cache.
        s.remove_config(&b).unwrap();
        assert_eq!(listed(&s).len(), 1);
        let cache = fs::read_to_string(t.path().join(FILE)).unwrap();
        assert!(!cache.contains(hash::hex_part(&b)), "{cache}");
        // A parent recorded after the image was listed is seen.
        let c = s.put_config(&config(3, "null")).unwrap();
        assert_eq!(listed(&s).iter().find(|x| x.0 == c).unwrap().1.parent, None);
        s.put_config_on(&config(3, "null"), &a).unwrap();
        assert_eq!(
            listed(&s)
                .iter()
                .find(|x| x.0 == c)
                .unwrap()
                .1
                .parent
                .as_deref(),
            Some(a.as_str())
        );
        // Nothing is left in tmp/.
        assert_eq!(fs::read_dir(t.path().join("tmp")).unwrap().count(), 0);
    }

    #[test]
    fn an_image_whose_layer_is_missing_is_listed_but_not_cached() {
        let (t, s) = store();
        let cfg = r#"{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#;
        s.put_config(cfg.as_bytes()).unwrap();
        let l = listed(&s);
        assert_eq!((l.len(), l[0].1.size), (1, 0));
        assert!(!t.path().join(FILE).exists());
    }
}
