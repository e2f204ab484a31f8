//! Runs one container from an OCI runtime spec (`oci_spec::runtime`) and
//! strata's [`Launch`] ([`start`], [`exec`]): spec.rs compiles them into a
//! plain [`Plan`] (paths, argv, env, user, tty, mounts and namespaces)
//! that parent.rs and child.rs carry out. It knows no image and no store. All of strata's
//! unsafe code lives in this module, each block with a SAFETY comment.
//!
//! Process model (see parent.rs for the protocol): the calling process
//! clones the container's init straight into new mount, PID, UTS, IPC,
//! cgroup (and network) namespaces; the child sets up the root file system
//! and execs the command, so the command is PID 1. The parent stays the
//! supervisor: it proxies signals, owns the pty and reaps the exit status.

pub mod caps;
pub mod cgroup;
mod child;
pub mod devices;
pub mod limits;
mod parent;
pub mod plan;
mod pty;
pub mod resources;
pub mod seccomp;
pub mod spec;
pub mod user;
mod view;

pub use caps::resolve as resolve_caps;
pub use parent::{catch_interrupts, interrupted, take_interrupted, Started};
pub use pty::{spawn_on_pty, stdin_is_tty, TerminalGuard};
pub use spec::Launch;

/// What Rust's std does before `main` that strata relies on, for a
/// program whose entry is C's `main` (src/main.rs, `#![no_main]`): file
/// descriptors 0, 1 and 2 made to exist (on /dev/null), so that no file
/// strata opens takes one of their numbers and is then written as
/// output; and SIGPIPE ignored, so that a closed pipe is an `EPIPE` error
/// (std's `Command` and the container's init set it back to the default
/// in every child). std's other start-up work is left out: it reads
/// /proc/self/maps to find the main thread's stack guard, for a message
/// on stack overflow (which then ends in SIGSEGV instead), and it cost
/// every command ~0.1 ms.
pub fn process_start() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: poll reads and writes the three initialised pollfds only.
    let polled = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } >= 0;
    for pfd in fds {
        // Where poll itself failed, fcntl asks about each descriptor.
        // SAFETY: F_GETFD on a descriptor number touches no memory.
        let closed = if polled {
            pfd.revents & libc::POLLNVAL != 0
        } else {
            (unsafe { libc::fcntl(pfd.fd, libc::F_GETFD) }) == -1
        };
        if closed {
            // The lowest free number is the closed one: /dev/null takes it.
            // SAFETY: a NUL-terminated path; the descriptor is kept open
            // for the life of the process on purpose.
            let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
            if fd != pfd.fd {
                std::process::abort();
            }
        }
    }
    // SAFETY: setting a disposition to SIG_IGN installs no handler.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
}

/// Gives the heap's free memory back to the kernel (glibc's
/// `malloc_trim`): a long-lived process, such as a container's monitor,
/// then holds only what it still uses.
pub fn release_free_memory() {
    // SAFETY: malloc_trim takes no pointers; it only returns free heap
    // pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Drops this process's mappings of the clean pages of its program and
/// its libraries (code, read-only data): the page cache keeps them, and
/// the few a long-lived process still runs fault back in. What start-up
/// touched then stops counting in its memory (a monitor's PSS). A mapping
/// with a page written since it was mapped (relocated data) is left as
/// it is: dropping it would lose the writes.
pub fn release_startup_pages() {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    let mut current: Option<(usize, usize)> = None;
    let mut clean = false;
    let drop_range = |range: Option<(usize, usize)>, clean: bool| {
        if let (Some((start, end)), true) = (range, clean) {
            // SAFETY: the range is one of our own file mappings, whole,
            // whose pages are all unmodified copies of the file: after
            // MADV_DONTNEED an access maps the same bytes again.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    };
    for line in smaps.lines() {
        let mut f = line.split_whitespace();
        let first = f.next().unwrap_or_default();
        if let Some((a, b)) = first.split_once('-') {
            if let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16)) {
                drop_range(current.take(), clean);
                let perms = f.next().unwrap_or_default();
                let path = f.nth(3).unwrap_or_default();
                current = Some((a, b));
                clean = path.starts_with('/') && (perms == "r-xp" || perms == "r--p");
                continue;
            }
        }
        let value = f.next().unwrap_or("0");
        if matches!(first, "Anonymous:" | "Private_Dirty:" | "Shared_Dirty:") && value != "0" {
            clean = false;
        }
    }
    drop_range(current, clean);
}

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

/// Takes ownership of an fd this process inherited through an exec (a
/// monitor that re-executed itself); None if `fd` is not open.
pub fn adopt_fd(fd: i32) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    if fd < 3 || nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFD).is_err() {
        return None;
    }
    // SAFETY: the fd is open, and nothing else in this process owns it:
    // it was handed over by number on our command line.
    let owned = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) };
    let _ = nix::fcntl::fcntl(
        fd,
        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
    );
    Some(owned)
}

/// The number of threads of this process (from /proc/self/status).
pub fn thread_count() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(1)
}

/// A fork or clone must come from a process with one thread: another
/// thread may hold a lock (malloc's) that the child would wait on forever.
pub(crate) fn debug_assert_single_threaded(what: &str) {
    if cfg!(debug_assertions) {
        let n = thread_count();
        assert!(n == 1, "{what} from a process with {n} threads");
    }
}

/// strata's `--init` program (static, from build.rs), to be placed in the
/// store and bind-mounted at /dev/init.
pub const INIT_BINARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/strata-init"));
pub use view::{
    with_container_root, with_readonly_root, with_readonly_view, with_root_of, with_writable_root,
};

use std::fmt;
use std::path::PathBuf;

/// A bind mount from the host into the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    pub source: PathBuf,
    pub target: String,
    pub readonly: bool,
    /// A volume: when it is empty, what the image has at `target` is
    /// copied into it first (docker's copy-up), inside the container.
    pub copy_up: bool,
}

/// Which network namespace the container gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// A new, empty network namespace with loopback up.
    None,
    /// The host's network namespace.
    Host,
    /// A new network namespace with loopback up, that the caller wires
    /// (the `wire` hook of [`start`]) before the command runs.
    Private,
}

/// Everything needed to run one container; plain data, compiled from a
/// spec and a launch by `spec::compile` (nothing else makes one).
#[derive(Debug, Clone)]
pub(in crate::runtime) struct Plan {
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
    /// The capabilities the command keeps (bounding set; permitted and
    /// effective too for uid 0), before the init clamps them to its own
    /// bounding set. Inheritable and ambient are always empty.
    pub caps: u64,
    /// A compiled seccomp filter (`seccomp::cached`); None: unconfined.
    pub seccomp: Option<Vec<u8>>,
    /// `--security-opt no-new-privileges`.
    pub no_new_privs: bool,
    /// `--privileged`: no masked or read-only paths, /sys read-write.
    pub privileged: bool,
    /// Device nodes made in the container's /dev (`--device`, and the
    /// host's with `--privileged`). Who may open them is the cgroup's
    /// device policy, applied by `cgroup::create`.
    pub devices: Vec<DeviceNode>,
    /// `--ulimit`, `--read-only`, `--tmpfs`, `--shm-size`, `--sysctl`,
    /// `--oom-score-adj`.
    pub limits: limits::ProcessLimits,
    /// The cgroup limits (`-m`, `--cpus`, `--pids-limit`, ...): written,
    /// and on v1 their groups made and joined, by the supervisor between
    /// the clone and the init's go, while the init mounts its root. No
    /// code of the user's runs before they are in force.
    pub cgroup_limits: Option<CgroupLimits>,
    /// An OCI bundle's root directory: bind-mounted as the root in place
    /// of the overlay (`lowers`, `upper` and `work` are then unused).
    pub rootfs_dir: Option<PathBuf>,
    /// Namespaces to join instead of making new ones (an OCI spec's
    /// namespace `path`s: a Kubernetes pod's containers share the sandbox's
    /// network, IPC and UTS, and maybe PID, namespaces). A network one
    /// goes with `network: Host` (no new one is made); with a UTS one the
    /// hostname is left as that namespace has it.
    pub ns_paths: Vec<(Namespace, PathBuf)>,
    /// The paths hidden, and those made read-only, when not `privileged`
    /// (an OCI spec's `maskedPaths` and `readonlyPaths`); None: docker's.
    pub masked_paths: Option<Vec<String>>,
    pub readonly_paths: Option<Vec<String>>,
    /// OCI `create`: once set up, the init says "ready" (`start_with`
    /// returns) and waits for a reader of this FIFO (`start`) before it
    /// takes its identity and runs the program. It outlives its creator.
    pub hold: Option<PathBuf>,
    /// The process outlives the strata that started it (no PDEATHSIG):
    /// OCI `exec --detach`.
    pub outlive: bool,
    /// OCI `--preserve-fds N`: our fds 3 to 3+N-1 (the caller's, such as
    /// podman's socket activation) are the program's, at the same numbers.
    pub preserve_fds: u32,
}

/// A namespace a container may join by path ([`Plan::ns_paths`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    Net,
    Ipc,
    Uts,
    Pid,
}

impl Namespace {
    pub fn flag(self) -> nix::sched::CloneFlags {
        use nix::sched::CloneFlags as F;
        match self {
            Namespace::Net => F::CLONE_NEWNET,
            Namespace::Ipc => F::CLONE_NEWIPC,
            Namespace::Uts => F::CLONE_NEWUTS,
            Namespace::Pid => F::CLONE_NEWPID,
        }
    }

    /// Its name under /proc/PID/ns.
    pub fn proc_name(self) -> &'static str {
        match self {
            Namespace::Net => "net",
            Namespace::Ipc => "ipc",
            Namespace::Uts => "uts",
            Namespace::Pid => "pid",
        }
    }

    /// Its name in an OCI spec.
    pub fn oci_name(self) -> &'static str {
        match self {
            Namespace::Net => "network",
            Namespace::Ipc => "ipc",
            Namespace::Uts => "uts",
            Namespace::Pid => "pid",
        }
    }
}

impl Plan {
    /// The path of namespace `ns` to join, if the spec names one.
    pub fn ns_path(&self, ns: Namespace) -> Option<&std::path::Path> {
        self.ns_paths
            .iter()
            .find(|(n, _)| *n == ns)
            .map(|(_, p)| p.as_path())
    }
}

/// Where and what [`Plan::cgroup_limits`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupLimits {
    /// The cgroup root (`/sys/fs/cgroup`).
    pub root: PathBuf,
    /// The container's id: its groups are `<controller>/strata/<id>`.
    pub id: String,
    pub resources: resources::Resources,
}

/// A device node to make inside the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceNode {
    /// Its path in the container (absolute).
    pub path: String,
    pub block: bool,
    pub major: u32,
    pub minor: u32,
    /// Permission bits.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

impl DeviceNode {
    /// The device at `host` (following links, as docker does), to appear
    /// at `path` in the container.
    pub fn from_host(host: &std::path::Path, path: &str) -> std::io::Result<DeviceNode> {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let md = std::fs::metadata(host)?;
        let ft = md.file_type();
        if !ft.is_char_device() && !ft.is_block_device() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a device node",
            ));
        }
        let rdev = md.rdev();
        Ok(DeviceNode {
            path: path.to_string(),
            block: ft.is_block_device(),
            major: libc::major(rdev),
            minor: libc::minor(rdev),
            mode: md.mode() & 0o7777,
            uid: md.uid(),
            gid: md.gid(),
        })
    }

    /// Every device node under the host's /dev (docker's `--privileged`),
    /// but for the pty, shm and mqueue file systems the container has its own.
    pub fn all_on_host() -> Vec<DeviceNode> {
        fn walk(dir: &std::path::Path, out: &mut Vec<DeviceNode>) {
            let Ok(rd) = std::fs::read_dir(dir) else {
                return;
            };
            for e in rd.flatten() {
                let p = e.path();
                let Ok(ft) = e.file_type() else { continue };
                let rel = p
                    .strip_prefix("/dev")
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .to_string();
                if ft.is_dir() {
                    if !matches!(
                        rel.as_str(),
                        "pts" | "shm" | "mqueue" | "fd" | ".lxc" | ".udev"
                    ) {
                        walk(&p, out);
                    }
                } else if !ft.is_symlink() && rel != "console" && rel != "ptmx" {
                    if let Ok(d) = DeviceNode::from_host(&p, &format!("/dev/{rel}")) {
                        out.push(d);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(std::path::Path::new("/dev"), &mut out);
        out
    }
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
    /// What the container asks for cannot be set up here (a seccomp
    /// profile, a capability, a device, the cgroups).
    Invalid(String),
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
            Error::User(msg) | Error::Invalid(msg) => f.write_str(msg),
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

/// Starts a container from an OCI spec and strata's launch options.
/// `wire(pid)` is called once the container exists and before its program
/// runs (with `launch.wired`: to give it its links).
pub fn start(
    config: oci_spec::runtime::Spec,
    launch: Launch,
    wire: &mut dyn FnMut(i32) -> Result<(), String>,
) -> Result<Started, Error> {
    let plan = spec::compile(&config, launch)?;
    // Freed before the clone: a page the parent writes while the child
    // still shares it (until its exec) is copied first.
    drop(config);
    start_plan(plan, wire)
}

/// Starts `process` in the running container whose init is `pid`: in
/// its namespaces and `launch.cgroups`, with nothing mounted or made.
pub fn exec(
    process: oci_spec::runtime::Process,
    pid: i32,
    launch: Launch,
) -> Result<Started, Error> {
    let plan = spec::compile_exec(&process, pid, launch)?;
    drop(process);
    start_plan(plan, &mut |_| Ok(()))
}

/// Starts a compiled plan; the plan is kept with the started container
/// and freed with it, not while the child may still share its pages.
fn start_plan(
    plan: Plan,
    wire: &mut dyn FnMut(i32) -> Result<(), String>,
) -> Result<Started, Error> {
    let plan = Box::new(plan);
    let mut started = parent::start_with(&plan, wire)?;
    started.plan = Some(plan);
    Ok(started)
}

#[cfg(test)]
mod tests {
    /// The resident size of this process's clean file mappings, in kB.
    fn clean_file_rss() -> u64 {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let (mut total, mut file) = (0, false);
        for line in smaps.lines() {
            let mut f = line.split_whitespace();
            let first = f.next().unwrap_or_default();
            if first.contains('-') && !first.ends_with(':') {
                let perms = f.next().unwrap_or_default();
                file = f.nth(3).is_some_and(|p| p.starts_with('/')) && perms == "r-xp";
            } else if first == "Rss:" && file {
                total += f.next().unwrap_or("0").parse::<u64>().unwrap_or(0);
            }
        }
        total
    }

    #[test]
    fn start_up_pages_are_given_back_and_the_program_runs_on() {
        // Touch some code first, so that there is something to give back.
        let text = format!(
            "{:?}",
            std::collections::BTreeMap::from([(1, "a"), (2, "b")])
        );
        let before = clean_file_rss();
        super::release_startup_pages();
        let after = clean_file_rss();
        assert!(after < before, "{after} kB after, {before} kB before");
        // The code it dropped runs again (its pages come back).
        assert_eq!(
            format!(
                "{:?}",
                std::collections::BTreeMap::from([(1, "a"), (2, "b")])
            ),
            text
        );
        assert!(super::thread_count() >= 1);
    }
}
