//! `strata serve`: the Docker Engine API (1.41) on a unix socket (and TCP
//! when asked), so the docker CLI, docker-compose and the SDKs drive the
//! same store as strata's own CLI. A front end beside `cli/`: it turns
//! requests into engine calls and engine results into docker's JSON.
//!
//! One thread per connection; the engine is shared (it is `Send + Sync`).
//! What needs a container process or a view of its files (exec, build
//! steps, cp, export) runs in a strata child process, as a detached
//! container's monitor already does: the runtime's clone and fork must
//! not happen in a process with other threads.

mod containers;
mod create;
mod exec;
mod http;
mod images;
mod objects;
mod streams;
mod system;

use crate::engine::{self, Engine, ErrorKind};
use http::{Conn, ReadError, Request, Stream};
use std::collections::HashMap;
use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The API version advertised, and the oldest one taken.
pub const API_VERSION: &str = "1.41";
pub const MIN_API_VERSION: &str = "1.24";

/// Where `serve` listens.
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    Unix(PathBuf),
    Tcp(String),
}

impl Endpoint {
    /// `unix:///path`, `tcp://HOST:PORT` (docker's `-H`).
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        if let Some(p) = s.strip_prefix("unix://") {
            if p.is_empty() {
                return Err(format!("invalid host {s}: no socket path"));
            }
            return Ok(Endpoint::Unix(PathBuf::from(p)));
        }
        if let Some(a) = s.strip_prefix("tcp://") {
            let a = a.trim_end_matches('/');
            if !a.contains(':') {
                return Err(format!("invalid host {s}: no port"));
            }
            return Ok(Endpoint::Tcp(a.to_string()));
        }
        Err(format!(
            "invalid host {s}: use unix:///PATH or tcp://HOST:PORT"
        ))
    }
}

/// An error before a response started: its HTTP status and message.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(400, message)
    }
}

/// A write to a client that went away (the answer is never read).
pub fn gone(_: std::io::Error) -> ApiError {
    ApiError::new(500, "client went away")
}

/// The one table from the engine's kinds of failure to HTTP statuses.
pub fn status_of(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::NotFound => 404,
        ErrorKind::Conflict => 409,
        ErrorKind::Invalid => 400,
        ErrorKind::Unauthorized => 401,
        ErrorKind::Internal => 500,
    }
}

impl From<engine::Error> for ApiError {
    fn from(e: engine::Error) -> ApiError {
        ApiError::new(status_of(e.kind()), e.to_string())
    }
}

/// How a handler answered.
pub enum Reply {
    Json(u16, serde_json::Value),
    Empty(u16),
    /// The handler wrote its response (a stream, a file); the connection
    /// may serve another request.
    Written,
    /// The connection was hijacked or ended: no more requests on it.
    Closed,
}

pub type Handled = Result<Reply, ApiError>;

/// An exec made by `POST /containers/{id}/exec`, until its process ends.
#[derive(Debug, Clone)]
pub struct ExecEntry {
    pub id: String,
    pub container: String,
    pub cmd: Vec<String>,
    pub tty: bool,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub env: Vec<String>,
    pub user: String,
    pub workdir: String,
    pub privileged: bool,
    pub running: bool,
    pub exit_code: Option<i32>,
    pub pid: i32,
    /// The pty of a running tty exec, for its resize.
    pub pty: Option<Arc<OwnedFd>>,
}

/// What the connections share.
pub struct Server {
    pub engine: Engine,
    pub settings: engine::Settings,
    /// `attach` requests waiting for their container's start (docker run
    /// attaches, then starts): the start hands each one its monitor
    /// connection.
    pending: Mutex<HashMap<String, Vec<std::sync::mpsc::Sender<std::os::unix::net::UnixStream>>>>,
    pub execs: Mutex<HashMap<String, ExecEntry>>,
    stopping: AtomicBool,
    in_flight: AtomicUsize,
}

impl Server {
    /// Registers an attach that waits for the container's start.
    pub fn wait_for_start(
        &self,
        id: &str,
    ) -> std::sync::mpsc::Receiver<std::os::unix::net::UnixStream> {
        let (tx, rx) = std::sync::mpsc::channel();
        if let Ok(mut p) = self.pending.lock() {
            p.entry(id.to_string()).or_default().push(tx);
        }
        rx
    }

    /// Whether attaches wait for container `id` that no start has taken.
    pub fn still_waiting(&self, id: &str) -> bool {
        self.pending
            .lock()
            .map(|p| p.contains_key(id))
            .unwrap_or(false)
    }

    /// The attaches waiting for container `id`, taken.
    pub fn take_pending(
        &self,
        id: &str,
    ) -> Vec<std::sync::mpsc::Sender<std::os::unix::net::UnixStream>> {
        self.pending
            .lock()
            .ok()
            .and_then(|mut p| p.remove(id))
            .unwrap_or_default()
    }
}

/// Runs the server until SIGTERM or SIGINT: in-flight requests finish
/// (up to 10 s), containers keep running.
pub fn serve(settings: engine::Settings, hosts: &[Endpoint]) -> Result<(), String> {
    // systemd's fds first: nothing of ours may take their numbers.
    let listeners = listen(&settings, hosts)?;
    use nix::sys::signal::{SigSet, Signal};
    // The signals are read from a signalfd; every thread inherits the mask.
    let mut mask = SigSet::empty();
    mask.add(Signal::SIGTERM);
    mask.add(Signal::SIGINT);
    mask.add(Signal::SIGPIPE);
    mask.thread_block()
        .map_err(|e| format!("block signals: {e}"))?;
    let sigfd = nix::sys::signalfd::SignalFd::with_flags(
        &{
            let mut m = SigSet::empty();
            m.add(Signal::SIGTERM);
            m.add(Signal::SIGINT);
            m
        },
        nix::sys::signalfd::SfdFlags::SFD_CLOEXEC,
    )
    .map_err(|e| format!("signalfd: {e}"))?;
    let engine = Engine::open(settings.clone(), Box::new(|_| {})).map_err(|e| e.to_string())?;
    engine.quiet();
    let server = Arc::new(Server {
        engine,
        settings,
        pending: Mutex::new(HashMap::new()),
        execs: Mutex::new(HashMap::new()),
        stopping: AtomicBool::new(false),
        in_flight: AtomicUsize::new(0),
    });
    loop {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        let mut fds: Vec<PollFd> = listeners
            .iter()
            .map(|l| PollFd::new(l.fd(), PollFlags::POLLIN))
            .collect();
        fds.push(PollFd::new(sigfd.as_fd(), PollFlags::POLLIN));
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(format!("poll: {e}")),
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        drop(fds);
        if ready[listeners.len()] {
            break;
        }
        for (i, l) in listeners.iter().enumerate() {
            if !ready[i] {
                continue;
            }
            let Some(stream) = l.accept() else { continue };
            let server = server.clone();
            std::thread::spawn(move || connection(&server, stream));
        }
    }
    // Graceful: no new connections; what is in flight finishes.
    server.stopping.store(true, Ordering::SeqCst);
    for l in &listeners {
        l.remove();
    }
    drop(listeners);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.in_flight.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Ok(())
}

enum Listener {
    Unix(std::os::unix::net::UnixListener, Option<PathBuf>),
    Tcp(std::net::TcpListener),
}

impl Listener {
    fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        match self {
            Listener::Unix(l, _) => l.as_fd(),
            Listener::Tcp(l) => l.as_fd(),
        }
    }

    fn accept(&self) -> Option<Stream> {
        match self {
            Listener::Unix(l, _) => l.accept().ok().map(|(s, _)| Stream::Unix(s)),
            Listener::Tcp(l) => l.accept().ok().map(|(s, _)| {
                let _ = s.set_nodelay(true);
                Stream::Tcp(s)
            }),
        }
    }

    fn remove(&self) {
        if let Listener::Unix(_, Some(p)) = self {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The listeners: systemd's (`LISTEN_FDS`), else the `-H` endpoints,
/// else the unix socket in the run root.
fn listen(settings: &engine::Settings, hosts: &[Endpoint]) -> Result<Vec<Listener>, String> {
    let activated = socket_activation();
    if !activated.is_empty() {
        return Ok(activated);
    }
    let default = [Endpoint::Unix(settings.runroot.join("docker.sock"))];
    let hosts = if hosts.is_empty() {
        &default[..]
    } else {
        hosts
    };
    let mut out = Vec::new();
    for h in hosts {
        match h {
            Endpoint::Unix(path) => {
                if let Some(dir) = path.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                // A socket left by a server that was killed; a live one
                // answers, and is not taken over.
                if std::os::unix::net::UnixStream::connect(path).is_ok() {
                    return Err(format!("{} is in use by another server", path.display()));
                }
                let _ = std::fs::remove_file(path);
                let l = std::os::unix::net::UnixListener::bind(path)
                    .map_err(|e| format!("listen on {}: {e}", path.display()))?;
                // root and the docker group, as dockerd's socket.
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
                    .map_err(|e| format!("chmod {}: {e}", path.display()))?;
                if let Ok(Some(g)) = nix::unistd::Group::from_name("docker") {
                    let _ = nix::unistd::chown(path, None, Some(g.gid));
                }
                out.push(Listener::Unix(l, Some(path.clone())));
            }
            Endpoint::Tcp(addr) => {
                eprintln!(
                    "WARNING: API is accessible on http://{addr} without encryption.\n         Access to the API gives root on this host: bind it to 127.0.0.1, and only on a trusted machine."
                );
                let l = std::net::TcpListener::bind(addr.as_str())
                    .map_err(|e| format!("listen on {addr}: {e}"))?;
                out.push(Listener::Tcp(l));
            }
        }
    }
    Ok(out)
}

/// systemd's socket activation: fds 3.. when `LISTEN_PID` is us.
fn socket_activation() -> Vec<Listener> {
    let ours = std::env::var("LISTEN_PID")
        .ok()
        .and_then(|p| p.parse::<u32>().ok())
        == Some(std::process::id());
    let n: i32 = std::env::var("LISTEN_FDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if !ours || n <= 0 {
        return Vec::new();
    }
    std::env::remove_var("LISTEN_PID");
    std::env::remove_var("LISTEN_FDS");
    let mut out = Vec::new();
    for fd in 3..3 + n {
        let Some(owned) = crate::runtime::adopt_fd(fd) else {
            continue;
        };
        let _ = nix::fcntl::fcntl(
            owned.as_raw_fd(),
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        );
        use nix::sys::socket::{getsockname, AddressFamily, SockaddrLike, SockaddrStorage};
        let family = getsockname::<SockaddrStorage>(owned.as_raw_fd())
            .ok()
            .and_then(|a| a.family());
        match family {
            Some(AddressFamily::Unix) => out.push(Listener::Unix(owned.into(), None)),
            Some(AddressFamily::Inet | AddressFamily::Inet6) => {
                out.push(Listener::Tcp(owned.into()))
            }
            _ => {}
        }
    }
    out
}

/// Serves one connection's requests until it closes or is hijacked.
fn connection(server: &Server, stream: Stream) {
    let Ok(mut conn) = Conn::new(stream) else {
        return;
    };
    loop {
        let req = match conn.read_request() {
            Ok(r) => r,
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(m)) => {
                let _ = http::error(&mut conn.writer, 400, &m);
                return;
            }
            Err(ReadError::TooBig) => {
                let _ = http::error(&mut conn.writer, 413, "request body too large");
                return;
            }
        };
        if server.stopping.load(Ordering::SeqCst) {
            let _ = http::error(&mut conn.writer, 503, "the server is shutting down");
            return;
        }
        server.in_flight.fetch_add(1, Ordering::SeqCst);
        let reply = route(server, &req, &mut conn);
        server.in_flight.fetch_sub(1, Ordering::SeqCst);
        let w = &mut conn.writer;
        // A body too big to read is not drained: the connection ends.
        let last = matches!(&reply, Err(e) if e.status == 413);
        let sent = match reply {
            Ok(Reply::Json(status, v)) => http::json(w, status, &v),
            Ok(Reply::Empty(status)) => http::respond(w, status, "", b""),
            Ok(Reply::Written) => Ok(()),
            Ok(Reply::Closed) => return,
            Err(e) => http::error(w, e.status, &e.message),
        };
        let _ = w.flush();
        if sent.is_err() || last {
            return;
        }
        if req
            .header("Connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"))
        {
            return;
        }
    }
}

/// The path without its `/v1.NN` prefix; a version above ours is
/// refused with dockerd's message.
fn strip_version(path: &str) -> Result<&str, ApiError> {
    let Some(rest) = path.strip_prefix("/v") else {
        return Ok(path);
    };
    let (ver, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let parse = |v: &str| -> Option<(u32, u32)> {
        let (a, b) = v.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let Some(v) = parse(ver) else {
        return Ok(path);
    };
    let max = parse(API_VERSION).unwrap_or((1, 41));
    let min = parse(MIN_API_VERSION).unwrap_or((1, 24));
    if v > max {
        return Err(ApiError::bad(format!(
            "client version {ver} is too new. Maximum supported API version is {API_VERSION}"
        )));
    }
    if v < min {
        return Err(ApiError::bad(format!(
            "client version {ver} is too old. Minimum supported API version is {MIN_API_VERSION}, please upgrade your client to a newer version"
        )));
    }
    Ok(tail)
}

fn route(server: &Server, req: &Request, conn: &mut Conn) -> Handled {
    let path = strip_version(&req.path)?;
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let m = req.method.as_str();
    match parts.first().copied().unwrap_or("") {
        "_ping" | "version" | "info" | "events" | "system" | "auth" => {
            system::route(server, m, &parts, req, conn)
        }
        "containers" => containers::route(server, m, &parts, req, conn),
        "exec" => exec::route(server, m, &parts, req, conn),
        "images" | "build" | "commit" => images::route(server, m, path, &parts, req, conn),
        "volumes" | "networks" => objects::route(server, m, &parts, req, conn),
        _ => Err(not_found(m, path)),
    }
}

/// dockerd's answer to a path it has no route for.
pub fn not_found(_method: &str, path: &str) -> ApiError {
    ApiError::new(404, format!("page not found: {path}"))
}

/// A JSON request body, parsed into `T`.
pub fn json_body<T: serde::de::DeserializeOwned>(conn: &mut Conn) -> Result<T, ApiError> {
    let body = conn.read_body(http::MAX_JSON).map_err(|e| match e {
        ReadError::TooBig => ApiError::new(413, "request body too large"),
        ReadError::Bad(m) => ApiError::bad(m),
        ReadError::Closed => ApiError::bad("unexpected end of request body"),
    })?;
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return serde_json::from_str("{}").map_err(|e| ApiError::bad(e.to_string()));
    }
    serde_json::from_slice(&body).map_err(|e| ApiError::bad(format!("invalid JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_in_paths_are_checked_and_stripped() {
        assert_eq!(
            strip_version("/v1.41/containers/json").unwrap(),
            "/containers/json"
        );
        assert_eq!(strip_version("/v1.24/info").unwrap(), "/info");
        assert_eq!(strip_version("/_ping").unwrap(), "/_ping");
        assert_eq!(strip_version("/volumes").unwrap(), "/volumes");
        let e = strip_version("/v1.45/info").unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(
            e.message,
            "client version 1.45 is too new. Maximum supported API version is 1.41"
        );
        assert_eq!(strip_version("/v1.12/info").unwrap_err().status, 400);
    }

    #[test]
    fn hosts_parse_as_docker_s_and_errors_have_one_status_table() {
        assert_eq!(
            Endpoint::parse("unix:///run/x.sock").unwrap(),
            Endpoint::Unix("/run/x.sock".into())
        );
        assert_eq!(
            Endpoint::parse("tcp://127.0.0.1:2375").unwrap(),
            Endpoint::Tcp("127.0.0.1:2375".into())
        );
        assert!(Endpoint::parse("tcp://host").is_err());
        assert!(Endpoint::parse("http://x").is_err());
        assert_eq!(status_of(ErrorKind::NotFound), 404);
        assert_eq!(status_of(ErrorKind::Conflict), 409);
        assert_eq!(status_of(ErrorKind::Invalid), 400);
        assert_eq!(status_of(ErrorKind::Internal), 500);
    }
}
