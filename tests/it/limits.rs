//! Per-container limits as docker's flags give them: `--ulimit`,
//! `--read-only` with `--tmpfs`, `--shm-size`, `--sysctl`,
//! `--oom-score-adj`, and the clear refusals of bad values.

use crate::util::*;

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
    for (flags, want) in [
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
    ] {
        let mut args = vec!["run", "--rm"];
        args.extend_from_slice(&flags);
        args.extend_from_slice(&["busybox", "true"]);
        let (_, err) = env.code(125, &args);
        assert!(err.contains(want), "{flags:?}: {err}");
    }
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}
