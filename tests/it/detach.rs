//! Containers that outlive the command: `run -d`, `create`/`start`,
//! `stop`, `kill`, `wait`, `logs`, and a killed monitor.

use crate::util::*;
use std::io::Read;
use std::time::{Duration, Instant};

fn is_full_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn run_detached_logs_and_waits() {
    let env = Env::with_busybox();
    let id = env.ok(&[
        "run",
        "-d",
        "--name",
        "talker",
        "busybox",
        "sh",
        "-c",
        "echo out1; echo err1 >&2; sleep 0.3; echo out2; exit 3",
    ]);
    let id = id.trim();
    assert!(is_full_id(id), "{id}");
    assert!(env.ok(&["ps"]).contains("talker"));
    // -f follows until the container exits, stdout and stderr apart.
    let out = env.run(&["logs", "-f", "talker"]);
    assert_eq!(stdout(&out), "out1\nout2\n");
    assert_eq!(stderr(&out), "err1\n");
    assert_eq!(env.ok(&["wait", "talker"]), "3\n");
    assert!(env.ok(&["ps", "-a"]).contains("Exited (3)"));
    assert_eq!(env.ok(&["logs", "--tail", "1", "talker"]), "out2\n");
    let stamped = env.ok(&["logs", "-t", "talker"]);
    let first = stamped.lines().next().unwrap();
    assert!(
        first.ends_with("Z out1") && first.starts_with("20"),
        "{first}"
    );
    // The log is docker's json-file format.
    let log = env
        .root()
        .join("containers")
        .join(id)
        .join(format!("{id}-json.log"));
    let line = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["log"], "out1\n");
    assert_eq!(v["stream"], "stdout");
    // --rm with -d: gone once it exits.
    env.ok(&["run", "-d", "--rm", "--name", "brief", "busybox", "true"]);
    assert!(wait_for(5.0, || !env.ok(&["ps", "-a"]).contains("brief")));
}

#[test]
fn wait_on_an_rm_container_reports_its_exit_code_and_nothing_is_left() {
    let env = Env::with_busybox();
    let id = env.ok(&[
        "run",
        "-d",
        "--rm",
        "busybox",
        "sh",
        "-c",
        "sleep 0.3; exit 3",
    ]);
    let id = id.trim();
    // docker: `docker wait` of an --rm container prints its code, though
    // the container is gone by the time the wait returns.
    assert_eq!(env.ok(&["wait", id]), "3\n");
    assert!(wait_for(5.0, || env.ok(&["ps", "-aq"]).trim().is_empty()));
    let out = env.run(&["inspect", id]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Its directory and name claim are gone; no state was left to read.
    let names_in = |d: &str| -> Vec<_> {
        std::fs::read_dir(env.root().join(d))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect()
    };
    assert!(
        names_in("containers").is_empty(),
        "{:?}",
        names_in("containers")
    );
    assert!(names_in("names").is_empty(), "{:?}", names_in("names"));
    // The journal has what docker's has: die with the code, then destroy.
    let filter = format!("container={id}");
    let ev = |more: &[&str], format: &str| {
        let mut args = vec![
            "events", "--since", "0", "--until", "0s", "--filter", &filter,
        ];
        args.extend_from_slice(more);
        args.extend_from_slice(&["--format", format]);
        env.ok(&args)
    };
    let actions = ev(&[], "{{.Action}}");
    assert!(actions.ends_with("die\ndestroy\n"), "{actions}");
    assert_eq!(
        ev(&["--filter", "event=die"], "{{.Actor.Attributes.exitCode}}"),
        "3\n"
    );
}

#[test]
fn a_command_that_cannot_start_is_docker_s_error() {
    let env = Env::with_busybox();
    let (out, err) = env.code(127, &["run", "-d", "busybox", "/no/such/thing"]);
    assert_eq!(out, "");
    assert!(err.contains("/no/such/thing"), "{err}");
}

#[test]
fn stop_uses_the_stop_signal_then_kills_after_the_timeout() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "polite",
        "busybox",
        "sh",
        "-c",
        "trap 'echo bye; exit 0' TERM; while :; do sleep 0.1; done",
    ]);
    env.ok(&[
        "run",
        "-d",
        "--name",
        "stubborn",
        "busybox",
        "sh",
        "-c",
        "trap '' TERM; while :; do sleep 0.1; done",
    ]);
    // The traps are set once the shells print nothing more... give them a moment.
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    assert_eq!(env.ok(&["stop", "polite"]), "polite\n");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(env.ok(&["wait", "polite"]), "0\n");
    assert_eq!(env.ok(&["logs", "polite"]), "bye\n");
    let t = Instant::now();
    env.ok(&["stop", "-t", "1", "stubborn"]);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert_eq!(env.ok(&["wait", "stubborn"]), "137\n");
    // Stopping a stopped container is no error.
    assert_eq!(env.ok(&["stop", "stubborn"]), "stubborn\n");
}

#[test]
fn kill_sends_a_signal_and_refuses_a_stopped_container() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "kk",
        "busybox",
        "sh",
        "-c",
        "trap 'echo got usr1' USR1; while :; do sleep 0.1; done",
    ]);
    std::thread::sleep(Duration::from_millis(200));
    env.ok(&["kill", "-s", "USR1", "kk"]);
    assert!(wait_for(5.0, || env.ok(&["logs", "kk"]) == "got usr1\n"));
    env.ok(&["kill", "kk"]);
    assert_eq!(env.ok(&["wait", "kk"]), "137\n");
    let (_, err) = env.code(1, &["kill", "kk"]);
    assert!(err.contains("is not running"), "{err}");
    let (_, err) = env.code(1, &["kill", "-s", "NOPE", "kk"]);
    assert!(err.contains("Invalid signal: NOPE"), "{err}");
}

#[test]
fn create_then_start_and_start_again() {
    let env = Env::with_busybox();
    let id = env.ok(&[
        "create", "--name", "later", "busybox", "sh", "-c", "echo ran",
    ]);
    assert!(is_full_id(id.trim()));
    assert!(env.ok(&["ps", "-a"]).contains("Created"));
    assert_eq!(env.ok(&["start", "later"]), "later\n");
    assert_eq!(env.ok(&["wait", "later"]), "0\n");
    assert_eq!(env.ok(&["logs", "later"]), "ran\n");
    // start -a runs it in the foreground, output to us.
    assert_eq!(env.ok(&["start", "-a", "later"]), "ran\n");
    assert_eq!(
        env.ok(&["logs", "later"]),
        "ran\n",
        "a foreground run is not logged"
    );
}

#[test]
fn a_killed_monitor_leaves_an_exited_container() {
    let env = Env::with_busybox();
    env.ok(&["run", "-d", "--name", "orphan", "busybox", "sleep", "60"]);
    let pid = env.ok(&["inspect", "-f", "{{.State.Pid}}", "orphan"]);
    let pid: i32 = pid.trim().parse().unwrap();
    // The monitor is the container init's parent.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let ppid: i32 = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(ppid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    assert!(wait_for(5.0, || env
        .ok(&["ps", "-a"])
        .contains("Exited (137)")));
    // The init died with its monitor (gone, or a zombie for init to reap).
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .to_string()
        })
        .unwrap_or_default();
    assert!(state.is_empty() || state == "Z", "{state}");
    env.ok(&["rm", "orphan"]);
}

#[test]
fn twenty_detached_containers_start_and_stop_in_parallel() {
    let env = Env::with_busybox();
    let names: Vec<String> = (0..20).map(|i| format!("par{i}")).collect();
    let kids: Vec<Bg> = names
        .iter()
        .map(|n| {
            let mut c = env.cmd(&[
                "run",
                "-d",
                "--name",
                n,
                "busybox",
                "sh",
                "-c",
                "trap 'exit 0' TERM; while :; do sleep 0.1; done",
            ]);
            c.stdout(std::process::Stdio::null());
            Bg(c.spawn().unwrap())
        })
        .collect();
    for mut k in kids {
        assert!(k.wait().unwrap().success());
    }
    assert_eq!(env.ok(&["ps", "-q"]).lines().count(), 20);
    std::thread::sleep(Duration::from_millis(200));
    let stops: Vec<Bg> = names
        .iter()
        .map(|n| {
            let mut c = env.cmd(&["stop", n]);
            c.stdout(std::process::Stdio::null());
            Bg(c.spawn().unwrap())
        })
        .collect();
    for mut s in stops {
        assert!(s.wait().unwrap().success());
    }
    assert_eq!(env.ok(&["ps", "-q"]), "");
    let exited = env.ok(&["ps", "-a"]);
    assert_eq!(exited.matches("Exited (0)").count(), 20, "{exited}");
}

#[test]
fn exec_runs_in_the_container_s_namespaces_with_its_env_and_user() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "box",
        "-e",
        "FROM_RUN=yes",
        "-h",
        "boxhost",
        "busybox",
        "sh",
        "-c",
        "echo data > /tmp/f; sleep 60",
    ]);
    assert!(wait_for(5.0, || env
        .run(&["exec", "box", "cat", "/tmp/f"])
        .status
        .success()));
    let out = env.ok(&[
        "exec",
        "box",
        "sh",
        "-c",
        "cat /tmp/f; hostname; echo $FROM_RUN; echo $$; id -u; pwd",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "data");
    assert_eq!(lines[1], "boxhost");
    assert_eq!(lines[2], "yes");
    let pid: u32 = lines[3].parse().unwrap();
    assert!(
        pid > 1 && pid < 100,
        "a pid of the container's namespace: {pid}"
    );
    assert_eq!(&lines[4..], ["0", "/"]);
    let out = env.ok(&[
        "exec",
        "-u",
        "nobody",
        "-w",
        "/tmp",
        "-e",
        "X=1",
        "box",
        "sh",
        "-c",
        "id -u; pwd; echo $X",
    ]);
    assert_eq!(out, "65534\n/tmp\n1\n");
    // Exit codes: the process's own, 127 for a missing command.
    env.code(7, &["exec", "box", "sh", "-c", "exit 7"]);
    let (_, err) = env.code(126, &["exec", "box", "nosuch"]);
    assert!(err.contains("executable file not found"), "{err}");
    // -d: in the background, adopted by the container's init.
    env.ok(&[
        "exec",
        "-d",
        "box",
        "sh",
        "-c",
        "sleep 0.3; echo late > /tmp/late",
    ]);
    assert!(wait_for(5.0, || env
        .run(&["exec", "box", "cat", "/tmp/late"])
        .status
        .success()));
    env.ok(&["stop", "-t", "0", "box"]);
    let (_, err) = env.code(1, &["exec", "box", "true"]);
    assert!(err.contains("is not running"), "{err}");
}

#[test]
fn pause_unpause_and_restart() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "counter",
        "busybox",
        "sh",
        "-c",
        "trap 'exit 0' TERM; i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done",
    ]);
    assert!(wait_for(5.0, || env
        .run(&["exec", "counter", "cat", "/tmp/n"])
        .status
        .success()));
    assert_eq!(env.ok(&["pause", "counter"]), "counter\n");
    assert!(env.ok(&["ps"]).contains("(Paused)"));
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.State.Paused}}", "counter"]),
        "true\n"
    );
    let n = |env: &Env| {
        let id = env.id_of("counter");
        let upper = env.root().join("containers").join(id).join("upper/tmp/n");
        std::fs::read_to_string(upper).unwrap_or_default()
    };
    let frozen = n(&env);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(n(&env), frozen, "nothing runs while paused");
    let (_, err) = env.code(1, &["pause", "counter"]);
    assert!(err.contains("already paused"), "{err}");
    assert_eq!(env.ok(&["unpause", "counter"]), "counter\n");
    assert!(wait_for(5.0, || n(&env) != frozen), "it runs again");
    assert!(!env.ok(&["ps"]).contains("(Paused)"));
    // restart: stopped (its trap exits 0), then running again.
    let before = env.ok(&["inspect", "-f", "{{.State.StartedAt}}", "counter"]);
    assert_eq!(env.ok(&["restart", "counter"]), "counter\n");
    let after = env.ok(&["inspect", "-f", "{{.State.StartedAt}}", "counter"]);
    assert_ne!(before, after);
    assert!(env.ok(&["ps"]).contains("counter"));
    // A paused container still stops.
    env.ok(&["pause", "counter"]);
    env.ok(&["stop", "counter"]);
    assert_eq!(env.ok(&["wait", "counter"]), "0\n");
}

#[test]
fn ps_filters_by_status_name_id_and_ancestor() {
    let env = Env::with_busybox();
    env.ok(&["tag", "busybox", "other:1"]);
    env.ok(&["create", "--name", "made", "busybox", "true"]);
    env.code(
        7,
        &["run", "--name", "done7", "other:1", "sh", "-c", "exit 7"],
    );
    env.ok(&["run", "-d", "--name", "live", "busybox", "sleep", "30"]);
    let names = |f: &[&str]| {
        let mut args = vec!["ps", "--format", "{{.Names}}"];
        for x in f {
            args.push("--filter");
            args.push(x);
        }
        let mut v: Vec<String> = env.ok(&args).lines().map(String::from).collect();
        v.sort();
        v
    };
    assert_eq!(names(&[]), ["live"]);
    assert_eq!(names(&["status=created"]), ["made"]);
    assert_eq!(names(&["status=exited"]), ["done7"]);
    assert_eq!(
        names(&["status=exited", "status=created"]),
        ["done7", "made"]
    );
    assert_eq!(names(&["exited=7"]), ["done7"]);
    assert_eq!(names(&["name=liv"]), ["live"]);
    let id = env.id_of("live");
    assert_eq!(names(&[&format!("id={}", &id[..6])]), ["live"]);
    let mut args = vec![
        "ps",
        "-a",
        "--format",
        "{{.Names}}",
        "--filter",
        "ancestor=other:1",
    ];
    let all = env.ok(&args);
    // All three come from the same image, whatever its name.
    assert_eq!(all.lines().count(), 3, "{all}");
    args[5] = "ancestor=nosuch";
    assert_eq!(env.ok(&args), "");
    env.ok(&["pause", "live"]);
    assert_eq!(names(&["status=paused"]), ["live"]);
    env.ok(&["unpause", "live"]);
    let (_, err) = env.code(1, &["ps", "--filter", "status=bogus"]);
    assert!(err.contains("Invalid filter 'status=bogus'"), "{err}");
    let (_, err) = env.code(1, &["ps", "--filter", "colour=red"]);
    assert!(err.contains("Invalid filter 'colour'"), "{err}");
    env.ok(&["rm", "-f", "live"]);
}

#[test]
fn restart_policies_are_applied_by_the_monitor() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "flaky",
        "--restart",
        "on-failure:2",
        "busybox",
        "sh",
        "-c",
        "echo run; exit 3",
    ]);
    assert!(wait_for(10.0, || env.ok(&["logs", "flaky"]) == "run\nrun\nrun\n"));
    assert!(wait_for(5.0, || env
        .ok(&["ps", "-a"])
        .contains("Exited (3)")));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        env.ok(&["logs", "flaky"]),
        "run\nrun\nrun\n",
        "no third restart"
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.RestartCount}}", "flaky"]),
        "2\n"
    );
    assert_eq!(
        env.ok(&[
            "inspect",
            "-f",
            "{{.HostConfig.RestartPolicy.Name}}",
            "flaky"
        ]),
        "on-failure\n"
    );
    // always: again and again, until stopped by hand.
    env.ok(&[
        "run",
        "-d",
        "--name",
        "forever",
        "--restart",
        "always",
        "busybox",
        "sh",
        "-c",
        "echo up; sleep 0.05",
    ]);
    assert!(wait_for(10.0, || env
        .ok(&["logs", "forever"])
        .lines()
        .count()
        >= 3));
    env.ok(&["stop", "forever"]);
    let n = env.ok(&["logs", "forever"]).lines().count();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        env.ok(&["logs", "forever"]).lines().count(),
        n,
        "stopped stays stopped"
    );
    assert!(!env.ok(&["ps"]).contains("forever"));
    // Bad input.
    let (_, err) = env.code(125, &["run", "--restart", "sometimes", "busybox", "true"]);
    assert!(err.contains("invalid restart policy: sometimes"), "{err}");
    let (_, err) = env.code(
        125,
        &["run", "--rm", "--restart", "always", "busybox", "true"],
    );
    assert!(
        err.contains("Conflicting options: --restart and --rm"),
        "{err}"
    );
}

#[test]
fn a_full_disk_drops_log_lines_and_says_so_without_corrupting_the_log() {
    let env = Env::new();
    // The store on a small tmpfs of its own.
    let small = env.dir.join("small");
    std::fs::create_dir_all(&small).unwrap();
    let st = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
        .arg(&small)
        .status()
        .unwrap();
    assert!(st.success());
    let root = small.join("root");
    let run = |args: &[&str]| {
        let mut c = env.cmd(args);
        c.env("STRATA_ROOT", &root);
        c.output().unwrap()
    };
    let out = run(&["import", busybox_tar().to_str().unwrap(), "busybox"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&[
        "run", "-d", "--name", "chatty", "busybox", "sh", "-c",
        "i=0; while [ $i -lt 200000 ]; do echo \"line $i of a container that talks a lot\"; i=$((i+1)); done",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    assert!(wait_for(120.0, || stdout(&run(&["ps", "-a"])).contains("Exited (0)")));
    // The state says lines were dropped, and why.
    let err = stdout(&run(&["inspect", "-f", "{{.State.Error}}", "chatty"]));
    assert!(
        err.contains("line(s) dropped") && err.contains("No space left"),
        "{err}"
    );
    // Every whole line of the log is valid; the lines kept are the first ones.
    let log = std::fs::read(
        root.join("containers")
            .join(&id)
            .join(format!("{id}-json.log")),
    )
    .unwrap();
    let text = String::from_utf8_lossy(&log);
    let whole: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .collect();
    assert!(whole.len() > 1000, "{} lines kept", whole.len());
    for (i, l) in whole.iter().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(l).unwrap_or_else(|e| panic!("line {i}: {e}: {l}"));
        assert_eq!(
            v["log"],
            format!("line {i} of a container that talks a lot\n")
        );
    }
    let logs = run(&["logs", "--tail", "1", "chatty"]);
    assert!(logs.status.success());
    assert!(stdout(&logs).starts_with("line "), "{}", stdout(&logs));
    let out = run(&["rm", "chatty"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn concurrent_commands_on_one_container_end_in_a_sane_state() {
    let env = Env::with_busybox();
    // stop while an exec runs: the exec'd process dies with the container.
    env.ok(&[
        "run",
        "-d",
        "--name",
        "busy",
        "busybox",
        "sh",
        "-c",
        "trap 'exit 0' TERM; sleep 60 & wait",
    ]);
    std::thread::sleep(Duration::from_millis(200));
    let mut exec = env.spawn(&["exec", "busy", "sleep", "60"]);
    std::thread::sleep(Duration::from_millis(200));
    env.ok(&["stop", "busy"]);
    let st = exec.wait().unwrap();
    assert!(!st.success(), "the exec'd process went with the container");
    assert_eq!(env.ok(&["wait", "busy"]), "0\n");
    // Two commits of a running container at once: both images exist.
    env.ok(&["start", "busy"]);
    std::thread::sleep(Duration::from_millis(200));
    let commits: Vec<Bg> = ["one", "two"]
        .iter()
        .map(|t| {
            let mut c = env.cmd(&["commit", "busy", &format!("snap:{t}")]);
            c.stdout(std::process::Stdio::null());
            Bg(c.spawn().unwrap())
        })
        .collect();
    for mut c in commits {
        assert!(c.wait().unwrap().success());
    }
    let images = env.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert!(
        images.contains("snap:one") && images.contains("snap:two"),
        "{images}"
    );
    assert!(
        env.ok(&["ps"]).contains("busy"),
        "still running after the commits"
    );
    // start and rm -f racing: whichever wins, nothing is left half done.
    env.ok(&["stop", "busy"]);
    let mut start = env.spawn(&["start", "busy"]);
    let mut rm = env.spawn(&["rm", "-f", "busy"]);
    start.wait().unwrap();
    assert!(rm.wait().unwrap().success());
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    assert!(wait_for(5.0, || {
        std::fs::read_dir(env.root().join("containers"))
            .map(|d| d.count() == 0)
            .unwrap_or(true)
    }));
}

#[test]
fn a_container_killed_from_the_host_exits_137() {
    let env = Env::with_busybox();
    env.ok(&["run", "-d", "--name", "victim", "busybox", "sleep", "60"]);
    let pid: i32 = env
        .ok(&["inspect", "-f", "{{.State.Pid}}", "victim"])
        .trim()
        .parse()
        .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    assert_eq!(env.ok(&["wait", "victim"]), "137\n");
    assert!(env.ok(&["ps", "-a"]).contains("Exited (137)"));
}

#[test]
fn attach_streams_output_and_input_and_ends_with_the_exit_code() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "ticker",
        "busybox",
        "sh",
        "-c",
        "sleep 0.3; for i in 1 2 3; do echo tick $i; sleep 0.1; done; exit 5",
    ]);
    let (out, _) = env.code(5, &["attach", "ticker"]);
    assert!(out.ends_with("tick 3\n"), "{out}");
    let (_, err) = env.code(1, &["attach", "ticker"]);
    assert!(
        err.contains("You cannot attach to a stopped container"),
        "{err}"
    );
    // -i: what we type reaches its stdin.
    env.ok(&[
        "run",
        "-di",
        "--name",
        "echoer",
        "busybox",
        "sh",
        "-c",
        "read line; echo got $line",
    ]);
    let mut c = env.cmd(&["attach", "echoer"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = Bg(c.spawn().unwrap());
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        stdin.write_all(b"hello\n").unwrap();
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(out, "got hello\n");
    // Without a tty, our signals go to its init (sig-proxy); an --rm
    // container's exit code still comes back.
    env.ok(&[
        "run",
        "-d",
        "--rm",
        "--name",
        "proxied",
        "busybox",
        "sh",
        "-c",
        "trap 'echo got term; exit 9' TERM; while :; do sleep 0.05; done",
    ]);
    std::thread::sleep(Duration::from_millis(200));
    let mut c = env.cmd(&["attach", "proxied"]);
    c.stdout(std::process::Stdio::piped());
    let mut child = Bg(c.spawn().unwrap());
    std::thread::sleep(Duration::from_millis(300));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(9));
    assert_eq!(out, "got term\n");
    let (_, err) = env.code(1, &["attach", "--detach-keys", "ctrl-", "echoer"]);
    assert!(err.contains("Invalid detach keys"), "{err}");
}

#[test]
fn init_is_pid_1_reaps_zombies_and_forwards_signals() {
    let env = Env::with_busybox();
    let out = env.run(&[
        "run",
        "--rm",
        "--init",
        "busybox",
        "sh",
        "-c",
        "cat /proc/1/cmdline | tr '\\0' ' '; echo; (sleep 0.1 &); sleep 0.5; \
         ps -o stat | grep -c '^Z'; exit 3",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("/dev/init -- sh -c"), "{text}");
    assert_eq!(lines[1], "0", "the orphan was reaped");
    // sleep is not PID 1 any more: SIGTERM reaches it and stop is quick.
    env.ok(&[
        "run", "-d", "--init", "--name", "sleeper", "busybox", "sleep", "60",
    ]);
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    env.ok(&["stop", "sleeper"]);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(env.ok(&["wait", "sleeper"]), "143\n");
    env.code(127, &["run", "--rm", "--init", "busybox", "nosuch"]);
}

#[test]
fn labels_stop_signals_timeouts_and_the_cidfile() {
    let env = Env::with_busybox();
    let lf = env.dir.join("labels");
    std::fs::write(&lf, "# a comment\ntier=web\nowner=me\n").unwrap();
    let cid = env.dir.join("cid");
    // The container's stop signal: it traps USR1 and exits 42 on it.
    let trap = "trap 'echo got-usr1; exit 42' USR1; echo ready; while :; do sleep 0.1; done";
    env.ok(&[
        "run",
        "-d",
        "--name",
        "lab",
        "--network",
        "none",
        "--label",
        "app=shop",
        "--label-file",
        lf.to_str().unwrap(),
        "--stop-signal",
        "USR1",
        "--stop-timeout",
        "3",
        "--cidfile",
        cid.to_str().unwrap(),
        "busybox",
        "sh",
        "-c",
        trap,
    ]);
    let id = env
        .ok(&["inspect", "-f", "{{.Id}}", "lab"])
        .trim()
        .to_string();
    assert_eq!(
        std::fs::read_to_string(&cid).unwrap(),
        id,
        "the cidfile holds the id"
    );
    assert_eq!(
        env.ok(&[
            "inspect",
            "-f",
            "{{.Config.Labels.tier}} {{.Config.Labels.app}}",
            "lab"
        ]),
        "web shop\n"
    );
    env.ok(&[
        "run",
        "-d",
        "--name",
        "other",
        "--network",
        "none",
        "-l",
        "app=blog",
        "busybox",
        "sleep",
        "60",
    ]);
    assert_eq!(
        env.ok(&["ps", "--filter", "label=app=shop", "--format", "{{.Names}}"]),
        "lab\n"
    );
    assert_eq!(
        env.ok(&["ps", "--filter", "label=app", "-q"])
            .lines()
            .count(),
        2
    );
    assert_eq!(
        env.ok(&[
            "ps",
            "--filter",
            "label=tier",
            "--filter",
            "label=owner=me",
            "--format",
            "{{.Names}}"
        ]),
        "lab\n"
    );
    // A cidfile that exists: docker's refusal, exit 125, nothing made.
    let (_, err) = env.code(
        125,
        &["run", "--cidfile", cid.to_str().unwrap(), "busybox", "true"],
    );
    assert!(err.contains("Container ID file found"), "{err}");
    assert_eq!(env.ok(&["ps", "-aq"]).lines().count(), 2);
    assert!(wait_for(5.0, || env.ok(&["logs", "lab"]).contains("ready")));
    env.ok(&["stop", "lab"]);
    assert!(env.ok(&["logs", "lab"]).contains("got-usr1"));
    assert!(env
        .ok(&["ps", "-a", "--filter", "name=lab"])
        .contains("Exited (42)"));
    // stop -s and -t, docker 28's flags.
    let t = std::time::Instant::now();
    env.ok(&["stop", "-s", "TERM", "-t", "1", "other"]);
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
    let (_, err) = env.code(1, &["stop", "-s", "NOPE", "other"]);
    assert!(err.contains("Invalid signal: NOPE"), "{err}");
    let (_, err) = env.code(125, &["run", "--stop-signal", "NOPE", "busybox", "true"]);
    assert!(err.contains("Invalid signal: NOPE"), "{err}");
    // -q: accepted, and the run is quiet about what it pulls.
    assert_eq!(
        env.ok(&[
            "run",
            "--rm",
            "-q",
            "--network",
            "none",
            "busybox",
            "echo",
            "q"
        ]),
        "q\n"
    );
    env.ok(&["rm", "-f", "lab", "other"]);
}

#[test]
fn logs_until_and_details_exec_env_file_import_changes_rmi_no_prune() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "lg",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        "echo early; sleep 1.2; echo late",
    ]);
    assert_eq!(env.ok(&["logs", "--details", "lg"]), " early\n late\n");
    assert_eq!(
        env.ok(&["logs", "--until", "2000-01-01T00:00:00Z", "lg"]),
        ""
    );
    assert_eq!(
        env.ok(&["logs", "--until", "2100-01-01T00:00:00Z", "lg"]),
        "early\nlate\n"
    );
    let (_, err) = env.code(1, &["logs", "--until", "soon", "lg"]);
    assert!(err.contains("--until"), "{err}");
    // exec --env-file, and -e after it wins.
    let ef = env.dir.join("exec.env");
    std::fs::write(&ef, "A=from-file\nB=b\n").unwrap();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "ex",
        "--network",
        "none",
        "busybox",
        "sleep",
        "60",
    ]);
    assert_eq!(
        env.ok(&[
            "exec",
            "--env-file",
            ef.to_str().unwrap(),
            "-e",
            "B=flag",
            "ex",
            "sh",
            "-c",
            "echo $A $B"
        ]),
        "from-file flag\n"
    );
    env.ok(&["rm", "-f", "ex"]);
    // import -c: the config's instructions, docker's set.
    let id = env.ok(&[
        "import",
        "-c",
        "ENV X=1",
        "-c",
        "CMD [\"echo\", \"imported\"]",
        "-m",
        "by hand",
        busybox_tar().to_str().unwrap(),
        "imp:1",
    ]);
    assert!(id.starts_with("sha256:"));
    assert_eq!(
        env.ok(&["run", "--rm", "--network", "none", "imp:1"]),
        "imported\n"
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.Config.Env}}", "imp:1"]),
        "[X=1]\n"
    );
    let (_, err) = env.code(
        1,
        &[
            "import",
            "-c",
            "RUN echo no",
            busybox_tar().to_str().unwrap(),
            "imp:2",
        ],
    );
    assert!(err.contains("RUN"), "{err}");
    // rmi --no-prune keeps the untagged parent.
    env.build_image("kid:1", "FROM busybox\nRUN echo a > /a\nRUN echo b > /b\n");
    let before = env.ok(&["images", "-aq"]).lines().count();
    env.ok(&["rmi", "--no-prune", "kid:1"]);
    assert_eq!(
        env.ok(&["images", "-aq"]).lines().count(),
        before - 1,
        "only the image itself went"
    );
}

#[test]
fn health_checks_run_and_show_in_ps_inspect_and_filters() {
    let env = Env::with_busybox();
    // Healthy once /ok exists; the check runs every 200 ms.
    env.ok(&[
        "run",
        "-d",
        "--name",
        "hc",
        "--network",
        "none",
        "--health-cmd",
        "test -f /ok",
        "--health-interval",
        "200ms",
        "--health-retries",
        "2",
        "busybox",
        "sleep",
        "60",
    ]);
    let status = || env.ok(&["ps", "--format", "{{.Status}}", "--filter", "name=hc"]);
    assert!(
        status().contains("(health: starting)") || status().contains("(unhealthy)"),
        "{}",
        status()
    );
    assert!(
        wait_for(10.0, || status().contains("(unhealthy)")),
        "{}",
        status()
    );
    assert_eq!(
        env.ok(&[
            "ps",
            "--filter",
            "health=unhealthy",
            "--format",
            "{{.Names}}"
        ]),
        "hc\n"
    );
    env.ok(&["exec", "hc", "touch", "/ok"]);
    assert!(
        wait_for(10.0, || status().contains("(healthy)")),
        "{}",
        status()
    );
    assert_eq!(
        env.ok(&[
            "inspect",
            "-f",
            "{{.State.Health.Status}} {{.State.Health.FailingStreak}}",
            "hc"
        ]),
        "healthy 0\n"
    );
    let log = env.ok(&[
        "inspect",
        "-f",
        "{{range .State.Health.Log}}{{.ExitCode}} {{end}}",
        "hc",
    ]);
    assert!(log.trim().ends_with('0') && log.contains('1'), "{log}");
    assert_eq!(
        env.ok(&["ps", "--filter", "health=healthy", "-q"])
            .lines()
            .count(),
        1
    );
    // An image's HEALTHCHECK, and --no-healthcheck.
    env.build_image(
        "withhc",
        "FROM busybox\nHEALTHCHECK --interval=200ms CMD true\n",
    );
    env.ok(&[
        "run",
        "-d",
        "--name",
        "img-hc",
        "--network",
        "none",
        "withhc",
        "sleep",
        "60",
    ]);
    env.ok(&[
        "run",
        "-d",
        "--name",
        "no-hc",
        "--network",
        "none",
        "--no-healthcheck",
        "withhc",
        "sleep",
        "60",
    ]);
    assert!(wait_for(10.0, || env
        .ok(&["ps", "--format", "{{.Status}}", "--filter", "name=img-hc"])
        .contains("(healthy)")));
    assert_eq!(
        env.ok(&["ps", "--filter", "health=none", "--format", "{{.Names}}"]),
        "no-hc\n"
    );
    let (_, err) = env.code(
        125,
        &["run", "--health-interval", "soon", "busybox", "true"],
    );
    assert!(err.contains("invalid duration"), "{err}");
    env.ok(&["rm", "-f", "hc", "img-hc", "no-hc"]);
}

#[test]
fn attach_no_stdin_keeps_typing_out_and_sig_proxy_false_keeps_signals() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-di",
        "--name",
        "att",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        "trap 'echo got-term' TERM; while read l; do echo read-$l; done; echo eof",
    ]);
    // --no-stdin: what we send never reaches the container.
    let mut c = env.cmd(&["attach", "--no-stdin", "att"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut a = Bg(c.spawn().unwrap());
    use std::io::Write;
    a.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        matches!(a.try_wait(), Ok(None)),
        "the client stays attached"
    );
    assert!(!env.ok(&["logs", "att"]).contains("read-hello"));
    // The control: a plain attach does pass input.
    let mut c = env.cmd(&["attach", "att"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut p = Bg(c.spawn().unwrap());
    let mut input = p.stdin.take().unwrap();
    input.write_all(b"hi\n").unwrap();
    assert!(wait_for(5.0, || env
        .ok(&["logs", "att"])
        .contains("read-hi")));
    drop(input);
    drop(p);
    // --sig-proxy=false: a TERM to the client stays with the client.
    let mut c = env.cmd(&["attach", "--sig-proxy=false", "--no-stdin", "att"]);
    c.stdout(std::process::Stdio::piped());
    let b = Bg(c.spawn().unwrap());
    std::thread::sleep(Duration::from_millis(300));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(b.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(!env.ok(&["logs", "att"]).contains("got-term"));
    // The control: by default the signal goes to the container.
    let mut c = env.cmd(&["attach", "--no-stdin", "att"]);
    c.stdout(std::process::Stdio::piped());
    let d = Bg(c.spawn().unwrap());
    std::thread::sleep(Duration::from_millis(300));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(d.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(wait_for(5.0, || env
        .ok(&["logs", "att"])
        .contains("got-term")));
    drop((a, b, d));
    env.ok(&["rm", "-f", "att"]);
}

#[test]
fn a_foreground_container_runs_its_health_check_and_table_is_the_default_format() {
    let env = Env::with_busybox();
    let mut fg = env.spawn(&[
        "run",
        "--name",
        "fghc",
        "--network",
        "none",
        "--health-cmd",
        "true",
        "--health-interval",
        "200ms",
        "--expose",
        "8080",
        "busybox",
        "sleep",
        "30",
    ]);
    assert!(wait_for(10.0, || env
        .ok(&["ps", "--format", "{{.Status}}"])
        .contains("(healthy)")));
    // --format table alone is the default table; --filter expose=.
    let t = env.ok(&["ps", "--format", "table"]);
    assert!(t.starts_with("CONTAINER ID   IMAGE"), "{t}");
    assert_eq!(
        env.ok(&["ps", "--filter", "expose=8080", "--format", "{{.Names}}"]),
        "fghc\n"
    );
    assert_eq!(env.ok(&["ps", "--filter", "expose=9090", "-q"]), "");
    let _ = fg.kill();
    let _ = fg.wait();
    env.ok(&["rm", "-f", "fghc"]);
}
