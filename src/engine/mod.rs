//! The engine: the only part that composes the stores and the runtime.
//! One file per verb; each takes a request and returns data. It prints
//! nothing: docker's own progress lines ("Unable to find image ...
//! locally") go to the callback the CLI hands to [`Engine::open`].

pub mod attach_proto;
mod build;
mod commit;
mod cp;
mod detach;
mod disk;
mod events;
mod export;
mod health;
mod monitor;
mod mounts;
mod networks;
mod oci_hooks;
pub mod oci_runtime;
pub use health::HealthFlags;
mod history;
mod images;
mod import;
mod inspect;
mod load;
mod login;
pub use login::registry_host;
mod progress;
mod prune_filter;
pub use prune_filter::{point_in_time, PruneFilter};
mod ps;
mod pull;
mod push;
pub use crate::registry::Credentials;
pub use pull::{PullOptions, PullPolicy};
mod resources;
mod rm;
mod save;
pub use save::SaveFormat;
mod run;
mod security;
mod settings;
mod spec;
pub use security::SecurityRequest;
pub use settings::Settings;
mod system;

pub use crate::build::ignore::glob;
pub use crate::network::user::PREDEFINED as PREDEFINED_NETWORKS;
pub use crate::volume::Volume as VolumeInfo;
pub use attach_proto::STDERR as ATTACH_STDERR;
pub use build::{needs_more, unpack_context, BuildEvent, BuildRequest, Session};
pub use commit::CommitRequest;
pub use cp::HostEnd;
pub use detach::{ExecRequest, LogsRequest};
pub use disk::DfRow;
pub use events::{Event, EventFilter};
pub use images::ImageRow;
pub use inspect::InspectKind;
pub use mounts::Volume;
pub use networks::NetworkRequest;
pub use progress::Transfer;
pub use ps::PsEntry;
pub use resources::{StatsRow, UpdateRequest};
pub use run::{read_env_file, RunRequest};

use crate::container::{self, ContainerStore};
use crate::image::{self, ImageStore};
use crate::runtime;
use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in a verb, with docker's exit code.
#[derive(Debug)]
pub enum Error {
    Image(image::Error),
    Container(container::Error),
    Runtime(runtime::Error),
    Registry(crate::registry::Error),
    Network(crate::network::Error),
    Volume(crate::volume::Error),
    /// The request itself is wrong (a bad -v, a bad reference, ...).
    Invalid(String),
    /// The request conflicts with the state (rm of a running container, ...).
    Conflict(String),
    /// A container that a monitor could not start: its message and code.
    Started {
        code: i32,
        message: String,
    },
    /// A file the request names could not be used.
    Io {
        what: String,
        err: std::io::Error,
    },
}

/// What kind of failure an error is, for the one table each front end
/// keeps: the CLI's exit codes, the API's HTTP statuses (404, 409, 400,
/// 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No such container, image, volume or network.
    NotFound,
    /// The request conflicts with the state (a name in use, a running
    /// container, a volume in use).
    Conflict,
    /// The request itself is wrong (a bad flag value, reference, archive).
    Invalid,
    /// The registry refused the credentials.
    Unauthorized,
    /// Everything else: the host, a store, a registry's transport.
    Internal,
}

impl Error {
    /// The kind of this failure: one table for every part's errors.
    pub fn kind(&self) -> ErrorKind {
        use ErrorKind::*;
        match self {
            Error::Image(image::Error::NotFound(_)) => NotFound,
            Error::Image(image::Error::Ambiguous(..) | image::Error::BadReference(_)) => Invalid,
            Error::Image(image::Error::Archive(_) | image::Error::BadLayer { .. }) => Invalid,
            Error::Image(_) => Internal,
            Error::Container(container::Error::NotFound(_)) => NotFound,
            Error::Container(container::Error::NameInUse { .. }) => Conflict,
            Error::Container(container::Error::Ambiguous(..) | container::Error::BadName(_)) => {
                Invalid
            }
            Error::Container(_) => Internal,
            Error::Volume(crate::volume::Error::NotFound(_)) => NotFound,
            Error::Volume(
                crate::volume::Error::InvalidName(_) | crate::volume::Error::Invalid(_),
            ) => Invalid,
            Error::Volume(_) => Internal,
            Error::Network(crate::network::Error::NotFound(_)) => NotFound,
            Error::Network(crate::network::Error::Invalid(_)) => Invalid,
            Error::Network(_) => Internal,
            Error::Registry(crate::registry::Error::Unauthorized { .. }) => Unauthorized,
            Error::Registry(crate::registry::Error::Status { code: 404, .. }) => NotFound,
            Error::Registry(_) => Internal,
            Error::Runtime(runtime::Error::Exec { .. } | runtime::Error::User(_)) => Invalid,
            Error::Runtime(runtime::Error::Invalid(_)) => Invalid,
            Error::Runtime(_) => Internal,
            Error::Invalid(_) => Invalid,
            Error::Conflict(_) => Conflict,
            Error::Started { .. } => Internal,
            Error::Io { .. } => Internal,
        }
    }

    /// 126/127 for a command that cannot run, 125 for everything strata.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Runtime(e) => e.exit_code(),
            Error::Started { code, .. } => *code,
            _ => 125,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Image(e) => e.fmt(f),
            Error::Container(e) => e.fmt(f),
            Error::Runtime(e) => e.fmt(f),
            Error::Registry(e) => e.fmt(f),
            Error::Network(e) => e.fmt(f),
            Error::Volume(e) => e.fmt(f),
            Error::Invalid(m) | Error::Conflict(m) => f.write_str(m),
            Error::Started { message, .. } => f.write_str(message),
            Error::Io { what, err } => {
                let s = err.to_string();
                let s = s.split(" (os error").next().unwrap_or(&s).to_lowercase();
                write!(f, "{what}: {s}")
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<image::Error> for Error {
    fn from(e: image::Error) -> Error {
        Error::Image(e)
    }
}

impl From<container::Error> for Error {
    fn from(e: container::Error) -> Error {
        Error::Container(e)
    }
}

impl From<crate::network::Error> for Error {
    fn from(e: crate::network::Error) -> Error {
        Error::Network(e)
    }
}

impl From<crate::registry::Error> for Error {
    fn from(e: crate::registry::Error) -> Error {
        Error::Registry(e)
    }
}

impl From<runtime::Error> for Error {
    fn from(e: runtime::Error) -> Error {
        Error::Runtime(e)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Removes the default bridge (`STRATA_BRIDGE`), its NAT table and state,
/// when no live container uses it.
pub fn network_teardown(settings: &Settings) -> Result<()> {
    Ok(settings.bridge().teardown()?)
}

/// The stores and where they live.
pub struct Engine {
    images: ImageStore,
    containers: ContainerStore,
    volumes: crate::volume::VolumeStore,
    networks: crate::network::NetworkStore,
    notes: Box<dyn Fn(&str) + Send + Sync>,
    /// Where the stores live, for a monitor process started from here.
    root: PathBuf,
    runroot: PathBuf,
    quiet: std::sync::atomic::AtomicBool,
    settings: Settings,
}

impl Engine {
    /// Opens the stores under `root` (persistent) and `runroot` (volatile).
    /// `notes` receives docker's progress lines ("Unable to find image ...").
    pub fn open(settings: Settings, notes: Box<dyn Fn(&str) + Send + Sync>) -> Result<Engine> {
        let (root, runroot) = (settings.root.as_path(), settings.runroot.as_path());
        if settings.existing_store && !root.join("containers").is_dir() {
            return Err(Error::Invalid(format!(
                "the store at {} is gone",
                root.display()
            )));
        }
        let images = ImageStore::open(root)?;
        let containers = ContainerStore::open(root, runroot)?;
        // What a killed command left (tmp/ work, half-made or
        // half-removed containers, stale names and locks) is cleared by
        // the next one, whatever the verb; cheap when there is nothing.
        images.sweep_tmp();
        containers.sweep();
        let volumes = crate::volume::VolumeStore::open(root).map_err(Error::Volume)?;
        volumes.sweep();
        let networks = crate::network::NetworkStore::open(root)?;
        let engine = Engine {
            images,
            containers,
            volumes,
            networks,
            notes,
            root: root.to_path_buf(),
            runroot: runroot.to_path_buf(),
            quiet: std::sync::atomic::AtomicBool::new(false),
            settings,
        };
        // An image deletion that was cut short: its layers are collected.
        if engine.images.gc_pending() {
            let _ = engine.collect_layers();
        }
        Ok(engine)
    }

    fn note(&self, line: &str) {
        if !self.quiet.load(std::sync::atomic::Ordering::Relaxed) {
            (self.notes)(line);
        }
    }

    /// `-q`: docker's progress lines ("Unable to find image ...") are not said.
    pub fn quiet(&self) {
        self.quiet.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Resolves an image name for use, pulling it as `policy` says, with
    /// docker's lines (`Unable to find image 'x:latest' locally`).
    fn find_image(&self, name: &str, policy: PullPolicy) -> Result<String> {
        let say = |t: Transfer| self.note(&t.to_string());
        // docker names the tag itself: no "Using default tag" here.
        let full = image::Reference::parse_tagged(name)
            .map(|r| r.familiar())
            .unwrap_or_else(|_| name.to_string());
        if policy == PullPolicy::Always && !is_id(name) {
            return Ok(self.pull(&full, &PullOptions::default(), &say)?.id);
        }
        match self.images.resolve(name) {
            Ok(id) => Ok(id),
            Err(image::Error::NotFound(_)) if !is_id(name) => {
                let shown = image::Reference::parse_tagged(name)
                    .map(|r| r.familiar())
                    .unwrap_or_else(|_| name.to_string());
                self.note(&format!("Unable to find image '{shown}' locally"));
                if policy == PullPolicy::Never {
                    return Err(Error::Image(image::Error::NotFound(shown)));
                }
                Ok(self.pull(&full, &PullOptions::default(), &say)?.id)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Finishes work a crashed strata left behind (temp dirs, half removals).
    pub fn sweep(&self) {
        self.images.sweep_tmp();
        self.containers.sweep();
        // Leases on the bridge of a strata that was killed.
        self.settings.bridge().sweep();
        // Build steps whose builder died (killed, or the machine stopped).
        let Ok(ids) = self.containers.ids() else {
            return;
        };
        for id in &ids {
            // A commit or export killed while the container was frozen.
            self.thaw_abandoned(id);
        }
        for id in ids {
            let Ok(rec) = self.containers.record(&id) else {
                continue;
            };
            let Some((pid, start)) = rec.creator else {
                continue;
            };
            if container::state::is_alive(pid, start) {
                continue;
            }
            // Its builder is gone: a step still running dies with it.
            if let Ok(st) = self.containers.state(&id) {
                if st.is_running() {
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(st.pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
                    while container::state::is_alive(st.pid, st.pid_start)
                        && std::time::Instant::now() < deadline
                    {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                }
            }
            if let Ok(_g) = self.containers.lock(&id) {
                let _ = self.repair(&id);
                let _ = self.containers.remove(&id);
                runtime::cgroup::remove(&id);
            }
        }
    }
}

// The engine is shared by the API server's connection threads.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Engine>();
};

/// The short (12-hex) form of an id, without `sha256:`.
/// Whether a name is an image id (full or `sha256:`), never pulled.
fn is_id(name: &str) -> bool {
    let hex = name.strip_prefix("sha256:").unwrap_or(name);
    name.starts_with("sha256:") || (hex.len() == 64 && crate::util::ids::is_hex(hex))
}

pub fn short_id(id: &str) -> String {
    let hex = crate::util::hash::hex_part(id);
    hex[..hex.len().min(12)].to_string()
}

/// The default store locations.
pub fn default_root() -> PathBuf {
    PathBuf::from("/var/lib/strata")
}

pub fn default_runroot() -> PathBuf {
    PathBuf::from("/run/strata")
}

#[cfg(test)]
mod error_kind_tests {
    use super::*;

    #[test]
    fn every_part_s_errors_have_one_kind() {
        let nf = |e: Error| assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
        nf(Error::Image(image::Error::NotFound("x".into())));
        nf(Error::Container(container::Error::NotFound("x".into())));
        nf(Error::Volume(crate::volume::Error::NotFound("x".into())));
        nf(Error::Network(crate::network::Error::NotFound("x".into())));
        let in_use = Error::Container(container::Error::NameInUse {
            name: "a".into(),
            id: "b".into(),
        });
        assert_eq!(in_use.kind(), ErrorKind::Conflict);
        assert_eq!(Error::Conflict("x".into()).kind(), ErrorKind::Conflict);
        assert_eq!(Error::Invalid("x".into()).kind(), ErrorKind::Invalid);
        assert_eq!(
            Error::Volume(crate::volume::Error::InvalidName("a!".into())).kind(),
            ErrorKind::Invalid
        );
        assert_eq!(
            Error::Io {
                what: "x".into(),
                err: std::io::Error::other("y")
            }
            .kind(),
            ErrorKind::Internal
        );
    }
}
