//! Help, version and the generated docs.

use crate::util::*;

#[test]
fn committed_man_pages_and_completions_match_the_code() {
    let env = Env::new();
    let out = env.dir.join("gen");
    env.ok(&["__gen-docs", out.to_str().unwrap()]);
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["man", "completions"] {
        let mut want: Vec<_> = std::fs::read_dir(out.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        want.sort();
        let mut have: Vec<_> = std::fs::read_dir(repo.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        have.sort();
        assert_eq!(
            have, want,
            "{sub}/ lists other files than the code makes: run `strata __gen-docs .`"
        );
        for f in want {
            let a = std::fs::read(out.join(sub).join(&f)).unwrap();
            let b = std::fs::read(repo.join(sub).join(&f)).unwrap();
            assert!(
                a == b,
                "{sub}/{} is stale: run `strata __gen-docs .`",
                f.to_string_lossy()
            );
        }
    }
}

#[test]
fn version_and_help() {
    let env = Env::new();
    assert!(env.ok(&["--version"]).starts_with("strata "));
    let help = env.ok(&["run", "--help"]);
    assert!(
        help.contains("--hostname") && help.contains("-h,"),
        "{help}"
    );
}

#[test]
fn store_flags_come_before_the_verb_as_docker_s_global_flags_do() {
    let env = Env::with_busybox();
    let other = env.dir.join("other");
    let (root, run) = (other.join("root"), other.join("run"));
    let (root, run) = (root.to_str().unwrap(), run.to_str().unwrap());
    // Before the verb, the flags choose the store: this one has no image.
    let listed = env.ok(&["--root", root, "--runroot", run, "images", "-q"]);
    assert_eq!(listed, "");
    assert_eq!(env.ok(&["images", "-q"]).lines().count(), 1);
    // After it, they are refused as docker refuses `docker ps --config D`.
    let (_, err) = env.code(125, &["images", "--root", root]);
    assert!(err.starts_with("unknown flag: --root\n"), "{err}");
}

#[test]
fn strata_started_with_its_standard_descriptors_closed_holds_them_on_dev_null() {
    let env = Env::with_busybox();
    // Closed, the three numbers would go to the first files strata opens
    // (a lock, a record being written), and what it prints or a child
    // inherits as its stdin would land there.
    use std::os::unix::process::CommandExt;
    let mut c = env.cmd(&["run", "--rm", "--network", "none", "busybox", "sleep", "30"]);
    // SAFETY: between fork and exec, close(2) of three numbers only.
    unsafe {
        c.pre_exec(|| {
            for fd in 0..3 {
                libc::close(fd);
            }
            Ok(())
        });
    }
    let mut child = c.spawn().unwrap();
    assert!(wait_for(10.0, || env.ok(&["ps", "-q"]).lines().count() == 1));
    let fds: Vec<String> = (0..3)
        .map(|fd| {
            std::fs::read_link(format!("/proc/{}/fd/{fd}", child.id()))
                .map(|p| p.display().to_string())
                .unwrap_or_else(|e| format!("fd {fd}: {e}"))
        })
        .collect();
    let id = env.ok(&["ps", "-q"]);
    env.ok(&["kill", id.trim()]);
    let status = child.wait().unwrap();
    // While the container runs, 1 and 2 are the pipes its output is
    // copied through into the log; none is a file of the store.
    assert_eq!(fds[0], "/dev/null", "{fds:?}");
    assert!(
        fds[1..]
            .iter()
            .all(|f| f == "/dev/null" || f.starts_with("pipe:")),
        "{fds:?}"
    );
    assert_eq!(status.code(), Some(137));
}

#[test]
fn docker_s_container_and_image_groups_reach_the_same_verbs() {
    let env = Env::with_busybox();
    assert_eq!(
        env.ok(&[
            "container",
            "run",
            "--name",
            "grouped",
            "--network",
            "none",
            "busybox",
            "echo",
            "hi"
        ]),
        "hi\n"
    );
    let ls = env.ok(&[
        "container",
        "ls",
        "-a",
        "--format",
        "{{.Names}} {{.Status}}",
    ]);
    assert!(ls.starts_with("grouped Exited (0)"), "{ls}");
    assert_eq!(env.ok(&["container", "ps", "-aq"]), env.ok(&["ps", "-aq"]));
    assert_eq!(env.ok(&["container", "rm", "grouped"]), "grouped\n");
    assert_eq!(
        env.ok(&["image", "ls", "--format", "{{.Repository}}"]),
        "busybox\n"
    );
    env.ok(&["image", "tag", "busybox", "again"]);
    assert_eq!(
        env.ok(&["image", "rm", "again"]),
        "Untagged: again:latest\n"
    );
    assert_eq!(
        env.ok(&["container", "prune", "-f"]),
        "Total reclaimed space: 0B\n"
    );
}
