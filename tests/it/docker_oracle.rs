//! docker as the oracle: the same Dockerfile built by docker's classic
//! builder (DOCKER_BUILDKIT=0) and by strata gives the same config, the
//! same history and the same files. A docker daemon must answer
//! (scripts/test.sh starts one of its own); a missing one fails the test,
//! unless `STRATA_DOCKER_ORACLE=skip` says to skip.

use crate::util::*;
use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Stdio};

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker")
        .args(args)
        .env("DOCKER_BUILDKIT", "0")
        .stdin(Stdio::null())
        .output()
        .expect("docker runs")
}

fn docker_ok(args: &[&str]) -> String {
    let o = docker(args);
    assert!(
        o.status.success(),
        "docker {args:?}: {}{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

fn docker_present() -> bool {
    let up = Command::new("docker")
        .arg("info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !up {
        // An oracle that is missing is a failure: scripts/test.sh starts
        // one. Only an explicit STRATA_DOCKER_ORACLE=skip skips.
        assert!(
            std::env::var("STRATA_DOCKER_ORACLE").as_deref() == Ok("skip"),
            "no docker daemon answers (DOCKER_HOST={:?}): scripts/test.sh starts one; \
             STRATA_DOCKER_ORACLE=skip skips the comparison",
            std::env::var("DOCKER_HOST").unwrap_or_default()
        );
        eprintln!("docker oracle: STRATA_DOCKER_ORACLE=skip, comparison skipped");
    }
    up
}

/// Removes what the test made in docker, whatever happens.
struct DockerCleanup(Vec<String>);

impl Drop for DockerCleanup {
    fn drop(&mut self) {
        for what in self.0.iter().rev() {
            let (kind, name) = what.split_once(':').unwrap();
            let _ = docker(&[kind, "-f", name]);
        }
    }
}

/// A file tree from an export tar: path -> (type, mode, uid:gid, size,
/// link target, content digest), minus what a runtime adds.
fn listing(tar: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut ar = tar::Archive::new(tar);
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches('/')
            .to_string();
        let runtime = path == ".dockerenv"
            || path.starts_with("dev/")
            || path.starts_with("proc/")
            || path.starts_with("sys/")
            || ["etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab"]
                .contains(&path.as_str())
            // docker's anonymous volumes for the image's VOLUMEs (strata
            // does not make them yet): their mount points.
            || ["cache", "data", "logs"].contains(&path.as_str());
        if runtime || path.is_empty() || path == "." {
            continue;
        }
        let h = e.header().clone();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        let link = e
            .link_name()
            .unwrap()
            .map(|l| l.to_string_lossy().to_string())
            .unwrap_or_default();
        out.insert(
            path,
            format!(
                "{:?} {:o} {}:{} {} {link} {:x}",
                h.entry_type(),
                h.mode().unwrap() & 0o7777,
                h.uid().unwrap(),
                h.gid().unwrap(),
                data.len(),
                data.iter()
                    .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(*b as u64)),
            ),
        );
    }
    out
}

/// The history's `created_by`, with COPY/ADD content digests set aside:
/// docker hashes the context tar its CLI sent, strata the files.
fn created_by(lines: &str) -> Vec<String> {
    lines
        .lines()
        .map(|l| {
            let mut s = l.to_string();
            for kind in ["file:", "dir:", "multi:"] {
                if let Some(i) = s.find(kind).filter(|_| s.contains("#(nop) ")) {
                    let start = i + kind.len();
                    s.replace_range(start..(start + 64).min(s.len()), "<digest>");
                }
            }
            s
        })
        .collect()
}

#[test]
fn docker_s_classic_builder_and_strata_make_the_same_image() {
    if !docker_present() {
        return;
    }
    let env = Env::with_busybox();
    let sfx = random_suffix();
    let base = format!("strata-oracle-base-{sfx}");
    let tag = format!("strata-oracle-{sfx}");
    let mut cleanup = DockerCleanup(vec![]);
    docker_ok(&["import", busybox_tar().to_str().unwrap(), &base]);
    cleanup.0.push(format!("rmi:{base}"));

    let dir = env.dir.join("ctx");
    std::fs::create_dir_all(dir.join("files/dir/sub")).unwrap();
    std::fs::write(dir.join("files/a.txt"), "a\n").unwrap();
    std::fs::write(dir.join("files/one.md"), "1").unwrap();
    std::fs::write(dir.join("files/dir/sub/deep"), "deep\n").unwrap();
    std::fs::write(dir.join("files/skip.log"), "no").unwrap();
    std::fs::write(dir.join(".dockerignore"), "**/*.log\n").unwrap();
    // Hard links and a symlink source, as docker's copy treats them.
    std::fs::create_dir_all(dir.join("linked")).unwrap();
    std::fs::write(dir.join("linked/a"), "linked\n").unwrap();
    std::fs::hard_link(dir.join("linked/a"), dir.join("linked/hard")).unwrap();
    std::os::unix::fs::symlink("a", dir.join("linked/sym")).unwrap();
    let df = r#"ARG BASE
FROM $BASE
MAINTAINER Someone <s@example.com>
ARG WHO=world N
ENV GREETING="hello ${WHO}" PLAIN=1
ENV LEGACY some words
ENV SPACED value with  several   spaces
LABEL org.example.version="1.0" "with space"=yes
EXPOSE 8080 53/udp 7000-7001
VOLUME ["/data"]
VOLUME /logs /cache
WORKDIR /tmp
WORKDIR /srv
WORKDIR app/../www
COPY --chown=100:101 files/a.txt ./
COPY files/*.md /docs/
COPY files /opt/files
COPY files/dir/ /opt/dir/
COPY --chown=7:8 linked /deep/new/linked
COPY linked/sym /sym-source
COPY linked/a linked/hard /separate/
RUN rm /bin/vi && mkdir -p /var/lib/x && echo "$GREETING $WHO" > /greeting
USER redis
RUN id > /tmp/id && pwd > /tmp/pwd
USER 0:0
SHELL ["/bin/sh", "-e", "-c"]
RUN echo shell > /shell
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD true
HEALTHCHECK NONE
HEALTHCHECK --start-period=1m30s CMD ["/bin/true"]
ONBUILD RUN echo triggered > /onbuild
ENTRYPOINT ["/bin/echo"]
CMD hello $PLAIN
"#;
    std::fs::write(dir.join("Dockerfile"), df).unwrap();
    let ctx = dir.to_str().unwrap();
    let arg = format!("BASE={base}");
    docker_ok(&["build", "--build-arg", &arg, "-t", &tag, ctx]);
    cleanup.0.push(format!("rmi:{tag}"));
    env.ok(&["build", "--build-arg", "BASE=busybox", "-t", &tag, ctx]);

    let config = |json: String| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
        // What the builder does not set: docker's daemon fills these in.
        for k in [
            "Hostname",
            "Domainname",
            "AttachStdin",
            "AttachStdout",
            "AttachStderr",
            "Tty",
            "OpenStdin",
            "StdinOnce",
            "Image",
        ] {
            v.as_object_mut().unwrap().remove(k);
        }
        v.as_object_mut()
            .unwrap()
            .retain(|_, x| !x.is_null() && x != "" && x != &serde_json::json!({}));
        v
    };
    let want = config(docker_ok(&["inspect", "-f", "{{json .Config}}", &tag]));
    let got = config(env.ok(&["inspect", "-f", "{{json .Config}}", &tag]));
    assert_eq!(got, want, "the image config");
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.Author}}", &tag]),
        docker_ok(&["inspect", "-f", "{{.Author}}", &tag])
    );

    let fmt = [
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}",
        tag.as_str(),
    ];
    let want_history = created_by(&docker_ok(&fmt));
    let got_history = created_by(&env.ok(&fmt));
    // docker's base came from a different `import`: compare the builds.
    let n = want_history.len() - 1;
    assert_eq!(got_history[..n], want_history[..n], "history");
    assert_eq!(
        env.ok(&["inspect", "-f", "{{len .RootFS.Layers}}", &tag]),
        docker_ok(&["inspect", "-f", "{{len .RootFS.Layers}}", &tag]),
        "one layer per file-changing step, as docker"
    );

    let cid = docker_ok(&["create", &tag]).trim().to_string();
    cleanup.0.push(format!("rm:{cid}"));
    let want_fs = listing(&docker(&["export", &cid]).stdout);
    env.ok(&["run", "--name", "oracle", &tag]);
    let exported = env.run(&["export", "oracle"]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let got_fs = listing(&exported.stdout);
    assert!(got_fs.len() > 250, "{} entries", got_fs.len());
    env.ok(&["rm", "oracle"]);
    let only = |a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| -> Vec<String> {
        a.iter()
            .filter(|(k, v)| b.get(*k) != Some(v))
            .map(|(k, v)| format!("{k} {v}"))
            .take(20)
            .collect()
    };
    assert_eq!(
        only(&want_fs, &got_fs),
        Vec::<String>::new(),
        "docker has, strata differs"
    );
    assert_eq!(
        only(&got_fs, &want_fs),
        Vec::<String>::new(),
        "strata has, docker differs"
    );
}

/// docker loads what strata saved and runs it; strata loads what docker
/// saved (docker 20.10's archive) and runs it; the image ids survive both.
#[test]
fn docker_and_strata_load_each_other_s_archives() {
    if !docker_present() {
        return;
    }
    let env = Env::with_busybox();
    let tag = format!("strata-oracle-save-{}", &random_suffix()[..8]);
    env.build_image(
        &tag,
        "FROM busybox\nRUN echo from-strata > /hello && rm /bin/ls\nCMD [\"cat\", \"/hello\"]\n",
    );
    let _cleanup = DockerCleanup(vec![format!("rmi:{tag}"), format!("rmi:{tag}-back")]);
    let archive = env.dir.join("out.tar");
    env.ok(&["save", "-o", archive.to_str().unwrap(), &tag]);
    let out = docker_ok(&["load", "-i", archive.to_str().unwrap()]);
    assert!(
        out.contains(&format!("Loaded image: {tag}:latest")),
        "{out}"
    );
    let id = env.ok(&["inspect", "-f", "{{.Id}}", &tag]);
    assert_eq!(docker_ok(&["inspect", "-f", "{{.Id}}", &tag]), id);
    assert_eq!(
        docker_ok(&["run", "--rm", "--network", "none", &tag]),
        "from-strata\n"
    );
    let ls = docker(&["run", "--rm", "--network", "none", &tag, "ls", "/"]);
    assert!(
        !ls.status.success(),
        "the whiteout of /bin/ls reached docker"
    );

    // And back: docker's own archive of it.
    docker_ok(&["tag", &tag, &format!("{tag}-back")]);
    let back = env.dir.join("back.tar");
    docker_ok(&["save", "-o", back.to_str().unwrap(), &format!("{tag}-back")]);
    let dst = Env::new();
    let out = dst.ok(&["load", "-i", back.to_str().unwrap()]);
    assert_eq!(out, format!("Loaded image: {tag}-back:latest\n"));
    assert_eq!(
        dst.ok(&["inspect", "-f", "{{.Id}}", &format!("{tag}-back")]),
        id
    );
    assert_eq!(
        dst.ok(&["run", "--rm", "--network", "none", &format!("{tag}-back")]),
        "from-strata\n"
    );
}

/// The same flags in docker and strata give the same capability sets,
/// seccomp mode and no_new_privs, and the same options on the kernel
/// mounts (/proc, /sys, /dev and its friends).
#[test]
fn docker_and_strata_isolate_alike() {
    if !docker_present() {
        return;
    }
    let env = Env::with_busybox();
    let base = format!("strata-oracle-iso-{}", &random_suffix()[..8]);
    let _cleanup = DockerCleanup(vec![format!("rmi:{base}")]);
    docker_ok(&["import", busybox_tar().to_str().unwrap(), &base]);
    let status = "grep -E '^(Cap|Seccomp:|NoNewPrivs)' /proc/self/status";
    // mount point, options and super options of the kernel mounts
    let mounts = "awk '$5 ~ /^\\/(proc|sys|dev|dev\\/pts|dev\\/shm|dev\\/mqueue)$/ {print $5, $6, $(NF)}' /proc/self/mountinfo | sort";
    for flags in [
        &[][..],
        &["--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE"][..],
        &["--cap-add", "SYS_ADMIN"][..],
        &["--security-opt", "no-new-privileges"][..],
        &["--security-opt", "seccomp=unconfined"][..],
        &["-u", "1000"][..],
    ] {
        for (what, script) in [("status", status), ("mounts", mounts)] {
            let mut d = vec!["run", "--rm", "--network", "none"];
            d.extend_from_slice(flags);
            let mut s = d.clone();
            d.extend_from_slice(&[base.as_str(), "sh", "-c", script]);
            s.extend_from_slice(&["busybox", "sh", "-c", script]);
            assert_eq!(env.ok(&s), docker_ok(&d), "{what} with {flags:?}");
        }
    }
}

/// `info` and `version` in docker's layout: every label strata prints is
/// one docker prints, in the same section.
#[test]
fn info_and_version_are_laid_out_as_docker_s() {
    if !docker_present() {
        return;
    }
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "one",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    let labels = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string()))
            .filter(|k| !k.trim().is_empty() && !k.contains('/'))
            .collect()
    };
    for verb in ["info", "version"] {
        let ours = env.ok(&[verb]);
        let theirs = docker_ok(&[verb]);
        let docker_labels = labels(&theirs);
        for l in labels(&ours) {
            assert!(
                docker_labels.contains(&l),
                "{verb}: docker has no {l:?}:\n{theirs}"
            );
        }
    }
    let info = env.ok(&[
        "info",
        "--format",
        "{{.Containers}} {{.ContainersStopped}} {{.Images}} {{.Driver}}",
    ]);
    assert_eq!(info, "1 1 1 overlay2\n");
    let d = docker_ok(&["info", "--format", "{{.Driver}}"]);
    assert_eq!(d, "overlay2\n");
}

/// Builds `df` (with `FROM BASE`) in docker's classic builder and in
/// strata from the context `ctx`, and returns both file trees.
/// What one Dockerfile gives in both: file trees, and `inspect -f fmt`.
struct Both {
    ours: BTreeMap<String, String>,
    theirs: BTreeMap<String, String>,
    ours_inspect: String,
    theirs_inspect: String,
}

fn both_trees(
    env: &Env,
    ctx: &std::path::Path,
    df: &str,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let b = both(env, ctx, df, "{{.Id}}");
    (b.ours, b.theirs)
}

fn both(env: &Env, ctx: &std::path::Path, df: &str, fmt: &str) -> Both {
    both_on(env, ctx, df, fmt, busybox_tar(), "busybox")
}

/// `both` on a base of docker's imported from `base_tar`, and strata's
/// image `ours` (the same rootfs).
fn both_on(
    env: &Env,
    ctx: &std::path::Path,
    df: &str,
    fmt: &str,
    base_tar: &std::path::Path,
    ours_base: &str,
) -> Both {
    let sfx = random_suffix();
    let base = format!("strata-oracle-b-{sfx}");
    let tag = format!("strata-oracle-t-{sfx}");
    let mut cleanup = DockerCleanup(vec![format!("rmi:{base}")]);
    docker_ok(&["import", base_tar.to_str().unwrap(), &base]);
    std::fs::write(ctx.join("Dockerfile"), df).unwrap();
    let c = ctx.to_str().unwrap();
    docker_ok(&[
        "build",
        "--build-arg",
        &format!("BASE={base}"),
        "-t",
        &tag,
        c,
    ]);
    cleanup.0.push(format!("rmi:{tag}"));
    env.ok(&[
        "build",
        "--network",
        "none",
        "--build-arg",
        &format!("BASE={ours_base}"),
        "-t",
        &tag,
        c,
    ]);
    let cid = docker_ok(&["create", &tag, "true"]).trim().to_string();
    cleanup.0.push(format!("rm:{cid}"));
    let theirs = listing(&docker(&["export", &cid]).stdout);
    let sid = env
        .ok(&["create", "--network", "none", &tag, "true"])
        .trim()
        .to_string();
    let ours = listing(&env.run(&["export", &sid]).stdout);
    env.ok(&["rm", &sid]);
    Both {
        ours,
        theirs,
        ours_inspect: env.ok(&["inspect", "-f", fmt, &tag]),
        theirs_inspect: docker_ok(&["inspect", "-f", fmt, &tag]),
    }
}

/// ADD of a local tar (its owners, into / and into a directory) and
/// `COPY --from` (the files keep their owners, the new directory is
/// root's) give docker's trees.
#[test]
fn add_of_a_tar_and_copy_from_keep_docker_s_owners() {
    if !docker_present() {
        return;
    }
    let env = Env::with_busybox();
    let ctx = env.dir.join("ctx2");
    std::fs::create_dir_all(ctx.join("src/x/y")).unwrap();
    std::fs::write(ctx.join("src/x/y/f"), "f\n").unwrap();
    let st = Command::new("tar")
        .args(["--owner=1234", "--group=99", "-C"])
        .arg(ctx.join("src"))
        .arg("-cf")
        .arg(ctx.join("arch.tar"))
        .arg("x")
        .status()
        .unwrap();
    assert!(st.success());
    let df = "ARG BASE\nFROM $BASE AS a\nRUN mkdir -p /o/p && echo 1 > /o/p/f && chown -R 5:6 /o && chmod 700 /o/p\nFROM $BASE\nADD arch.tar /unpacked/\nADD arch.tar /\nCOPY --from=a /o /copied\nCOPY --from=0 /o/p/f /single\n";
    let (ours, theirs) = both_trees(&env, &ctx, df);
    let pick = |m: &BTreeMap<String, String>| -> Vec<String> {
        m.iter()
            .filter(|(k, _)| {
                ["x", "unpacked", "copied", "single"]
                    .iter()
                    .any(|p| k.starts_with(p))
            })
            .map(|(k, v)| format!("{k} {v}"))
            .collect()
    };
    assert!(!pick(&theirs).is_empty());
    assert_eq!(pick(&ours), pick(&theirs));
}

/// `# escape=\``: backslashes are plain characters, a backtick escapes,
/// in ENV and LABEL values as in docker.
#[test]
fn the_backtick_escape_directive_reads_as_docker_s() {
    if !docker_present() {
        return;
    }
    let env = Env::with_busybox();
    let ctx = env.dir.join("ctx3");
    std::fs::create_dir_all(&ctx).unwrap();
    let df = "# escape=`\nARG BASE\nFROM $BASE\nENV P=C:\\\\path\\\\to X=\"a`\"b\" `\n    Y=c\nENV LEG a\\b  c\nLABEL l=\"C:\\\\x\" m=`$HOME\nRUN true\n";
    let b = both(
        &env,
        &ctx,
        df,
        "{{json .Config.Env}} {{json .Config.Labels}}",
    );
    assert!(b.theirs_inspect.contains("path"), "{}", b.theirs_inspect);
    assert_eq!(b.ours_inspect, b.theirs_inspect);
}

/// A RUN under a VOLUME sees the image's files there, and what it writes
/// or deletes there is not in the image (it went to a volume in docker).
#[test]
fn writes_under_a_volume_stay_out_of_the_image_as_docker_s() {
    if !docker_present() {
        return;
    }
    let env = Env::with_busybox();
    let ctx = env.dir.join("ctx4");
    std::fs::create_dir_all(&ctx).unwrap();
    let df = "ARG BASE\nFROM $BASE\nRUN mkdir -p /data && echo x > /data/f\nVOLUME /data\nRUN cat /data/f > /seen && echo y > /data/g && rm /data/f && mkdir /data/sub\n";
    let (ours, theirs) = both_trees(&env, &ctx, df);
    let pick = |m: &BTreeMap<String, String>| -> Vec<String> {
        m.iter()
            .filter(|(k, _)| k.starts_with("data") || k.starts_with("seen"))
            .map(|(k, v)| format!("{k} {v}"))
            .collect()
    };
    assert!(
        pick(&theirs).iter().any(|l| l.starts_with("data/f ")),
        "{:?}",
        pick(&theirs)
    );
    assert_eq!(pick(&ours), pick(&theirs));
}

/// WORKDIR after USER on a Debian base with useradd: the directories'
/// owners and modes are docker's.
#[test]
fn workdir_after_user_on_debian_is_docker_s() {
    if !docker_present() {
        return;
    }
    let env = Env::new();
    env.ok(&["import", debian_tar().to_str().unwrap(), "debian:bookworm"]);
    let ctx = env.dir.join("ctx5");
    std::fs::create_dir_all(&ctx).unwrap();
    let df = "ARG BASE\nFROM $BASE\nRUN useradd -m -u 1500 app\nUSER app\nWORKDIR /home/app/work/deep\nWORKDIR /opt/made\nUSER root\nWORKDIR /srv\n";
    let b = both_on(
        &env,
        &ctx,
        df,
        "{{.Config.User}} {{.Config.WorkingDir}}",
        debian_tar(),
        "debian:bookworm",
    );
    let pick = |m: &BTreeMap<String, String>| -> Vec<String> {
        m.iter()
            .filter(|(k, _)| {
                k.starts_with("home/app") || k.starts_with("opt/made") || k.as_str() == "srv"
            })
            .map(|(k, v)| format!("{k} {v}"))
            .collect()
    };
    assert!(
        pick(&b.theirs)
            .iter()
            .any(|l| l.starts_with("home/app/work/deep ")),
        "{:?}",
        pick(&b.theirs)
    );
    assert_eq!(pick(&b.ours), pick(&b.theirs));
    assert_eq!(b.ours_inspect, b.theirs_inspect);
}
