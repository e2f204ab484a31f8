//! `run`: isolation, the overlay root, exit codes, signals, ps and rm.

use crate::util::*;
use std::process::Stdio;

#[test]
fn run_command_is_pid_1_with_its_own_hostname_and_mounts() {
    let env = Env::with_busybox();
    let out = env.ok(&[
        "run",
        "--name",
        "iso",
        "busybox",
        "sh",
        "-c",
        "echo pid=$$; hostname; head -1 /proc/self/mountinfo",
    ]);
    let id = env.id_of("iso");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "pid=1");
    assert_eq!(lines[1], &id[..12], "hostname is the short id");
    assert!(
        lines[2].contains(" / / ") && lines[2].contains("overlay"),
        "root is an overlay: {}",
        lines[2]
    );
    // The container's mounts never show up on the host.
    assert!(host_mounts_mentioning(&env.dir).is_empty());
}

#[test]
fn run_hides_host_files_and_has_a_minimal_dev() {
    let env = Env::with_busybox();
    let marker = env.dir.join("host-marker");
    std::fs::write(&marker, "secret").unwrap();
    let script = format!(
        "test -e {} && echo visible; ls /dev | sort | tr '\\n' ' '",
        marker.display()
    );
    let out = env.ok(&["run", "--rm", "busybox", "sh", "-c", &script]);
    assert!(
        !out.lines().any(|l| l == "visible"),
        "host file leaked: {out}"
    );
    for dev in [
        "full", "mqueue", "null", "ptmx", "pts", "random", "shm", "tty", "urandom", "zero",
    ] {
        assert!(out.contains(dev), "/dev/{dev} missing: {out}");
    }
}

#[test]
fn run_exit_codes_follow_docker() {
    let env = Env::with_busybox();
    env.code(0, &["run", "--rm", "busybox", "true"]);
    env.code(3, &["run", "--rm", "busybox", "sh", "-c", "exit 3"]);
    let (_, err) = env.code(127, &["run", "--rm", "busybox", "no-such-command"]);
    assert!(err.contains("executable file not found in $PATH"), "{err}");
    let (_, err) = env.code(127, &["run", "--rm", "busybox", "/no/such/path"]);
    assert!(err.contains("no such file or directory"), "{err}");
    let (_, err) = env.code(126, &["run", "--rm", "busybox", "/etc/passwd"]);
    assert!(err.contains("permission denied"), "{err}");
    let (_, err) = env.code(126, &["run", "--rm", "busybox", "/etc"]);
    assert!(err.contains("permission denied"), "{err}");
}

#[test]
fn run_exit_137_when_killed_from_the_host() {
    let env = Env::with_busybox();
    let mut child = env.spawn(&["run", "--name", "victim", "busybox", "sleep", "30"]);
    assert!(wait_for(5.0, || env.ok(&["ps", "-q"]).lines().count() == 1));
    let pid: i32 = env
        .ok(&["inspect", "-f", "{{.State.Pid}}", "victim"])
        .trim()
        .parse()
        .unwrap();
    assert!(pid > 1);
    std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    let st = child.wait().unwrap();
    assert_eq!(st.code(), Some(137));
    let ps = env.ok(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert!(ps.starts_with("victim Exited (137)"), "{ps}");
}

#[test]
fn run_forwards_sigterm_to_the_container() {
    let env = Env::with_busybox();
    let mut child = Bg(env
        .cmd(&[
            "run",
            "--rm",
            "busybox",
            "sh",
            "-c",
            "trap 'exit 42' TERM; echo ready; while true; do sleep 0.05; done",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap());
    let mut first = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first.trim(), "ready");
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(42));
}

#[test]
fn run_writes_land_in_the_upper_dir_and_layers_stay_untouched() {
    let env = Env::with_busybox();
    let layers = env.root().join("layers");
    let before = tree_digest(&layers);
    env.ok(&[
        "run",
        "--name",
        "writer",
        "busybox",
        "sh",
        "-c",
        "echo data > /root/new; rm /bin/vi; echo x >> /etc/passwd",
    ]);
    assert_eq!(tree_digest(&layers), before, "an image layer changed");
    let id = env.id_of("writer");
    let upper = env.root().join("containers").join(&id).join("upper");
    assert_eq!(
        std::fs::read_to_string(upper.join("root/new")).unwrap(),
        "data\n"
    );
    assert!(std::fs::read_to_string(upper.join("etc/passwd"))
        .unwrap()
        .ends_with("x\n"));
    use std::os::unix::fs::FileTypeExt;
    let wh = std::fs::symlink_metadata(upper.join("bin/vi")).unwrap();
    assert!(
        wh.file_type().is_char_device(),
        "deletion is an overlay whiteout"
    );
    // The mount points of the shared init layer never reach the upper dir.
    assert!(!upper.join("etc/hostname").exists() && !upper.join("proc").exists());
}

#[test]
fn run_two_containers_of_one_image_do_not_see_each_other() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "ca",
        "busybox",
        "sh",
        "-c",
        "echo a > /tmp/mine",
    ]);
    let out = env.run(&["run", "--name", "cb", "busybox", "cat", "/tmp/mine"]);
    assert_eq!(out.status.code(), Some(1), "container b saw a's file");
    env.ok(&["run", "--rm", "busybox", "sh", "-c", "test ! -e /tmp/mine"]);
}

#[test]
fn run_env_workdir_user_entrypoint_and_volumes() {
    let env = Env::with_busybox();
    let envfile = env.dir.join("env.list");
    std::fs::write(&envfile, "# comment\nFROM_FILE=1\nSHARED=file\n").unwrap();
    let out = env.ok(&[
        "run",
        "--rm",
        "-e",
        "A=b c",
        "--env-file",
        envfile.to_str().unwrap(),
        "-e",
        "SHARED=flag",
        "-w",
        "/work/dir",
        "-u",
        "redis",
        "busybox",
        "sh",
        "-c",
        "echo $A; echo $FROM_FILE $SHARED; pwd; id; echo $HOME; echo $PATH",
    ]);
    let l: Vec<&str> = out.lines().collect();
    assert_eq!(l[0], "b c");
    assert_eq!(l[1], "1 flag");
    assert_eq!(l[2], "/work/dir");
    assert_eq!(
        l[3],
        "uid=100(redis) gid=101(redis) groups=10(wheel),101(redis)"
    );
    assert_eq!(l[4], "/var/lib/redis");
    assert_eq!(
        l[5],
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    );
    assert_eq!(
        env.ok(&["run", "--rm", "-u", "1234:5", "busybox", "id", "-u"])
            .trim(),
        "1234"
    );
    let (_, err) = env.code(125, &["run", "--rm", "-u", "ghost", "busybox", "true"]);
    assert!(err.contains("unable to find user ghost"), "{err}");

    assert_eq!(
        env.ok(&[
            "run",
            "--rm",
            "--entrypoint",
            "echo",
            "busybox",
            "via",
            "entrypoint"
        ]),
        "via entrypoint\n"
    );

    let vol = env.dir.join("vol");
    std::fs::create_dir(&vol).unwrap();
    std::fs::write(vol.join("in"), "from host").unwrap();
    let spec = format!("{}:/data", vol.display());
    assert_eq!(
        env.ok(&[
            "run",
            "--rm",
            "-v",
            &spec,
            "busybox",
            "sh",
            "-c",
            "cat /data/in; echo back > /data/out"
        ]),
        "from host"
    );
    assert_eq!(std::fs::read_to_string(vol.join("out")).unwrap(), "back\n");
    let ro = format!("{}:/data:ro", vol.display());
    let (_, err) = env.code(
        1,
        &[
            "run",
            "--rm",
            "-v",
            &ro,
            "busybox",
            "sh",
            "-c",
            "echo x > /data/new",
        ],
    );
    assert!(err.contains("Read-only file system"), "{err}");
}

#[test]
fn run_network_none_has_only_loopback_and_host_shares_the_host_s() {
    let env = Env::with_busybox();
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        "ls /sys/class/net; ip -o link | wc -l",
    ]);
    assert!(out.starts_with("lo\n"), "{out}");
    // Other tests add and remove veths and bridges meanwhile: compare the
    // host's stable links (not a veth, not a test bridge).
    let stable = |names: Vec<String>| -> Vec<String> {
        let mut v: Vec<String> = names
            .into_iter()
            .filter(|n| !n.starts_with("veth") && !n.starts_with("strata"))
            .collect();
        v.sort();
        v
    };
    let host_links = stable(
        std::fs::read_dir("/sys/class/net")
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
    );
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "host",
        "busybox",
        "ls",
        "/sys/class/net",
    ]);
    assert!(host_links.len() > 1, "{host_links:?}");
    assert_eq!(
        stable(out.lines().map(str::to_string).collect()),
        host_links
    );
    let host_name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(
        env.ok(&["run", "--rm", "--network", "host", "busybox", "hostname"]),
        host_name
    );
    assert_eq!(
        env.ok(&["run", "--rm", "-h", "web01", "busybox", "hostname"]),
        "web01\n"
    );
}

#[test]
fn run_drops_capabilities_to_docker_s_set() {
    let env = Env::with_busybox();
    let out = env.ok(&[
        "run",
        "--rm",
        "busybox",
        "grep",
        "CapBnd",
        "/proc/self/status",
    ]);
    let mask = u64::from_str_radix(out.split_whitespace().nth(1).unwrap(), 16).unwrap();
    assert_eq!(
        mask & !0xa80425fbu64,
        0,
        "only docker's default capabilities: {out}"
    );
    // Read-only kernel interfaces stay read-only.
    env.code(
        1,
        &[
            "run",
            "--rm",
            "busybox",
            "sh",
            "-c",
            "echo 1 > /proc/sys/kernel/hostname",
        ],
    );
    env.code(1, &["run", "--rm", "busybox", "touch", "/sys/x"]);
}

#[test]
fn run_rm_flag_leaves_nothing_behind() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--rm",
        "--name",
        "gone",
        "busybox",
        "sh",
        "-c",
        "echo hi > /x",
    ]);
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    // What is left of its directory (renamed out of view at its exit, its
    // upper dir gone) is deleted by a process of its own, soon after.
    let left = || -> Vec<_> {
        std::fs::read_dir(env.root().join("containers"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect()
    };
    for _ in 0..250 {
        if left().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(left().is_empty(), "container dirs left: {:?}", left());
    assert!(std::fs::read_dir(env.root().join("names"))
        .unwrap()
        .next()
        .is_none());
    let left: Vec<_> = std::fs::read_dir(env.runroot())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "names.lock")
        .collect();
    assert!(left.is_empty(), "state left in runroot: {left:?}");
}

#[test]
fn ps_sees_a_running_container_from_another_process_then_its_exit() {
    let env = Env::with_busybox();
    let mut child = env.spawn(&[
        "run",
        "--name",
        "web",
        "busybox",
        "sh",
        "-c",
        "sleep 1; exit 7",
    ]);
    assert!(wait_for(5.0, || env.ok(&["ps"]).contains("web")));
    let table = env.ok(&["ps"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "CONTAINER ID   IMAGE     COMMAND                  CREATED                  STATUS                  PORTS     NAMES");
    assert!(
        lines[1].contains("   busybox   \"sh -c 'sleep 1; exi…\"   "),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("   Up "), "{}", lines[1]);
    assert!(lines[1].ends_with("web"));
    assert_eq!(child.wait().unwrap().code(), Some(7));
    assert_eq!(env.ok(&["ps", "-q"]), "");
    let all = env.ok(&["ps", "-a", "--format", "{{.Names}}|{{.Status}}|{{.State}}"]);
    assert!(all.starts_with("web|Exited (7) "), "{all}");
    assert!(all.trim_end().ends_with(" ago|exited"), "{all}");
}

#[test]
fn killed_supervisor_leaves_a_container_ps_reports_truthfully() {
    let env = Env::with_busybox();
    let mut child = env.spawn(&["run", "--name", "orphan", "busybox", "sleep", "60"]);
    assert!(wait_for(5.0, || env.ok(&["ps"]).contains("orphan")));
    let pid: i32 = env
        .ok(&["inspect", "-f", "{{.State.Pid}}", "orphan"])
        .trim()
        .parse()
        .unwrap();
    child.kill().unwrap(); // SIGKILL to strata itself
    child.wait().unwrap();
    // The container dies with its supervisor and is never shown as Up.
    assert!(wait_for(5.0, || !std::path::Path::new(&format!(
        "/proc/{pid}"
    ))
    .exists()
        || std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.contains(") Z"))
            .unwrap_or(true)));
    let ps = env.ok(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert!(ps.starts_with("orphan Exited (137)"), "{ps}");
    assert_eq!(env.ok(&["ps", "-q"]), "");
    env.ok(&["rm", "orphan"]);
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    assert!(host_mounts_mentioning(&env.dir).is_empty());
}

#[test]
fn rm_refuses_a_running_container_unless_forced() {
    let env = Env::with_busybox();
    let mut child = env.spawn(&["run", "--name", "busy", "busybox", "sleep", "60"]);
    assert!(wait_for(5.0, || env.ok(&["ps"]).contains("busy")));
    let (_, err) = env.code(1, &["rm", "busy"]);
    assert!(
        err.contains("container is running: stop the container before removing or force remove"),
        "{err}"
    );
    let id = env.id_of("busy");
    assert_eq!(env.ok(&["rm", "-f", &id[..6]]), format!("{}\n", &id[..6]));
    assert_eq!(child.wait().unwrap().code(), Some(137));
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    assert!(!env.root().join("containers").join(&id).exists());
}

#[test]
fn ps_flags_quiet_last_latest_no_trunc_and_size() {
    let env = Env::with_busybox();
    for n in ["one", "two", "three"] {
        env.ok(&[
            "run",
            "--name",
            n,
            "busybox",
            "sh",
            "-c",
            "head -c 1000 /dev/zero > /f",
        ]);
    }
    assert_eq!(env.ok(&["ps", "-aq"]).lines().count(), 3);
    assert_eq!(
        env.ok(&["ps", "-n", "2", "--format", "{{.Names}}"]),
        "three\ntwo\n"
    );
    assert_eq!(env.ok(&["ps", "-l", "--format", "{{.Names}}"]), "three\n");
    let full = env.ok(&["ps", "-aq", "--no-trunc"]);
    assert!(full.lines().all(|l| l.len() == 64));
    let sized = env.ok(&["ps", "-as", "--format", "{{.Size}}"]);
    // docker's layout: the container's own bytes, then with its image's.
    assert!(
        sized
            .lines()
            .all(|l| l.starts_with("1kB (virtual ") && !l.ends_with("(virtual 1kB)")),
        "{sized}"
    );
    let (removed, _) = env.code(0, &["container", "prune", "-f"]);
    assert!(removed.starts_with("Deleted Containers:\n"), "{removed}");
    assert!(
        removed.ends_with("Total reclaimed space: 3kB\n"),
        "{removed}"
    );
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}

#[test]
fn containers_are_named_by_name_full_id_or_unique_prefix() {
    let env = Env::with_busybox();
    env.ok(&["run", "busybox", "true"]);
    let name = env
        .ok(&["ps", "-a", "--format", "{{.Names}}"])
        .trim()
        .to_string();
    let (adj, surname) = name.split_once('_').expect("adjective_surname");
    assert!(!adj.is_empty() && !surname.is_empty());
    let id = env.id_of(&name);
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.Name}}", &id[..3]]).trim(),
        format!("/{name}")
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.Name}}", &id]).trim(),
        format!("/{name}")
    );
}

#[test]
fn ps_and_images_format_tables() {
    let env = Env::with_busybox();
    env.ok(&["run", "--name", "fmt", "busybox", "true"]);
    let t = env.ok(&["ps", "-a", "--format", "table {{.Names}}\\t{{.Status}}"]);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "NAMES     STATUS");
    assert!(lines[1].starts_with("fmt       Exited (0) "), "{t}");
    let t = env.ok(&["images", "--format", "table {{.Repository}}\t{{.ID}}"]);
    assert!(t.starts_with("REPOSITORY   IMAGE ID\nbusybox      "), "{t}");
}

#[test]
fn a_foreground_run_s_output_reaches_the_terminal_and_its_log() {
    let env = Env::with_busybox();
    let out = env.run(&[
        "run",
        "--name",
        "fg",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stdout(&out), "out\n");
    assert_eq!(stderr(&out), "err\n");
    let logs = env.run(&["logs", "fg"]);
    assert_eq!(stdout(&logs), "out\n");
    assert_eq!(stderr(&logs), "err\n");
    // A process the command leaves behind dies with it; the run still ends.
    assert_eq!(
        env.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "sleep 30 & echo left"
        ]),
        "left\n"
    );
}

#[test]
fn run_attach_picks_the_streams_that_reach_the_terminal() {
    let env = Env::with_busybox();
    let out = env.run(&[
        "run",
        "--name",
        "a1",
        "--network",
        "none",
        "-a",
        "stdout",
        "busybox",
        "sh",
        "-c",
        "echo out; echo err >&2",
    ]);
    assert_eq!(stdout(&out), "out\n");
    assert_eq!(stderr(&out), "");
    // Both are in the log all the same.
    let logs = env.run(&["logs", "a1"]);
    assert_eq!(
        (stdout(&logs), stderr(&logs)),
        ("out\n".to_string(), "err\n".to_string())
    );
    let out = env.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-a",
        "STDERR",
        "busybox",
        "sh",
        "-c",
        "echo out; echo err >&2",
    ]);
    assert_eq!(
        (stdout(&out), stderr(&out)),
        (String::new(), "err\n".to_string())
    );
    let (_, err) = env.code(125, &["run", "-a", "stdweird", "busybox", "true"]);
    assert!(
        err.contains("valid streams are STDIN, STDOUT and STDERR"),
        "{err}"
    );
    let (_, err) = env.code(125, &["run", "-d", "-a", "stdout", "busybox", "true"]);
    assert!(err.contains("Conflicting options: -a and -d"), "{err}");
}

/// A foreground `run` whose container is removed under it (`rm -f` from
/// another terminal) reports 137, as docker's does, however fast the
/// removal (it used to say 125 when the lock file was gone first).
#[test]
fn a_foreground_run_removed_under_it_exits_137() {
    let env = Env::with_busybox();
    for i in 0..8 {
        let name = format!("gone{i}");
        let mut child = env.spawn(&[
            "run",
            "--name",
            &name,
            "--network",
            "none",
            "busybox",
            "sleep",
            "30",
        ]);
        assert!(wait_for(5.0, || env
            .ok(&["ps", "-q", "-f", &format!("name={name}")])
            .lines()
            .count()
            == 1));
        env.ok(&["rm", "-f", &name]);
        assert_eq!(exit_within(&mut child, 10, "run"), Some(137), "round {i}");
    }
}
