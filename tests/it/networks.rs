//! User-defined networks: a bridge and a subnet each, names (and aliases
//! and short ids) resolved between their containers, isolation between
//! networks, `--internal`, and docker's refusals.

use crate::util::*;

fn http_server(env: &Env, dir: &std::path::Path, net: &str, name: &str, extra: &[&str]) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("index.html"), format!("served by {name}\n")).unwrap();
    let www = format!("{}:/www:ro", dir.display());
    let mut args = vec!["run", "-d", "--name", name, "--network", net, "-v", &www];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["busybox", "httpd", "-f", "-p", "80", "-h", "/www"]);
    let id = env.ok(&args).trim().to_string();
    let up = wait_for(5.0, || {
        env.run(&["exec", &id, "wget", "-qO-", "http://127.0.0.1/"])
            .status
            .success()
    });
    assert!(up, "httpd in {name} did not start");
    id
}

#[test]
fn containers_on_a_user_network_find_each_other_by_name_alias_and_id() {
    let env = Env::with_busybox();
    let id = env.ok(&["network", "create", "--label", "app=demo", "app"]);
    let id = id.trim();
    assert_eq!(id.len(), 64);
    let ls = env.ok(&["network", "ls", "--format", "{{.Name}} {{.Driver}}"]);
    assert_eq!(ls, "bridge bridge\nhost host\nnone null\napp bridge\n");
    let db = http_server(
        &env,
        &env.dir.join("www"),
        "app",
        "db",
        &["--network-alias", "database"],
    );
    // A client started after the server reaches it by name, alias and id.
    let short = &db[..12];
    // busybox's resolver takes a name that starts with a digit for an
    // address (and fails): the short id is checked in the hosts file, and
    // fetched when it starts with a letter.
    let by_id = if short.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!("wget -qO- http://{short}/")
    } else {
        "echo served by db".to_string()
    };
    let out = env.ok(&[
        "run", "--rm", "--name", "client", "--network", "app", "busybox", "sh", "-c",
        &format!("wget -qO- http://db/ && wget -qO- http://database/ && {by_id} && grep -qw {short} /etc/hosts"),
    ]);
    assert_eq!(out, "served by db\n".repeat(3));
    // The server resolves a client started later, within a second.
    let c = env.ok(&[
        "run",
        "-d",
        "--name",
        "later",
        "--network",
        "app",
        "busybox",
        "sleep",
        "60",
    ]);
    let c = c.trim();
    let t = std::time::Instant::now();
    let seen = wait_for(1.0, || {
        env.run(&["exec", "db", "grep", "-q", "later", "/etc/hosts"])
            .status
            .success()
    });
    assert!(seen, "db does not resolve a container started after it");
    assert!(t.elapsed() < std::time::Duration::from_secs(1));
    let out = env.run(&["exec", "db", "ping", "-c", "1", "-W", "2", "later"]);
    assert!(out.status.success(), "{} {}", stdout(&out), stderr(&out));
    let ip = env.ok(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        c,
    ]);
    let members = env.ok(&[
        "network",
        "inspect",
        "-f",
        "{{range .Containers}}{{.Name}} {{end}}",
        "app",
    ]);
    assert!(
        members.contains("db") && members.contains("later"),
        "{members}"
    );
    assert!(
        ip.trim().starts_with(
            &env.ok(&[
                "network",
                "inspect",
                "-f",
                "{{range .IPAM.Config}}{{.Gateway}}{{end}}",
                "app"
            ])
            .trim()
            .rsplit_once('.')
            .unwrap()
            .0
            .to_string()
        ),
        "{ip}"
    );
    // A removed server stops resolving.
    env.ok(&["rm", "-f", "db"]);
    let out = env.run(&["exec", c, "ping", "-c", "1", "-W", "1", "db"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("bad address 'db'"),
        "{}",
        stderr(&out)
    );
    // In use: not removed; unused: removed, and its bridge with it.
    let (_, err) = env.code(1, &["network", "rm", "app"]);
    assert!(err.contains("has active endpoints"), "{err}");
    env.ok(&["rm", "-f", c]);
    let bridge = format!("br-{}", &id[..12]);
    assert!(std::path::Path::new("/sys/class/net")
        .join(&bridge)
        .exists());
    assert_eq!(env.ok(&["network", "rm", "app"]), "app\n");
    assert!(!std::path::Path::new("/sys/class/net")
        .join(&bridge)
        .exists());
    assert!(!std::path::Path::new("/run/strata-net")
        .join(&bridge)
        .exists());
}

#[test]
fn two_networks_cannot_reach_each_other_and_an_internal_one_reaches_nothing() {
    let env = Env::with_busybox();
    env.ok(&["network", "create", "one"]);
    env.ok(&["network", "create", "two"]);
    env.ok(&["network", "create", "--internal", "closed"]);
    let db = http_server(&env, &env.dir.join("www"), "one", "web", &[]);
    let ip = env.ok(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        &db,
    ]);
    let ip = ip.trim();
    let get = |net: &str| {
        // (not as PID 1: that one ignores timeout's SIGTERM)
        env.run(&[
            "run",
            "--rm",
            "--network",
            net,
            "busybox",
            "sh",
            "-c",
            &format!("timeout 3 wget -qO- http://{ip}/ || exit 1"),
        ])
    };
    assert_eq!(stdout(&get("one")), "served by web\n");
    assert!(
        !get("two").status.success(),
        "network two reached network one"
    );
    assert!(
        !get("bridge").status.success(),
        "the default bridge reached network one"
    );
    // The default bridge has no name resolution (docker's behaviour).
    let out = env.run(&[
        "run", "--rm", "busybox", "ping", "-c", "1", "-W", "1", "web",
    ]);
    assert!(!out.status.success());
    // A server on the host: reached from a network, not from an internal one.
    let listener = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            use std::io::{Read, Write};
            let mut s = s;
            // The whole request first: a reset would fail the client.
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\n\r\nhost\n");
        }
    });
    let gw = |net: &str| {
        env.ok(&[
            "network",
            "inspect",
            "-f",
            "{{range .IPAM.Config}}{{.Gateway}}{{end}}",
            net,
        ])
        .trim()
        .to_string()
    };
    let reach = |net: &str| {
        env.run(&[
            "run",
            "--rm",
            "--network",
            net,
            "busybox",
            "sh",
            "-c",
            &format!("timeout 3 wget -qO- http://{}:{port}/ || exit 1", gw(net)),
        ])
    };
    assert_eq!(stdout(&reach("two")), "host\n");
    assert!(
        !reach("closed").status.success(),
        "an internal network reached the host"
    );
    assert_eq!(
        env.ok(&["network", "inspect", "-f", "{{.Internal}}", "closed"])
            .trim(),
        "true"
    );
    env.ok(&["rm", "-f", &db]);
    let out = env.ok(&["network", "prune", "-f"]);
    assert!(out.starts_with("Deleted Networks:\n"), "{out}");
    assert_eq!(env.ok(&["network", "ls", "-q"]).lines().count(), 3);
}

#[test]
fn ip_subnet_and_names_are_checked_as_docker_does() {
    let env = Env::with_busybox();
    env.ok(&[
        "network",
        "create",
        "--subnet",
        "10.231.7.0/24",
        "--gateway",
        "10.231.7.254",
        "--ip-range",
        "10.231.7.128/25",
        "fixed",
    ]);
    let cfg = env.ok(&[
        "network",
        "inspect",
        "-f",
        "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}} {{.IPRange}}{{end}}",
        "fixed",
    ]);
    assert_eq!(cfg.trim(), "10.231.7.0/24 10.231.7.254 10.231.7.128/25");
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "fixed",
        "--ip",
        "10.231.7.9",
        "busybox",
        "ip",
        "-4",
        "-o",
        "addr",
        "show",
        "eth0",
    ]);
    assert!(out.contains("10.231.7.9/24"), "{out}");
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "fixed",
        "busybox",
        "ip",
        "-4",
        "-o",
        "addr",
        "show",
        "eth0",
    ]);
    assert!(
        out.contains("inet 10.231.7.128/24"),
        "from the range: {out}"
    );
    for (args, want) in [
        (
            vec!["network", "create", "fixed"],
            "network with name fixed already exists",
        ),
        (vec!["network", "create", "bridge"], "already exists"),
        (vec!["network", "create", "a b"], "invalid network name"),
        (
            vec!["network", "create", "--subnet", "10.231.7.0/25", "overlap"],
            "Pool overlaps with other one on this address space",
        ),
        (
            vec!["network", "create", "-d", "overlay", "ov"],
            "plugin \"overlay\" not found",
        ),
        (vec!["network", "rm", "bridge"], "pre-defined network"),
        (vec!["network", "rm", "nosuch"], "network nosuch not found"),
    ] {
        let (_, err) = env.code(1, &args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    for (args, want) in [
        (
            vec!["--network", "fixed", "--ip", "10.9.9.9"],
            "no configured subnet or ip-range contain the IP address 10.9.9.9",
        ),
        (
            vec!["--ip", "10.9.9.9"],
            "user specified IP address is supported on user defined networks only",
        ),
        (
            vec!["--network-alias", "x"],
            "network-scoped alias is supported only for containers in user defined networks",
        ),
        (vec!["--network", "nosuch"], "network nosuch not found"),
    ] {
        let mut a = vec!["run", "--rm"];
        a.extend_from_slice(&args);
        a.extend_from_slice(&["busybox", "true"]);
        let (_, err) = env.code(125, &a);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    assert_eq!(
        env.ok(&["network", "ls", "-q", "--filter", "name=fixed"])
            .lines()
            .count(),
        1
    );
    env.ok(&["network", "rm", "fixed"]);
}

#[test]
fn network_connect_and_disconnect_of_a_running_container() {
    let env = Env::with_busybox();
    env.ok(&["network", "create", "front"]);
    env.ok(&["network", "create", "back"]);
    let db = http_server(&env, &env.dir.join("www"), "back", "db", &[]);
    let app = env.ok(&[
        "run",
        "-d",
        "--name",
        "app",
        "--network",
        "front",
        "busybox",
        "sleep",
        "60",
    ]);
    let app = app.trim();
    // On front only: db is neither resolved nor reached.
    let get = || {
        env.run(&[
            "exec",
            app,
            "sh",
            "-c",
            "timeout 3 wget -qO- http://db/ || exit 1",
        ])
    };
    assert!(!get().status.success());
    // Connected to back while it runs: a second link, and db by name.
    env.ok(&["network", "connect", "--alias", "api", "back", app]);
    let links = env.ok(&["exec", app, "ip", "-o", "link"]);
    assert!(links.contains("eth1"), "{links}");
    assert_eq!(stdout(&get()), "served by db\n");
    // db resolves the newcomer and its alias.
    let seen = env.run(&["exec", &db, "grep", "-w", "api", "/etc/hosts"]);
    assert!(seen.status.success(), "{}", stdout(&seen));
    let nets = env.ok(&[
        "inspect",
        "-f",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
        app,
    ]);
    assert_eq!(nets.trim(), "back front");
    let (_, err) = env.code(1, &["network", "connect", "back", app]);
    assert!(
        err.contains("endpoint with name app already exists in network back"),
        "{err}"
    );
    let (_, err) = env.code(1, &["network", "rm", "back"]);
    assert!(err.contains("has active endpoints"), "{err}");
    // Disconnected: the link and the name go.
    env.ok(&["network", "disconnect", "back", app]);
    let links = env.ok(&["exec", app, "ip", "-o", "link"]);
    assert!(!links.contains("eth1"), "{links}");
    assert!(!get().status.success());
    let gone = env.run(&["exec", &db, "grep", "-w", "api", "/etc/hosts"]);
    assert!(!gone.status.success());
    let (_, err) = env.code(1, &["network", "disconnect", "back", app]);
    assert!(err.contains("is not connected to network back"), "{err}");
    env.ok(&["rm", "-f", app, &db]);
    env.ok(&["network", "rm", "front", "back"]);
}
