//! Resource limits of a container's cgroup: memory, CPU, cpuset, pids,
//! as docker's flags give them (`-m`, `--memory-swap`,
//! `--memory-reservation`, `--cpus`, `--cpu-shares`, `--cpu-period`,
//! `--cpu-quota`, `--cpuset-cpus`, `--pids-limit`). The one place where
//! cgroup v1 and v2 differ for them: `files` says which file of which
//! controller gets which value in each layout (pure, unit-tested on both);
//! `apply` writes them on this host's hierarchies.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What a container may use (None: as much as there is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resources {
    /// Bytes of memory.
    pub memory: Option<i64>,
    /// Memory plus swap, in bytes; -1 is unlimited swap.
    pub memory_swap: Option<i64>,
    /// The soft limit, in bytes.
    pub memory_reservation: Option<i64>,
    /// The relative weight (docker's 2..=262144, 1024 the default).
    pub cpu_shares: Option<u64>,
    /// CFS period in µs (default 100000).
    pub cpu_period: Option<u64>,
    /// CFS quota in µs per period.
    pub cpu_quota: Option<i64>,
    /// `--cpus` in billionths of a CPU.
    pub nano_cpus: Option<i64>,
    /// CPUs the container may run on (`0-1`, `0,1`).
    pub cpuset_cpus: Option<String>,
    /// The most tasks at once; 0 or -1 is unlimited.
    pub pids_limit: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    V1,
    V2,
}

impl Resources {
    pub fn is_empty(&self) -> bool {
        *self == Resources::default()
    }

    /// The quota and period in force: `--cpus` is a quota over docker's
    /// 100 ms period.
    fn quota(&self) -> Option<(i64, u64)> {
        let period = self.cpu_period.unwrap_or(100_000);
        if let Some(n) = self.nano_cpus {
            return Some((n * period as i64 / 1_000_000_000, period));
        }
        match (self.cpu_quota, self.cpu_period) {
            (Some(q), _) if q > 0 => Some((q, period)),
            (_, Some(p)) => Some((-1, p)),
            _ => None,
        }
    }

    /// (v1 controller, file, value), in the order they must be written.
    /// `swap_accounting`: whether v1's memsw files exist.
    pub fn files(
        &self,
        layout: Layout,
        swap_accounting: bool,
    ) -> Vec<(&'static str, &'static str, String)> {
        let mut out = Vec::new();
        let v2 = layout == Layout::V2;
        if let Some(cpus) = &self.cpuset_cpus {
            out.push(("cpuset", "cpuset.cpus", cpus.clone()));
        }
        if let Some(m) = self.memory_reservation {
            let f = if v2 {
                "memory.low"
            } else {
                "memory.soft_limit_in_bytes"
            };
            out.push(("memory", f, m.to_string()));
        }
        if let Some(m) = self.memory {
            // docker: an unset swap limit is as much swap as memory.
            let swap = match self.memory_swap {
                Some(s) if s > 0 => Some(s),
                Some(_) => None, // -1: unlimited
                None => Some(m * 2),
            };
            if v2 {
                out.push(("memory", "memory.max", m.to_string()));
                let s = swap.map_or("max".to_string(), |s| (s - m).to_string());
                out.push(("memory", "memory.swap.max", s));
            } else {
                out.push(("memory", "memory.limit_in_bytes", m.to_string()));
                if swap_accounting {
                    let s = swap.unwrap_or(-1);
                    out.push(("memory", "memory.memsw.limit_in_bytes", s.to_string()));
                }
            }
        }
        if let Some(s) = self.cpu_shares.filter(|s| *s > 0) {
            if v2 {
                // runc's conversion of shares [2, 262144] to weight [1, 10000].
                let s = s.clamp(2, 262_144);
                out.push((
                    "cpu",
                    "cpu.weight",
                    (1 + ((s - 2) * 9999) / 262_142).to_string(),
                ));
            } else {
                out.push(("cpu", "cpu.shares", s.to_string()));
            }
        }
        if let Some((quota, period)) = self.quota() {
            if v2 {
                let q = if quota > 0 {
                    quota.to_string()
                } else {
                    "max".into()
                };
                out.push(("cpu", "cpu.max", format!("{q} {period}")));
            } else {
                out.push(("cpu", "cpu.cfs_period_us", period.to_string()));
                out.push(("cpu", "cpu.cfs_quota_us", quota.to_string()));
            }
        }
        if let Some(p) = self.pids_limit {
            let v = if p > 0 { p.to_string() } else { "max".into() };
            out.push(("pids", "pids.max", v));
        }
        out
    }
}

/// The v1 hierarchies resource limits go in.
/// `cpuacct` (no limits of its own) goes with `cpu`, for the container's
/// CPU accounting.
pub const V1_CONTROLLERS: &[&str] = &["memory", "cpu", "cpuacct", "cpuset", "pids"];

/// Writes `r` for container `id` under the cgroup root `root`
/// (`/sys/fs/cgroup`). On a pure v2 host, `v2_group` is the container's
/// group (made by `cgroup::create`): the controllers are enabled in its
/// parents' `cgroup.subtree_control` and the files written there. Else
/// a group per v1 controller is made; the returned groups are for the
/// container's init to join.
pub fn apply(
    root: &Path,
    id: &str,
    r: &Resources,
    v2_group: Option<&Path>,
) -> io::Result<Vec<PathBuf>> {
    if r.is_empty() {
        return Ok(Vec::new());
    }
    if root.join("cgroup.controllers").exists() {
        let group = v2_group.ok_or_else(|| io::Error::other("no cgroup v2 group"))?;
        let files = r.files(Layout::V2, false);
        let mut wanted: Vec<&str> = files.iter().map(|(c, _, _)| *c).collect();
        wanted.dedup();
        let available = fs::read_to_string(root.join("cgroup.controllers"))?;
        let enable: Vec<String> = wanted
            .iter()
            .filter(|c| available.split_whitespace().any(|a| a == **c))
            .map(|c| format!("+{c}"))
            .collect();
        if let Some(parent) = group.parent() {
            for dir in [root, parent] {
                fs::write(dir.join("cgroup.subtree_control"), enable.join(" "))?;
            }
        }
        for (_, file, value) in files {
            write(&group.join(file), &value)?;
        }
        return Ok(Vec::new());
    }
    let swap = root.join("memory/memory.memsw.limit_in_bytes").exists();
    let files = r.files(Layout::V1, swap);
    let mut out: Vec<PathBuf> = Vec::new();
    for ctrl in V1_CONTROLLERS {
        let mine: Vec<_> = files.iter().filter(|(c, _, _)| c == ctrl).collect();
        let accounting = *ctrl == "cpuacct" && files.iter().any(|(c, _, _)| *c == "cpu");
        if mine.is_empty() && !accounting {
            continue;
        }
        let base = root.join(ctrl);
        let canonical = fs::canonicalize(&base).unwrap_or(base.clone());
        if accounting
            && (!base.join("cgroup.procs").exists()
                || out.iter().any(|d| d.starts_with(&canonical)))
        {
            continue; // none, or co-mounted with cpu
        }
        if !base.join("cgroup.procs").exists() {
            return Err(io::Error::other(format!(
                "no cgroup v1 {ctrl} controller on this host"
            )));
        }
        let parent = canonical.join("strata");
        let dir = parent.join(id);
        fs::create_dir_all(&dir)?;
        out.push(dir.clone());
        if *ctrl == "cpuset" {
            // v1 cpuset groups start empty: a task cannot join until
            // cpus and mems are set, on the parent first.
            for f in ["cpuset.cpus", "cpuset.mems"] {
                for (from, to) in [(&canonical, &parent), (&parent, &dir)] {
                    if fs::read_to_string(to.join(f))?.trim().is_empty() {
                        write(&to.join(f), fs::read_to_string(from.join(f))?.trim())?;
                    }
                }
            }
        }
        for (_, file, value) in mine {
            write(&dir.join(file), value)?;
        }
    }
    Ok(out)
}

fn write(path: &Path, value: &str) -> io::Result<()> {
    fs::write(path, value).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// Whether the kernel's OOM killer killed a process of the container
/// (v1: `oom_kill` in memory.oom_control; v2: in memory.events).
pub fn oom_killed(groups: &[PathBuf]) -> bool {
    groups.iter().any(|g| {
        ["memory.events", "memory.oom_control"].iter().any(|f| {
            fs::read_to_string(g.join(f)).is_ok_and(|s| {
                s.lines().any(|l| {
                    l.strip_prefix("oom_kill ")
                        .and_then(|n| n.trim().parse::<u64>().ok())
                        .is_some_and(|n| n > 0)
                })
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Resources {
        Resources {
            memory: Some(256 << 20),
            nano_cpus: Some(500_000_000),
            cpu_shares: Some(512),
            pids_limit: Some(100),
            cpuset_cpus: Some("0".into()),
            ..Default::default()
        }
    }

    #[test]
    fn v1_layout() {
        let f = r().files(Layout::V1, true);
        let get = |n: &str| {
            f.iter()
                .find(|(_, file, _)| *file == n)
                .map(|(c, _, v)| (*c, v.as_str()))
        };
        assert_eq!(get("memory.limit_in_bytes"), Some(("memory", "268435456")));
        assert_eq!(
            get("memory.memsw.limit_in_bytes"),
            Some(("memory", "536870912"))
        );
        assert_eq!(get("cpu.cfs_quota_us"), Some(("cpu", "50000")));
        assert_eq!(get("cpu.cfs_period_us"), Some(("cpu", "100000")));
        assert_eq!(get("cpu.shares"), Some(("cpu", "512")));
        assert_eq!(get("pids.max"), Some(("pids", "100")));
        assert_eq!(get("cpuset.cpus"), Some(("cpuset", "0")));
        // No swap accounting: no memsw file is written.
        assert!(!r()
            .files(Layout::V1, false)
            .iter()
            .any(|(_, f, _)| f.contains("memsw")));
    }

    #[test]
    fn v2_layout() {
        let mut x = r();
        x.memory_swap = Some(-1);
        let f = x.files(Layout::V2, false);
        let get = |n: &str| {
            f.iter()
                .find(|(_, file, _)| *file == n)
                .map(|(_, _, v)| v.as_str())
        };
        assert_eq!(get("memory.max"), Some("268435456"));
        assert_eq!(get("memory.swap.max"), Some("max"));
        assert_eq!(get("cpu.max"), Some("50000 100000"));
        assert_eq!(get("cpu.weight"), Some("20"));
        assert_eq!(get("pids.max"), Some("100"));
        let unl = Resources {
            pids_limit: Some(-1),
            ..Default::default()
        };
        assert_eq!(
            unl.files(Layout::V2, false),
            vec![("pids", "pids.max", "max".to_string())]
        );
    }

    #[test]
    fn apply_on_fake_trees() {
        let t = std::env::temp_dir().join(format!("strata-cg-{}", std::process::id()));
        // A pure v2 tree.
        let v2 = t.join("v2");
        let group = v2.join("strata/c1");
        fs::create_dir_all(&group).unwrap();
        fs::write(v2.join("cgroup.controllers"), "cpuset cpu io memory pids\n").unwrap();
        apply(&v2, "c1", &r(), Some(&group)).unwrap();
        assert_eq!(
            fs::read_to_string(group.join("memory.max")).unwrap(),
            "268435456"
        );
        assert_eq!(
            fs::read_to_string(group.join("cpu.max")).unwrap(),
            "50000 100000"
        );
        let sc = fs::read_to_string(v2.join("strata/cgroup.subtree_control")).unwrap();
        assert_eq!(sc, "+cpuset +memory +cpu +pids");
        // A v1 tree.
        let v1 = t.join("v1");
        for c in V1_CONTROLLERS {
            fs::create_dir_all(v1.join(c)).unwrap();
            fs::write(v1.join(c).join("cgroup.procs"), "").unwrap();
        }
        fs::write(v1.join("cpuset/cpuset.cpus"), "0-1\n").unwrap();
        fs::write(v1.join("cpuset/cpuset.mems"), "0\n").unwrap();
        for d in ["cpuset/strata", "cpuset/strata/c1"] {
            fs::create_dir_all(v1.join(d)).unwrap();
            fs::write(v1.join(d).join("cpuset.cpus"), "").unwrap();
            fs::write(v1.join(d).join("cpuset.mems"), "").unwrap();
        }
        let groups = apply(&v1, "c1", &r(), None).unwrap();
        assert_eq!(groups.len(), 5);
        assert_eq!(
            fs::read_to_string(v1.join("memory/strata/c1/memory.limit_in_bytes")).unwrap(),
            "268435456"
        );
        assert_eq!(
            fs::read_to_string(v1.join("pids/strata/c1/pids.max")).unwrap(),
            "100"
        );
        assert_eq!(
            fs::read_to_string(v1.join("cpuset/strata/cpuset.cpus")).unwrap(),
            "0-1"
        );
        assert_eq!(
            fs::read_to_string(v1.join("cpuset/strata/c1/cpuset.mems")).unwrap(),
            "0"
        );
        assert_eq!(
            fs::read_to_string(v1.join("cpuset/strata/c1/cpuset.cpus")).unwrap(),
            "0"
        );
        fs::write(
            v1.join("memory/strata/c1/memory.oom_control"),
            "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
        )
        .unwrap();
        assert!(oom_killed(&groups));
        let _ = fs::remove_dir_all(&t);
    }
}
