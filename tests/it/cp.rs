//! `cp` between containers and the host, with docker's rules, and what a
//! container cannot do to the host through it.

use crate::util::*;
use std::path::Path;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn cp_files_directories_and_tar_streams_both_ways_as_docker_s() {
    let env = Env::with_busybox();
    let out = env.dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let id = env.ok(&[
        "create",
        "--name",
        "box",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    let _ = id;
    // Out: a file into a directory, a file to a new name, a directory.
    env.ok(&["cp", "box:/etc/passwd", out.to_str().unwrap()]);
    assert!(read(&out.join("passwd")).starts_with("root:"));
    env.ok(&[
        "cp",
        "box:/etc/passwd",
        out.join("renamed").to_str().unwrap(),
    ]);
    assert_eq!(read(&out.join("renamed")), read(&out.join("passwd")));
    env.ok(&["cp", "box:/etc", out.join("etccopy").to_str().unwrap()]);
    assert!(out.join("etccopy/passwd").is_file());
    env.ok(&["cp", "box:/etc", out.to_str().unwrap()]);
    assert!(out.join("etc/passwd").is_file());
    // In: a file, a directory's contents (`/.`), a tar on stdin.
    std::fs::create_dir_all(out.join("src/sub")).unwrap();
    std::fs::write(out.join("src/sub/f"), "in a dir\n").unwrap();
    std::fs::write(out.join("hi"), "hi\n").unwrap();
    env.ok(&["cp", out.join("hi").to_str().unwrap(), "box:/tmp/"]);
    env.ok(&["cp", out.join("hi").to_str().unwrap(), "box:/hello"]);
    env.ok(&[
        "cp",
        &format!("{}/.", out.join("src").display()),
        "box:/tree",
    ]);
    let tar = std::process::Command::new("tar")
        .args(["-cf", "-", "-C", out.to_str().unwrap(), "hi"])
        .output()
        .unwrap()
        .stdout;
    let mut c = env.cmd(&["cp", "-", "box:/etc"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&tar).unwrap();
    assert!(child.wait().unwrap().success());
    // What went in is there, through `cp ... -` (a tar on stdout).
    let got = env.run(&["cp", "box:/tree/sub/f", "-"]);
    assert!(got.status.success());
    let names = std::process::Command::new("tar")
        .args(["-tf", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut t| {
            t.stdin.take().unwrap().write_all(&got.stdout)?;
            t.wait_with_output()
        })
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&names.stdout), "f\n");
    env.ok(&["start", "-a", "box"]);
    let check = env.ok(&["run", "--rm", "--network", "none", "busybox", "true"]);
    let _ = check;
    // A running container too, its volumes included.
    let r = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "-v",
        "cpvol:/data",
        "busybox",
        "sleep",
        "60",
    ]);
    let r = r.trim();
    env.ok(&[
        "cp",
        out.join("hi").to_str().unwrap(),
        &format!("{r}:/data/"),
    ]);
    assert_eq!(env.ok(&["exec", r, "cat", "/data/hi"]), "hi\n");
    env.ok(&[
        "cp",
        &format!("{r}:/data"),
        out.join("datacopy").to_str().unwrap(),
    ]);
    assert_eq!(read(&out.join("datacopy/hi")), "hi\n");
    env.ok(&["rm", "-f", r]);
    // And the stopped one kept what was copied in.
    env.ok(&["cp", "box:/hello", out.join("hello").to_str().unwrap()]);
    assert_eq!(read(&out.join("hello")), "hi\n");
    env.ok(&["cp", "box:/etc/hi", out.join("hi2").to_str().unwrap()]);
    assert_eq!(read(&out.join("hi2")), "hi\n");
}

#[test]
fn bad_cp_paths_get_docker_s_errors() {
    let env = Env::with_busybox();
    let out = env.dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("file"), "f\n").unwrap();
    env.ok(&[
        "create",
        "--name",
        "box",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    let o = |p: &str| out.join(p).display().to_string();
    for (src, dest, want) in [
        (
            "box:/nope".to_string(),
            o(""),
            "Could not find the file /nope in container box".to_string(),
        ),
        (
            "box:/etc".to_string(),
            o("file"),
            "cannot copy directory".to_string(),
        ),
        (
            "box:/etc/passwd".to_string(),
            o("nodir/x"),
            format!(
                "invalid output path: directory \"{}\" does not exist",
                o("nodir")
            ),
        ),
        (
            "box:/etc/passwd".to_string(),
            o("missing/"),
            "no such directory".to_string(),
        ),
        (
            o("file"),
            "box:/nodir/x".to_string(),
            "Could not find the file /nodir in container box".to_string(),
        ),
        (
            o("file"),
            "box:/etc/passwd/x".to_string(),
            "extraction point is not a directory".to_string(),
        ),
        (
            o("nonexistent"),
            "box:/".to_string(),
            format!("lstat {}: no such file or directory", o("nonexistent")),
        ),
        (
            "box:/a".to_string(),
            "box:/b".to_string(),
            "copying between containers is not supported".to_string(),
        ),
        (
            "nobox:/a".to_string(),
            o(""),
            "No such container: nobox".to_string(),
        ),
    ] {
        let (_, err) = env.code(1, &["cp", &src, &dest]);
        assert!(err.contains(&want), "{src} {dest}: {err}");
    }
    assert!(!out.join("nodir").exists() && !out.join("missing").exists());
    assert_eq!(read(&out.join("file")), "f\n");
}

#[test]
fn a_link_to_etc_in_the_container_never_reaches_the_host_s_etc() {
    let env = Env::with_busybox();
    let out = env.dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    // A link to /etc on purpose, and a directory the container keeps
    // swapping for a link to /etc while the host copies.
    let id = env.ok(&[
        "run", "-d", "--network", "none", "busybox", "sh", "-c",
        "ln -s /etc /etclink; mkdir -p /race/dir; echo inner > /race/dir/strata-cp-race; \
         while true; do mv /race/dir /race/real; ln -s /etc /race/dir; rm /race/dir; mv /race/real /race/dir; done",
    ]);
    let id = id.trim();
    // In: through the container's link, into the container's /etc.
    std::fs::write(out.join("strata-cp-marker"), "marker\n").unwrap();
    env.ok(&[
        "cp",
        out.join("strata-cp-marker").to_str().unwrap(),
        &format!("{id}:/etclink/"),
    ]);
    assert_eq!(
        env.ok(&["exec", id, "cat", "/etc/strata-cp-marker"]),
        "marker\n"
    );
    assert!(!Path::new("/etc/strata-cp-marker").exists());
    // Out, many times, while the swap runs: a link comes out as a link,
    // and nothing is written through it.
    for i in 0..40 {
        let dest = out.join(format!("copy{i}"));
        let _ = env.run(&["cp", &format!("{id}:/race"), dest.to_str().unwrap()]);
        let _ = env.run(&[
            "cp",
            out.join("strata-cp-marker").to_str().unwrap(),
            &format!("{id}:/race/dir/"),
        ]);
        assert!(
            !Path::new("/etc/strata-cp-race").exists(),
            "copy {i} wrote into the host's /etc"
        );
        assert!(
            !Path::new("/etc/strata-cp-marker").exists(),
            "copy {i} wrote into the host's /etc"
        );
    }
    let out_link = env.ok(&[
        "cp",
        &format!("{id}:/etclink"),
        out.join("l").to_str().unwrap(),
    ]);
    let _ = out_link;
    assert_eq!(
        std::fs::read_link(out.join("l")).unwrap(),
        Path::new("/etc")
    );
    env.ok(&["rm", "-f", id]);
}

#[test]
fn rename_moves_the_name_and_refuses_docker_s_bad_cases() {
    let env = Env::with_busybox();
    let a = env.ok(&[
        "run",
        "-d",
        "--name",
        "first",
        "--network",
        "none",
        "busybox",
        "sleep",
        "30",
    ]);
    let a = a.trim();
    env.ok(&[
        "create",
        "--name",
        "other",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    env.ok(&["rename", "first", "second"]);
    assert_eq!(env.ok(&["inspect", "-f", "{{.Name}}", a]).trim(), "/second");
    assert_eq!(env.ok(&["exec", "second", "echo", "ok"]), "ok\n");
    let (_, err) = env.code(1, &["inspect", "first"]);
    assert!(err.contains("No such"), "{err}");
    // The old name is free again.
    env.ok(&[
        "create",
        "--name",
        "first",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    let (_, err) = env.code(1, &["rename", "second", "other"]);
    assert!(
        err.contains("The container name \"/other\" is already in use"),
        "{err}"
    );
    let (_, err) = env.code(1, &["rename", "second", "second"]);
    assert!(
        err.contains("Renaming a container with the same name as its current name"),
        "{err}"
    );
    let (_, err) = env.code(1, &["rename", "second", "b@d"]);
    assert!(err.contains("Invalid container name (b@d)"), "{err}");
    let (_, err) = env.code(1, &["rename", "nosuch", "x1"]);
    assert!(err.contains("No such container: nosuch"), "{err}");
    assert_eq!(env.ok(&["container", "rename", "second", "third"]), "");
    assert_eq!(env.ok(&["ps", "--format", "{{.Names}}"]), "third\n");
    env.ok(&["rm", "-f", "third", "first", "other"]);
}
