//! The volume store: `<root>/volumes/<name>/_data` (what containers
//! mount) and `<root>/volumes/<name>/volume.json` (driver, labels,
//! options, when it was made, whether it is anonymous). A volume is made
//! whole in `volumes/.tmp/` and renamed into place, so a killed strata
//! leaves either no volume or a whole one; removal renames it out first.
//! Who uses a volume is in the container records, not here: the engine
//! checks before it removes one, under this store's lock.

use crate::util::{fsx, ids, lock, time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum Error {
    /// docker's `no such volume`.
    NotFound(String),
    /// A name docker would refuse.
    InvalidName(String),
    Invalid(String),
    Io {
        what: String,
        err: io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound(n) => write!(f, "get {n}: no such volume"),
            Error::InvalidName(n) => write!(
                f,
                "create {n}: \"{n}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
            ),
            Error::Invalid(m) => f.write_str(m),
            Error::Io { what, err } => write!(f, "{what}: {err}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
    let what = what.into();
    move |err| Error::Io { what, err }
}

/// A volume's record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    pub name: String,
    pub driver: String,
    pub labels: BTreeMap<String, String>,
    /// The local driver's `-o` options (`type`, `device`, `o`).
    pub options: BTreeMap<String, String>,
    /// RFC 3339, seconds.
    pub created: String,
    /// Made for a container (`-v /path`, an image's VOLUME): `rm -v` and
    /// `volume prune` without `-a` remove these.
    #[serde(default)]
    pub anonymous: bool,
}

/// docker's rule for a local volume's name: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn valid_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next().is_some_and(|f| f.is_ascii_alphanumeric())
        && n.len() >= 2
        && c.all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '-'))
}

/// The local driver's options, checked as docker's are.
fn check_options(options: &BTreeMap<String, String>) -> Result<()> {
    for k in options.keys() {
        if !matches!(k.as_str(), "type" | "device" | "o" | "size") {
            return Err(Error::Invalid(format!("create: invalid option key: {k:?}")));
        }
    }
    match options.get("type").map(String::as_str) {
        None if options.is_empty() => Ok(()),
        None => Err(Error::Invalid(
            "create: missing required option: \"type\"".into(),
        )),
        Some("tmpfs") => Ok(()),
        Some("none") => match (options.get("device"), options.get("o")) {
            (Some(d), Some(o)) if d.starts_with('/') && o.split(',').any(|x| x == "bind") => Ok(()),
            _ => Err(Error::Invalid(
                "create: type=none needs an absolute device and o=bind".into(),
            )),
        },
        Some(t) => Err(Error::Invalid(format!(
            "create: the local driver here mounts type=tmpfs or type=none (bind), not {t:?}"
        ))),
    }
}

pub struct VolumeStore {
    dir: PathBuf,
}

impl VolumeStore {
    /// The store under `root`; its directory is made on first use (a
    /// `run` without volumes never touches it).
    pub fn open(root: &Path) -> Result<VolumeStore> {
        Ok(VolumeStore {
            dir: root.join("volumes"),
        })
    }

    /// Held while volumes are made, taken by containers or removed.
    pub fn lock(&self) -> Result<lock::LockGuard> {
        std::fs::create_dir_all(self.dir.join(".tmp"))
            .map_err(io_err(format!("mkdir {}", self.dir.display())))?;
        let p = self.dir.join(".lock");
        lock::exclusive(&p).map_err(io_err(format!("lock {}", p.display())))
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Where a volume's files are (what containers mount).
    pub fn data(&self, name: &str) -> PathBuf {
        self.path(name).join("_data")
    }

    /// Makes a volume (a random name for `None`); an existing one of the
    /// same name is returned as it is, as docker does. The bool says
    /// whether it is new.
    pub fn create(
        &self,
        name: Option<&str>,
        labels: BTreeMap<String, String>,
        options: BTreeMap<String, String>,
        anonymous: bool,
    ) -> Result<(Volume, bool)> {
        let name = match name {
            Some(n) if !valid_name(n) => return Err(Error::InvalidName(n.to_string())),
            Some(n) => n.to_string(),
            None => ids::random_hex(32),
        };
        check_options(&options)?;
        if let Ok(v) = self.get(&name) {
            return Ok((v, false));
        }
        let v = Volume {
            name: name.clone(),
            driver: "local".into(),
            labels,
            options,
            // docker's volumes carry whole seconds: `2026-12-01T16:55:20Z`.
            created: time::rfc3339(time::now_nanos())
                .split('.')
                .next()
                .unwrap_or_default()
                .to_string()
                + "Z",
            anonymous,
        };
        let _ = std::fs::create_dir_all(self.dir.join(".tmp"));
        let tmp = self.dir.join(".tmp").join(ids::random_hex(8));
        let made = (|| -> io::Result<()> {
            std::fs::create_dir_all(tmp.join("_data"))?;
            let json = serde_json::to_vec_pretty(&v).map_err(io::Error::other)?;
            fsx::write_atomic(&tmp.join("volume.json"), &json)?;
            std::fs::rename(&tmp, self.path(&name))?;
            fsx::sync_dir(&self.dir)
        })();
        if let Err(err) = made {
            let _ = fsx::remove_tree(&tmp);
            // Made meanwhile by another strata: that one is it.
            if let Ok(v) = self.get(&name) {
                return Ok((v, false));
            }
            return Err(Error::Io {
                what: format!("create volume {name}"),
                err,
            });
        }
        Ok((v, true))
    }

    pub fn get(&self, name: &str) -> Result<Volume> {
        if !valid_name(name) {
            return Err(Error::NotFound(name.to_string()));
        }
        let p = self.path(name).join("volume.json");
        let bytes = std::fs::read(&p).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => Error::NotFound(name.to_string()),
            _ => Error::Io {
                what: format!("read {}", p.display()),
                err: e,
            },
        })?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Invalid(format!("{}: {e}", p.display())))
    }

    /// Every volume, by name.
    pub fn list(&self) -> Result<Vec<Volume>> {
        let mut out = Vec::new();
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(io_err(format!("read {}", self.dir.display()))(e)),
        };
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.starts_with('.') {
                continue;
            }
            if let Ok(v) = self.get(&n) {
                out.push(v);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Removes a volume and its files (the caller checked it is unused).
    /// A tmpfs volume's mount goes first.
    pub fn remove(&self, name: &str) -> Result<()> {
        self.get(name)?;
        let _ = self.unmount(name);
        let gone = self
            .dir
            .join(".tmp")
            .join(format!("rm-{}", ids::random_hex(8)));
        std::fs::rename(self.path(name), &gone).map_err(io_err(format!("remove {name}")))?;
        fsx::remove_tree(&gone).map_err(io_err(format!("remove {name}")))
    }

    /// Mounts what a volume's options ask for (a tmpfs, a bind of a host
    /// directory) on its `_data`, once; returns the directory to mount in
    /// containers.
    pub fn mount_point(&self, v: &Volume) -> Result<PathBuf> {
        let data = self.data(&v.name);
        match v.options.get("type").map(String::as_str) {
            None => Ok(data),
            Some("none") => Ok(PathBuf::from(
                v.options.get("device").cloned().unwrap_or_default(),
            )),
            Some(_) => {
                if !is_mount_point(&data) {
                    let o = v.options.get("o").cloned().unwrap_or_default();
                    nix::mount::mount(
                        Some("tmpfs"),
                        &data,
                        Some("tmpfs"),
                        nix::mount::MsFlags::MS_NOSUID | nix::mount::MsFlags::MS_NODEV,
                        (!o.is_empty()).then_some(o.as_str()),
                    )
                    .map_err(|e| Error::Io {
                        what: format!("mount the tmpfs of volume {}", v.name),
                        err: io::Error::from(e),
                    })?;
                }
                Ok(data)
            }
        }
    }

    fn unmount(&self, name: &str) -> io::Result<()> {
        let data = self.data(name);
        if is_mount_point(&data) {
            nix::mount::umount2(&data, nix::mount::MntFlags::MNT_DETACH)
                .map_err(io::Error::from)?;
        }
        Ok(())
    }

    /// Bytes in a volume's files.
    pub fn size(&self, name: &str) -> u64 {
        fsx::tree_size(&self.data(name))
    }

    /// Leftovers of a killed create or remove.
    pub fn sweep(&self) {
        if let Ok(rd) = std::fs::read_dir(self.dir.join(".tmp")) {
            for e in rd.flatten() {
                let _ = fsx::remove_tree(&e.path());
            }
        }
    }
}

fn is_mount_point(p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(p), p.parent().map(std::fs::metadata)) {
        (Ok(a), Some(Ok(b))) => a.dev() != b.dev(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_docker_s_rule() {
        for ok in ["data", "my-vol_1.x", "a1", "0abc"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["a", "a!", "-x", ".x", "a/b", "", "über"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn create_is_whole_idempotent_and_remove_takes_everything() {
        let root = std::env::temp_dir().join(format!("strata-vol-{}", ids::random_hex(6)));
        let s = VolumeStore::open(&root).unwrap();
        let (v, new) = s
            .create(Some("data"), Default::default(), Default::default(), false)
            .unwrap();
        assert!(new && v.driver == "local" && s.data("data").is_dir());
        let (_, again) = s
            .create(Some("data"), Default::default(), Default::default(), false)
            .unwrap();
        assert!(!again);
        let (anon, _) = s
            .create(None, Default::default(), Default::default(), true)
            .unwrap();
        assert_eq!(anon.name.len(), 64);
        assert_eq!(s.list().unwrap().len(), 2);
        assert!(matches!(
            s.create(Some("a!"), Default::default(), Default::default(), false),
            Err(Error::InvalidName(_))
        ));
        let bad = BTreeMap::from([("type".to_string(), "nfs".to_string())]);
        assert!(s.create(Some("n"), Default::default(), bad, false).is_err());
        std::fs::write(s.data("data").join("f"), "x").unwrap();
        s.remove("data").unwrap();
        assert!(matches!(s.get("data"), Err(Error::NotFound(_))));
        assert!(matches!(s.remove("data"), Err(Error::NotFound(_))));
        assert_eq!(
            std::fs::read_dir(root.join("volumes/.tmp"))
                .unwrap()
                .count(),
            0
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
