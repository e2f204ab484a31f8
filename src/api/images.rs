//! `/images/...`, `/build` and `/commit`. Image names arrive unescaped in
//! paths (`/images/localhost:5000/a/b:1/json`): the action is the last
//! segment, the name everything before it.

use super::containers::ChunkWriter;
use super::http::{self, Conn, Request};
use super::{not_found, ApiError, Handled, Reply, Server};
use crate::engine::{InspectKind, PullOptions, Transfer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::BufRead;

pub fn route(
    server: &Server,
    m: &str,
    path: &str,
    parts: &[&str],
    req: &Request,
    conn: &mut Conn,
) -> Handled {
    match (m, parts) {
        ("POST", ["build"]) => build(server, req, conn),
        ("POST", ["build", "prune"]) => {
            let ids = server.engine.prune_build_cache();
            Ok(Reply::Json(
                200,
                json!({"CachesDeleted": ids, "SpaceReclaimed": 0}),
            ))
        }
        ("POST", ["commit"]) => commit(server, req),
        ("GET", ["images", "json"]) => list(server, req),
        ("POST", ["images", "create"]) => create(server, req, conn),
        ("POST", ["images", "load"]) => load(server, conn),
        ("POST", ["images", "prune"]) => prune(server, req),
        ("GET", ["images", "get"]) => save(server, &req.q_all("names"), conn),
        _ => {
            let rest = path.trim_start_matches('/').strip_prefix("images/");
            let Some(rest) = rest else {
                return Err(not_found(m, path));
            };
            if m == "DELETE" {
                return remove(server, rest, req);
            }
            let (name, action) = rest.rsplit_once('/').unwrap_or((rest, ""));
            match (m, action) {
                ("GET", "json") => Ok(Reply::Json(
                    200,
                    server.engine.inspect(name, InspectKind::Image)?,
                )),
                ("GET", "history") => history(server, name),
                ("POST", "tag") => tag(server, name, req),
                ("POST", "push") => push(server, name, req, conn),
                ("GET", "get") => save(server, &[name.to_string()], conn),
                _ => Err(not_found(m, path)),
            }
        }
    }
}

fn list(server: &Server, req: &Request) -> Handled {
    let all = req.q_bool("all", false);
    let filters = req.filters().map_err(ApiError::bad)?;
    let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
    let mut order = Vec::new();
    for r in server.engine.images(all)? {
        if !image_matches(&filters, &r) {
            continue;
        }
        let id = format!("sha256:{}", crate::util::hash::hex_part(&r.id));
        let e = by_id.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            json!({
                "Id": id,
                "ParentId": "",
                "RepoTags": [],
                "RepoDigests": [],
                "Created": r.created.map(|c| (c / 1_000_000_000) as i64).unwrap_or(0),
                "Size": r.size,
                "VirtualSize": r.size,
                "SharedSize": -1,
                "Labels": r.labels,
                "Containers": -1,
            })
        });
        if let (Some(repo), Some(tag)) = (&r.repository, &r.tag) {
            if let Some(a) = e["RepoTags"].as_array_mut() {
                a.push(json!(format!("{repo}:{tag}")));
            }
        }
        if let (Some(repo), Some(d)) = (&r.repository, &r.digest) {
            if let Some(a) = e["RepoDigests"].as_array_mut() {
                a.push(json!(format!("{repo}@{d}")));
            }
        }
    }
    let out: Vec<Value> = order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .collect();
    Ok(Reply::Json(200, json!(out)))
}

/// `reference=`, `dangling=`, `label=` of `docker images --filter`.
fn image_matches(filters: &[String], r: &crate::engine::ImageRow) -> bool {
    let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in filters {
        if let Some((k, v)) = f.split_once('=') {
            by_key.entry(k).or_default().push(v);
        }
    }
    by_key.iter().all(|(k, vals)| {
        vals.iter().any(|v| match *k {
            "reference" => {
                let full = match (&r.repository, &r.tag) {
                    (Some(repo), Some(tag)) => format!("{repo}:{tag}"),
                    _ => return false,
                };
                let repo = r.repository.clone().unwrap_or_default();
                crate::engine::glob(v.as_bytes(), full.as_bytes())
                    || crate::engine::glob(v.as_bytes(), repo.as_bytes())
            }
            "dangling" => (*v == "true") == r.dangling,
            "label" => match v.split_once('=') {
                Some((lk, lv)) => r.labels.get(lk).is_some_and(|x| x == lv),
                None => r.labels.contains_key(*v),
            },
            _ => true,
        })
    })
}

fn history(server: &Server, name: &str) -> Handled {
    let rows = server.engine.history(name)?;
    let out: Vec<Value> = rows
        .into_iter()
        .map(|h| {
            json!({
                "Id": h.id.map(|i| format!("sha256:{}", crate::util::hash::hex_part(&i))).unwrap_or_else(|| "<missing>".into()),
                "Created": h.created.map(|c| (c / 1_000_000_000) as i64).unwrap_or(0),
                "CreatedBy": h.created_by,
                "Tags": Value::Null,
                "Size": h.size,
                "Comment": h.comment,
            })
        })
        .collect();
    Ok(Reply::Json(200, json!(out)))
}

fn tag(server: &Server, name: &str, req: &Request) -> Handled {
    let repo = req.q("repo").unwrap_or_default();
    if repo.is_empty() {
        return Err(ApiError::bad(
            "repository name must have at least one component",
        ));
    }
    let target = match req.q("tag").filter(|t| !t.is_empty()) {
        Some(t) => format!("{repo}:{t}"),
        None => repo.to_string(),
    };
    server.engine.tag(name, &familiar(&target))?;
    Ok(Reply::Empty(201))
}

/// `docker.io/library/x` as the user wrote it (`x`): the CLI sends names
/// normalised.
fn familiar(name: &str) -> String {
    crate::image::Reference::parse(name)
        .map(|r| r.familiar())
        .unwrap_or_else(|_| name.to_string())
}

fn remove(server: &Server, name: &str, req: &Request) -> Handled {
    let out = server.engine.rmi_with(
        name,
        req.q_bool("force", false),
        !req.q_bool("noprune", false),
    )?;
    let mut list: Vec<Value> = out
        .untagged
        .iter()
        .map(|u| json!({"Untagged": u}))
        .collect();
    list.extend(out.deleted.iter().map(|d| json!({"Deleted": d})));
    Ok(Reply::Json(200, json!(list)))
}

/// docker's JSON message of a pull or push event.
fn transfer_json(t: &Transfer) -> Value {
    match t {
        Transfer::Status(s) => json!({"status": s}),
        Transfer::Layer {
            id,
            status,
            current,
            total,
        } => {
            let mut v = json!({"status": status, "progressDetail": {}, "id": id});
            if *total > 0 || *current > 0 {
                v["progressDetail"] = json!({"current": current, "total": total});
            }
            v
        }
    }
}

/// A progress stream whose 200 is sent with its first message, so an
/// error before any (an unknown image) keeps its real status.
struct Progress<'a> {
    w: &'a mut http::Stream,
    started: bool,
    broken: bool,
}

impl<'a> Progress<'a> {
    fn new(w: &'a mut http::Stream) -> Progress<'a> {
        Progress {
            w,
            started: false,
            broken: false,
        }
    }

    fn send(&mut self, v: &Value) {
        if self.broken {
            return;
        }
        if !self.started {
            self.started = true;
            if http::start_chunked(self.w, 200, "application/json").is_err() {
                self.broken = true;
                return;
            }
        }
        let mut line = serde_json::to_vec(v).unwrap_or_default();
        line.extend_from_slice(b"\r\n");
        if http::chunk(self.w, &line).is_err() {
            self.broken = true;
        }
    }

    /// The end: an error in-stream once started, a real status before.
    fn finish(mut self, result: Result<(), ApiError>) -> Handled {
        match result {
            Err(e) if !self.started => Err(e),
            Err(e) => {
                self.send(&json!({"errorDetail": {"message": e.message}, "error": e.message}));
                let _ = http::end_chunked(self.w);
                Ok(Reply::Written)
            }
            Ok(()) => {
                if !self.started {
                    self.send(&json!({"status": ""}));
                }
                let _ = http::end_chunked(self.w);
                Ok(Reply::Written)
            }
        }
    }
}

/// `images/create?fromImage=&tag=` (pull) or `?fromSrc=-` (import).
fn create(server: &Server, req: &Request, conn: &mut Conn) -> Handled {
    if let Some(src) = req.q("fromSrc") {
        if src != "-" {
            return Err(ApiError::bad("only fromSrc=- (the request body) is taken"));
        }
        let reference = match (req.q("repo").filter(|r| !r.is_empty()), req.q("tag")) {
            (Some(r), Some(t)) if !t.is_empty() => Some(format!("{r}:{t}")),
            (Some(r), _) => Some(r.to_string()),
            _ => None,
        };
        let changes = req.q_all("changes");
        let message = req.q("message").map(str::to_string);
        let id = {
            let body = conn.body_reader();
            server
                .engine
                .import(body, reference.as_deref(), message.as_deref(), &changes)?
        };
        let mut p = Progress::new(&mut conn.writer);
        p.send(&json!({"status": id}));
        return p.finish(Ok(()));
    }
    let image = req
        .q("fromImage")
        .filter(|i| !i.is_empty())
        .ok_or_else(|| ApiError::bad("no image given (fromImage)"))?;
    let name = match req.q("tag").filter(|t| !t.is_empty()) {
        // A digest is `@sha256:...`, a tag `:t`.
        Some(t) if t.starts_with("sha256:") => format!("{image}@{t}"),
        Some(t) => format!("{image}:{t}"),
        None => image.to_string(),
    };
    let name = familiar(&name);
    let opts = PullOptions {
        platform: req
            .q("platform")
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        progress: true,
        tls_verify: tls_verify(&name),
    };
    let p = std::cell::RefCell::new(Progress::new(&mut conn.writer));
    let say = |t: Transfer| p.borrow_mut().send(&transfer_json(&t));
    let result = server.engine.pull(&name, &opts, &say).map(|_| ());
    p.into_inner().finish(result.map_err(ApiError::from))
}

/// TLS is verified; a registry on this machine is plain HTTP (docker's
/// insecure 127.0.0.0/8, which the registry client knows).
fn tls_verify(_name: &str) -> bool {
    true
}

fn push(server: &Server, name: &str, req: &Request, conn: &mut Conn) -> Handled {
    let name = familiar(name);
    let full = match req.q("tag").filter(|t| !t.is_empty()) {
        Some(t) => format!("{name}:{t}"),
        None => name.clone(),
    };
    let p = std::cell::RefCell::new(Progress::new(&mut conn.writer));
    let say = |t: Transfer| p.borrow_mut().send(&transfer_json(&t));
    let result = server.engine.push(&full, tls_verify(&full), true, &say);
    let mut p = p.into_inner();
    match result {
        Ok(digest) => {
            let tag = full.rsplit_once(':').map(|(_, t)| t).unwrap_or("latest");
            p.send(&json!({"progressDetail": {}, "aux": {"Tag": tag, "Digest": digest}}));
            p.finish(Ok(()))
        }
        Err(e) => p.finish(Err(e.into())),
    }
}

fn save(server: &Server, names: &[String], conn: &mut Conn) -> Handled {
    if names.is_empty() {
        return Err(ApiError::bad("no image names given"));
    }
    // Every name is checked before the 200.
    for n in names {
        server.engine.inspect(n, InspectKind::Image)?;
    }
    let w = &mut conn.writer;
    http::start_chunked(w, 200, "application/x-tar").map_err(super::gone)?;
    let out = ChunkWriter(w);
    if server
        .engine
        .save(names, crate::engine::SaveFormat::Docker, out)
        .is_err()
    {
        return Ok(Reply::Closed);
    }
    let _ = http::end_chunked(w);
    Ok(Reply::Written)
}

fn load(server: &Server, conn: &mut Conn) -> Handled {
    let loaded = server.engine.load(conn.body_reader())?;
    let mut p = Progress::new(&mut conn.writer);
    for l in loaded {
        p.send(&json!({"stream": format!("{l}\n")}));
    }
    p.finish(Ok(()))
}

fn prune(server: &Server, req: &Request) -> Handled {
    let filters = req.filters().map_err(ApiError::bad)?;
    let all = filters.iter().any(|f| f == "dangling=false");
    let rest: Vec<String> = filters
        .into_iter()
        .filter(|f| !f.starts_with("dangling="))
        .collect();
    let filter = crate::engine::PruneFilter::parse(&rest)?;
    let (deleted, freed) = server.engine.prune_images(all, &filter)?;
    let list: Vec<Value> = deleted.iter().map(|d| json!({"Deleted": d})).collect();
    Ok(Reply::Json(
        200,
        json!({"ImagesDeleted": list, "SpaceReclaimed": freed}),
    ))
}

fn commit(server: &Server, req: &Request) -> Handled {
    let container = req
        .q("container")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::bad("no container given"))?;
    let reference = match (req.q("repo").filter(|r| !r.is_empty()), req.q("tag")) {
        (Some(r), Some(t)) if !t.is_empty() => Some(familiar(&format!("{r}:{t}"))),
        (Some(r), _) => Some(familiar(r)),
        _ => None,
    };
    let id = server.engine.commit(&crate::engine::CommitRequest {
        container: container.to_string(),
        reference,
        changes: req.q_all("changes"),
        message: req
            .q("comment")
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        author: req
            .q("author")
            .filter(|a| !a.is_empty())
            .map(str::to_string),
        pause: req.q_bool("pause", true),
    })?;
    Ok(Reply::Json(201, json!({"Id": id})))
}

/// `POST /build`: the tar context unpacked into a temp dir, and `strata
/// build` run on it (its RUN steps are containers: a child process of
/// ours), its lines as docker's `{"stream": ...}` messages.
fn build(server: &Server, req: &Request, conn: &mut Conn) -> Handled {
    let dir = server
        .settings
        .root
        .join("tmp")
        .join(format!("build-{}", crate::util::ids::random_hex(8)));
    std::fs::create_dir_all(dir.parent().unwrap_or(&dir))
        .map_err(|e| ApiError::new(500, format!("mkdir: {e}")))?;
    // Held while the build runs: the store's sweep of tmp/ (any strata
    // opening the store) leaves a locked entry alone.
    let lock = crate::util::lock::exclusive(&dir.with_extension("lock"))
        .map_err(|e| ApiError::new(500, format!("lock: {e}")))?;
    let _cleanup = RemoveOnDrop(dir.clone(), lock);
    let ctx = dir.join("context");
    std::fs::create_dir_all(&ctx).map_err(|e| ApiError::new(500, format!("mkdir: {e}")))?;
    crate::engine::unpack_context(conn.body_reader(), &ctx)?;
    let mut cmd = super::exec::strata(server)?;
    cmd.arg("build");
    for t in req.q_all("t") {
        cmd.arg("-t").arg(familiar(&t));
    }
    let dockerfile = req
        .q("dockerfile")
        .filter(|d| !d.is_empty())
        .unwrap_or("Dockerfile");
    if dockerfile.contains("..") {
        return Err(ApiError::bad("the Dockerfile must be inside the context"));
    }
    cmd.arg("-f").arg(ctx.join(dockerfile));
    let json_map = |k: &str| -> Result<BTreeMap<String, Option<String>>, ApiError> {
        match req.q(k).filter(|v| !v.is_empty()) {
            None => Ok(BTreeMap::new()),
            Some(v) => serde_json::from_str(v).map_err(|e| ApiError::bad(format!("{k}: {e}"))),
        }
    };
    for (k, v) in json_map("buildargs")? {
        match v {
            Some(v) => cmd.arg("--build-arg").arg(format!("{k}={v}")),
            None => cmd.arg("--build-arg").arg(k),
        };
    }
    for (k, v) in json_map("labels")? {
        cmd.arg("--label")
            .arg(format!("{k}={}", v.unwrap_or_default()));
    }
    let quiet = req.q_bool("q", false);
    if quiet {
        cmd.arg("-q");
    }
    if req.q_bool("nocache", false) {
        cmd.arg("--no-cache");
    }
    if req.q_bool("pull", false) {
        cmd.arg("--pull");
    }
    if req.q_bool("forcerm", false) {
        cmd.arg("--force-rm");
    }
    cmd.arg(format!("--rm={}", req.q_bool("rm", true)));
    if let Some(t) = req.q("target").filter(|t| !t.is_empty()) {
        cmd.arg("--target").arg(t);
    }
    if let Some(n) = req
        .q("networkmode")
        .filter(|n| !n.is_empty() && *n != "default")
    {
        cmd.arg("--network").arg(n);
    }
    cmd.arg(&ctx)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| ApiError::new(500, format!("start the build: {e}")))?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    // Both streams are messages of one stream: a channel joins them.
    let (tx, rx) = std::sync::mpsc::channel::<(bool, String)>();
    let txe = tx.clone();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send((false, l));
        }
    });
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = txe.send((true, l));
        }
    });
    let mut p = Progress::new(&mut conn.writer);
    // The last line of stderr is the error, if the build fails.
    let mut held: Option<String> = None;
    for (is_err, line) in rx {
        if is_err {
            if let Some(h) = held.replace(line) {
                p.send(&json!({"stream": format!("\u{1b}[91m{h}\n\u{1b}[0m")}));
            }
            continue;
        }
        // The client says that one itself.
        if line.starts_with("Sending build context to ") {
            continue;
        }
        if let Some(short) = line.strip_prefix("Successfully built ") {
            if let Ok(v) = server.engine.inspect(short.trim(), InspectKind::Image) {
                p.send(&json!({"aux": {"ID": v["Id"]}}));
            }
        }
        p.send(&json!({"stream": format!("{line}\n")}));
    }
    let status = child.wait().ok();
    if status.is_some_and(|s| s.success()) {
        if let Some(h) = held {
            p.send(&json!({"stream": format!("{h}\n")}));
        }
        return p.finish(Ok(()));
    }
    let message = held
        .map(|h| h.strip_prefix("Error: ").unwrap_or(&h).to_string())
        .unwrap_or_else(|| "the build failed".into());
    // The CLI exits with the code: the failed RUN's.
    let code: i64 = message
        .rsplit_once("non-zero code: ")
        .and_then(|(_, c)| c.trim().parse().ok())
        .unwrap_or(1);
    p.send(&json!({"errorDetail": {"code": code, "message": message}, "error": message}));
    let _ = http::end_chunked(p.w);
    Ok(Reply::Written)
}

/// The build's directory, removed with its lock (held until then).
struct RemoveOnDrop(
    std::path::PathBuf,
    #[allow(dead_code)] crate::util::lock::LockGuard,
);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = crate::util::fsx::remove_tree(&self.0);
        let _ = crate::util::fsx::remove_file(&self.0.with_extension("lock"));
    }
}
