//! `top`, `update` and `stats`: a running container's processes, its
//! limits changed in place, and its use of them.

use super::{Engine, Error, Result};
use crate::container::{self};
use crate::runtime;
use std::time::Duration;

/// `update`'s flags: the cgroup limits that are set change (the rest of
/// `limits` is ignored), and the restart policy if given.
#[derive(Debug, Clone, Default)]
pub struct UpdateRequest {
    pub limits: container::Limits,
    pub restart: Option<String>,
}

/// One container's line of `stats`.
#[derive(Debug, Clone)]
pub struct StatsRow {
    pub id: String,
    pub name: String,
    /// What the user named it by (docker's `.Container`).
    pub given: String,
    pub cpu_percent: f64,
    pub mem_usage: u64,
    pub mem_limit: u64,
    pub mem_percent: f64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub blk_read: u64,
    pub blk_write: u64,
    pub pids: u64,
}

impl Engine {
    /// `top`: the container's processes as host `ps` shows them (docker
    /// runs `ps` too), only the rows whose PID is in its cgroup.
    pub fn top(&self, name: &str, ps_args: &[String]) -> Result<(Vec<String>, Vec<Vec<String>>)> {
        let id = self.containers.resolve(name)?;
        let st = self.containers.state(&id)?;
        if !st.can_signal() {
            return Err(Error::Conflict(format!("container {id} is not running")));
        }
        let pids = runtime::resources::pids(&id);
        let args: Vec<String> = if ps_args.is_empty() {
            vec!["-ef".into()]
        } else {
            ps_args.to_vec()
        };
        let out = std::process::Command::new("ps")
            .args(&args)
            .output()
            .map_err(|e| Error::Invalid(format!("Error running ps: {e}")))?;
        if !out.status.success() {
            return Err(Error::Invalid(format!(
                "ps: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        parse_ps(&String::from_utf8_lossy(&out.stdout), &pids)
    }

    /// `update`: new limits (and restart policy) kept in the record and,
    /// while it runs, written to its cgroups.
    pub fn update(&self, name: &str, u: &UpdateRequest) -> Result<String> {
        let id = self.containers.resolve(name)?;
        let _lock = self.containers.lock(&id)?;
        let mut rec = self.containers.record(&id)?;
        let l = &mut rec.limits;
        let n = &u.limits;
        fn set<T: Clone>(dst: &mut Option<T>, v: &Option<T>) {
            if v.is_some() {
                dst.clone_from(v);
            }
        }
        set(&mut l.memory, &n.memory);
        set(&mut l.memory_swap, &n.memory_swap);
        set(&mut l.memory_reservation, &n.memory_reservation);
        set(&mut l.nano_cpus, &n.nano_cpus);
        set(&mut l.cpu_shares, &n.cpu_shares);
        set(&mut l.cpu_period, &n.cpu_period);
        set(&mut l.cpu_quota, &n.cpu_quota);
        set(&mut l.cpuset_cpus, &n.cpuset_cpus);
        set(&mut l.pids_limit, &n.pids_limit);
        // docker: a new memory limit above the old swap limit moves it.
        if let (Some(m), Some(s)) = (n.memory, l.memory_swap) {
            if n.memory_swap.is_none() && s > 0 && s < m {
                l.memory_swap = Some(m * 2);
            }
        }
        if n.nano_cpus.is_some() && n.cpu_quota.is_none() {
            l.cpu_quota = None;
            l.cpu_period = None;
        }
        if n.cpu_quota.is_some() && n.nano_cpus.is_none() {
            l.nano_cpus = None;
        }
        super::run::check_resources(l)?;
        if let Some(r) = &u.restart {
            if rec.auto_remove && r != "no" {
                return Err(Error::Invalid(
                    "Restart policy cannot be updated because AutoRemove is enabled for the container"
                        .into(),
                ));
            }
            rec.restart = super::run::restart_policy(r)?;
        }
        let st = self.containers.state_locked(&id)?;
        if st.is_running() {
            let res = super::run::resources_of(&rec.limits);
            runtime::resources::update(&id, &res).map_err(|err| Error::Io {
                what: format!("update container {}", &id[..12]),
                err,
            })?;
        }
        self.containers.set_record(&rec)?;
        Ok(id)
    }

    /// `stats`: each container's use over one interval shared by all
    /// (docker's CPU % is the container's share of the host's CPU time
    /// over it, times the CPUs online).
    pub fn stats(&self, names: &[String], all: bool, interval: Duration) -> Result<Vec<StatsRow>> {
        let mut targets: Vec<(String, String)> = Vec::new();
        if names.is_empty() {
            for e in self.ps(all, false, &Default::default())? {
                targets.push((e.id.clone(), e.id.clone()));
            }
        } else {
            for n in names {
                targets.push((self.containers.resolve(n)?, n.clone()));
            }
        }
        let ncpu = std::fs::read_to_string("/sys/devices/system/cpu/online")
            .ok()
            .and_then(|s| super::run::parse_cpu_list(s.trim()))
            .map_or(1, |v| v.len().max(1));
        let before: Vec<_> = targets
            .iter()
            .map(|(id, _)| runtime::resources::sample(id))
            .collect();
        let host0 = runtime::resources::host_cpu_ns();
        std::thread::sleep(interval);
        let host1 = runtime::resources::host_cpu_ns();
        let mut rows = Vec::new();
        for ((id, given), b) in targets.iter().zip(before) {
            let rec: container::Record = self.containers.record(id)?;
            let running = self.containers.state(id)?.is_running();
            let a = if running {
                runtime::resources::sample(id)
            } else {
                runtime::resources::Sample::default()
            };
            let cpu = if running && host1 > host0 && a.cpu_ns >= b.cpu_ns {
                (a.cpu_ns - b.cpu_ns) as f64 / (host1 - host0) as f64 * ncpu as f64 * 100.0
            } else {
                0.0
            };
            let mem_percent = if a.mem_limit > 0 {
                a.mem_usage as f64 / a.mem_limit as f64 * 100.0
            } else {
                0.0
            };
            rows.push(StatsRow {
                id: id.clone(),
                name: rec.name.clone(),
                given: given.clone(),
                cpu_percent: cpu,
                mem_usage: a.mem_usage,
                mem_limit: a.mem_limit,
                mem_percent,
                net_rx: a.net_rx,
                net_tx: a.net_tx,
                blk_read: a.blk_read,
                blk_write: a.blk_write,
                pids: a.pids,
            });
        }
        Ok(rows)
    }
}

/// `ps` output cut to the rows whose PID column is one of `pids` (the
/// last column, the command, keeps its spaces).
fn parse_ps(out: &str, pids: &[i32]) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut lines = out.lines();
    let titles: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    let col = titles
        .iter()
        .position(|t| t == "PID")
        .ok_or_else(|| Error::Invalid("Couldn't find PID field in ps output".into()))?;
    let mut rows = Vec::new();
    for l in lines {
        let mut fields: Vec<String> = Vec::new();
        let mut rest = l.trim_start();
        while fields.len() + 1 < titles.len() {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            fields.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
        fields.push(rest.to_string());
        let pid: i32 = fields
            .get(col)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| Error::Invalid(format!("Unexpected pid in ps output: {l}")))?;
        if pids.contains(&pid) {
            rows.push(fields);
        }
    }
    Ok((titles, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ps_rows_are_cut_to_the_container_s_pids() {
        let out = "UID          PID    PPID  C STIME TTY          TIME CMD\n\
                   root           1       0  0 13:42 ?        00:00:02 /sbin/init\n\
                   root        4242    4200  0 13:50 ?        00:00:00 sleep 30 now\n";
        let (t, rows) = parse_ps(out, &[4242]).unwrap();
        assert_eq!(t.len(), 8);
        assert_eq!(
            rows,
            vec![vec![
                "root",
                "4242",
                "4200",
                "0",
                "13:50",
                "?",
                "00:00:00",
                "sleep 30 now"
            ]]
        );
        assert!(parse_ps("USER CMD\nroot x\n", &[1]).is_err());
    }
}
