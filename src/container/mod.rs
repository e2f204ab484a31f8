//! The container store: one directory per container with its record, its
//! state, its overlay upper and work dirs and its /etc files. Names are
//! claimed with atomic symlinks in names/, so two processes can never take
//! the same name. Knows nothing of images or processes.
//!
//!   containers/<id>/container.json  the record (what was asked for)
//!   containers/<id>/state.json      status, pid + start time, exit code
//!   containers/<id>/{upper,work,rootfs}/  overlay dirs and mount point
//!   containers/<id>/{hostname,hosts,resolv.conf}
//!   names/<name> -> <id>
//!   init/                           mount points shared by every container
//!   <runroot>/<id>.lock             the per-container lock

pub mod log;
pub mod names;
pub mod state;

pub use state::{State, Status};

use crate::oci::RunConfig;
use crate::util::{fsx, ids, lock};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Errors of the container store.
#[derive(Debug)]
pub enum Error {
    NotFound(String),
    /// A prefix that several ids start with: the prefix and the candidates.
    Ambiguous(String, Vec<String>),
    NameInUse {
        name: String,
        id: String,
    },
    BadName(String),
    Io {
        path: PathBuf,
        err: io::Error,
    },
    Damaged(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound(n) => write!(f, "No such container: {n}"),
            Error::Ambiguous(p, c) => {
                let short: Vec<&str> = c.iter().map(|x| &x[..x.len().min(12)]).collect();
                write!(
                    f,
                    "multiple IDs found with provided prefix: {p} (candidates: {})",
                    short.join(", ")
                )
            }
            Error::NameInUse { name, id } => write!(
                f,
                "Conflict. The container name \"/{name}\" is already in use by container \"{id}\". \
                 You have to remove (or rename) that container to be able to reuse that name."
            ),
            Error::BadName(n) => write!(
                f,
                "Invalid container name ({n}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            ),
            Error::Io { path, err } => write!(f, "{}: {err}", path.display()),
            Error::Damaged(m) => write!(f, "container store is damaged: {m}"),
        }
    }
}

impl std::error::Error for Error {}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |err| Error::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// A user network a container is connected to besides its first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub network: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
}

/// A mount as recorded (`-v`, `--mount`, `--volumes-from`, an image's
/// VOLUME). Records written before volumes existed are binds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mount {
    /// The host path (a bind's, a volume's `_data`; empty for tmpfs).
    pub source: String,
    pub destination: String,
    pub rw: bool,
    /// `bind`, `volume` or `tmpfs`.
    #[serde(default = "bind_kind", rename = "type")]
    pub kind: String,
    /// A volume's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A volume made for this container (`-v /path`, the image's VOLUME).
    #[serde(default)]
    pub anonymous: bool,
    /// `nocopy`: the image's files at the path are not copied into an
    /// empty volume.
    #[serde(default)]
    pub nocopy: bool,
    /// docker's `Mode` text (`z`, `ro`, ...).
    #[serde(default)]
    pub mode: String,
    /// tmpfs: its mount options (`size=...,mode=...`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub options: String,
}

fn bind_kind() -> String {
    "bind".into()
}

/// What a container was created with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub name: String,
    pub created: String,
    /// The image as the user named it (`busybox`, `me/redis:1`).
    pub image: String,
    pub image_id: String,
    /// The image's layer chain ids, base first.
    pub layers: Vec<String>,
    pub path: String,
    pub args: Vec<String>,
    /// The merged run configuration (image config + run flags).
    pub config: RunConfig,
    pub hostname: String,
    pub tty: bool,
    pub open_stdin: bool,
    pub network: String,
    /// `--network-alias`: more names on a user network.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_aliases: Vec<String>,
    /// `--ip`: the address asked for on a user network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// More user networks (`network connect`), joined at every start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_networks: Vec<Endpoint>,
    pub auto_remove: bool,
    #[serde(default)]
    pub mounts: Vec<Mount>,
    /// How many of the last `layers` hold this container's own committed
    /// changes (a stopped container's upper dir becomes a layer on commit,
    /// and the container continues on top of it with an empty upper dir).
    #[serde(default)]
    pub committed_layers: usize,
    /// Journal of a commit in progress: the chain id of the layer that the
    /// upper dir is becoming. See `engine::commit` for the recovery rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebase: Option<String>,
    /// The last image committed from this container when it was stopped:
    /// its file system stands on that image's layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<String>,
    /// For a build step's container: the building process (pid, start
    /// time). Once that process is gone, the container is swept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<(i32, u64)>,
    /// `-p`/`-P`: the ports to publish (host port 0: any free one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<crate::oci::PortBinding>,
    /// `--dns` servers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
    /// `--add-host` entries: (name, address).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_hosts: Vec<(String, String)>,
    /// `--init`: strata's init runs as PID 1, the command under it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub init: bool,
    /// `--restart`, applied by the monitor while it lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<RestartPolicy>,
    /// Capabilities, seccomp, devices: what the container may do.
    #[serde(default)]
    pub security: Security,
    /// `--stop-timeout`: seconds `stop` waits before SIGKILL (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_timeout: Option<u64>,
    /// `--ulimit`, `--read-only`, `--tmpfs`, `--shm-size`, `--sysctl`,
    /// `--oom-score-adj`, as given (checked at create).
    #[serde(default)]
    pub limits: Limits,
}

/// The per-container limits and knobs of docker's HostConfig.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ulimits: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// path -> options, as `--tmpfs PATH:OPTS`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub tmpfs: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<u64>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sysctls: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oom_score_adj: Option<i32>,
    /// `-m`, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_swap: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nano_cpus: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_period: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_quota: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpuset_cpus: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
}

/// What a container may do beyond docker's defaults, as asked
/// (`--cap-add`, `--cap-drop`, `--privileged`, `--security-opt`, `--device`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Security {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub privileged: bool,
    /// `--security-opt` values as given (for inspect).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_opt: Vec<String>,
    /// A seccomp profile given with `seccomp=FILE`: its JSON, read at
    /// create time as docker's client does. None: the default profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp_profile: Option<String>,
    /// `seccomp=unconfined` (or `--privileged`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub seccomp_unconfined: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_new_privileges: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceMapping>,
}

/// `--device HOST[:CONTAINER[:PERMISSIONS]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceMapping {
    pub path_on_host: String,
    pub path_in_container: String,
    pub cgroup_permissions: String,
}

/// The file `reserve_space` makes.
const RESERVE: &str = "reserve";

/// docker's restart policy: `always`, `unless-stopped`, `on-failure`
/// (with at most `max_retries` restarts; 0 = no limit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartPolicy {
    pub name: String,
    pub max_retries: u32,
}

impl RestartPolicy {
    /// Whether a container that exited with `code`, after `restarts`
    /// restarts, starts again. A container stopped by the user never does.
    pub fn restarts(&self, code: i32, restarts: u32, stopped_by_user: bool) -> bool {
        if stopped_by_user {
            return false;
        }
        match self.name.as_str() {
            "always" | "unless-stopped" => true,
            "on-failure" => code != 0 && (self.max_retries == 0 || restarts < self.max_retries),
            _ => false,
        }
    }
}

/// The container store rooted at a store directory and a run directory.
pub struct ContainerStore {
    dir: PathBuf,
    names: PathBuf,
    init: PathBuf,
    mnt: PathBuf,
    run: PathBuf,
}

impl ContainerStore {
    pub fn open(root: &Path, runroot: &Path) -> Result<ContainerStore, Error> {
        let s = ContainerStore {
            dir: root.join("containers"),
            names: root.join("names"),
            init: root.join("init"),
            mnt: root.join("mnt"),
            run: runroot.to_path_buf(),
        };
        for d in [&s.dir, &s.names, &s.run] {
            fsx::private_dir(d, 0o700).map_err(io_err(d))?;
        }
        Ok(s)
    }

    /// The json-lines log of a detached container.
    pub fn log_path(&self, id: &str) -> PathBuf {
        self.dir(id).join(format!("{id}-json.log"))
    }

    pub fn dir(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    /// The one directory every container's root is mounted on, each in a
    /// mount namespace of its own (the run's, or a view's for `cp` and
    /// COPY), never in the host's: no container needs a mount point of its
    /// own, one directory fewer to make and delete at every run. Made at
    /// first use.
    pub fn root_mount_point(&self) -> Result<PathBuf, Error> {
        use std::os::unix::fs::DirBuilderExt;
        let p = self.mnt.clone();
        match fs::DirBuilder::new().mode(0o700).create(&p) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(io_err(&p)(e)),
            _ => Ok(p),
        }
    }

    /// The layer holding the mount points every container needs (/proc,
    /// /sys, /dev, /etc/hostname, /etc/hosts, /etc/resolv.conf), so they
    /// never land in a container's upper dir. Made once; linked as `init`
    /// in `links_dir`. Returns the link name.
    pub fn ensure_init_layer(&self, links_dir: &Path) -> Result<String, Error> {
        let link = links_dir.join("init");
        if self.init.join("etc/resolv.conf").is_file() && fs::symlink_metadata(&link).is_ok() {
            return Ok("init".into());
        }
        let tmp = self
            .init
            .with_file_name(format!(".init-{}", ids::random_hex(6)));
        let build = || -> io::Result<()> {
            for d in ["proc", "sys", "dev", "etc"] {
                fs::create_dir_all(tmp.join(d))?;
            }
            for f in ["etc/hostname", "etc/hosts", "etc/resolv.conf"] {
                fs::File::create(tmp.join(f))?;
            }
            Ok(())
        };
        build().map_err(io_err(&tmp))?;
        if fs::rename(&tmp, &self.init).is_err() {
            // Another process made it first (or an old one is there): keep it.
            let _ = fsx::remove_tree(&tmp);
        }
        if fs::symlink_metadata(&link).is_err() {
            let _ = std::os::unix::fs::symlink("../init", &link);
        }
        Ok("init".into())
    }

    /// Creates a container: claims its name, then makes its directory in a
    /// temp place and renames it into view, so a crash never leaves half a
    /// container. `files` are written into the directory (hostname, ...).
    pub fn create(&self, rec: &Record, files: &[(&str, String)]) -> Result<(), Error> {
        if !names::is_valid(&rec.name) {
            return Err(Error::BadName(rec.name.clone()));
        }
        // The temp dir exists before the name is claimed: a claim whose
        // owner has neither a temp dir nor a record is stale.
        let tmp = self.dir.join(format!(".tmp-{}", rec.id));
        fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        if let Err(e) = self.claim_name(&rec.name, &rec.id) {
            let _ = fsx::remove_tree(&tmp);
            return Err(e);
        }
        let build = || -> Result<(), Error> {
            // No mount point of its own: see `root_mount_point`.
            for d in ["upper", "work"] {
                let p = tmp.join(d);
                fs::create_dir_all(&p).map_err(io_err(&p))?;
            }
            for (name, content) in files {
                let p = tmp.join(name);
                fs::write(&p, content).map_err(io_err(&p))?;
            }
            // Written in place: the rename of the whole directory below is
            // what makes it appear, whole. No state.json yet: a record
            // without one is created (one file fewer for every container;
            // see `stored_state`).
            let p = tmp.join("container.json");
            fsx::write_new_private(&p, &serde_json::to_vec_pretty(rec).unwrap_or_default())
                .map_err(io_err(&p))?;
            let dest = self.dir(&rec.id);
            fs::rename(&tmp, &dest).map_err(io_err(&dest))
        };
        if let Err(e) = build() {
            let _ = fsx::remove_tree(&tmp);
            let _ = fsx::remove_file(&self.names.join(&rec.name));
            return Err(e);
        }
        Ok(())
    }

    fn write_json<T: Serialize>(&self, path: &Path, v: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec_pretty(v).unwrap_or_default();
        match fsx::replace(path, &bytes) {
            // A full disk (a log filled it): the container's reserve makes
            // room for its state, still written whole and renamed.
            Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => {
                let reserve = path.with_file_name(RESERVE);
                if fs::remove_file(&reserve).is_ok() {
                    fsx::replace(path, &bytes).map_err(io_err(path))
                } else {
                    Err(io_err(path)(e))
                }
            }
            r => r.map_err(io_err(path)),
        }
    }

    /// Sets aside room for container `id`'s last state writes: a file of
    /// zeros that a full disk gives back (a detached container's log may
    /// fill the disk).
    pub fn reserve_space(&self, id: &str) {
        let path = self.dir(id).join(RESERVE);
        if path.exists() {
            return;
        }
        // Blocks allocated, not written: as good a reserve, and cheaper.
        let made = fs::File::create(&path).is_ok_and(|f| {
            nix::fcntl::fallocate(
                std::os::fd::AsRawFd::as_raw_fd(&f),
                nix::fcntl::FallocateFlags::empty(),
                0,
                64 * 1024,
            )
            .is_ok()
        });
        if !made {
            let _ = fs::write(&path, vec![0u8; 64 * 1024]);
        }
    }

    /// Claims `name` for `id`. Runs under a short lock on names/ so that a
    /// stale claim is replaced by exactly one process.
    fn claim_name(&self, name: &str, id: &str) -> Result<(), Error> {
        let lock_path = self.run.join("names.lock");
        let _guard = lock::exclusive(&lock_path).map_err(io_err(&lock_path))?;
        let link = self.names.join(name);
        loop {
            match std::os::unix::fs::symlink(id, &link) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let owner = fs::read_link(&link).map_err(io_err(&link))?;
                    let owner = owner.to_string_lossy().to_string();
                    // Taken by a container, or by one still being created.
                    if self.dir(&owner).join("container.json").is_file()
                        || self.dir.join(format!(".tmp-{owner}")).exists()
                    {
                        return Err(Error::NameInUse {
                            name: name.into(),
                            id: owner,
                        });
                    }
                    // A stale claim (its container never finished or was
                    // removed by a crash): take it over.
                    fsx::remove_file(&link).map_err(io_err(&link))?;
                }
                Err(e) => return Err(io_err(&link)(e)),
            }
        }
    }

    /// Gives container `id` the name `new` (the caller holds its lock):
    /// the new name is claimed first, then the record says it, then the
    /// old claim goes. Two renames to one name: one wins, the other gets
    /// `NameInUse`.
    pub fn rename(&self, id: &str, new: &str) -> Result<(), Error> {
        if !names::is_valid(new) {
            return Err(Error::BadName(new.to_string()));
        }
        self.claim_name(new, id)?;
        let mut rec = match self.record(id) {
            Ok(r) => r,
            Err(e) => {
                let _ = fsx::remove_file(&self.names.join(new));
                return Err(e);
            }
        };
        let old = std::mem::replace(&mut rec.name, new.to_string());
        if let Err(e) = self.set_record(&rec) {
            let _ = fsx::remove_file(&self.names.join(new));
            return Err(e);
        }
        let link = self.names.join(&old);
        if fs::read_link(&link).is_ok_and(|t| t.to_string_lossy() == id) {
            fsx::remove_file(&link).map_err(io_err(&link))?;
        }
        Ok(())
    }

    /// True if a container already uses `name`.
    pub fn name_taken(&self, name: &str) -> bool {
        fs::read_link(self.names.join(name))
            .map(|id| {
                self.dir(&id.to_string_lossy())
                    .join("container.json")
                    .is_file()
            })
            .unwrap_or(false)
    }

    /// Every container id.
    pub fn ids(&self) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for e in fs::read_dir(&self.dir)
            .map_err(io_err(&self.dir))?
            .flatten()
        {
            let n = e.file_name().to_string_lossy().to_string();
            if n.len() == 64 && ids::is_hex(&n) {
                out.push(n);
            }
        }
        Ok(out)
    }

    /// Resolves a full id, a name or a unique id prefix to an id.
    pub fn resolve(&self, name: &str) -> Result<String, Error> {
        let name = name.strip_prefix('/').unwrap_or(name);
        if name.is_empty() {
            return Err(Error::NotFound(name.into()));
        }
        if name.len() == 64 && self.dir(name).join("container.json").is_file() {
            return Ok(name.into());
        }
        if let Ok(id) = fs::read_link(self.names.join(name)) {
            let id = id.to_string_lossy().to_string();
            if self.dir(&id).join("container.json").is_file() {
                return Ok(id);
            }
        }
        if !ids::is_hex(name) {
            return Err(Error::NotFound(name.into()));
        }
        let all = self.ids()?;
        match ids::match_prefix(name, all.iter().map(String::as_str)) {
            ids::PrefixMatch::One(id) => Ok(id),
            ids::PrefixMatch::Many(c) => Err(Error::Ambiguous(name.into(), c)),
            ids::PrefixMatch::None => Err(Error::NotFound(name.into())),
        }
    }

    pub fn record(&self, id: &str) -> Result<Record, Error> {
        let p = self.dir(id).join("container.json");
        let b = fsx::read(&p).map_err(|_| Error::NotFound(id.into()))?;
        serde_json::from_slice(&b).map_err(|e| Error::Damaged(format!("{}: {e}", p.display())))
    }

    /// The stored state, as written (see [`ContainerStore::state`]).
    fn stored_state(&self, id: &str) -> Result<State, Error> {
        match self.state_file(id)? {
            Some(st) => Ok(st),
            // Never started: `create` writes no state.
            None if self.dir(id).join("container.json").is_file() => Ok(State::default()),
            None => Err(Error::NotFound(id.into())),
        }
    }

    /// state.json, when there is one.
    fn state_file(&self, id: &str) -> Result<Option<State>, Error> {
        let p = self.dir(id).join("state.json");
        match fsx::read_opt(&p).map_err(io_err(&p))? {
            Some(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| Error::Damaged(format!("{}: {e}", p.display()))),
            None => Ok(None),
        }
    }

    /// The state, with the liveness rule applied: a container recorded as
    /// running whose process and supervisor are both gone has exited,
    /// killed (137) with its supervisor. That finding is written back
    /// under the container lock, unless the supervisor recorded the real
    /// exit first. (While the supervisor lives, it records the exit.)
    pub fn state(&self, id: &str) -> Result<State, Error> {
        let st = self.stored_state(id)?;
        self.live_state(id, st)
    }

    /// The containers as one listing reads them: their directory opened
    /// once, each container's files read relative to it.
    pub fn listing(&self) -> Result<Listing<'_>, Error> {
        let dir = fs::File::open(&self.dir).map_err(io_err(&self.dir))?;
        Ok(Listing { store: self, dir })
    }

    fn live_state(&self, id: &str, st: State) -> Result<State, Error> {
        if !st.is_running() || !Self::abandoned(&st) {
            return Ok(st);
        }
        let _guard = self.lock(id)?;
        self.state_locked(id)
    }

    /// A running container whose init is gone and that no supervisor
    /// will record.
    fn abandoned(st: &State) -> bool {
        !state::is_alive(st.pid, st.pid_start)
            && (st.supervisor == 0 || !state::is_alive(st.supervisor, st.supervisor_start))
    }

    /// The state as last written, without the liveness rule and without
    /// the lock (for a look that changes nothing).
    pub fn peek_state(&self, id: &str) -> Result<State, Error> {
        self.stored_state(id)
    }

    /// `state`, for a caller that holds the container's lock.
    pub fn state_locked(&self, id: &str) -> Result<State, Error> {
        let mut st = self.stored_state(id)?;
        if st.is_running() && Self::abandoned(&st) {
            st.status = Status::Exited;
            st.exit_code = 137;
            st.pid = 0;
            st.finished_at = Some(crate::util::time::rfc3339(crate::util::time::now_nanos()));
            // What was found is the answer even when it cannot be written
            // (a full disk): the container must stay visible and removable.
            let _ = self.write_json(&self.dir(id).join("state.json"), &st);
        }
        Ok(st)
    }

    /// Records a new state. A container removed meanwhile is not an error.
    pub fn set_state(&self, id: &str, st: &State) -> Result<(), Error> {
        let dir = self.dir(id);
        if !dir.is_dir() {
            return Ok(());
        }
        self.write_json(&dir.join("state.json"), st)
    }

    /// Rewrites a container's record.
    pub fn set_record(&self, rec: &Record) -> Result<(), Error> {
        self.write_json(&self.dir(&rec.id).join("container.json"), rec)
    }

    /// Where a commit stages the upper dir on its way to the layer store.
    pub fn stage_dir(&self, id: &str) -> PathBuf {
        self.dir(id).join("layer-stage")
    }

    /// Stages the upper dir as a layer: writes `layer_json` into the stage,
    /// then renames `upper/` to `stage/diff` (a rename: nothing is copied).
    /// Not durable, as the commit journal in the record is not: the layer
    /// store writes its own layer.json durably when it adopts a new layer,
    /// and `repair` undoes a stage whose layer.json it cannot read.
    pub fn stage_upper(&self, id: &str, layer_json: &[u8]) -> Result<PathBuf, Error> {
        let stage = self.stage_dir(id);
        fsx::remove_tree(&stage).map_err(io_err(&stage))?;
        fs::create_dir(&stage).map_err(io_err(&stage))?;
        let meta = stage.join("layer.json");
        fsx::replace(&meta, layer_json).map_err(io_err(&meta))?;
        let upper = self.dir(id).join("upper");
        fs::rename(&upper, stage.join("diff")).map_err(io_err(&upper))?;
        Ok(stage)
    }

    /// Gives the container a new, empty upper dir (after its old one was
    /// taken into the layer store).
    pub fn fresh_upper(&self, id: &str) -> Result<(), Error> {
        let upper = self.dir(id).join("upper");
        match fs::create_dir(&upper) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(io_err(&upper)(e)),
            _ => Ok(()),
        }
    }

    /// The per-container lock (in the run directory).
    pub fn lock(&self, id: &str) -> Result<lock::LockGuard, Error> {
        let p = self.run.join(format!("{id}.lock"));
        // No lock file for a container that is gone (a monitor recording
        // an exit after `rm -f`): it would be left behind.
        if !p.exists() && !self.dir(id).is_dir() && !self.dir.join(format!(".tmp-{id}")).is_dir() {
            return Err(Error::NotFound(id.to_string()));
        }
        lock::exclusive(&p).map_err(io_err(&p))
    }

    /// Removes a container's directory, name and lock file. Its directory
    /// is renamed away first, so a crash leaves either all or nothing.
    pub fn remove(&self, id: &str) -> Result<(), Error> {
        let rec = self.record(id).ok();
        let dir = self.dir(id);
        let doomed = self.dir.join(format!(".rm-{id}"));
        match fs::rename(&dir, &doomed) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&dir)(e)),
        }
        if let Some(rec) = rec {
            let link = self.names.join(&rec.name);
            if fs::read_link(&link)
                .map(|t| t.to_string_lossy() == id)
                .unwrap_or(false)
            {
                fsx::remove_file(&link).map_err(io_err(&link))?;
            }
        }
        fsx::remove_tree(&doomed).map_err(io_err(&doomed))?;
        let _ = fsx::remove_file(&self.run.join(format!("{id}.lock")));
        Ok(())
    }

    /// Removes a container as [`remove`](Self::remove) does, except the
    /// few files and directories left of it once its upper dir is gone:
    /// the caller has [`Retired::finish`] delete those after it has told
    /// the user the exit code (an `--rm` run's exit does not wait for a
    /// dozen unlinks). The container is gone for every command at once
    /// (renamed to `.rm-ID`), its name is free, its files' space is back;
    /// the `.rm-ID` directory is locked until it is deleted, and the sweep
    /// deletes one whose lock nobody holds (its remover was killed).
    pub fn retire(&self, id: &str) -> Result<Retired, Error> {
        let rec = self.record(id).ok();
        let dir = self.dir(id);
        let held = fs::File::open(&dir).map_err(io_err(&dir))?;
        rustix::fs::flock(&held, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| io_err(&dir)(e.into()))?;
        let doomed = self.dir.join(format!(".rm-{id}"));
        fs::rename(&dir, &doomed).map_err(io_err(&dir))?;
        if let Some(rec) = rec {
            let link = self.names.join(&rec.name);
            if fs::read_link(&link)
                .map(|t| t.to_string_lossy() == id)
                .unwrap_or(false)
            {
                fsx::remove_file(&link).map_err(io_err(&link))?;
            }
        }
        // What the container wrote goes now: a full disk has its space
        // back before the next command.
        let upper = doomed.join("upper");
        fsx::remove_tree(&upper).map_err(io_err(&upper))?;
        let _ = fsx::remove_file(&self.run.join(format!("{id}.lock")));
        Ok(Retired { dir: doomed, held })
    }

    /// Finishes removals and creations that a crash interrupted, and
    /// removes name claims and lock files of containers that are gone.
    /// Cheap when nothing is stale: the names and locks are looked at one
    /// by one only when there are more of them than containers.
    pub fn sweep(&self) {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return;
        };
        // Containers are counted, not collected: the set of them is made
        // only when there are more names or locks than containers.
        let mut count = 0;
        for e in rd.flatten() {
            let n = e.file_name();
            let n = n.as_encoded_bytes();
            let tmp = n.starts_with(b".tmp-");
            if tmp || !n.starts_with(b".") {
                count += 1;
            }
            let stale = (n.starts_with(b".rm-") && !Self::being_removed(&e.path()))
                || (tmp
                    && e.metadata()
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|a| a.as_secs() > 60));
            if stale {
                let _ = fsx::remove_tree(&e.path());
            }
        }
        self.sweep_names(count);
        self.sweep_locks(count);
    }

    /// Whether a `.rm-ID` directory's remover still works on it (holds
    /// its lock; see [`retire`](Self::retire)).
    fn being_removed(dir: &Path) -> bool {
        let Ok(f) = fs::File::open(dir) else {
            return false;
        };
        rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_err()
    }

    /// The containers, made and half-made (`.tmp-ID`), by id.
    fn live_ids(&self) -> std::collections::HashSet<String> {
        let mut live = std::collections::HashSet::new();
        for e in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if let Some(id) = n.strip_prefix(".tmp-") {
                live.insert(id.to_string());
            } else if !n.starts_with('.') {
                live.insert(n);
            }
        }
        live
    }

    fn sweep_names(&self, containers: usize) {
        let Ok(rd) = fs::read_dir(&self.names) else {
            return;
        };
        let names: Vec<_> = rd.flatten().collect();
        if names.len() <= containers {
            return;
        }
        let lock_path = self.run.join("names.lock");
        let Ok(_guard) = lock::exclusive(&lock_path) else {
            return;
        };
        for e in names {
            let owner = fs::read_link(e.path())
                .map(|t| t.to_string_lossy().to_string())
                .unwrap_or_default();
            // Looked at again under the lock: a create may have made its
            // temp dir since.
            if !self.dir(&owner).is_dir() && !self.dir.join(format!(".tmp-{owner}")).exists() {
                let _ = fsx::remove_file(&e.path());
            }
        }
    }

    fn sweep_locks(&self, containers: usize) {
        let Ok(rd) = fs::read_dir(&self.run) else {
            return;
        };
        let locks: Vec<(String, PathBuf)> = rd
            .flatten()
            .filter_map(|e| {
                let n = e.file_name().to_string_lossy().to_string();
                let id = n.strip_suffix(".lock")?.to_string();
                (id.len() == 64).then(|| (id, e.path()))
            })
            .collect();
        if locks.len() <= containers {
            return;
        }
        let live = self.live_ids();
        for (id, path) in locks {
            if live.contains(&id) {
                continue;
            }
            // Nobody holds it: nobody will.
            if let Ok(Some(_g)) = lock::try_exclusive(&path) {
                if !self.dir(&id).is_dir() && !self.dir.join(format!(".tmp-{id}")).exists() {
                    let _ = fsx::remove_file(&path);
                }
            }
        }
    }
}

/// See [`ContainerStore::listing`].
pub struct Listing<'a> {
    store: &'a ContainerStore,
    dir: fs::File,
}

impl Listing<'_> {
    /// Every container id.
    pub fn ids(&self) -> Result<Vec<String>, Error> {
        self.store.ids()
    }

    /// A container's [`state`](ContainerStore::state) and, when `want`
    /// takes that state, its record as `T` (a listing parses no more of it
    /// than it shows): `ps` without `-a` reads no record of a stopped
    /// container. The record read is what says a container without a
    /// state was created.
    pub fn state_then_record<T: serde::de::DeserializeOwned>(
        &self,
        id: &str,
        want: impl Fn(&State) -> bool,
    ) -> Result<Option<(T, State)>, Error> {
        let damaged = |f: &str, e: serde_json::Error| {
            Error::Damaged(format!("{}: {e}", self.store.dir(id).join(f).display()))
        };
        let st = match fsx::read_opt_at(&self.dir, &format!("{id}/state.json"))
            .map_err(io_err(&self.store.dir(id)))?
        {
            Some(b) => serde_json::from_slice(&b).map_err(|e| damaged("state.json", e))?,
            None => State::default(),
        };
        let st = self.store.live_state(id, st)?;
        if !want(&st) {
            return Ok(None);
        }
        let b = fsx::read_at(&self.dir, &format!("{id}/container.json"))
            .map_err(|_| Error::NotFound(id.into()))?;
        let rec = serde_json::from_slice(&b).map_err(|e| damaged("container.json", e))?;
        Ok(Some((rec, st)))
    }
}

/// A container [`retired`](ContainerStore::retire): its `.rm-ID`
/// directory, locked through `held` until it is deleted.
pub struct Retired {
    dir: PathBuf,
    held: fs::File,
}

impl Retired {
    /// The `.rm-ID` directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The open directory whose flock marks the removal as in progress
    /// (a remover process inherits it).
    pub fn held(&self) -> &fs::File {
        &self.held
    }

    /// Deletes what is left, here and now.
    pub fn finish(self) -> Result<(), Error> {
        fsx::remove_tree(&self.dir).map_err(io_err(&self.dir))
    }
}

/// Deletes a retired container's `.rm-ID` directory (`__rm-tree`): only a
/// path of that form, in a `containers` directory, is taken.
pub fn remove_retired(dir: &Path) -> Result<(), Error> {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let id = name.strip_prefix(".rm-").unwrap_or("");
    let in_store = dir
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "containers");
    if !dir.is_absolute() || id.len() != 64 || !ids::is_hex(id) || !in_store {
        return Err(Error::Damaged(format!(
            "not a removed container: {}",
            dir.display()
        )));
    }
    fsx::remove_tree(dir).map_err(io_err(dir))
}
