//! A container's mounts: docker's `-v` and `--mount` syntax, named and
//! anonymous volumes (made on first use), `--volumes-from`, the image's
//! VOLUMEs, and what `inspect` shows of them. The `volume` commands.

use super::{Engine, Error, Result};
use crate::container::{Mount, Record};
use crate::volume::{self, Volume as VolumeRecord};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a requested mount comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A host path (bind).
    Host(PathBuf),
    /// A named volume, made if missing.
    Named(String),
    /// A new volume of a random name.
    Anonymous,
    /// A tmpfs with these options.
    Tmpfs(String),
}

/// One `-v` or `--mount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub source: Source,
    pub target: String,
    pub readonly: bool,
    pub nocopy: bool,
    /// `-v` makes a missing host directory; `--mount type=bind` refuses it.
    pub make_host_dir: bool,
    /// docker's `Mode` text.
    pub mode: String,
}

fn invalid(spec: &str, why: &str) -> Error {
    Error::Invalid(format!("invalid volume specification: '{spec}'{why}"))
}

impl Volume {
    /// docker's `-v [SOURCE:]TARGET[:OPTIONS]`.
    pub fn parse(spec: &str) -> Result<Volume> {
        let parts: Vec<&str> = spec.split(':').collect();
        let (src, dst, opts) = match parts.as_slice() {
            [d] => ("", *d, ""),
            [s, d] => (*s, *d, ""),
            [s, d, m] => (*s, *d, *m),
            _ => return Err(invalid(spec, "")),
        };
        if dst.is_empty() || !dst.starts_with('/') {
            return Err(invalid(
                spec,
                &format!(": invalid mount config for type \"volume\": invalid mount path: '{dst}' mount path must be absolute"),
            ));
        }
        let mut readonly = false;
        let mut nocopy = false;
        for o in opts.split(',').filter(|o| !o.is_empty()) {
            match o {
                "ro" => readonly = true,
                "rw" => readonly = false,
                "nocopy" => nocopy = true,
                // SELinux labels (none here), propagation, consistency.
                "z" | "Z" | "private" | "rprivate" | "shared" | "rshared" | "slave" | "rslave"
                | "consistent" | "cached" | "delegated" => {}
                m => return Err(Error::Invalid(format!("invalid mode: {m}"))),
            }
        }
        let source = if src.is_empty() {
            Source::Anonymous
        } else if src.starts_with('/') {
            Source::Host(PathBuf::from(src))
        } else if volume::valid_name(src) {
            Source::Named(src.to_string())
        } else {
            return Err(Error::Invalid(
                volume::Error::InvalidName(src.into()).to_string(),
            ));
        };
        if matches!(source, Source::Host(_)) && nocopy {
            return Err(Error::Invalid(format!(
                "invalid mode: nocopy is for volumes, not binds: '{spec}'"
            )));
        }
        let mode = match (&source, opts) {
            (Source::Named(_), "") => "z".to_string(),
            (_, o) => o.to_string(),
        };
        Ok(Volume {
            source,
            target: clean(dst),
            readonly,
            nocopy,
            make_host_dir: true,
            mode,
        })
    }

    /// docker's `--mount type=bind|volume|tmpfs,source=,target=,...`.
    pub fn parse_mount(spec: &str) -> Result<Volume> {
        let bad = |why: String| {
            Error::Invalid(format!(
                "invalid argument \"{spec}\" for \"--mount\" flag: {why}"
            ))
        };
        let mut kind = "volume".to_string();
        let (mut src, mut dst) = (None::<String>, None::<String>);
        let (mut readonly, mut nocopy) = (false, false);
        let mut tmpfs = Vec::new();
        for field in spec.split(',').filter(|f| !f.is_empty()) {
            let (k, v) = match field.split_once('=') {
                Some((k, v)) => (k.trim().to_lowercase(), Some(v.trim().to_string())),
                None => (field.trim().to_lowercase(), None),
            };
            let flag = |v: &Option<String>| -> Result<bool> {
                match v.as_deref() {
                    None | Some("1") | Some("true") => Ok(true),
                    Some("0") | Some("false") => Ok(false),
                    Some(o) => Err(bad(format!("invalid value for {k}: {o}"))),
                }
            };
            match k.as_str() {
                "type" => kind = v.unwrap_or_default(),
                "source" | "src" => src = v,
                "target" | "destination" | "dst" => dst = v,
                "readonly" | "ro" => readonly = flag(&v)?,
                "volume-nocopy" => nocopy = flag(&v)?,
                "tmpfs-size" => {
                    let raw = v.clone().unwrap_or_default();
                    let n = crate::runtime::limits::parse_size(&raw)
                        .ok_or_else(|| bad(format!("invalid tmpfs-size {raw:?}")))?;
                    tmpfs.push(format!("size={n}"));
                }
                "tmpfs-mode" => {
                    let m = v.unwrap_or_default();
                    u32::from_str_radix(&m, 8)
                        .map_err(|_| bad(format!("invalid tmpfs-mode {m}")))?;
                    tmpfs.push(format!("mode={m}"));
                }
                "bind-propagation" | "consistency" | "bind-nonrecursive" => {}
                "volume-driver" if v.as_deref() == Some("local") => {}
                other => return Err(bad(format!("unexpected key '{other}' in '{field}'"))),
            }
        }
        let target = dst.ok_or_else(|| bad("target is required".into()))?;
        if !target.starts_with('/') {
            return Err(bad(format!(
                "invalid mount path: '{target}' mount path must be absolute"
            )));
        }
        let source = match kind.as_str() {
            "bind" => {
                let s = src.ok_or_else(|| bad("source is required when type is bind".into()))?;
                if !s.starts_with('/') {
                    return Err(bad(format!("invalid mount config for type \"bind\": invalid mount path: '{s}' mount path must be absolute")));
                }
                Source::Host(PathBuf::from(s))
            }
            "volume" => match src {
                None => Source::Anonymous,
                Some(n) if volume::valid_name(&n) => Source::Named(n),
                Some(n) => return Err(Error::Invalid(volume::Error::InvalidName(n).to_string())),
            },
            "tmpfs" => {
                if src.is_some() {
                    return Err(bad("source must not be specified for type tmpfs".into()));
                }
                Source::Tmpfs(tmpfs.join(","))
            }
            t => return Err(bad(format!("invalid mount type \"{t}\""))),
        };
        Ok(Volume {
            source,
            target: clean(&target),
            readonly,
            nocopy,
            make_host_dir: false,
            mode: String::new(),
        })
    }
}

/// `/a//b/` -> `/a/b`.
fn clean(p: &str) -> String {
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

impl Engine {
    /// A container's mounts, in docker's order of precedence: `-v` and
    /// `--mount`, then `--volumes-from`, then the image's VOLUMEs (an
    /// anonymous volume for each path nothing else mounts; none for a
    /// build step). Named volumes are made on first use. The caller holds
    /// the volume lock until the record is written.
    pub(super) fn resolve_mounts(
        &self,
        requested: &[Volume],
        volumes_from: &[String],
        image_volumes: &[String],
    ) -> Result<Vec<Mount>> {
        let mut out: Vec<Mount> = Vec::new();
        let taken = |out: &[Mount], t: &str| out.iter().any(|m| m.destination == t);
        for v in requested {
            if taken(&out, &v.target) {
                return Err(Error::Invalid(format!(
                    "Duplicate mount point: {}",
                    v.target
                )));
            }
            let m = match &v.source {
                Source::Host(p) => {
                    if std::fs::symlink_metadata(p).is_err() {
                        if !v.make_host_dir {
                            return Err(Error::Invalid(format!(
                                "invalid mount config for type \"bind\": bind source path does not exist: {}",
                                p.display()
                            )));
                        }
                        // docker makes a missing host directory for `-v`.
                        std::fs::create_dir_all(p).map_err(|err| Error::Io {
                            what: format!(
                                "error while creating mount source path '{}'",
                                p.display()
                            ),
                            err,
                        })?;
                    }
                    Mount {
                        source: p.display().to_string(),
                        destination: v.target.clone(),
                        rw: !v.readonly,
                        kind: "bind".into(),
                        name: None,
                        anonymous: false,
                        nocopy: false,
                        mode: v.mode.clone(),
                        options: String::new(),
                    }
                }
                Source::Named(_) | Source::Anonymous => {
                    let name = match &v.source {
                        Source::Named(n) => Some(n.as_str()),
                        _ => None,
                    };
                    let (vol, new) = self
                        .volumes
                        .create(name, Default::default(), Default::default(), name.is_none())
                        .map_err(Error::Volume)?;
                    if new {
                        self.event("volume", "create", &vol.name, &[("driver", "local")]);
                    }
                    self.volume_mount(&vol, &v.target, !v.readonly, v.nocopy, &v.mode)
                }
                Source::Tmpfs(opts) => Mount {
                    source: String::new(),
                    destination: v.target.clone(),
                    rw: !v.readonly,
                    kind: "tmpfs".into(),
                    name: None,
                    anonymous: false,
                    nocopy: false,
                    mode: String::new(),
                    options: opts.clone(),
                },
            };
            out.push(m);
        }
        for spec in volumes_from {
            let (name, mode) = match spec.rsplit_once(':') {
                Some((n, m)) if m == "ro" || m == "rw" => (n, Some(m)),
                _ => (spec.as_str(), None),
            };
            let id = self.containers.resolve(name)?;
            let rec = self.containers.record(&id)?;
            for m in rec.mounts {
                if taken(&out, &m.destination) {
                    continue;
                }
                let mut m = m.clone();
                match mode {
                    Some("ro") => m.rw = false,
                    Some("rw") => m.rw = true,
                    _ => {}
                }
                out.push(m);
            }
        }
        for path in image_volumes {
            let target = clean(path);
            if taken(&out, &target) {
                continue;
            }
            let (vol, _) = self
                .volumes
                .create(None, Default::default(), Default::default(), true)
                .map_err(Error::Volume)?;
            self.event("volume", "create", &vol.name, &[("driver", "local")]);
            out.push(self.volume_mount(&vol, &target, true, false, ""));
        }
        Ok(out)
    }

    fn volume_mount(
        &self,
        v: &VolumeRecord,
        target: &str,
        rw: bool,
        nocopy: bool,
        mode: &str,
    ) -> Mount {
        Mount {
            source: self.volumes.data(&v.name).display().to_string(),
            destination: target.to_string(),
            rw,
            kind: "volume".into(),
            name: Some(v.name.clone()),
            anonymous: v.anonymous,
            nocopy,
            mode: mode.to_string(),
            options: String::new(),
        }
    }

    /// The host directory a recorded volume mount binds now (a tmpfs
    /// volume is mounted on first use).
    pub(super) fn mount_source(&self, m: &Mount) -> Result<PathBuf> {
        match (&m.name, m.kind.as_str()) {
            (Some(n), "volume") => {
                let v = self.volumes.get(n).map_err(Error::Volume)?;
                self.volumes.mount_point(&v).map_err(Error::Volume)
            }
            _ => Ok(PathBuf::from(&m.source)),
        }
    }

    /// Removes the anonymous volumes of a removed container (`rm -v`,
    /// `--rm`), unless another container uses one too.
    pub(super) fn remove_anonymous_volumes(&self, rec: &Record) {
        if !rec.mounts.iter().any(|m| m.anonymous) {
            return;
        }
        let Ok(_lock) = self.volumes.lock() else {
            return;
        };
        for m in rec.mounts.iter().filter(|m| m.anonymous) {
            if let Some(n) = &m.name {
                if self.volume_users(n).is_empty() && self.volumes.remove(n).is_ok() {
                    self.event("volume", "destroy", n, &[("driver", "local")]);
                }
            }
        }
    }

    /// The containers whose mounts name volume `name`.
    fn volume_users(&self, name: &str) -> Vec<String> {
        let mut users = Vec::new();
        for id in self.containers.ids().unwrap_or_default() {
            if let Ok(rec) = self.containers.record(&id) {
                if rec.mounts.iter().any(|m| m.name.as_deref() == Some(name)) {
                    users.push(id);
                }
            }
        }
        users
    }

    /// `volume create`: the volume's name.
    pub fn volume_create(
        &self,
        name: Option<&str>,
        labels: BTreeMap<String, String>,
        options: BTreeMap<String, String>,
    ) -> Result<String> {
        let _lock = self.volumes.lock().map_err(Error::Volume)?;
        let (v, new) = self
            .volumes
            .create(name, labels, options, false)
            .map_err(Error::Volume)?;
        if new {
            self.event("volume", "create", &v.name, &[("driver", "local")]);
        }
        Ok(v.name)
    }

    /// `volume ls`: each volume and how many containers use it.
    pub fn volume_list(&self) -> Result<Vec<(VolumeRecord, usize)>> {
        let mut uses: BTreeMap<String, usize> = BTreeMap::new();
        for id in self.containers.ids()? {
            if let Ok(rec) = self.containers.record(&id) {
                for n in rec.mounts.iter().filter_map(|m| m.name.as_ref()) {
                    *uses.entry(n.clone()).or_default() += 1;
                }
            }
        }
        Ok(self
            .volumes
            .list()
            .map_err(Error::Volume)?
            .into_iter()
            .map(|v| {
                let n = uses.get(&v.name).copied().unwrap_or(0);
                (v, n)
            })
            .collect())
    }

    /// Where a volume's files are.
    pub fn volume_mountpoint(&self, name: &str) -> String {
        self.volumes.data(name).display().to_string()
    }

    /// `volume inspect`: docker's JSON of one volume.
    pub fn volume_inspect(&self, name: &str) -> Result<Value> {
        let v = self.volumes.get(name).map_err(Error::Volume)?;
        Ok(json!({
            "CreatedAt": v.created,
            "Driver": v.driver,
            "Labels": if v.labels.is_empty() { Value::Null } else { json!(v.labels) },
            "Mountpoint": self.volumes.data(&v.name).display().to_string(),
            "Name": v.name,
            "Options": if v.options.is_empty() { Value::Null } else { json!(v.options) },
            "Scope": "local",
        }))
    }

    /// `volume rm`: refused while a container (running or not) uses it.
    pub fn volume_rm(&self, name: &str) -> Result<()> {
        let _lock = self.volumes.lock().map_err(Error::Volume)?;
        self.volumes.get(name).map_err(Error::Volume)?;
        let users = self.volume_users(name);
        if !users.is_empty() {
            return Err(Error::Conflict(format!(
                "remove {name}: volume is in use - [{}]",
                users.join(", ")
            )));
        }
        self.volumes.remove(name).map_err(Error::Volume)?;
        self.event("volume", "destroy", name, &[("driver", "local")]);
        Ok(())
    }

    /// `volume prune`: unused anonymous volumes (all unused with `all`)
    /// that pass the filter; their names and the bytes freed.
    pub fn volume_prune(
        &self,
        all: bool,
        filter: &super::PruneFilter,
    ) -> Result<(Vec<String>, u64)> {
        let _lock = self.volumes.lock().map_err(Error::Volume)?;
        let mut removed = Vec::new();
        let mut freed = 0;
        for (v, users) in self.volume_list()? {
            if users > 0 || !(all || v.anonymous) {
                continue;
            }
            if !filter.matches(crate::util::time::parse_rfc3339(&v.created), &v.labels) {
                continue;
            }
            freed += self.volumes.size(&v.name);
            if self.volumes.remove(&v.name).is_ok() {
                self.event("volume", "destroy", &v.name, &[("driver", "local")]);
                removed.push(v.name);
            }
        }
        Ok((removed, freed))
    }

    /// docker's `Mounts` in `inspect`.
    pub(super) fn mounts_json(rec: &Record) -> Vec<Value> {
        rec.mounts
            .iter()
            .map(|m| match m.kind.as_str() {
                "volume" => json!({
                    "Type": "volume", "Name": m.name, "Source": m.source,
                    "Destination": m.destination, "Driver": "local", "Mode": m.mode,
                    "RW": m.rw, "Propagation": "",
                }),
                "tmpfs" => json!({
                    "Type": "tmpfs", "Source": "", "Destination": m.destination,
                    "Mode": "", "RW": m.rw, "Propagation": "",
                }),
                _ => json!({
                    "Type": "bind", "Source": m.source, "Destination": m.destination,
                    "Mode": if m.mode.is_empty() && !m.rw { "ro".to_string() } else { m.mode.clone() },
                    "RW": m.rw, "Propagation": "rprivate",
                }),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_v_is_a_bind_a_named_or_an_anonymous_volume() {
        let v = Volume::parse("/h:/c:ro").unwrap();
        assert_eq!(v.source, Source::Host("/h".into()));
        assert!(v.readonly && v.make_host_dir);
        assert_eq!(v.mode, "ro");
        let v = Volume::parse("data:/data").unwrap();
        assert_eq!(v.source, Source::Named("data".into()));
        assert_eq!(v.mode, "z");
        let v = Volume::parse("/anon/").unwrap();
        assert_eq!((v.source, v.target.as_str()), (Source::Anonymous, "/anon"));
        assert!(Volume::parse("data:/d:nocopy").unwrap().nocopy);
        for bad in [
            "/h:c",
            "/h:/c:xx",
            "a!:/c",
            "relative",
            "a:b:c:d",
            "/h:/c:nocopy",
        ] {
            assert!(Volume::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dash_dash_mount_takes_docker_s_keys() {
        let v = Volume::parse_mount("type=bind,source=/h,target=/c,readonly").unwrap();
        assert_eq!(v.source, Source::Host("/h".into()));
        assert!(v.readonly && !v.make_host_dir);
        let v = Volume::parse_mount("type=volume,src=data,dst=/d,volume-nocopy").unwrap();
        assert_eq!(v.source, Source::Named("data".into()));
        assert!(v.nocopy);
        let v = Volume::parse_mount("target=/x").unwrap();
        assert_eq!(v.source, Source::Anonymous);
        let v = Volume::parse_mount("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777").unwrap();
        assert_eq!(v.source, Source::Tmpfs("size=1048576,mode=1777".into()));
        for bad in [
            "type=bind,target=/c",
            "type=nfs,target=/c",
            "source=x",
            "type=tmpfs,source=x,target=/t",
            "type=volume,target=rel",
            "type=bind,source=/h,target=/c,bogus=1",
        ] {
            assert!(Volume::parse_mount(bad).is_err(), "{bad}");
        }
    }
}
