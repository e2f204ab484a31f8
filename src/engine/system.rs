//! `info` and `version`: what this strata and its store are, with the
//! fields of docker's `info` and `version` (and their JSON names, for
//! `--format`).

use super::{Engine, Result};
use serde::Serialize;

/// docker's `info` fields that strata has (`docker info --format '{{json .}}'`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Info {
    pub containers: usize,
    pub containers_running: usize,
    pub containers_paused: usize,
    pub containers_stopped: usize,
    pub images: usize,
    pub driver: String,
    pub driver_status: Vec<[String; 2]>,
    pub logging_driver: String,
    pub cgroup_driver: String,
    pub cgroup_version: String,
    pub kernel_version: String,
    pub operating_system: String,
    #[serde(rename = "OSType")]
    pub os_type: String,
    pub architecture: String,
    #[serde(rename = "NCPU")]
    pub ncpu: usize,
    pub mem_total: u64,
    pub name: String,
    pub server_version: String,
    pub docker_root_dir: String,
    pub security_options: Vec<String>,
    pub default_runtime: String,
    pub init_binary: String,
}

fn backing_filesystem(path: &std::path::Path) -> String {
    match nix::sys::statfs::statfs(path).map(|s| s.filesystem_type().0) {
        Ok(0xEF53) => "extfs".into(),
        Ok(0x0102_1994) => "tmpfs".into(),
        Ok(0x5846_5342) => "xfs".into(),
        Ok(0x9123_683E) => "btrfs".into(),
        Ok(0x794C_7630) => "overlayfs".into(),
        Ok(n) => format!("{n:#x}"),
        Err(_) => "unknown".into(),
    }
}

fn os_release() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| "Linux".into())
}

fn mem_total() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

impl Engine {
    /// `info`.
    pub fn info(&self) -> Result<Info> {
        let (mut running, mut paused, mut stopped) = (0, 0, 0);
        let ids = self.containers.ids()?;
        for id in &ids {
            match self.containers.state(id) {
                Ok(st) if st.is_running() && st.paused => paused += 1,
                Ok(st) if st.is_running() => running += 1,
                _ => stopped += 1,
            }
        }
        let uname = nix::sys::utsname::uname().ok();
        let text = |f: fn(&nix::sys::utsname::UtsName) -> &std::ffi::OsStr| {
            uname
                .as_ref()
                .map(|u| f(u).to_string_lossy().to_string())
                .unwrap_or_default()
        };
        let v2 = std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
        Ok(Info {
            containers: ids.len(),
            containers_running: running,
            containers_paused: paused,
            containers_stopped: stopped,
            images: self.images.ids()?.len(),
            driver: "overlay2".into(),
            driver_status: vec![
                ["Backing Filesystem".into(), backing_filesystem(&self.root)],
                ["Supports d_type".into(), "true".into()],
                ["Native Overlay Diff".into(), "true".into()],
                ["userxattr".into(), "false".into()],
            ],
            logging_driver: "json-file".into(),
            cgroup_driver: "cgroupfs".into(),
            cgroup_version: if v2 { "2" } else { "1" }.into(),
            kernel_version: text(|u| u.release()),
            operating_system: os_release(),
            os_type: "linux".into(),
            architecture: text(|u| u.machine()),
            ncpu: std::thread::available_parallelism().map_or(1, |n| n.get()),
            mem_total: mem_total(),
            name: text(|u| u.nodename()),
            server_version: env!("CARGO_PKG_VERSION").into(),
            docker_root_dir: self.root.display().to_string(),
            security_options: vec!["name=seccomp,profile=builtin".into()],
            default_runtime: "strata".into(),
            init_binary: "strata-init".into(),
        })
    }
}
