//! User-defined networks: their records in the store
//! (`<root>/networks/<name>.json`, written atomically under
//! `networks/.lock`), each one a bridge of its own with its subnet, made
//! when the network is (`network create`) and removed with it.

use super::ipam::{self, Subnet};
use super::{Bridge, Error};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// A user network, as `network inspect` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkRecord {
    pub id: String,
    pub name: String,
    pub created: String,
    pub driver: String,
    pub subnet: String,
    pub gateway: String,
    #[serde(default)]
    pub ip_range: Option<String>,
    #[serde(default)]
    pub internal: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// The host's bridge (`br-<id12>`, or `-o com.docker.network.bridge.name`).
    pub bridge: String,
}

/// The names docker keeps for itself.
pub const PREDEFINED: &[&str] = &["bridge", "host", "none"];

/// docker's rule for a network's name.
pub fn valid_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next().is_some_and(|f| f.is_ascii_alphanumeric())
        && c.all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '-'))
}

impl NetworkRecord {
    /// The bridge that carries this network.
    pub fn bridge(&self) -> Bridge {
        let mut b = Bridge::named(&self.bridge, Some(self.subnet.clone()));
        b.gateway = self.gateway.parse().ok();
        b.range = self.ip_range.as_deref().and_then(|r| Subnet::parse(r).ok());
        b.internal = self.internal;
        b
    }
}

pub struct NetworkStore {
    dir: PathBuf,
}

impl NetworkStore {
    /// The store under `root`; its directory is made on first use.
    pub fn open(root: &Path) -> Result<NetworkStore, Error> {
        Ok(NetworkStore {
            dir: root.join("networks"),
        })
    }

    pub fn lock(&self) -> Result<crate::util::lock::LockGuard, Error> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Error::Setup(format!("mkdir {}: {e}", self.dir.display())))?;
        crate::util::lock::exclusive(&self.dir.join(".lock"))
            .map_err(|e| Error::Setup(format!("lock the networks: {e}")))
    }

    pub fn list(&self) -> Vec<NetworkRecord> {
        let mut out: Vec<NetworkRecord> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .filter_map(|b| serde_json::from_slice(&b).ok())
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// By name, full id or unique id prefix.
    pub fn get(&self, name: &str) -> Result<NetworkRecord, Error> {
        let all = self.list();
        if let Some(r) = all.iter().find(|r| r.name == name || r.id == name) {
            return Ok(r.clone());
        }
        let by_prefix: Vec<&NetworkRecord> =
            all.iter().filter(|r| r.id.starts_with(name)).collect();
        match by_prefix.as_slice() {
            [one] if !name.is_empty() => Ok((*one).clone()),
            _ => Err(Error::NotFound(name.to_string())),
        }
    }

    /// Records `rec` and makes its bridge (the caller holds the lock).
    pub fn create(&self, rec: &NetworkRecord) -> Result<(), Error> {
        let data = serde_json::to_vec_pretty(rec).unwrap_or_default();
        let path = self.dir.join(format!("{}.json", rec.name));
        rec.bridge().create()?;
        if let Err(e) = crate::util::fsx::write_atomic(&path, &data) {
            let _ = rec.bridge().teardown();
            return Err(Error::Setup(format!("write {}: {e}", path.display())));
        }
        Ok(())
    }

    /// Removes the record and the bridge (the caller checked no container
    /// is attached).
    pub fn remove(&self, rec: &NetworkRecord) -> Result<(), Error> {
        let bridge = rec.bridge();
        bridge.teardown()?;
        bridge.forget();
        let _ = std::fs::remove_file(self.dir.join(format!("{}.json", rec.name)));
        Ok(())
    }
}

/// The subnet a new network gets: the one asked (refused when it overlaps
/// a route of the host or another network), or the first free /24 of
/// 10.89.0.0/16.. as docker takes its pools.
pub fn choose_subnet(asked: Option<&str>, taken: &[Subnet], bridge: &str) -> Result<Subnet, Error> {
    let routes =
        ipam::parse_routes(&std::fs::read_to_string("/proc/net/route").unwrap_or_default());
    let clash = |s: &Subnet| {
        taken.iter().any(|t| t.overlaps(s))
            || routes.iter().any(|r| r.dev != bridge && r.dst.overlaps(s))
    };
    if let Some(a) = asked {
        let s = Subnet::parse(a).map_err(Error::Invalid)?;
        if clash(&s) {
            return Err(Error::Invalid(
                "invalid pool request: Pool overlaps with other one on this address space".into(),
            ));
        }
        return Ok(s);
    }
    for b in 89..=120u8 {
        for c in 0..=255u8 {
            let s = Subnet {
                addr: Ipv4Addr::new(10, b, c, 0),
                prefix: 24,
            };
            if !clash(&s) {
                return Ok(s);
            }
        }
    }
    Err(Error::Invalid(
        "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_docker_s_rule() {
        assert!(valid_name("app") && valid_name("a") && valid_name("my_net-1.x"));
        assert!(!valid_name("") && !valid_name("-a") && !valid_name("a b") && !valid_name("a/b"));
    }

    #[test]
    fn a_subnet_is_refused_when_it_overlaps_another_network() {
        let taken = [Subnet::parse("10.200.0.0/16").unwrap()];
        let e = choose_subnet(Some("10.200.5.0/24"), &taken, "x").unwrap_err();
        assert!(e.to_string().contains("Pool overlaps"), "{e}");
        let s = choose_subnet(None, &taken, "x").unwrap();
        assert!(!s.overlaps(&taken[0]));
    }
}
