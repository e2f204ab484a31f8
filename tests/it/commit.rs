//! `commit`, `diff`, `history`, `export`: a container's changes become an image.

use crate::util::*;

/// Runs a shell script in a new named container and commits it.
fn run_and_commit(env: &Env, image: &str, name: &str, script: &str, tag: &str) -> String {
    env.ok(&["run", "--name", name, image, "sh", "-c", script]);
    env.ok(&["commit", name, tag]).trim().to_string()
}

#[test]
fn commit_keeps_every_kind_of_change() {
    let env = Env::with_busybox();
    run_and_commit(
        &env,
        "busybox",
        "base",
        "mkdir -p /data/old/sub /swap; echo 1 > /data/a; echo 2 > /data/old/sub/f; echo keep > /data/b; \
         echo dir-now > /swap/inner",
        "step:1",
    );
    let script = "set -e; \
        echo new > /data/new; \
        echo more >> /etc/passwd; \
        rm /bin/vi /data/a; \
        rm -rf /data/old; mkdir /data/old; echo fresh > /data/old/only; \
        mv /data/b /data/renamed; \
        echo s > /data/suid; chown 100:101 /data/suid; chmod 4755 /data/suid; chmod 1777 /data/old; \
        echo linked > /data/h1; ln /data/h1 /data/h2; \
        ln -s ../data/new /data/sym; \
        echo sp > '/data/with space'; echo uni > /data/ünïcödé; : > /data/empty; \
        rm -rf /swap; echo file-now > /swap";
    env.ok(&["run", "--name", "changes", "step:1", "sh", "-c", script]);
    // An xattr set on the upper dir from the host survives too.
    let id = env.id_of("changes");
    let upper_file = env
        .root()
        .join("containers")
        .join(&id)
        .join("upper/data/new");
    let st = std::process::Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import os; os.setxattr({:?}, 'user.color', b'blue')",
            upper_file.to_str().unwrap()
        ))
        .status()
        .unwrap();
    assert!(st.success());
    env.ok(&["commit", "changes", "step:2"]);

    let check = "cat /data/new; tail -1 /etc/passwd; test ! -e /bin/vi && echo vi-gone; test ! -e /data/a && echo a-gone; \
        ls /data/old; cat /data/renamed; test ! -e /data/b && echo b-gone; stat -c '%a %u %g' /data/suid /data/old; \
        test $(stat -c %i /data/h1) = $(stat -c %i /data/h2) && echo hardlinked; readlink /data/sym; cat /data/sym; \
        cat '/data/with space' /data/ünïcödé; stat -c %s /data/empty; cat /swap; test -f /swap && echo swap-is-file";
    let out = env.ok(&["run", "--rm", "step:2", "sh", "-c", check]);
    assert_eq!(
        out,
        "new\nmore\nvi-gone\na-gone\nonly\nkeep\nb-gone\n4755 100 101\n1777 0 0\nhardlinked\n../data/new\nnew\nsp\nuni\n0\nfile-now\nswap-is-file\n"
    );
    // The layer dir itself holds the xattr.
    let layers = std::fs::read_dir(env.root().join("layers")).unwrap();
    let with_xattr = layers
        .map(|l| l.unwrap().path().join("diff/data/new"))
        .filter(|p| p.exists())
        .any(|p| {
            std::process::Command::new("python3")
                .arg("-c")
                .arg(format!(
                    "import os; print(os.getxattr({:?}, 'user.color'))",
                    p.to_str().unwrap()
                ))
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("blue"))
                .unwrap_or(false)
        });
    assert!(with_xattr, "the xattr reached the layer");
}

#[test]
fn commit_change_instructions() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "cfg",
        "-e",
        "FROM_RUN=kept",
        "busybox",
        "true",
    ]);
    let changes = [
        "CMD 'redis-server'",
        "ENTRYPOINT [\"/bin/sh\", \"-c\"]",
        "ENV A=1 B=\"two words\"",
        "EXPOSE 6379 53/udp",
        "LABEL org.example=yes",
        "ONBUILD RUN echo child",
        "USER nobody",
        "VOLUME /data",
        "WORKDIR /srv",
        "STOPSIGNAL SIGQUIT",
        "HEALTHCHECK --interval=5s CMD true",
    ];
    let mut args = vec!["commit"];
    for c in &changes {
        args.push("-c");
        args.push(c);
    }
    args.extend(["cfg", "configured"]);
    env.ok(&args);
    let get = |f: &str| {
        env.ok(&["inspect", "-f", f, "configured"])
            .trim()
            .to_string()
    };
    // The ENTRYPOINT came after the CMD, so that CMD stays (docker's rule).
    assert_eq!(
        get("{{json .Config.Cmd}}"),
        r#"["/bin/sh","-c","'redis-server'"]"#
    );
    assert_eq!(get("{{json .Config.Entrypoint}}"), r#"["/bin/sh","-c"]"#);
    let envs = get("{{json .Config.Env}}");
    assert!(
        envs.contains("\"A=1\"")
            && envs.contains("\"B=two words\"")
            && envs.contains("\"FROM_RUN=kept\""),
        "{envs}"
    );
    assert_eq!(
        get("{{json .Config.ExposedPorts}}"),
        r#"{"53/udp":{},"6379/tcp":{}}"#
    );
    assert_eq!(get("{{index .Config.Labels \"org.example\"}}"), "yes");
    assert_eq!(get("{{json .Config.OnBuild}}"), r#"["RUN echo child"]"#);
    assert_eq!(get("{{.Config.User}}"), "nobody");
    assert_eq!(get("{{json .Config.Volumes}}"), r#"{"/data":{}}"#);
    assert_eq!(get("{{.Config.WorkingDir}}"), "/srv");
    assert_eq!(get("{{.Config.StopSignal}}"), "SIGQUIT");
    assert_eq!(
        get("{{json .Config.Healthcheck}}"),
        r#"{"Interval":5000000000,"Test":["CMD-SHELL","true"]}"#
    );
}

#[test]
fn commit_cmd_shell_form_runs_as_docker_does() {
    let env = Env::with_busybox();
    env.ok(&["run", "--name", "srv", "busybox", "sh", "-c", "printf '#!/bin/sh\\necho Ready to accept connections\\n' > /bin/redis-server; chmod +x /bin/redis-server"]);
    let id = env
        .ok(&["commit", "-c", "CMD 'redis-server'", "srv"])
        .trim()
        .to_string();
    assert!(id.starts_with("sha256:"));
    // An untagged image: `<none>` in images, runnable by id.
    assert!(env.ok(&["images"]).contains("<none>"));
    assert_eq!(
        env.ok(&["run", "--rm", &id[7..19]]),
        "Ready to accept connections\n"
    );
    // JSON form is taken as JSON; `['x']` is not JSON, so it is shell form.
    env.ok(&["commit", "-c", "CMD [\"redis-server\"]", "srv", "json-form"]);
    assert_eq!(
        env.ok(&["run", "--rm", "json-form"]),
        "Ready to accept connections\n"
    );
    env.ok(&["commit", "-c", "CMD ['redis-server']", "srv", "not-json"]);
    assert_eq!(
        env.ok(&["inspect", "-f", "{{json .Config.Cmd}}", "not-json"])
            .trim(),
        r#"["/bin/sh","-c","['redis-server']"]"#
    );
}

#[test]
fn commit_refuses_bad_input_and_writes_nothing() {
    let env = Env::with_busybox();
    env.ok(&["run", "--name", "src", "busybox", "sh", "-c", "echo x > /x"]);
    let images_before = env.ok(&["images", "-aq"]);
    let layers_before = std::fs::read_dir(env.root().join("layers"))
        .unwrap()
        .count();
    let (_, err) = env.code(1, &["commit", "-c", "RUN echo no", "src"]);
    assert_eq!(err, "Error: RUN is not a valid change command\n");
    let (_, err) = env.code(1, &["commit", "-c", "ENV novalue", "src"]);
    assert!(err.contains("ENV must have two arguments"), "{err}");
    let (_, err) = env.code(1, &["commit", "-c", "EXPOSE http", "src"]);
    assert!(err.contains("invalid containerPort"), "{err}");
    let (_, err) = env.code(1, &["commit", "src", "Bad:Ref:Here"]);
    assert!(err.contains("invalid reference format"), "{err}");
    let (_, err) = env.code(1, &["commit", "nosuch"]);
    assert_eq!(err, "Error: No such container: nosuch\n");
    assert_eq!(env.ok(&["images", "-aq"]), images_before);
    assert_eq!(
        std::fs::read_dir(env.root().join("layers"))
            .unwrap()
            .count(),
        layers_before
    );
}

#[test]
fn diff_lists_added_changed_and_deleted_paths() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "dd",
        "busybox",
        "sh",
        "-c",
        "echo x >> /etc/group; rm /bin/vi; mkdir -p /new/dir; touch /new/dir/f",
    ]);
    assert_eq!(
        env.ok(&["diff", "dd"]),
        "C /bin\nD /bin/vi\nC /etc\nC /etc/group\nA /new\nA /new/dir\nA /new/dir/f\n"
    );
    let (_, err) = env.code(1, &["diff", "nosuch"]);
    assert_eq!(err, "Error: No such container: nosuch\n");
}

#[test]
fn history_shows_each_step_and_missing_ancestors() {
    let env = Env::with_busybox();
    run_and_commit(&env, "busybox", "h1", "echo 1 > /one", "h:1");
    env.ok(&["run", "--name", "h2", "h:1", "true"]);
    env.ok(&[
        "commit",
        "-m",
        "nothing changed",
        "-a",
        "Tester <t@example.com>",
        "h2",
        "h:2",
    ]);
    let out = env.ok(&["history", "h:2"]);
    let lines: Vec<&str> = out.lines().collect();
    let header: Vec<&str> = lines[0]
        .split("   ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        header,
        ["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]
    );
    assert_eq!(lines.len(), 4);
    let ids = env.ok(&["history", "-q", "h:2"]);
    let ids: Vec<&str> = ids.lines().collect();
    let id2 = env.ok(&["images", "-q", "h:2"]);
    let id1 = env.ok(&["images", "-q", "h:1"]);
    let base = env.ok(&["images", "-q", "busybox"]);
    assert_eq!(ids, [id2.trim(), id1.trim(), base.trim()]);
    assert!(
        lines[1].contains("   true   ") && lines[1].contains("   0B        nothing changed"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("sh -c echo 1 > /one") && lines[2].contains("   2B   "),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains("Imported from -"), "{}", lines[3]);
    // The empty commit made no layer: same layers as its parent.
    assert_eq!(
        env.ok(&["inspect", "-f", "{{json .RootFS.Layers}}", "h:2"]),
        env.ok(&["inspect", "-f", "{{json .RootFS.Layers}}", "h:1"])
    );
    assert_eq!(env.ok(&["run", "--rm", "h:2", "cat", "/one"]), "1\n");
    // Without its parents, history says <missing>, as docker does.
    env.ok(&["rm", "h1", "h2"]);
    env.ok(&["rmi", "h:1"]);
    env.ok(&["rmi", "busybox"]);
    let ids = env.ok(&["history", "-q", "h:2"]);
    assert_eq!(
        ids.lines().collect::<Vec<_>>(),
        [id2.trim(), "<missing>", "<missing>"]
    );
    assert_eq!(env.ok(&["run", "--rm", "h:2", "cat", "/one"]), "1\n");
}

#[test]
fn committing_twice_and_an_unchanged_container_share_layers() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "twice",
        "busybox",
        "sh",
        "-c",
        "echo v1 > /v",
    ]);
    let a = env.ok(&["commit", "twice", "t:a"]);
    let b = env.ok(&["commit", "twice", "t:b"]);
    assert_ne!(a, b, "two commits are two images (their times differ)");
    assert_eq!(
        env.ok(&["inspect", "-f", "{{json .RootFS.Layers}}", "t:a"]),
        env.ok(&["inspect", "-f", "{{json .RootFS.Layers}}", "t:b"]),
        "the same change is the same layer"
    );
    assert_eq!(
        std::fs::read_dir(env.root().join("layers"))
            .unwrap()
            .count(),
        2
    );
}

#[test]
fn commit_of_a_running_container_pauses_it_and_it_keeps_running() {
    let env = Env::with_busybox();
    let script = "i=0; while true; do i=$((i+1)); echo $i > /tmp/n.tmp; echo $i >> /tmp/n.tmp; mv /tmp/n.tmp /tmp/n; done";
    let mut child = env.spawn(&["run", "--name", "busy", "busybox", "sh", "-c", script]);
    assert!(wait_for(5.0, || env.ok(&["ps"]).contains("busy")));
    // Wait until the loop has written its file at least once.
    let id = env.id_of("busy");
    let counter = env.root().join("containers").join(&id).join("upper/tmp/n");
    assert!(wait_for(10.0, || counter.exists()));
    for n in 0..3 {
        let tag = format!("snap:{n}");
        env.ok(&["commit", "busy", &tag]);
        // The snapshot is consistent: both lines of the last file agree.
        let out = env.ok(&["run", "--rm", &tag, "cat", "/tmp/n"]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out:?}");
        assert_eq!(lines[0], lines[1]);
    }
    // Still up, not frozen: the counter moves on.
    let upper = counter;
    let before = std::fs::read_to_string(&upper).unwrap();
    assert!(wait_for(5.0, || std::fs::read_to_string(&upper)
        .map(|s| s != before)
        .unwrap_or(false)));
    assert!(env
        .ok(&["ps", "--format", "{{.Status}}"])
        .starts_with("Up "));
    // --pause=false commits it without freezing.
    env.ok(&["commit", "--pause=false", "busy", "live"]);
    env.ok(&["rm", "-f", "busy"]);
    assert_eq!(child.wait().unwrap().code(), Some(137));
}

#[test]
fn export_and_import_round_trip() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "ex",
        "busybox",
        "sh",
        "-c",
        "echo exported > /root/file; rm /bin/vi; ln -s /root/file /link",
    ]);
    let tar = env.dir.join("ex.tar");
    env.ok(&["export", "-o", tar.to_str().unwrap(), "ex"]);
    let list = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&tar)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(list.lines().any(|l| l == "root/file"), "{list}");
    assert!(
        !list.lines().any(|l| l == "bin/vi"),
        "deleted files are not exported"
    );
    assert!(!list.contains(".wh."), "no whiteouts in an export");
    env.ok(&["import", tar.to_str().unwrap(), "reimported"]);
    let out = env.ok(&[
        "run",
        "--rm",
        "reimported",
        "sh",
        "-c",
        "cat /root/file; readlink /link; test ! -e /bin/vi && echo gone",
    ]);
    assert_eq!(out, "exported\n/root/file\ngone\n");
    // Both file systems list the same paths.
    env.ok(&["run", "--name", "ex2", "reimported", "true"]);
    let tar2 = env.dir.join("ex2.tar");
    env.ok(&["export", "-o", tar2.to_str().unwrap(), "ex2"]);
    let list2 = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&tar2)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&list2.stdout), list);
    // To stdout as well; a running container can be exported too.
    let out = env.run(&["export", "ex"]);
    assert!(out.status.success() && out.stdout.len() > 1_000_000);
}

#[test]
fn two_hundred_stacked_layers_run() {
    let env = Env::with_busybox();
    let mut image = "busybox".to_string();
    for i in 0..200 {
        let name = format!("s{i}");
        env.ok(&[
            "run",
            "--name",
            &name,
            &image,
            "sh",
            "-c",
            &format!("echo {i} > /layer-{i}"),
        ]);
        let tag = format!("stack:{i}");
        env.ok(&["commit", &name, &tag]);
        env.ok(&["rm", &name]);
        image = tag;
    }
    let n = env.ok(&["inspect", "-f", "{{len .RootFS.Layers}}", &image]);
    assert_eq!(n.trim(), "201");
    let out = env.ok(&[
        "run",
        "--rm",
        &image,
        "sh",
        "-c",
        "cat /layer-0 /layer-100 /layer-199; ls / | grep -c layer-",
    ]);
    assert_eq!(out, "0\n100\n199\n200\n");
}

#[test]
fn a_commit_killed_midway_leaves_no_half_image() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "big",
        "busybox",
        "sh",
        "-c",
        "mkdir /many; for i in $(seq 1 200); do echo $i > /many/f$i; done",
    ]);
    let before_images = env.ok(&["images", "-aq"]);
    for n in ["1", "5", "50", "150"] {
        let out = env
            .cmd(&["commit", "big", "half:latest"])
            .env("STRATA_TEST_KILL_AFTER_ENTRIES", n)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), None, "killed by a signal at entry {n}");
        assert_eq!(
            env.ok(&["images", "-aq"]),
            before_images,
            "no image after a kill at entry {n}"
        );
        assert!(!env.ok(&["images"]).contains("half"));
        // Every layer in the store is complete (has its metadata).
        for l in std::fs::read_dir(env.root().join("layers")).unwrap() {
            assert!(l.unwrap().path().join("layer.json").is_file());
        }
    }
    // The next commit works, and sweeps what the killed ones left in tmp/.
    env.ok(&["commit", "big", "whole"]);
    env.ok(&["import", busybox_tar().to_str().unwrap(), "again"]);
    let left: Vec<_> = std::fs::read_dir(env.root().join("tmp")).unwrap().collect();
    assert!(left.is_empty(), "tmp/ holds {left:?}");
    assert_eq!(
        env.ok(&["run", "--rm", "whole", "cat", "/many/f200"]),
        "200\n"
    );
}

#[test]
fn a_full_disk_during_commit_is_a_clear_error() {
    let env = Env::new();
    let root = env.root();
    std::fs::create_dir_all(&root).unwrap();
    let st = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=12m", "tmpfs"])
        .arg(&root)
        .status()
        .unwrap();
    assert!(st.success());
    let result = std::panic::catch_unwind(|| {
        env.ok(&["import", busybox_tar().to_str().unwrap(), "busybox"]);
        // A running container's upper dir is copied (a stopped one's is
        // moved, which needs no space): 6 MB more do not fit.
        let script = "head -c 6000000 /dev/zero > /blob; echo written; sleep 30";
        let mut child = Bg(env
            .cmd(&["run", "--name", "fat", "busybox", "sh", "-c", script])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap());
        let mut line = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line, "written\n");
        let (_, err) = env.code(1, &["commit", "fat", "fat:img"]);
        assert!(err.contains("No space left on device"), "{err}");
        assert!(!env.ok(&["images"]).contains("fat"));
        let left: Vec<_> = std::fs::read_dir(env.root().join("tmp")).unwrap().collect();
        assert!(left.is_empty(), "the half layer was removed: {left:?}");
        env.ok(&["rm", "-f", "fat"]);
        env.ok(&["run", "--rm", "busybox", "true"]);
    });
    let _ = std::process::Command::new("umount").arg(&root).status();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

#[test]
fn a_stopped_container_is_committed_without_copying_and_stays_whole() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "zc",
        "busybox",
        "sh",
        "-c",
        "echo one > /one; rm /bin/vi",
    ]);
    let id = env.id_of("zc");
    let upper = env.root().join("containers").join(&id).join("upper");
    let ino_before = std::fs::metadata(upper.join("one")).unwrap();
    env.ok(&["commit", "zc", "zc:1"]);
    // The file moved into the layer store: same inode, no copy.
    let layer_file = std::fs::read_dir(env.root().join("layers"))
        .unwrap()
        .map(|l| l.unwrap().path().join("diff/one"))
        .find(|p| p.exists())
        .unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(layer_file).unwrap().ino(),
        ino_before.ino()
    );
    // The container still shows all its changes against its own image.
    assert_eq!(env.ok(&["diff", "zc"]), "C /bin\nD /bin/vi\nA /one\n");
    let tar = env.dir.join("zc.tar");
    env.ok(&["export", "-o", tar.to_str().unwrap(), "zc"]);
    let list = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&tar)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(list.lines().any(|l| l == "one") && !list.lines().any(|l| l == "bin/vi"));
    // A second commit after more changes holds both (no container restart
    // exists yet, so change the upper dir the way a run would).
    std::fs::write(upper.join("two"), "two\n").unwrap();
    env.ok(&["commit", "zc", "zc:2"]);
    assert_eq!(
        env.ok(&[
            "run",
            "--rm",
            "zc:2",
            "sh",
            "-c",
            "cat /one /two; test -e /bin/vi || echo vi-gone"
        ]),
        "one\ntwo\nvi-gone\n"
    );
    assert_eq!(
        env.ok(&["diff", "zc"]),
        "C /bin\nD /bin/vi\nA /one\nA /two\n"
    );
    // Deleting the first image keeps the layers the container stands on.
    env.ok(&["rmi", "zc:1"]);
    assert_eq!(
        env.ok(&["diff", "zc"]),
        "C /bin\nD /bin/vi\nA /one\nA /two\n"
    );
    env.ok(&["commit", "zc", "zc:3"]);
    assert_eq!(
        env.ok(&["run", "--rm", "zc:3", "cat", "/one", "/two"]),
        "one\ntwo\n"
    );
    let layers = env.ok(&["inspect", "-f", "{{len .RootFS.Layers}}", "zc:3"]);
    let history = env.ok(&["history", "-q", "zc:3"]);
    assert_eq!(layers.trim(), "3");
    assert_eq!(
        history.lines().count(),
        4,
        "one history entry per layer, and the empty last commit"
    );
}

/// A store with the stopped container `name` (made by `script`) whose
/// `commit name name:img` was killed at `point`.
fn commit_killed_at(name: &str, script: &str, point: &str) -> Env {
    let env = Env::with_busybox();
    env.ok(&["run", "--name", name, "busybox", "sh", "-c", script]);
    let out = env
        .cmd(&["commit", name, &format!("{name}:img")])
        .env("STRATA_TEST_KILL_AT", point)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), None, "killed at {point}");
    env
}

#[test]
fn a_staged_commit_whose_layer_json_a_power_cut_emptied_is_undone() {
    // The stage's layer.json is written atomically but not durably (as the
    // record's commit journal is): after a power cut it can be empty while
    // the rename of upper/ into the stage survived. The container keeps
    // its files.
    let env = commit_killed_at("pc", "echo precious > /me", "staged");
    let id = env.ok(&["ps", "-aq", "--no-trunc"]);
    let stage = env
        .root()
        .join("containers")
        .join(id.trim())
        .join("layer-stage");
    assert!(stage.join("diff/me").is_file(), "the upper dir is staged");
    std::fs::write(stage.join("layer.json"), b"").unwrap();
    assert_eq!(env.ok(&["diff", "pc"]), "A /me\n");
    assert!(!stage.exists(), "the stage is gone");
    env.ok(&["commit", "pc", "pc:img"]);
    assert_eq!(
        env.ok(&["run", "--rm", "pc:img", "cat", "/me"]),
        "precious\n"
    );
}

#[test]
fn a_commit_killed_at_each_step_of_the_rename_loses_nothing() {
    for point in ["journal", "staged", "adopted"] {
        let env = commit_killed_at(
            "kc",
            "mkdir /keep; echo precious > /keep/me; rm /bin/vi",
            point,
        );
        assert!(
            !env.ok(&["images"]).contains("kc"),
            "no tag after a kill at {point}"
        );
        // The next command that touches the container repairs it.
        assert_eq!(
            env.ok(&["diff", "kc"]),
            "C /bin\nD /bin/vi\nA /keep\nA /keep/me\n",
            "after {point}"
        );
        env.ok(&["commit", "kc", "kc:img"]);
        assert_eq!(
            env.ok(&["run", "--rm", "kc:img", "cat", "/keep/me"]),
            "precious\n",
            "after {point}"
        );
        for l in std::fs::read_dir(env.root().join("layers")).unwrap() {
            assert!(
                l.unwrap().path().join("layer.json").is_file(),
                "a half layer after {point}"
            );
        }
    }
}

#[test]
fn a_commit_killed_while_the_container_is_frozen_leaves_it_running() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "live",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        "mkdir /many; for i in $(seq 1 200); do echo $i > /many/f$i; done; echo ready; sleep 300",
    ]);
    assert!(wait_for(10.0, || env
        .ok(&["logs", "live"])
        .contains("ready")));
    for n in ["1", "50", "150"] {
        let out = env
            .cmd(&["commit", "live", "half:latest"])
            .env("STRATA_TEST_KILL_AFTER_ENTRIES", n)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), None, "killed by a signal at entry {n}");
        // The next command on it finds it thawed: exec runs, and the
        // container is not paused.
        let out = within(&env, 10, &["exec", "live", "echo", "alive"]);
        assert_eq!(
            stdout(&out),
            "alive\n",
            "after a kill at entry {n}: {}",
            stderr(&out)
        );
        assert_eq!(
            env.ok(&["inspect", "-f", "{{.State.Paused}}", "live"]),
            "false\n"
        );
    }
    // The sweep thaws too (any command that opens the store).
    let out = env
        .cmd(&["commit", "live", "half:latest"])
        .env("STRATA_TEST_KILL_AFTER_ENTRIES", "60")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), None);
    env.ok(&["container", "prune", "-f"]);
    let out = within(&env, 10, &["exec", "live", "echo", "alive"]);
    assert_eq!(stdout(&out), "alive\n");
    // A pause of the user's stays a pause through a commit.
    env.ok(&["pause", "live"]);
    env.ok(&["commit", "live", "whole"]);
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.State.Paused}}", "live"]),
        "true\n"
    );
    env.ok(&["unpause", "live"]);
    env.ok(&["rm", "-f", "live"]);
}

#[test]
fn commit_of_a_container_whose_supervisor_was_killed_does_not_hang() {
    let env = Env::with_busybox();
    let mut fg = env.spawn(&[
        "run",
        "--name",
        "orphan",
        "--network",
        "none",
        "busybox",
        "sleep",
        "300",
    ]);
    assert!(wait_for(10.0, || env.ok(&["ps", "-q"]).trim().len() == 12));
    // kill -9 of the foreground `strata run`: its container dies with it,
    // while the record still says running.
    fg.kill().unwrap();
    fg.wait().unwrap();
    let out = within(&env, 20, &["commit", "orphan", "orphaned"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.ok(&["ps", "-a"]).contains("Exited (137)"));
}
