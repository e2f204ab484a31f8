//! `import`, `images`, `tag`, `rmi`, `inspect`.

use crate::util::*;

#[test]
fn import_prints_the_id_and_images_lists_it() {
    let env = Env::new();
    let id = env
        .ok(&["import", busybox_tar().to_str().unwrap(), "busybox"])
        .trim()
        .to_string();
    assert!(id.starts_with("sha256:") && id.len() == 71, "{id}");
    let table = env.ok(&["images"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "REPOSITORY   TAG       IMAGE ID       CREATED                  SIZE"
    );
    assert!(
        lines[1].starts_with(&format!("busybox      latest    {}   ", &id[7..19])),
        "{table}"
    );
    assert!(lines[1].contains("MB"), "{table}");
    assert_eq!(env.ok(&["images", "-q"]), format!("{}\n", &id[7..19]));
    assert_eq!(env.ok(&["images", "-q", "--no-trunc"]), format!("{id}\n"));
    // The same content imported again is the same layer, stored once.
    env.ok(&["import", busybox_tar().to_str().unwrap(), "busybox:copy"]);
    assert_eq!(
        std::fs::read_dir(env.root().join("layers"))
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn import_reads_gzip_zstd_and_stdin() {
    let env = Env::new();
    let tar = busybox_tar();
    let gz = env.dir.join("bb.tar.gz");
    let st = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("gzip -c {} > {}", tar.display(), gz.display()))
        .status()
        .unwrap();
    assert!(st.success());
    let a = env.ok(&["import", gz.to_str().unwrap(), "gz"]);
    let zst = env.dir.join("bb.tar.zst");
    let st = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("zstd -q -c {} > {}", tar.display(), zst.display()))
        .status()
        .unwrap();
    assert!(st.success(), "zstd is needed (apt-get install zstd)");
    let b = env.ok(&["import", zst.to_str().unwrap(), "zst"]);
    let mut c = env.cmd(&["import", "-", "stdin:1"]);
    c.stdin(std::fs::File::open(tar).unwrap());
    let out = c.output().unwrap();
    assert!(out.status.success());
    // One layer whatever the compression: the diff id is the plain tar's digest.
    let diff = |name: &str| env.ok(&["inspect", "-f", "{{json .RootFS.Layers}}", name]);
    assert_eq!(diff("gz"), diff("zst"));
    assert_eq!(diff("gz"), diff("stdin:1"));
    assert!(a.starts_with("sha256:") && b.starts_with("sha256:"));
    env.ok(&["run", "--rm", "zst", "true"]);
}

#[test]
fn inspect_formats_images_and_containers() {
    let env = Env::with_busybox();
    let id = env.ok(&["images", "-q", "--no-trunc"]).trim().to_string();
    assert_eq!(env.ok(&["inspect", "-f", "{{.Id}}", "busybox"]).trim(), id);
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.Os}}/{{.Architecture}}", "busybox"])
            .trim(),
        "linux/amd64"
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{json .Config}}", "busybox"])
            .trim(),
        "{}"
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{json .RepoTags}}", "busybox"])
            .trim(),
        "[\"busybox:latest\"]"
    );
    let doc: serde_json::Value = serde_json::from_str(&env.ok(&["inspect", "busybox"])).unwrap();
    assert_eq!(doc[0]["Id"], id.as_str());
    assert_eq!(doc[0]["RootFS"]["Type"], "layers");

    env.code(
        2,
        &[
            "run", "--name", "c1", "-e", "K=V", "busybox", "sh", "-c", "exit 2",
        ],
    );
    assert_eq!(
        env.ok(&[
            "inspect",
            "-f",
            "{{.State.Status}} {{.State.ExitCode}} {{.Name}}",
            "c1"
        ])
        .trim(),
        "exited 2 /c1"
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.Path}} {{json .Args}}", "c1"])
            .trim(),
        "sh [\"-c\",\"exit 2\"]"
    );
    assert_eq!(env.ok(&["inspect", "-f", "{{.Image}}", "c1"]).trim(), id);
    assert!(env
        .ok(&["inspect", "-f", "{{json .Config.Env}}", "c1"])
        .contains("\"K=V\""));
    // The overlay's directories as the host sees them: lower layers that
    // exist, top first; the merged root only while the container runs,
    // where the host reaches it.
    let data = |c: &str| -> serde_json::Value {
        serde_json::from_str(&env.ok(&["inspect", "-f", "{{json .GraphDriver.Data}}", c])).unwrap()
    };
    let stopped = data("c1");
    assert!(stopped.get("MergedDir").is_none(), "{stopped}");
    for d in stopped["LowerDir"].as_str().unwrap().split(':') {
        assert!(std::path::Path::new(d).is_dir(), "{d}");
    }
    assert!(std::path::Path::new(stopped["UpperDir"].as_str().unwrap()).is_dir());
    let cid = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        "echo seen >/mark; sleep 30",
    ]);
    let cid = cid.trim();
    let pid = env
        .ok(&["inspect", "-f", "{{.State.Pid}}", cid])
        .trim()
        .to_string();
    let merged = data(cid)["MergedDir"].as_str().unwrap().to_string();
    assert_eq!(merged, format!("/proc/{pid}/root"));
    let mark = std::path::Path::new(&merged).join("mark");
    for _ in 0..100 {
        if mark.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&mark).unwrap(), "seen\n");
    env.ok(&["rm", "-f", cid]);
    let (out, err) = env.code(1, &["inspect", "c1", "nothing-here"]);
    assert!(
        out.contains("\"Name\": \"/c1\""),
        "found objects still print: {out}"
    );
    assert_eq!(err, "Error: No such object: nothing-here\n");
}

#[test]
fn tag_and_rmi_untag_before_they_delete() {
    let env = Env::with_busybox();
    let id = env.ok(&["images", "-q", "--no-trunc"]).trim().to_string();
    env.ok(&["tag", "busybox", "me/box:1.0"]);
    env.ok(&["tag", &id[7..14], "localhost:5000/box"]);
    let repos = env.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    let mut repos: Vec<&str> = repos.lines().collect();
    repos.sort();
    assert_eq!(
        repos,
        ["busybox:latest", "localhost:5000/box:latest", "me/box:1.0"]
    );
    assert_eq!(
        env.ok(&["images", "me/box", "--format", "{{.Tag}}"]),
        "1.0\n"
    );
    // By name with other tags left: untag only.
    assert_eq!(env.ok(&["rmi", "me/box:1.0"]), "Untagged: me/box:1.0\n");
    // By id with several tags: docker refuses unless forced.
    let (_, err) = env.code(1, &["rmi", &id[7..19]]);
    assert!(
        err.contains("image is referenced in multiple repositories"),
        "{err}"
    );
    // A container that uses the image blocks deletion.
    env.ok(&["run", "--name", "user", "busybox", "true"]);
    env.ok(&["rmi", "localhost:5000/box"]);
    let (_, err) = env.code(1, &["rmi", "busybox"]);
    assert!(
        err.contains("container") && err.contains("is using its referenced image"),
        "{err}"
    );
    let out = env.ok(&["rmi", "-f", "busybox"]);
    assert!(
        out.starts_with("Untagged: busybox:latest\nDeleted: sha256:"),
        "{out}"
    );
    assert_eq!(env.ok(&["images", "-q"]), "");
    // The stopped container keeps its layers: it is still listed and removable.
    assert!(
        env.ok(&["ps", "-a"]).contains(&id[7..19]),
        "ps shows the image id once the tag is gone"
    );
    env.ok(&["rm", "user"]);
}

#[test]
fn rmi_of_a_running_container_s_image_cannot_be_forced() {
    let env = Env::with_busybox();
    let mut child = env.spawn(&["run", "--name", "live", "busybox", "sleep", "30"]);
    assert!(wait_for(5.0, || env.ok(&["ps"]).contains("live")));
    let id = env.ok(&["images", "-q"]).trim().to_string();
    let (_, err) = env.code(1, &["rmi", "-f", &id]);
    assert!(
        err.contains("(cannot be forced) - image is being used by running container"),
        "{err}"
    );
    env.ok(&["rm", "-f", "live"]);
    child.wait().unwrap();
    let out = env.ok(&["rmi", &id]);
    assert!(
        out.contains("Untagged: busybox:latest") && out.contains("Deleted: sha256:"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_dir(env.root().join("layers"))
            .unwrap()
            .count(),
        0,
        "layers were collected"
    );
    // Only the init layer's link is left.
    let links: Vec<String> = std::fs::read_dir(env.root().join("l"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(links, ["init"]);
}

#[test]
fn image_prefixes_resolve_and_ambiguity_is_an_error() {
    let env = Env::with_busybox();
    let id = env.ok(&["images", "-q", "--no-trunc"]).trim().to_string();
    assert_eq!(env.ok(&["inspect", "-f", "{{.Id}}", &id[7..10]]).trim(), id);
    assert_eq!(env.ok(&["inspect", "-f", "{{.Id}}", &id]).trim(), id);
    assert_eq!(
        env.ok(&[
            "inspect",
            "-f",
            "{{.Id}}",
            "docker.io/library/busybox:latest"
        ])
        .trim(),
        id
    );
}

#[test]
fn image_prune_removes_dangling_images_and_with_all_every_unused_one() {
    let env = Env::with_busybox();
    env.build_image("x", "FROM busybox\nRUN echo 1 > /a\n");
    let first = env
        .ok(&["inspect", "-f", "{{.Id}}", "x"])
        .trim()
        .to_string();
    env.build_image("x", "FROM busybox\nRUN echo 2 > /a\n");
    env.build_image("used", "FROM busybox\nRUN echo 3 > /a\n");
    env.ok(&["create", "--name", "keeps", "used", "true"]);
    assert_eq!(
        env.ok(&["image", "ls", "-q"]).lines().count(),
        4,
        "x, its old self, used, busybox"
    );

    let out = env.ok(&["image", "prune", "-f"]);
    assert!(
        out.starts_with(&format!("Deleted Images:\ndeleted: {first}\n")),
        "{out}"
    );
    assert!(out.ends_with("\nTotal reclaimed space: 2B\n"), "{out}");
    assert_eq!(
        env.ok(&["image", "ls", "--format", "{{.Repository}}"]),
        "used\nx\nbusybox\n"
    );
    assert_eq!(
        env.ok(&["image", "prune", "-f"]),
        "Total reclaimed space: 0B\n"
    );

    // -a: everything no container uses; the image under `keeps` stays,
    // and so does busybox below it.
    let out = env.ok(&["image", "prune", "-a", "-f"]);
    assert!(out.contains("untagged: x:latest\n"), "{out}");
    assert_eq!(
        env.ok(&["image", "ls", "--format", "{{.Repository}}"]),
        "used\nbusybox\n"
    );
    assert_eq!(
        env.ok(&["run", "--rm", "--network", "none", "used", "cat", "/a"]),
        "3\n"
    );
}

/// kill -9 of `rmi` at each point leaves either the image or, after the
/// next prune, no layer that nothing names.
#[test]
fn a_killed_rmi_leaves_nothing_a_prune_does_not_collect() {
    let env = Env::with_busybox();
    let layers = |env: &Env| {
        std::fs::read_dir(env.root().join("layers"))
            .unwrap()
            .count()
    };
    let base = layers(&env);
    for point in ["rmi-untagged", "rmi-config-removed"] {
        env.build_image("doomed", "FROM busybox\nRUN echo a > /a\nRUN echo b > /b\n");
        assert_eq!(layers(&env), base + 2);
        let out = env
            .cmd(&["rmi", "doomed"])
            .env("STRATA_TEST_KILL_AT", point)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), None, "killed at {point}");
        // The next command finishes the deletion's collection.
        env.ok(&["images"]);
        // Every layer left is named by an image (here the images form one
        // chain, so the longest has them all).
        let named = env
            .ok(&["images", "-aq"])
            .lines()
            .map(|id| {
                env.ok(&["inspect", "-f", "{{len .RootFS.Layers}}", id])
                    .trim()
                    .parse::<usize>()
                    .unwrap()
            })
            .max()
            .unwrap_or(0);
        assert_eq!(layers(&env), named, "orphans after a kill at {point}");
        // Whatever is left, a prune takes every layer nothing names.
        env.ok(&["image", "prune", "-f"]);
        let _ = env.run(&["rmi", "doomed"]);
        env.ok(&["image", "prune", "-f"]);
        assert_eq!(layers(&env), base, "layers left after a kill at {point}");
        assert_eq!(
            env.ok(&["run", "--rm", "--network", "none", "busybox", "true"]),
            ""
        );
    }
}

/// `save -o` and `export -o` write into what they are given: a device
/// stays a device, a symlink stays a link (its target gets the archive),
/// a regular file is replaced whole.
#[test]
fn output_files_are_written_in_place_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "ex1",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    let null = env.dir.join("null");
    let st = std::process::Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    assert!(st.success());
    for args in [["save", "-o"], ["export", "-o"]] {
        let what = if args[0] == "save" { "busybox" } else { "ex1" };
        env.ok(&[args[0], args[1], null.to_str().unwrap(), what]);
        let md = std::fs::symlink_metadata(&null).unwrap();
        assert!(
            md.file_type().is_char_device(),
            "{} -o replaced the device",
            args[0]
        );
        // Through a link: the link stays, its target holds the tar.
        let target = env.dir.join(format!("{}-target.tar", args[0]));
        let link = env.dir.join(format!("{}-link.tar", args[0]));
        std::fs::write(&target, b"old").unwrap();
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        env.ok(&[args[0], args[1], link.to_str().unwrap(), what]);
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(std::fs::metadata(&target).unwrap().len() > 1024);
        // A regular file: replaced whole, no part file left beside it.
        env.ok(&[args[0], args[1], target.to_str().unwrap(), what]);
        let left: Vec<_> = std::fs::read_dir(&env.dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("strata-part"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

#[test]
fn format_json_go_templates_and_created_at_as_docker_prints_them() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "fmt1",
        "--network",
        "none",
        "busybox",
        "sleep",
        "60",
    ]);
    let line = env.ok(&["ps", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(v["Names"], "fmt1");
    let created = v["CreatedAt"].as_str().unwrap();
    assert!(
        created.ends_with(" +0000 UTC") && created.len() == 29,
        "{created}"
    );
    let img = env.ok(&["images", "--format", "{{.CreatedAt}}"]);
    assert!(img.trim().ends_with(" +0000 UTC"), "{img}");
    let out = env.ok(&[
        "inspect",
        "-f",
        "{{range $k, $v := .Config.Labels}}{{$k}}{{end}}{{if .State.Running}}up{{else}}down{{end}} {{len .Config.Cmd}} {{index .Config.Cmd 0 | upper}}",
        "fmt1",
    ]);
    assert_eq!(out, "up 2 SLEEP\n");
    let (_, err) = env.code(1, &["inspect", "-f", "{{if .State.Running}}", "fmt1"]);
    assert!(err.contains("template"), "{err}");
    env.ok(&["rm", "-f", "fmt1"]);
}

#[test]
fn images_and_ps_filters_follow_docker() {
    let env = Env::with_busybox();
    env.build_image(
        "fa/one:1",
        "FROM busybox\nLABEL tier=web\nRUN echo 1 > /one\n",
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    env.build_image(
        "fa/two:2",
        "FROM busybox\nLABEL tier=db\nRUN echo 2 > /two\n",
    );
    env.ok(&["tag", "fa/two:2", "fa/two:old"]);
    env.build_image("fa/two:2", "FROM busybox\nRUN echo 3 > /three\n");
    let repos = |f: &[&str]| {
        let mut a = vec!["images", "--format", "{{.Repository}}:{{.Tag}}"];
        for x in f {
            a.push("--filter");
            a.push(x);
        }
        let mut v: Vec<String> = env.ok(&a).lines().map(String::from).collect();
        v.sort();
        v
    };
    assert_eq!(
        repos(&["reference=fa/*"]),
        ["fa/one:1", "fa/two:2", "fa/two:old"]
    );
    assert_eq!(repos(&["reference=fa/two:o*"]), ["fa/two:old"]);
    assert_eq!(repos(&["label=tier"]), ["fa/one:1", "fa/two:old"]);
    assert_eq!(repos(&["label=tier=db"]), ["fa/two:old"]);
    assert_eq!(
        repos(&["since=fa/one:1", "reference=fa/*"]),
        ["fa/two:2", "fa/two:old"]
    );
    assert_eq!(
        repos(&["before=fa/two:old"]),
        ["busybox:latest", "fa/one:1"]
    );
    assert_eq!(repos(&["dangling=true"]), Vec::<String>::new());
    let (_, err) = env.code(1, &["images", "--filter", "colour=red"]);
    assert!(err.contains("Invalid filter 'colour'"), "{err}");
    // ps: before, since, publish, expose.
    env.ok(&[
        "run",
        "-d",
        "--name",
        "p1",
        "--network",
        "none",
        "busybox",
        "sleep",
        "60",
    ]);
    env.ok(&[
        "run",
        "-d",
        "--name",
        "p2",
        "--network",
        "none",
        "busybox",
        "sleep",
        "60",
    ]);
    let names = |f: &str| env.ok(&["ps", "--filter", f, "--format", "{{.Names}}"]);
    assert_eq!(names("since=p1"), "p2\n");
    assert_eq!(names("before=p2"), "p1\n");
    env.ok(&["rm", "-f", "p1", "p2"]);
}

#[test]
fn prune_filters_until_and_label() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "keepme",
        "--network",
        "none",
        "-l",
        "keep=yes",
        "busybox",
        "true",
    ]);
    env.ok(&[
        "run",
        "--name",
        "dropme",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    // Nothing is older than an hour: until=1h prunes nothing.
    env.ok(&["container", "prune", "-f", "--filter", "until=1h"]);
    assert_eq!(env.ok(&["ps", "-aq"]).lines().count(), 2);
    env.ok(&["container", "prune", "-f", "--filter", "label!=keep"]);
    assert_eq!(env.ok(&["ps", "-a", "--format", "{{.Names}}"]), "keepme\n");
    let (_, err) = env.code(1, &["container", "prune", "-f", "--filter", "colour=red"]);
    assert!(err.contains("Invalid filter 'colour'"), "{err}");
    env.ok(&["rm", "keepme"]);
    // image prune -a with a label filter takes only what it names.
    env.build_image("lab:1", "FROM busybox\nLABEL stage=tmp\nRUN echo 1 > /x\n");
    env.build_image("nolab:1", "FROM busybox\nRUN echo 2 > /y\n");
    env.ok(&["image", "prune", "-a", "-f", "--filter", "label=stage=tmp"]);
    let repos = env.ok(&["images", "--format", "{{.Repository}}"]);
    assert!(
        !repos.lines().any(|l| l == "lab") && repos.lines().any(|l| l == "nolab"),
        "{repos}"
    );
}

#[test]
fn inspect_s_adds_docker_s_sizes() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "--name",
        "sz",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        "head -c 5000 /dev/zero > /f",
    ]);
    let out = env.ok(&[
        "inspect",
        "-s",
        "-f",
        "{{.SizeRw}} {{gt .SizeRootFs .SizeRw}}",
        "sz",
    ]);
    let rw: u64 = out.split_whitespace().next().unwrap().parse().unwrap();
    assert!(rw >= 5000, "{out}");
    assert!(out.trim().ends_with("true"), "{out}");
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.SizeRw}}", "sz"]),
        "<no value>\n"
    );
}

/// `images` keeps what it shows in `images.summary`, a cache: a torn or
/// missing one changes nothing a user sees, and images that come and go
/// (with the parents that hide intermediate ones) are seen at once.
#[test]
fn the_listing_cache_never_changes_what_images_shows() {
    let env = Env::with_busybox();
    env.ok(&[
        "create",
        "--name",
        "base",
        "--network",
        "none",
        "busybox",
        "true",
    ]);
    env.ok(&["commit", "base", "one"]);
    env.ok(&["rm", "base"]);
    let listing = |flags: &[&str]| {
        let mut args = vec!["images", "--format", "{{.Repository}} {{.ID}} {{.Size}}"];
        args.extend_from_slice(flags);
        env.ok(&args)
    };
    let (plain, all) = (listing(&[]), listing(&["-a"]));
    assert_eq!(plain.lines().count(), 2, "{plain}");
    let cache = env.root().join("images.summary");
    assert!(cache.is_file());
    for bad in [&b"garbage"[..], b"", b"sha256:00\n{\"images\":{}}"] {
        std::fs::write(&cache, bad).unwrap();
        assert_eq!(listing(&[]), plain);
    }
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(listing(&["-a"]), all);
    // A build on `one` makes an intermediate image: hidden without -a
    // once its tag goes, and the listing from the cache says so too.
    env.build_image("two", "FROM one\nRUN echo x > /x\nRUN echo y > /y\n");
    let shown = listing(&[]);
    assert_eq!(shown.lines().count(), 3, "{shown}");
    assert_eq!(listing(&["-a"]).lines().count(), 4);
    assert_eq!(listing(&["-a"]).lines().count(), 4);
    // A removed image leaves the listing and the cache.
    env.ok(&["rmi", "two"]);
    assert_eq!(listing(&[]), plain);
    assert_eq!(listing(&["-a"]), all);
    let kept = std::fs::read_to_string(&cache).unwrap();
    assert_eq!(kept.matches("\"size\"").count(), 2, "{kept}");
}
