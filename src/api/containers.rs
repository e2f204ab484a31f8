//! `/containers/...`: list, create, inspect, start, attach, wait, logs,
//! stop, kill, restart, remove, pause, rename, resize, top, changes,
//! export, update, prune, archive (cp).

use super::http::{self, Conn, Request};
use super::streams::{self, Wanted};
use super::{gone, json_body, not_found, ApiError, Handled, Reply, Server};
use crate::engine::{InspectKind, LogsRequest};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub fn route(server: &Server, m: &str, parts: &[&str], req: &Request, conn: &mut Conn) -> Handled {
    match (m, &parts[1..]) {
        ("GET", ["json"]) => list(server, req),
        ("POST", ["create"]) => create(server, req, conn),
        ("POST", ["prune"]) => prune(server, req),
        ("GET", [id, "json"]) => Ok(Reply::Json(
            200,
            server.engine.inspect(id, InspectKind::Container)?,
        )),
        ("POST", [id, "start"]) => start(server, id),
        ("POST", [id, "stop"]) => stop(server, id, req, false),
        ("POST", [id, "restart"]) => stop(server, id, req, true),
        ("POST", [id, "kill"]) => {
            let sig = req.q("signal").filter(|s| !s.is_empty()).unwrap_or("KILL");
            let cid = server.engine.resolve_container(id)?;
            let st = server.engine.container_state(&cid)?;
            // `run -it` forwards SIGWINCH on every resize: harmless.
            if !st.can_signal() {
                return Err(ApiError::new(
                    409,
                    format!("Container {} is not running", &cid[..12]),
                ));
            }
            server.engine.kill(&cid, sig)?;
            Ok(Reply::Empty(204))
        }
        ("POST", [id, "wait"]) => wait(server, id, req, conn),
        ("DELETE", [id]) => {
            server
                .engine
                .rm_with(id, req.q_bool("force", false), req.q_bool("v", false))?;
            Ok(Reply::Empty(204))
        }
        ("POST", [id, "attach"]) => attach(server, id, req, conn),
        ("GET", [id, "logs"]) => logs(server, id, req, conn),
        ("POST", [id, "resize"]) => resize(server, id, req),
        ("POST", [id, "pause"]) => {
            server.engine.pause(id)?;
            Ok(Reply::Empty(204))
        }
        ("POST", [id, "unpause"]) => {
            server.engine.unpause(id)?;
            Ok(Reply::Empty(204))
        }
        ("POST", [id, "rename"]) => {
            let name = req.q("name").unwrap_or_default();
            server.engine.rename(id, name)?;
            Ok(Reply::Empty(204))
        }
        ("GET", [id, "top"]) => {
            let args: Vec<String> = req
                .q("ps_args")
                .filter(|a| !a.is_empty())
                .map(|a| a.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            let (titles, rows) = server.engine.top(id, &args)?;
            Ok(Reply::Json(
                200,
                json!({"Titles": titles, "Processes": rows}),
            ))
        }
        ("GET", [id, "changes"]) => {
            let changes: Vec<Value> = server
                .engine
                .diff(id)?
                .into_iter()
                .map(|(k, p)| {
                    let kind = match k {
                        'C' => 0,
                        'A' => 1,
                        _ => 2,
                    };
                    json!({"Path": p, "Kind": kind})
                })
                .collect();
            Ok(Reply::Json(200, json!(changes)))
        }
        ("GET", [id, "export"]) => super::exec::export(server, id, conn),
        ("POST", [id, "update"]) => update(server, id, conn),
        ("GET", [id, "stats"]) => stats(server, id, req, conn),
        ("GET" | "HEAD" | "PUT", [id, "archive"]) => super::exec::archive(server, m, id, req, conn),
        ("POST", [id, "exec"]) => super::exec::create(server, id, conn),
        _ => Err(not_found(m, &req.path)),
    }
}

/// A `Write` that sends each write as one chunk.
pub struct ChunkWriter<'a>(pub &'a mut http::Stream);

impl std::io::Write for ChunkWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        http::chunk(self.0, buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// docker's `Ports` list of a container: one entry per published port,
/// and the exposed ones without a host side.
fn ports_list(insp: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(map) = insp["NetworkSettings"]["Ports"].as_object() {
        for (port, binds) in map {
            let (p, proto) = port.split_once('/').unwrap_or((port, "tcp"));
            let private: u64 = p.parse().unwrap_or(0);
            match binds.as_array() {
                Some(list) if !list.is_empty() => {
                    for b in list {
                        out.push(json!({
                            "IP": b["HostIp"].as_str().unwrap_or("0.0.0.0"),
                            "PrivatePort": private,
                            "PublicPort": b["HostPort"].as_str().and_then(|h| h.parse::<u64>().ok()).unwrap_or(0),
                            "Type": proto,
                        }))
                    }
                }
                _ => out.push(json!({"PrivatePort": private, "Type": proto})),
            }
        }
    }
    out
}

fn list(server: &Server, req: &Request) -> Handled {
    let filters = req.filters().map_err(ApiError::bad)?;
    let filter = server.engine.ps_filter(&filters)?;
    let all = req.q_bool("all", false);
    let size = req.q_bool("size", false);
    let mut rows = server.engine.ps(all, size, &filter)?;
    if let Some(n) = req
        .q("limit")
        .and_then(|l| l.parse::<i64>().ok())
        .filter(|n| *n > 0)
    {
        rows.truncate(n as usize);
    }
    let mut out = Vec::new();
    for e in &rows {
        let insp = server
            .engine
            .inspect(&e.id, InspectKind::Container)
            .unwrap_or(Value::Null);
        let mut item = json!({
            "Id": e.id,
            "Names": [format!("/{}", e.name)],
            "Image": e.image,
            "ImageID": insp["Image"],
            "Command": e.command,
            "Created": (e.created / 1_000_000_000) as i64,
            "Ports": ports_list(&insp),
            "Labels": e.labels,
            "State": e.state.docker_status(),
            "Status": e.status_text(),
            "HostConfig": {"NetworkMode": insp["HostConfig"]["NetworkMode"]},
            "NetworkSettings": {"Networks": insp["NetworkSettings"]["Networks"]},
            "Mounts": insp["Mounts"],
        });
        if let Some(s) = e.size_rw {
            item["SizeRw"] = json!(s);
        }
        if let Some(s) = e.size_root_fs {
            item["SizeRootFs"] = json!(s);
        }
        out.push(item);
    }
    Ok(Reply::Json(200, json!(out)))
}

fn create(server: &Server, req: &Request, conn: &mut Conn) -> Handled {
    let body: super::create::CreateBody = json_body(conn)?;
    let run = super::create::request(body, req.q("name").map(str::to_string))?;
    let id = server.engine.create(&run)?;
    Ok(Reply::Json(201, json!({"Id": id, "Warnings": []})))
}

fn prune(server: &Server, req: &Request) -> Handled {
    let filter = crate::engine::PruneFilter::parse(&req.filters().map_err(ApiError::bad)?)?;
    let (ids, freed) = server.engine.prune_containers(&filter)?;
    Ok(Reply::Json(
        200,
        json!({"ContainersDeleted": ids, "SpaceReclaimed": freed}),
    ))
}

/// `start`: 304 if it runs; the attaches that came first get the
/// monitor's first connection (so `docker run` misses no output).
fn start(server: &Server, name: &str) -> Handled {
    let id = server.engine.resolve_container(name)?;
    let st = server.engine.container_state(&id)?;
    if st.is_running() {
        return Ok(Reply::Empty(304));
    }
    let waiting = server.take_pending(&id);
    if waiting.is_empty() {
        server.engine.start_detached(&id).map_err(start_error)?;
        return Ok(Reply::Empty(204));
    }
    let first = server
        .engine
        .start_with_first_attach(&id)
        .map_err(start_error)?;
    let mut first = first;
    for tx in waiting {
        let conn = match first.take() {
            Some(c) => c,
            None => match server.engine.attach_connection(&id) {
                Ok(c) => c,
                Err(_) => continue,
            },
        };
        if let Err(back) = tx.send(conn) {
            // That attach went away: the next one takes the connection.
            first = Some(back.0);
        }
    }
    Ok(Reply::Empty(204))
}

/// A start that failed: dockerd's 500 (or 404 for a missing command, as
/// the CLI reads the message for its exit code either way).
fn start_error(e: crate::engine::Error) -> ApiError {
    let status = match &e {
        crate::engine::Error::Started { .. } => 500,
        other => super::status_of(other.kind()),
    };
    ApiError::new(status, e.to_string())
}

fn stop(server: &Server, name: &str, req: &Request, restart: bool) -> Handled {
    let id = server.engine.resolve_container(name)?;
    let timeout = match req.q("t").filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => {
            let n: i64 = t
                .parse()
                .map_err(|_| ApiError::bad(format!("invalid value for t: {t}")))?;
            Some(if n < 0 {
                Duration::from_secs(u64::MAX / 4)
            } else {
                Duration::from_secs(n as u64)
            })
        }
    };
    let signal = req.q("signal").filter(|s| !s.is_empty());
    if restart {
        server.engine.restart(&id, timeout, signal)?;
        return Ok(Reply::Empty(204));
    }
    if !server.engine.container_state(&id)?.is_running() {
        return Ok(Reply::Empty(304));
    }
    server.engine.stop(&id, timeout, signal)?;
    Ok(Reply::Empty(204))
}

/// `wait?condition=not-running|next-exit|removed`: the headers at once,
/// then `{"Error":null,"StatusCode":N}` when the condition is met.
fn wait(server: &Server, name: &str, req: &Request, conn: &mut Conn) -> Handled {
    let id = server.engine.resolve_container(name)?;
    let condition = req
        .q("condition")
        .filter(|c| !c.is_empty())
        .unwrap_or("not-running");
    if !matches!(condition, "not-running" | "next-exit" | "removed") {
        return Err(ApiError::bad(format!("invalid condition: \"{condition}\"")));
    }
    let since = crate::util::time::now_nanos() - 1_000_000_000;
    let first = server.engine.container_state(&id)?;
    let w = &mut conn.writer;
    http::start_chunked(w, 200, "application/json").map_err(gone)?;
    let mut last_code = first.exit_code;
    let code = loop {
        match server.engine.container_state(&id) {
            Ok(st) => {
                let exited = !st.is_running();
                last_code = st.exit_code;
                let met = match condition {
                    "not-running" => exited,
                    "next-exit" => exited && st.finished_at != first.finished_at,
                    _ => false,
                };
                if met {
                    break st.exit_code;
                }
            }
            // Gone: its code is in the journal's `die` event.
            Err(_) => {
                break server
                    .engine
                    .last_exit_code(&id, since)
                    .unwrap_or(last_code);
            }
        }
        if streams::client_gone(w, 5) {
            return Ok(Reply::Closed);
        }
    };
    let body = format!("{{\"Error\":null,\"StatusCode\":{code}}}\n");
    let _ = http::chunk(w, body.as_bytes());
    let _ = http::end_chunked(w);
    Ok(Reply::Written)
}

/// `attach?stream&stdin&stdout&stderr`: the hijacked stream. Before the
/// start, the attach waits for it (and buffers what the client types).
fn attach(server: &Server, name: &str, req: &Request, conn: &mut Conn) -> Handled {
    let id = server.engine.resolve_container(name)?;
    let insp = server.engine.inspect(&id, InspectKind::Container)?;
    let tty = insp["Config"]["Tty"].as_bool().unwrap_or(false);
    let open_stdin = insp["Config"]["OpenStdin"].as_bool().unwrap_or(false);
    let running = insp["State"]["Running"].as_bool().unwrap_or(false);
    let want_stdin = req.q_bool("stdin", false) && open_stdin;
    let want = Wanted {
        stdout: req.q_bool("stdout", false),
        stderr: req.q_bool("stderr", false),
        tty,
        // docker run -i: the end of the client's input is the container's.
        close_stdin: !tty && !running,
    };
    // Waiting for the start: registered before the 101, so a start that
    // follows it at once finds it.
    let pending = (!running).then(|| server.wait_for_start(&id));
    let w = &mut conn.writer;
    let sent = if req.wants_upgrade() {
        http::upgrade(w)
    } else {
        http::raw_ok(w)
    };
    sent.map_err(gone)?;
    let pre = conn.take_buffered();
    let client = conn.writer.try_clone().map_err(gone)?;
    let input = if want_stdin {
        Some(streams::pump_input(client.try_clone().map_err(gone)?, pre))
    } else {
        None
    };
    let monitor = match pending {
        None => match server.engine.attach_connection(&id) {
            Ok(c) => c,
            Err(_) => {
                client.shutdown(std::net::Shutdown::Both);
                return Ok(Reply::Closed);
            }
        },
        Some(rx) => loop {
            let waited = Instant::now();
            match rx.recv_timeout(Duration::from_millis(500)) {
                Ok(c) => break c,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    // Removed before a start, or never started. (The
                    // client's end of input says nothing: the CLI
                    // half-closes at once when stdin is not attached.)
                    let alive = server.engine.resolve_container(&id).is_ok();
                    // A start that took this wait hands it a connection
                    // (or drops it) soon, even if an `--rm` container is
                    // gone by now: its output is in that connection.
                    if !server.still_waiting(&id) {
                        match rx.recv() {
                            Ok(c) => break c,
                            Err(_) => {
                                client.shutdown(std::net::Shutdown::Both);
                                return Ok(Reply::Closed);
                            }
                        }
                    }
                    if !alive || waited.elapsed() > Duration::from_secs(3600) {
                        if !alive {
                            // No start can come: its waits go with it.
                            let _ = server.take_pending(&id);
                        }
                        client.shutdown(std::net::Shutdown::Both);
                        return Ok(Reply::Closed);
                    }
                }
                Err(_) => {
                    client.shutdown(std::net::Shutdown::Both);
                    return Ok(Reply::Closed);
                }
            }
        },
    };
    streams::proxy_monitor(client, monitor, input, want);
    Ok(Reply::Closed)
}

fn logs(server: &Server, name: &str, req: &Request, conn: &mut Conn) -> Handled {
    let id = server.engine.resolve_container(name)?;
    let insp = server.engine.inspect(&id, InspectKind::Container)?;
    let tty = insp["Config"]["Tty"].as_bool().unwrap_or(false);
    let when = |k: &str| -> Result<Option<i128>, ApiError> {
        match req.q(k).filter(|s| !s.is_empty() && *s != "0") {
            None => Ok(None),
            Some(s) => crate::engine::point_in_time(s)
                .map(Some)
                .ok_or_else(|| ApiError::bad(format!("invalid value for {k}: {s:?}"))),
        }
    };
    let lr = LogsRequest {
        follow: req.q_bool("follow", false),
        tail: req
            .q("tail")
            .filter(|t| *t != "all")
            .and_then(|t| t.parse().ok()),
        timestamps: req.q_bool("timestamps", false),
        since: when("since")?,
        until: when("until")?,
        details: req.q_bool("details", false),
    };
    let (stdout, stderr) = (req.q_bool("stdout", false), req.q_bool("stderr", false));
    if !stdout && !stderr {
        return Err(ApiError::bad(
            "Bad parameters: you must choose at least one stream",
        ));
    }
    // Opened before the answer: the client may remove the container as soon
    // as it has the headers, and still expects its output.
    let log = server.engine.open_log(&id)?;
    let w = &mut conn.writer;
    http::start_chunked(w, 200, "").map_err(gone)?;
    let mut out = |stream: &str, text: &str| -> bool {
        let (kind, wanted) = if stream == "stderr" {
            (2, stderr)
        } else {
            (1, stdout)
        };
        if !wanted {
            return true;
        }
        let data = if tty {
            text.as_bytes().to_vec()
        } else {
            streams::frame(kind, text.as_bytes())
        };
        http::chunk(w, &data).is_ok()
    };
    let _ = log.read(&lr, &mut out);
    let _ = http::end_chunked(w);
    Ok(Reply::Written)
}

/// `resize?h&w`: the container's pty, through its monitor.
fn resize(server: &Server, name: &str, req: &Request) -> Handled {
    let id = server.engine.resolve_container(name)?;
    let num = |k: &str| -> Result<u16, ApiError> {
        req.q(k)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| ApiError::bad(format!("invalid value for {k}")))
    };
    let (h, wdt) = (num("h")?, num("w")?);
    if !server.engine.container_state(&id)?.is_running() {
        return Err(ApiError::new(
            409,
            format!("Container {} is not running", &id[..12]),
        ));
    }
    let mut c = server.engine.attach_connection(&id)?;
    use std::io::Write;
    let _ = c.write_all(&crate::engine::attach_proto::resize(h, wdt));
    Ok(Reply::Empty(200))
}

fn update(server: &Server, name: &str, conn: &mut Conn) -> Handled {
    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Body {
        memory: i64,
        memory_swap: i64,
        nano_cpus: i64,
        cpu_shares: i64,
        pids_limit: Option<i64>,
        restart_policy: Option<super::create::RestartPolicy>,
    }
    let b: Body = json_body(conn)?;
    let u = crate::engine::UpdateRequest {
        limits: crate::container::Limits {
            memory: (b.memory > 0).then_some(b.memory),
            memory_swap: (b.memory_swap != 0).then_some(b.memory_swap),
            nano_cpus: (b.nano_cpus > 0).then_some(b.nano_cpus),
            cpu_shares: (b.cpu_shares > 0).then_some(b.cpu_shares as u64),
            pids_limit: b.pids_limit.filter(|p| *p != 0),
            ..Default::default()
        },
        restart: b.restart_policy.filter(|r| !r.name.is_empty()).map(|r| {
            if r.name == "on-failure" && r.maximum_retry_count > 0 {
                format!("on-failure:{}", r.maximum_retry_count)
            } else {
                r.name
            }
        }),
    };
    server.engine.update(name, &u)?;
    Ok(Reply::Json(200, json!({"Warnings": []})))
}

/// docker's stats document of one sample. The CLI derives CPU % from the
/// deltas of `cpu_stats` and `precpu_stats`: the engine measured the
/// share over the interval, given here as deltas that give that share.
fn stats_json(r: &crate::engine::StatsRow) -> Value {
    let now = crate::util::time::rfc3339(crate::util::time::now_nanos());
    json!({
        "read": now,
        "preread": now,
        "id": r.id,
        "name": format!("/{}", r.name),
        "pids_stats": {"current": r.pids},
        "cpu_stats": {
            "cpu_usage": {"total_usage": (r.cpu_percent * 1e7) as u64},
            "system_cpu_usage": 1_000_000_000u64,
            "online_cpus": 1,
        },
        "precpu_stats": {
            "cpu_usage": {"total_usage": 0},
            "system_cpu_usage": 0,
            "online_cpus": 1,
        },
        "memory_stats": {"usage": r.mem_usage, "limit": r.mem_limit, "stats": {}},
        "networks": {"eth0": {"rx_bytes": r.net_rx, "tx_bytes": r.net_tx}},
        "blkio_stats": {"io_service_bytes_recursive": [
            {"major": 0, "minor": 0, "op": "read", "value": r.blk_read},
            {"major": 0, "minor": 0, "op": "write", "value": r.blk_write},
        ]},
    })
}

/// `stats?stream=`: one sample over a second, or one a second until the
/// client goes (or the container stops).
fn stats(server: &Server, name: &str, req: &Request, conn: &mut Conn) -> Handled {
    let id = server.engine.resolve_container(name)?;
    let stream = req.q_bool("stream", true);
    let interval = if req.q_bool("one-shot", false) {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(1)
    };
    if !stream {
        let rows = server
            .engine
            .stats(std::slice::from_ref(&id), true, interval)?;
        let row = rows
            .first()
            .ok_or_else(|| ApiError::new(404, format!("No such container: {name}")))?;
        return Ok(Reply::Json(200, stats_json(row)));
    }
    let w = &mut conn.writer;
    http::start_chunked(w, 200, "application/json").map_err(gone)?;
    while let Ok(rows) = server
        .engine
        .stats(std::slice::from_ref(&id), true, interval)
    {
        let Some(row) = rows.first() else { break };
        let mut line = serde_json::to_vec(&stats_json(row)).unwrap_or_default();
        line.push(b'\n');
        if http::chunk(w, &line).is_err() {
            return Ok(Reply::Closed);
        }
        if !server
            .engine
            .container_state(&id)
            .is_ok_and(|s| s.is_running())
        {
            break;
        }
    }
    let _ = http::end_chunked(w);
    Ok(Reply::Written)
}
