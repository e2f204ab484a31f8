//! The user's story, end to end, on a real Debian: install redis by hand
//! in a container (the package mirror through the bridge's NAT), commit
//! it with a new CMD, run the image with a published port, and talk to
//! redis from the host. Takes a minute or two (mmdebstrap, apt-get).

use crate::util::*;
use std::io::{Read, Write};
use std::time::Duration;

fn redis_ping(port: u16) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    s.write_all(b"PING\r\n").ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).to_string())
}

#[test]
fn install_redis_by_hand_commit_it_and_reach_it_from_the_host() {
    let env = Env::new();
    env.ok(&["import", debian_tar().to_str().unwrap(), "debian:bookworm"]);
    let out = env.ok(&[
        "run",
        "--name",
        "box",
        "debian:bookworm",
        "sh",
        "-c",
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
         apt-get install -y -qq --no-install-recommends redis-server >/dev/null && \
         command -v redis-server",
    ]);
    assert_eq!(out.lines().last(), Some("/usr/bin/redis-server"), "{out}");
    // Debian's redis refuses clients from other hosts in protected mode
    // (through the published port the client is the bridge's gateway);
    // exec form, so that redis is PID 1 and SIGTERM stops it.
    env.ok(&[
        "commit",
        "-c",
        r#"CMD ["redis-server", "--protected-mode", "no"]"#,
        "box",
        "me/redis",
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spec = format!("{port}:6379");
    let mut c = env.cmd(&["run", "--name", "redis", "-p", &spec, "me/redis"]);
    c.stdout(std::process::Stdio::piped());
    let mut server = Bg(c.spawn().unwrap());
    assert!(
        wait_for(20.0, || redis_ping(port).as_deref() == Some("+PONG\r\n")),
        "PING through 127.0.0.1:{port}: {:?}",
        redis_ping(port)
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let mut log = String::new();
    server
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    server.wait().unwrap();
    assert!(log.contains("Ready to accept connections"), "{log}");
    env.ok(&["rm", "box", "redis"]);
}
