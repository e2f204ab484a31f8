//! The distribution (v2) API client: manifests and blobs, both ways, and
//! the auth dance: a request goes out with what we hold for its scope; a
//! 401's `WWW-Authenticate` says whether to send basic credentials or to
//! fetch a bearer token for the scope from the realm (with the credentials
//! when we have some). Tokens are kept per scope for the client's life.

use super::auth::{self, Challenge, Credentials};
use super::Error;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// The manifest types a pull accepts, most wanted first.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";

/// A client for one registry host.
pub struct Client {
    agent: ureq::Agent,
    /// `https://host[:port]` (or `http://` for a local or insecure one).
    base: String,
    creds: Option<Credentials>,
    /// scope -> the Authorization header value that works for it.
    tokens: Mutex<HashMap<String, String>>,
}

/// A request body.
pub enum Body<'a> {
    Empty,
    Bytes(&'a [u8]),
    /// A file sent with its length (reopened on a retry), through a
    /// wrapper that may watch the bytes go (a progress bar).
    File(&'a Path, Option<&'a Wrap<'a>>),
}

/// Wraps a file's reader before it is sent.
pub type Wrap<'a> = dyn Fn(Box<dyn Read>) -> Box<dyn Read + 'a> + 'a;

/// A manifest as fetched: bytes, type, digest.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: String,
}

/// Whether a registry is reached over plain HTTP: loopback hosts, as
/// docker treats them, and those named insecure.
pub fn plain_http(host: &str, insecure: &[String]) -> bool {
    let name = host
        .strip_prefix('[')
        .and_then(|h| h.split_once(']').map(|x| x.0))
        .unwrap_or_else(|| host.rsplit_once(':').map(|x| x.0).unwrap_or(host));
    name == "localhost"
        || name.starts_with("127.")
        || name == "::1"
        || insecure.iter().any(|i| i == host || i == name)
}

impl Client {
    /// A client for `host` (as in references: `docker.io` is Docker Hub).
    pub fn new(host: &str, creds: Option<Credentials>, plain_http: bool) -> Client {
        let endpoint = if host == "docker.io" {
            "registry-1.docker.io"
        } else {
            host
        };
        let scheme = if plain_http { "http" } else { "https" };
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(30))
            .timeout_read(Duration::from_secs(120))
            .try_proxy_from_env(true)
            .user_agent(concat!("strata/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent,
            base: format!("{scheme}://{endpoint}"),
            creds,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// Sends one request, answering an auth challenge once. `scope` is the
    /// token scope it needs (`repository:NAME:pull`), empty for `/v2/`.
    fn call(
        &self,
        method: &str,
        path: &str,
        scope: &str,
        headers: &[(&str, &str)],
        body: &Body,
    ) -> Result<ureq::Response, Error> {
        let url = self.url(path);
        let mut answered = false;
        loop {
            let mut req = self.agent.request(method, &url);
            for (k, v) in headers {
                req = req.set(k, v);
            }
            if let Some(a) = self.tokens.lock().unwrap().get(scope) {
                req = req.set("Authorization", a);
            }
            let sent = match body {
                Body::Empty => req.call(),
                Body::Bytes(b) => req.send_bytes(b),
                Body::File(p, wrap) => {
                    let f = std::fs::File::open(p).map_err(|e| Error::Io {
                        what: format!("reading {}", p.display()),
                        err: e,
                    })?;
                    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                    let reader: Box<dyn Read> =
                        Box::new(std::io::BufReader::with_capacity(1 << 20, f));
                    let reader = match wrap {
                        Some(w) => w(reader),
                        None => reader,
                    };
                    req.set("Content-Length", &len.to_string()).send(reader)
                }
            };
            match sent {
                Ok(r) => return Ok(r),
                Err(ureq::Error::Status(401, r)) if !answered => {
                    answered = true;
                    let challenge = r
                        .header("WWW-Authenticate")
                        .and_then(auth::parse_challenge)
                        .ok_or_else(|| Error::Unauthorized {
                            url: url.clone(),
                            why: "no WWW-Authenticate challenge".into(),
                        })?;
                    let header = self.answer(&challenge, scope, &url)?;
                    self.tokens
                        .lock()
                        .unwrap()
                        .insert(scope.to_string(), header);
                }
                Err(ureq::Error::Status(code, r)) => {
                    return Err(status_error(method, &url, code, r));
                }
                Err(e) => {
                    return Err(Error::Transport {
                        url,
                        cause: transport_text(e),
                    })
                }
            }
        }
    }

    /// The Authorization header that answers a challenge.
    fn answer(&self, c: &Challenge, scope: &str, url: &str) -> Result<String, Error> {
        match c.scheme.as_str() {
            "basic" => match &self.creds {
                Some(cr) => Ok(auth::basic_header(cr)),
                None => Err(Error::Unauthorized {
                    url: url.to_string(),
                    why: "no basic auth credentials".into(),
                }),
            },
            "bearer" => {
                let realm = c.params.get("realm").ok_or_else(|| Error::Unauthorized {
                    url: url.to_string(),
                    why: "the bearer challenge has no realm".into(),
                })?;
                let mut req = self.agent.get(realm);
                if let Some(s) = c.params.get("service") {
                    req = req.query("service", s);
                }
                for s in scope.split(' ').filter(|s| !s.is_empty()) {
                    req = req.query("scope", s);
                }
                if let Some(cr) = &self.creds {
                    req = req
                        .set("Authorization", &auth::basic_header(cr))
                        .query("account", &cr.username);
                }
                let resp = match req.call() {
                    Ok(r) => r,
                    Err(ureq::Error::Status(code, r)) => {
                        let e = status_error("GET", realm, code, r);
                        return Err(match code {
                            401 | 403 => Error::Unauthorized {
                                url: url.to_string(),
                                why: e.to_string(),
                            },
                            _ => e,
                        });
                    }
                    Err(e) => {
                        return Err(Error::Transport {
                            url: realm.clone(),
                            cause: transport_text(e),
                        })
                    }
                };
                let v: serde_json::Value =
                    serde_json::from_reader(resp.into_reader().take(1 << 20)).map_err(|e| {
                        Error::Protocol(format!("the token server {realm} answered badly: {e}"))
                    })?;
                let token = v
                    .get("token")
                    .or_else(|| v.get("access_token"))
                    .and_then(|t| t.as_str())
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| {
                        Error::Protocol(format!("the token server {realm} sent no token"))
                    })?;
                Ok(format!("Bearer {token}"))
            }
            other => Err(Error::Unauthorized {
                url: url.to_string(),
                why: format!("unsupported auth scheme {other:?}"),
            }),
        }
    }

    /// `GET /v2/`: checks that the registry answers and the credentials
    /// work (for `login`).
    pub fn ping(&self) -> Result<(), Error> {
        self.call("GET", "/v2/", "", &[], &Body::Empty).map(|_| ())
    }

    /// Fetches a manifest or index by tag or digest.
    pub fn manifest(&self, repo: &str, reference: &str) -> Result<Fetched, Error> {
        let scope = pull_scope(repo);
        let r = self.call(
            "GET",
            &format!("/v2/{repo}/manifests/{reference}"),
            &scope,
            &[("Accept", MANIFEST_ACCEPT)],
            &Body::Empty,
        )?;
        let media_type = r
            .header("Content-Type")
            .map(|c| c.split(';').next().unwrap_or("").trim().to_string())
            .unwrap_or_default();
        let mut bytes = Vec::new();
        r.into_reader()
            .take(8 << 20)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Transport {
                url: self.url(&format!("/v2/{repo}/manifests/{reference}")),
                cause: e.to_string(),
            })?;
        let digest = crate::util::hash::sha256_digest(&bytes);
        // The body's own mediaType wins over a generic Content-Type.
        let media_type = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| {
                v.get("mediaType")
                    .and_then(|m| m.as_str())
                    .map(String::from)
            })
            .unwrap_or(media_type);
        Ok(Fetched {
            bytes,
            media_type,
            digest,
        })
    }

    /// Every tag of a repository (`/tags/list`, following `Link` pages).
    pub fn tags(&self, repo: &str) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        let mut next = Some(format!("/v2/{repo}/tags/list"));
        while let Some(path) = next.take() {
            let r = self.call("GET", &path, &pull_scope(repo), &[], &Body::Empty)?;
            next = r.header("Link").and_then(|l| {
                let (target, rel) = l.split_once(';')?;
                rel.contains("rel=\"next\"").then(|| {
                    target
                        .trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_string()
                })
            });
            let v: serde_json::Value = serde_json::from_reader(r.into_reader().take(8 << 20))
                .map_err(|e| Error::Protocol(format!("the tag list of {repo}: {e}")))?;
            if let Some(tags) = v.get("tags").and_then(|t| t.as_array()) {
                out.extend(tags.iter().filter_map(|t| t.as_str().map(String::from)));
            }
        }
        Ok(out)
    }

    /// A blob's bytes as a stream (verifying them is the caller's work).
    pub fn blob(&self, repo: &str, digest: &str) -> Result<Box<dyn Read + Send>, Error> {
        let r = self.call(
            "GET",
            &format!("/v2/{repo}/blobs/{digest}"),
            &pull_scope(repo),
            &[],
            &Body::Empty,
        )?;
        Ok(Box::new(r.into_reader()))
    }

    /// Whether the registry has a blob in `repo`.
    pub fn has_blob(&self, repo: &str, digest: &str) -> Result<bool, Error> {
        match self.call(
            "HEAD",
            &format!("/v2/{repo}/blobs/{digest}"),
            &push_scope(repo),
            &[],
            &Body::Empty,
        ) {
            Ok(_) => Ok(true),
            Err(Error::Status { code: 404, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Tries a cross-repository mount of a blob from `from` (same
    /// registry); true when the registry mounted it.
    pub fn mount(&self, repo: &str, digest: &str, from: &str) -> Result<bool, Error> {
        let scope = format!("{} repository:{from}:pull", push_scope(repo));
        let r = self.call(
            "POST",
            &format!("/v2/{repo}/blobs/uploads/?mount={digest}&from={from}"),
            &scope,
            &[("Content-Length", "0")],
            &Body::Empty,
        )?;
        Ok(r.status() == 201)
    }

    /// Uploads a blob from a file: a POST for the session, then one PUT
    /// of the whole file with its digest (a monolithic upload). A registry
    /// (or a proxy before it) that finds that too large (413) gets it in
    /// chunks instead; `STRATA_UPLOAD_CHUNK_SIZE` (bytes) asks for chunks
    /// from the start.
    pub fn upload<'a>(
        &self,
        repo: &str,
        digest: &str,
        file: &'a Path,
        wrap: Option<&'a Wrap<'a>>,
    ) -> Result<(), Error> {
        let chunk: Option<u64> = std::env::var("STRATA_UPLOAD_CHUNK_SIZE")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0);
        if let Some(size) = chunk {
            return self.upload_chunked(repo, digest, file, size);
        }
        let scope = push_scope(repo);
        let url = self.start_upload(repo)?;
        match self.call(
            "PUT",
            &with_digest(&url, digest),
            &scope,
            &[("Content-Type", "application/octet-stream")],
            &Body::File(file, wrap),
        ) {
            Ok(_) => Ok(()),
            Err(Error::Status { code: 413, .. }) => {
                self.upload_chunked(repo, digest, file, 8 << 20)
            }
            Err(e) => Err(e),
        }
    }

    /// POST for an upload session; its URL.
    fn start_upload(&self, repo: &str) -> Result<String, Error> {
        let r = self.call(
            "POST",
            &format!("/v2/{repo}/blobs/uploads/"),
            &push_scope(repo),
            &[("Content-Length", "0")],
            &Body::Empty,
        )?;
        self.location(&r)
    }

    fn location(&self, r: &ureq::Response) -> Result<String, Error> {
        let location = r
            .header("Location")
            .ok_or_else(|| Error::Protocol("the registry gave no upload location".into()))?;
        Ok(if location.starts_with('/') {
            self.url(location)
        } else {
            location.to_string()
        })
    }

    /// A chunked upload: PATCH after PATCH with `Content-Range`, each to
    /// the location the last one gave, then the PUT with the digest.
    fn upload_chunked(
        &self,
        repo: &str,
        digest: &str,
        file: &Path,
        size: u64,
    ) -> Result<(), Error> {
        use std::io::Read as _;
        let scope = push_scope(repo);
        let mut url = self.start_upload(repo)?;
        let mut f = std::fs::File::open(file).map_err(|e| Error::Io {
            what: format!("reading {}", file.display()),
            err: e,
        })?;
        let mut offset = 0u64;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            (&mut f)
                .take(size)
                .read_to_end(&mut buf)
                .map_err(|e| Error::Io {
                    what: format!("reading {}", file.display()),
                    err: e,
                })?;
            if buf.is_empty() {
                break;
            }
            let end = offset + buf.len() as u64 - 1;
            let range = format!("{offset}-{end}");
            let r = self.call(
                "PATCH",
                &url,
                &scope,
                &[
                    ("Content-Type", "application/octet-stream"),
                    ("Content-Range", &range),
                ],
                &Body::Bytes(&buf),
            )?;
            url = self.location(&r)?;
            offset = end + 1;
        }
        self.call(
            "PUT",
            &with_digest(&url, digest),
            &scope,
            &[("Content-Length", "0")],
            &Body::Empty,
        )?;
        Ok(())
    }

    /// Puts a manifest under a tag; returns the digest the registry gave.
    pub fn put_manifest(
        &self,
        repo: &str,
        tag: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, Error> {
        let r = self.call(
            "PUT",
            &format!("/v2/{repo}/manifests/{tag}"),
            &push_scope(repo),
            &[("Content-Type", media_type)],
            &Body::Bytes(bytes),
        )?;
        Ok(r.header("Docker-Content-Digest")
            .map(String::from)
            .unwrap_or_else(|| crate::util::hash::sha256_digest(bytes)))
    }
}

fn with_digest(url: &str, digest: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}digest={digest}")
}

fn pull_scope(repo: &str) -> String {
    format!("repository:{repo}:pull")
}

fn push_scope(repo: &str) -> String {
    format!("repository:{repo}:pull,push")
}

fn transport_text(e: ureq::Error) -> String {
    match e {
        ureq::Error::Transport(t) => {
            let mut s = t.kind().to_string();
            if let Some(m) = t.message() {
                s = format!("{s}: {m}");
            }
            if let Some(src) = std::error::Error::source(&t) {
                s = format!("{s}: {src}");
            }
            s
        }
        other => other.to_string(),
    }
}

/// A failed status, with the registry's own error text (`{"errors": [...]}`).
fn status_error(method: &str, url: &str, code: u16, r: ureq::Response) -> Error {
    let mut body = String::new();
    let _ = r.into_reader().take(64 * 1024).read_to_string(&mut body);
    let mut text = String::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) {
        if let Some(errs) = v.get("errors").and_then(|e| e.as_array()) {
            let parts: Vec<String> = errs
                .iter()
                .map(|e| {
                    let code = e
                        .get("code")
                        .and_then(|c| c.as_str())
                        .unwrap_or("")
                        .to_ascii_lowercase()
                        .replace('_', " ");
                    let msg = e.get("message").and_then(|c| c.as_str()).unwrap_or("");
                    if msg.is_empty() || msg == code {
                        code
                    } else {
                        format!("{code}: {msg}")
                    }
                })
                .collect();
            text = parts.join(", ");
        }
    }
    if code == 401 {
        return Error::Unauthorized {
            url: url.to_string(),
            why: if text.is_empty() {
                "unauthorized: authentication required".into()
            } else {
                text
            },
        };
    }
    Error::Status {
        method: method.to_string(),
        url: url.to_string(),
        code,
        text: if text.is_empty() {
            http_reason(code).to_string()
        } else {
            text
        },
    }
}

fn http_reason(code: u16) -> &'static str {
    match code {
        400 => "bad request",
        403 => "denied: requested access to the resource is denied",
        404 => "not found",
        405 => "method not allowed",
        416 => "range not satisfiable",
        429 => "toomanyrequests: too many requests",
        500..=599 => "the registry failed",
        _ => "unexpected status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_registries_are_plain_http() {
        assert!(plain_http("localhost:5000", &[]));
        assert!(plain_http("127.0.0.1:5000", &[]));
        assert!(plain_http("[::1]:5000", &[]));
        assert!(!plain_http("registry.example.com", &[]));
        assert!(plain_http("reg.lan:5000", &["reg.lan:5000".into()]));
        assert!(plain_http("reg.lan:5000", &["reg.lan".into()]));
    }
}
