//! Credentials in docker's `~/.docker/config.json` (so docker's logins
//! work here and strata's in docker), and the `WWW-Authenticate`
//! challenge a registry answers an unauthenticated request with.

use super::Error;
use base64::Engine as _;
use std::collections::BTreeMap;
use std::path::Path;

/// A user name and password (or identity token) for one registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// The key docker files a registry's login under: Docker Hub keeps its old
/// index URL; any other registry is its host[:port].
pub fn config_key(host: &str) -> String {
    if host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io" {
        "https://index.docker.io/v1/".to_string()
    } else {
        host.to_string()
    }
}

fn read_config(path: &Path) -> Result<serde_json::Value, Error> {
    match std::fs::read(path) {
        Ok(b) if b.iter().all(u8::is_ascii_whitespace) => Ok(serde_json::json!({})),
        Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            why: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(serde_json::json!({})),
        Err(e) => Err(Error::Io {
            what: format!("reading {}", path.display()),
            err: e,
        }),
    }
}

/// The stored credentials for `host`, if any. Entries may be keyed with a
/// scheme or path (`https://host/v1/`), as older clients wrote them.
pub fn lookup(path: &Path, host: &str) -> Result<Option<Credentials>, Error> {
    let cfg = read_config(path)?;
    if let Some(helper) = helper_for(&cfg, host) {
        return helper_get(&helper, &config_key(host));
    }
    let Some(auths) = cfg.get("auths").and_then(|a| a.as_object()) else {
        return Ok(None);
    };
    let want = config_key(host);
    for (key, entry) in auths {
        if key != &want && strip_key(key) != host {
            continue;
        }
        if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
            if auth.is_empty() {
                continue;
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|e| Error::Config {
                    path: path.to_path_buf(),
                    why: format!("auth of {key}: {e}"),
                })?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let Some((u, p)) = text.split_once(':') else {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    why: format!("auth of {key} is not user:password"),
                });
            };
            return Ok(Some(Credentials {
                username: u.to_string(),
                password: p.to_string(),
            }));
        }
        if let (Some(u), Some(p)) = (
            entry.get("username").and_then(|a| a.as_str()),
            entry.get("password").and_then(|a| a.as_str()),
        ) {
            return Ok(Some(Credentials {
                username: u.to_string(),
                password: p.to_string(),
            }));
        }
    }
    Ok(None)
}

/// The credential helper docker would ask for `host`: `credHelpers`
/// names one per registry, `credsStore` one for all.
fn helper_for(cfg: &serde_json::Value, host: &str) -> Option<String> {
    let by_host = cfg
        .get("credHelpers")
        .and_then(|h| h.as_object())
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| k.as_str() == host || strip_key(k) == host)
                .and_then(|(_, v)| v.as_str())
        });
    by_host
        .or_else(|| cfg.get("credsStore").and_then(|s| s.as_str()))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Runs `docker-credential-<helper> <verb>` with `input` on its stdin.
fn helper_call(helper: &str, verb: &str, input: &str) -> Result<(bool, String), Error> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg(verb)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Io {
            what: format!("running the credential helper {program}"),
            err: e,
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| Error::Io {
        what: format!("running the credential helper {program}"),
        err: e,
    })?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() && verb != "get" {
        return Err(Error::Protocol(format!(
            "error {} credentials with {program}: {}",
            if verb == "store" {
                "storing"
            } else {
                "erasing"
            },
            if text.is_empty() {
                String::from_utf8_lossy(&out.stderr).trim().to_string()
            } else {
                text
            }
        )));
    }
    Ok((out.status.success(), text))
}

/// `get` from a helper; none when it has no credentials for `key`.
fn helper_get(helper: &str, key: &str) -> Result<Option<Credentials>, Error> {
    let (ok, text) = helper_call(helper, "get", key)?;
    if !ok {
        // "credentials not found in native keychain": not an error.
        return Ok(None);
    }
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Protocol(format!("docker-credential-{helper} answered badly: {e}")))?;
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let (username, password) = (field("Username"), field("Secret"));
    if password.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credentials { username, password }))
}

fn strip_key(key: &str) -> &str {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    k.split('/').next().unwrap_or(k)
}

/// Stores (or with `None`, removes) the credentials for `host`, keeping
/// everything else in the file; the file is replaced whole, mode 0600.
/// Returns whether an entry was there before.
pub fn store(path: &Path, host: &str, creds: Option<&Credentials>) -> Result<bool, Error> {
    let mut cfg = read_config(path)?;
    // A credential helper keeps the secret; the file keeps an empty entry
    // (as docker writes it) so that `auths` still lists the registry.
    let helper = helper_for(&cfg, host);
    let via_helper = helper.is_some();
    let mut helper_had = false;
    if let Some(h) = &helper {
        let key = config_key(host);
        helper_had = helper_get(h, &key)?.is_some();
        match creds {
            Some(c) => helper_call(
                h,
                "store",
                &serde_json::json!({"ServerURL": key, "Username": c.username, "Secret": c.password})
                    .to_string(),
            )
            .map(|_| ())?,
            None if helper_had => helper_call(h, "erase", &key).map(|_| ())?,
            None => {}
        }
    }
    if !cfg.is_object() {
        cfg = serde_json::json!({});
    }
    let obj = cfg.as_object_mut().expect("an object");
    let auths = obj.entry("auths").or_insert_with(|| serde_json::json!({}));
    if !auths.is_object() {
        *auths = serde_json::json!({});
    }
    let auths = auths.as_object_mut().expect("an object");
    let key = config_key(host);
    let existed = auths.keys().any(|k| k == &key || strip_key(k) == host);
    auths.retain(|k, _| k != &key && strip_key(k) != host);
    if let Some(c) = creds {
        let entry = if via_helper {
            serde_json::json!({})
        } else {
            let auth = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", c.username, c.password));
            serde_json::json!({ "auth": auth })
        };
        auths.insert(key, entry);
    }
    let bytes = serde_json::to_vec_pretty(&cfg).unwrap_or_default();
    write_private(path, &bytes)?;
    Ok(existed || helper_had)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io = |what: &str, err| Error::Io {
        what: format!("{what} {}", path.display()),
        err,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io("creating the directory of", e))?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| io("writing", e))?;
        f.write_all(bytes).map_err(|e| io("writing", e))?;
        f.sync_all().map_err(|e| io("writing", e))?;
        std::fs::rename(&tmp, path).map_err(|e| io("replacing", e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A parsed `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `bearer` or `basic`, lower case.
    pub scheme: String,
    pub params: BTreeMap<String, String>,
}

/// Parses `Bearer realm="https://a/token",service="reg",scope="x:y:pull"`.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = match header.split_once(char::is_whitespace) {
        Some((s, r)) => (s, r),
        None => (header, ""),
    };
    if scheme.is_empty() {
        return None;
    }
    let mut params = BTreeMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.trim().is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                value.push(n)
                            }
                        }
                        '"' => break,
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        }
        params.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    Some(Challenge {
        scheme: scheme.to_ascii_lowercase(),
        params,
    })
}

/// `Basic <base64(user:password)>`.
pub fn basic_header(c: &Credentials) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.username, c.password))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.docker.io/token");
        assert_eq!(c.params["service"], "registry.docker.io");
        assert_eq!(c.params["scope"], "repository:library/busybox:pull,push");
        let c = parse_challenge(r#"Basic realm="Registry Realm""#).unwrap();
        assert_eq!(c.scheme, "basic");
        assert_eq!(c.params["realm"], "Registry Realm");
        assert_eq!(parse_challenge(""), None);
    }

    #[test]
    fn config_round_trip_keeps_other_fields_and_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("strata-auth-{}", std::process::id()));
        let path = dir.join("config.json");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            &path,
            r#"{"auths":{"other:5000":{"auth":"dTpw"}},"psFormat":"x"}"#,
        )
        .unwrap();
        let c = Credentials {
            username: "me".into(),
            password: "p:w".into(),
        };
        assert!(!store(&path, "localhost:5000", Some(&c)).unwrap());
        assert_eq!(lookup(&path, "localhost:5000").unwrap(), Some(c.clone()));
        assert_eq!(lookup(&path, "other:5000").unwrap().unwrap().username, "u");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(v["psFormat"], "x");
        assert_eq!(v["auths"]["localhost:5000"]["auth"], "bWU6cDp3");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(store(&path, "localhost:5000", None).unwrap());
        assert_eq!(lookup(&path, "localhost:5000").unwrap(), None);
        assert_eq!(config_key("docker.io"), "https://index.docker.io/v1/");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
