//! Containers that outlive the command: a monitor per container (the same
//! binary, `strata __monitor ID`, in a session of its own) starts it,
//! keeps its stdout and stderr in a json-lines log, and records its exit.
//! `stop`, `kill`, `wait` and `logs` work from any other strata process
//! through the container's state and log files.
//!
//! The handshake: the monitor's stdout is a pipe to the strata that
//! spawned it; it writes `ok` once the container runs, or `err CODE MSG`,
//! then never writes there again.

use super::attach_proto as proto;
use super::run::Watch;
use super::{Engine, Error, Result};
use crate::container::log;
use crate::util::time;
use std::io::{BufRead, Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// What `logs` is asked.
#[derive(Debug, Clone, Default)]
pub struct LogsRequest {
    pub follow: bool,
    /// Only the last N lines.
    pub tail: Option<usize>,
    pub timestamps: bool,
    /// Only entries at or after this time (nanoseconds since the epoch).
    pub since: Option<i128>,
    /// Only entries before this time; a follow ends there.
    pub until: Option<i128>,
    /// `--details`: the log's extra attributes before each line (none in
    /// a json-file log of strata's: a space, as docker prints it).
    pub details: bool,
}

impl Engine {
    /// Starts container `id` in the background under a monitor; returns
    /// once it runs (or failed to start, with docker's exit code).
    pub fn start_detached(&self, id: &str) -> Result<()> {
        let (mut child, mut lines) = self.spawn_monitor(id, false)?;
        self.monitor_started(id, &mut child, &mut lines)
    }

    /// `run -it`: the container under a monitor, and us attached to it
    /// before it starts (nothing it prints is missed). `None` when the
    /// detach keys were typed.
    pub fn run_attached(
        &self,
        id: &str,
        detach_keys: &[u8],
        out: &mut dyn FnMut(u8, &[u8]),
    ) -> Result<Option<i32>> {
        let (mut child, mut lines) = self.spawn_monitor(id, true)?;
        let mut ready = String::new();
        let _ = lines.read_line(&mut ready);
        let conn = if ready.trim_end() == "ready" {
            std::os::unix::net::UnixStream::connect(self.attach_socket(id)).ok()
        } else {
            None
        };
        self.monitor_started(id, &mut child, &mut lines)?;
        let Some(conn) = conn else {
            return Ok(Some(self.wait(id)?));
        };
        let rec = self.containers.record(id)?;
        self.attach_conn(id, &rec, conn, detach_keys, (true, true), out)
    }

    fn spawn_monitor(
        &self,
        id: &str,
        attach_first: bool,
    ) -> Result<(
        std::process::Child,
        std::io::BufReader<std::process::ChildStdout>,
    )> {
        let exe = std::env::current_exe().map_err(|err| Error::Io {
            what: "find the strata binary".into(),
            err,
        })?;
        let mut cmd = std::process::Command::new(exe);
        cmd.arg("--root")
            .arg(&self.root)
            .arg("--runroot")
            .arg(&self.runroot)
            .arg("__monitor");
        if attach_first {
            cmd.arg("--attach-first");
        }
        let mut child = cmd
            .arg(id)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|err| Error::Io {
                what: "start the monitor".into(),
                err,
            })?;
        let out = child.stdout.take().expect("piped");
        Ok((child, std::io::BufReader::new(out)))
    }

    /// Reads the monitor's `ok` / `err CODE MSG`.
    fn monitor_started(
        &self,
        id: &str,
        child: &mut std::process::Child,
        lines: &mut std::io::BufReader<std::process::ChildStdout>,
    ) -> Result<()> {
        let mut line = String::new();
        let _ = lines.read_line(&mut line);
        // The monitor lives on; it is not ours to wait for (init reaps it
        // once we exit).
        match line.trim_end().split_once(' ') {
            None if line.trim_end() == "ok" => Ok(()),
            Some(("err", rest)) => {
                let (code, msg) = rest.split_once(' ').unwrap_or(("125", rest));
                Err(Error::Started {
                    code: code.parse().unwrap_or(125),
                    message: msg.to_string(),
                })
            }
            _ => {
                let _ = child.wait();
                Err(Error::Invalid(format!(
                    "the monitor of container {} died before the container started",
                    &id[..12]
                )))
            }
        }
    }

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

    /// `stop`: the container's stop signal (default SIGTERM), then SIGKILL
    /// after `timeout`; returns once it has exited.
    /// `timeout`: None for the container's `--stop-timeout` (else 10 s);
    /// `signal`: None for its stop signal (`--stop-signal`, the image's
    /// STOPSIGNAL, else SIGTERM).
    pub fn stop(&self, name: &str, timeout: Option<Duration>, signal: Option<&str>) -> Result<()> {
        let given = match signal {
            Some(s) => Some(
                parse_signal(s).ok_or_else(|| Error::Invalid(format!("Invalid signal: {s}")))?,
            ),
            None => None,
        };
        let id = self.containers.resolve(name)?;
        self.thaw_abandoned(&id);
        let st = self.containers.state(&id)?;
        if !st.is_running() {
            return Ok(());
        }
        if st.paused {
            // A frozen process would not see the signal.
            self.unpause(&id)?;
        }
        self.mark_stopped_by_user(&id);
        let rec = self.containers.record(&id)?;
        let timeout =
            timeout.unwrap_or_else(|| Duration::from_secs(rec.stop_timeout.unwrap_or(10)));
        let sig = given.unwrap_or_else(|| {
            parse_signal(rec.config.stop_signal.as_deref().unwrap_or("SIGTERM"))
                .unwrap_or(nix::sys::signal::Signal::SIGTERM)
        });
        let pid = nix::unistd::Pid::from_raw(st.pid);
        let _ = nix::sys::signal::kill(pid, sig);
        self.container_event(&id, "kill", &[("signal", &(sig as i32).to_string())]);
        if !self.wait_exit(&id, timeout) {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            self.container_event(&id, "kill", &[("signal", "9")]);
            self.wait_exit(&id, Duration::from_secs(10));
        }
        self.container_event(&id, "stop", &[]);
        Ok(())
    }

    /// `kill -s SIG`.
    pub fn kill(&self, name: &str, signal: &str) -> Result<()> {
        let id = self.containers.resolve(name)?;
        self.thaw_abandoned(&id);
        let sig = parse_signal(signal)
            .ok_or_else(|| Error::Invalid(format!("Invalid signal: {signal}")))?;
        let st = self.containers.state(&id)?;
        if !st.can_signal() {
            return Err(Error::Conflict(format!(
                "Cannot kill container: {name}: Container {} is not running",
                &id[..12]
            )));
        }
        if matches!(
            sig,
            nix::sys::signal::Signal::SIGKILL | nix::sys::signal::Signal::SIGTERM
        ) {
            self.mark_stopped_by_user(&id);
        }
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(st.pid), sig)
            .map_err(|e| Error::Conflict(format!("Cannot kill container: {name}: {}", e.desc())))?;
        self.container_event(&id, "kill", &[("signal", &(sig as i32).to_string())]);
        Ok(())
    }

    /// `wait`: blocks until the container is not running; its exit code.
    pub fn wait(&self, name: &str) -> Result<i32> {
        let id = self.containers.resolve(name)?;
        loop {
            match self.containers.state(&id) {
                Ok(st) if st.is_running() => {}
                Ok(st) => return Ok(st.exit_code),
                // Removed meanwhile (--rm): its code is gone with it.
                Err(_) => return Ok(0),
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Its restart policy will not start it again.
    fn mark_stopped_by_user(&self, id: &str) {
        if let Ok(_g) = self.containers.lock(id) {
            if let Ok(mut st) = self.containers.state_locked(id) {
                if st.is_running() {
                    st.stopped_by_user = true;
                    let _ = self.containers.set_state(id, &st);
                }
            }
        }
    }

    /// Polls until container `id` no longer runs; false on timeout.
    fn wait_exit(&self, id: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            match self.containers.state(id) {
                Ok(st) if st.is_running() => {}
                _ => return true,
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// `logs`: the container's log, to `out(stream, text)`; with `follow`,
    /// until the container exits.
    pub fn logs(
        &self,
        name: &str,
        req: &LogsRequest,
        out: &mut dyn FnMut(&str, &str),
    ) -> Result<()> {
        let id = self.containers.resolve(name)?;
        let path = self.containers.log_path(&id);
        let show = |e: &log::Entry, out: &mut dyn FnMut(&str, &str)| {
            let t = time::parse_rfc3339(&e.time);
            if let (Some(since), Some(t)) = (req.since, t) {
                if t < since {
                    return;
                }
            }
            if let (Some(until), Some(t)) = (req.until, t) {
                if t > until {
                    return;
                }
            }
            let details = if req.details { " " } else { "" };
            if req.timestamps {
                out(&e.stream, &format!("{} {details}{}", e.time, e.log));
            } else {
                out(&e.stream, &format!("{details}{}", e.log));
            }
        };
        let data = std::fs::read(&path).unwrap_or_default();
        let (entries, mut offset) = log::parse(&data);
        let skip = req
            .tail
            .map(|n| entries.len().saturating_sub(n))
            .unwrap_or(0);
        for e in &entries[skip..] {
            show(e, out);
        }
        if !req.follow {
            return Ok(());
        }
        loop {
            let running = matches!(self.containers.state(&id), Ok(st) if st.is_running());
            let mut f = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(_) => return Ok(()),
            };
            let mut data = Vec::new();
            use std::io::Seek;
            if f.seek(std::io::SeekFrom::Start(offset as u64)).is_ok() {
                let _ = f.read_to_end(&mut data);
            }
            let (entries, used) = log::parse(&data);
            offset += used;
            for e in &entries {
                show(e, out);
            }
            if !running || req.until.is_some_and(|u| time::now_nanos() > u) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Attached clients of a monitor: each gets every output chunk, framed.
type Clients = std::sync::Arc<std::sync::Mutex<Vec<std::os::unix::net::UnixStream>>>;

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
    let input = input.map(|fd| std::sync::Arc::new(std::fs::File::from(fd)));
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
                        if let Some(i) = &input {
                            let _ = (&**i).write_all(&data);
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
fn copy_out(
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

/// `SIGTERM`, `TERM`, `15`.
pub fn parse_signal(s: &str) -> Option<nix::sys::signal::Signal> {
    use std::str::FromStr;
    if let Ok(n) = s.parse::<i32>() {
        return nix::sys::signal::Signal::try_from(n).ok();
    }
    let up = s.to_uppercase();
    let name = if up.starts_with("SIG") {
        up
    } else {
        format!("SIG{up}")
    };
    nix::sys::signal::Signal::from_str(&name).ok()
}

impl Engine {
    /// A container's full ID from a name, ID or unique prefix.
    pub fn resolve_container(&self, name: &str) -> Result<String> {
        Ok(self.containers.resolve(name)?)
    }
}

/// What `exec` is asked.
#[derive(Debug, Clone, Default)]
pub struct ExecRequest {
    pub cmd: Vec<String>,
    /// `-e` values, added to the container's env.
    pub env: Vec<String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
    pub tty: bool,
    pub interactive: bool,
    pub detach: bool,
    /// `--privileged`: every capability, no seccomp filter.
    pub privileged: bool,
}

impl Engine {
    /// `exec`: a process in a running container's namespaces and cgroup,
    /// with its env and user; returns its exit code (`detach`: at once).
    pub fn exec(&self, name: &str, req: &ExecRequest) -> Result<i32> {
        let id = self.containers.resolve(name)?;
        self.thaw_abandoned(&id);
        let st = self.containers.state(&id)?;
        if !st.can_signal() {
            return Err(Error::Conflict(format!(
                "Container {} is not running",
                &id[..12]
            )));
        }
        let rec = self.containers.record(&id)?;
        let mut env = vec![format!("HOSTNAME={}", rec.hostname)];
        if req.tty {
            env.push("TERM=xterm".into());
        }
        let env = super::run::merge_env(&env, rec.config.env.as_deref().unwrap_or_default());
        let env = super::run::merge_env(&env, &req.env);
        if let Some(w) = &req.workdir {
            super::run::check_workdir(w)?;
        }
        let mut spec = crate::runtime::Spec {
            links_dir: Default::default(),
            lowers: Vec::new(),
            upper: Default::default(),
            work: Default::default(),
            rootfs: Default::default(),
            argv: req.cmd.clone(),
            env,
            cwd: req
                .workdir
                .clone()
                .or_else(|| rec.config.working_dir.clone())
                .unwrap_or_default(),
            user: req
                .user
                .clone()
                .or_else(|| rec.config.user.clone())
                .unwrap_or_default(),
            hostname: rec.hostname.clone(),
            tty: req.tty,
            stdin: req.interactive,
            network: crate::runtime::Network::Host,
            etc_files: Vec::new(),
            binds: Vec::new(),
            cgroups: crate::runtime::cgroup::dirs(&id)
                .into_iter()
                .filter(|d| d.is_dir())
                .collect(),
            discard_output: req.detach,
            kill_on_signal: false,
            join: Some(st.pid),
            caps: 0,
            seccomp: None,
            no_new_privs: false,
            privileged: false,
            devices: Vec::new(),
            // An exec's process has the container's rlimits (nothing is mounted).
            limits: crate::runtime::limits::ProcessLimits {
                rlimits: super::run::process_limits(&rec.limits).rlimits,
                ..Default::default()
            },
            cgroup_limits: None,
        };
        self.apply_security(&rec.security, &mut spec, req.privileged)?;
        // The container's /dev is made already: exec makes no nodes.
        spec.devices.clear();
        let started = crate::runtime::start_with(&spec, &mut |_| Ok(()))?;
        if req.detach {
            // Its parent gone, the container's init adopts it.
            return Ok(0);
        }
        Ok(started.supervise()?.code())
    }
}

impl Engine {
    /// `pause`: freezes every process of the container (its cgroup).
    pub fn pause(&self, name: &str) -> Result<()> {
        self.set_paused(name, true)
    }

    /// `unpause`.
    pub fn unpause(&self, name: &str) -> Result<()> {
        self.set_paused(name, false)
    }

    fn set_paused(&self, name: &str, pause: bool) -> Result<()> {
        let id = self.containers.resolve(name)?;
        self.thaw_abandoned(&id);
        let _lock = self.containers.lock(&id)?;
        let mut st = self.containers.state_locked(&id)?;
        let short = &id[..12];
        if !st.can_pause(pause) && !st.is_running() {
            return Err(Error::Conflict(format!("Container {short} is not running")));
        }
        if !st.can_pause(pause) {
            return Err(Error::Conflict(if pause {
                format!("Container {short} is already paused")
            } else {
                format!("Container {short} is not paused")
            }));
        }
        let r = if pause {
            crate::runtime::cgroup::freeze(&id)
        } else {
            crate::runtime::cgroup::thaw(&id)
        };
        r.map_err(|err| Error::Io {
            what: format!(
                "{} container {short}",
                if pause { "pause" } else { "unpause" }
            ),
            err,
        })?;
        st.paused = pause;
        self.containers.set_state(&id, &st)?;
        self.container_event(&id, if pause { "pause" } else { "unpause" }, &[]);
        Ok(())
    }

    /// `restart`: stop (with the timeout), then start in the background.
    pub fn restart(
        &self,
        name: &str,
        timeout: Option<Duration>,
        signal: Option<&str>,
    ) -> Result<()> {
        let id = self.containers.resolve(name)?;
        self.stop(&id, timeout, signal)?;
        self.start_detached(&id)
    }
}

impl Engine {
    /// Where a detached container's monitor serves `attach`.
    fn attach_socket(&self, id: &str) -> std::path::PathBuf {
        self.runroot.join(format!("{}.attach", &id[..12]))
    }

    /// `attach`: the container's output to `out(stream, bytes)` and our
    /// stdin to its input, until it exits (its exit code) or the detach
    /// keys are typed (`None`; the container keeps running).
    /// `attach`; `stdin`: our input goes to the container (not with
    /// `--no-stdin`); `sig_proxy`: the signals we get go to it (not with
    /// `--sig-proxy=false`).
    pub fn attach_with(
        &self,
        name: &str,
        detach_keys: &[u8],
        stdin: bool,
        sig_proxy: bool,
        out: &mut dyn FnMut(u8, &[u8]),
    ) -> Result<Option<i32>> {
        let id = self.containers.resolve(name)?;
        let st = self.containers.state(&id)?;
        if !st.can_signal() {
            return Err(Error::Conflict(
                "You cannot attach to a stopped container, start it first".into(),
            ));
        }
        let rec = self.containers.record(&id)?;
        let conn =
            std::os::unix::net::UnixStream::connect(self.attach_socket(&id)).map_err(|_| {
                Error::Conflict(format!(
                    "container {} runs in the foreground of another strata: it cannot be attached",
                    &id[..12]
                ))
            })?;
        self.attach_conn(&id, &rec, conn, detach_keys, (stdin, sig_proxy), out)
    }

    /// The attach client on a connection to the monitor.
    fn attach_conn(
        &self,
        id: &str,
        rec: &crate::container::Record,
        mut conn: std::os::unix::net::UnixStream,
        detach_keys: &[u8],
        (stdin, sig_proxy): (bool, bool),
        out: &mut dyn FnMut(u8, &[u8]),
    ) -> Result<Option<i32>> {
        let on_terminal = rec.tty && crate::runtime::stdin_is_tty() && stdin;
        let _raw = if on_terminal {
            crate::runtime::TerminalGuard::raw(0)
        } else {
            None
        };
        // Our window size follows to its pty; without a tty, the signals we
        // get go to its init (docker's sig-proxy).
        {
            use nix::sys::signal::Signal::*;
            let mut mask = nix::sys::signal::SigSet::empty();
            if on_terminal {
                mask.add(SIGWINCH);
                if let Some((r, c)) = crate::runtime::window_size(0) {
                    let _ = conn.write_all(&proto::resize(r, c));
                }
            } else if !rec.tty && sig_proxy {
                for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2] {
                    mask.add(sig);
                }
            }
            if mask != nix::sys::signal::SigSet::empty() {
                let _ = mask.thread_block();
                if let (Ok(fd), Ok(mut to)) =
                    (nix::sys::signalfd::SignalFd::new(&mask), conn.try_clone())
                {
                    std::thread::spawn(move || {
                        while let Ok(Some(info)) = fd.read_signal() {
                            let sig = info.ssi_signo as i32;
                            let f = if sig == libc::SIGWINCH {
                                match crate::runtime::window_size(0) {
                                    Some((r, c)) => proto::resize(r, c),
                                    None => continue,
                                }
                            } else {
                                proto::number(proto::SIGNAL, sig)
                            };
                            if to.write_all(&f).is_err() {
                                return;
                            }
                        }
                    });
                }
            }
        }
        // Our stdin to the container, watching for the detach keys.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        if rec.open_stdin && stdin {
            let mut to = conn.try_clone().map_err(|err| Error::Io {
                what: "attach".into(),
                err,
            })?;
            let keys = detach_keys.to_vec();
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                let mut matched = 0;
                let mut stdin = std::io::stdin();
                loop {
                    let n = match stdin.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    for &b in &buf[..n] {
                        if !keys.is_empty() && b == keys[matched] {
                            matched += 1;
                            if matched == keys.len() {
                                let _ = tx.send(());
                                let _ = to.shutdown(std::net::Shutdown::Both);
                                return;
                            }
                            continue;
                        }
                        if matched > 0 {
                            let _ = to.write_all(&proto::frame(proto::INPUT, &keys[..matched]));
                            matched = 0;
                        }
                        if to.write_all(&proto::frame(proto::INPUT, &[b])).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        // Its output to us, frame by frame, until the monitor says how it
        // ended (or goes).
        let mut code = None;
        while let Ok(Some((kind, data))) = proto::read(&mut conn) {
            if kind == proto::EXIT {
                code = proto::as_number(&data);
                break;
            }
            out(kind, &data);
        }
        if rx.try_recv().is_ok() {
            return Ok(None);
        }
        match code {
            Some(c) => Ok(Some(c)),
            None => Ok(Some(self.wait(id)?)),
        }
    }
}

impl Engine {
    /// `run` in the foreground without a tty: the container's stdout and
    /// stderr go through pipes that a thread copies to ours and into its
    /// json-file log, as docker's do (so `logs` shows them afterwards).
    /// `run -a STDOUT/-a STDERR`: only the streams attached reach our
    /// terminal (both are logged).
    pub fn run_foreground_attached(&self, id: &str, stdout: bool, stderr: bool) -> Result<i32> {
        use nix::fcntl::OFlag;
        use std::os::fd::{AsFd, AsRawFd};
        let rec = self.containers.record(id)?;
        let writer = match (rec.tty, log::Writer::open(&self.containers.log_path(id))) {
            (false, Ok(w)) => w,
            _ => return self.run_foreground(id),
        };
        // Our own stdout and stderr, kept (close-on-exec) to copy to.
        let (Ok(saved_out), Ok(saved_err)) = (
            std::io::stdout().as_fd().try_clone_to_owned(),
            std::io::stderr().as_fd().try_clone_to_owned(),
        ) else {
            return self.run_foreground(id);
        };
        let pipes = nix::unistd::pipe2(OFlag::O_CLOEXEC)
            .and_then(|o| nix::unistd::pipe2(OFlag::O_CLOEXEC).map(|e| (o, e)));
        let Ok(((out_r, out_w), (err_r, err_w))) = pipes else {
            return self.run_foreground(id);
        };
        let null = || std::fs::OpenOptions::new().write(true).open("/dev/null");
        let files = (
            if stdout {
                saved_out.try_clone().map(std::fs::File::from)
            } else {
                null()
            },
            if stderr {
                saved_err.try_clone().map(std::fs::File::from)
            } else {
                null()
            },
        );
        let (Ok(out_copy), Ok(err_copy)) = files else {
            return self.run_foreground(id);
        };
        // The container inherits fds 1 and 2: now the pipes' write ends.
        let _ = nix::unistd::dup2(out_w.as_raw_fd(), 1);
        let _ = nix::unistd::dup2(err_w.as_raw_fd(), 2);
        drop((out_w, err_w));
        // The copier starts once the container has exec'd: a clone taken
        // while another thread holds a lock (malloc's) could hang on it.
        // It takes no signal: the supervisor's signalfd must get every
        // SIGCHLD and forwarded signal, and a thread starts with the mask
        // of the one that makes it.
        let mut pending = Some((out_r, err_r, writer, out_copy, err_copy));
        let mut copier = None;
        // A HEALTHCHECK runs for a foreground container too, as docker's.
        let mut check = super::health::check_of(rec.config.healthcheck.as_ref());
        let (root, runroot, cid) = (self.root.clone(), self.runroot.clone(), id.to_string());
        let mut start_copier = |pid: i32, _: Option<std::os::fd::OwnedFd>| {
            use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow};
            let Some((out_r, err_r, writer, out_copy, err_copy)) = pending.take() else {
                return;
            };
            let mut old = SigSet::empty();
            let _ = pthread_sigmask(
                SigmaskHow::SIG_SETMASK,
                Some(&SigSet::all()),
                Some(&mut old),
            );
            copier = Some(std::thread::spawn(move || {
                let clients = Clients::default();
                copy_out(out_r, err_r, writer, &clients, Some([out_copy, err_copy]));
            }));
            if let Some(c) = check.take() {
                let (root, runroot, cid) = (root.clone(), runroot.clone(), cid.clone());
                std::thread::spawn(move || super::health::run_loop(root, runroot, cid, c, pid));
            }
            let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
        };
        let result = self.run_container(
            id,
            super::run::Watch {
                discard_output: false,
                kill_on_signal: false,
                started: &mut start_copier,
                exited: &mut || None,
            },
        );
        // Ours again; the pipes end when the container's last writer goes.
        let _ = nix::unistd::dup2(saved_out.as_raw_fd(), 1);
        let _ = nix::unistd::dup2(saved_err.as_raw_fd(), 2);
        if let Some(c) = copier {
            let _ = c.join();
        }
        result
    }
}
