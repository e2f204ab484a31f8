//! Runs one container from a plain [`Spec`]: paths, argv, env, user, tty,
//! mounts and namespaces. It knows no image and no store. All of strata's
//! unsafe code lives in this module, each block with a SAFETY comment.
//!
//! Process model (see parent.rs for the protocol): the calling process
//! clones the container's init straight into new mount, PID, UTS, IPC,
//! cgroup (and network) namespaces; the child sets up the root file system
//! and execs the command, so the command is PID 1. The parent stays the
//! supervisor: it proxies signals, owns the pty and reaps the exit status.

mod caps;
pub mod cgroup;
mod child;
mod parent;
pub mod plan;
mod pty;
pub mod user;
mod view;

pub use parent::start_with;
pub use pty::{stdin_is_tty, TerminalGuard};

/// Sets the window size of a pty (an attach client's terminal).
pub fn resize_pty(fd: &std::os::fd::OwnedFd, rows: u16, cols: u16) {
    use std::os::fd::AsRawFd;
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    pty::set_winsize(fd.as_raw_fd(), &ws);
}

/// The window size of our terminal on `fd`, as (rows, cols).
pub fn window_size(fd: i32) -> Option<(u16, u16)> {
    pty::get_winsize(fd).map(|w| (w.ws_row, w.ws_col))
}

/// strata's `--init` program (static, from build.rs), to be placed in the
/// store and bind-mounted at /dev/init.
pub const INIT_BINARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/strata-init"));
pub use view::{with_readonly_view, with_writable_root};

use std::fmt;
use std::path::PathBuf;

/// A bind mount from the host into the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    pub source: PathBuf,
    pub target: String,
    pub readonly: bool,
}

/// Which network namespace the container gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// A new, empty network namespace with loopback up.
    None,
    /// The host's network namespace.
    Host,
    /// A new network namespace with loopback up, that the caller wires
    /// (the `wire` hook of `start_with`) before the command runs.
    Private,
}

/// Everything needed to run one container; plain data.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Directory that holds the short layer links; the overlay's lower
    /// dirs are given relative to it, keeping the option string short.
    pub links_dir: PathBuf,
    /// Lower layer link names, uppermost first.
    pub lowers: Vec<String>,
    pub upper: PathBuf,
    pub work: PathBuf,
    /// Where the merged root is mounted (inside the container's mount ns).
    pub rootfs: PathBuf,
    pub argv: Vec<String>,
    pub env: Vec<String>,
    /// Working directory inside the container; created when missing.
    pub cwd: String,
    /// `user[:group]` as given (name or number), resolved in the container.
    pub user: String,
    pub hostname: String,
    pub tty: bool,
    /// Keep stdin open (docker's -i); otherwise stdin is /dev/null.
    pub stdin: bool,
    pub network: Network,
    /// Files bind-mounted onto /etc/hostname, /etc/hosts, /etc/resolv.conf.
    pub etc_files: Vec<(PathBuf, String)>,
    pub binds: Vec<Bind>,
    /// cgroup directories the init joins before anything else.
    pub cgroups: Vec<PathBuf>,
    /// Send the command's stdout and stderr to /dev/null (`build -q`).
    pub discard_output: bool,
    /// On SIGINT/SIGTERM/SIGHUP the supervisor kills the container instead
    /// of forwarding the signal (a build step must stop, even as PID 1).
    pub kill_on_signal: bool,
    /// `exec`: join the namespaces (and cgroup) of this running init
    /// instead of making a container; nothing is mounted.
    pub join: Option<i32>,
}

/// Why a container could not be started or supervised.
#[derive(Debug)]
pub enum Error {
    /// A setup step in the container failed (mount, pivot_root, ...).
    Setup {
        step: String,
        errno: i32,
        detail: String,
    },
    /// The command could not be executed.
    Exec {
        cmd: String,
        errno: i32,
        searched_path: bool,
    },
    /// The user in `-u` does not exist in the container.
    User(String),
    /// A system call in the supervising process failed.
    Sys { op: &'static str, errno: i32 },
}

impl Error {
    /// docker's exit code for this failure: 127 not found, 126 cannot
    /// execute, 125 everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Exec { errno, .. } if *errno == libc::ENOENT || *errno == libc::ENOTDIR => 127,
            Error::Exec { .. } => 126,
            _ => 125,
        }
    }
}

fn errno_text(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    // "No such file or directory (os error 2)" -> "no such file or directory"
    let s = s.split(" (os error").next().unwrap_or(&s).to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Setup {
                step,
                errno,
                detail,
            } if *errno == 0 => write!(f, "container setup failed: {step}: {detail}"),
            Error::Setup {
                step,
                errno,
                detail,
            } => {
                write!(
                    f,
                    "container setup failed: {step} {detail}: {}",
                    errno_text(*errno)
                )
            }
            Error::Exec {
                cmd,
                errno,
                searched_path: true,
            } if *errno == libc::ENOENT => {
                write!(f, "exec: {cmd:?}: executable file not found in $PATH")
            }
            Error::Exec {
                cmd,
                errno,
                searched_path: false,
            } if *errno == libc::ENOENT => {
                write!(f, "exec: {cmd:?}: stat {cmd}: no such file or directory")
            }
            Error::Exec { cmd, errno, .. } => write!(f, "exec: {cmd:?}: {}", errno_text(*errno)),
            Error::User(msg) => f.write_str(msg),
            Error::Sys { op, errno } => write!(f, "{op}: {}", errno_text(*errno)),
        }
    }
}

impl std::error::Error for Error {}

/// How the container's init ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

impl Exit {
    /// The shell convention: the code, or 128 + the signal number.
    pub fn code(self) -> i32 {
        match self {
            Exit::Code(c) => c,
            Exit::Signal(s) => 128 + s,
        }
    }
}
