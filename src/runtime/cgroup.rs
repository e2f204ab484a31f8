//! A cgroup per container: for freezing it (a commit snapshots a
//! consistent upper dir) and for its device policy. cgroup v2
//! (`cgroup.freeze`, also on a hybrid host's `unified` tree) is used when
//! there, else the v1 freezer. Devices: a BPF program on the v2 group
//! (cgroup BPF needs no controller, so this works on a hybrid host's
//! controllerless tree too), else the v1 `devices` controller. The
//! container's init is cloned into the v2 group and joins the others
//! before it execs.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// This host's hierarchies, found once per process (each is a few
/// `stat`s, and a run asked for them six times): how cgroups are mounted
/// does not change under a running strata.
struct Hierarchies {
    bases: Vec<(PathBuf, bool)>,
    devices: Option<PathBuf>,
    v1_limits: Vec<PathBuf>,
}

fn hierarchies() -> &'static Hierarchies {
    static FOUND: std::sync::OnceLock<Hierarchies> = std::sync::OnceLock::new();
    FOUND.get_or_init(|| {
        let root = Path::new("/sys/fs/cgroup");
        let d = root.join("devices");
        Hierarchies {
            bases: bases_in(root),
            devices: d.join("devices.allow").exists().then_some(d),
            v1_limits: if root.join("cgroup.controllers").exists() {
                Vec::new()
            } else {
                super::resources::V1_CONTROLLERS
                    .iter()
                    .map(|c| root.join(c))
                    .filter(|b| b.join("cgroup.procs").exists())
                    .collect()
            },
        }
    })
}

/// Where cgroup hierarchies that can freeze are mounted here.
fn bases() -> Vec<(PathBuf, bool)> {
    hierarchies().bases.clone()
}

fn bases_in(root: &Path) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
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

/// The v1 devices hierarchy, when this host mounts one.
fn devices_base() -> Option<PathBuf> {
    hierarchies().devices.clone()
}

/// Where group `id` sits in each hierarchy: a name is strata's own
/// (`strata/NAME`); a path (`/default/t1`, an OCI spec's `cgroupsPath`) is
/// taken from the hierarchy's root, without `..` or empty parts.
pub fn rel(id: &str) -> PathBuf {
    match id.strip_prefix('/') {
        Some(p) => p
            .split('/')
            .filter(|c| !c.is_empty() && *c != "." && *c != "..")
            .collect(),
        None => Path::new("strata").join(id),
    }
}

/// Whether group `id` is one of strata's own (under `strata/`).
fn is_own(id: &str) -> bool {
    !id.starts_with('/')
}

/// The cgroup directories of container `id` (whether or not they exist).
pub fn dirs(id: &str) -> Vec<PathBuf> {
    let h = hierarchies();
    h.bases
        .iter()
        .map(|(b, _)| b)
        .chain(h.devices.iter())
        .chain(h.v1_limits.iter())
        .map(|b| b.join(rel(id)))
        .collect()
}

/// The groups of container `id` that count OOM kills: its v2 group
/// (pure v2, or a hybrid host's `unified`) and its v1 memory group.
pub fn memory_dirs(id: &str) -> Vec<PathBuf> {
    dirs(id)
        .into_iter()
        .filter(|d| {
            ["memory", "unified", "strata"]
                .iter()
                .any(|c| d.starts_with(Path::new("/sys/fs/cgroup").join(c)))
        })
        .collect()
}

/// Where a container's device policy goes: the v2 program where it can be
/// attached, else the v1 controller (`Auto`); only the v1 controller
/// (`V1`); both (`Both`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeviceMode {
    #[default]
    Auto,
    V1,
    Both,
}

impl DeviceMode {
    /// `STRATA_CGROUP_DEVICES`'s values: `v1`, `both`, anything else auto.
    pub fn parse(v: Option<&str>) -> DeviceMode {
        match v {
            Some("v1") => DeviceMode::V1,
            Some("both") => DeviceMode::Both,
            _ => DeviceMode::Auto,
        }
    }

    /// (use the v2 program, force the v1 controller)
    fn flags(self) -> (bool, bool) {
        match self {
            DeviceMode::Auto => (true, false),
            DeviceMode::V1 => (false, true),
            DeviceMode::Both => (true, true),
        }
    }
}

/// Why a container's cgroups could not be set up.
#[derive(Debug)]
pub struct SetupError(pub String);

fn mkdir_retry(d: &Path) -> bool {
    // A retry covers a concurrent `remove` that took away the empty parent.
    (0..3).any(|_| fs::create_dir_all(d).is_ok())
}

/// Creates the container's cgroups and applies its device policy; returns
/// the groups to join. A v2 group that can freeze is enough for freezing:
/// the v1 freezer is then not used (joining a group by writing
/// `cgroup.procs` costs an RCU grace period, 5-20 ms; cloning into a v2
/// group costs none). The device policy goes on the v2 group as a BPF
/// program; the v1 devices controller is used only where that fails (no
/// v2 tree), or when `STRATA_CGROUP_DEVICES` asks. A policy that cannot
/// be applied anywhere is an error: a container never runs without one.
pub fn create(
    id: &str,
    policy: &super::devices::Policy,
    mode: DeviceMode,
) -> Result<Vec<PathBuf>, SetupError> {
    collect_strays();
    let mut out = Vec::new();
    let (use_v2, force_v1) = mode.flags();
    let mut program_attached = false;
    for (base, _) in bases() {
        let d = base.join(rel(id));
        if !mkdir_retry(&d) {
            continue;
        }
        let v2 = is_v2(&d);
        if v2 && use_v2 && !program_attached {
            program_attached = match policy {
                super::devices::Policy::Allow(rules) => {
                    attach_device_program(&d, rules, is_own(id))
                }
                // Every device: a program that allows all, overriding the
                // parent's default for this group.
                super::devices::Policy::AllowAll => attach_device_program(
                    &d,
                    &[super::devices::Rule::new(
                        super::devices::Kind::All,
                        None,
                        None,
                        "rwm",
                    )],
                    is_own(id),
                ),
            };
        }
        out.push(d);
        if v2 {
            break;
        }
    }
    let restricted = matches!(policy, super::devices::Policy::Allow(_));
    if restricted && (!program_attached || force_v1) {
        let Some(base) = devices_base() else {
            remove(id);
            return Err(SetupError(
                "no device cgroup: neither a cgroup v2 device program nor the v1 devices controller could be used".into(),
            ));
        };
        let d = base.join(rel(id));
        if !mkdir_retry(&d) {
            remove(id);
            return Err(SetupError(format!("mkdir {}", d.display())));
        }
        if let Err(e) = write_v1_devices(&d, policy) {
            remove(id);
            return Err(SetupError(format!("{}: {e}", d.display())));
        }
        out.push(d);
    }
    Ok(out)
}

/// Puts the device policy `rules` in force on the new v2 group `dir`.
/// docker's default policy is a program on the parent (`strata/`),
/// attached once (BPF_F_ALLOW_OVERRIDE) and inherited by every container
/// group made below it: no program is loaded per container. Another
/// policy (`--device`) is a program of the container's own group, which
/// overrides the parent's for it. Checked on the container's group, so a
/// parent that was just made again (and has no program yet) gets one. A
/// group outside strata's parent (`own_parent` false: an OCI
/// `cgroupsPath`) always gets a program of its own.
fn attach_device_program(dir: &Path, rules: &[super::devices::Rule], own_parent: bool) -> bool {
    use super::devices::{self, BPF_F_ALLOW_MULTI, BPF_F_ALLOW_OVERRIDE};
    let Ok(own) = fs::File::open(dir) else {
        return false;
    };
    if rules != devices::default_rules().as_slice() || !own_parent {
        return devices::attach_program(&own, rules, BPF_F_ALLOW_OVERRIDE).is_ok()
            || devices::attach_program(&own, rules, BPF_F_ALLOW_MULTI).is_ok();
    }
    // A program attached to strata's own parent group is strata's (no
    // other tool attaches there); the parent cannot go away while this
    // group is in it.
    if let Some(p) = dir.parent().and_then(|p| fs::File::open(p).ok()) {
        if devices::program_count(&p, false).is_ok_and(|n| n > 0) {
            return true;
        }
        if devices::attach_program(&p, rules, BPF_F_ALLOW_OVERRIDE).is_ok() {
            return true;
        }
    }
    // The parent cannot take it (another tool's programs there): this
    // group's own, then.
    devices::attach_program(&own, rules, BPF_F_ALLOW_MULTI).is_ok()
}

/// Writes a policy into a v1 devices group.
pub fn write_v1_devices(dir: &Path, policy: &super::devices::Policy) -> io::Result<()> {
    let (deny, allow) = super::devices::v1_lines(policy);
    for l in deny {
        fs::write(dir.join("devices.deny"), l)?;
    }
    for l in allow {
        fs::write(dir.join("devices.allow"), l)?;
    }
    Ok(())
}

/// Removes containers' groups that a killed strata left: empty, and made
/// more than a minute ago (a group is joined milliseconds after it is
/// made, so a young empty one may be a container starting right now).
fn collect_strays() {
    for (base, _) in bases() {
        let Ok(rd) = fs::read_dir(base.join("strata")) else {
            continue;
        };
        // Only directories are groups (the type comes with the entry: the
        // parent's own control files cost no stat).
        for e in rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        {
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

/// Removes the container's cgroups (they must be empty: the init is gone).
/// strata's parent groups stay, as docker's do: the v2 one holds the
/// default device program, loaded once; a v1 one, made again for every
/// container, would cost a mkdir and an rmdir on each start.
pub fn remove(id: &str) {
    for d in dirs(id) {
        let _ = fs::remove_dir(&d);
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
