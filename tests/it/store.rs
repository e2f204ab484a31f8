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
