//! `/containers/{id}/exec`, `/exec/{id}/start|resize|json`, and
//! `/containers/{id}/archive` (cp). Both run a strata child process (`strata
//! exec`, `strata cp`): a process in a container is cloned by a process
//! with no other threads.

use super::http::{self, Conn, Request, Stream};
use super::streams;
use super::{json_body, not_found, ApiError, ExecEntry, Handled, Reply, Server};
use serde_json::json;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

pub fn route(server: &Server, m: &str, parts: &[&str], req: &Request, conn: &mut Conn) -> Handled {
    match (m, &parts[1..]) {
        ("POST", [id, "start"]) => start(server, id, req, conn),
        ("POST", [id, "resize"]) => resize(server, id, req),
        ("GET", [id, "json"]) => inspect(server, id),
        _ => Err(not_found(m, &req.path)),
    }
}

/// The strata binary, on this server's store (which it must not make
/// anew, should it be gone).
pub(super) fn strata(server: &Server) -> Result<Command, ApiError> {
    let exe = std::env::current_exe()
        .map_err(|e| ApiError::new(500, format!("find the strata binary: {e}")))?;
    let mut c = Command::new(exe);
    c.arg("--root")
        .arg(&server.settings.root)
        .arg("--runroot")
        .arg(&server.settings.runroot)
        .env("STRATA_EXISTING_STORE", "1");
    Ok(c)
}

pub fn create(server: &Server, name: &str, conn: &mut Conn) -> Handled {
    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Body {
        cmd: Vec<String>,
        env: Option<Vec<String>>,
        user: String,
        working_dir: String,
        tty: bool,
        attach_stdin: bool,
        attach_stdout: bool,
        attach_stderr: bool,
        privileged: bool,
    }
    let b: Body = json_body(conn)?;
    let id = server.engine.resolve_container(name)?;
    if !server.engine.container_state(&id)?.can_signal() {
        return Err(ApiError::new(409, format!("Container {id} is not running")));
    }
    if b.cmd.is_empty() {
        return Err(ApiError::bad("No exec command specified"));
    }
    let eid = crate::util::ids::random_hex(32);
    let entry = ExecEntry {
        id: eid.clone(),
        container: id,
        cmd: b.cmd,
        tty: b.tty,
        attach_stdin: b.attach_stdin,
        attach_stdout: b.attach_stdout,
        attach_stderr: b.attach_stderr,
        env: b.env.unwrap_or_default(),
        user: b.user,
        workdir: b.working_dir,
        privileged: b.privileged,
        running: false,
        exit_code: None,
        pid: 0,
        pty: None,
    };
    if let Ok(mut m) = server.execs.lock() {
        // Finished execs are kept for their exit code, a bounded number.
        if m.len() > 1000 {
            m.retain(|_, e| e.running);
        }
        m.insert(eid.clone(), entry);
    }
    Ok(Reply::Json(201, json!({"Id": eid})))
}

fn entry(server: &Server, id: &str) -> Result<ExecEntry, ApiError> {
    server
        .execs
        .lock()
        .ok()
        .and_then(|m| m.get(id).cloned())
        .ok_or_else(|| ApiError::new(404, format!("No such exec instance: {id}")))
}

fn update(server: &Server, id: &str, f: impl FnOnce(&mut ExecEntry)) {
    if let Ok(mut m) = server.execs.lock() {
        if let Some(e) = m.get_mut(id) {
            f(e);
        }
    }
}

fn inspect(server: &Server, id: &str) -> Handled {
    let e = entry(server, id)?;
    Ok(Reply::Json(
        200,
        json!({
            "ID": e.id,
            "Running": e.running,
            "ExitCode": e.exit_code,
            "ProcessConfig": {
                "tty": e.tty,
                "entrypoint": e.cmd.first(),
                "arguments": e.cmd.get(1..).unwrap_or_default(),
                "privileged": e.privileged,
                "user": e.user,
            },
            "OpenStdin": e.attach_stdin,
            "OpenStdout": e.attach_stdout,
            "OpenStderr": e.attach_stderr,
            "CanRemove": false,
            "ContainerID": e.container,
            "DetachKeys": "",
            "Pid": e.pid,
        }),
    ))
}

fn resize(server: &Server, id: &str, req: &Request) -> Handled {
    let e = entry(server, id)?;
    let num = |k: &str| req.q(k).and_then(|v| v.parse::<u16>().ok());
    let (Some(h), Some(w)) = (num("h"), num("w")) else {
        return Err(ApiError::bad("invalid value for h or w"));
    };
    if let Some(p) = &e.pty {
        crate::runtime::resize_pty(p, h, w);
    }
    Ok(Reply::Empty(201))
}

/// `exec/{id}/start`: runs `strata exec` and proxies its streams; the
/// exit code is recorded before the stream closes (the CLI reads it next).
fn start(server: &Server, id: &str, req: &Request, conn: &mut Conn) -> Handled {
    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Body {
        detach: bool,
    }
    let b: Body = json_body(conn)?;
    let e = entry(server, id)?;
    if e.running || e.exit_code.is_some() {
        return Err(ApiError::new(409, format!("exec {id} has already run")));
    }
    let mut cmd = strata(server)?;
    cmd.arg("exec");
    if e.tty {
        cmd.arg("-t");
    }
    if e.attach_stdin {
        cmd.arg("-i");
    }
    if b.detach {
        cmd.arg("-d");
    }
    if e.privileged {
        cmd.arg("--privileged");
    }
    if !e.user.is_empty() {
        cmd.arg("-u").arg(&e.user);
    }
    if !e.workdir.is_empty() {
        cmd.arg("-w").arg(&e.workdir);
    }
    for v in &e.env {
        cmd.arg("-e").arg(v);
    }
    cmd.arg(&e.container).args(&e.cmd);
    if b.detach {
        let out = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|err| ApiError::new(500, format!("start exec: {err}")))?;
        let code = out.status.code().unwrap_or(126);
        if !out.status.success() {
            update(server, id, |x| x.exit_code = Some(code));
            return Err(ApiError::new(500, last_line(&out.stderr)));
        }
        update(server, id, |x| x.running = true);
        return Ok(Reply::Empty(200));
    }
    let w = &mut conn.writer;
    if req.wants_upgrade() {
        http::upgrade(w)
    } else {
        http::raw_ok(w)
    }
    .map_err(super::gone)?;
    let pre = conn.take_buffered();
    let client = conn.writer.try_clone().map_err(super::gone)?;
    let code = if e.tty {
        run_on_pty(server, id, cmd, client, pre, e.attach_stdin)
    } else {
        run_on_pipes(server, id, cmd, client, pre, &e)
    };
    update(server, id, |x| {
        x.running = false;
        x.exit_code = Some(code);
        x.pty = None;
    });
    conn.writer.shutdown(std::net::Shutdown::Both);
    Ok(Reply::Closed)
}

fn last_line(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let l = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    l.strip_prefix("Error: ").unwrap_or(l).to_string()
}

/// A tty exec: the pty's master to and from the client, raw.
fn run_on_pty(
    server: &Server,
    id: &str,
    mut cmd: Command,
    mut client: Stream,
    pre: Vec<u8>,
    stdin: bool,
) -> i32 {
    let (mut child, master) = match crate::runtime::spawn_on_pty(&mut cmd, 24, 80) {
        Ok(x) => x,
        Err(err) => {
            let _ = client.write_all(format!("exec: {err}\r\n").as_bytes());
            return 126;
        }
    };
    drop(cmd);
    let master = Arc::new(master);
    update(server, id, |x| {
        x.running = true;
        x.pid = child.id() as i32;
        x.pty = Some(master.clone());
    });
    let mut from_pty = std::fs::File::from(master.try_clone().expect("dup the pty"));
    if stdin {
        if let (Ok(c), Ok(to)) = (client.try_clone(), master.try_clone()) {
            let rx = streams::pump_input(c, pre);
            std::thread::spawn(move || {
                let mut to = std::fs::File::from(to);
                for d in rx.into_iter().map_while(|m| m) {
                    if to.write_all(&d).is_err() {
                        return;
                    }
                }
            });
        }
    }
    let out = std::thread::spawn(move || {
        let mut buf = vec![0u8; 32 * 1024];
        // EIO once the last holder of the pty's slave is gone.
        while let Ok(n) = from_pty.read(&mut buf) {
            if n == 0 || client.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    let code = child.wait().ok().and_then(|s| s.code()).unwrap_or(137);
    let _ = out.join();
    code
}

/// A non-tty exec: its stdout and stderr as frames, the client's input
/// to its stdin (closed at the client's end of input).
fn run_on_pipes(
    server: &Server,
    id: &str,
    mut cmd: Command,
    client: Stream,
    pre: Vec<u8>,
    e: &ExecEntry,
) -> i32 {
    cmd.stdin(if e.attach_stdin {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(_) => return 126,
    };
    update(server, id, |x| {
        x.running = true;
        x.pid = child.id() as i32;
    });
    if let (Some(mut to), Ok(c)) = (child.stdin.take(), client.try_clone()) {
        let rx = streams::pump_input(c, pre);
        std::thread::spawn(move || {
            for d in rx.into_iter().map_while(|m| m) {
                if to.write_all(&d).is_err() {
                    return;
                }
            }
            // Dropping `to` closes the exec's stdin.
        });
    }
    let sink = Arc::new(std::sync::Mutex::new(client));
    let copy = |mut r: Box<dyn Read + Send>, kind: u8, wanted: bool| {
        let sink = sink.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 32 * 1024];
            while let Ok(n) = r.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if wanted {
                    if let Ok(mut s) = sink.lock() {
                        let _ = s.write_all(&streams::frame(kind, &buf[..n]));
                    }
                }
            }
        })
    };
    let o = child
        .stdout
        .take()
        .map(|s| copy(Box::new(s), 1, e.attach_stdout));
    let r = child
        .stderr
        .take()
        .map(|s| copy(Box::new(s), 2, e.attach_stderr));
    for t in [o, r].into_iter().flatten() {
        let _ = t.join();
    }
    child.wait().ok().and_then(|s| s.code()).unwrap_or(137)
}

/// The `X-Docker-Container-Path-Stat` of a tar's first entry: Go's
/// `os.FileMode` bits (directory 1<<31, symlink 1<<27).
fn path_stat(h: &tar::Header) -> String {
    use base64::Engine as _;
    let mode = h.mode().unwrap_or(0) & 0o7777;
    let kind = h.entry_type();
    let mode = mode as u64
        | if kind.is_dir() {
            1 << 31
        } else if kind.is_symlink() {
            1 << 27
        } else {
            0
        };
    let name = h
        .path()
        .ok()
        .map(|p| {
            p.to_string_lossy()
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default();
    let mtime = h.mtime().unwrap_or(0);
    let stat = json!({
        "name": name,
        "size": h.size().unwrap_or(0),
        "mode": mode,
        "mtime": crate::util::time::rfc3339(mtime as i128 * 1_000_000_000),
        "linkTarget": h.link_name().ok().flatten().map(|l| l.to_string_lossy().into_owned()).unwrap_or_default(),
    });
    base64::engine::general_purpose::STANDARD.encode(stat.to_string())
}

/// `strata cp`'s refusal as docker's status: a missing container or path
/// is 404.
fn cp_error(stderr: &[u8]) -> ApiError {
    let msg = last_line(stderr);
    let low = msg.to_lowercase();
    let status = if low.contains("no such") || low.contains("could not find") {
        404
    } else if low.contains("not a directory") || low.contains("invalid") {
        400
    } else {
        500
    };
    ApiError::new(status, msg)
}

/// `GET|HEAD /containers/{id}/archive?path=` (a tar of the path, its
/// stat in a header) and `PUT` (a tar unpacked at the path).
pub fn archive(server: &Server, m: &str, name: &str, req: &Request, conn: &mut Conn) -> Handled {
    let path = req
        .q("path")
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::bad("no path given"))?
        .to_string();
    let id = server.engine.resolve_container(name)?;
    let mut cmd = strata(server)?;
    cmd.arg("cp");
    if m == "PUT" {
        cmd.arg("-").arg(format!("{id}:{path}"));
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| ApiError::new(500, format!("cp: {e}")))?;
        let mut to = child.stdin.take().expect("piped");
        let copied = std::io::copy(&mut conn.body_reader(), &mut to);
        drop(to);
        let out = child
            .wait_with_output()
            .map_err(|e| ApiError::new(500, format!("cp: {e}")))?;
        if !out.status.success() {
            return Err(cp_error(&out.stderr));
        }
        copied.map_err(|e| ApiError::bad(format!("read the archive: {e}")))?;
        return Ok(Reply::Empty(200));
    }
    cmd.arg(format!("{id}:{path}")).arg("-");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ApiError::new(500, format!("cp: {e}")))?;
    let mut out = child.stdout.take().expect("piped");
    let mut first = [0u8; 512];
    let mut got = 0;
    while got < 512 {
        match out.read(&mut first[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    if got < 512 {
        let o = child
            .wait_with_output()
            .map_err(|e| ApiError::new(500, format!("cp: {e}")))?;
        return Err(cp_error(&o.stderr));
    }
    let mut h = tar::Header::new_old();
    h.as_mut_bytes().copy_from_slice(&first);
    let stat = path_stat(&h);
    let w = &mut conn.writer;
    if m == "HEAD" {
        let _ = child.kill();
        let _ = child.wait();
        let head = format!(
            "HTTP/1.1 200 OK\r\nApi-Version: {}\r\nX-Docker-Container-Path-Stat: {stat}\r\nContent-Length: 0\r\n\r\n",
            super::API_VERSION
        );
        w.write_all(head.as_bytes()).map_err(super::gone)?;
        return Ok(Reply::Written);
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\nApi-Version: {}\r\nContent-Type: application/x-tar\r\nX-Docker-Container-Path-Stat: {stat}\r\nTransfer-Encoding: chunked\r\n\r\n",
        super::API_VERSION
    );
    w.write_all(head.as_bytes()).map_err(super::gone)?;
    let _ = http::chunk(w, &first);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match out.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if http::chunk(w, &buf[..n]).is_err() {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Ok(Reply::Closed);
                }
            }
        }
    }
    let _ = child.wait();
    let _ = http::end_chunked(w);
    Ok(Reply::Written)
}

/// `GET /containers/{id}/export`: `strata export` (its view of the
/// container's files is a forked child's: not from a threaded process).
pub fn export(server: &Server, name: &str, conn: &mut Conn) -> Handled {
    let id = server.engine.resolve_container(name)?;
    let mut cmd = strata(server)?;
    let mut child = cmd
        .arg("export")
        .arg(&id)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ApiError::new(500, format!("export: {e}")))?;
    let mut out = child.stdout.take().expect("piped");
    // The first bytes (or the error) before the 200.
    let mut first = vec![0u8; 64 * 1024];
    let n = read_full(&mut out, &mut first);
    if n == 0 {
        let o = child
            .wait_with_output()
            .map_err(|e| ApiError::new(500, format!("export: {e}")))?;
        return Err(cp_error(&o.stderr));
    }
    let w = &mut conn.writer;
    http::start_chunked(w, 200, "application/x-tar").map_err(super::gone)?;
    let _ = http::chunk(w, &first[..n]);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match out.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => {
                if http::chunk(w, &buf[..k]).is_err() {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Ok(Reply::Closed);
                }
            }
        }
    }
    let ok = child.wait().is_ok_and(|s| s.success());
    if !ok {
        // Cut short: the client sees a broken stream, not a whole tar.
        return Ok(Reply::Closed);
    }
    let _ = http::end_chunked(w);
    Ok(Reply::Written)
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> usize {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    got
}
