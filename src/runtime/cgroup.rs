//! A cgroup per container, for one purpose today: freezing it so that a
//! commit snapshots a consistent upper dir. cgroup v2 (`cgroup.freeze`,
//! also on a hybrid host's `unified` tree) is used when there, else the v1
//! freezer. The container's init joins the groups before it execs.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where cgroup hierarchies that can freeze are mounted here.
fn bases() -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    let root = Path::new("/sys/fs/cgroup");
    if root.join("cgroup.controllers").exists() {
        out.push((root.to_path_buf(), true)); // pure v2
    } else {
        let unified = root.join("unified");
        if unified.join("cgroup.procs").exists() {
            out.push((unified, true)); // hybrid: v2 without controllers
        }
        let freezer = root.join("freezer");
        if freezer.join("cgroup.procs").exists() {
            out.push((freezer, false));
        }
    }
    out
}

/// The cgroup directories of container `id` (whether or not they exist).
pub fn dirs(id: &str) -> Vec<PathBuf> {
    bases()
        .into_iter()
        .map(|(b, _)| b.join("strata").join(id))
        .collect()
}

/// Creates the container's cgroups; returns those that could be made.
/// A v2 group that can freeze is enough: the v1 freezer is then not used
/// (joining a group costs an RCU grace period; one is cheaper than two).
pub fn create(id: &str) -> Vec<PathBuf> {
    collect_strays();
    let mut out = Vec::new();
    for d in dirs(id) {
        // A retry covers a concurrent `remove` that took away the empty parent.
        if (0..3).any(|_| fs::create_dir_all(&d).is_ok()) {
            let enough = is_v2(&d);
            out.push(d);
            if enough {
                break;
            }
        }
    }
    out
}

/// Removes containers' groups that a killed strata left: empty, and made
/// more than a minute ago (a group is joined milliseconds after it is
/// made, so a young empty one may be a container starting right now).
fn collect_strays() {
    for (base, _) in bases() {
        let Ok(rd) = fs::read_dir(base.join("strata")) else {
            continue;
        };
        for e in rd.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(60));
            if old && e.path().join("cgroup.procs").exists() {
                // rmdir fails, harmlessly, on a group with processes.
                let _ = fs::remove_dir(e.path());
            }
        }
    }
}

/// Whether `dir` is a cgroup v2 group (a process can be cloned into it).
pub fn is_v2_group(dir: &Path) -> bool {
    dir.join("cgroup.type").exists()
}

/// Removes the container's cgroups (they must be empty: the init is gone),
/// and strata's parent group once no container is left in it.
pub fn remove(id: &str) {
    for d in dirs(id) {
        let _ = fs::remove_dir(&d);
        if let Some(parent) = d.parent() {
            let _ = fs::remove_dir(parent);
        }
    }
}

fn is_v2(dir: &Path) -> bool {
    dir.join("cgroup.freeze").exists()
}

/// Freezes every process of container `id`; waits until the kernel says so.
pub fn freeze(id: &str) -> io::Result<()> {
    let dir = dirs(id)
        .into_iter()
        .find(|d| is_v2(d) || d.join("freezer.state").exists())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no cgroup freezer for this container",
            )
        })?;
    let deadline = Instant::now() + Duration::from_secs(10);
    if is_v2(&dir) {
        fs::write(dir.join("cgroup.freeze"), "1")?;
        while !fs::read_to_string(dir.join("cgroup.events"))?
            .lines()
            .any(|l| l == "frozen 1")
        {
            if Instant::now() > deadline {
                let _ = fs::write(dir.join("cgroup.freeze"), "0");
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the cgroup did not freeze",
                ));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    } else {
        fs::write(dir.join("freezer.state"), "FROZEN")?;
        while fs::read_to_string(dir.join("freezer.state"))?.trim() != "FROZEN" {
            if Instant::now() > deadline {
                let _ = fs::write(dir.join("freezer.state"), "THAWED");
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the cgroup did not freeze",
                ));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(())
}

/// Thaws container `id`.
pub fn thaw(id: &str) -> io::Result<()> {
    for d in dirs(id) {
        if is_v2(&d) {
            fs::write(d.join("cgroup.freeze"), "0")?;
        } else if d.join("freezer.state").exists() {
            fs::write(d.join("freezer.state"), "THAWED")?;
        }
    }
    Ok(())
}
