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
/// (No `cpuacct`: a group there would cost a join at every start; the CPU
/// a container used is in its v2 group's `cpu.stat`, which every kernel
/// keeps, also on a hybrid host's controllerless tree.)
pub const V1_CONTROLLERS: &[&str] = &["memory", "cpu", "cpuset", "pids"];

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
        // Every group from the root down to the container's parent.
        let mut dir = root.to_path_buf();
        if let Ok(below) = group.strip_prefix(root) {
            let parts: Vec<_> = below.components().collect();
            for (i, part) in parts.iter().enumerate() {
                fs::write(dir.join("cgroup.subtree_control"), enable.join(" "))?;
                if i + 1 < parts.len() {
                    dir.push(part);
                }
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
        if mine.is_empty() {
            continue;
        }
        let base = root.join(ctrl);
        let canonical = fs::canonicalize(&base).unwrap_or(base.clone());
        if !base.join("cgroup.procs").exists() {
            return Err(io::Error::other(format!(
                "no cgroup v1 {ctrl} controller on this host"
            )));
        }
        let dir = canonical.join(super::cgroup::rel(id));
        fs::create_dir_all(&dir)?;
        out.push(dir.clone());
        if *ctrl == "cpuset" {
            // v1 cpuset groups start empty: a task cannot join until
            // cpus and mems are set, on each parent first.
            let mut from = canonical.clone();
            for part in super::cgroup::rel(id).components() {
                let to = from.join(part);
                for f in ["cpuset.cpus", "cpuset.mems"] {
                    if fs::read_to_string(to.join(f))?.trim().is_empty() {
                        write(&to.join(f), fs::read_to_string(from.join(f))?.trim())?;
                    }
                }
                from = to;
            }
        }
        for (_, file, value) in mine {
            write(&dir.join(file), value)?;
        }
    }
    Ok(out)
}

/// The processes of container `id` (its first group that lists any).
pub fn pids(id: &str) -> Vec<i32> {
    for d in super::cgroup::dirs(id) {
        if let Ok(s) = fs::read_to_string(d.join("cgroup.procs")) {
            let p: Vec<i32> = s.lines().filter_map(|l| l.trim().parse().ok()).collect();
            if !p.is_empty() {
                return p;
            }
        }
    }
    Vec::new()
}

/// `update` of a running container: writes `r` and, on v1, moves its
/// processes into groups it did not have yet (a limit it gets for the
/// first time).
pub fn update(id: &str, r: &Resources) -> io::Result<()> {
    let root = Path::new("/sys/fs/cgroup");
    let v2_group = super::cgroup::dirs(id)
        .into_iter()
        .find(|d| super::cgroup::is_v2_group(d) && d.exists());
    let groups = apply(root, id, r, v2_group.as_deref())?;
    let procs = pids(id);
    for g in groups {
        let have = fs::read_to_string(g.join("cgroup.procs")).unwrap_or_default();
        for p in &procs {
            if !have.lines().any(|l| l.trim() == p.to_string()) {
                // A process that ended meanwhile is no error.
                let _ = fs::write(g.join("cgroup.procs"), p.to_string());
            }
        }
    }
    Ok(())
}

/// One reading of a container's counters, for `stats`.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// CPU time used, in ns.
    pub cpu_ns: u64,
    pub mem_usage: u64,
    /// The memory limit (the host's memory when there is none).
    pub mem_limit: u64,
    pub pids: u64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub blk_read: u64,
    pub blk_write: u64,
}

fn read_u64(p: &Path) -> Option<u64> {
    fs::read_to_string(p).ok()?.trim().parse().ok()
}

fn keyed(p: &Path, key: &str) -> Option<u64> {
    fs::read_to_string(p)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.trim().parse().ok())
}

/// The host's memory, in bytes.
pub fn host_memory() -> u64 {
    fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .map_or(0, |kb: u64| kb * 1024)
}

/// Reads container `id`'s counters from its groups (the cgroup's own
/// accounting where it has a group for it; else its processes').
pub fn sample(id: &str) -> Sample {
    let dirs: Vec<PathBuf> = super::cgroup::dirs(id)
        .into_iter()
        .filter(|d| d.exists())
        .collect();
    let procs = pids(id);
    let find = |file: &str| dirs.iter().map(|d| d.join(file)).find(|p| p.exists());
    // CPU: cpuacct (v1), cpu.stat's usage_usec (v2, also without the
    // controller), else the processes' own times.
    let cpu_ns = if let Some(p) = find("cpuacct.usage") {
        read_u64(&p).unwrap_or(0)
    } else if let Some(u) = find("cpu.stat").and_then(|p| keyed(&p, "usage_usec")) {
        u * 1000
    } else {
        let tick = 1_000_000_000 / 100;
        procs
            .iter()
            .filter_map(|p| fs::read_to_string(format!("/proc/{p}/stat")).ok())
            .filter_map(|st| {
                // utime, stime, cutime, cstime: fields 14-17.
                let rest = &st[st.rfind(')')? + 1..];
                let f: Vec<u64> = rest
                    .split_whitespace()
                    .skip(11)
                    .take(4)
                    .filter_map(|x| x.parse().ok())
                    .collect();
                Some(f.iter().sum::<u64>())
            })
            .map(|t| t * tick)
            .sum()
    };
    let mut s = Sample {
        cpu_ns,
        ..Default::default()
    };
    // Memory: docker's usage is without the inactive file cache.
    let host = host_memory();
    if let Some(p) = find("memory.usage_in_bytes") {
        let dir = p.parent().unwrap().to_path_buf();
        let usage = read_u64(&p).unwrap_or(0);
        let inactive = keyed(&dir.join("memory.stat"), "total_inactive_file").unwrap_or(0);
        s.mem_usage = usage.saturating_sub(inactive);
        s.mem_limit = read_u64(&dir.join("memory.limit_in_bytes"))
            .unwrap_or(host)
            .min(host);
    } else if let Some(p) = find("memory.current") {
        let dir = p.parent().unwrap().to_path_buf();
        let usage = read_u64(&p).unwrap_or(0);
        let inactive = keyed(&dir.join("memory.stat"), "inactive_file").unwrap_or(0);
        s.mem_usage = usage.saturating_sub(inactive);
        s.mem_limit = read_u64(&dir.join("memory.max")).unwrap_or(host).min(host);
    } else {
        let page = 4096;
        s.mem_usage = procs
            .iter()
            .filter_map(|p| fs::read_to_string(format!("/proc/{p}/statm")).ok())
            .filter_map(|m| m.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map(|rss| rss * page)
            .sum();
        s.mem_limit = host;
    }
    s.pids = find("pids.current")
        .and_then(|p| read_u64(&p))
        .or_else(|| {
            find("cgroup.threads")
                .and_then(|p| fs::read_to_string(p).ok())
                .map(|t| t.lines().count() as u64)
        })
        .unwrap_or(procs.len() as u64);
    // Network: the container's interfaces but lo, seen from its init.
    if let Some(p) = procs.first() {
        if let Ok(dev) = fs::read_to_string(format!("/proc/{p}/net/dev")) {
            for l in dev.lines().skip(2) {
                let Some((name, rest)) = l.split_once(':') else {
                    continue;
                };
                if name.trim() == "lo" {
                    continue;
                }
                let f: Vec<u64> = rest
                    .split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .collect();
                if f.len() >= 9 {
                    s.net_rx += f[0];
                    s.net_tx += f[8];
                }
            }
        }
    }
    // Block I/O: v2's io.stat where there is one.
    if let Some(p) = find("io.stat") {
        for l in fs::read_to_string(p).unwrap_or_default().lines() {
            for kv in l.split_whitespace() {
                match kv.split_once('=') {
                    Some(("rbytes", v)) => s.blk_read += v.parse().unwrap_or(0),
                    Some(("wbytes", v)) => s.blk_write += v.parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
    }
    s
}

/// All CPU time the host spent, in ns (for docker's CPU %).
pub fn host_cpu_ns() -> u64 {
    let stat = fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: u64 = stat
        .lines()
        .next()
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .take(8)
                .filter_map(|x| x.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    ticks * (1_000_000_000 / 100)
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

    /// A v1 tree under `t/v1`: every controller, cpus 0-1 and mem 0 at the
    /// cpuset root, and the cpuset groups `groups` with empty cpus and
    /// mems (as the kernel makes them).
    fn fake_v1_tree(t: &Path, groups: &[&str]) -> PathBuf {
        let v1 = t.join("v1");
        for c in V1_CONTROLLERS {
            fs::create_dir_all(v1.join(c)).unwrap();
            fs::write(v1.join(c).join("cgroup.procs"), "").unwrap();
        }
        fs::write(v1.join("cpuset/cpuset.cpus"), "0-1\n").unwrap();
        fs::write(v1.join("cpuset/cpuset.mems"), "0\n").unwrap();
        for g in groups {
            let d = v1.join("cpuset").join(g);
            fs::create_dir_all(&d).unwrap();
            fs::write(d.join("cpuset.cpus"), "").unwrap();
            fs::write(d.join("cpuset.mems"), "").unwrap();
        }
        v1
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
        let v1 = fake_v1_tree(&t, &["strata", "strata/c1"]);
        let groups = apply(&v1, "c1", &r(), None).unwrap();
        assert_eq!(groups.len(), 4);
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

    /// An OCI `cgroupsPath` (`/kube/pod1/c2`): the group where it says,
    /// the controllers enabled on every ancestor (v2), cpus and mems
    /// handed down through each (v1); `..` cannot climb out.
    #[test]
    fn a_cgroups_path_is_honoured_on_fake_trees() {
        let t = std::env::temp_dir().join(format!("strata-cgp-{}", std::process::id()));
        let v2 = t.join("v2");
        let group = v2.join(super::super::cgroup::rel("/kube/../pod1/c2"));
        assert_eq!(group, v2.join("kube/pod1/c2"));
        fs::create_dir_all(&group).unwrap();
        fs::write(v2.join("cgroup.controllers"), "cpu memory pids\n").unwrap();
        apply(&v2, "/kube/pod1/c2", &r(), Some(&group)).unwrap();
        for d in ["", "kube", "kube/pod1"] {
            let sc = fs::read_to_string(v2.join(d).join("cgroup.subtree_control")).unwrap();
            assert_eq!(sc, "+memory +cpu +pids", "{d}");
        }
        assert!(!group.join("cgroup.subtree_control").exists());
        assert_eq!(fs::read_to_string(group.join("pids.max")).unwrap(), "100");
        let v1 = fake_v1_tree(&t, &["kube", "kube/pod1", "kube/pod1/c2"]);
        let groups = apply(&v1, "/kube/pod1/c2", &r(), None).unwrap();
        assert!(groups.contains(&v1.join("pids/kube/pod1/c2")), "{groups:?}");
        assert_eq!(
            fs::read_to_string(v1.join("cpuset/kube/pod1/cpuset.mems")).unwrap(),
            "0"
        );
        assert_eq!(
            fs::read_to_string(v1.join("cpuset/kube/pod1/c2/cpuset.cpus")).unwrap(),
            "0"
        );
        let _ = fs::remove_dir_all(&t);
    }
}
