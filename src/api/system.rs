//! `/_ping`, `/version`, `/info`, `/events`, `/system/df`, `/auth`.

use super::http::{self, Conn, Request};
use super::{json_body, not_found, ApiError, Handled, Reply, Server};
use crate::engine::{point_in_time, EventFilter};
use serde_json::{json, Value};

pub fn route(server: &Server, m: &str, parts: &[&str], req: &Request, conn: &mut Conn) -> Handled {
    match (m, parts) {
        ("GET" | "HEAD", ["_ping"]) => {
            let body: &[u8] = if m == "GET" { b"OK" } else { b"" };
            let w = &mut conn.writer;
            let head = format!(
                "HTTP/1.1 200 OK\r\nApi-Version: {}\r\nBuilder-Version: 1\r\nCache-Control: no-cache, no-store, must-revalidate\r\nContent-Length: {}\r\nContent-Type: text/plain; charset=utf-8\r\nDocker-Experimental: false\r\nOstype: linux\r\nPragma: no-cache\r\nServer: strata/{} (linux)\r\n\r\n",
                super::API_VERSION,
                if m == "GET" { 2 } else { 0 },
                env!("CARGO_PKG_VERSION")
            );
            use std::io::Write;
            let _ = w.write_all(head.as_bytes());
            let _ = w.write_all(body);
            Ok(Reply::Written)
        }
        ("GET", ["version"]) => Ok(Reply::Json(200, version())),
        ("GET", ["info"]) => info(server),
        ("GET", ["events"]) => events(server, req, conn),
        ("GET", ["system", "df"]) => df(server),
        ("POST", ["auth"]) => auth(server, conn),
        _ => Err(not_found(m, &req.path)),
    }
}

fn kernel() -> String {
    nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        a => a,
    }
}

fn version() -> Value {
    let v = env!("CARGO_PKG_VERSION");
    json!({
        "Platform": {"Name": "strata"},
        "Components": [{
            "Name": "Engine",
            "Version": v,
            "Details": {
                "ApiVersion": super::API_VERSION,
                "MinAPIVersion": super::MIN_API_VERSION,
                "Os": "linux",
                "Arch": arch(),
                "KernelVersion": kernel(),
                "GitCommit": "",
                "GoVersion": "",
                "BuildTime": "",
            }
        }],
        "Version": v,
        "ApiVersion": super::API_VERSION,
        "MinAPIVersion": super::MIN_API_VERSION,
        "GitCommit": "",
        "GoVersion": "",
        "Os": "linux",
        "Arch": arch(),
        "KernelVersion": kernel(),
        "BuildTime": "",
    })
}

fn info(server: &Server) -> Handled {
    let i = server.engine.info()?;
    let mut v = serde_json::to_value(&i).unwrap_or_else(|_| json!({}));
    v["ID"] = json!("strata");
    v["ServerVersion"] = json!(env!("CARGO_PKG_VERSION"));
    v["Swarm"] = json!({"LocalNodeState": "inactive", "NodeID": "", "NodeAddr": "", "ControlAvailable": false});
    v["Runtimes"] = json!({"strata": {"path": "strata"}});
    v["Plugins"] = json!({
        "Volume": ["local"],
        "Network": ["bridge", "host", "null"],
        "Log": ["json-file"],
    });
    v["RegistryConfig"] = json!({"IndexConfigs": {}, "InsecureRegistryCIDRs": ["127.0.0.0/8"]});
    v["Labels"] = json!([]);
    v["ExperimentalBuild"] = json!(false);
    v["Warnings"] = json!([]);
    Ok(Reply::Json(200, v))
}

/// `GET /events?since&until&filters`: the journal's events, then new ones
/// as they come (until `until`, or the client goes), one JSON object per
/// `\n`-terminated chunk.
fn events(server: &Server, req: &Request, conn: &mut Conn) -> Handled {
    let when = |k: &str| -> Result<Option<i128>, ApiError> {
        match req.q(k).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => point_in_time(s)
                .map(Some)
                .ok_or_else(|| ApiError::bad(format!("invalid value for {k}: {s:?}"))),
        }
    };
    let since = when("since")?;
    let until = when("until")?;
    let filter =
        EventFilter::parse(&req.filters().map_err(ApiError::bad)?).map_err(ApiError::bad)?;
    let w = &mut conn.writer;
    http::start_chunked(w, 200, "application/json").map_err(super::gone)?;
    let now = crate::util::time::now_nanos();
    let since = since.or(Some(now));
    let (past, end) = server.engine.events(since, until);
    let send = |w: &mut http::Stream, e: &crate::engine::Event| -> bool {
        if !filter.matches(e) {
            return true;
        }
        let mut line = serde_json::to_vec(&e.to_json()).unwrap_or_default();
        line.push(b'\n');
        http::chunk(w, &line).is_ok()
    };
    for e in &past {
        if !send(w, e) {
            return Ok(Reply::Closed);
        }
    }
    if until.is_none_or(|u| u > crate::util::time::now_nanos()) {
        // A client that went away shows as a failed write at the next
        // event, which ends the follow.
        let mut f = |e: &crate::engine::Event| send(w, e);
        server.engine.follow_events(end, until, &mut f);
    }
    let _ = http::end_chunked(w);
    Ok(Reply::Written)
}

fn df(server: &Server) -> Handled {
    let (rows, detail) = server.engine.disk_usage()?;
    let layers = rows
        .iter()
        .find(|r| r.kind == "Images")
        .map(|r| r.size)
        .unwrap_or(0);
    let images: Vec<Value> = detail
        .images
        .iter()
        .map(|(repo, tag, id, size, used)| {
            let tags = if repo == "<none>" {
                vec![]
            } else {
                vec![format!("{repo}:{tag}")]
            };
            json!({"Id": format!("sha256:{}", crate::util::hash::hex_part(id)), "RepoTags": tags, "Size": size,
                   "SharedSize": -1, "VirtualSize": size, "Containers": used, "Created": 0, "Labels": {}})
        })
        .collect();
    let containers: Vec<Value> = detail
        .containers
        .iter()
        .map(|(id, image, name, size, status)| {
            json!({"Id": id, "Names": [format!("/{name}")], "Image": image, "SizeRw": size,
                   "SizeRootFs": size, "State": "", "Status": status})
        })
        .collect();
    let volumes: Vec<Value> = detail
        .volumes
        .iter()
        .map(|(name, links, size)| {
            json!({"Name": name, "Driver": "local", "Mountpoint": server.engine.volume_mountpoint(name),
                   "Scope": "local", "UsageData": {"Size": size, "RefCount": links}})
        })
        .collect();
    Ok(Reply::Json(
        200,
        json!({"LayersSize": layers, "Images": images, "Containers": containers,
               "Volumes": volumes, "BuildCache": []}),
    ))
}

/// `POST /auth`: docker login's check of the credentials.
fn auth(server: &Server, conn: &mut Conn) -> Handled {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Auth {
        username: String,
        password: String,
        serveraddress: String,
    }
    let a: Auth = json_body(conn)?;
    let server_addr = Some(a.serveraddress.as_str()).filter(|s| !s.is_empty());
    server.engine.login(
        server_addr,
        crate::engine::Credentials {
            username: a.username,
            password: a.password,
        },
        true,
    )?;
    Ok(Reply::Json(
        200,
        json!({"Status": "Login Succeeded", "IdentityToken": ""}),
    ))
}
