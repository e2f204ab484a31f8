//! The supervisor: clones the container's init and stays its parent.
//!
//! Sync protocol (one SOCK_SEQPACKET socketpair, both ends CLOEXEC):
//!
//!   child -> parent  "P" + SCM_RIGHTS(pty master)   (with a tty, once)
//!   child -> parent  "E" step \0 errno \0 detail   (a setup step failed; the child exits)
//!   EOF                                             (execve succeeded: CLOEXEC closed the socket)
//!
//! Signals the supervisor cares about are blocked before the clone and read
//! from a signalfd; the child unblocks them and resets every disposition
//! before execve. The parent forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT,
//! SIGUSR1 and SIGUSR2 to the container (docker's sig-proxy), follows
//! SIGWINCH into the pty, and reaps on SIGCHLD.

use super::child::{self, ChildCtx, Failure};
use super::pty::{get_winsize, set_winsize, TerminalGuard};
use super::{Error, Exit, Network, Plan as Spec};
use nix::sched::CloneFlags;
use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::socket::{
    recvmsg, sendmsg, socketpair, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags,
    SockFlag, SockType,
};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};

const FORWARDED: &[Signal] = &[
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

/// Set once a supervisor with `kill_on_signal` killed its container
/// because this process was told to stop (a build's ctrl-c).
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this process stopped a container because it was interrupted.
pub fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed)
}

/// A SIGINT that came while no supervisor was reading signals (see
/// [`catch_interrupts`]).
static PENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    PENDING.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// ctrl-c no longer ends this process (an interactive build between its
/// steps): it is noted, and the next supervisor with `kill_on_signal`
/// stops its container at once, as it does with a ctrl-c while it runs
/// (it blocks the signal and reads it from its signalfd). A container's
/// init resets every disposition before it execs.
pub fn catch_interrupts() {
    let action = nix::sys::signal::SigAction::new(
        nix::sys::signal::SigHandler::Handler(on_interrupt),
        nix::sys::signal::SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler only stores to an atomic (async-signal-safe).
    unsafe {
        let _ = nix::sys::signal::sigaction(Signal::SIGINT, &action);
    }
}

/// Whether a container was stopped, or a ctrl-c came, since the last
/// call: an interactive build goes on after a step was stopped.
pub fn take_interrupted() -> bool {
    let stopped = INTERRUPTED.swap(false, std::sync::atomic::Ordering::Relaxed);
    PENDING.swap(false, std::sync::atomic::Ordering::Relaxed) || stopped
}

/// A container whose command has been executed.
pub struct Started {
    pub pid: i32,
    master: Option<OwnedFd>,
    sigfd: SignalFd,
    old_mask: SigSet,
    stdin: bool,
    kill_on_signal: bool,
    /// Pipes that stand in for our terminal without -t: (read end,
    /// write end, whether it carries our stdin).
    relays: Vec<(OwnedFd, OwnedFd, bool)>,
    /// The plan it was started from, freed with it: freeing it at once
    /// would write to pages the child may still share (until its exec),
    /// each a page copied.
    pub(super) plan: Option<Box<Spec>>,
}

fn sys(op: &'static str) -> impl FnOnce(nix::errno::Errno) -> Error {
    move |e| Error::Sys {
        op,
        errno: e as i32,
    }
}

fn handled_signals() -> SigSet {
    let mut set = SigSet::empty();
    for s in FORWARDED {
        set.add(*s);
    }
    set.add(Signal::SIGCHLD);
    set.add(Signal::SIGWINCH);
    set
}

/// Clones the container's init, waits until its command is executed (or a
/// setup step fails), and returns the running container.
/// `struct clone_args` (up to `cgroup`, CLONE_ARGS_SIZE_VER2).
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// `wire(pid)` is called once the container exists and before its
/// command runs (for `Network::Private`: to give it its links).
pub fn start_with(
    spec: &Spec,
    wire: &mut dyn FnMut(i32) -> Result<(), String>,
) -> Result<Started, Error> {
    let mask = handled_signals();
    let mut old_mask = SigSet::empty();
    nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&mask), Some(&mut old_mask))
        .map_err(sys("sigprocmask"))?;
    let restore = |old: &SigSet| {
        let _ = nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(old), None);
    };
    let sigfd = match SignalFd::with_flags(&mask, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK) {
        Ok(s) => s,
        Err(e) => {
            restore(&old_mask);
            return Err(sys("signalfd")(e));
        }
    };
    let (parent_sock, child_sock) = match socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    ) {
        Ok(p) => p,
        Err(e) => {
            restore(&old_mask);
            return Err(sys("socketpair")(e));
        }
    };
    let winsize = if spec.tty {
        get_winsize(0).or_else(|| get_winsize(1))
    } else {
        None
    };
    // Without -t the container never gets our terminal: a process left
    // in it could read what is typed later, or write escape sequences.
    // A pipe stands in for each stdio fd that is a terminal.
    let mut child_stdio: Vec<(RawFd, OwnedFd)> = Vec::new();
    let mut relays: Vec<(OwnedFd, OwnedFd, bool)> = Vec::new();
    // (Not for OCI `create`: its stdio is its caller's, which outlives us.)
    if !spec.tty && !spec.discard_output && spec.hold.is_none() {
        for fd in 0..3 {
            // SAFETY: isatty only inspects the fd.
            if (fd == 0 && !spec.stdin) || unsafe { libc::isatty(fd) } != 1 {
                continue;
            }
            let Ok((r, w)) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC) else {
                restore(&old_mask);
                return Err(Error::Sys {
                    op: "pipe",
                    errno: libc::EMFILE,
                });
            };
            let theirs = match fd {
                0 => std::io::stdin().as_fd().try_clone_to_owned(),
                1 => std::io::stdout().as_fd().try_clone_to_owned(),
                _ => std::io::stderr().as_fd().try_clone_to_owned(),
            };
            let Ok(tty) = theirs else { continue };
            if fd == 0 {
                child_stdio.push((0, r));
                relays.push((tty, w, true));
            } else {
                child_stdio.push((fd, w));
                relays.push((r, tty, false));
            }
        }
    }

    // The cgroup namespace is entered by the child after it joins its
    // cgroups, so that the container sees its own group as the root.
    let mut flags =
        libc::CLONE_NEWNS | libc::CLONE_NEWPID | libc::CLONE_NEWUTS | libc::CLONE_NEWIPC;
    if matches!(spec.network, Network::None | Network::Private) {
        flags |= libc::CLONE_NEWNET;
    }
    // Namespaces joined by path (OCI) are not made; the child enters them.
    for (kind, _) in &spec.ns_paths {
        flags &= !kind.flag().bits();
    }
    // exec: the child joins the container's namespaces; its PID namespace
    // is set here, for our children, before the clone.
    let mut join_fds = Vec::new();
    let mut home_pidns = None;
    if let Some(target) = spec.join {
        flags = 0;
        let open = |ns: &str| {
            std::fs::File::open(format!("/proc/{target}/ns/{ns}"))
                .map(OwnedFd::from)
                .map_err(|e| Error::Setup {
                    step: "exec".into(),
                    errno: e.raw_os_error().unwrap_or(libc::EIO),
                    detail: format!("open /proc/{target}/ns/{ns}"),
                })
        };
        let joined = (|| {
            for (ns, kind) in [
                ("ipc", CloneFlags::CLONE_NEWIPC),
                ("uts", CloneFlags::CLONE_NEWUTS),
                ("net", CloneFlags::CLONE_NEWNET),
                ("cgroup", CloneFlags::CLONE_NEWCGROUP),
                ("mnt", CloneFlags::CLONE_NEWNS),
            ] {
                join_fds.push((open(ns)?, kind));
            }
            let pidns = open("pid")?;
            home_pidns = Some(
                std::fs::File::open("/proc/self/ns/pid_for_children")
                    .or_else(|_| std::fs::File::open("/proc/self/ns/pid"))
                    .map(OwnedFd::from)
                    .map_err(|e| Error::Setup {
                        step: "exec".into(),
                        errno: e.raw_os_error().unwrap_or(libc::EIO),
                        detail: "open our own pid namespace".into(),
                    })?,
            );
            nix::sched::setns(&pidns, CloneFlags::CLONE_NEWPID).map_err(|e| Error::Setup {
                step: "exec".into(),
                errno: e as i32,
                detail: "enter the container's pid namespace".into(),
            })
        })();
        if let Err(e) = joined {
            restore(&old_mask);
            return Err(e);
        }
    } else if let Some(p) = spec.ns_path(super::Namespace::Pid) {
        // A PID namespace by path (a pod's shared one): entered here, for
        // our children, before the clone; ours again after it.
        let entered = (|| -> std::io::Result<OwnedFd> {
            let home = std::fs::File::open("/proc/self/ns/pid_for_children")
                .or_else(|_| std::fs::File::open("/proc/self/ns/pid"))?;
            let target = std::fs::File::open(p)?;
            nix::sched::setns(&target, CloneFlags::CLONE_NEWPID)?;
            Ok(OwnedFd::from(home))
        })();
        match entered {
            Ok(home) => home_pidns = Some(home),
            Err(e) => {
                restore(&old_mask);
                return Err(Error::Setup {
                    step: "join the pid namespace".into(),
                    errno: e.raw_os_error().unwrap_or(libc::EIO),
                    detail: p.display().to_string(),
                });
            }
        }
    }
    // Straight into its v2 cgroup (clone3 with CLONE_INTO_CGROUP): writing
    // cgroup.procs afterwards costs an RCU grace period, 10-20 ms when the
    // machine was idle. Kernels without it fall back to clone and a write.
    let into = spec
        .cgroups
        .iter()
        .find(|d| super::cgroup::is_v2_group(d))
        .and_then(|d| {
            std::fs::File::open(d)
                .ok()
                .map(|f| (d.as_path(), OwnedFd::from(f)))
        });
    super::debug_assert_single_threaded("clone of a container");
    let mut joined = None;
    let mut pid = -1;
    if let Some((dir, fd)) = &into {
        let args = CloneArgs {
            flags: flags as u64 | CLONE_INTO_CGROUP,
            exit_signal: libc::SIGCHLD as u64,
            cgroup: fd.as_raw_fd() as u64,
            ..CloneArgs::default()
        };
        // SAFETY: clone3 with no CLONE_VM and no stack behaves like fork (as
        // the clone below); `args` lives across the call and its size is
        // passed. The child never returns into our callers.
        pid = unsafe {
            libc::syscall(
                libc::SYS_clone3,
                &args as *const CloneArgs,
                std::mem::size_of::<CloneArgs>(),
            )
        };
        if pid >= 0 {
            joined = Some(*dir);
        }
    }
    if pid < 0 {
        // SAFETY: a raw clone without CLONE_VM and with a NULL stack behaves
        // like fork: the child gets a copy-on-write copy of this
        // single-threaded process. The child never returns into our callers:
        // it execs or _exits.
        pid = unsafe {
            libc::syscall(
                libc::SYS_clone,
                (flags | libc::SIGCHLD) as libc::c_ulong,
                0usize,
                0usize,
                0usize,
                0usize,
            )
        };
    }
    drop(into);
    // The other groups (v1 controllers) are joined by us, writing the
    // child's pid while it mounts its root: the write waits an RCU grace
    // period, which then overlaps the child's work instead of adding to it.
    // The limits' own groups (v1) are made then too.
    let mut moves: Vec<std::path::PathBuf> = if spec.join.is_none() {
        spec.cgroups
            .iter()
            .filter(|d| Some(d.as_path()) != joined)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let limits = spec
        .cgroup_limits
        .as_ref()
        .filter(|l| spec.join.is_none() && !l.resources.is_empty());
    let needs_go = spec.join.is_none()
        && (spec.network == Network::Private || !moves.is_empty() || limits.is_some());
    if pid < 0 {
        let errno = std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO);
        restore(&old_mask);
        return Err(Error::Sys { op: "clone", errno });
    }
    if pid == 0 {
        drop(parent_sock);
        for (target, fd) in &child_stdio {
            // SAFETY: dup2 onto a stdio fd of this (child) process; the
            // source is a pipe end we own.
            unsafe { libc::dup2(fd.as_raw_fd(), *target) };
        }
        let sock = child_sock.as_raw_fd();
        let send_fd = |fd: RawFd| -> Result<(), Failure> {
            let fds = [fd];
            let cmsg = [ControlMessage::ScmRights(&fds)];
            sendmsg::<()>(sock, &[IoSlice::new(b"P")], &cmsg, MsgFlags::empty(), None)
                .map(|_| ())
                .map_err(|e| Failure {
                    step: "send pty",
                    errno: e as i32,
                    detail: String::new(),
                })
        };
        let wait_go = || -> Result<(), Failure> {
            let mut b = [0u8; 1];
            loop {
                match nix::sys::socket::recv(sock, &mut b, MsgFlags::empty()) {
                    Ok(1) if b[0] == b'G' => return Ok(()),
                    Err(nix::errno::Errno::EINTR) => continue,
                    _ => {
                        return Err(Failure {
                            step: "network",
                            errno: libc::ECONNABORTED,
                            detail: "the network or the cgroups were not set up".into(),
                        })
                    }
                }
            }
        };
        let ready = || -> Result<(), Failure> {
            nix::sys::socket::send(sock, b"R", MsgFlags::empty())
                .map(|_| ())
                .map_err(|e| Failure {
                    step: "created",
                    errno: e as i32,
                    detail: String::new(),
                })
        };
        let keep_fds: Vec<RawFd> = std::iter::once(sock)
            .chain(join_fds.iter().map(|(fd, _)| fd.as_raw_fd()))
            .chain((3..3 + spec.preserve_fds as RawFd).filter(|fd| *fd != sock))
            .collect();
        let ctx = ChildCtx {
            spec,
            winsize,
            send_fd: &send_fd,
            wait_go: &wait_go,
            ready: &ready,
            needs_go,
            joined,
            join_fds: &join_fds,
            keep_fds: &keep_fds,
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| child::run(&ctx)));
        let f = outcome.unwrap_or(Failure {
            step: "init",
            errno: libc::EIO,
            detail: "panic".into(),
        });
        let msg = format!("E{}\0{}\0{}", f.step, f.errno, f.detail);
        let _ = sendmsg::<()>(
            sock,
            &[IoSlice::new(msg.as_bytes())],
            &[],
            MsgFlags::empty(),
            None,
        );
        // SAFETY: _exit ends the child without running the parent's destructors.
        unsafe { libc::_exit(1) };
    }
    drop(child_sock);
    drop(child_stdio);
    if let Some(home) = &home_pidns {
        let _ = nix::sched::setns(home, CloneFlags::CLONE_NEWPID);
    }
    drop(join_fds);
    let pid = pid as i32;
    // A child that failed (say, at the user lookup) before its "go" is
    // gone when we send it: its own report, still in the socket, says why.
    let mut go_failed = None;
    // The network could not be wired: the child goes, and says nothing.
    let setup_failed = |step: &str, detail: String| {
        let _ = nix::sys::signal::kill(Pid::from_raw(pid), nix::sys::signal::SIGKILL);
        let _ = waitpid(Pid::from_raw(pid), None);
        restore(&old_mask);
        Err(Error::Setup {
            step: step.into(),
            errno: 0,
            detail,
        })
    };
    if let Some(l) = limits {
        let v2_group = spec.cgroups.iter().find(|d| super::cgroup::is_v2_group(d));
        match super::resources::apply(&l.root, &l.id, &l.resources, v2_group.map(|d| d.as_path())) {
            Ok(groups) => moves.extend(groups),
            Err(e) => return setup_failed("cgroup limits", e.to_string()),
        }
    }
    for dir in &moves {
        let procs = dir.join("cgroup.procs");
        if let Err(e) = std::fs::write(&procs, pid.to_string()) {
            return setup_failed("join cgroup", format!("{}: {e}", procs.display()));
        }
    }
    if spec.network == Network::Private {
        if let Err(detail) = wire(pid) {
            return setup_failed("network", detail);
        }
    }
    if needs_go {
        if let Err(e) = nix::sys::socket::send(parent_sock.as_raw_fd(), b"G", MsgFlags::empty()) {
            go_failed = Some(e.to_string());
        }
    }

    // Read the child's messages until EOF (exec) or an error report.
    let mut master = None;
    let mut failure = None;
    loop {
        let mut buf = [0u8; 8192];
        let mut cmsg_buf = nix::cmsg_space!([RawFd; 1]);
        let mut iov = [IoSliceMut::new(&mut buf)];
        let r = recvmsg::<()>(
            parent_sock.as_raw_fd(),
            &mut iov,
            Some(&mut cmsg_buf),
            MsgFlags::MSG_CMSG_CLOEXEC,
        );
        let (n, fd) = match r {
            Ok(msg) => {
                let mut fd = None;
                if let Ok(cmsgs) = msg.cmsgs() {
                    for c in cmsgs {
                        if let ControlMessageOwned::ScmRights(fds) = c {
                            fd = fds.first().copied();
                        }
                    }
                }
                (msg.bytes, fd)
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => (0, None),
        };
        if n == 0 {
            break;
        }
        let data = &buf[..n];
        // OCI `create`: set up, waiting for `start`; not ours to wait for.
        if data[0] == b'R' && spec.hold.is_some() {
            break;
        }
        match data[0] {
            // SAFETY: the fd arrived via SCM_RIGHTS and is ours alone.
            b'P' => master = fd.map(|f| unsafe { OwnedFd::from_raw_fd(f) }),
            b'E' => {
                let text = String::from_utf8_lossy(&data[1..]).to_string();
                let mut parts = text.splitn(3, '\0');
                let step = parts.next().unwrap_or("").to_string();
                let errno = parts.next().and_then(|e| e.parse().ok()).unwrap_or(0);
                let detail = parts.next().unwrap_or("").to_string();
                failure = Some((step, errno, detail));
            }
            _ => {}
        }
    }
    if let (None, Some(detail)) = (&failure, go_failed) {
        return setup_failed("network", detail);
    }
    if let Some((step, errno, detail)) = failure {
        let _ = waitpid(Pid::from_raw(pid), None);
        restore(&old_mask);
        return Err(match step.as_str() {
            "exec" => {
                let (how, cmd) = detail.split_once('\0').unwrap_or(("search", &detail));
                Error::Exec {
                    cmd: cmd.to_string(),
                    errno,
                    searched_path: how == "search",
                }
            }
            "user" => Error::User(detail),
            _ => Error::Setup {
                step,
                errno,
                detail,
            },
        });
    }
    Ok(Started {
        pid,
        master,
        sigfd,
        old_mask,
        stdin: spec.stdin,
        kill_on_signal: spec.kill_on_signal,
        relays,
        plan: None,
    })
}

impl Started {
    /// A second handle on the container's pty (for an attach client's
    /// window size), if it has one.
    pub fn pty(&self) -> Option<OwnedFd> {
        self.master.as_ref().and_then(|m| m.try_clone().ok())
    }

    /// Proxies stdio and signals until the container's init exits; returns
    /// how it ended. The terminal is restored on every path.
    pub fn supervise(mut self) -> Result<Exit, Error> {
        let _raw = match (&self.master, self.stdin) {
            (Some(_), true) => TerminalGuard::raw(0),
            _ => None,
        };
        let pid = Pid::from_raw(self.pid);
        let master = self.master.take();
        if let Some(m) = &master {
            set_nonblocking(m.as_raw_fd());
        }
        let mut stdin_open = self.stdin && master.is_some();
        let mut master_open = master.is_some();
        let mut exit: Option<Exit> = None;
        let mut interrupted: Option<i32> = None;
        if self.kill_on_signal && PENDING.swap(false, std::sync::atomic::Ordering::Relaxed) {
            // ctrl-c before we were reading signals.
            let _ = kill(pid, Signal::SIGKILL);
            interrupted = Some(libc::SIGINT);
            INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let mut buf = vec![0u8; 32 * 1024];
        let stdout = std::io::stdout();
        let mut relays: Vec<Option<(OwnedFd, OwnedFd, bool)>> = std::mem::take(&mut self.relays)
            .into_iter()
            .map(Some)
            .collect();
        // Our terminal's file description stays as it is (blocking): only
        // the pipes' read ends are made non-blocking.
        for (r, _, is_stdin) in relays.iter().flatten() {
            if !is_stdin {
                set_nonblocking(r.as_raw_fd());
            }
        }
        loop {
            // Once the init is reaped, drain what the pty still holds.
            if let (Some(_), Some(m)) = (exit, &master) {
                if master_open {
                    drain(m.as_raw_fd(), &mut buf, &stdout);
                }
                break;
            } else if exit.is_some() {
                for (r, w, is_stdin) in relays.iter().flatten() {
                    if !is_stdin {
                        relay_drain(r.as_raw_fd(), w.as_raw_fd(), &mut buf);
                    }
                }
                break;
            }
            use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
            let stdin_fd = std::io::stdin();
            let mut fds = vec![PollFd::new(self.sigfd.as_fd(), PollFlags::POLLIN)];
            let stdin_idx = if stdin_open {
                fds.push(PollFd::new(stdin_fd.as_fd(), PollFlags::POLLIN));
                Some(fds.len() - 1)
            } else {
                None
            };
            let master_idx = match (&master, master_open) {
                (Some(m), true) => {
                    fds.push(PollFd::new(m.as_fd(), PollFlags::POLLIN));
                    Some(fds.len() - 1)
                }
                _ => None,
            };
            let first_relay = fds.len();
            let relay_slots: Vec<usize> = relays
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.as_ref().map(|_| i))
                .collect();
            for i in &relay_slots {
                if let Some((r, _, _)) = &relays[*i] {
                    fds.push(PollFd::new(r.as_fd(), PollFlags::POLLIN));
                }
            }
            match poll(&mut fds, PollTimeout::NONE) {
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(sys("poll")(e)),
                Ok(_) => {}
            }
            let ready = |i: Option<usize>| {
                i.and_then(|i| fds[i].revents())
                    .is_some_and(|r| !r.is_empty())
            };
            let (sig_ready, in_ready, m_ready) =
                (ready(Some(0)), ready(stdin_idx), ready(master_idx));
            let relay_ready: Vec<usize> = relay_slots
                .iter()
                .enumerate()
                .filter(|(k, _)| ready(Some(first_relay + k)))
                .map(|(_, i)| *i)
                .collect();
            drop(fds);
            for i in relay_ready {
                if let Some((r, w, _)) = &relays[i] {
                    let n = read_fd(r.as_raw_fd(), &mut buf);
                    let again = n < 0
                        && std::io::Error::last_os_error().raw_os_error() == Some(libc::EAGAIN);
                    if n > 0 {
                        write_all_fd(w.as_raw_fd(), &buf[..n as usize]);
                    } else if !again {
                        // EOF: for stdin the container now reads its end.
                        relays[i] = None;
                    }
                }
            }
            if m_ready {
                if let Some(m) = &master {
                    master_open = copy_out(m.as_raw_fd(), &mut buf, &stdout);
                }
            }
            if in_ready {
                if let Some(m) = &master {
                    match std::io::stdin().lock().read(&mut buf) {
                        Ok(0) | Err(_) => stdin_open = false,
                        Ok(n) => write_all_fd(m.as_raw_fd(), &buf[..n]),
                    }
                }
            }
            if sig_ready {
                while let Ok(Some(info)) = self.sigfd.read_signal() {
                    let sig = info.ssi_signo as i32;
                    if sig == libc::SIGCHLD {
                        match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
                            Ok(WaitStatus::Exited(_, code)) => exit = Some(Exit::Code(code)),
                            Ok(WaitStatus::Signaled(_, s, _)) => {
                                exit = Some(Exit::Signal(s as i32))
                            }
                            Err(nix::errno::Errno::ECHILD) => exit = exit.or(Some(Exit::Code(255))),
                            _ => {}
                        }
                    } else if sig == libc::SIGWINCH {
                        if let (Some(m), Some(ws)) = (&master, get_winsize(0)) {
                            set_winsize(m.as_raw_fd(), &ws);
                        }
                    } else if self.kill_on_signal && sig != libc::SIGUSR1 && sig != libc::SIGUSR2 {
                        let _ = kill(pid, Signal::SIGKILL);
                        interrupted = Some(sig);
                        INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
                    } else if let Ok(s) = Signal::try_from(sig) {
                        let _ = kill(pid, s);
                    }
                }
            }
        }
        let _ = std::io::stdout().flush();
        if let Some(sig) = interrupted {
            // Report the signal that stopped us, not the SIGKILL we sent.
            return Ok(Exit::Signal(sig));
        }
        Ok(exit.unwrap_or(Exit::Code(255)))
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ =
            nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&self.old_mask), None);
    }
}

fn set_nonblocking(fd: RawFd) {
    // SAFETY: F_GETFL/F_SETFL on an fd we own.
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
    }
}

fn read_fd(fd: RawFd, buf: &mut [u8]) -> isize {
    // SAFETY: reading into a live buffer of the given length.
    unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) }
}

/// Copies what the pty master has to stdout; false once the pty is gone.
fn copy_out(fd: RawFd, buf: &mut [u8], stdout: &std::io::Stdout) -> bool {
    let n = read_fd(fd, buf);
    if n > 0 {
        let mut out = stdout.lock();
        let _ = out.write_all(&buf[..n as usize]);
        let _ = out.flush();
        true
    } else {
        n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EAGAIN)
    }
}

/// Copies what a relay's pipe still holds, without waiting for more.
fn relay_drain(from: RawFd, to: RawFd, buf: &mut [u8]) {
    loop {
        let n = read_fd(from, buf);
        if n <= 0 {
            break;
        }
        write_all_fd(to, &buf[..n as usize]);
    }
}

fn drain(fd: RawFd, buf: &mut [u8], stdout: &std::io::Stdout) {
    loop {
        let n = read_fd(fd, buf);
        if n <= 0 {
            break;
        }
        let mut out = stdout.lock();
        let _ = out.write_all(&buf[..n as usize]);
    }
}

fn write_all_fd(fd: RawFd, mut data: &[u8]) {
    while !data.is_empty() {
        // SAFETY: writing from a live buffer of the given length.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n > 0 {
            data = &data[n as usize..];
        } else if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EAGAIN) {
            std::thread::sleep(std::time::Duration::from_millis(1));
        } else {
            return;
        }
    }
}
