//! `build`: Dockerfiles on the busybox base, the cache, and bad input.

use crate::util::*;
use std::path::{Path, PathBuf};

/// A build context in the test's dir: files given as (path, content).
fn context(env: &Env, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = env.dir.join(name);
    for (p, c) in files {
        let f = dir.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, c).unwrap();
    }
    dir
}

fn build(env: &Env, dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["build"];
    args.extend(extra);
    args.push(dir.to_str().unwrap());
    env.ok(&args)
}

fn steps_cached(out: &str) -> usize {
    out.matches(" ---> Using cache").count()
}

#[test]
fn build_prints_the_classic_builder_s_lines_and_the_image_runs() {
    let env = Env::with_busybox();
    let dir = context(
        &env,
        "ctx",
        &[(
            "Dockerfile",
            "FROM busybox\nRUN echo building && echo built > /built\nCMD [\"cat\", \"/built\"]\n",
        )],
    );
    let out = build(&env, &dir, &["-t", "me/app:latest"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("Sending build context to Docker daemon  "),
        "{out}"
    );
    assert_eq!(lines[1], "Step 1/3 : FROM busybox");
    assert!(
        lines[2].starts_with(" ---> ") && lines[2].len() == 18,
        "{out}"
    );
    assert_eq!(
        lines[3],
        "Step 2/3 : RUN echo building && echo built > /built"
    );
    assert!(lines[4].starts_with(" ---> Running in "), "{out}");
    assert_eq!(lines[5], "building");
    assert!(
        lines[6].starts_with("Removing intermediate container "),
        "{out}"
    );
    assert_eq!(&lines[6][32..], &lines[4][17..], "the same container");
    assert!(lines[7].starts_with(" ---> "));
    assert_eq!(lines[8], "Step 3/3 : CMD [\"cat\", \"/built\"]");
    let last = lines.len() - 1;
    assert_eq!(lines[last], "Successfully tagged me/app:latest");
    let id = env.ok(&["images", "-q", "me/app"]);
    assert_eq!(lines[last - 1], format!("Successfully built {}", id.trim()));
    assert_eq!(env.ok(&["run", "--rm", "me/app"]), "built\n");
    // No container, mount or temp dir is left behind.
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    assert!(host_mounts_mentioning(&env.dir).is_empty());
    assert_eq!(
        std::fs::read_dir(env.root().join("tmp")).unwrap().count(),
        0
    );
    // Intermediate images are hidden, and go with the image.
    assert_eq!(env.ok(&["images", "-q"]).lines().count(), 2);
    assert!(env.ok(&["images", "-aq"]).lines().count() > 2);
    env.ok(&["rmi", "me/app"]);
    assert_eq!(
        env.ok(&["images", "-aq"]).lines().count(),
        1,
        "intermediate images were deleted too"
    );
}

#[test]
fn the_cache_follows_the_classic_builder_s_rules() {
    let env = Env::with_busybox();
    let df = "FROM busybox\nRUN echo one > /one\nRUN echo two > /two\nCOPY file /file\nRUN echo three > /three\n";
    let dir = context(&env, "ctx", &[("Dockerfile", df), ("file", "v1\n")]);
    let first = build(&env, &dir, &["-t", "c:1"]);
    assert_eq!(steps_cached(&first), 0);
    // An unchanged rebuild uses the cache for every step after FROM.
    let again = build(&env, &dir, &["-t", "c:1"]);
    assert_eq!(steps_cached(&again), 4, "{again}");
    assert!(!again.contains("Running in"));
    assert_eq!(env.ok(&["images", "-q", "c:1"]).lines().count(), 1);
    // A change to COPY's content re-runs that step and the ones after it.
    std::fs::write(dir.join("file"), "v2\n").unwrap();
    let changed = build(&env, &dir, &["-t", "c:2"]);
    assert_eq!(steps_cached(&changed), 2, "{changed}");
    assert_eq!(env.ok(&["run", "--rm", "c:2", "cat", "/file"]), "v2\n");
    // A new step at the end reuses everything above it.
    std::fs::write(
        dir.join("Dockerfile"),
        format!("{df}RUN echo four > /four\n"),
    )
    .unwrap();
    let appended = build(&env, &dir, &["-t", "c:3"]);
    assert_eq!(steps_cached(&appended), 4, "{appended}");
    // One at the top reuses nothing.
    std::fs::write(
        dir.join("Dockerfile"),
        df.replacen("FROM busybox\n", "FROM busybox\nRUN echo zero > /zero\n", 1),
    )
    .unwrap();
    let prepended = build(&env, &dir, &["-t", "c:4"]);
    assert_eq!(steps_cached(&prepended), 0, "{prepended}");
    // --no-cache runs everything.
    let nocache = build(&env, &dir, &["--no-cache", "-t", "c:4"]);
    assert_eq!(steps_cached(&nocache), 0);
    // A build arg the step sees is part of its cache key.
    let argdf = "FROM busybox\nARG V=1\nRUN echo $V > /v\n";
    let adir = context(&env, "actx", &[("Dockerfile", argdf)]);
    build(&env, &adir, &["-t", "a:1"]);
    assert_eq!(steps_cached(&build(&env, &adir, &["-t", "a:1"])), 2);
    let other = build(&env, &adir, &["--build-arg", "V=2", "-t", "a:2"]);
    assert!(other.contains("Running in"), "{other}");
    assert_eq!(env.ok(&["run", "--rm", "a:2", "cat", "/v"]), "2\n");
    assert_eq!(env.ok(&["run", "--rm", "a:1", "cat", "/v"]), "1\n");
    // The cache survives rmi of a tag that still has other names.
    env.ok(&["tag", "c:1", "keep:1"]);
    env.ok(&["rmi", "c:1"]);
    std::fs::write(dir.join("Dockerfile"), df).unwrap();
    std::fs::write(dir.join("file"), "v1\n").unwrap();
    assert_eq!(steps_cached(&build(&env, &dir, &[])), 4);
}

#[test]
fn every_instruction_reaches_the_image() {
    let env = Env::with_busybox();
    let tar_dir = env.dir.join("tarsrc");
    std::fs::create_dir_all(tar_dir.join("inner")).unwrap();
    std::fs::write(tar_dir.join("inner/from-tar"), "x").unwrap();
    let df = r#"ARG BASE=busybox
FROM ${BASE}
MAINTAINER Someone <s@example.com>
ARG WHO=world
ENV GREETING="hello ${WHO}" PLAIN=1
LABEL org.example.version="1.0" other=yes
EXPOSE 8080 53/udp
VOLUME ["/data"]
WORKDIR /srv
WORKDIR app
COPY --chown=100:101 --chmod=640 files/a.txt ./
COPY files/*.md /docs/
COPY files/dir /opt/dir
ADD archive.tar.gz /unpacked/
RUN id -u > /whoami-root
USER redis
RUN id -u > /tmp/whoami && pwd > /tmp/pwd
USER root
SHELL ["/bin/sh", "-e", "-c"]
RUN echo "$GREETING" > /greeting
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=30s CMD true
ONBUILD RUN echo triggered > /onbuild
ENTRYPOINT ["/bin/echo"]
"#;
    let dir = context(
        &env,
        "ctx",
        &[
            ("Dockerfile", df),
            ("files/a.txt", "a\n"),
            ("files/one.md", "1"),
            ("files/two.md", "2"),
            ("files/skip.txt", "s"),
            ("files/dir/sub/deep", "deep\n"),
        ],
    );
    let st = std::process::Command::new("tar")
        .arg("-czf")
        .arg(dir.join("archive.tar.gz"))
        .arg("-C")
        .arg(&tar_dir)
        .arg(".")
        .status()
        .unwrap();
    assert!(st.success());
    build(&env, &dir, &["-t", "all:in"]);
    let get = |f: &str| env.ok(&["inspect", "-f", f, "all:in"]).trim().to_string();
    assert_eq!(get("{{.Author}}"), "Someone <s@example.com>");
    let envs = get("{{json .Config.Env}}");
    assert!(
        envs.contains("\"GREETING=hello world\"") && envs.contains("\"PLAIN=1\""),
        "{envs}"
    );
    assert!(!envs.contains("WHO="), "build args do not persist: {envs}");
    assert_eq!(
        get("{{index .Config.Labels \"org.example.version\"}}"),
        "1.0"
    );
    assert_eq!(
        get("{{json .Config.ExposedPorts}}"),
        r#"{"53/udp":{},"8080/tcp":{}}"#
    );
    assert_eq!(get("{{json .Config.Volumes}}"), r#"{"/data":{}}"#);
    assert_eq!(get("{{.Config.WorkingDir}}"), "/srv/app");
    assert_eq!(get("{{.Config.User}}"), "root");
    assert_eq!(get("{{json .Config.Shell}}"), r#"["/bin/sh","-e","-c"]"#);
    assert_eq!(get("{{.Config.StopSignal}}"), "SIGQUIT");
    assert_eq!(
        get("{{json .Config.Healthcheck.Test}}"),
        r#"["CMD-SHELL","true"]"#
    );
    assert_eq!(
        get("{{json .Config.OnBuild}}"),
        r#"["RUN echo triggered > /onbuild"]"#
    );
    assert_eq!(get("{{json .Config.Entrypoint}}"), r#"["/bin/echo"]"#);
    assert_eq!(
        get("{{json .Config.Cmd}}"),
        "null",
        "ENTRYPOINT reset the inherited CMD"
    );
    let check = "stat -c '%u:%g %a' /srv/app/a.txt; ls /docs; cat /opt/dir/sub/deep; cat /unpacked/inner/from-tar; echo; \
                 cat /whoami-root /tmp/whoami /tmp/pwd /greeting";
    let out = env.ok(&["run", "--rm", "--entrypoint", "sh", "all:in", "-c", check]);
    assert_eq!(
        out,
        "100:101 640\none.md\ntwo.md\ndeep\nx\n0\n100\n/srv/app\nhello world\n"
    );
    // ONBUILD fires in a child image, and is not inherited further.
    let child = context(&env, "child", &[("Dockerfile", "FROM all:in\nRUN true\n")]);
    let out = build(&env, &child, &["-t", "child"]);
    assert!(out.contains("# Executing 1 build trigger"), "{out}");
    assert_eq!(
        env.ok(&["run", "--rm", "--entrypoint", "cat", "child", "/onbuild"]),
        "triggered\n"
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{json .Config.OnBuild}}", "child"])
            .trim(),
        "null"
    );
}

#[test]
fn multi_stage_builds_only_what_the_target_needs() {
    let env = Env::with_busybox();
    let df = "FROM busybox AS build\nRUN echo compiled > /artifact\n\
              FROM busybox AS unused\nRUN echo SHOULD-NOT-RUN\n\
              FROM busybox\nCOPY --from=build /artifact /app/artifact\nCMD [\"cat\", \"/app/artifact\"]\n";
    let dir = context(&env, "ctx", &[("Dockerfile", df)]);
    let out = build(&env, &dir, &["-t", "ms"]);
    assert!(!out.contains("SHOULD-NOT-RUN"), "{out}");
    assert!(out.contains("Step 1/5 : FROM busybox AS build"), "{out}");
    assert_eq!(env.ok(&["run", "--rm", "ms"]), "compiled\n");
    let out = build(&env, &dir, &["--target", "unused", "-t", "ms:unused"]);
    assert!(
        out.contains("SHOULD-NOT-RUN") && !out.contains("compiled"),
        "{out}"
    );
    let (_, err) = env.code(1, &["build", "--target", "nosuch", dir.to_str().unwrap()]);
    assert!(
        err.contains("failed to reach build target nosuch in Dockerfile"),
        "{err}"
    );
}

#[test]
fn dockerignore_decides_what_copy_sees() {
    let env = Env::with_busybox();
    let dir = context(
        &env,
        "ctx",
        &[
            ("Dockerfile", "FROM busybox\nCOPY . /ctx/\n"),
            (".dockerignore", "*.secret\nlogs\n!logs/keep.log\n"),
            ("app.txt", "app"),
            ("key.secret", "no"),
            ("logs/a.log", "no"),
            ("logs/keep.log", "yes"),
        ],
    );
    build(&env, &dir, &["-t", "ign"]);
    let out = env.ok(&[
        "run",
        "--rm",
        "ign",
        "sh",
        "-c",
        "cd /ctx && find . -type f | sort",
    ]);
    assert_eq!(
        out,
        "./.dockerignore\n./Dockerfile\n./app.txt\n./logs/keep.log\n"
    );
    std::fs::write(dir.join("Dockerfile"), "FROM busybox\nCOPY key.secret /\n").unwrap();
    let (_, err) = env.code(1, &["build", dir.to_str().unwrap()]);
    assert!(
        err.contains("file not found in build context or excluded by .dockerignore"),
        "{err}"
    );
}

#[test]
fn whiteouts_across_steps_and_heredocs() {
    let env = Env::with_busybox();
    let df = "FROM busybox\nRUN mkdir -p /d/sub && echo x > /d/sub/f && echo y > /keep\nRUN rm -rf /d && rm /bin/vi\n\
              RUN <<EOF\necho from heredoc > /heredoc\necho second line >> /heredoc\nEOF\n\
              COPY <<CONF /etc/app.conf\nkey=value\nCONF\n";
    let dir = context(&env, "ctx", &[("Dockerfile", df)]);
    build(&env, &dir, &["-t", "wh"]);
    let out = env.ok(&["run", "--rm", "wh", "sh", "-c", "test -e /d || echo d-gone; test -e /bin/vi || echo vi-gone; cat /keep /heredoc /etc/app.conf"]);
    assert_eq!(
        out,
        "d-gone\nvi-gone\ny\nfrom heredoc\nsecond line\nkey=value\n"
    );
}

#[test]
fn a_failing_step_keeps_the_last_good_image_and_leaves_nothing_behind() {
    let env = Env::with_busybox();
    let dir = context(
        &env,
        "ctx",
        &[(
            "Dockerfile",
            "FROM busybox\nRUN echo good > /good\nRUN exit 3\nRUN echo never\n",
        )],
    );
    let out = env.run(&["build", "-t", "broken", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "The command '/bin/sh -c exit 3' returned a non-zero code: 3\n"
    );
    let text = stdout(&out);
    assert!(
        !text.contains("never") && !text.contains("Successfully"),
        "{text}"
    );
    assert!(!env.ok(&["images"]).contains("broken"));
    // As the classic builder: the failed step's container stays, exited
    // with the step's code, for a person to look inside or commit.
    let running_in = text
        .lines()
        .rfind(|l| l.starts_with(" ---> Running in "))
        .unwrap()
        .trim_start_matches(" ---> Running in ")
        .to_string();
    let ps = env.ok(&["ps", "-a", "--format", "{{.ID}} {{.Status}}"]);
    assert!(
        ps.starts_with(&running_in) && ps.contains("Exited (3)"),
        "{ps}"
    );
    // A later command's sweep leaves it be; commit makes an image of it.
    env.ok(&["images"]);
    env.ok(&["commit", &running_in, "debug:failed"]);
    assert_eq!(
        env.ok(&["run", "--rm", "debug:failed", "cat", "/good"]),
        "good\n"
    );
    env.ok(&["rm", &running_in]);
    // --force-rm: gone too.
    let out = env.run(&["build", "--force-rm", "-t", "broken", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.ok(&["ps", "-aq"]), "", "--force-rm left a container");
    // The last good step's image can be run to debug.
    let good = text
        .lines()
        .rfind(|l| l.starts_with(" ---> ") && l.len() == 18)
        .unwrap();
    assert_eq!(
        env.ok(&["run", "--rm", &good[6..], "cat", "/good"]),
        "good\n"
    );
}

#[test]
fn ctrl_c_during_a_run_step_stops_the_build_cleanly() {
    let env = Env::with_busybox();
    let dir = context(
        &env,
        "ctx",
        &[(
            "Dockerfile",
            "FROM busybox\nRUN echo ready-$((6*7)); sleep 60\n",
        )],
    );
    let mut child = Bg(env
        .cmd(&["build", dir.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap());
    let mut r = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    use std::io::BufRead;
    while r.read_line(&mut line).unwrap() > 0 && !line.contains("ready-42") {}
    let t = std::time::Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let st = child.wait().unwrap();
    assert!(
        t.elapsed().as_secs() < 10,
        "the step was stopped, not waited for"
    );
    assert_eq!(st.code(), Some(1));
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    assert!(host_mounts_mentioning(&env.dir).is_empty());
    // A build killed outright leaves a container the next command sweeps.
    let mut child = Bg(env
        .cmd(&["build", dir.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap());
    let mut r = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while r.read_line(&mut line).unwrap() > 0 && !line.contains("ready-42") {}
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM busybox\nRUN true\n").unwrap();
    build(&env, &dir, &[]);
    assert_eq!(
        env.ok(&["ps", "-aq"]),
        "",
        "the killed build's container was swept"
    );
}

#[test]
fn more_than_a_hundred_steps() {
    let env = Env::with_busybox();
    let mut df = String::from("FROM busybox\n");
    for i in 0..105 {
        df.push_str(&format!("RUN echo {i} > /s{i}\n"));
    }
    let dir = context(&env, "ctx", &[("Dockerfile", &df)]);
    build(&env, &dir, &["-q", "-t", "many"]);
    assert_eq!(
        env.ok(&["inspect", "-f", "{{len .RootFS.Layers}}", "many"])
            .trim(),
        "106"
    );
    assert_eq!(
        env.ok(&["run", "--rm", "many", "cat", "/s0", "/s104"]),
        "0\n104\n"
    );
}

#[test]
fn quiet_iidfile_file_flag_and_stdin() {
    let env = Env::with_busybox();
    let dir = context(
        &env,
        "ctx",
        &[(
            "other.Dockerfile",
            "FROM busybox\nRUN echo loud\nCMD [\"true\"]\n",
        )],
    );
    let iid = env.dir.join("iid");
    let out = env.ok(&[
        "build",
        "-q",
        "--iidfile",
        iid.to_str().unwrap(),
        "-f",
        dir.join("other.Dockerfile").to_str().unwrap(),
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.starts_with("sha256:") && out.lines().count() == 1,
        "{out:?}"
    );
    assert_eq!(std::fs::read_to_string(&iid).unwrap(), out.trim());
    let mut c = env.cmd(&["build", "-t", "from-stdin", "-"]);
    c.stdin(std::fs::File::open(dir.join("other.Dockerfile")).unwrap());
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Successfully tagged from-stdin:latest"));
}

#[test]
fn bad_dockerfiles_and_contexts_are_clear_errors() {
    let env = Env::with_busybox();
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (
            "unknown",
            &[("Dockerfile", "FROM busybox\nBOGUS x\n")],
            "Dockerfile parse error line 2: unknown instruction: BOGUS",
        ),
        (
            "flag",
            &[("Dockerfile", "FROM busybox\nCOPY --nope=1 a b\n")],
            "Unknown flag: nope",
        ),
        (
            "json",
            &[("Dockerfile", "FROM busybox\nSHELL sh\n")],
            "SHELL requires the arguments to be in JSON form",
        ),
        (
            "heredoc",
            &[("Dockerfile", "FROM busybox\nRUN <<EOF\necho\n")],
            "unterminated heredoc",
        ),
        (
            "empty",
            &[("Dockerfile", "\n# nothing\n")],
            "the Dockerfile cannot be empty",
        ),
        (
            "nofrom",
            &[("Dockerfile", "RUN true\n")],
            "no build stage in current context",
        ),
        (
            "missing",
            &[("Dockerfile", "FROM busybox\nCOPY nothere /x\n")],
            "COPY failed: file not found in build context",
        ),
        (
            "outside",
            &[("Dockerfile", "FROM busybox\nCOPY ../x /x\n")],
            "Forbidden path outside the build context: ../x",
        ),
        (
            "stage",
            &[("Dockerfile", "FROM busybox\nCOPY --from=nostage /x /x\n")],
            "Unable to find image 'nostage:latest' locally",
        ),
        (
            "image",
            &[("Dockerfile", "FROM nosuchimage\n")],
            "Unable to find image 'nosuchimage:latest' locally",
        ),
        (
            "multi",
            &[
                ("Dockerfile", "FROM busybox\nCOPY a b /dst\n"),
                ("a", ""),
                ("b", ""),
            ],
            "the destination must be a directory and end with a /",
        ),
    ];
    for (name, files, want) in cases {
        let dir = context(&env, name, files);
        let out = env.run(&["build", "-t", &format!("bad-{name}"), dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(want),
            "{name}: {:?} lacks {want:?}",
            stderr(&out)
        );
        assert!(
            !env.ok(&["images"]).contains("bad-"),
            "{name} tagged an image"
        );
    }
    // A symlink that leads out of the context is refused.
    let dir = context(
        &env,
        "link",
        &[("Dockerfile", "FROM busybox\nCOPY escape/passwd /x\n")],
    );
    std::os::unix::fs::symlink("/etc", dir.join("escape")).unwrap();
    let (_, err) = env.code(1, &["build", dir.to_str().unwrap()]);
    assert!(
        err.contains("Forbidden path outside the build context"),
        "{err}"
    );
    // Not UTF-8, no Dockerfile at all, no context.
    let dir = env.dir.join("binary");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Dockerfile"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let (_, err) = env.code(1, &["build", dir.to_str().unwrap()]);
    assert!(err.contains("not valid UTF-8"), "{err}");
    let (_, err) = env.code(1, &["build", env.dir.join("no-such-dir").to_str().unwrap()]);
    assert!(err.contains("unable to prepare context"), "{err}");
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    assert!(host_mounts_mentioning(&env.dir).is_empty());
}

#[test]
fn history_and_step_lines_are_docker_s_word_for_word() {
    // The expected text is what docker 20.10's classic builder wrote for
    // the same Dockerfile (see tests/it/docker_oracle.rs for the live check).
    let env = Env::with_busybox();
    let df = "FROM busybox\nWORKDIR /tmp\nWORKDIR a/b\nHEALTHCHECK NONE\n\
              HEALTHCHECK --retries=65 --timeout=3s CMD [\"x\",\"y\"]\nARG Q R=2\n\
              MAINTAINER me <m@x>\nLABEL \"k w\"=\"v 1\" z=$R\nEXPOSE 8080/udp 53\n\
              SHELL [\"/bin/sh\",\"-xc\"]\nCMD hello $R\n";
    let dir = context(&env, "ctx", &[("Dockerfile", df)]);
    let out = build(&env, &dir, &["-t", "hist"]);
    // Every step that runs no command still shows docker's two lines.
    assert_eq!(out.matches(" ---> Running in ").count(), 10, "{out}");
    assert_eq!(out.matches("Removing intermediate container ").count(), 10);
    let history = env.ok(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}",
        "hist",
    ]);
    let want = [
        r#"/bin/sh -xc #(nop)  CMD ["/bin/sh" "-xc" "hello $R"]"#,
        "/bin/sh -xc #(nop)  SHELL [/bin/sh -xc]",
        "/bin/sh -c #(nop)  EXPOSE 53 8080/udp",
        "/bin/sh -c #(nop)  LABEL k w=v 1 z=2",
        "/bin/sh -c #(nop)  MAINTAINER me <m@x>",
        "/bin/sh -c #(nop)  ARG Q R=2",
        r#"/bin/sh -c #(nop)  HEALTHCHECK &{["CMD" "x" "y"] "0s" "3s" "0s" 'A'}"#,
        r#"/bin/sh -c #(nop)  HEALTHCHECK &{["NONE"] "0s" "0s" "0s" '\x00'}"#,
        "/bin/sh -c #(nop) WORKDIR /tmp/a/b",
        "/bin/sh -c #(nop) WORKDIR /tmp",
    ];
    assert_eq!(history.lines().take(want.len()).collect::<Vec<_>>(), want);
    // WORKDIR makes a layer only when it creates the directory.
    assert_eq!(
        env.ok(&["inspect", "-f", "{{len .RootFS.Layers}}", "hist"]),
        "2\n"
    );
    assert_eq!(
        env.ok(&[
            "run",
            "--rm",
            "--entrypoint",
            "stat",
            "hist",
            "-c",
            "%a %u",
            "/tmp/a"
        ]),
        "755 0\n"
    );
    // A stage's env always holds a PATH; HEALTHCHECK keeps the options
    // the previous one set, and says it overrides it.
    assert_eq!(
        env.ok(&["inspect", "-f", "{{json .Config.Env}}", "hist"]),
        "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"]\n"
    );
    let dir = context(
        &env,
        "hc",
        &[(
            "Dockerfile",
            "FROM busybox\nHEALTHCHECK --interval=30s CMD true\nHEALTHCHECK CMD false\n",
        )],
    );
    let out = build(&env, &dir, &["-t", "hc"]);
    assert!(
        out.contains("\nNote: overriding previous HEALTHCHECK: [CMD-SHELL true]\n"),
        "{out}"
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{json .Config.Healthcheck}}", "hc"]),
        "{\"Interval\":30000000000,\"Test\":[\"CMD-SHELL\",\"false\"]}\n"
    );
}

#[test]
fn add_downloads_a_url_as_docker_does() {
    let env = Env::with_busybox();
    // A gzip tar: ADD of a URL never extracts it.
    let tgz: &[u8] = &[
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    let http = Http::start(&[("/files/hello.txt", b"hello\n"), ("/a.tar.gz", tgz)]);
    let df = format!(
        "FROM busybox\nADD {} /dl/\nADD {} /named\nADD {}?v=1 /x/\n",
        http.url("/files/hello.txt"),
        http.url("/files/hello.txt"),
        http.url("/a.tar.gz")
    );
    let dir = context(&env, "ctx", &[("Dockerfile", &df)]);
    build(&env, &dir, &["-t", "dl"]);
    let out = env.ok(&[
        "run",
        "--rm",
        "dl",
        "sh",
        "-c",
        "stat -c '%a %u %Y' /dl/hello.txt; cat /dl/hello.txt /named; ls /x",
    ]);
    assert_eq!(out, "600 0 784111777\nhello\nhello\na.tar.gz\n");
    // The same bytes again: cached. Other bytes: that step and the next rerun.
    let again = build(&env, &dir, &["-t", "dl"]);
    assert_eq!(steps_cached(&again), 3, "{again}");
    http.set("/files/hello.txt", b"changed\n");
    let changed = build(&env, &dir, &["-t", "dl"]);
    assert_eq!(steps_cached(&changed), 0, "{changed}");
    assert_eq!(env.ok(&["run", "--rm", "dl", "cat", "/named"]), "changed\n");
    // A missing file is a clear error; COPY takes no URL; nothing is left.
    let missing = context(
        &env,
        "missing",
        &[(
            "Dockerfile",
            &format!("FROM busybox\nADD {} /\n", http.url("/nope")),
        )],
    );
    let out = env.run(&["build", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("failed to GET") && stderr(&out).contains("404 Not Found"),
        "{}",
        stderr(&out)
    );
    let copy = context(
        &env,
        "copy",
        &[(
            "Dockerfile",
            &format!("FROM busybox\nCOPY {} /\n", http.url("/a.tar.gz")),
        )],
    );
    let out = env.run(&["build", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("source can't be a URL for COPY"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_dir(env.root().join("tmp")).unwrap().count(),
        0,
        "no download left behind"
    );
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}
