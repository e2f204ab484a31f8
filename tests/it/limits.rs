//! Per-container limits as docker's flags give them: `--ulimit`,
//! `--read-only` with `--tmpfs`, `--shm-size`, `--sysctl`,
//! `--oom-score-adj`, and the clear refusals of bad values.

use crate::util::*;

/// Each `run --rm FLAGS busybox true` exits 125 with its message, and no
/// container is left.
fn refused(env: &Env, cases: &[(Vec<&str>, &str)]) {
    for (flags, want) in cases {
        let mut args = vec!["run", "--rm"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["busybox", "true"]);
        let (_, err) = env.code(125, &args);
        assert!(err.contains(want), "{flags:?}: {err}");
    }
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}

fn sh(env: &Env, flags: &[&str], script: &str) -> String {
    let mut args = vec!["run", "--rm", "--network", "none"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["busybox", "sh", "-c", script]);
    env.ok(&args)
}

#[test]
fn ulimits_are_the_container_s_soft_and_hard_limits() {
    let env = Env::with_busybox();
    let out = sh(
        &env,
        &["--ulimit", "nofile=256:512"],
        "ulimit -n; ulimit -Hn",
    );
    assert_eq!(out, "256\n512\n");
    // Without the flag, the default is not 256.
    let out = sh(&env, &[], "ulimit -n");
    assert_ne!(out, "256\n");
    // exec gets the container's limits too.
    let id = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--ulimit",
        "nofile=300",
        "busybox",
        "sleep",
        "30",
    ]);
    let id = id.trim();
    assert_eq!(env.ok(&["exec", id, "sh", "-c", "ulimit -n"]), "300\n");
    let fmt = env.ok(&[
        "inspect",
        "-f",
        "{{range .HostConfig.Ulimits}}{{.Name}} {{.Soft}} {{.Hard}}{{end}}",
        id,
    ]);
    assert_eq!(fmt.trim(), "nofile 300 300");
    env.ok(&["rm", "-f", id]);
}

#[test]
fn a_read_only_root_refuses_writes_but_its_tmpfs_takes_them() {
    let env = Env::with_busybox();
    let out = sh(
        &env,
        &["--read-only", "--tmpfs", "/run:size=1m"],
        "touch /etc/x 2>&1; echo rc=$?; echo ok > /run/f && cat /run/f; \
         grep ' /run ' /proc/mounts; echo shm > /dev/shm/f && cat /dev/shm/f",
    );
    assert!(out.contains("Read-only file system"), "{out}");
    assert!(out.contains("rc=1"), "{out}");
    assert!(out.contains("ok\n"), "{out}");
    assert!(
        out.contains("tmpfs /run tmpfs rw,nosuid,nodev,noexec"),
        "{out}"
    );
    assert!(out.contains("size=1024k"), "{out}");
    assert!(out.contains("shm\n"), "{out}");
    // Without --read-only the root takes writes.
    assert_eq!(sh(&env, &[], "touch /etc/x && echo yes"), "yes\n");
}

#[test]
fn shm_size_sysctls_and_oom_score_adj_reach_the_container() {
    let env = Env::with_busybox();
    let out = sh(
        &env,
        &["--shm-size", "8m"],
        "grep ' /dev/shm ' /proc/mounts",
    );
    assert!(out.contains("size=8192k"), "{out}");
    let out = sh(
        &env,
        &["--sysctl", "kernel.shmmax=123456", "--oom-score-adj", "500"],
        "cat /proc/sys/kernel/shmmax /proc/self/oom_score_adj",
    );
    assert_eq!(out, "123456\n500\n");
    // The host's value is untouched (the container has its own IPC namespace).
    let host = std::fs::read_to_string("/proc/sys/kernel/shmmax").unwrap();
    assert_ne!(host.trim(), "123456");
}

#[test]
fn bad_limits_are_refused_before_anything_runs() {
    let env = Env::with_busybox();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--ulimit", "nofiles=1"],
            "invalid ulimit type: nofiles",
        ),
        (
            vec!["--ulimit", "nofile=10:5"],
            "soft limit must be less than or equal",
        ),
        (vec!["--sysctl", "kernel.hostname=x"], "is not whitelisted"),
        (
            vec!["--network", "host", "--sysctl", "net.ipv4.ip_forward=1"],
            "not allowed in host network namespace",
        ),
        (vec!["--shm-size", "lots"], "invalid size"),
        (vec!["--oom-score-adj", "2000"], "range for oom score adj"),
        (vec!["--tmpfs", "run"], "must be absolute"),
    ];
    refused(&env, &cases);
}

/// The container's v1 group for `ctrl` (this host has every controller on
/// v1) or its v2 group on a pure v2 host.
fn group_file(id: &str, ctrl: &str, v1: &str, v2: &str) -> String {
    let root = std::path::Path::new("/sys/fs/cgroup");
    let p = if root.join("cgroup.controllers").exists() {
        root.join("strata").join(id).join(v2)
    } else {
        root.join(ctrl).join("strata").join(id).join(v1)
    };
    std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .trim()
        .to_string()
}

/// The limits are in force from the command's first instruction: the
/// init is in every group of its limits when it execs, and its cgroup
/// namespace, made after that, has each of them as its root.
#[test]
fn the_command_starts_inside_its_limits_own_groups() {
    let env = Env::with_busybox();
    let out = sh(
        &env,
        &["-m", "64m", "--pids-limit", "50", "--cpus", "1"],
        "cat /proc/self/cgroup; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || true",
    );
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(':')).collect();
    assert!(
        lines.iter().any(|l| l.contains(":memory:")) && lines.iter().any(|l| l.contains(":pids:")),
        "{out}"
    );
    for l in &lines {
        assert!(
            l.ends_with(":/"),
            "not the root of its cgroup namespace: {l}\n{out}"
        );
    }
    // From the host: the pids group of a running one holds its init.
    let id = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--pids-limit",
        "50",
        "busybox",
        "sleep",
        "30",
    ]);
    let id = id.trim();
    let procs = std::fs::read_to_string(format!("/sys/fs/cgroup/pids/strata/{id}/cgroup.procs"))
        .expect("its pids group");
    let pid = env.ok(&["inspect", "-f", "{{.State.Pid}}", id]);
    assert!(procs.lines().any(|l| l == pid.trim()), "{procs} / {pid}");
    env.ok(&["rm", "-f", id]);
}

#[test]
fn memory_cpu_and_pids_limits_are_the_cgroup_s() {
    let env = Env::with_busybox();
    let id = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "-m",
        "64m",
        "--cpus",
        "0.5",
        "--pids-limit",
        "50",
        "--cpuset-cpus",
        "0",
        "--cpu-shares",
        "512",
        "busybox",
        "sleep",
        "30",
    ]);
    let id = id.trim();
    assert_eq!(
        group_file(id, "memory", "memory.limit_in_bytes", "memory.max"),
        "67108864"
    );
    assert_eq!(group_file(id, "pids", "pids.max", "pids.max"), "50");
    assert_eq!(group_file(id, "cpuset", "cpuset.cpus", "cpuset.cpus"), "0");
    let quota = group_file(id, "cpu", "cpu.cfs_quota_us", "cpu.max");
    assert!(quota == "50000" || quota == "50000 100000", "{quota}");
    // The container's init is in them.
    let pid = env.ok(&["inspect", "-f", "{{.State.Pid}}", id]);
    assert!(group_file(id, "pids", "cgroup.procs", "cgroup.procs").contains(pid.trim()));
    let f = env.ok(&[
        "inspect",
        "-f",
        "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}}",
        id,
    ]);
    assert_eq!(f.trim(), "67108864 500000000 50 512 0");
    env.ok(&["rm", "-f", id]);
    // Nothing is left of its groups.
    assert!(!std::path::Path::new("/sys/fs/cgroup/pids/strata")
        .join(id)
        .exists());
}

#[test]
fn a_fork_bomb_stays_inside_its_pids_limit() {
    let env = Env::with_busybox();
    let id = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--pids-limit",
        "64",
        "busybox",
        "sh",
        "-c",
        // pid 1 forks the bomb once, then becomes the sleep: it never
        // needs a fork of its own once the bomb has taken every pid (a
        // `b; sleep 60` shell could fail to fork its sleep, exit, and
        // take the container and its group with it).
        "b() { b | b & }; b & exec sleep 60",
    ]);
    let id = id.trim();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let current: u32 = group_file(id, "pids", "pids.current", "pids.current")
        .parse()
        .unwrap();
    assert!(current <= 64, "{current} pids");
    // It did press on the limit: the kernel refused forks.
    let events = group_file(id, "pids", "pids.events", "pids.events");
    let refused: u64 = events.trim_start_matches("max ").trim().parse().unwrap();
    assert!(refused > 0, "{events}");
    // The host still answers, and rm -f ends it.
    assert!(env.ok(&["ps", "-q"]).contains(&id[..12]));
    env.ok(&["rm", "-f", id]);
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}

#[test]
fn a_container_over_its_memory_limit_is_oom_killed() {
    let env = Env::with_busybox();
    let (_, _) = env.code(
        137,
        &[
            "run",
            "--name",
            "hog",
            "--network",
            "none",
            "-m",
            "32m",
            "busybox",
            "sh",
            "-c",
            "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived",
        ],
    );
    assert_eq!(
        env.ok(&[
            "inspect",
            "-f",
            "{{.State.OOMKilled}} {{.State.ExitCode}}",
            "hog"
        ]),
        "true 137\n"
    );
    assert!(env.ok(&["ps", "-a"]).contains("Exited (137)"));
    // Without a limit the same command runs to the end.
    let out = sh(
        &env,
        &[],
        "x=$(head -c 1000000 /dev/zero | tr '\\0' a); echo survived",
    );
    assert_eq!(out, "survived\n");
}

#[test]
fn cpus_caps_a_busy_loop_by_the_cgroup_s_accounting() {
    let env = Env::with_busybox();
    let id = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--cpus",
        "0.5",
        "busybox",
        "sh",
        "-c",
        "while :; do :; done",
    ]);
    let id = id.trim();
    // The v2 group's cpu.stat (kept by every kernel, also on a hybrid
    // host's controllerless tree).
    let usage = || -> u64 {
        let root = std::path::Path::new("/sys/fs/cgroup");
        let dir = if root.join("cgroup.controllers").exists() {
            root.join("strata").join(id)
        } else {
            root.join("unified/strata").join(id)
        };
        let s = std::fs::read_to_string(dir.join("cpu.stat")).unwrap();
        s.lines()
            .find_map(|l| l.strip_prefix("usage_usec "))
            .unwrap()
            .parse::<u64>()
            .unwrap()
            * 1000
    };
    let t0 = std::time::Instant::now();
    let u0 = usage();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let used = (usage() - u0) as f64 / t0.elapsed().as_nanos() as f64;
    env.ok(&["rm", "-f", id]);
    assert!(used > 0.3 && used < 0.6, "used {:.2} of a CPU", used);
}

#[test]
fn bad_cgroup_limits_are_refused_with_docker_s_words() {
    let env = Env::with_busybox();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["-m", "1k"], "Minimum memory limit allowed is 6MB"),
        (vec!["-m", "lots"], "invalid size: 'lots'"),
        (vec!["--cpus", "99"], "range of CPUs is from 0.01 to"),
        (
            vec!["--cpus", "x"],
            "failed to parse x as a rational number",
        ),
        (
            vec!["--cpuset-cpus", "7"],
            "Requested CPUs are not available - requested 7",
        ),
        (
            vec!["-m", "64m", "--memory-swap", "32m"],
            "Minimum memoryswap limit should be larger than memory limit",
        ),
        (
            vec!["--cpu-period", "10"],
            "CPU cfs period can not be less than 1ms",
        ),
    ];
    refused(&env, &cases);
}

#[test]
fn top_lists_the_container_s_processes_with_host_pids() {
    let env = Env::with_busybox();
    let id = env.ok(&["run", "-d", "--network", "none", "busybox", "sleep", "31"]);
    let id = id.trim();
    let pid = env.ok(&["inspect", "-f", "{{.State.Pid}}", id]);
    let out = env.ok(&["top", id]);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1, "{out}");
    let cols: Vec<&str> = rows[0].split_whitespace().collect();
    assert_eq!(cols[1], pid.trim());
    assert!(rows[0].ends_with("sleep 31"), "{out}");
    // ps options, as docker passes them on.
    let out = env.ok(&["top", id, "-o", "pid,comm"]);
    assert_eq!(
        out.lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>(),
        [pid.trim(), "sleep"]
    );
    env.ok(&["rm", "-f", id]);
    let (_, err) = env.code(1, &["top", id]);
    assert!(err.contains("No such container"), "{err}");
}

#[test]
fn update_changes_a_running_container_s_limits_and_keeps_them() {
    let env = Env::with_busybox();
    let id = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "-m",
        "64m",
        "busybox",
        "sleep",
        "30",
    ]);
    let id = id.trim();
    assert_eq!(
        env.ok(&[
            "update",
            "-m",
            "128m",
            "--pids-limit",
            "20",
            "--restart",
            "on-failure:3",
            id
        ]),
        format!("{id}\n")
    );
    assert_eq!(
        group_file(id, "memory", "memory.limit_in_bytes", "memory.max"),
        "134217728"
    );
    // A limit it did not have: its processes are moved under it.
    assert_eq!(group_file(id, "pids", "pids.max", "pids.max"), "20");
    let pid = env.ok(&["inspect", "-f", "{{.State.Pid}}", id]);
    assert!(group_file(id, "pids", "cgroup.procs", "cgroup.procs").contains(pid.trim()));
    let f = env.ok(&[
        "inspect",
        "-f",
        "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}",
        id,
    ]);
    assert_eq!(f.trim(), "134217728 20 on-failure:3");
    let (_, err) = env.code(1, &["update", "-m", "1k", id]);
    assert!(err.contains("Minimum memory limit allowed is 6MB"), "{err}");
    let (_, err) = env.code(1, &["update", id]);
    assert!(err.contains("you must provide one or more flags"), "{err}");
    env.ok(&["rm", "-f", id]);
}

#[test]
fn stats_shows_the_limit_and_the_cpu_of_a_busy_container() {
    let env = Env::with_busybox();
    let id = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "busy",
        "-m",
        "64m",
        "busybox",
        "sh",
        "-c",
        "while :; do :; done",
    ]);
    let id = id.trim();
    let out = env.ok(&["stats", "--no-stream"]);
    let mut lines = out.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT"),
        "{out}"
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with(&id[..12]), "{out}");
    assert!(row.contains(" / 64MiB"), "{out}");
    let json = env.ok(&["stats", "--no-stream", "--format", "{{json .}}", "busy"]);
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    let cpu: f64 = v["CPUPerc"]
        .as_str()
        .unwrap()
        .trim_end_matches('%')
        .parse()
        .unwrap();
    assert!(cpu > 50.0, "{json}");
    assert_eq!(v["Name"], "busy");
    assert_eq!(v["Container"], "busy");
    assert_eq!(v["PIDs"], "1");
    env.ok(&["rm", "-f", id]);
}

#[test]
fn build_s_run_steps_get_the_build_s_limits() {
    let env = Env::with_busybox();
    let dir = tempdir_in(&env);
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM busybox\nRUN ulimit -n > /nofile && grep ' /dev/shm ' /proc/mounts > /shm\n",
    )
    .unwrap();
    let ctx = dir.to_str().unwrap();
    env.ok(&[
        "build",
        "-q",
        "--network",
        "none",
        "--ulimit",
        "nofile=200",
        "--shm-size",
        "8m",
        "-t",
        "lim",
        ctx,
    ]);
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "lim",
        "cat",
        "/nofile",
        "/shm",
    ]);
    assert!(out.starts_with("200\n"), "{out}");
    assert!(out.contains("size=8192k"), "{out}");
    // A step over the build's memory limit fails as the OOM killer ends it.
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM busybox\nRUN x=$(head -c 100000000 /dev/zero | tr '\\0' a)\n",
    )
    .unwrap();
    let out = env.run(&["build", "--network", "none", "-m", "32m", "--force-rm", ctx]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("returned a non-zero code: 137"),
        "{}",
        stderr(&out)
    );
}

fn tempdir_in(env: &Env) -> std::path::PathBuf {
    let d = env
        .root()
        .with_file_name(format!("ctx-{}", random_suffix()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn everything_after_the_image_is_the_command_s_even_run_s_own_flags() {
    let env = Env::with_busybox();
    // -c, -m, -d are run's flags too; after the image they are the command's.
    let out = env.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "sh",
        "busybox",
        "-c",
        "echo $0 -m -d",
        "x",
    ]);
    assert_eq!(out, "x -m -d\n");
}
