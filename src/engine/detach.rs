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
use super::monitor::{copy_out, Clients};
use super::{Engine, Error, Result};
use crate::container::log;
use crate::util::time;
use std::io::{BufRead, Read, Write};
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

    /// `start` for the API's attach that came first (docker run attaches,
    /// then starts): the monitor waits for our connection before it
    /// starts the container, so nothing it prints is missed. The
    /// connection speaks `attach_proto`; `None` if the monitor did not
    /// offer one.
    pub fn start_with_first_attach(
        &self,
        id: &str,
    ) -> Result<Option<std::os::unix::net::UnixStream>> {
        let (mut child, mut lines) = self.spawn_monitor(id, true)?;
        let mut ready = String::new();
        let _ = lines.read_line(&mut ready);
        let conn = if ready.trim_end() == "ready" {
            std::os::unix::net::UnixStream::connect(self.attach_socket(id)).ok()
        } else {
            None
        };
        self.monitor_started(id, &mut child, &mut lines)?;
        Ok(conn)
    }

    /// A connection to a running container's monitor (the API's attach
    /// and resize), speaking `attach_proto`.
    pub fn attach_connection(&self, id: &str) -> Result<std::os::unix::net::UnixStream> {
        std::os::unix::net::UnixStream::connect(self.attach_socket(id)).map_err(|_| {
            Error::Conflict(format!(
                "container {} runs in the foreground of another strata: it cannot be attached",
                &id[..12.min(id.len())]
            ))
        })
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
            .arg("__monitor")
            // It (and a restart's re-exec) must not make a store that was
            // removed under it.
            .env("STRATA_EXISTING_STORE", "1");
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
        let since = crate::util::time::now_nanos() - 1_000_000_000;
        loop {
            match self.containers.state(&id) {
                Ok(st) if st.is_running() => {}
                Ok(st) => return Ok(st.exit_code),
                // Removed meanwhile (--rm): its code is in the journal's
                // `die`, as docker's wait reports it.
                Err(_) => return Ok(self.last_exit_code(&id, since).unwrap_or(0)),
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
    /// until the container exits (or `out` returns false: its reader left).
    pub fn logs(
        &self,
        name: &str,
        req: &LogsRequest,
        out: &mut dyn FnMut(&str, &str) -> bool,
    ) -> Result<()> {
        self.open_log(name)?.read(req, out)
    }

    /// A container's log, opened now: what is read through it later
    /// includes the last lines of a container removed in between (docker-py's
    /// `run(remove=True)` asks for the log, waits, removes, then reads).
    pub fn open_log(&self, name: &str) -> Result<OpenLog<'_>> {
        let id = self.containers.resolve(name)?;
        let path = self.containers.log_path(&id);
        let file = std::fs::File::open(&path).ok();
        Ok(OpenLog {
            engine: self,
            id,
            path,
            file,
        })
    }
}

/// A container's log file, held open (see [`Engine::open_log`]).
pub struct OpenLog<'a> {
    engine: &'a Engine,
    id: String,
    path: std::path::PathBuf,
    file: Option<std::fs::File>,
}

impl OpenLog<'_> {
    /// The log to `out(stream, text)`; with `follow`, until the container
    /// exits (or `out` returns false: its reader left).
    pub fn read(
        mut self,
        req: &LogsRequest,
        out: &mut dyn FnMut(&str, &str) -> bool,
    ) -> Result<()> {
        let (id, path) = (self.id.clone(), self.path.clone());
        let show = |e: &log::Entry, out: &mut dyn FnMut(&str, &str) -> bool| -> bool {
            let t = time::parse_rfc3339(&e.time);
            if let (Some(since), Some(t)) = (req.since, t) {
                if t < since {
                    return true;
                }
            }
            if let (Some(until), Some(t)) = (req.until, t) {
                if t > until {
                    return true;
                }
            }
            let details = if req.details { " " } else { "" };
            if req.timestamps {
                out(&e.stream, &format!("{} {details}{}", e.time, e.log))
            } else {
                out(&e.stream, &format!("{details}{}", e.log))
            }
        };
        let mut file = self.file.take();
        let mut data = Vec::new();
        if let Some(f) = file.as_mut() {
            let _ = f.read_to_end(&mut data);
        }
        let (entries, mut offset) = log::parse(&data);
        let skip = req
            .tail
            .map(|n| entries.len().saturating_sub(n))
            .unwrap_or(0);
        for e in &entries[skip..] {
            if !show(e, out) {
                return Ok(());
            }
        }
        if !req.follow {
            return Ok(());
        }
        loop {
            let running = matches!(self.engine.containers.state(&id), Ok(st) if st.is_running());
            if file.is_none() {
                file = std::fs::File::open(&path).ok();
            }
            let Some(f) = file.as_mut() else {
                if running {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                return Ok(());
            };
            // What was read but not yet a whole line stays in `data`.
            data.drain(..offset.min(data.len()));
            offset = 0;
            let _ = f.read_to_end(&mut data);
            let (entries, used) = log::parse(&data);
            offset += used;
            for e in &entries {
                if !show(e, out) {
                    return Ok(());
                }
            }
            if !running || req.until.is_some_and(|u| time::now_nanos() > u) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
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
    /// A container's state as its store has it now.
    pub fn container_state(&self, id: &str) -> Result<crate::container::State> {
        Ok(self.containers.state(id)?)
    }

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
        let (process, launch) = self.exec_process(&rec, req, &env)?;
        let started = crate::runtime::exec(process, st.pid, launch)?;
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
    pub(super) fn attach_socket(&self, id: &str) -> std::path::PathBuf {
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
