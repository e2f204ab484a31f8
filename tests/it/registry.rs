//! Images that travel: a real registry (Debian's docker-registry, the CNCF
//! distribution server) on 127.0.0.1 with a store of its own, with basic
//! auth, and behind a test proxy that plays a bearer-token server or a
//! network that cuts, corrupts or stalls blobs.

use crate::util::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A docker-registry process; killed and its storage removed on drop.
pub struct Registry {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Registry {
    pub fn start() -> Registry {
        Registry::start_with(None)
    }

    /// A registry that wants `user:password` (htpasswd, bcrypt).
    pub fn with_basic_auth(user: &str, password: &str) -> Registry {
        Registry::start_with(Some((user, password)))
    }

    fn start_with(auth: Option<(&str, &str)>) -> Registry {
        let dir = std::env::temp_dir().join(format!("strata-registry-{}", random_suffix()));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("data").display()
        );
        if let Some((u, p)) = auth {
            let out = Command::new("htpasswd")
                .args(["-Bbn", u, p])
                .output()
                .expect("htpasswd (apache2-utils) is needed: scripts/setup.sh installs it");
            std::fs::write(dir.join("htpasswd"), &out.stdout).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: test\n    path: {}\n",
                dir.join("htpasswd").display()
            ));
        }
        std::fs::write(dir.join("config.yml"), config).unwrap();
        let log = std::fs::File::create(dir.join("log")).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.join("config.yml"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("docker-registry is needed: scripts/setup.sh installs it");
        let reg = Registry { child, port, dir };
        assert!(
            wait_for(10.0, || TcpStream::connect(("127.0.0.1", port)).is_ok()),
            "the registry did not start: {}",
            std::fs::read_to_string(reg.dir.join("log")).unwrap_or_default()
        );
        reg
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the proxy does to blob downloads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fault {
    None,
    /// Sends half the blob, then closes the connection.
    CutBlob,
    /// Flips a byte in the middle of the blob.
    CorruptBlob,
    /// Sends half the blob, then waits for a minute.
    StallBlob,
    /// Refuses a PUT with more than 64 kB in it (a proxy's body limit).
    RefuseBigPut,
}

/// A proxy in front of a registry: a bearer-token server (`/token`, whose
/// calls it counts) when `token` is set, faults on blobs, and canned
/// manifests.
pub struct Proxy {
    pub port: u16,
    pub token_calls: Arc<AtomicUsize>,
    /// PATCH requests seen (chunks of uploads).
    pub patches: Arc<AtomicUsize>,
}

struct ProxyConf {
    backend: u16,
    port: u16,
    token: bool,
    /// The Basic credentials the token server wants, if any.
    token_basic: Option<String>,
    fault: Fault,
    canned: Vec<(String, String, Vec<u8>)>,
    token_calls: Arc<AtomicUsize>,
    patches: Arc<AtomicUsize>,
}

const TOKEN: &str = "tok-3f2a";

impl Proxy {
    pub fn start(backend: u16, token: bool, fault: Fault) -> Proxy {
        Proxy::start_full(backend, token, None, fault, Vec::new())
    }

    pub fn start_full(
        backend: u16,
        token: bool,
        token_basic: Option<(&str, &str)>,
        fault: Fault,
        canned: Vec<(String, String, Vec<u8>)>,
    ) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let token_calls = Arc::new(AtomicUsize::new(0));
        let patches = Arc::new(AtomicUsize::new(0));
        let conf = Arc::new(ProxyConf {
            backend,
            port,
            token,
            token_basic: token_basic.map(|(u, p)| format!("Basic {}", base64(&format!("{u}:{p}")))),
            fault,
            canned,
            token_calls: token_calls.clone(),
            patches: patches.clone(),
        });
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let conf = conf.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, &conf);
                });
            }
        });
        Proxy {
            port,
            token_calls,
            patches,
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

fn base64(s: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn respond(conn: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(body);
}

fn serve(mut conn: TcpStream, conf: &ProxyConf) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end().to_string();
        if h.is_empty() {
            break;
        }
        headers.push(h);
    }
    let header = |name: &str| {
        headers.iter().find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    let len: usize = header("Content-Length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    let mut parts = request.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let path = target.split('?').next().unwrap_or("").to_string();
    if path == "/token" {
        conf.token_calls.fetch_add(1, Ordering::SeqCst);
        if let Some(want) = &conf.token_basic {
            if header("Authorization").as_deref() != Some(want.as_str()) {
                respond(
                    &mut conn,
                    "401 Unauthorized",
                    &[],
                    br#"{"details":"incorrect username or password"}"#,
                );
                return Ok(());
            }
        }
        respond(
            &mut conn,
            "200 OK",
            &[("Content-Type", "application/json".into())],
            format!(r#"{{"token":"{TOKEN}","expires_in":300}}"#).as_bytes(),
        );
        return Ok(());
    }
    if conf.token && header("Authorization").as_deref() != Some(&format!("Bearer {TOKEN}")) {
        respond(
            &mut conn,
            "401 Unauthorized",
            &[(
                "WWW-Authenticate",
                format!(
                    r#"Bearer realm="http://127.0.0.1:{}/token",service="test-registry",scope="repository:x:pull""#,
                    conf.port
                ),
            )],
            br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
        );
        return Ok(());
    }
    if method == "PATCH" {
        conf.patches.fetch_add(1, Ordering::SeqCst);
    }
    if conf.fault == Fault::RefuseBigPut && method == "PUT" && body.len() > 64 * 1024 {
        respond(&mut conn, "413 Payload Too Large", &[], b"");
        return Ok(());
    }
    if let Some((_, ctype, b)) = conf.canned.iter().find(|(p, _, _)| *p == path) {
        respond(&mut conn, "200 OK", &[("Content-Type", ctype.clone())], b);
        return Ok(());
    }
    // Forward, one request per connection.
    let mut back = TcpStream::connect(("127.0.0.1", conf.backend))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    for h in &headers {
        let k = h.split(':').next().unwrap_or("");
        if k.eq_ignore_ascii_case("Connection") || k.eq_ignore_ascii_case("Authorization") {
            continue;
        }
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    back.write_all(head.as_bytes())?;
    back.write_all(&body)?;
    let mut resp = Vec::new();
    back.read_to_end(&mut resp)?;
    // Only big blobs (a base layer, not a config or a small layer).
    let is_blob = method == "GET" && path.contains("/blobs/sha256:") && resp.len() > 8192;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    match (conf.fault, is_blob, split) {
        (Fault::None | Fault::RefuseBigPut, _, _) | (_, false, _) | (_, _, None) => {
            conn.write_all(&resp)?
        }
        (fault, true, Some(at)) => {
            let (h, b) = resp.split_at(at);
            let mut b = b.to_vec();
            let half = b.len() / 2;
            conn.write_all(h)?;
            match fault {
                Fault::CutBlob => conn.write_all(&b[..half])?,
                Fault::CorruptBlob => {
                    if !b.is_empty() {
                        b[half] ^= 0xff;
                    }
                    conn.write_all(&b)?
                }
                _ => {
                    conn.write_all(&b[..half])?;
                    conn.flush()?;
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
            }
        }
    }
    Ok(())
}

/// A two-layer image `name` in `env`: busybox and a file, `cat`ed by CMD.
fn build_hi(env: &Env, name: &str) {
    env.build_image(
        name,
        "FROM busybox\nRUN echo hi > /hello\nCMD [\"cat\", \"/hello\"]\n",
    );
}

/// A registry with `me/hi:1` pushed to it from a store of its own.
fn registry_with_hi() -> (Registry, Env, String) {
    let reg = Registry::start();
    let src = Env::with_busybox();
    let name = format!("{}/me/hi:1", reg.host());
    build_hi(&src, &name);
    src.ok(&["push", &name]);
    (reg, src, name)
}

fn image_id(env: &Env, name: &str) -> String {
    env.ok(&["inspect", "-f", "{{.Id}}", name])
        .trim()
        .to_string()
}

/// Nothing of a pull is left: no image, no layer, no work in tmp/.
fn assert_store_empty(env: &Env) {
    assert_eq!(env.ok(&["images", "-aq"]), "");
    let count = |d: &str| {
        std::fs::read_dir(env.root().join(d))
            .map(|r| r.count())
            .unwrap_or(0)
    };
    assert_eq!(count("layers"), 0, "no layer is stored");
    let tmp: Vec<_> = std::fs::read_dir(env.root().join("tmp"))
        .map(|r| r.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(tmp.is_empty(), "tmp/ is empty: {tmp:?}");
}

fn digest_in(push_out: &str) -> String {
    push_out
        .lines()
        .find_map(|l| l.split(": digest: ").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no digest line in {push_out}"))
        .to_string()
}

#[test]
fn push_then_pull_on_a_clean_store_keeps_the_image() {
    let reg = Registry::start();
    let host = reg.host();
    let src = Env::with_busybox();
    let name = format!("{host}/me/hi:1");
    build_hi(&src, &name);
    let out = src.ok(&["push", &name]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!("The push refers to repository [{host}/me/hi]")
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(": Preparing")).count(),
        2,
        "{out}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(": Pushed")).count(),
        2,
        "{out}"
    );
    let digest = digest_in(&out);
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with(&format!("1: digest: {digest} size: ")),
        "{out}"
    );
    // Again: the registry has every blob.
    let out = src.ok(&["push", &name]);
    assert_eq!(out.matches(": Layer already exists").count(), 2, "{out}");
    assert_eq!(digest_in(&out), digest, "the same manifest");
    // Another repository of the same registry: mounted, not uploaded.
    src.ok(&["tag", &name, &format!("{host}/other/hi:1")]);
    let out = src.ok(&["push", &format!("{host}/other/hi:1")]);
    assert_eq!(out.matches(": Mounted from me/hi").count(), 2, "{out}");

    let dst = Env::new();
    let out = dst.ok(&["pull", &name]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "1: Pulling from me/hi");
    assert_eq!(out.matches(": Pulling fs layer").count(), 2, "{out}");
    assert_eq!(out.matches(": Pull complete").count(), 2, "{out}");
    assert!(out.contains(&format!("\nDigest: {digest}\n")), "{out}");
    assert!(
        out.contains(&format!("\nStatus: Downloaded newer image for {name}\n")),
        "{out}"
    );
    assert_eq!(*lines.last().unwrap(), name);
    assert_eq!(
        image_id(&dst, &name),
        image_id(&src, &name),
        "the same image id"
    );
    assert_eq!(dst.ok(&["run", "--rm", "--network", "none", &name]), "hi\n");
    assert_eq!(
        dst.ok(&["history", "--format", "{{.CreatedBy}}", &name]),
        src.ok(&["history", "--format", "{{.CreatedBy}}", &name])
    );
    // Up to date the second time; the digest is known.
    let out = dst.ok(&["pull", &name]);
    assert_eq!(out.matches(": Already exists").count(), 2, "{out}");
    assert!(
        out.contains(&format!("Status: Image is up to date for {name}")),
        "{out}"
    );
    assert_eq!(
        dst.ok(&["inspect", "-f", "{{json .RepoDigests}}", &name])
            .trim(),
        format!("[\"{host}/me/hi@{digest}\"]")
    );
    let table = dst.ok(&["images", "--digests"]);
    assert!(table.starts_with("REPOSITORY "), "{table}");
    assert!(
        table.lines().next().unwrap().contains(" DIGEST "),
        "{table}"
    );
    assert!(table.contains(&digest), "{table}");
    // By digest, into a third store: the same image, untagged.
    let third = Env::new();
    let by_digest = format!("{host}/me/hi@{digest}");
    let out = third.ok(&["pull", &by_digest]);
    assert!(
        out.starts_with(&format!("{digest}: Pulling from me/hi\n")),
        "{out}"
    );
    assert_eq!(image_id(&third, &by_digest), image_id(&src, &name));
    assert_eq!(third.ok(&["images", "--format", "{{.Tag}}"]), "<none>\n");
    // An unknown tag and an unknown repository: docker's exit code 1.
    let (_, err) = dst.code(1, &["pull", &format!("{host}/me/hi:nope")]);
    assert!(
        err.contains("not found") && err.contains("manifest unknown"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // rmi of the last tag takes the repository's digest with it (docker's rule).
    let out = dst.ok(&["rmi", &name]);
    assert!(
        out.starts_with(&format!(
            "Untagged: {name}\nUntagged: {host}/me/hi@{digest}\nDeleted: "
        )),
        "{out}"
    );
    assert_eq!(dst.ok(&["images", "-aq"]), "");
    let (_, err) = dst.code(1, &["push", &format!("{host}/never/made:1")]);
    assert!(
        err.contains("An image does not exist locally with the tag"),
        "{err}"
    );
}

#[test]
fn run_and_build_pull_a_missing_image() {
    let (_reg, _src, name) = registry_with_hi();

    let dst = Env::new();
    let (_, err) = dst.code(125, &["run", "--rm", "--pull", "never", &name]);
    assert!(
        err.starts_with(&format!("Unable to find image '{name}' locally\n")),
        "{err}"
    );
    let out = dst.run(&["run", "--rm", "--network", "none", &name]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "hi\n");
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "Unable to find image '{name}' locally\n1: Pulling from me/hi\n"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("Status: Downloaded newer image for {name}")),
        "{err}"
    );
    // --pull always asks the registry again.
    let out = dst.run(&[
        "run",
        "--rm",
        "--pull",
        "always",
        "--network",
        "none",
        &name,
    ]);
    assert!(
        stderr(&out).contains("Status: Image is up to date"),
        "{}",
        stderr(&out)
    );
    let (_, err) = dst.code(125, &["run", "--pull", "sometimes", &name]);
    assert!(err.contains("invalid"), "{err}");

    // A build's FROM.
    let b = Env::new();
    let ctx = b.dir.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("FROM {name}\nRUN cat /hello\n"),
    )
    .unwrap();
    let out = b.run(&[
        "build",
        "--network",
        "none",
        "-t",
        "on-top",
        ctx.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("\nhi\n"), "{}", stdout(&out));
}

#[test]
fn basic_auth_login_and_logout() {
    let reg = Registry::with_basic_auth("me", "s3cret");
    let host = reg.host();
    let env = Env::with_busybox();
    let name = format!("{host}/me/hi:1");
    build_hi(&env, &name);
    let (_, err) = env.code(1, &["push", &name]);
    assert!(err.contains("no basic auth credentials"), "{err}");

    let login = |pw: &str| {
        let mut c = env.cmd(&["login", "-u", "me", "--password-stdin", &host]);
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{pw}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = login("wrong");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unauthorized: incorrect username or password"),
        "{}",
        stderr(&out)
    );
    let config = env.dir.join("docker").join("config.json");
    assert!(!config.exists(), "a failed login stores nothing");
    let out = login("s3cret");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Login Succeeded\n");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    assert_eq!(v["auths"][&host]["auth"], base64("me:s3cret"));

    env.ok(&["push", &name]);
    env.ok(&["rmi", &name]);
    env.ok(&["pull", &name]);
    assert_eq!(
        env.ok(&["logout", &host]),
        format!("Removing login credentials for {host}\n")
    );
    assert_eq!(
        env.ok(&["logout", &host]),
        format!("Not logged in to {host}\n")
    );
    env.ok(&["rmi", &name]);
    let (_, err) = env.code(1, &["pull", &name]);
    assert!(err.contains("no basic auth credentials"), "{err}");
    // No terminal and no password: docker's refusal.
    let (_, err) = env.code(1, &["login", &host]);
    assert!(
        err.contains("Cannot perform an interactive login from a non TTY device"),
        "{err}"
    );
}

#[test]
fn bearer_tokens_are_fetched_once_per_scope() {
    let reg = Registry::start();
    let proxy = Proxy::start_full(reg.port, true, Some(("me", "pw")), Fault::None, Vec::new());
    let host = proxy.host();
    let env = Env::with_busybox();
    let name = format!("{host}/me/hi:1");
    build_hi(&env, &name);
    // The token server wants credentials.
    let (_, err) = env.code(1, &["push", &name]);
    assert!(err.contains("denied"), "{err}");
    let (_, err) = env.code(1, &["login", "-u", "me", "-p", "bad", &host]);
    assert!(err.contains("incorrect username or password"), "{err}");
    let (out, err) = env.code(0, &["login", "-u", "me", "-p", "pw", &host]);
    assert_eq!(out, "Login Succeeded\n");
    assert!(
        err.contains("WARNING! Using --password via the CLI is insecure"),
        "{err}"
    );
    env.ok(&["push", &name]);
    env.ok(&["rmi", &name]);
    let before = proxy.token_calls.load(Ordering::SeqCst);
    let out = env.ok(&["pull", &name]);
    assert!(out.contains(": Pull complete"), "{out}");
    // One pull scope: one token for the manifest, the config and both layers.
    assert_eq!(proxy.token_calls.load(Ordering::SeqCst) - before, 1);
    assert_eq!(env.ok(&["run", "--rm", "--network", "none", &name]), "hi\n");
}

#[test]
fn a_multi_arch_index_pulls_this_machine_s_image() {
    let reg = Registry::start();
    let host = reg.host();
    let env = Env::with_busybox();
    build_hi(&env, &format!("{host}/multi:amd64"));
    env.ok(&["tag", "busybox", &format!("{host}/multi:arm64")]);
    let amd = env.ok(&["push", &format!("{host}/multi:amd64")]);
    let arm = env.ok(&["push", &format!("{host}/multi:arm64")]);
    let size = |out: &str| {
        out.lines()
            .last()
            .unwrap()
            .rsplit(' ')
            .next()
            .unwrap()
            .to_string()
    };
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
{{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"{}","size":{},"platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}},
{{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"{}","size":{},"platform":{{"architecture":"amd64","os":"linux"}}}}]}}"#,
        digest_in(&arm),
        size(&arm),
        digest_in(&amd),
        size(&amd)
    );
    let put = Command::new("curl")
        .args([
            "-sf",
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/vnd.oci.image.index.v1+json",
            "--data-binary",
            &index,
        ])
        .arg(format!("http://{host}/v2/multi/manifests/latest"))
        .status()
        .unwrap();
    assert!(put.success(), "the registry took the index");
    let dst = Env::new();
    let out = dst.ok(&["pull", &format!("{host}/multi")]);
    assert!(
        out.starts_with("Using default tag: latest\nlatest: Pulling from multi\n"),
        "{out}"
    );
    assert_eq!(
        image_id(&dst, &format!("{host}/multi")),
        image_id(&env, &format!("{host}/multi:amd64"))
    );
    dst.ok(&[
        "pull",
        "--platform",
        "linux/arm64",
        &format!("{host}/multi"),
    ]);
    assert_eq!(
        image_id(&dst, &format!("{host}/multi")),
        image_id(&env, "busybox")
    );
    let (_, err) = dst.code(
        1,
        &[
            "pull",
            "--platform",
            "linux/s390x",
            &format!("{host}/multi"),
        ],
    );
    assert!(
        err.contains("no matching manifest for linux/s390x"),
        "{err}"
    );
}

#[test]
fn skopeo_copies_in_and_zstd_layers_pull() {
    let reg = Registry::start();
    let host = reg.host();
    let env = Env::with_busybox();
    build_hi(&env, "me/hi:1");
    let archive = env.dir.join("hi.tar");
    env.ok(&["save", "-o", archive.to_str().unwrap(), "me/hi:1"]);
    let copy = Command::new("skopeo")
        .args([
            "copy",
            "-q",
            "--dest-tls-verify=false",
            "--dest-compress-format",
            "zstd",
            "--dest-compress",
        ])
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(format!("docker://{host}/zst:1"))
        .output()
        .expect("skopeo is needed: scripts/setup.sh installs it");
    assert!(copy.status.success(), "{}", stderr(&copy));
    let manifest = Command::new("curl")
        .args([
            "-sf",
            "-H",
            "Accept: application/vnd.oci.image.manifest.v1+json",
        ])
        .arg(format!("http://{host}/v2/zst/manifests/1"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&manifest.stdout).contains("tar+zstd"),
        "the layers are zstd"
    );
    let dst = Env::new();
    dst.ok(&["pull", &format!("{host}/zst:1")]);
    // skopeo rewrites the config for an OCI manifest; the layers are the same.
    let rootfs = |e: &Env, n: &str| e.ok(&["inspect", "-f", "{{json .RootFS}}", n]);
    assert_eq!(
        rootfs(&dst, &format!("{host}/zst:1")),
        rootfs(&env, "me/hi:1")
    );
    assert_eq!(
        dst.ok(&["run", "--rm", "--network", "none", &format!("{host}/zst:1")]),
        "hi\n"
    );
    // Pushed on from here, the zstd blobs go up as they are (an OCI manifest).
    dst.ok(&[
        "tag",
        &format!("{host}/zst:1"),
        &format!("{host}/zst:again"),
    ]);
    dst.ok(&["push", &format!("{host}/zst:again")]);
    let again = Env::new();
    again.ok(&["pull", &format!("{host}/zst:again")]);
    assert_eq!(
        image_id(&again, &format!("{host}/zst:again")),
        image_id(&dst, &format!("{host}/zst:1"))
    );
}

#[test]
fn a_cut_corrupted_or_killed_pull_stores_nothing_and_a_rerun_works() {
    let (reg, src, _) = registry_with_hi();
    let rootfs = src.ok(&["inspect", "-f", "{{json .RootFS.Layers}}", "busybox"]);
    let base_layer = rootfs.split("sha256:").nth(1).unwrap()[..64].to_string();
    let dst = Env::new();
    for (fault, want) in [
        (Fault::CutBlob, "unexpected EOF"),
        (
            Fault::CorruptBlob,
            "filesystem layer verification failed for digest",
        ),
    ] {
        let proxy = Proxy::start(reg.port, false, fault);
        let (_, err) = dst.code(1, &["pull", &format!("{}/me/hi:1", proxy.host())]);
        assert!(err.contains(want), "{fault:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        // No image, no work left, and the bad layer is not stored (the
        // good one may be: a rerun does not fetch it again).
        assert_eq!(dst.ok(&["images", "-aq"]), "");
        assert_eq!(
            std::fs::read_dir(dst.root().join("tmp")).unwrap().count(),
            0
        );
        assert!(
            !dst.root().join("layers").join(&base_layer).exists(),
            "{fault:?}"
        );
    }
    // Killed in the middle of a layer: the rerun finds and clears the
    // half-made layer, and completes.
    let proxy = Proxy::start(reg.port, false, Fault::StallBlob);
    let mut pull = dst.spawn(&["pull", &format!("{}/me/hi:1", proxy.host())]);
    assert!(wait_for(20.0, || {
        std::fs::read_dir(dst.root().join("tmp"))
            .map(|r| {
                r.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("layer-"))
            })
            .unwrap_or(false)
    }));
    std::thread::sleep(std::time::Duration::from_millis(300));
    pull.kill().unwrap();
    pull.wait().unwrap();
    let name = format!("{}/me/hi:1", reg.host());
    dst.ok(&["pull", &name]);
    assert_eq!(dst.ok(&["run", "--rm", "--network", "none", &name]), "hi\n");
    let tmp: Vec<_> = std::fs::read_dir(dst.root().join("tmp"))
        .unwrap()
        .flatten()
        .collect();
    assert!(tmp.is_empty(), "tmp/ is swept");
}

#[test]
fn manifests_strata_does_not_read_are_refused() {
    let reg = Registry::start();
    let proxy = Proxy::start_full(
        reg.port,
        false,
        None,
        Fault::None,
        vec![
            (
                "/v2/old/manifests/latest".into(),
                "application/vnd.docker.distribution.manifest.v1+prettyjws".into(),
                br#"{"schemaVersion":1,"name":"old","tag":"latest","fsLayers":[]}"#.to_vec(),
            ),
            (
                "/v2/odd/manifests/latest".into(),
                "application/vnd.example.odd+json".into(),
                br#"{"schemaVersion":2,"mediaType":"application/vnd.example.odd+json"}"#.to_vec(),
            ),
        ],
    );
    let env = Env::new();
    let (_, err) = env.code(1, &["pull", &format!("{}/old", proxy.host())]);
    assert!(err.contains("schema 1"), "{err}");
    let (_, err) = env.code(1, &["pull", &format!("{}/odd", proxy.host())]);
    assert!(err.contains("unsupported manifest media type"), "{err}");
    assert_store_empty(&env);
}

/// A docker-archive with `files` (name, bytes).
fn write_tar(path: &Path, files: &[(&str, Vec<u8>)]) {
    let mut b = tar::Builder::new(std::fs::File::create(path).unwrap());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        // set_path refuses `..`: write the raw name.
        let bytes = name.as_bytes();
        h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        h.set_cksum();
        b.append(&h, &data[..]).unwrap();
    }
    b.finish().unwrap();
}

#[test]
fn save_and_load_round_trip_and_bad_archives_store_nothing() {
    let env = Env::with_busybox();
    build_hi(&env, "me/hi:1");
    env.ok(&["tag", "me/hi:1", "me/hi:2"]);
    let docker = env.dir.join("hi.tar");
    let oci = env.dir.join("hi-oci.tar");
    env.ok(&["save", "-o", docker.to_str().unwrap(), "me/hi"]);
    env.ok(&[
        "save",
        "--format",
        "oci-archive",
        "-o",
        oci.to_str().unwrap(),
        "me/hi:1",
    ]);
    let (_, err) = env.code(
        1,
        &[
            "save",
            "-o",
            env.dir.join("x.tar").to_str().unwrap(),
            "nosuch",
        ],
    );
    assert!(err.contains("No such image: nosuch"), "{err}");
    assert!(!env.dir.join("x.tar").exists(), "no half archive");
    for archive in [&docker, &oci] {
        let dst = Env::new();
        let out = dst.ok(&["load", "-i", archive.to_str().unwrap()]);
        if archive == &docker {
            assert_eq!(out, "Loaded image: me/hi:1\nLoaded image: me/hi:2\n");
        } else {
            assert_eq!(out, "Loaded image: me/hi:1\n");
        }
        assert_eq!(image_id(&dst, "me/hi:1"), image_id(&env, "me/hi:1"));
        assert_eq!(
            dst.ok(&["run", "--rm", "--network", "none", "me/hi:1"]),
            "hi\n"
        );
        assert_eq!(
            dst.ok(&["history", "--format", "{{.CreatedBy}} {{.Size}}", "me/hi:1"]),
            env.ok(&["history", "--format", "{{.CreatedBy}} {{.Size}}", "me/hi:1"])
        );
        // Saved again from the loaded store: the same archive content.
        let again = dst.dir.join("again.tar");
        dst.ok(&["save", "-o", again.to_str().unwrap(), "me/hi:1"]);
        let third = Env::new();
        third.ok(&["load", "-i", again.to_str().unwrap()]);
        assert_eq!(image_id(&third, "me/hi:1"), image_id(&env, "me/hi:1"));
    }
    // Through a pipe, both ways.
    let mut save = env.cmd(&["save", "busybox"]);
    save.stdout(Stdio::piped());
    let mut saved = save.spawn().unwrap();
    let dst = Env::new();
    let out = dst
        .cmd(&["load"])
        .stdin(saved.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(saved.wait().unwrap().success());
    assert_eq!(
        stdout(&out),
        "Loaded image: busybox:latest\n",
        "{}",
        stderr(&out)
    );

    // Bad archives: a clear error, nothing stored, nothing written outside.
    let manifest = |layers: &str| {
        format!(r#"[{{"Config":"c.json","RepoTags":["bad:1"],"Layers":[{layers}]}}]"#).into_bytes()
    };
    let config = std::fs::read(env.root().join("images").join(format!(
        "{}.json",
        image_id(&env, "busybox").trim_start_matches("sha256:")
    )))
    .unwrap();
    let small_tar = {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "x", &b"x"[..]).unwrap();
        b.into_inner().unwrap()
    };
    let escaped = std::env::temp_dir().join("strata-escaped-by-load");
    let _ = std::fs::remove_file(&escaped);
    type Files<'a> = Vec<(&'a str, Vec<u8>)>;
    let cases: Vec<(&str, Files, &str)> = vec![
        (
            "dotdot",
            vec![(
                "../../../../../../tmp/strata-escaped-by-load",
                b"x".to_vec(),
            )],
            "unsafe path",
        ),
        (
            "missing layer",
            vec![
                ("manifest.json", manifest(r#""l/layer.tar""#)),
                ("c.json", config.clone()),
            ],
            "l/layer.tar is missing",
        ),
        (
            "wrong layer",
            vec![
                ("manifest.json", manifest(r#""l/layer.tar""#)),
                ("c.json", config.clone()),
                ("l/layer.tar", small_tar.clone()),
            ],
            "the config says",
        ),
        (
            "no manifest",
            vec![("hello", b"x".to_vec())],
            "no manifest.json",
        ),
    ];
    for (what, files, want) in cases {
        let dst = Env::new();
        let path = dst.dir.join("bad.tar");
        write_tar(&path, &files);
        let (_, err) = dst.code(1, &["load", "-i", path.to_str().unwrap()]);
        assert!(err.contains(want), "{what}: {err}");
        assert_eq!(err.lines().count(), 1, "{what}: {err}");
        assert_store_empty(&dst);
    }
    assert!(!escaped.exists(), "nothing was written outside");
    let dst = Env::new();
    let path = dst.dir.join("junk.tar");
    std::fs::write(&path, b"not an archive at all").unwrap();
    let (_, err) = dst.code(1, &["load", "-i", path.to_str().unwrap()]);
    assert!(err.starts_with("Error: "), "{err}");
    assert_store_empty(&dst);
}

/// podman with a store of its own (vfs: no mounts), removed on drop.
struct Podman {
    dir: PathBuf,
}

impl Podman {
    fn new() -> Podman {
        let dir = std::env::temp_dir().join(format!("strata-podman-{}", random_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        // This machine's quirks: hybrid cgroups (crun refuses them: runc),
        // no CAP_SYS_RESOURCE (podman's default rlimits would need it).
        std::fs::write(
            dir.join("containers.conf"),
            "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n\
             [engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"none\"\n",
        )
        .unwrap();
        Podman { dir }
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("podman")
            .env("CONTAINERS_CONF", self.dir.join("containers.conf"))
            .arg("--root")
            .arg(self.dir.join("root"))
            .arg("--runroot")
            .arg(self.dir.join("run"))
            .args(["--storage-driver", "vfs"])
            .args(args)
            .output()
            .expect("podman is needed: scripts/setup.sh installs it")
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self.cmd(&["rm", "-af"]);
        let _ = self.cmd(&["rmi", "-af"]);
        let _ = Command::new("umount")
            .arg("-R")
            .arg(&self.dir)
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
        // podman's cgroupfs parent, in every hierarchy: gone when empty.
        if let Ok(hierarchies) = std::fs::read_dir("/sys/fs/cgroup") {
            for h in hierarchies.flatten() {
                let parent = h.path().join("libpod_parent");
                if let Ok(children) = std::fs::read_dir(&parent) {
                    for c in children.flatten().filter(|c| c.path().is_dir()) {
                        let _ = std::fs::remove_dir(c.path());
                    }
                    let _ = std::fs::remove_dir(&parent);
                }
            }
        }
    }
}

#[test]
fn podman_loads_what_strata_saved_and_strata_loads_what_podman_saved() {
    let env = Env::with_busybox();
    build_hi(&env, "me/hi:1");
    let archive = env.dir.join("hi.tar");
    env.ok(&["save", "-o", archive.to_str().unwrap(), "me/hi:1"]);
    let podman = Podman::new();
    let out = podman.cmd(&["load", "-i", archive.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = podman.cmd(&["image", "inspect", "-f", "{{.Id}}", "me/hi:1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        format!("sha256:{}", stdout(&out).trim()),
        image_id(&env, "me/hi:1"),
        "podman sees the same image id"
    );
    let out = podman.cmd(&["run", "--rm", "--network", "none", "me/hi:1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "hi\n", "podman runs it");
    // podman's own archive of it comes back to strata and runs.
    let back = env.dir.join("back.tar");
    let out = podman.cmd(&["save", "-o", back.to_str().unwrap(), "me/hi:1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dst = Env::new();
    let out = dst.ok(&["load", "-i", back.to_str().unwrap()]);
    assert!(out.starts_with("Loaded image: "), "{out}");
    let name = out.trim().trim_start_matches("Loaded image: ").to_string();
    assert_eq!(image_id(&dst, &name), image_id(&env, "me/hi:1"));
    assert_eq!(dst.ok(&["run", "--rm", "--network", "none", &name]), "hi\n");
}

fn sha256_hex(data: &[u8]) -> String {
    let mut c = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(data).unwrap();
    let out = c.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)[..64].to_string()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut c = Command::new("gzip")
        .arg("-c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = c.stdin.take().unwrap();
    let data = data.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&data));
    let out = c.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    out.stdout
}

/// Uploads a blob with curl (POST for a session, PUT with the digest).
fn upload_blob(host: &str, repo: &str, data: &[u8]) -> String {
    let digest = format!("sha256:{}", sha256_hex(data));
    let post = Command::new("curl")
        .args(["-sf", "-D", "-", "-o", "/dev/null", "-X", "POST"])
        .arg(format!("http://{host}/v2/{repo}/blobs/uploads/"))
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&post.stdout).into_owned();
    let location = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("Location: ")
                .or_else(|| l.strip_prefix("location: "))
        })
        .unwrap()
        .trim()
        .to_string();
    let sep = if location.contains('?') { '&' } else { '?' };
    let body = std::env::temp_dir().join(format!("strata-blob-{}", random_suffix()));
    std::fs::write(&body, data).unwrap();
    let put = Command::new("curl")
        .args([
            "-sf",
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/octet-stream",
            "--data-binary",
        ])
        .arg(format!("@{}", body.display()))
        .arg(format!("{location}{sep}digest={digest}"))
        .status()
        .unwrap();
    std::fs::remove_file(&body).unwrap();
    assert!(put.success(), "blob upload");
    digest
}

/// Puts a one-layer image made of `layer` (an uncompressed tar) into the
/// registry by hand, as a hostile registry could serve it.
fn push_raw_image(host: &str, repo: &str, layer: &[u8]) {
    let diff_id = format!("sha256:{}", sha256_hex(layer));
    let gz = gzip(layer);
    let layer_digest = upload_blob(host, repo, &gz);
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{"Cmd":["/bin/sh"]}},"rootfs":{{"type":"layers","diff_ids":["{diff_id}"]}}}}"#
    );
    let config_digest = upload_blob(host, repo, config.as_bytes());
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"{layer_digest}","size":{}}}]}}"#,
        config.len(),
        gz.len()
    );
    let put = Command::new("curl")
        .args([
            "-sf",
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/vnd.docker.distribution.manifest.v2+json",
            "--data-binary",
            &manifest,
        ])
        .arg(format!("http://{host}/v2/{repo}/manifests/latest"))
        .status()
        .unwrap();
    assert!(put.success(), "manifest upload");
}

/// A tar of raw entries: (name, kind, link target, data).
fn raw_tar(entries: &[(&str, tar::EntryType, &str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, link, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(*kind);
        let bytes = name.as_bytes();
        h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        if !link.is_empty() {
            h.set_link_name(link).unwrap();
        }
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn a_hostile_layer_cannot_write_outside_its_directory() {
    let reg = Registry::start();
    let host = reg.host();
    let target = std::env::temp_dir().join(format!("strata-hostile-{}", random_suffix()));
    std::fs::create_dir_all(&target).unwrap();
    let dotdot = format!("../../../../../../..{}/dotdot", target.display());
    let outside_link = target.display().to_string();
    let cases = [
        (
            "dotdot",
            raw_tar(&[(dotdot.as_str(), tar::EntryType::Regular, "", b"x")]),
        ),
        (
            "symlink",
            raw_tar(&[
                ("out", tar::EntryType::Symlink, outside_link.as_str(), b""),
                ("out/through-link", tar::EntryType::Regular, "", b"x"),
            ]),
        ),
    ];
    for (repo, layer) in &cases {
        push_raw_image(&host, repo, layer);
        let env = Env::new();
        let (_, err) = env.code(1, &["pull", &format!("{host}/{repo}")]);
        assert!(err.contains("escapes"), "{repo}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_store_empty(&env);
    }
    let written: Vec<_> = std::fs::read_dir(&target).unwrap().flatten().collect();
    std::fs::remove_dir_all(&target).unwrap();
    assert!(
        written.is_empty(),
        "nothing was written outside: {written:?}"
    );
}

#[test]
fn a_credential_helper_keeps_the_secret() {
    let reg = Registry::with_basic_auth("me", "s3cret");
    let host = reg.host();
    let env = Env::with_busybox();
    // A helper speaking docker's protocol, keeping secrets in a directory.
    let bin = env.dir.join("bin");
    let vault = env.dir.join("vault");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&vault).unwrap();
    let helper = bin.join("docker-credential-strtest");
    std::fs::write(
        &helper,
        format!(
            r#"#!/bin/sh
d={vault}
case "$1" in
get) read url; f="$d/$(echo "$url" | tr '/:' '__')"
     if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi;;
store) cat > "$d/in.json"; url=$(sed 's/.*"ServerURL":"\([^"]*\)".*/\1/' "$d/in.json")
     mv "$d/in.json" "$d/$(echo "$url" | tr '/:' '__')";;
erase) read url; rm -f "$d/$(echo "$url" | tr '/:' '__')";;
esac
"#,
            vault = vault.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = env.dir.join("docker").join("config.json");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, r#"{"credsStore":"strtest"}"#).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let run = |args: &[&str]| env.cmd(args).env("PATH", &path).output().unwrap();

    let out = run(&["login", "-u", "me", "-p", "s3cret", &host]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    assert_eq!(v["credsStore"], "strtest", "the file keeps its helper");
    assert_eq!(
        v["auths"][&host],
        serde_json::json!({}),
        "no secret in the file"
    );
    let kept = std::fs::read_to_string(vault.join(host.replace(':', "_"))).unwrap();
    assert!(kept.contains("s3cret"), "the helper has it: {kept}");

    let name = format!("{host}/me/hi:1");
    build_hi(&env, &name);
    let out = run(&["push", &name]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["logout", &host]);
    assert_eq!(
        stdout(&out),
        format!("Removing login credentials for {host}\n")
    );
    assert!(
        std::fs::read_dir(&vault).unwrap().next().is_none(),
        "erased"
    );
    let out = run(&["push", &name]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no basic auth credentials"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_full_disk_during_a_pull_is_a_clear_error_and_stores_nothing() {
    let (_reg, _src, name) = registry_with_hi();
    let env = Env::new();
    let root = env.root();
    std::fs::create_dir_all(&root).unwrap();
    // busybox unpacks to 2 MB and its blob is 1 MB more: 2 MB do not hold both.
    let st = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&root)
        .status()
        .unwrap();
    assert!(st.success());
    let result = std::panic::catch_unwind(|| {
        let (_, err) = env.code(1, &["pull", &name]);
        assert!(err.contains("No space left on device"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(env.ok(&["images", "-aq"]), "");
        let tmp: Vec<_> = std::fs::read_dir(root.join("tmp"))
            .unwrap()
            .flatten()
            .collect();
        assert!(tmp.is_empty(), "the half layer was removed: {tmp:?}");
    });
    let _ = Command::new("umount").arg(&root).status();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

#[test]
fn chunked_uploads_when_asked_or_when_a_whole_blob_is_refused() {
    let reg = Registry::start();
    let src = Env::with_busybox();
    let id = image_id(&src, "busybox");
    // Asked for: 100 kB chunks (the busybox layer is about 1 MB gzipped).
    let counting = Proxy::start(reg.port, false, Fault::None);
    let name = format!("{}/chunks:1", counting.host());
    src.ok(&["tag", "busybox", &name]);
    let out = src
        .cmd(&["push", &name])
        .env("STRATA_UPLOAD_CHUNK_SIZE", "100000")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        counting.patches.load(Ordering::SeqCst) >= 8,
        "sent in chunks"
    );
    let dst = Env::new();
    dst.ok(&["pull", &name]);
    assert_eq!(image_id(&dst, &name), id);
    // A proxy that refuses big bodies: the whole-blob PUT gets 413, the
    // chunks go through.
    let proxy = Proxy::start(reg.port, false, Fault::RefuseBigPut);
    let name = format!("{}/refused:1", proxy.host());
    src.ok(&["tag", "busybox", &name]);
    let out = src.ok(&["push", &name]);
    assert!(out.contains(": Pushed"), "{out}");
    let dst = Env::new();
    dst.ok(&["pull", &format!("{}/refused:1", reg.host())]);
    assert_eq!(image_id(&dst, &format!("{}/refused:1", reg.host())), id);
}

#[test]
fn all_tags_go_up_and_come_down() {
    let reg = Registry::start();
    let host = reg.host();
    let src = Env::with_busybox();
    let repo = format!("{host}/bb");
    src.ok(&["tag", "busybox", &format!("{repo}:1")]);
    src.ok(&["tag", "busybox", &format!("{repo}:2")]);
    let out = src.ok(&["push", "--all-tags", &repo]);
    assert_eq!(
        out.matches("The push refers to repository").count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("\n1: digest: ") && out.contains("\n2: digest: "),
        "{out}"
    );
    let (_, err) = src.code(1, &["push", "-a", &format!("{repo}:1")]);
    assert!(
        err.contains("tag can't be used with --all-tags/-a"),
        "{err}"
    );
    let dst = Env::new();
    let out = dst.ok(&["pull", "-a", &repo]);
    assert!(out.starts_with("1: Pulling from bb\n"), "{out}");
    assert!(out.contains("\n2: Pulling from bb\n"), "{out}");
    assert!(out.ends_with(&format!("\n{repo}\n")), "{out}");
    assert_eq!(dst.ok(&["images", "--format", "{{.Tag}}"]), "1\n2\n");
}

#[test]
fn layers_beyond_three_wait_their_turn_and_are_stored_in_order() {
    let reg = Registry::start();
    let src = Env::with_busybox();
    let name = format!("{}/many:1", reg.host());
    src.build_image(
        &name,
        "FROM busybox\nRUN echo 1 > /a\nRUN echo 2 > /a\nRUN echo 3 > /b\nRUN rm /b && echo 4 > /a\n",
    );
    src.ok(&["push", &name]);
    let dst = Env::new();
    let out = dst.ok(&["pull", &name]);
    assert_eq!(out.matches(": Pulling fs layer").count(), 5, "{out}");
    assert_eq!(out.matches(": Waiting").count(), 2, "{out}");
    // "Pull complete" comes base first, as the layers stack.
    let order = |o: &str, what: &str| -> Vec<String> {
        o.lines()
            .filter(|l| l.ends_with(what))
            .map(|l| l[..12].to_string())
            .collect()
    };
    assert_eq!(
        order(&out, ": Pull complete"),
        order(&out, ": Pulling fs layer")
    );
    assert_eq!(
        dst.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            &name,
            "sh",
            "-c",
            "cat /a; ls /b 2>&1; true"
        ]),
        "4\nls: /b: No such file or directory\n"
    );
}

/// A pull racing an `rmi` of another image never loses a layer: the
/// collector leaves the layers of a writer in progress alone.
#[test]
fn a_pull_racing_an_rmi_of_another_image_keeps_every_layer() {
    let (reg, src, _) = registry_with_hi();
    let name = format!("{}/many:1", reg.host());
    src.build_image(
        &name,
        "FROM busybox\nRUN echo 1 > /a\nRUN echo 2 > /b\nRUN echo 3 > /c\nRUN echo 4 > /d\n",
    );
    src.ok(&["push", &name]);
    let dst = Env::with_busybox();
    dst.ok(&[
        "run",
        "--name",
        "src",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    for round in 0..30 {
        // Images for rmi to delete (and collect layers after) again and
        // again while the pull runs.
        let others: Vec<String> = (0..12).map(|k| format!("other{round}:{k}")).collect();
        for o in &others {
            dst.ok(&["commit", "src", o]);
        }
        let mut pull = dst.spawn(&["pull", "-q", &name]);
        for o in &others {
            dst.ok(&["rmi", o]);
            if let Ok(Some(_)) = pull.try_wait() {
                break;
            }
        }
        assert!(
            pull.wait().unwrap().success(),
            "round {round}: the pull failed"
        );
        let out = dst.run(&["run", "--rm", "--network", "none", &name, "cat", "/a", "/d"]);
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
        dst.ok(&["rmi", &name]);
        for o in &others {
            let _ = dst.run(&["rmi", o]);
        }
    }
}
