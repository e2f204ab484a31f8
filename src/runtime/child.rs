//! The container's init, from clone to execve. Runs in the cloned child
//! only: it must never return into the caller's code. Every step either
//! succeeds or yields a [`Failure`] that parent.rs ships back over the sync
//! socket before the child exits; nothing here unwinds.
//!
//! Order (each step needs the one before):
//!  -  die with the supervisor (PDEATHSIG); not dumpable until execve;
//!     every inherited fd but the sync socket (and exec's namespace fds)
//!     closed, before anything can use one
//!  0. cloned into the v2 cgroup (for freezing it during a commit); the
//!     parent moves it into its v1 groups while it mounts
//!  1. `/` rslave so nothing leaks out
//!  2. hostname; loopback up in a new network namespace
//!  3. the overlay root, mounted from the links dir (short relative lowers)
//!  4. clone bind sources (host paths) as detached mounts (open_tree) while
//!     the host is still visible
//!  5. pivot_root(".", "."), old root made rslave, then detached
//!  6. /proc, /dev (+nodes, links, devpts, shm, mqueue), /sys read-only
//!  7. move the cloned binds onto container paths (move_mount; the target
//!     is resolved inside the new root, so a symlink in the image cannot
//!     point a mount at the host)
//!  8. masked and read-only paths (none with --privileged)
//!
//! `exec` instead joins the container's cgroups and namespaces; then both
//! take the same tail (`finish`):
//!  9. user lookup in the container's /etc, working directory (checked to
//!     be inside the root)
//! 10. stdio: a pty from the container's own devpts (master sent to the
//!     parent over SCM_RIGHTS), /dev/null for stdin without -i, or the
//!     pipes the parent put in place of its terminal
//! 11. the parent's go (network wired, cgroups joined); the cgroup
//!     namespace; a fresh session keyring; no_new_privs; the seccomp filter (before
//!     the capabilities go, unless no_new_privs); capabilities, groups,
//!     gid, uid; signal mask and dispositions reset
//! 12. execve, searching the container's PATH

use super::plan;
use super::{caps, user, Network, Plan as Spec};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sys::stat::{mknod, Mode, SFlag};
use nix::unistd::{chdir, pivot_root, sethostname};
use std::ffi::CString;
use std::fs;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// A failed setup step: what, the errno, and the path or argument involved.
#[derive(Debug)]
pub struct Failure {
    pub step: &'static str,
    pub errno: i32,
    pub detail: String,
}

fn fail(
    step: &'static str,
    detail: impl Into<String>,
) -> impl FnOnce(nix::errno::Errno) -> Failure {
    let detail = detail.into();
    move |e| Failure {
        step,
        errno: e as i32,
        detail,
    }
}

fn fail_io(
    step: &'static str,
    detail: impl Into<String>,
) -> impl FnOnce(std::io::Error) -> Failure {
    let detail = detail.into();
    move |e| Failure {
        step,
        errno: e.raw_os_error().unwrap_or(libc::EIO),
        detail,
    }
}

/// What the child needs from its parent beyond the spec.
pub struct ChildCtx<'a> {
    pub spec: &'a Spec,
    /// The supervisor's terminal size, applied to the container's pty.
    pub winsize: Option<libc::winsize>,
    /// Sends the pty master to the parent over the sync socket.
    pub send_fd: &'a dyn Fn(RawFd) -> Result<(), Failure>,
    /// Waits for the parent to have wired the network (`Network::Private`).
    pub wait_go: &'a dyn Fn() -> Result<(), Failure>,
    /// Tells the parent the container is created (OCI `create`): it
    /// returns, and we wait on the hold FIFO.
    pub ready: &'a dyn Fn() -> Result<(), Failure>,
    /// Whether to wait for the parent's "go": it wires the network
    /// (`Network::Private`) and moves a new container's init into its
    /// other cgroups meanwhile.
    pub needs_go: bool,
    /// The cgroup the child was cloned into (CLONE_INTO_CGROUP): not joined again.
    pub joined: Option<&'a Path>,
    /// `exec`: the container's namespaces to join, mount last.
    pub join_fds: &'a [(OwnedFd, nix::sched::CloneFlags)],
    /// The fds above stderr the child needs (its end of the sync socket,
    /// the namespaces to join); every other inherited fd is closed.
    pub keep_fds: &'a [RawFd],
}

/// Sets the container up and execs its command. Returns only on failure.
pub fn run(ctx: &ChildCtx) -> Failure {
    match setup_and_exec(ctx) {
        Ok(never) => match never {},
        Err(f) => f,
    }
}

fn setup_and_exec(ctx: &ChildCtx) -> Result<std::convert::Infallible, Failure> {
    // SAFETY: prctl(PR_SET_PDEATHSIG) and prctl(PR_SET_DUMPABLE) take
    // plain integers and touch no memory.
    let outlives = ctx.spec.hold.is_some() || ctx.spec.outlive;
    unsafe {
        // A container dies with its supervisor; an OCI container's init
        // outlives `create` (its caller, a subreaper, adopts it).
        if !outlives {
            libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            );
        }
        // Not dumpable until execve (which resets it): nothing in the
        // container may ptrace us, read our memory or open
        // /proc/<pid>/exe, the host's strata binary (CVE-2019-5736 class).
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    // No fd of the caller's but stdio may reach the container, not even
    // for a moment: a directory fd plus a working directory through
    // /proc/self/fd would lead to the host (CVE-2024-21626 class).
    close_inherited(ctx.keep_fds)?;
    // OCI `create`: the FIFO `start` opens, held by a path-only fd (it
    // is reopened through /proc/self/fd once the root is the container's).
    let hold = match &ctx.spec.hold {
        None => None,
        Some(p) => Some(OwnedFd::from(
            fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_PATH | libc::O_CLOEXEC)
                .open(p)
                .map_err(fail_io("open", &p.display().to_string()))?,
        )),
    };

    if ctx.spec.join.is_some() {
        join_namespaces(ctx)?;
        finish(ctx, false, hold)
    } else {
        make_root(ctx)?;
        finish(ctx, true, hold)
    }
}

/// Closes every fd from 3 up but those in `keep`.
fn close_inherited(keep: &[RawFd]) -> Result<(), Failure> {
    let mut keep: Vec<u32> = keep.iter().filter(|f| **f > 2).map(|f| *f as u32).collect();
    keep.sort_unstable();
    let mut from = 3u32;
    for k in keep.into_iter().chain(std::iter::once(u32::MAX)) {
        if k > from {
            // SAFETY: close_range closes fds of this process only; none of
            // them is used by any Rust object we still hold.
            let r = unsafe { libc::syscall(libc::SYS_close_range, from, k - 1, 0u32) };
            if r < 0 {
                return Err(Failure {
                    step: "close inherited fds",
                    errno: last_errno(),
                    detail: String::new(),
                });
            }
        }
        from = k.saturating_add(1);
    }
    Ok(())
}

/// A new container: its cgroups, mounts and root (steps 0-8).
fn make_root(ctx: &ChildCtx) -> Result<(), Failure> {
    let spec = ctx.spec;
    // 0. The cgroups: cloned into the v2 group; the parent moves us into
    // the others while we mount (step 11 waits for it).
    // 1. Nothing we mount may propagate back to the host.
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_SLAVE | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(fail("make / rslave", "/"))?;

    // 2. The namespaces the spec names (OCI; the pid one was entered by
    // the parent, for us), hostname and loopback.
    for (kind, p) in &spec.ns_paths {
        if *kind == crate::runtime::Namespace::Pid {
            continue;
        }
        let ns = fs::File::open(p).map_err(fail_io("open", &p.display().to_string()))?;
        nix::sched::setns(&ns, kind.flag())
            .map_err(fail("join a namespace", p.display().to_string()))?;
    }
    if spec.ns_path(crate::runtime::Namespace::Uts).is_none() {
        sethostname(&spec.hostname).map_err(fail("sethostname", spec.hostname.clone()))?;
    }
    if matches!(spec.network, Network::None | Network::Private) {
        loopback_up()?;
    }

    // 3. The overlay root (or an OCI bundle's root directory, bound).
    if let Some(dir) = &spec.rootfs_dir {
        mount(
            Some(dir.as_path()),
            &spec.rootfs,
            None::<&str>,
            MsFlags::MS_BIND | MsFlags::MS_REC,
            None::<&str>,
        )
        .map_err(fail("bind the root", dir.display().to_string()))?;
    } else {
        let opts = plan::overlay_options(
            &spec.lowers,
            &spec.upper.to_string_lossy(),
            &spec.work.to_string_lossy(),
        )
        .map_err(|msg| Failure {
            step: "overlay options",
            errno: libc::E2BIG,
            detail: msg,
        })?;
        chdir(&spec.links_dir).map_err(fail("chdir", spec.links_dir.display().to_string()))?;
        mount(
            Some("overlay"),
            &spec.rootfs,
            Some("overlay"),
            MsFlags::empty(),
            Some(opts.as_str()),
        )
        .map_err(fail("mount overlay on", spec.rootfs.display().to_string()))?;
    }

    // 4. Bind sources, cloned as detached mounts while the host is visible.
    let mut binds: Vec<(OwnedFd, String, bool, bool, bool)> = Vec::new();
    for b in &spec.binds {
        let is_dir = b.source.is_dir();
        binds.push((
            clone_tree(&b.source)?,
            b.target.clone(),
            b.readonly,
            is_dir,
            b.copy_up && is_dir,
        ));
    }

    // 5. pivot_root into the overlay.
    chdir(&spec.rootfs).map_err(fail("chdir", spec.rootfs.display().to_string()))?;
    pivot_root(".", ".").map_err(fail("pivot_root", spec.rootfs.display().to_string()))?;
    mount(
        None::<&str>,
        ".",
        None::<&str>,
        MsFlags::MS_SLAVE | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(fail("make old root rslave", "/"))?;
    umount2(".", MntFlags::MNT_DETACH).map_err(fail("detach old root", "/"))?;
    chdir("/").map_err(fail("chdir", "/"))?;

    // 6. Kernel file systems and /dev.
    for m in plan::kernel_mounts() {
        ensure_dir(m.target)?;
        let mut flags = MsFlags::from_bits_truncate(m.flags);
        if spec.privileged && m.fstype == "sysfs" {
            flags.remove(MsFlags::MS_RDONLY);
        }
        let shm;
        let data = match (m.target, spec.limits.shm_size) {
            ("/dev/shm", Some(n)) => {
                shm = format!("mode=1777,size={n}");
                Some(shm.as_str())
            }
            _ if m.data.is_empty() => None,
            _ => Some(m.data),
        };
        mount(Some(m.fstype), m.target, Some(m.fstype), flags, data)
            .map_err(fail("mount", format!("{} on {}", m.fstype, m.target)))?;
        if m.target == "/dev" {
            make_dev_nodes()?;
        }
    }
    make_extra_devices(&spec.devices)?;

    // 7. Binds: /etc files first, then -v volumes; --tmpfs mounts.
    for (fd, target, readonly, is_dir, copy_up) in &binds {
        // A link on the way is followed as docker follows it, inside
        // the container (our root is its root now: no link leads out).
        let target = fs::canonicalize(target)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| target.clone());
        if *copy_up {
            copy_up_into(fd, &target)?;
        }
        bind_fd(fd, &target, *readonly, *is_dir)?;
    }
    for (path, flags, data) in &spec.limits.tmpfs {
        ensure_dir(path)?;
        let data = (!data.is_empty()).then_some(data.as_str());
        mount(
            Some("tmpfs"),
            path.as_str(),
            Some("tmpfs"),
            MsFlags::from_bits_truncate(*flags),
            data,
        )
        .map_err(fail("mount tmpfs on", path.clone()))?;
    }
    // --sysctl, while /proc/sys is still writable.
    for (k, v) in &spec.limits.sysctls {
        let p = format!("/proc/sys/{}", k.replace('.', "/"));
        fs::write(&p, v).map_err(fail_io("sysctl", k.clone()))?;
    }

    // 8. Masked and read-only paths (none with --privileged, as docker).
    // (No allocation here: the parent may have had other threads.)
    if !spec.privileged {
        match &spec.masked_paths {
            Some(v) => v.iter().try_for_each(|p| mask_path(p))?,
            None => plan::MASKED.iter().try_for_each(|p| mask_path(p))?,
        }
        match &spec.readonly_paths {
            Some(v) => v.iter().try_for_each(|p| readonly_path(p))?,
            None => plan::READONLY.iter().try_for_each(|p| readonly_path(p))?,
        }
    }
    // --read-only: the root itself; /dev, /proc, /sys, the binds and the
    // tmpfs mounts are mounts of their own and keep their modes.
    if spec.limits.readonly_root {
        mount(
            None::<&str>,
            "/",
            None::<&str>,
            MsFlags::MS_REMOUNT | MsFlags::MS_BIND | MsFlags::MS_RDONLY,
            None::<&str>,
        )
        .map_err(fail("remount read-only", "/"))?;
    }
    Ok(())
}

/// `exec`: into the running container's namespaces (its cgroup was
/// joined by the clone); entering the mount namespace puts us at its root.
fn join_namespaces(ctx: &ChildCtx) -> Result<(), Failure> {
    for dir in &ctx.spec.cgroups {
        if ctx.joined != Some(dir.as_path()) {
            let procs = dir.join("cgroup.procs");
            fs::write(&procs, "0").map_err(fail_io("join cgroup", procs.display().to_string()))?;
        }
    }
    for (fd, kind) in ctx.join_fds {
        nix::sched::setns(fd, *kind).map_err(fail("setns", format!("{kind:?}")))?;
    }
    Ok(())
}

/// Reads a file of the container's (its /etc/passwd), at most 4 MiB: an
/// image's /etc/passwd may be a link to /dev/zero.
fn read_bounded(path: &str) -> String {
    use std::io::Read;
    let mut s = String::new();
    if let Ok(f) = fs::File::open(path) {
        let _ = f.take(4 << 20).read_to_string(&mut s);
    }
    s
}

/// The last steps, the same for a container's init and for `exec`: the
/// user, the working directory (checked to be inside the root), stdio,
/// a fresh session keyring, no_new_privs, seccomp, the capabilities and
/// ids, signals, and execve. One path, so no step is ever in one and
/// missing from the other.
fn finish(
    ctx: &ChildCtx,
    create_cwd: bool,
    hold: Option<OwnedFd>,
) -> Result<std::convert::Infallible, Failure> {
    let spec = ctx.spec;
    // 9. Who runs the command, and where.
    let passwd = read_bounded("/etc/passwd");
    let group = read_bounded("/etc/group");
    let who = user::resolve(&spec.user, &passwd, &group).map_err(|msg| Failure {
        step: "user",
        errno: 0,
        detail: msg,
    })?;
    let cwd = if spec.cwd.is_empty() {
        "/"
    } else {
        spec.cwd.as_str()
    };
    if create_cwd {
        fs::create_dir_all(cwd).map_err(fail_io("mkdir", cwd))?;
    }
    chdir(cwd).map_err(fail("chdir", cwd))?;
    // The working directory must be inside the container's root: a path
    // through a leaked fd or a magic link would be outside it.
    match nix::unistd::getcwd() {
        Ok(p) if p.is_absolute() && !p.starts_with("(unreachable)") => {}
        _ => {
            return Err(Failure {
                step: "working directory",
                errno: 0,
                detail: format!("{cwd} is outside of the container's root"),
            })
        }
    }

    // 10. stdio.
    // SAFETY: setsid takes no arguments; the child is not a group leader.
    unsafe { libc::setsid() };
    if spec.tty {
        setup_pty(ctx, &who)?;
    } else if !spec.stdin || spec.discard_output {
        let null = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .map_err(fail_io("open", "/dev/null"))?;
        dup2(null.as_raw_fd(), 0)?;
        if spec.discard_output {
            dup2(null.as_raw_fd(), 1)?;
            dup2(null.as_raw_fd(), 2)?;
        }
    }
    if spec.join.is_some() && (spec.discard_output || spec.outlive) {
        // `exec -d`: the process outlives the strata that started it (the
        // container's init adopts it).
        // SAFETY: prctl(PR_SET_PDEATHSIG, 0) takes plain integers.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, 0, 0, 0, 0) };
    }

    // 11. The network, wired by the parent meanwhile; then identity and
    // privileges.
    if ctx.needs_go {
        (ctx.wait_go)()?;
    }
    // OCI: created. `start` opens the FIFO for reading, which lets our
    // open for writing return.
    if let Some(fd) = hold {
        // A program that is not there fails the create, as runc's does.
        find_program(spec)?;
        (ctx.ready)()?;
        let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
        let mut fifo = fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open(&path)
            .map_err(fail_io("open the exec fifo", &path))?;
        use std::io::Write as _;
        let _ = fifo.write_all(b"0");
    }
    if spec.join.is_none() {
        // In all our cgroups now: the container sees its own as the root.
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWCGROUP)
            .map_err(fail("unshare", "cgroup namespace"))?;
    }
    join_session_keyring()?;
    set_limits(spec)?;
    if spec.no_new_privs {
        // SAFETY: prctl(PR_SET_NO_NEW_PRIVS) takes plain integers.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } < 0 {
            return Err(Failure {
                step: "no_new_privs",
                errno: last_errno(),
                detail: String::new(),
            });
        }
    }
    // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before
    // the capabilities go (the profile allows every call made after it).
    // With it, as late as possible.
    if let (Some(bpf), false) = (&spec.seccomp, spec.no_new_privs) {
        install_seccomp(bpf)?;
    }
    drop_privileges(&who, spec.caps)?;
    if let (Some(bpf), true) = (&spec.seccomp, spec.no_new_privs) {
        install_seccomp(bpf)?;
    }
    reset_signals();
    // Everything above stderr (and the fds the caller asked to preserve)
    // that is still open must not reach the command.
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets flags on fds.
    unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3u32 + spec.preserve_fds,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };

    // 12. exec.
    exec(spec, &who)
}

/// `--ulimit` (raised only as far as our own hard limit: no
/// CAP_SYS_RESOURCE is assumed) and `--oom-score-adj`.
fn set_limits(spec: &Spec) -> Result<(), Failure> {
    for r in &spec.limits.rlimits {
        let mut cur = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit read and write a live rlimit.
        unsafe { libc::getrlimit(r.resource as _, &mut cur) };
        let hard = if r.hard > cur.rlim_max {
            cur.rlim_max
        } else {
            r.hard
        };
        let new = libc::rlimit {
            rlim_cur: r.soft.min(hard),
            rlim_max: hard,
        };
        // SAFETY: as above.
        if unsafe { libc::setrlimit(r.resource as _, &new) } < 0 {
            return Err(Failure {
                step: "setrlimit",
                errno: last_errno(),
                detail: super::limits::ulimit_name(r.resource).into(),
            });
        }
    }
    if let Some(adj) = spec.limits.oom_score_adj {
        fs::write("/proc/self/oom_score_adj", adj.to_string())
            .map_err(fail_io("write", "/proc/self/oom_score_adj"))?;
    }
    Ok(())
}

fn install_seccomp(bpf: &[u8]) -> Result<(), Failure> {
    super::seccomp::install(bpf).map_err(|errno| Failure {
        step: "load seccomp filter",
        errno,
        detail: String::new(),
    })
}

/// A new, anonymous session keyring, as runc gives each container: the
/// caller's session keyring (and the keys in it) stays out of reach.
fn join_session_keyring() -> Result<(), Failure> {
    const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
    // SAFETY: keyctl(JOIN_SESSION_KEYRING, NULL) reads no memory.
    let r = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
        )
    };
    if r < 0 && last_errno() != libc::ENOSYS {
        return Err(Failure {
            step: "join session keyring",
            errno: last_errno(),
            detail: String::new(),
        });
    }
    Ok(())
}

/// `--device` (and `--privileged`) nodes, made in the container's /dev.
fn make_extra_devices(devices: &[super::DeviceNode]) -> Result<(), Failure> {
    for d in devices {
        if let Some(parent) = Path::new(&d.path).parent() {
            fs::create_dir_all(parent).map_err(fail_io("mkdir", parent.display().to_string()))?;
        }
        let _ = fs::remove_file(&d.path);
        let kind = if d.block {
            SFlag::S_IFBLK
        } else {
            SFlag::S_IFCHR
        };
        let dev = nix::sys::stat::makedev(d.major as u64, d.minor as u64);
        mknod(d.path.as_str(), kind, Mode::from_bits_truncate(d.mode), dev)
            .map_err(fail("mknod", d.path.clone()))?;
        nix::sys::stat::fchmodat(
            None,
            d.path.as_str(),
            Mode::from_bits_truncate(d.mode),
            nix::sys::stat::FchmodatFlags::NoFollowSymlink,
        )
        .or_else(|_| {
            nix::sys::stat::fchmodat(
                None,
                d.path.as_str(),
                Mode::from_bits_truncate(d.mode),
                nix::sys::stat::FchmodatFlags::FollowSymlink,
            )
        })
        .map_err(fail("chmod", d.path.clone()))?;
        nix::unistd::fchownat(
            None,
            d.path.as_str(),
            Some(nix::unistd::Uid::from_raw(d.uid)),
            Some(nix::unistd::Gid::from_raw(d.gid)),
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .map_err(fail("chown", d.path.clone()))?;
    }
    Ok(())
}

/// A detached copy of the mount tree at `p` (open_tree with OPEN_TREE_CLONE),
/// to be attached inside the container after pivot_root.
fn clone_tree(p: &Path) -> Result<OwnedFd, Failure> {
    let path = CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| Failure {
        step: "bind source",
        errno: libc::EINVAL,
        detail: p.display().to_string(),
    })?;
    let flags = libc::OPEN_TREE_CLONE | libc::OPEN_TREE_CLOEXEC | libc::AT_RECURSIVE as u32;
    // SAFETY: open_tree reads a NUL-terminated path that outlives the call
    // and returns a new fd (or -1).
    let fd = unsafe { libc::syscall(libc::SYS_open_tree, libc::AT_FDCWD, path.as_ptr(), flags) };
    if fd < 0 {
        return Err(Failure {
            step: "open bind source",
            errno: last_errno(),
            detail: p.display().to_string(),
        });
    }
    // SAFETY: the fd was just returned to us and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

fn ensure_dir(p: &str) -> Result<(), Failure> {
    match fs::symlink_metadata(p) {
        Ok(md) if md.is_dir() => Ok(()),
        _ => fs::create_dir_all(p).map_err(fail_io("mkdir", p)),
    }
}

fn dup2(from: RawFd, to: RawFd) -> Result<(), Failure> {
    // SAFETY: dup2 on fds this process owns; `to` is 0..=2.
    if unsafe { libc::dup2(from, to) } < 0 {
        return Err(Failure {
            step: "dup2",
            errno: last_errno(),
            detail: to.to_string(),
        });
    }
    Ok(())
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

fn make_dev_nodes() -> Result<(), Failure> {
    for (name, major, minor) in plan::DEVICES {
        let path = format!("/dev/{name}");
        let dev = nix::sys::stat::makedev(*major as u64, *minor as u64);
        mknod(
            path.as_str(),
            SFlag::S_IFCHR,
            Mode::from_bits_truncate(0o666),
            dev,
        )
        .map_err(fail("mknod", path.clone()))?;
        // mknod honours the umask; make the mode exact.
        nix::sys::stat::fchmodat(
            None,
            path.as_str(),
            Mode::from_bits_truncate(0o666),
            nix::sys::stat::FchmodatFlags::FollowSymlink,
        )
        .map_err(fail("chmod", path))?;
    }
    for (name, target) in plan::DEV_LINKS {
        let path = format!("/dev/{name}");
        std::os::unix::fs::symlink(target, &path).map_err(fail_io("symlink", path))?;
    }
    Ok(())
}

/// docker's copy-up: an empty volume mounted on a directory the image has
/// gets that directory's files first. We are inside the new root: the
/// source is resolved there (no link leads out), and the volume is the
/// detached mount `vol`, written through fds. Links are copied as links,
/// never followed.
fn copy_up_into(vol: &OwnedFd, target: &str) -> Result<(), Failure> {
    use nix::fcntl::{openat, OFlag};
    let dir_flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let Ok(src) = nix::fcntl::open(target, dir_flags, Mode::empty()) else {
        return Ok(()); // nothing there, or not a directory: nothing to copy
    };
    // SAFETY: open returned a new fd that nobody else owns.
    let src = unsafe { OwnedFd::from_raw_fd(src) };
    let dst = openat(Some(vol.as_raw_fd()), ".", dir_flags, Mode::empty())
        .map_err(fail("open volume", target))?;
    // SAFETY: as above.
    let dst = unsafe { OwnedFd::from_raw_fd(dst) };
    if !dir_is_empty(&dst) || dir_is_empty(&src) {
        return Ok(());
    }
    copy_dir(&src, &dst, target)?;
    // The volume's root takes the directory's owner and mode.
    if let Ok(st) = nix::sys::stat::fstat(src.as_raw_fd()) {
        let _ = nix::unistd::fchown(
            dst.as_raw_fd(),
            Some(nix::unistd::Uid::from_raw(st.st_uid)),
            Some(nix::unistd::Gid::from_raw(st.st_gid)),
        );
        let _ = nix::sys::stat::fchmod(
            dst.as_raw_fd(),
            Mode::from_bits_truncate(st.st_mode & 0o7777),
        );
    }
    Ok(())
}

fn dir_is_empty(fd: &OwnedFd) -> bool {
    let Ok(mut d) = nix::dir::Dir::from_fd(match nix::unistd::dup(fd.as_raw_fd()) {
        Ok(f) => f,
        Err(_) => return false,
    }) else {
        return false;
    };
    let any = d.iter().flatten().any(|e| {
        let n = e.file_name().to_bytes();
        n != b"." && n != b".."
    });
    !any
}

/// Copies the entries of directory `src` into directory `dst`: files,
/// directories, links, fifos and device nodes, with owners, modes and
/// modification times.
fn copy_dir(src: &OwnedFd, dst: &OwnedFd, what: &str) -> Result<(), Failure> {
    use nix::fcntl::{openat, AtFlags, OFlag};
    use nix::sys::stat::{fstatat, SFlag};
    let mut d = nix::dir::Dir::from_fd(
        nix::unistd::dup(src.as_raw_fd()).map_err(fail("dup", what.to_string()))?,
    )
    .map_err(fail("read dir", what.to_string()))?;
    let names: Vec<CString> = d
        .iter()
        .flatten()
        .map(|e| e.file_name().to_owned())
        .filter(|n| n.as_bytes() != b"." && n.as_bytes() != b"..")
        .collect();
    for name in names {
        let shown = format!("{what}/{}", name.to_string_lossy());
        let st = fstatat(
            Some(src.as_raw_fd()),
            name.as_c_str(),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .map_err(fail("stat", shown.clone()))?;
        let kind = SFlag::from_bits_truncate(st.st_mode & libc::S_IFMT);
        let mode = Mode::from_bits_truncate(st.st_mode & 0o7777);
        let nofollow = OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        match kind {
            SFlag::S_IFDIR => {
                nix::sys::stat::mkdirat(
                    Some(dst.as_raw_fd()),
                    name.as_c_str(),
                    Mode::from_bits_truncate(0o700),
                )
                .map_err(fail("mkdir", shown.clone()))?;
                let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | nofollow;
                let s = openat(Some(src.as_raw_fd()), name.as_c_str(), flags, Mode::empty())
                    .map_err(fail("open", shown.clone()))?;
                let t = openat(Some(dst.as_raw_fd()), name.as_c_str(), flags, Mode::empty())
                    .map_err(fail("open", shown.clone()))?;
                // SAFETY: both fds were just opened and are owned here alone.
                let (s, t) = unsafe { (OwnedFd::from_raw_fd(s), OwnedFd::from_raw_fd(t)) };
                copy_dir(&s, &t, &shown)?;
            }
            SFlag::S_IFREG => {
                let s = openat(
                    Some(src.as_raw_fd()),
                    name.as_c_str(),
                    OFlag::O_RDONLY | nofollow,
                    Mode::empty(),
                )
                .map_err(fail("open", shown.clone()))?;
                let t = openat(
                    Some(dst.as_raw_fd()),
                    name.as_c_str(),
                    OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | nofollow,
                    Mode::from_bits_truncate(0o600),
                )
                .map_err(fail("create", shown.clone()))?;
                // SAFETY: both fds were just opened and are owned here alone.
                let (mut s, mut t) =
                    unsafe { (fs::File::from_raw_fd(s), fs::File::from_raw_fd(t)) };
                std::io::copy(&mut s, &mut t).map_err(fail_io("copy", shown.clone()))?;
            }
            SFlag::S_IFLNK => {
                let target = nix::fcntl::readlinkat(Some(src.as_raw_fd()), name.as_c_str())
                    .map_err(fail("readlink", shown.clone()))?;
                nix::unistd::symlinkat(target.as_os_str(), Some(dst.as_raw_fd()), name.as_c_str())
                    .map_err(fail("symlink", shown.clone()))?;
            }
            _ => {
                nix::sys::stat::mknodat(
                    Some(dst.as_raw_fd()),
                    name.as_c_str(),
                    kind,
                    mode,
                    st.st_rdev,
                )
                .map_err(fail("mknod", shown.clone()))?;
            }
        }
        nix::unistd::fchownat(
            Some(dst.as_raw_fd()),
            name.as_c_str(),
            Some(nix::unistd::Uid::from_raw(st.st_uid)),
            Some(nix::unistd::Gid::from_raw(st.st_gid)),
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .map_err(fail("chown", shown.clone()))?;
        if kind != SFlag::S_IFLNK {
            nix::sys::stat::fchmodat(
                Some(dst.as_raw_fd()),
                name.as_c_str(),
                mode,
                nix::sys::stat::FchmodatFlags::NoFollowSymlink,
            )
            .map_err(fail("chmod", shown.clone()))?;
        }
        let times = [
            nix::sys::time::TimeSpec::new(st.st_atime, st.st_atime_nsec),
            nix::sys::time::TimeSpec::new(st.st_mtime, st.st_mtime_nsec),
        ];
        let _ = nix::sys::stat::utimensat(
            Some(dst.as_raw_fd()),
            name.as_c_str(),
            &times[0],
            &times[1],
            nix::sys::stat::UtimensatFlags::NoFollowSymlink,
        );
    }
    Ok(())
}

fn bind_fd(fd: &OwnedFd, target: &str, readonly: bool, is_dir: bool) -> Result<(), Failure> {
    // The target is resolved inside the new root: a symlink can only lead
    // somewhere in the container.
    match fs::symlink_metadata(target) {
        Ok(_) => {}
        Err(_) => {
            if let Some(parent) = Path::new(target).parent() {
                fs::create_dir_all(parent)
                    .map_err(fail_io("mkdir", parent.display().to_string()))?;
            }
            if is_dir {
                fs::create_dir(target).map_err(fail_io("mkdir", target))?;
            } else {
                fs::File::create(target).map_err(fail_io("create mount point", target))?;
            }
        }
    }
    let empty = CString::default();
    let to = CString::new(target).map_err(|_| Failure {
        step: "bind mount",
        errno: libc::EINVAL,
        detail: target.into(),
    })?;
    // SAFETY: move_mount reads two NUL-terminated strings that outlive the
    // call; `fd` is a detached mount from clone_tree.
    let r = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            fd.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    if r < 0 {
        return Err(Failure {
            step: "bind mount",
            errno: last_errno(),
            detail: target.into(),
        });
    }
    if readonly {
        // Read-only all the way down (a remount would leave submounts
        // writable), keeping the source's nosuid/nodev/noexec.
        #[repr(C)]
        struct MountAttr {
            attr_set: u64,
            attr_clr: u64,
            propagation: u64,
            userns_fd: u64,
        }
        const MOUNT_ATTR_RDONLY: u64 = 0x1;
        let attr = MountAttr {
            attr_set: MOUNT_ATTR_RDONLY,
            attr_clr: 0,
            propagation: 0,
            userns_fd: 0,
        };
        // SAFETY: mount_setattr reads a NUL-terminated (empty) path and
        // `attr`, both alive for the call; `fd` is the attached mount.
        let r = unsafe {
            libc::syscall(
                libc::SYS_mount_setattr,
                fd.as_raw_fd(),
                empty.as_ptr(),
                libc::AT_EMPTY_PATH | libc::AT_RECURSIVE,
                &attr as *const MountAttr,
                std::mem::size_of::<MountAttr>(),
            )
        };
        if r < 0 {
            return Err(Failure {
                step: "make read-only",
                errno: last_errno(),
                detail: target.into(),
            });
        }
    }
    Ok(())
}

/// Hides `p` (docker's masked paths): an empty read-only tmpfs on a
/// directory, /dev/null on anything else.
fn mask_path(p: &str) -> Result<(), Failure> {
    match fs::metadata(p) {
        Ok(md) if md.is_dir() => mount(
            Some("tmpfs"),
            p,
            Some("tmpfs"),
            MsFlags::MS_RDONLY,
            None::<&str>,
        )
        .map_err(fail("mask", p)),
        Ok(_) => mount(
            Some("/dev/null"),
            p,
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
        .map_err(fail("mask", p)),
        Err(_) => Ok(()),
    }
}

/// Makes `p` read-only (docker's read-only paths), if it exists.
fn readonly_path(p: &str) -> Result<(), Failure> {
    if fs::symlink_metadata(p).is_err() {
        return Ok(());
    }
    mount(
        Some(p),
        p,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(fail("bind", p))?;
    mount(
        None::<&str>,
        p,
        None::<&str>,
        MsFlags::MS_BIND
            | MsFlags::MS_REMOUNT
            | MsFlags::MS_RDONLY
            | MsFlags::MS_NOSUID
            | MsFlags::MS_NODEV
            | MsFlags::MS_NOEXEC
            | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(fail("remount read-only", p))
}

fn loopback_up() -> Result<(), Failure> {
    // SAFETY: a plain datagram socket; closed below.
    let s = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if s < 0 {
        return Err(Failure {
            step: "socket",
            errno: last_errno(),
            detail: "lo".into(),
        });
    }
    // SAFETY: ifreq is plain old data; zeroed is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (i, b) in b"lo\0".iter().enumerate() {
        req.ifr_name[i] = *b as libc::c_char;
    }
    // SAFETY: SIOCGIFFLAGS/SIOCSIFFLAGS read and write `req`, which lives
    // for the duration of the calls.
    let r = unsafe {
        if libc::ioctl(s, libc::SIOCGIFFLAGS, &mut req) < 0 {
            -1
        } else {
            req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            libc::ioctl(s, libc::SIOCSIFFLAGS, &req)
        }
    };
    let errno = last_errno();
    // SAFETY: closing the socket opened above.
    unsafe { libc::close(s) };
    if r < 0 {
        return Err(Failure {
            step: "bring up",
            errno,
            detail: "lo".into(),
        });
    }
    Ok(())
}

fn setup_pty(ctx: &ChildCtx, who: &user::ExecUser) -> Result<(), Failure> {
    let master = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
        .open("/dev/pts/ptmx")
        .map_err(fail_io("open", "/dev/pts/ptmx"))?;
    let m = master.as_raw_fd();
    let unlock: libc::c_int = 0;
    // SAFETY: TIOCSPTLCK reads an int; TIOCGPTPEER returns a new fd for the
    // peer of the master we own.
    let slave = unsafe {
        if libc::ioctl(m, libc::TIOCSPTLCK, &unlock) < 0 {
            -1
        } else {
            libc::ioctl(m, libc::TIOCGPTPEER, libc::O_RDWR | libc::O_NOCTTY)
        }
    };
    if slave < 0 {
        return Err(Failure {
            step: "open pty peer",
            errno: last_errno(),
            detail: "/dev/pts".into(),
        });
    }
    if let Some(ws) = ctx.winsize {
        // SAFETY: TIOCSWINSZ reads a winsize that outlives the call.
        unsafe { libc::ioctl(slave, libc::TIOCSWINSZ, &ws) };
    }
    // SAFETY: fchown on the slave fd we own.
    unsafe { libc::fchown(slave, who.uid, libc::gid_t::MAX) };
    (ctx.send_fd)(m)?;
    drop(master);
    // SAFETY: TIOCSCTTY makes the slave our controlling terminal; we just
    // became a session leader with setsid.
    if unsafe { libc::ioctl(slave, libc::TIOCSCTTY, 0) } < 0 {
        return Err(Failure {
            step: "set controlling terminal",
            errno: last_errno(),
            detail: String::new(),
        });
    }
    for fd in 0..3 {
        dup2(slave, fd)?;
    }
    if slave > 2 {
        // SAFETY: closing our own duplicate of the slave.
        unsafe { libc::close(slave) };
    }
    Ok(())
}

fn drop_privileges(who: &user::ExecUser, wanted: u64) -> Result<(), Failure> {
    // Bounding set: the container's, clamped to what this host has.
    let bounding = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| caps::parse_status_mask(&s, "CapBnd"))
        .unwrap_or(0);
    let keep = wanted & bounding;
    for cap in 0..64u32 {
        if bounding & (1u64 << cap) != 0 && keep & (1u64 << cap) == 0 {
            // SAFETY: PR_CAPBSET_DROP takes a capability number.
            if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) } < 0 {
                return Err(Failure {
                    step: "drop capability",
                    errno: last_errno(),
                    detail: cap.to_string(),
                });
            }
        }
    }
    // Ambient capabilities inherited from whoever started strata go.
    // SAFETY: prctl(PR_CAP_AMBIENT, CLEAR_ALL) takes plain integers.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    let groups: Vec<libc::gid_t> = who.groups.clone();
    // SAFETY: setgroups reads `groups.len()` gids from a live Vec.
    if unsafe { libc::setgroups(groups.len(), groups.as_ptr()) } < 0 {
        return Err(Failure {
            step: "setgroups",
            errno: last_errno(),
            detail: String::new(),
        });
    }
    // SAFETY: setgid/setuid take plain ids.
    if unsafe { libc::setgid(who.gid) } < 0 {
        return Err(Failure {
            step: "setgid",
            errno: last_errno(),
            detail: who.gid.to_string(),
        });
    }
    // SAFETY: as above.
    if unsafe { libc::setuid(who.uid) } < 0 {
        return Err(Failure {
            step: "setuid",
            errno: last_errno(),
            detail: who.uid.to_string(),
        });
    }
    // Root keeps the container's set; any other uid already lost its
    // capabilities in setuid, which is docker's behaviour too. The
    // inheritable set is empty (CVE-2022-24769 class): a file's
    // inheritable capabilities can then never be granted at exec.
    let set = if who.uid == 0 { keep } else { 0 };
    let mut header = CapHeader {
        version: 0x2008_0522,
        pid: 0,
    };
    let data = [
        CapData {
            effective: set as u32,
            permitted: set as u32,
            inheritable: 0,
        },
        CapData {
            effective: (set >> 32) as u32,
            permitted: (set >> 32) as u32,
            inheritable: 0,
        },
    ];
    // SAFETY: capset reads a v3 header and two data structs, both live.
    if unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) } < 0 {
        return Err(Failure {
            step: "capset",
            errno: last_errno(),
            detail: String::new(),
        });
    }
    Ok(())
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Unblocks every signal and sets every disposition back to the default
/// (Rust ignores SIGPIPE, and ignored dispositions survive execve).
fn reset_signals() {
    for sig in 1..65 {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        // SAFETY: restoring SIG_DFL for a signal number is always sound.
        unsafe { libc::signal(sig, libc::SIG_DFL) };
    }
    // SAFETY: an empty, initialised set passed to sigprocmask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

/// Where `cmd` may be: itself when it has a `/`, else each directory of
/// the `PATH` in `env` (docker's default PATH without one) joined with it.
fn program_candidates(cmd: &str, env: &[String]) -> Vec<PathBuf> {
    if cmd.contains('/') {
        return vec![PathBuf::from(cmd)];
    }
    env.iter()
        .find_map(|e| e.strip_prefix("PATH="))
        .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(cmd))
        .collect()
}

/// Whether the command is there to run (searched on the container's PATH).
fn find_program(spec: &Spec) -> Result<(), Failure> {
    let cmd = spec.argv.first().cloned().unwrap_or_default();
    let found = program_candidates(&cmd, &spec.env)
        .iter()
        .any(|p| p.is_file());
    if found {
        return Ok(());
    }
    let how = if cmd.contains('/') { "path" } else { "search" };
    Err(Failure {
        step: "exec",
        errno: libc::ENOENT,
        detail: format!("{how}\0{cmd}"),
    })
}

fn exec(spec: &Spec, who: &user::ExecUser) -> Result<std::convert::Infallible, Failure> {
    let mut env: Vec<String> = spec.env.clone();
    if !env.iter().any(|e| e.starts_with("HOME=")) {
        env.push(format!("HOME={}", who.home));
    }
    let cmd = spec.argv.first().cloned().unwrap_or_default();
    let cstr = |s: &str| {
        CString::new(s).map_err(|_| Failure {
            step: "exec",
            errno: libc::EINVAL,
            detail: s.into(),
        })
    };
    let argv: Vec<CString> = spec
        .argv
        .iter()
        .map(|a| cstr(a))
        .collect::<Result<_, _>>()?;
    let envp: Vec<CString> = env.iter().map(|e| cstr(e)).collect::<Result<_, _>>()?;
    let candidates = program_candidates(&cmd, &env);
    let mut errno = libc::ENOENT;
    for c in &candidates {
        let prog = cstr(&c.to_string_lossy())?;
        // execve only returns on failure.
        let e = nix::unistd::execve(&prog, &argv, &envp).unwrap_err();
        match e as i32 {
            libc::ENOENT | libc::ENOTDIR => {}
            other => {
                errno = other;
                if !cmd.contains('/') && other == libc::EACCES {
                    continue;
                }
                break;
            }
        }
    }
    let detail = if cmd.contains('/') { "path" } else { "search" };
    Err(Failure {
        step: "exec",
        errno,
        detail: format!("{detail}\0{cmd}"),
    })
}
