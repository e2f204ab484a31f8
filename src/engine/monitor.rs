//! The monitor of a detached container: the process that runs it (its
//! supervisor), pumps its output into the json-file log and to attached
//! clients, serves the attach socket (the frames of `attach_proto`),
//! records its exit, applies its restart policy (re-executing itself to
//! restart), and runs its health checks. Its clients' side (starting a
//! monitor, attaching to one) is in `detach.rs`.

use super::attach_proto as proto;
use super::run::Watch;
use super::Engine;
use crate::container::log;
use crate::util::time;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

impl Engine {
    /// The monitor: runs container `id`, logs its output, records its
    /// exit. `handshake` is where the starter waits for `ok`. `resume`:
    /// this monitor re-executed itself to restart the container (see
    /// `Resume`), and these are the fds it kept.
    pub fn monitor(
        &self,
        id: &str,
        handshake: Option<std::fs::File>,
        attach_first: bool,
        resume: Option<&str>,
    ) -> i32 {
        let resume = resume.map(Resume::parse);
        if resume.is_none() {
            let _ = nix::unistd::setsid();
        }
        let mut ready_out = if attach_first && resume.is_none() {
            handshake.as_ref().and_then(|h| h.try_clone().ok())
        } else {
            None
        };
        let mut handshake = handshake;
        let mut say = |text: String| {
            if let Some(mut h) = handshake.take() {
                let _ = h.write_all(text.as_bytes());
            }
        };
        self.containers.reserve_space(id);
        let log_path = self.containers.log_path(id);
        let writer = match log::Writer::open(&log_path) {
            Ok(w) => w,
            Err(err) => {
                say(format!("err 125 open {}: {err}\n", log_path.display()));
                return 125;
            }
        };
        // The container's stdout and stderr are pipes that a thread of
        // ours copies into the log; the thread starts once the container
        // runs (no thread may exist across the clone).
        let (out_r, err_r) = match resume.as_ref().map(|r| (r.out, r.err)) {
            Some((o, e)) => match (crate::runtime::adopt_fd(o), crate::runtime::adopt_fd(e)) {
                // Fds 1 and 2 are their write ends still.
                (Some(o), Some(e)) => (o, e),
                _ => return 125,
            },
            None => {
                let pipes = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
                    .and_then(|o| nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map(|e| (o, e)));
                let Ok(((out_r, out_w), (err_r, err_w))) = pipes else {
                    say("err 125 cannot make the log pipes\n".into());
                    return 125;
                };
                let _ = nix::unistd::dup2(out_w.as_raw_fd(), 1);
                let _ = nix::unistd::dup2(err_w.as_raw_fd(), 2);
                drop((out_w, err_w));
                (out_r, err_r)
            }
        };
        let pump_fds = [out_r.as_raw_fd(), err_r.as_raw_fd()];
        // `attach`: what clients type goes into this pipe, the container's
        // stdin (with -i; through the pty with -t).
        let open_stdin = self
            .containers
            .record(id)
            .map(|r| r.open_stdin)
            .unwrap_or(false);
        let mut input = None;
        if let Some(r) = &resume {
            // Fd 0 is the pipe's read end still.
            input = r.input.and_then(crate::runtime::adopt_fd);
        } else if open_stdin {
            if let Ok((in_r, in_w)) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC) {
                let _ = nix::unistd::dup2(in_r.as_raw_fd(), 0);
                input = Some(in_w);
            }
        }
        let input_fd = input.as_ref().map(|f| f.as_raw_fd());
        let clients: Clients = Default::default();
        let socket = self.attach_socket(id);
        let mut listener = match &resume {
            Some(r) => {
                if let Ok(mut list) = clients.lock() {
                    for c in r
                        .clients
                        .iter()
                        .filter_map(|c| crate::runtime::adopt_fd(*c))
                    {
                        list.push(std::os::unix::net::UnixStream::from(c));
                    }
                }
                r.listener
                    .and_then(crate::runtime::adopt_fd)
                    .map(std::os::unix::net::UnixListener::from)
            }
            None => {
                let _ = std::fs::remove_file(&socket);
                let l = std::os::unix::net::UnixListener::bind(&socket).ok();
                // Only root may attach: the socket is 0600 and each peer's
                // credentials are checked as it connects.
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600));
                l
            }
        };
        let listener_fd = listener.as_ref().map(|l| l.as_raw_fd());
        // `run -it`: the client attaches before the container starts.
        let mut first: Vec<std::os::unix::net::UnixStream> = Vec::new();
        // A resumed monitor serves the clients its predecessor had.
        if let Ok(list) = clients.lock() {
            first.extend(list.iter().filter_map(|c| c.try_clone().ok()));
        }
        if let (Some(l), Some(mut h)) = (&listener, ready_out.take()) {
            let _ = h.write_all(b"ready\n");
            let c = accept_within(l, Duration::from_secs(10));
            first.extend(c.as_ref().and_then(|c| c.try_clone().ok()));
            if let Some(c) = c {
                if let Ok(mut list) = clients.lock() {
                    list.push(c);
                }
            }
        }
        let mut pump = Some((out_r, err_r, writer));
        let (done_tx, done_rx) = std::sync::mpsc::channel::<(u64, Option<String>)>();
        // With a restart policy the pipes stay ours (the next run writes to
        // them too); with a tty, this process writes the pty's output to
        // them. Then the log is not waited for at each exit.
        let restarts = self
            .containers
            .record(id)
            .map(|r| r.restart.is_some() || r.tty)
            .unwrap_or(false);
        let mut started = |pid: i32, pty: Option<std::os::fd::OwnedFd>| {
            if !restarts {
                // Only the container writes to the pipes from now on.
                if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
                    let _ = nix::unistd::dup2(null.as_raw_fd(), 1);
                    let _ = nix::unistd::dup2(null.as_raw_fd(), 2);
                }
            }
            // HEALTHCHECK: a thread of ours runs it as `strata exec`.
            if let Some(check) = self
                .containers
                .record(id)
                .ok()
                .and_then(|r| super::health::check_of(r.config.healthcheck.as_ref()))
            {
                let (root, runroot, cid) =
                    (self.root.clone(), self.runroot.clone(), id.to_string());
                use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow};
                let mut old = SigSet::empty();
                let _ = pthread_sigmask(
                    SigmaskHow::SIG_SETMASK,
                    Some(&SigSet::all()),
                    Some(&mut old),
                );
                std::thread::spawn(move || super::health::run_loop(root, runroot, cid, check, pid));
                let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
            }
            if let Some((out_r, err_r, writer)) = pump.take() {
                let tx = done_tx.clone();
                let tap = clients.clone();
                std::thread::spawn(move || {
                    let w = copy_out(out_r, err_r, writer, &tap, None);
                    let _ = tx.send((w.dropped, w.error));
                });
                if let Some(l) = listener.take() {
                    let clients = clients.clone();
                    let input = input.take();
                    let first = std::mem::take(&mut first);
                    std::thread::spawn(move || serve_attach(l, clients, input, pid, pty, first));
                }
            }
            say("ok\n".into());
            // What the set-up allocated and freed goes back, and the code
            // and data only start-up used stop counting as its own: this
            // process lives as long as its container.
            crate::runtime::release_free_memory();
            crate::runtime::release_startup_pages();
        };
        let mut exited = || {
            if restarts {
                // What the pipes still hold is read by the running thread.
                std::thread::sleep(Duration::from_millis(50));
                return None;
            }
            // The output still in the pipes, then the exit: `logs -f` ends
            // when the state says exited, with every line in the file.
            match done_rx.recv_timeout(Duration::from_millis(500)) {
                Ok((n, Some(e))) if n > 0 => Some(format!("log: {n} line(s) dropped: {e}")),
                _ => None,
            }
        };
        let mut delay = Duration::from_millis(resume.as_ref().map_or(100, |r| r.delay_ms));
        let _socket = RemoveOnDrop(socket.clone());
        let began = Instant::now();
        let r = self.run_container(
            id,
            Watch {
                discard_output: false,
                kill_on_signal: false,
                started: &mut started,
                exited: &mut exited,
            },
        );
        let code = match r {
            Ok(code) => code,
            Err(e) => {
                say(format!("err {} {e}\n", e.exit_code()));
                return e.exit_code();
            }
        };
        // Attached clients learn the exit code from us: an --rm
        // container's state goes with it.
        if let Ok(mut list) = clients.lock() {
            let f = proto::number(proto::EXIT, code);
            list.retain_mut(|c| c.write_all(&f).is_ok());
        }
        // docker's restart policy, while this monitor lives.
        let (Ok(rec), Ok(st)) = (self.containers.record(id), self.containers.state(id)) else {
            return code;
        };
        let again = rec
            .restart
            .as_ref()
            .is_some_and(|p| p.restarts(code, st.restart_count, st.stopped_by_user));
        if !again {
            return code;
        }
        if began.elapsed() > Duration::from_secs(10) {
            delay = Duration::from_millis(100);
        }
        std::thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_secs(60));
        if let Ok(_g) = self.containers.lock(id) {
            if let Ok(mut st) = self.containers.state_locked(id) {
                if st.is_running() {
                    // Started by someone else meanwhile.
                    return code;
                }
                st.restart_count += 1;
                let _ = self.containers.set_state(id, &st);
            }
        }
        // This process has threads now (the log pump, the attach
        // server): it never clones again. It re-executes itself, a
        // fresh single-threaded monitor that keeps the pipes, the
        // socket and the attached clients (fds kept across the exec).
        let clients_fds: Vec<i32> = clients
            .lock()
            .map(|l| l.iter().map(|c| c.as_raw_fd()).collect())
            .unwrap_or_default();
        let r = Resume {
            out: pump_fds[0],
            err: pump_fds[1],
            input: input_fd,
            listener: listener_fd,
            clients: clients_fds,
            delay_ms: delay.as_millis() as u64,
        };
        // Returns only if the exec failed: then the container stays
        // exited, and says why.
        let err = self.reexec_monitor(id, &r);
        if let Ok(_g) = self.containers.lock(id) {
            if let Ok(mut st) = self.containers.state_locked(id) {
                st.error = format!("restart: {err}");
                let _ = self.containers.set_state(id, &st);
            }
        }
        code
    }

    /// Replaces this monitor with a fresh one (`__monitor --resume`).
    /// Returns only if the exec failed.
    fn reexec_monitor(&self, id: &str, r: &Resume) -> std::io::Error {
        use std::os::unix::process::CommandExt;
        for fd in r.fds() {
            let _ = nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
            );
        }
        let exe = match std::env::current_exe() {
            Ok(e) => e,
            Err(e) => return e,
        };
        std::process::Command::new(exe)
            .arg("--root")
            .arg(&self.root)
            .arg("--runroot")
            .arg(&self.runroot)
            .arg("__monitor")
            .arg("--resume")
            .arg(r.to_arg())
            .arg(id)
            .exec()
    }
}

/// Attached clients of a monitor: each gets every output chunk, framed.
pub(super) type Clients = std::sync::Arc<std::sync::Mutex<Vec<std::os::unix::net::UnixStream>>>;

/// What a monitor hands to the fresh copy of itself that restarts the
/// container: its fds by number (the log pipes' read ends, the stdin
/// pipe's write end, the attach socket, the attached clients) and the
/// restart delay. Fds 0, 1 and 2 (the pipes' other ends) stay as they are.
#[derive(Debug, Default, PartialEq)]
pub struct Resume {
    pub out: i32,
    pub err: i32,
    pub input: Option<i32>,
    pub listener: Option<i32>,
    pub clients: Vec<i32>,
    pub delay_ms: u64,
}

impl Resume {
    fn fds(&self) -> Vec<i32> {
        [self.out, self.err]
            .into_iter()
            .chain(self.input)
            .chain(self.listener)
            .chain(self.clients.iter().copied())
            .collect()
    }

    fn to_arg(&self) -> String {
        let opt = |o: Option<i32>| o.map_or("-".to_string(), |v| v.to_string());
        let clients: Vec<String> = self.clients.iter().map(|c| c.to_string()).collect();
        format!(
            "out={},err={},in={},listen={},clients={},delay={}",
            self.out,
            self.err,
            opt(self.input),
            opt(self.listener),
            clients.join("."),
            self.delay_ms
        )
    }

    fn parse(s: &str) -> Resume {
        let mut r = Resume::default();
        for kv in s.split(',') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let n = v.parse::<i32>().ok();
            match k {
                "out" => r.out = n.unwrap_or(-1),
                "err" => r.err = n.unwrap_or(-1),
                "in" => r.input = n,
                "listen" => r.listener = n,
                "clients" => r.clients = v.split('.').filter_map(|c| c.parse().ok()).collect(),
                "delay" => r.delay_ms = v.parse().unwrap_or(100),
                _ => {}
            }
        }
        r
    }
}

/// Removes a path when dropped (the attach socket, whatever happens).
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The first connection within `timeout`, if any.
fn accept_within(
    l: &std::os::unix::net::UnixListener,
    timeout: Duration,
) -> Option<std::os::unix::net::UnixStream> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(l.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::from(ms)) {
        Ok(n) if n > 0 => l.accept().ok().map(|(c, _)| c).filter(peer_is_ours),
        _ => None,
    }
}

/// Whether the process at the other end of an attach connection runs as
/// our own user (root): SO_PEERCRED, so a socket mode gone wrong (a umask
/// of 0) still lets nobody else in.
fn peer_is_ours(c: &std::os::unix::net::UnixStream) -> bool {
    use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
    getsockopt(c, PeerCredentials).is_ok_and(|cred| cred.uid() == nix::unistd::geteuid().as_raw())
}

/// Accepts attach clients. What they send, framed as the output is:
/// 0 input (to the container's stdin), 1 a window size (rows, cols as
/// u16), 2 a signal (i32) for the container's init.
fn serve_attach(
    listener: std::os::unix::net::UnixListener,
    clients: Clients,
    input: Option<std::os::fd::OwnedFd>,
    pid: i32,
    pty: Option<std::os::fd::OwnedFd>,
    first: Vec<std::os::unix::net::UnixStream>,
) {
    // Shared by the clients; `CLOSE_INPUT` takes it (the container sees
    // its stdin end).
    let input = std::sync::Arc::new(std::sync::Mutex::new(input.map(std::fs::File::from)));
    let pty = pty.map(std::sync::Arc::new);
    let later = listener.incoming().filter_map(|c| {
        let c = c.ok().filter(peer_is_ours)?;
        if let Ok(dup) = c.try_clone() {
            if let Ok(mut list) = clients.lock() {
                list.push(dup);
            }
        }
        Some(c)
    });
    // The first clients (of `run -it`, or a resumed monitor's) are in the
    // list already.
    for conn in first.into_iter().chain(later) {
        let (input, pty) = (input.clone(), pty.clone());
        std::thread::spawn(move || {
            let mut conn = conn;
            while let Ok(Some((kind, data))) = proto::read(&mut conn) {
                match kind {
                    proto::INPUT => {
                        if let Some(i) = input.lock().ok().as_ref().and_then(|i| i.as_ref()) {
                            let _ = (&*i).write_all(&data);
                        }
                    }
                    proto::CLOSE_INPUT => {
                        if let Ok(mut i) = input.lock() {
                            i.take();
                        }
                    }
                    proto::RESIZE => {
                        if let (Some(p), Some((rows, cols))) = (&pty, proto::as_size(&data)) {
                            crate::runtime::resize_pty(p, rows, cols);
                        }
                    }
                    proto::SIGNAL => {
                        if let Some(sig) = proto::as_number(&data)
                            .and_then(|n| nix::sys::signal::Signal::try_from(n).ok())
                        {
                            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig);
                        }
                    }
                    _ => {}
                }
            }
        });
    }
}

/// Copies the two pipes into the log (and to attached clients, and for a
/// foreground `run` each stream to a file as well) until both are closed.
pub(super) fn copy_out(
    out_r: std::os::fd::OwnedFd,
    err_r: std::os::fd::OwnedFd,
    mut writer: log::Writer,
    clients: &Clients,
    mut also: Option<[std::fs::File; 2]>,
) -> log::Writer {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let mut files = [
        Some(std::fs::File::from(out_r)),
        Some(std::fs::File::from(err_r)),
    ];
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let open: Vec<usize> = (0..2).filter(|i| files[*i].is_some()).collect();
        if open.is_empty() {
            break;
        }
        let mut fds: Vec<PollFd> = open
            .iter()
            .map(|i| PollFd::new(files[*i].as_ref().unwrap().as_fd(), PollFlags::POLLIN))
            .collect();
        match poll(&mut fds, PollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => break,
            Ok(_) => {}
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        drop(fds);
        for (k, i) in open.iter().enumerate() {
            if !ready[k] {
                continue;
            }
            let n = files[*i].as_mut().unwrap().read(&mut buf).unwrap_or(0);
            if n == 0 {
                files[*i] = None;
            } else {
                if let Some(files) = also.as_mut() {
                    let _ = files[*i].write_all(&buf[..n]);
                }
                writer.write(*i, &buf[..n], time::now_nanos());
                if let Ok(mut list) = clients.lock() {
                    let f = proto::frame(*i as u8 + proto::STDOUT, &buf[..n]);
                    list.retain_mut(|c| c.write_all(&f).is_ok());
                }
            }
        }
    }
    writer.flush(time::now_nanos());
    writer
}
