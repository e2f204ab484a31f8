//! Bad input: one clear line, exit 125, nothing half-written.

use crate::util::*;

fn assert_one_line(err: &str) {
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(err.starts_with("Error: "), "{err:?}");
}

#[test]
fn unknown_image_is_docker_s_message() {
    let env = Env::new();
    let (_, err) = env.code(125, &["run", "--rm", "nosuch", "true"]);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines[0], "Unable to find image 'nosuch:latest' locally");
    assert_eq!(lines.len(), 2);
    assert_eq!(env.ok(&["ps", "-aq"]), "", "no container was created");
    let (_, err) = env.code(1, &["rmi", "nosuch"]);
    assert_eq!(err, "Error: No such image: nosuch\n");
}

#[test]
fn unknown_and_ambiguous_containers() {
    let env = Env::with_busybox();
    let (_, err) = env.code(1, &["rm", "nosuch"]);
    assert_eq!(err, "Error: No such container: nosuch\n");
    // Make two containers whose ids share a first hex digit, then use it.
    let mut ids = Vec::new();
    for _ in 0..40 {
        env.ok(&["run", "busybox", "true"]);
        ids = env
            .ok(&["ps", "-aq", "--no-trunc"])
            .lines()
            .map(String::from)
            .collect::<Vec<_>>();
        if ids.iter().any(|a| {
            ids.iter()
                .filter(|b| b.as_bytes()[0] == a.as_bytes()[0])
                .count()
                > 1
        }) {
            break;
        }
    }
    let first = ids
        .iter()
        .find(|a| {
            ids.iter()
                .filter(|b| b.as_bytes()[0] == a.as_bytes()[0])
                .count()
                > 1
        })
        .unwrap();
    let prefix = &first[..1];
    let (_, err) = env.code(1, &["rm", prefix]);
    let candidates: Vec<&str> = ids
        .iter()
        .filter(|i| i.starts_with(prefix))
        .map(|i| &i[..12])
        .collect();
    assert!(
        err.starts_with(&format!(
            "Error: multiple IDs found with provided prefix: {prefix} (candidates: "
        )),
        "{err}"
    );
    for c in candidates {
        assert!(err.contains(c), "candidate {c} not named: {err}");
    }
    assert_eq!(
        env.ok(&["ps", "-aq"]).lines().count(),
        ids.len(),
        "nothing removed"
    );
}

#[test]
fn a_name_in_use_is_a_conflict() {
    let env = Env::with_busybox();
    env.ok(&["run", "--name", "dup", "busybox", "true"]);
    let (_, err) = env.code(125, &["run", "--name", "dup", "busybox", "true"]);
    assert_one_line(&err);
    assert!(
        err.contains("Conflict. The container name \"/dup\" is already in use by container"),
        "{err}"
    );
    let (_, err) = env.code(125, &["run", "--name", "bad name", "busybox", "true"]);
    assert!(err.contains("Invalid container name (bad name)"), "{err}");
    assert_eq!(env.ok(&["ps", "-aq"]).lines().count(), 1);
}

#[test]
fn malformed_references_are_refused_before_anything_is_written() {
    let env = Env::with_busybox();
    for bad in ["Upper", "me/Redis", "a:b:c", "x@sha256:12", "a//b"] {
        let (_, err) = env.code(125, &["run", "--rm", bad, "true"]);
        assert!(err.contains("invalid reference format"), "{bad}: {err}");
    }
    let (_, err) = env.code(1, &["import", busybox_tar().to_str().unwrap(), "Bad:Ref:x"]);
    assert!(err.contains("invalid reference format"), "{err}");
    let (_, err) = env.code(1, &["tag", "busybox", "bad//ref"]);
    assert!(err.contains("invalid reference format"), "{err}");
    assert_eq!(env.ok(&["images", "-q"]).lines().count(), 1);
}

#[test]
fn import_of_something_that_is_not_a_tar_writes_nothing() {
    let env = Env::new();
    for (name, content) in [
        ("text", b"hello, this is not a tar archive\n".repeat(40)),
        ("empty", Vec::new()),
    ] {
        let f = env.dir.join(name);
        std::fs::write(&f, &content).unwrap();
        let (_, err) = env.code(1, &["import", f.to_str().unwrap(), "x"]);
        assert_one_line(&err);
        assert!(err.contains("invalid tar header"), "{err}");
    }
    let (_, err) = env.code(1, &["import", "/no/such/file.tar"]);
    assert_eq!(
        err,
        "Error: open /no/such/file.tar: no such file or directory\n"
    );
    assert_eq!(env.ok(&["images", "-q"]), "");
    assert_eq!(
        std::fs::read_dir(env.root().join("layers"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(
        std::fs::read_dir(env.root().join("tmp")).unwrap().count(),
        0
    );
    assert_eq!(
        std::fs::read_dir(env.root().join("images"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn tar_entries_cannot_escape_the_layer() {
    let env = Env::new();
    let outside = env.dir.join("outside");
    std::fs::create_dir(&outside).unwrap();
    // An archive whose symlink points out and whose next entry writes through it.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_mode(0o777);
    b.append_link(&mut h, "evil", &outside).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(4);
    h.set_mode(0o644);
    b.append_data(&mut h, "evil/pwned", &b"boom"[..]).unwrap();
    let bytes = b.into_inner().unwrap();
    let f = env.dir.join("evil.tar");
    std::fs::write(&f, bytes).unwrap();
    let (_, err) = env.code(1, &["import", f.to_str().unwrap(), "evil"]);
    assert!(err.contains("path escapes the destination"), "{err}");
    assert!(
        !outside.join("pwned").exists(),
        "a file was written outside the layer"
    );
    assert_eq!(env.ok(&["images", "-q"]), "");
}

#[test]
fn a_missing_bind_source_is_made_as_docker_does() {
    let env = Env::with_busybox();
    let src = env.dir.join("no/such/dir");
    let v = format!("{}:/data", src.display());
    env.ok(&[
        "run",
        "--rm",
        "-v",
        &v,
        "busybox",
        "sh",
        "-c",
        "echo hi > /data/f",
    ]);
    assert!(src.is_dir(), "-v made the host directory");
    assert_eq!(std::fs::read_to_string(src.join("f")).unwrap(), "hi\n");
    // A relative host path is neither a volume's name nor a host path.
    let (_, err) = env.code(
        125,
        &["run", "--rm", "-v", "./relative:/data", "busybox", "true"],
    );
    assert!(
        err.contains("If you intended to pass a host directory, use absolute path"),
        "{err}"
    );
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}

#[test]
fn a_damaged_layer_dir_is_reported() {
    let env = Env::with_busybox();
    let layer = std::fs::read_dir(env.root().join("layers"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::rename(layer.join("diff"), layer.join("diff.moved")).unwrap();
    let (_, err) = env.code(125, &["run", "--rm", "busybox", "true"]);
    assert_one_line(&err);
    assert!(
        err.contains("image store is damaged") && err.contains("has no content directory"),
        "{err}"
    );
    assert_eq!(
        env.ok(&["ps", "-aq"]),
        "",
        "--rm removed the failed container"
    );
}

#[test]
fn an_image_without_a_command_is_refused() {
    let env = Env::with_busybox();
    let (_, err) = env.code(125, &["run", "busybox"]);
    assert_eq!(err, "Error: No command specified\n");
}

#[test]
fn a_read_only_store_is_a_clear_error() {
    let env = Env::with_busybox();
    let root = env.root();
    let st = std::process::Command::new("mount")
        .args(["--bind", "-o", "ro"])
        .arg(&root)
        .arg(&root)
        .status()
        .unwrap();
    assert!(st.success());
    let st2 = std::process::Command::new("mount")
        .args(["-o", "remount,bind,ro"])
        .arg(&root)
        .status()
        .unwrap();
    assert!(st2.success());
    let (_, err) = env.code(1, &["import", busybox_tar().to_str().unwrap(), "other"]);
    let _ = std::process::Command::new("umount").arg(&root).status();
    assert_one_line(&err);
    assert!(err.contains("Read-only file system"), "{err}");
    assert_eq!(
        env.ok(&["images", "-q"]).lines().count(),
        1,
        "the store is as before"
    );
}

#[test]
fn unknown_flags_exit_125() {
    let env = Env::new();
    let out = env.run(&["run", "--no-such-flag", "busybox"]);
    assert_eq!(out.status.code(), Some(125));
    // docker CLI 28's text, word for word (strata for docker).
    assert_eq!(
        stderr(&out),
        "unknown flag: --no-such-flag\n\nUsage:  strata run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'strata run --help' for more information\n"
    );
    let out = env.run(&["ps", "--foo"]);
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        stderr(&out),
        "unknown flag: --foo\n\nUsage:  strata ps [OPTIONS]\n\nRun 'strata ps --help' for more information\n"
    );
    let out = env.run(&["container", "ls", "-z"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        stderr(&out).starts_with("unknown shorthand flag: 'z' in -z\n"),
        "{}",
        stderr(&out)
    );
    // Errors of every verb but run exit 1, as docker CLI 28's do.
    for args in [
        &["stop", "nosuch"][..],
        &["start", "nosuch"][..],
        &["kill", "nosuch"][..],
        &["logs", "nosuch"][..],
        &["exec", "nosuch", "true"][..],
        &["commit", "nosuch"][..],
        &["create", "--pull", "never", "nosuchimage"][..],
        &["tag", "nosuch", "x"][..],
        &["rm", "nosuch"][..],
        &["rmi", "nosuch"][..],
    ] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(
        env.run(&["run", "--pull", "never", "nosuchimage"])
            .status
            .code(),
        Some(125)
    );
    assert_eq!(env.run(&["--help"]).status.code(), Some(0));
}

#[test]
fn load_of_random_bytes_and_overlong_names_are_one_clear_line() {
    let env = Env::with_busybox();
    let junk = env.dir.join("junk.bin");
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&junk, &bytes).unwrap();
    let (_, err) = env.code(1, &["load", "-i", junk.to_str().unwrap()]);
    assert!(err.contains("not a tar archive"), "{err:?}");
    assert!(err.chars().all(|c| !c.is_control() || c == '\n'), "{err:?}");
    assert_eq!(err.lines().count(), 1);
    // docker counts docker.io/library/ in a name's 255 characters.
    let long = "a".repeat(238);
    let (_, err) = env.code(1, &["tag", "busybox", &long]);
    assert!(
        err.contains("must not be more than 255 characters"),
        "{err}"
    );
    env.ok(&["tag", "busybox", &"a".repeat(237)]);
    assert!(env
        .ok(&["images", "--format", "{{.Repository}}"])
        .contains(&"a".repeat(237)));
}
