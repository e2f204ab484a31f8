//! Networking: the default bridge (NAT, DNS, hosts), published ports,
//! many containers at once, bad input, and a killed strata's lease.

use crate::util::*;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The bridge's state file.
fn bridge_state(env: &Env) -> serde_json::Value {
    let p = format!("/run/strata-net/{}/state.json", env.bridge);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap_or_else(|_| "{}".into())).unwrap()
}

fn leases_of(env: &Env, id: &str) -> usize {
    bridge_state(env)["leases"]
        .as_array()
        .map(|a| a.iter().filter(|l| l["container"] == id).count())
        .unwrap_or(0)
}

/// Links enslaved to the env's bridge.
fn bridge_ports(env: &Env) -> String {
    let o = std::process::Command::new("ip")
        .args(["-br", "link", "show", "master", &env.bridge])
        .output()
        .unwrap();
    stdout(&o)
}

fn http_get(port: u16) -> Option<String> {
    http_get_addr(&format!("127.0.0.1:{port}"))
}

fn http_get_addr(addr: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    Some(body)
}

#[test]
fn the_bridge_reaches_the_host_and_the_mirror_and_resolves_names() {
    let env = Env::with_busybox().own_bridge();
    let http = Http::start_on("0.0.0.0", &[("/hello", b"hello from the host\n")]);
    let script = format!(
        "gw=$(ip route | awk '/^default/ {{print $3}}'); \
         wget -q -O- http://$gw:{}/hello; \
         wget -q -O- http://deb.debian.org/debian/dists/bookworm/Release | head -1; \
         ip -o -4 addr show eth0 | awk '{{print $4}}'; \
         tail -2 /etc/hosts; grep -c nameserver /etc/resolv.conf",
        http.port
    );
    let out = env.ok(&[
        "run",
        "--rm",
        "--hostname",
        "web1",
        "--add-host",
        "db:192.0.2.77",
        "busybox",
        "sh",
        "-c",
        &script,
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "hello from the host", "{out}");
    assert_eq!(
        lines[1], "Origin: Debian",
        "NAT and DNS to the mirror: {out}"
    );
    let addr = lines[2];
    assert!(addr.ends_with("/16") || addr.contains('/'), "{out}");
    assert_eq!(lines[3], "192.0.2.77\tdb");
    assert_eq!(
        lines[4],
        format!("{}\tweb1", addr.split('/').next().unwrap())
    );
    assert_ne!(lines[5], "0", "resolv.conf has resolvers");
    // --dns replaces the resolvers; none and host networks still work.
    let out = env.ok(&[
        "run",
        "--rm",
        "--dns",
        "192.0.2.53",
        "busybox",
        "cat",
        "/etc/resolv.conf",
    ]);
    assert!(out.contains("nameserver 192.0.2.53\n"), "{out}");
    assert!(!out.contains("nameserver 10.255"), "{out}");
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "busybox",
        "ip",
        "-o",
        "link",
    ]);
    assert_eq!(out.lines().count(), 1, "loopback only: {out}");
    assert!(out.contains("lo:") && out.contains("UP"), "{out}");
    // Nothing of those containers is left on the bridge.
    assert!(wait_for(5.0, || bridge_ports(&env).is_empty()));
}

#[test]
fn published_tcp_and_udp_ports_reach_the_container() {
    let env = Env::with_busybox().own_bridge();
    let (tcp, udp) = (free_port(), free_port());
    let tcp_spec = format!("{tcp}:80");
    let udp_spec = format!("127.0.0.1:{udp}:5353/udp");
    let perl = "$|=1; my $s=IO::Socket::INET->new(LocalPort=>5353,Proto=>q(udp)) or die; \
                $s->recv(my $m,100); print qq(udp: $m)";
    let script = format!(
        "mkdir /www && echo page > /www/index.html && httpd -p 80 -h /www && \
         chroot /host perl -MIO::Socket::INET -e '{perl}'"
    );
    let mut bg = env.cmd(&[
        "run",
        "--name",
        "web",
        "-p",
        &tcp_spec,
        "-p",
        &udp_spec,
        "-v",
        "/:/host:ro",
        "busybox",
        "sh",
        "-c",
        &script,
    ]);
    bg.stdout(std::process::Stdio::piped());
    let mut bg = Bg(bg.spawn().unwrap());
    assert!(
        wait_for(10.0, || http_get(tcp).is_some_and(|b| b.contains("page"))),
        "the page through 127.0.0.1:{tcp}"
    );
    let ps = env.ok(&["ps", "--format", "{{.Ports}}"]);
    assert_eq!(
        ps.trim(),
        format!("0.0.0.0:{tcp}->80/tcp, 127.0.0.1:{udp}->5353/udp")
    );
    assert_eq!(
        env.ok(&["port", "web"]),
        format!("80/tcp -> 0.0.0.0:{tcp}\n5353/udp -> 127.0.0.1:{udp}\n")
    );
    assert_eq!(env.ok(&["port", "web", "80"]), format!("0.0.0.0:{tcp}\n"));
    let (_, err) = env.code(1, &["port", "web", "81"]);
    assert_eq!(err, "Error: No public port '81/tcp' published for web\n");
    let ip = env.ok(&["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web"]);
    assert!(ip.trim().starts_with("10."), "{ip}");
    // docker's idiom for a container's address, through Go's range.
    assert_eq!(
        env.ok(&[
            "inspect",
            "-f",
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
            "web"
        ]),
        ip
    );
    // ps --filter publish= and expose=, as docker's.
    assert_eq!(
        env.ok(&["ps", "--filter", "publish=80/tcp", "--format", "{{.Names}}"]),
        "web\n"
    );
    assert_eq!(env.ok(&["ps", "--filter", "publish=81", "-q"]), "");
    // The port is ours while the container runs: a second one can't have it.
    let (_, err) = env.code(125, &["run", "--rm", "-p", &tcp_spec, "busybox", "true"]);
    assert_eq!(
        err,
        format!("Error: Bind for 0.0.0.0:{tcp} failed: port is already allocated\n")
    );
    // UDP: a datagram to the host port reaches the container's socket.
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut out = String::new();
    for _ in 0..20 {
        sock.send_to(b"ping\n", ("127.0.0.1", udp)).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        if env.ok(&["ps", "-q", "--no-trunc"]).trim().is_empty() {
            break;
        }
    }
    let status = bg.wait().unwrap();
    bg.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(status.success(), "{out}");
    assert_eq!(out, "udp: ping\n");
    // Gone with the container: the link, the lease, the map elements.
    let id = env.id_of("web");
    assert_eq!(leases_of(&env, &id), 0);
    assert!(wait_for(5.0, || bridge_ports(&env).is_empty()));
    let nft = std::process::Command::new("nft")
        .args(["list", "table", "ip", &env.bridge])
        .output()
        .unwrap();
    assert!(
        !stdout(&nft).contains(&format!("{tcp} :")),
        "{}",
        stdout(&nft)
    );
    env.ok(&["rm", "web"]);
}

#[test]
fn ten_containers_get_distinct_addresses_and_leave_nothing() {
    let env = Env::with_busybox().own_bridge();
    let kids: Vec<Bg> = (0..10)
        .map(|_| {
            let mut c = env.cmd(&[
                "run",
                "--rm",
                "busybox",
                "sh",
                "-c",
                "ip -o -4 addr show eth0 | awk '{print $4}'; sleep 1",
            ]);
            c.stdout(std::process::Stdio::piped());
            Bg(c.spawn().unwrap())
        })
        .collect();
    let mut addrs = std::collections::BTreeSet::new();
    for mut k in kids {
        let mut out = String::new();
        k.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        assert!(k.wait().unwrap().success());
        addrs.insert(out.trim().to_string());
    }
    assert_eq!(addrs.len(), 10, "{addrs:?}");
    // The kernel removes each pair with its namespace, a moment later.
    assert!(
        wait_for(5.0, || bridge_ports(&env).is_empty()),
        "veths left: {}",
        bridge_ports(&env)
    );
    assert!(
        bridge_state(&env)["leases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| !addrs.contains(&format!("{}/16", l["ip"].as_str().unwrap()))),
        "no lease left"
    );
}

#[test]
fn bad_ports_are_clear_errors_before_anything_starts() {
    let env = Env::with_busybox().own_bridge();
    let (_, err) = env.code(125, &["run", "--rm", "-p", "abc", "busybox", "true"]);
    assert_eq!(err, "Error: invalid containerPort: abc\n");
    let (_, err) = env.code(125, &["run", "--rm", "-p", "70000:80", "busybox", "true"]);
    assert_eq!(err, "Error: invalid hostPort: 70000\n");
    let (_, err) = env.code(
        125,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "-p",
            "80",
            "busybox",
            "true",
        ],
    );
    assert!(err.contains("cannot be published"), "{err}");
    // A port another program holds: docker's error, and no container ran.
    let holder = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let spec = format!("{port}:80");
    let (out, err) = env.code(
        125,
        &[
            "run", "--name", "late", "-p", &spec, "busybox", "echo", "ran",
        ],
    );
    assert_eq!(out, "");
    assert!(
        err.contains(&format!(
            "listen tcp4 0.0.0.0:{port}: bind: address already in use"
        )),
        "{err}"
    );
    let id = env.id_of("late");
    assert_eq!(leases_of(&env, &id), 0);
    assert!(env.ok(&["ps", "-a"]).contains("Exited (125)"));
}

#[test]
fn a_killed_strata_s_lease_is_reclaimed() {
    let env = Env::with_busybox().own_bridge();
    let port = free_port();
    let spec = format!("{port}:80");
    let mut bg = env.spawn(&[
        "run", "--name", "doomed", "-p", &spec, "busybox", "sleep", "60",
    ]);
    assert!(wait_for(10.0, || env.ok(&["ps", "-q"]).lines().count() == 1));
    let id = env.id_of("doomed");
    assert_eq!(leases_of(&env, &id), 1);
    bg.kill().unwrap();
    bg.wait().unwrap();
    // The next command that touches the network reclaims the lease, and
    // the port can be published again.
    env.ok(&["run", "--rm", "-p", &spec, "busybox", "true"]);
    assert_eq!(leases_of(&env, &id), 0);
    assert!(
        wait_for(5.0, || bridge_ports(&env).is_empty()),
        "{}",
        bridge_ports(&env)
    );
    // Its cgroup goes with it.
    env.ok(&["rm", "doomed"]);
    let cgroup = std::path::Path::new("/sys/fs/cgroup/unified/strata").join(&id);
    assert!(!cgroup.exists(), "{}", cgroup.display());
}

#[test]
fn two_containers_talk_over_the_bridge() {
    let env = Env::with_busybox().own_bridge();
    let mut c = env.cmd(&[
        "run",
        "--name",
        "server",
        "busybox",
        "sh",
        "-c",
        "mkdir /www && echo from-server > /www/index.html && \
         ip -o -4 addr show eth0 | awk '{print $4}' && exec httpd -f -p 80 -h /www",
    ]);
    c.stdout(std::process::Stdio::piped());
    let mut server = Bg(c.spawn().unwrap());
    let mut line = String::new();
    {
        use std::io::BufRead;
        let mut r = std::io::BufReader::new(server.stdout.as_mut().unwrap());
        r.read_line(&mut line).unwrap();
    }
    let ip = line.trim().split('/').next().unwrap().to_string();
    let url = format!("http://{ip}/");
    let out = env.ok(&["run", "--rm", "busybox", "wget", "-q", "-O-", &url]);
    assert_eq!(out, "from-server\n");
    env.ok(&["rm", "-f", "server"]);
    server.wait().unwrap();
}

#[test]
fn a_bad_subnet_or_a_missing_nft_stops_before_anything_starts() {
    let env = Env::with_busybox().own_bridge();
    // A subnet over one of the host's own routes.
    let routes = std::fs::read_to_string("/proc/net/route").unwrap();
    let taken = routes
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let dst = u32::from_str_radix(f.get(1)?, 16).ok()?;
            let mask = u32::from_str_radix(f.get(7)?, 16).ok()?;
            (mask != 0).then(|| {
                let ip = std::net::Ipv4Addr::from(dst.to_ne_bytes());
                format!("{ip}/{}", mask.count_ones())
            })
        })
        .next()
        .expect("the host has a route");
    let out = env
        .cmd(&["run", "--rm", "busybox", "echo", "ran"])
        .env("STRATA_SUBNET", &taken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains(&format!("subnet {taken} overlaps the host's route")),
        "{}",
        stderr(&out)
    );
    // No nft on the PATH: the bridge is not made, and the error says why.
    let out = env
        .cmd(&["run", "--rm", "busybox", "echo", "ran"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert!(
        stderr(&out).contains("bridge networking needs nftables"),
        "{}",
        stderr(&out)
    );
    let link = std::process::Command::new("ip")
        .args(["link", "show", &env.bridge])
        .output()
        .unwrap();
    assert!(!link.status.success(), "no bridge was made");
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}

#[test]
fn publish_all_maps_every_exposed_port_to_a_free_one() {
    let env = Env::with_busybox().own_bridge();
    let dir = env.dir.join("ctx");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM busybox\nEXPOSE 80 81/udp\n").unwrap();
    env.ok(&["build", "-q", "-t", "exposed", dir.to_str().unwrap()]);
    let _bg = env.spawn(&["run", "--name", "pa", "-P", "exposed", "sleep", "30"]);
    assert!(wait_for(10.0, || stdout(&env.run(&["port", "pa"]))
        .lines()
        .count()
        == 2));
    let ports = env.ok(&["port", "pa"]);
    let lines: Vec<&str> = ports.lines().collect();
    assert!(lines[0].starts_with("80/tcp -> 0.0.0.0:"), "{ports}");
    assert!(lines[1].starts_with("81/udp -> 0.0.0.0:"), "{ports}");
    let host_port: u16 = lines[0].rsplit(':').next().unwrap().parse().unwrap();
    assert!(host_port > 0);
    env.ok(&["rm", "-f", "pa"]);
}

#[test]
fn from_outside_a_published_port_answers_and_an_unpublished_one_does_not() {
    let env = Env::with_busybox().own_bridge();
    let port = free_port();
    let publish = format!("{port}:80");
    env.ok(&[
        "run", "-d", "--name", "srv", "-p", &publish, "busybox", "sh", "-c",
        "mkdir /www && echo page > /www/index.html && httpd -p 80 -h /www && exec httpd -f -p 81 -h /www",
    ]);
    let ip = env
        .ok(&["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "srv"])
        .trim()
        .to_string();
    // A neighbour on a link of its own that routes the subnet through us.
    let ns = format!("st-out-{}", &random_suffix()[..6]);
    let (host_if, peer_if) = (format!("{ns}-h"), format!("{ns}-p"));
    let sh = |cmd: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .status()
            .unwrap()
            .success()
    };
    struct Cleanup(String, String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = std::process::Command::new("ip")
                .args(["netns", "del", &self.0])
                .status();
            let _ = std::process::Command::new("ip")
                .args(["link", "del", &self.1])
                .status();
        }
    }
    let _c = Cleanup(ns.clone(), host_if.clone());
    assert!(sh(&format!(
        "ip netns add {ns} && ip link add {host_if} type veth peer name {peer_if} && \
         ip link set {peer_if} netns {ns} && ip addr add 198.51.100.1/30 dev {host_if} && ip link set {host_if} up && \
         ip -n {ns} addr add 198.51.100.2/30 dev {peer_if} && ip -n {ns} link set {peer_if} up && \
         ip -n {ns} link set lo up && ip -n {ns} route add {ip}/32 via 198.51.100.1"
    )));
    let get = |url: &str| {
        std::process::Command::new("ip")
            .args(["netns", "exec", &ns, "curl", "-s", "-m", "2", url])
            .output()
            .unwrap()
    };
    let published = format!("http://198.51.100.1:{port}/");
    assert!(
        wait_for(10.0, || stdout(&get(&published)).contains("page")),
        "the published port"
    );
    let unpublished = format!("http://{ip}:81/");
    let out = get(&unpublished);
    assert!(
        !stdout(&out).contains("page"),
        "an unpublished port answered the outside"
    );
    // The host itself still reaches the container (as with docker).
    assert!(http_get_addr(&format!("{ip}:81")).is_some_and(|b| b.contains("page")));
    env.ok(&["rm", "-f", "srv"]);
}

/// The sweep removes a veth pair a killed strata left whole on the host,
/// and leaves alone one whose peer is in another namespace (a container's,
/// which the kernel tears down with it; deleting it cost the next command
/// 10-20 ms).
#[test]
fn a_stray_veth_pair_on_the_host_is_swept_and_a_container_s_is_not() {
    let env = Env::with_busybox().own_bridge();
    env.ok(&["run", "--rm", "busybox", "true"]);
    let br = env.bridge.clone();
    let sfx = &random_suffix()[..6];
    let (half, half_peer, other, other_peer) = (
        format!("veth{sfx}a"),
        format!("veth{sfx}b"),
        format!("veth{sfx}c"),
        format!("veth{sfx}d"),
    );
    let ns = format!("strata-sweep-{sfx}");
    let ip = |args: &[&str]| {
        let o = Command::new("ip").args(args).output().unwrap();
        assert!(o.status.success(), "ip {args:?}: {}", stderr(&o));
    };
    ip(&[
        "link", "add", &half, "type", "veth", "peer", "name", &half_peer,
    ]);
    ip(&["link", "set", &half, "master", &br]);
    ip(&["netns", "add", &ns]);
    ip(&[
        "link",
        "add",
        &other,
        "type",
        "veth",
        "peer",
        "name",
        &other_peer,
    ]);
    ip(&["link", "set", &other_peer, "netns", &ns]);
    ip(&["link", "set", &other, "master", &br]);
    // A prune sweeps what a killed strata left.
    env.ok(&["container", "prune", "-f"]);
    let exists = |n: &str| Path::new("/sys/class/net").join(n).exists();
    let half_gone = !exists(&half) && !exists(&half_peer);
    let other_kept = exists(&other);
    let _ = Command::new("ip").args(["link", "del", &half]).status();
    let _ = Command::new("ip").args(["link", "del", &other]).status();
    let _ = Command::new("ip").args(["netns", "del", &ns]).status();
    assert!(half_gone, "the pair left whole on the host was not swept");
    assert!(
        other_kept,
        "a veth whose peer is in another namespace was deleted"
    );
}
