//! The store under concurrency and crashes.

use crate::util::*;
use std::process::Stdio;

#[test]
fn two_processes_never_get_the_same_name() {
    let env = Env::with_busybox();
    let children: Vec<_> = (0..6)
        .map(|_| {
            env.cmd(&["run", "--name", "contested", "busybox", "true"])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap()).collect();
    let errs: Vec<_> = outs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| **c == 0).count(),
        1,
        "{codes:?} {errs:#?}"
    );
    assert!(
        codes.iter().all(|c| *c == 0 || *c == 125),
        "{codes:?} {errs:#?}"
    );
    assert_eq!(env.ok(&["ps", "-aq"]).lines().count(), 1);
}

/// Names strata chooses: two creates at once that choose the same one
/// both succeed (the loser chooses again), as docker's daemon does. With
/// 150 at once, a shared choice among docker's ~25,000 names comes about
/// one run in three; it used to fail the loser with "already in use".
#[test]
fn creates_at_once_never_fail_on_a_name_they_chose() {
    let env = Env::with_busybox();
    let children: Vec<_> = (0..150)
        .map(|_| {
            env.cmd(&["create", "--network", "none", "busybox", "true"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let names = env.ok(&["ps", "-a", "--format", "{{.Names}}"]);
    let mut all: Vec<&str> = names.lines().collect();
    assert_eq!(all.len(), 150);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 150, "two containers share a name");
}

#[test]
fn parallel_imports_and_tags_keep_the_store_consistent() {
    let env = Env::new();
    let tar = busybox_tar().to_str().unwrap().to_string();
    let children: Vec<_> = (0..6)
        .map(|i| env.spawn(&["import", &tar, &format!("img:{i}")]))
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    assert_eq!(
        env.ok(&["images", "--format", "{{.Tag}}"]).lines().count(),
        6
    );
    // Each import is its own image (its own creation time), but the
    // content is one layer, stored once.
    assert_eq!(env.ok(&["images", "-q"]).lines().count(), 6);
    assert_eq!(
        std::fs::read_dir(env.root().join("layers"))
            .unwrap()
            .count(),
        1
    );
    let refs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.root().join("refs.json")).unwrap()).unwrap();
    assert_eq!(refs["refs"].as_object().unwrap().len(), 6);
}

#[test]
fn an_import_killed_midway_leaves_the_store_readable() {
    let env = Env::with_busybox();
    // A slow, never-ending input: the import is in the middle of a layer.
    let mut child = Bg(env
        .cmd(&["import", "-", "half"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap());
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let tar = std::fs::read(busybox_tar()).unwrap();
        stdin.write_all(&tar[..tar.len() / 2]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        child.kill().unwrap();
    }
    child.wait().unwrap();
    assert!(!env.ok(&["images"]).contains("half"));
    assert_eq!(env.ok(&["images", "-q"]).lines().count(), 1);
    env.ok(&["run", "--rm", "busybox", "true"]);
}

/// `run -d; exec; rm -f`, again and again, leaves nothing in the run root
/// but what a running container needs.
#[test]
fn run_exec_rm_cycles_leave_nothing_in_the_run_root() {
    let env = Env::with_busybox();
    for i in 0..100 {
        let name = format!("cyc{i}");
        env.ok(&[
            "run",
            "-d",
            "--name",
            &name,
            "--network",
            "none",
            "busybox",
            "sleep",
            "60",
        ]);
        env.ok(&["exec", &name, "true"]);
        env.ok(&["rm", "-f", &name]);
    }
    // A monitor may record its exit a moment after rm -f; the next
    // command sweeps what it left.
    std::thread::sleep(std::time::Duration::from_millis(500));
    env.ok(&["ps", "-a"]);
    let left: Vec<String> = std::fs::read_dir(env.runroot())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n != "names.lock")
        .collect();
    assert!(left.is_empty(), "left in the run root: {left:?}");
    let names: Vec<_> = std::fs::read_dir(env.root().join("names"))
        .unwrap()
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

/// What an `--rm` run leaves for its remover process (`containers/.rm-ID`,
/// locked while it is deleted) is left alone by other commands' sweeps
/// while that lock is held, and deleted by the next command once its
/// holder is gone (a remover killed midway). `__rm-tree` deletes nothing
/// but such a directory.
#[test]
fn a_killed_remover_s_leftover_is_swept_and_a_live_one_is_left_to_it() {
    let env = Env::with_busybox();
    let doomed = env
        .root()
        .join("containers")
        .join(format!(".rm-{}", "a".repeat(64)));
    std::fs::create_dir_all(doomed.join("work/work")).unwrap();
    std::fs::write(doomed.join("container.json"), "{}").unwrap();
    // A remover at work: something holds the directory's flock.
    let mut holder = std::process::Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import fcntl, os, sys, time\nfd = os.open({:?}, os.O_RDONLY)\nfcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(30)",
            doomed.to_str().unwrap()
        ))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line, "held\n");
    env.ok(&["ps", "-a"]);
    assert!(
        doomed.join("container.json").exists(),
        "a live remover's directory was swept"
    );
    // Killed: the next command deletes what it left.
    holder.kill().unwrap();
    holder.wait().unwrap();
    env.ok(&["images"]);
    assert!(
        !doomed.exists(),
        "a dead remover's directory is still there"
    );
    // The remover deletes only a removed container's directory.
    let keep = env.root().join("containers").join("keep");
    std::fs::create_dir_all(&keep).unwrap();
    for bad in [
        keep.clone(),
        env.root().join(format!(".rm-{}", "b".repeat(64))),
        std::path::PathBuf::from(format!("containers/.rm-{}", "c".repeat(64))),
    ] {
        std::fs::create_dir_all(env.root().join(format!(".rm-{}", "b".repeat(64)))).unwrap();
        env.code(1, &["__rm-tree", bad.to_str().unwrap()]);
    }
    assert!(keep.is_dir());
    assert!(env.root().join(format!(".rm-{}", "b".repeat(64))).is_dir());
    std::fs::remove_dir(&keep).unwrap();
    std::fs::remove_dir(env.root().join(format!(".rm-{}", "b".repeat(64)))).unwrap();
}

/// A name claim whose container never came to be (a build killed while it
/// made a step container) is swept by the next command.
#[test]
fn a_stale_name_claim_is_swept() {
    let env = Env::with_busybox();
    let link = env.root().join("names").join("ghost");
    std::os::unix::fs::symlink("f".repeat(64), &link).unwrap();
    env.ok(&["images"]);
    assert!(
        std::fs::symlink_metadata(&link).is_err(),
        "the stale claim is still there"
    );
    env.ok(&[
        "run",
        "--rm",
        "--name",
        "ghost",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
}

/// A foreground container that fills the disk: its exit is still
/// recorded, `ps -a`, `inspect` and `rm -f` reach it, `--rm` removes it,
/// and a new container runs once the space is back.
#[test]
fn a_full_disk_during_a_foreground_run_strands_nothing() {
    let env = Env::new();
    let _disk = SmallDisk::on_root(&env, "64m");
    {
        env.ok(&["import", busybox_tar().to_str().unwrap(), "busybox"]);
        let fill = "dd if=/dev/zero of=/big bs=1M count=100 2>/dev/null; echo filled; exit 3";
        let (out, err) = env.code(
            3,
            &[
                "run",
                "--name",
                "filler",
                "--network",
                "none",
                "busybox",
                "sh",
                "-c",
                fill,
            ],
        );
        assert_eq!(out, "filled\n", "{err}");
        let ps = env.ok(&["ps", "-a"]);
        assert!(ps.contains("filler") && ps.contains("Exited (3)"), "{ps}");
        assert_eq!(
            env.ok(&["inspect", "-f", "{{.State.ExitCode}}", "filler"]),
            "3\n"
        );
        env.ok(&["rm", "-f", "filler"]);
        // --rm on a full disk: gone afterwards all the same.
        env.code(
            3,
            &[
                "run",
                "--rm",
                "--name",
                "filler2",
                "--network",
                "none",
                "busybox",
                "sh",
                "-c",
                fill,
            ],
        );
        assert_eq!(env.ok(&["ps", "-aq"]), "");
        env.ok(&["run", "--rm", "--network", "none", "busybox", "true"]);
    }
}

/// The processes strata starts on a store (monitors, health checks, the
/// API server's children) never make the store anew once it is gone.
#[test]
fn a_store_that_is_gone_is_not_made_again_by_strata_s_own_processes() {
    let env = Env::new();
    let gone = env.dir.join("gone");
    let o = env
        .cmd(&["ps", "-a"])
        .env("STRATA_ROOT", &gone)
        .env("STRATA_EXISTING_STORE", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is gone"), "{}", stderr(&o));
    assert!(!gone.exists());
    // Without it, a first command makes the store, as before.
    let o = env
        .cmd(&["ps", "-a"])
        .env("STRATA_ROOT", &gone)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(gone.join("containers").is_dir());
}
