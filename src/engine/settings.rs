//! What strata takes from its environment, read once at the edge (the
//! CLI's flags and variables) and handed to the engine, which hands each
//! part what it needs: no part below reads the environment itself
//! (test-only fault injection, `STRATA_TEST_*`, aside).

use std::path::PathBuf;

/// How a container's device policy is put in force (`STRATA_CGROUP_DEVICES`).
pub use crate::runtime::cgroup::DeviceMode;

#[derive(Debug, Clone)]
pub struct Settings {
    /// The persistent store (`--root`, `STRATA_ROOT`).
    pub root: PathBuf,
    /// Locks and sockets (`--runroot`, `STRATA_RUNROOT`).
    pub runroot: PathBuf,
    /// The default bridge (`STRATA_BRIDGE`, default `strata0`) and its
    /// subnet (`STRATA_SUBNET`, default: the first free /16 from 10.88).
    pub bridge: String,
    pub subnet: Option<String>,
    pub devices: DeviceMode,
    /// Registries reached over plain HTTP (`STRATA_INSECURE_REGISTRIES`,
    /// comma separated; docker's daemon.json is read too).
    pub insecure_registries: Vec<String>,
    /// docker's client config (`$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`): credentials.
    pub docker_config: PathBuf,
    /// The store must be there already (`STRATA_EXISTING_STORE=1`): set
    /// for the strata processes strata itself starts on a store (a health
    /// check's exec), so one that outlives its store does not make it anew.
    pub existing_store: bool,
}

impl Settings {
    /// The settings this process's environment gives, with the stores
    /// at `root` and `runroot`.
    pub fn from_env(root: PathBuf, runroot: PathBuf) -> Settings {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let docker_config = match std::env::var_os("DOCKER_CONFIG") {
            Some(d) => PathBuf::from(d).join("config.json"),
            None => PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into()))
                .join(".docker")
                .join("config.json"),
        };
        Settings {
            root,
            runroot,
            bridge: var("STRATA_BRIDGE").unwrap_or_else(|| "strata0".into()),
            subnet: var("STRATA_SUBNET"),
            devices: DeviceMode::parse(var("STRATA_CGROUP_DEVICES").as_deref()),
            insecure_registries: var("STRATA_INSECURE_REGISTRIES")
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            docker_config,
            existing_store: var("STRATA_EXISTING_STORE").is_some_and(|v| v == "1"),
        }
    }

    /// The default bridge these settings name.
    pub fn bridge(&self) -> crate::network::Bridge {
        crate::network::Bridge::named(&self.bridge, self.subnet.clone())
    }
}
