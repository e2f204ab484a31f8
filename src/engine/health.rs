//! Health checks, run as docker's daemon runs them, by the container's
//! monitor: every interval, the check (`CMD` exec form or `CMD-SHELL`) is
//! run as `strata exec` in the container (a process of its own: the
//! monitor never clones beside its threads), with a timeout; the result
//! goes to `containers/<id>/health.json` (docker's `State.Health`: status,
//! failing streak, the last five results). During the start period a
//! failure does not count; `Retries` failures in a row make it unhealthy.

use super::{Error, Result};
use crate::container::ContainerStore;
use crate::util::time;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// docker's `State.Health`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Health {
    /// `starting`, `healthy` or `unhealthy`.
    pub status: String,
    pub failing_streak: u32,
    pub log: Vec<Probe>,
}

/// One check's result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Probe {
    pub start: String,
    pub end: String,
    pub exit_code: i32,
    pub output: String,
}

/// A container's check, from its config's `Healthcheck`.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub argv: Vec<String>,
    pub interval: Duration,
    pub timeout: Duration,
    pub start_period: Duration,
    pub retries: u32,
}

const DEFAULT: Duration = Duration::from_secs(30);

/// The check a config asks for; None for none (`NONE`, or no HEALTHCHECK).
pub fn check_of(hc: Option<&serde_json::Value>) -> Option<Check> {
    let hc = hc?;
    let test: Vec<String> = hc
        .get("Test")?
        .as_array()?
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let argv = match test.first().map(String::as_str) {
        Some("CMD") => test[1..].to_vec(),
        Some("CMD-SHELL") => vec!["/bin/sh".into(), "-c".into(), test[1..].join(" ")],
        _ => return None,
    };
    if argv.is_empty() {
        return None;
    }
    let dur = |k: &str| {
        hc.get(k)
            .and_then(|v| v.as_i64())
            .filter(|n| *n > 0)
            .map(|n| Duration::from_nanos(n as u64))
    };
    Some(Check {
        argv,
        interval: dur("Interval").unwrap_or(DEFAULT),
        timeout: dur("Timeout").unwrap_or(DEFAULT),
        start_period: dur("StartPeriod").unwrap_or_default(),
        retries: hc
            .get("Retries")
            .and_then(|v| v.as_u64())
            .filter(|n| *n > 0)
            .unwrap_or(3) as u32,
    })
}

/// The `--health-*` flags of `run` and `create`, as given.
#[derive(Debug, Clone, Default)]
pub struct HealthFlags {
    pub cmd: Option<String>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub retries: Option<u32>,
    pub none: bool,
}

/// The image's Healthcheck with the flags applied, as docker merges them.
pub fn merge(
    image: Option<&serde_json::Value>,
    f: &HealthFlags,
) -> Result<Option<serde_json::Value>> {
    if f.none {
        if f.cmd.is_some() {
            return Err(Error::Invalid(
                "--no-healthcheck conflicts with --health-* options".into(),
            ));
        }
        return Ok(Some(serde_json::json!({"Test": ["NONE"]})));
    }
    let mut hc = image.cloned().unwrap_or_else(|| serde_json::json!({}));
    let obj = hc
        .as_object_mut()
        .ok_or_else(|| Error::Invalid("bad Healthcheck".into()))?;
    if let Some(c) = &f.cmd {
        obj.insert("Test".into(), serde_json::json!(["CMD-SHELL", c]));
    }
    for (flag, key) in [
        (&f.interval, "Interval"),
        (&f.timeout, "Timeout"),
        (&f.start_period, "StartPeriod"),
    ] {
        if let Some(v) = flag {
            let n = crate::dockerfile::parse_duration(v).map_err(|e| Error::Invalid(e.0))?;
            if n < 0 {
                return Err(Error::Invalid(format!(
                    "--health-{} cannot be negative",
                    key.to_lowercase()
                )));
            }
            obj.insert(key.into(), serde_json::json!(n));
        }
    }
    if let Some(r) = f.retries {
        obj.insert("Retries".into(), serde_json::json!(r));
    }
    Ok(if obj.is_empty() { None } else { Some(hc) })
}

/// Where a container's health lives.
pub fn path(containers: &ContainerStore, id: &str) -> PathBuf {
    containers.dir(id).join("health.json")
}

/// The health of container `id`, if it has a check.
pub fn read(containers: &ContainerStore, id: &str) -> Option<Health> {
    let b = std::fs::read(path(containers, id)).ok()?;
    serde_json::from_slice(&b).ok()
}

fn write(p: &Path, h: &Health) {
    let _ = crate::util::fsx::replace(p, &serde_json::to_vec(h).unwrap_or_default());
}

/// Runs one check: `strata exec` with a deadline.
fn probe(exe: &Path, root: &Path, runroot: &Path, id: &str, c: &Check) -> Probe {
    let start = time::rfc3339(time::now_nanos());
    let child = std::process::Command::new(exe)
        .arg("--root")
        .arg(root)
        .arg("--runroot")
        .arg(runroot)
        .arg("exec")
        .arg(id)
        .args(&c.argv)
        .env("STRATA_EXISTING_STORE", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return Probe {
                start,
                end: time::rfc3339(time::now_nanos()),
                exit_code: -1,
                output: e.to_string(),
            }
        }
    };
    let deadline = Instant::now() + c.timeout;
    let code = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st.code().unwrap_or(-1),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Probe {
                    start,
                    end: time::rfc3339(time::now_nanos()),
                    exit_code: -1,
                    output: format!(
                        "Health check exceeded timeout ({})",
                        crate::util::gofmt::duration(c.timeout.as_nanos() as i64)
                    ),
                };
            }
        }
    };
    let mut output = String::new();
    use std::io::Read;
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut output);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut output);
    }
    output.truncate(4096);
    Probe {
        start,
        end: time::rfc3339(time::now_nanos()),
        exit_code: code,
        output,
    }
}

/// The next health after a probe (docker's rules).
pub fn next(mut h: Health, p: Probe, c: &Check, in_start_period: bool) -> Health {
    if p.exit_code == 0 {
        h.status = "healthy".into();
        h.failing_streak = 0;
    } else if !(in_start_period && h.status == "starting") {
        h.failing_streak += 1;
        if h.failing_streak >= c.retries {
            h.status = "unhealthy".into();
        }
    }
    h.log.push(p);
    if h.log.len() > 5 {
        h.log.remove(0);
    }
    h
}

/// The monitor's health loop, for the life of the container's init `pid`.
pub fn run_loop(root: PathBuf, runroot: PathBuf, id: String, c: Check, pid: i32) {
    let Ok(containers) = ContainerStore::open(&root, &runroot) else {
        return;
    };
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let p = path(&containers, &id);
    let began = Instant::now();
    let mut h = Health {
        status: "starting".into(),
        ..Health::default()
    };
    write(&p, &h);
    let alive = || matches!(containers.peek_state(&id), Ok(st) if st.is_running() && st.pid == pid);
    loop {
        let wake = Instant::now() + c.interval;
        while Instant::now() < wake {
            std::thread::sleep(Duration::from_millis(100).min(c.interval));
            if !alive() {
                return;
            }
        }
        let result = probe(&exe, &root, &runroot, &id, &c);
        if !alive() {
            return;
        }
        let before = h.status.clone();
        h = next(h, result, &c, began.elapsed() < c.start_period);
        write(&p, &h);
        if h.status != before {
            // docker's `health_status: healthy` event.
            let (image, name) = containers
                .record(&id)
                .map(|r| (r.image, r.name))
                .unwrap_or_default();
            super::events::append(
                &root,
                "container",
                &format!("health_status: {}", h.status),
                &id,
                &[("image", &image), ("name", &name)],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(retries: u32) -> Check {
        Check {
            argv: vec!["true".into()],
            interval: DEFAULT,
            timeout: DEFAULT,
            start_period: Duration::ZERO,
            retries,
        }
    }

    fn p(code: i32) -> Probe {
        Probe {
            exit_code: code,
            ..Probe::default()
        }
    }

    #[test]
    fn docker_s_rules() {
        let start = Health {
            status: "starting".into(),
            ..Health::default()
        };
        let h = next(start.clone(), p(1), &c(2), false);
        assert_eq!((h.status.as_str(), h.failing_streak), ("starting", 1));
        let h = next(h, p(1), &c(2), false);
        assert_eq!(h.status, "unhealthy");
        let h = next(h, p(0), &c(2), false);
        assert_eq!((h.status.as_str(), h.failing_streak), ("healthy", 0));
        // In the start period, failures do not count.
        let h = next(start, p(1), &c(1), true);
        assert_eq!((h.status.as_str(), h.failing_streak), ("starting", 0));
        let mut h = h;
        for _ in 0..7 {
            h = next(h, p(0), &c(1), false);
        }
        assert_eq!(h.log.len(), 5);
    }

    #[test]
    fn checks_from_the_config_and_the_flags() {
        let img = serde_json::json!({"Test": ["CMD", "true"], "Interval": 1_000_000_000i64});
        let k = check_of(Some(&img)).unwrap();
        assert_eq!(
            (k.argv.clone(), k.interval, k.retries),
            (vec!["true".to_string()], Duration::from_secs(1), 3)
        );
        assert!(check_of(Some(&serde_json::json!({"Test": ["NONE"]}))).is_none());
        let f = HealthFlags {
            cmd: Some("exit 1".into()),
            interval: Some("500ms".into()),
            retries: Some(2),
            ..Default::default()
        };
        let m = merge(Some(&img), &f).unwrap().unwrap();
        let k = check_of(Some(&m)).unwrap();
        assert_eq!(k.argv, ["/bin/sh", "-c", "exit 1"]);
        assert_eq!((k.interval, k.retries), (Duration::from_millis(500), 2));
        let none = HealthFlags {
            none: true,
            ..Default::default()
        };
        assert!(check_of(merge(Some(&img), &none).unwrap().as_ref()).is_none());
        let bad = HealthFlags {
            interval: Some("soon".into()),
            ..Default::default()
        };
        assert!(merge(None, &bad).is_err());
    }
}
