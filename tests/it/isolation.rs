//! Isolation: each test is an attack (or a check of a default) that a
//! container or a Dockerfile must not get past: seccomp, devices,
//! capabilities, the keyring, the host binary, leaked fds, host-side
//! walkers, the store's modes, the attach socket, host files, ttys.

use crate::util::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// tests/it/probe.c, built once (static, so it runs in the busybox image).
fn probe() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let out = dir.join("strata-probe");
        let tmp = dir.join(format!("strata-probe.{}", std::process::id()));
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/probe.c");
        let st = std::process::Command::new("gcc")
            .args(["-static", "-O1", "-o"])
            .arg(&tmp)
            .arg(&src)
            .status()
            .expect("gcc is needed for the isolation probe (scripts/setup.sh installs it)");
        assert!(st.success(), "building the probe failed");
        std::fs::rename(&tmp, &out).unwrap();
        out
    })
}

fn probe_bind() -> String {
    format!("{}:/probe:ro", probe().display())
}

/// `name=result` lines as a map.
fn results(out: &str) -> std::collections::HashMap<String, String> {
    out.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn status_field(out: &str, field: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(field))
        .map(|v| v.trim_start_matches(':').trim().to_string())
        .unwrap_or_else(|| panic!("no {field} in {out}"))
}

fn host_bounding() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    u64::from_str_radix(&status_field(&s, "CapBnd"), 16).unwrap()
}

fn status(env: &Env, flags: &[&str]) -> String {
    let mut args = vec!["run", "--rm", "--network", "none"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["busybox", "cat", "/proc/self/status"]);
    env.ok(&args)
}

fn no_containers(env: &Env) {
    assert_eq!(
        env.ok(&["ps", "-a", "-q"]),
        "",
        "a container was left behind"
    );
}

#[test]
fn a_leaked_directory_fd_never_becomes_the_working_directory() {
    let env = Env::with_busybox();
    // The caller leaks its / as fd 7: `-w /proc/self/fd/7` must not list it.
    let sh = |args: &str| {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("exec 7</; exec {BIN} {args}"))
            .env("STRATA_ROOT", env.root())
            .env("STRATA_RUNROOT", env.runroot())
            .output()
            .unwrap()
    };
    let out = sh("run --rm --network none -w /proc/self/fd/7 busybox ls");
    assert_eq!(
        out.status.code(),
        Some(125),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("working directory"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("boot"), "the host's / was listed");
    no_containers(&env);
    // An image whose WORKDIR is such a path: the fd is closed before the
    // child looks at it, so it leads nowhere.
    env.ok(&[
        "run",
        "--name",
        "wd1",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    env.ok(&["commit", "-c", "WORKDIR /proc/self/fd/7", "wd1", "badwd"]);
    let out = sh("run --rm --network none badwd ls");
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!stdout(&out).contains("boot"), "the host's / was listed");
    // exec -w the same way.
    env.ok(&[
        "run",
        "-d",
        "--name",
        "xc1",
        "--network",
        "none",
        "busybox",
        "sleep",
        "60",
    ]);
    let out = sh("exec -w /proc/self/fd/7 xc1 ls");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(!stdout(&out).contains("boot"));
    // And the container's own fds are only stdio.
    let fds = env.ok(&["exec", "xc1", "ls", "/proc/self/fd"]);
    assert_eq!(
        fds.split_whitespace().collect::<Vec<_>>(),
        ["0", "1", "2", "3"],
        "{fds}"
    );
    env.ok(&["rm", "-f", "xc1", "wd1"]);
}

#[test]
fn capability_sets_seccomp_and_no_new_privs_are_docker_s() {
    let env = Env::with_busybox();
    let bnd = host_bounding();
    let hex = |m: u64| format!("{:016x}", m & bnd);
    let s = status(&env, &[]);
    assert_eq!(status_field(&s, "CapInh"), "0000000000000000");
    assert_eq!(status_field(&s, "CapAmb"), "0000000000000000");
    assert_eq!(status_field(&s, "CapPrm"), hex(0xa80425fb));
    assert_eq!(status_field(&s, "CapEff"), hex(0xa80425fb));
    assert_eq!(status_field(&s, "CapBnd"), hex(0xa80425fb));
    assert_eq!(status_field(&s, "Seccomp"), "2");
    assert_eq!(status_field(&s, "NoNewPrivs"), "0");
    let s = status(&env, &["--security-opt", "no-new-privileges"]);
    assert_eq!(status_field(&s, "NoNewPrivs"), "1");
    assert_eq!(status_field(&s, "Seccomp"), "2");
    let s = status(&env, &["--security-opt", "seccomp=unconfined"]);
    assert_eq!(status_field(&s, "Seccomp"), "0");
    let s = status(&env, &["-u", "1000"]);
    assert_eq!(status_field(&s, "CapEff"), "0000000000000000");
    assert_eq!(status_field(&s, "CapInh"), "0000000000000000");
    assert_eq!(status_field(&s, "CapBnd"), hex(0xa80425fb));
    let s = status(&env, &["--cap-drop", "ALL"]);
    assert_eq!(status_field(&s, "CapBnd"), "0000000000000000");
    let s = status(
        &env,
        &["--cap-drop", "all", "--cap-add", "NET_BIND_SERVICE"],
    );
    assert_eq!(status_field(&s, "CapEff"), hex(0x400));
    let s = status(&env, &["--cap-add", "SYS_ADMIN"]);
    assert_eq!(status_field(&s, "CapEff"), hex(0xa82425fb));
    let s = status(
        &env,
        &["--cap-add", "ALL", "--cap-drop", "CAP_SYS_RESOURCE"],
    );
    assert_eq!(
        status_field(&s, "CapEff"),
        hex(((1u64 << 41) - 1) & !(1 << 24))
    );
    // --privileged: every capability the host has, no filter.
    let s = status(&env, &["--privileged"]);
    assert_eq!(status_field(&s, "CapEff"), format!("{bnd:016x}"));
    assert_eq!(status_field(&s, "Seccomp"), "0");
    // exec gets the container's sets, and exec --privileged everything.
    env.ok(&[
        "run",
        "-d",
        "--name",
        "capc",
        "--network",
        "none",
        "busybox",
        "sleep",
        "60",
    ]);
    let s = env.ok(&["exec", "capc", "cat", "/proc/self/status"]);
    assert_eq!(status_field(&s, "CapInh"), "0000000000000000");
    assert_eq!(status_field(&s, "CapEff"), hex(0xa80425fb));
    assert_eq!(status_field(&s, "Seccomp"), "2");
    let s = env.ok(&["exec", "--privileged", "capc", "cat", "/proc/self/status"]);
    assert_eq!(status_field(&s, "CapEff"), format!("{bnd:016x}"));
    assert_eq!(status_field(&s, "Seccomp"), "0");
    env.ok(&["rm", "-f", "capc"]);
}

#[test]
fn the_default_seccomp_profile_refuses_what_docker_s_does() {
    let env = Env::with_busybox();
    let bind = probe_bind();
    let run = |flags: &[&str]| {
        let mut a = vec!["run", "--rm", "--network", "none", "-v", bind.as_str()];
        a.extend_from_slice(flags);
        a.extend_from_slice(&["busybox", "/probe", "syscalls"]);
        results(&env.ok(&a))
    };
    let r = run(&[]);
    for (k, want) in [
        ("unshare_user", "EPERM"),
        ("unshare_ns", "EPERM"),
        ("keyctl", "EPERM"),
        ("add_key", "EPERM"),
        ("mount", "EPERM"),
        ("syscall999", "ENOSYS"),
        ("clone3", "ENOSYS"),
        ("clone_newns", "EPERM"),
        ("personality_rie", "EPERM"),
        ("personality_query", "ok"),
        ("vsock", "EPERM"),
        ("inet", "ok"),
        ("setns", "EPERM"),
        ("pivot_root", "EPERM"),
    ] {
        assert_eq!(r.get(k).map(String::as_str), Some(want), "{k} in {r:?}");
    }
    // A call newer than the profile's list is ENOSYS or allowed (moby's
    // list has fchmodat2), never EPERM: libc falls back only on ENOSYS.
    assert_ne!(r["fchmodat2"], "EPERM");
    // CAP_SYS_ADMIN unlocks mount and unshare, never keyctl or pivot_root.
    let r = run(&["--cap-add", "SYS_ADMIN"]);
    assert_eq!(r["unshare_ns"], "ok");
    assert_ne!(r["mount"], "EPERM");
    assert_eq!(r["keyctl"], "EPERM");
    assert_eq!(r["pivot_root"], "EPERM");
    // Unconfined: the kernel answers (userns are allowed on this host).
    let r = run(&["--security-opt", "seccomp=unconfined"]);
    assert_eq!(r["unshare_user"], "ok");
    assert_ne!(r["keyctl"], "EPERM");
    // A profile of one's own, in docker's format.
    let p = env.dir.join("deny-mkdir.json");
    std::fs::write(
        &p,
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}"#,
    )
    .unwrap();
    let opt = format!("seccomp={}", p.display());
    let (_, err) = env.code(
        1,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "--security-opt",
            &opt,
            "busybox",
            "mkdir",
            "/x",
        ],
    );
    assert!(err.contains("Operation not permitted"), "{err}");
    // The compiled filter is kept: a second container reads it.
    let kept = std::fs::read_dir(env.root().join("seccomp"))
        .unwrap()
        .count();
    assert!(kept >= 2, "{kept} filters kept");
}

#[test]
fn devices_outside_docker_s_list_can_be_made_but_not_opened() {
    let env = Env::with_busybox();
    let attack = "mknod /t c 4 1 && echo made; exec 3</t && echo opened";
    for mode in [None, Some("v1")] {
        let mut c = env.cmd(&[
            "run",
            "--rm",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            attack,
        ]);
        if let Some(m) = mode {
            c.env("STRATA_CGROUP_DEVICES", m);
        }
        let out = c.output().unwrap();
        assert!(stdout(&out).contains("made"), "{mode:?}: {}", stderr(&out));
        assert!(
            !stdout(&out).contains("opened"),
            "{mode:?}: tty1 was opened"
        );
        assert!(
            stderr(&out).contains("Operation not permitted"),
            "{mode:?}: {}",
            stderr(&out)
        );
        // docker's own nodes still work.
        let mut c = env.cmd(&[
            "run",
            "--rm",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "head -c1 /dev/zero | wc -c; echo x > /dev/null && echo null",
        ]);
        if let Some(m) = mode {
            c.env("STRATA_CGROUP_DEVICES", m);
        }
        let out = c.output().unwrap();
        assert!(stdout(&out).contains("null"), "{mode:?}: {}", stderr(&out));
    }
    // The v1 controller's own list, read while a container runs.
    let mut c = env.cmd(&[
        "run",
        "-d",
        "--name",
        "v1",
        "--network",
        "none",
        "busybox",
        "sleep",
        "60",
    ]);
    c.env("STRATA_CGROUP_DEVICES", "v1");
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let id = env
        .ok(&["inspect", "-f", "{{.Id}}", "v1"])
        .trim()
        .to_string();
    let list = std::fs::read_to_string(format!("/sys/fs/cgroup/devices/strata/{id}/devices.list"))
        .expect("a v1 devices group for the container");
    assert!(
        list.contains("c 1:3 rwm") && list.contains("c 136:* rwm"),
        "{list}"
    );
    assert!(!list.contains("a *:* rwm"), "{list}");
    assert!(!list.contains("c 4:1"), "{list}");
    env.ok(&["rm", "-f", "v1"]);
    // --device adds one; --privileged allows all.
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--device",
        "/dev/tty1",
        "busybox",
        "sh",
        "-c",
        "exec 3</dev/tty1 && echo opened",
    ]);
    assert!(out.contains("opened"), "{out}");
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--device",
        "/dev/tty1:/dev/other:r",
        "busybox",
        "sh",
        "-c",
        "ls -l /dev/other; exec 3</dev/other && echo opened",
    ]);
    assert!(out.contains("4,   1") && out.contains("opened"), "{out}");
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--privileged",
        "busybox",
        "sh",
        "-c",
        "exec 3</dev/tty1 && echo opened",
    ]);
    assert!(out.contains("opened"), "{out}");
}

#[test]
fn privileged_mounts_and_a_ro_bind_stays_read_only() {
    let env = Env::with_busybox();
    let out = env.ok(&["run", "--rm", "--network", "none", "--privileged", "busybox", "sh", "-c", "mkdir -p /m && mount -t tmpfs x /m && echo mounted; touch /sys/x 2>&1; grep -c . /proc/mounts"]);
    assert!(out.contains("mounted"), "{out}");
    let (_, err) = env.code(
        1,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "mkdir -p /m && mount -t tmpfs x /m",
        ],
    );
    assert!(
        err.contains("Operation not permitted") || err.contains("denied"),
        "{err}"
    );
    // :ro holds for the mounts below the source too.
    let dir = env.dir.join("ro");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    assert!(std::process::Command::new("mount")
        .args(["-t", "tmpfs", "strata-test-sub"])
        .arg(dir.join("sub"))
        .status()
        .unwrap()
        .success());
    struct Umount(std::path::PathBuf);
    impl Drop for Umount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _u = Umount(dir.join("sub"));
    let v = format!("{}:/ro:ro", dir.display());
    for f in ["/ro/x", "/ro/sub/x"] {
        let (_, err) = env.code(
            1,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "-v",
                &v,
                "busybox",
                "touch",
                f,
            ],
        );
        assert!(err.contains("Read-only file system"), "{f}: {err}");
    }
    assert!(!dir.join("x").exists() && !dir.join("sub/x").exists());
}

#[test]
fn a_container_never_sees_the_caller_s_keys() {
    let env = Env::with_busybox();
    let bind = probe_bind();
    let out = std::process::Command::new(probe())
        .args([
            "hostkey",
            BIN,
            "run",
            "--rm",
            "--network",
            "none",
            "--security-opt",
            "seccomp=unconfined",
            "-v",
            &bind,
            "busybox",
            "/probe",
            "findkey",
        ])
        .env("STRATA_ROOT", env.root())
        .env("STRATA_RUNROOT", env.runroot())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let r = results(&stdout(&out));
    assert_eq!(r.get("search").map(String::as_str), Some("ENOKEY"), "{r:?}");
}

#[test]
fn the_strata_binary_is_out_of_reach_through_proc_exe() {
    let env = Env::with_busybox();
    let bin = std::fs::metadata(BIN).unwrap();
    let bind = probe_bind();
    let (dev, ino) = (bin.dev().to_string(), bin.ino().to_string());
    env.ok(&[
        "run",
        "-d",
        "--name",
        "victim",
        "--network",
        "none",
        "-v",
        &bind,
        "busybox",
        "/probe",
        "watch",
        &dev,
        &ino,
        "6",
    ]);
    let end = std::time::Instant::now() + std::time::Duration::from_secs(4);
    let mut n = 0;
    while std::time::Instant::now() < end {
        env.ok(&["exec", "victim", "true"]);
        n += 1;
    }
    assert!(wait_for(10.0, || env
        .ok(&["ps", "-a", "--format", "{{.Status}}", "-f", "name=victim"])
        .contains("Exited")));
    let log = env.ok(&["logs", "victim"]);
    assert!(log.contains("hits=0"), "after {n} execs: {log}");
    assert!(!log.contains("chmod=ok"), "{log}");
    let after = std::fs::metadata(BIN).unwrap();
    assert_eq!(after.mode(), bin.mode(), "the strata binary's mode changed");
    env.ok(&["rm", "victim"]);
}

#[test]
fn copy_from_a_stage_never_reads_host_files() {
    let env = Env::with_busybox();
    let secret = env.dir.join(format!("secret-{}", random_suffix()));
    std::fs::create_dir_all(&secret).unwrap();
    std::fs::write(secret.join("s.txt"), "HOST-SECRET\n").unwrap();
    let df = format!(
        "FROM busybox AS a\nRUN ln -s {} /out && ln -s /etc /etcl\nFROM busybox\nCOPY --from=a /out/s.txt /got\n",
        secret.display()
    );
    let ctx = env.dir.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), &df).unwrap();
    let out = env.run(&[
        "build",
        "--network",
        "none",
        "-t",
        "steal",
        ctx.to_str().unwrap(),
    ]);
    assert!(
        !out.status.success(),
        "the build read a host file: {}",
        stdout(&out)
    );
    assert!(env.run(&["image", "inspect", "steal"]).status.code() != Some(0));
    // Through a link to a directory: the image's /etc, not the host's.
    std::fs::write(secret.join("hostname"), "HOST-SECRET\n").unwrap();
    let df = format!(
        "FROM busybox AS a\nRUN ln -s {} /d && echo img > /etc/mark\nFROM busybox\nCOPY --from=a /d /d\nCOPY --from=a /etc/mark /mark\n",
        secret.display()
    );
    std::fs::write(ctx.join("Dockerfile"), &df).unwrap();
    env.ok(&[
        "build",
        "--network",
        "none",
        "-t",
        "links",
        ctx.to_str().unwrap(),
    ]);
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "links",
        "sh",
        "-c",
        "cat /mark; cat /d/s.txt 2>&1; ls -l /d",
    ]);
    assert!(out.contains("img"), "{out}");
    assert!(!out.contains("HOST-SECRET"), "{out}");
}

#[test]
fn the_store_is_root_s_alone() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "st1",
        "--network",
        "none",
        "-e",
        "SECRET=x",
        "busybox",
        "sh",
        "-c",
        "cp /bin/busybox /sh && chmod 4755 /sh && echo hi && sleep 60",
    ]);
    assert!(wait_for(5.0, || env.ok(&["logs", "st1"]).contains("hi")));
    let id = env
        .ok(&["inspect", "-f", "{{.Id}}", "st1"])
        .trim()
        .to_string();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let root = env.root();
    assert_eq!(mode(&root), 0o711);
    for d in ["containers", "layers", "images", "tmp", "l", "names", "mnt"] {
        assert_eq!(mode(&root.join(d)), 0o700, "{d}");
    }
    assert_eq!(mode(&env.runroot()), 0o700);
    let cdir = root.join("containers").join(&id);
    assert_eq!(mode(&cdir.join("container.json")), 0o600);
    assert_eq!(mode(&cdir.join(format!("{id}-json.log"))), 0o600);
    let sock = std::fs::read_dir(env.runroot())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".attach"))
        .expect("an attach socket")
        .path();
    assert_eq!(mode(&sock), 0o600);
    // A host user cannot run the setuid copy in the upper dir.
    let sh = cdir.join("upper/sh");
    assert_eq!(mode(&sh), 0o4755);
    // (setpriv itself still holds root's capabilities when it execs: the
    // shell it starts, which has none, makes the attempt.)
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "/bin/sh",
            "-c",
        ])
        .arg(format!("exec {} -c 'id -u'", sh.display()))
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a host user ran {}: {}",
        sh.display(),
        stdout(&out)
    );
    env.ok(&["rm", "-f", "st1"]);
}

#[test]
fn the_attach_socket_refuses_another_uid() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-dit",
        "--name",
        "box",
        "--network",
        "none",
        "busybox",
        "sh",
    ]);
    let sock = std::fs::read_dir(env.runroot())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".attach"))
        .unwrap()
        .path();
    // Even with the modes opened up (a umask of 0), nobody gets in.
    for p in [env.dir.clone(), env.runroot(), sock.clone()] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let client = format!(
        "import socket,struct,time\n\
         s=socket.socket(socket.AF_UNIX); s.connect({:?})\n\
         d=b'touch /pwned\\n'; s.sendall(bytes([0])+struct.pack('>I',len(d))+d)\n\
         s.settimeout(3); got=b''\n\
         try:\n  got=s.recv(4096)\nexcept Exception:\n  pass\n\
         print('got', len(got))\n",
        sock.display().to_string()
    );
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            "python3",
            "-c",
            &client,
        ])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("got 0") || !out.status.success(),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    env.code(1, &["exec", "box", "ls", "/pwned"]);
    env.ok(&["rm", "-f", "box"]);
}

#[test]
fn host_network_gets_copies_of_the_host_s_files() {
    let env = Env::with_busybox();
    let before = std::fs::read("/etc/hosts").unwrap();
    let resolv = std::fs::read("/etc/resolv.conf").unwrap_or_default();
    let out = env.ok(&["run", "--rm", "--network", "host", "busybox", "sh", "-c", "echo '6.6.6.6 poisoned' >> /etc/hosts; echo 'nameserver 6.6.6.6' >> /etc/resolv.conf; grep -c poisoned /etc/hosts"]);
    assert_eq!(out.trim(), "1");
    assert_eq!(
        std::fs::read("/etc/hosts").unwrap(),
        before,
        "the host's /etc/hosts changed"
    );
    assert_eq!(
        std::fs::read("/etc/resolv.conf").unwrap_or_default(),
        resolv
    );
}

#[test]
fn the_bridge_drops_what_it_carries_to_the_host_s_loopback() {
    let env = Env::with_busybox().own_bridge();
    env.ok(&["run", "--rm", "busybox", "true"]);
    let out = std::process::Command::new("nft")
        .args(["list", "table", "ip", &env.bridge])
        .output()
        .unwrap();
    let t = stdout(&out);
    assert!(
        t.contains(&format!(
            "iifname \"{}\" ip daddr 127.0.0.0/8 drop",
            env.bridge
        )),
        "{t}"
    );
}

#[test]
fn bad_security_flags_are_one_line_and_make_nothing() {
    let env = Env::with_busybox();
    let bad_json = env.dir.join("bad.json");
    std::fs::write(&bad_json, "{").unwrap();
    let bad = format!("seccomp={}", bad_json.display());
    let missing = format!("seccomp={}", env.dir.join("nope.json").display());
    for (flags, want) in [
        (
            vec!["--cap-add", "NOPE"],
            "invalid CapAdd: unknown capability: \"CAP_NOPE\"",
        ),
        (
            vec!["--cap-drop", "CAP_BOGUS"],
            "invalid CapDrop: unknown capability: \"CAP_BOGUS\"",
        ),
        (
            vec!["--security-opt", bad.as_str()],
            "decoding seccomp profile failed",
        ),
        (
            vec!["--security-opt", missing.as_str()],
            "opening seccomp profile",
        ),
        (vec!["--security-opt", "bogus=1"], "invalid --security-opt"),
        (
            vec!["--device", "/dev/nonexistent"],
            "error gathering device information",
        ),
        (
            vec!["-w", "/proc/self/fd/7"],
            "the working directory '/proc/self/fd/7' is invalid",
        ),
        (
            vec!["-w", "relative/dir"],
            "it needs to be an absolute path",
        ),
    ] {
        let mut a = vec!["run", "--rm", "--network", "none"];
        a.extend_from_slice(&flags);
        a.extend_from_slice(&["busybox", "true"]);
        let (_, err) = env.code(125, &a);
        assert!(err.contains(want), "{flags:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        no_containers(&env);
    }
}

#[test]
fn a_symlink_swapped_in_during_a_commit_or_export_reads_nothing_of_the_host() {
    let env = Env::with_busybox();
    let secret = env.dir.join("victim");
    std::fs::create_dir_all(&secret).unwrap();
    std::fs::write(secret.join("secret"), "HOST-SECRET\n").unwrap();
    // /w/d is a directory one moment and a link to the host's directory
    // (as the host sees the path) the next.
    let swap = format!(
        "mkdir -p /w/d && echo mine > /w/d/f && ln -s {} /w/l && \
         while :; do mv /w/d /w/t; mv /w/l /w/d; mv /w/d /w/l; mv /w/t /w/d; done",
        secret.display()
    );
    env.ok(&[
        "run",
        "-d",
        "--name",
        "swapper",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        &swap,
    ]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    for i in 0..15 {
        let tag = format!("swap:{i}");
        // A file can vanish mid-walk; an error is fine, host content is not.
        let _ = env.run(&["commit", "--pause=false", "swapper", &tag]);
        let d = env.run(&["diff", "swapper"]);
        assert!(!stdout(&d).contains("secret"), "{}", stdout(&d));
        let out = env.run(&["export", "swapper"]);
        assert!(!String::from_utf8_lossy(&out.stdout).contains("HOST-SECRET"));
    }
    for i in 0..15 {
        let tag = format!("swap:{i}");
        if env.run(&["image", "inspect", &tag]).status.success() {
            let out = env.run(&[
                "run",
                "--rm",
                "--network",
                "none",
                &tag,
                "sh",
                "-c",
                "cat /w/*/secret 2>/dev/null; true",
            ]);
            assert!(
                !stdout(&out).contains("HOST-SECRET"),
                "{tag}: {}",
                stdout(&out)
            );
        }
    }
    env.ok(&["rm", "-f", "swapper"]);
}
