//! Volumes: named and anonymous ones, docker's copy-up of the image's
//! files, `--mount`, `--volumes-from`, `rm -v`, and the `volume` commands.

use crate::util::*;

fn sh(env: &Env, flags: &[&str], image: &str, script: &str) -> String {
    let mut args = vec!["run", "--rm", "--network", "none"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&[image, "sh", "-c", script]);
    env.ok(&args)
}

/// An image with files under a VOLUME (a file owned by 1:2, a link), and
/// /etclink, a link to /etc.
fn volume_image(env: &Env) {
    let ctx = env.dir.join("vctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox\nRUN mkdir -p /cfg && echo seeded > /cfg/s && chown 1:2 /cfg/s && ln -s /etc/passwd /cfg/link && ln -s /etc /etclink\nVOLUME /cfg\n",
    )
    .unwrap();
    env.ok(&["build", "-q", "-t", "vimg", ctx.to_str().unwrap()]);
}

#[test]
fn a_named_volume_outlives_its_writer_and_is_read_by_the_next_container() {
    let env = Env::with_busybox();
    assert_eq!(env.ok(&["volume", "create", "data"]), "data\n");
    // Twice is the same volume, as docker's.
    assert_eq!(env.ok(&["volume", "create", "data"]), "data\n");
    sh(
        &env,
        &["--name", "writer", "-v", "data:/data"],
        "busybox",
        "echo kept > /data/f",
    );
    assert_eq!(
        sh(&env, &["-v", "data:/d:ro"], "busybox", "cat /d/f"),
        "kept\n"
    );
    // Read-only is read-only.
    let (_, err) = env.code(
        1,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            "data:/d:ro",
            "busybox",
            "sh",
            "-c",
            "echo x > /d/g",
        ],
    );
    assert!(err.contains("Read-only file system"), "{err}");
    // Made on first use, and listed.
    sh(&env, &["-v", "other:/o"], "busybox", "true");
    assert_eq!(env.ok(&["volume", "ls", "-q"]), "data\nother\n");
    let table = env.ok(&["volume", "ls"]);
    assert!(
        table.starts_with("DRIVER    VOLUME NAME\nlocal     data\n"),
        "{table}"
    );
    let fmt = env.ok(&[
        "volume",
        "ls",
        "--filter",
        "name=oth",
        "--format",
        "{{.Name}} {{.Driver}}",
    ]);
    assert_eq!(fmt, "other local\n");
    let mp = env.ok(&[
        "volume",
        "inspect",
        "-f",
        "{{.Mountpoint}} {{.Driver}} {{.Scope}}",
        "data",
    ]);
    assert_eq!(
        mp.trim(),
        format!("{}/volumes/data/_data local local", env.root().display())
    );
    assert_eq!(
        std::fs::read_to_string(env.root().join("volumes/data/_data/f")).unwrap(),
        "kept\n"
    );
    // A volume in use cannot go; unused, it can.
    let id = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "-v",
        "data:/data",
        "busybox",
        "sleep",
        "30",
    ]);
    let id = id.trim();
    let (_, err) = env.code(1, &["volume", "rm", "data"]);
    assert!(
        err.contains(&format!("remove data: volume is in use - [{id}]")),
        "{err}"
    );
    let mounts = env.ok(&[
        "inspect",
        "-f",
        "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}} {{.Mode}}{{end}}",
        id,
    ]);
    assert_eq!(mounts.trim(), "volume data /data true z");
    env.ok(&["rm", "-f", id]);
    assert_eq!(env.ok(&["volume", "rm", "data", "other"]), "data\nother\n");
    let (_, err) = env.code(1, &["volume", "rm", "data"]);
    assert!(err.contains("get data: no such volume"), "{err}");
    env.ok(&["volume", "rm", "-f", "data"]);
    assert_eq!(env.ok(&["volume", "ls", "-q"]), "");
}

#[test]
fn the_image_s_files_are_copied_into_an_empty_volume_and_rm_v_takes_the_anonymous_one() {
    let env = Env::with_busybox();
    volume_image(&env);
    // A fresh named volume gets the image's /cfg: owners, modes and links.
    let out = sh(
        &env,
        &["-v", "fresh:/cfg"],
        "vimg",
        "cat /cfg/s; stat -c '%u:%g' /cfg/s; readlink /cfg/link",
    );
    assert_eq!(out, "seeded\n1:2\n/etc/passwd\n");
    // Not again once it has files: what the container wrote stays.
    sh(&env, &["-v", "fresh:/cfg"], "vimg", "echo mine > /cfg/s");
    assert_eq!(
        sh(&env, &["-v", "fresh:/cfg"], "vimg", "cat /cfg/s"),
        "mine\n"
    );
    // nocopy: an empty volume stays empty.
    assert_eq!(
        sh(&env, &["-v", "bare:/cfg:nocopy"], "vimg", "ls /cfg | wc -l"),
        "0\n"
    );
    // The image's VOLUME without -v: an anonymous volume, with the files.
    let id = env.ok(&[
        "create",
        "--network",
        "none",
        "-v",
        "keep:/keep",
        "vimg",
        "cat",
        "/cfg/s",
    ]);
    let id = id.trim();
    assert_eq!(env.ok(&["start", "-a", id]), "seeded\n");
    let anon = env.ok(&[
        "inspect",
        "-f",
        "{{range .Mounts}}{{if eq .Destination \"/cfg\"}}{{.Name}}{{end}}{{end}}",
        id,
    ]);
    let anon = anon.trim().to_string();
    assert_eq!(anon.len(), 64, "{anon}");
    let before = env.ok(&["volume", "ls", "-q"]);
    assert!(
        before.contains(&anon) && before.contains("keep"),
        "{before}"
    );
    // rm -v: the anonymous volume goes, the named one stays.
    env.ok(&["rm", "-v", id]);
    let after = env.ok(&["volume", "ls", "-q"]);
    assert!(!after.contains(&anon) && after.contains("keep"), "{after}");
    // --rm takes its anonymous volumes too.
    sh(&env, &[], "vimg", "true");
    assert_eq!(env.ok(&["volume", "ls", "-q"]), after);
    // prune: anonymous only; -a every unused one.
    env.ok(&[
        "create",
        "--name",
        "left",
        "--network",
        "none",
        "vimg",
        "true",
    ]);
    env.ok(&["rm", "left"]);
    let out = env.ok(&["volume", "prune", "-f"]);
    assert!(out.starts_with("Deleted Volumes:\n"), "{out}");
    assert!(env.ok(&["volume", "ls", "-q"]).contains("keep"));
    env.ok(&["volume", "prune", "-af"]);
    assert_eq!(env.ok(&["volume", "ls", "-q"]), "");
}

#[test]
fn a_volume_on_a_link_to_etc_stays_in_the_container() {
    let env = Env::with_busybox();
    volume_image(&env);
    let host_passwd = std::fs::read("/etc/passwd").unwrap();
    // /etclink -> /etc in the image: the mount and the copy-up resolve in
    // the container, and nothing reaches the host's /etc.
    let out = sh(
        &env,
        &["-v", "trap:/etclink"],
        "vimg",
        "echo hacked > /etclink/strata-volume-test; cat /etclink/strata-volume-test",
    );
    assert_eq!(out, "hacked\n");
    assert!(!std::path::Path::new("/etc/strata-volume-test").exists());
    assert_eq!(std::fs::read("/etc/passwd").unwrap(), host_passwd);
    // Copied up: the container's /etc, not the host's.
    let vol = env.root().join("volumes/trap/_data");
    let copied = std::fs::read(vol.join("passwd")).unwrap();
    assert_ne!(
        copied, host_passwd,
        "the host's /etc was copied into the volume"
    );
    assert!(vol.join("strata-volume-test").exists());
}

#[test]
fn mount_volumes_from_and_tmpfs_as_docker_s() {
    let env = Env::with_busybox();
    let host = env.dir.join("hostdir");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(host.join("h"), "from host\n").unwrap();
    let bind = format!("type=bind,source={},target=/h,readonly", host.display());
    let out = sh(
        &env,
        &["--mount", &bind, "--mount", "type=volume,source=shared,target=/s", "--mount", "type=tmpfs,target=/t,tmpfs-size=1m"],
        "busybox",
        "cat /h/h; echo one > /s/f; grep ' /t ' /proc/mounts | cut -d' ' -f3; echo x > /h/no 2>/dev/null || echo ro",
    );
    assert_eq!(out, "from host\ntmpfs\nro\n");
    // --volumes-from: the other container's mounts, read-only when asked.
    let src = env.ok(&[
        "create",
        "--network",
        "none",
        "-v",
        "shared:/s",
        "-v",
        &format!("{}:/h", host.display()),
        "busybox",
        "true",
    ]);
    let src = src.trim();
    let out = sh(
        &env,
        &["--volumes-from", &format!("{src}:ro")],
        "busybox",
        "cat /s/f /h/h; echo x > /s/g 2>/dev/null || echo ro",
    );
    assert_eq!(out, "one\nfrom host\nro\n");
    env.ok(&["rm", src]);
    // A bind source that does not exist: --mount refuses (-v makes it).
    let (_, err) = env.code(
        125,
        &[
            "run",
            "--rm",
            "--mount",
            "type=bind,source=/nonexistent-strata,target=/x",
            "busybox",
            "true",
        ],
    );
    assert!(
        err.contains("bind source path does not exist: /nonexistent-strata"),
        "{err}"
    );
    assert!(!std::path::Path::new("/nonexistent-strata").exists());
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}

#[test]
fn bad_volume_names_and_mounts_are_refused_and_nothing_is_made() {
    let env = Env::with_busybox();
    let (_, err) = env.code(1, &["volume", "create", "a!"]);
    assert!(
        err.contains("\"a!\" includes invalid characters for a local volume name"),
        "{err}"
    );
    let (_, err) = env.code(1, &["volume", "create", "-o", "type=nfs", "x1"]);
    assert!(err.contains("nfs"), "{err}");
    for (args, want) in [
        (vec!["-v", "a!:/x"], "includes invalid characters"),
        (vec!["-v", "data:rel"], "mount path must be absolute"),
        (vec!["-v", "data:/x:bogus"], "invalid mode: bogus"),
        (
            vec!["-v", "d1:/x", "-v", "d2:/x"],
            "Duplicate mount point: /x",
        ),
        (vec!["--mount", "type=nfs,target=/x"], "invalid mount type"),
        (vec!["--mount", "source=v"], "target is required"),
    ] {
        let mut a = vec!["run", "--rm", "--network", "none"];
        a.extend_from_slice(&args);
        a.extend_from_slice(&["busybox", "true"]);
        let (_, err) = env.code(125, &a);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    let (_, err) = env.code(1, &["volume", "inspect", "nosuch"]);
    assert!(err.contains("no such volume"), "{err}");
}

#[test]
fn system_df_counts_what_is_held_and_system_prune_removes_what_is_unused() {
    let env = Env::with_busybox();
    env.ok(&["volume", "create", "kept"]);
    env.ok(&["run", "--name", "stopped", "--network", "none", "-v", "kept:/d", "busybox", "sh", "-c", "dd if=/dev/zero of=/d/f bs=1k count=100 2>/dev/null; dd if=/dev/zero of=/x bs=1k count=50 2>/dev/null"]);
    env.ok(&["network", "create", "unused"]);
    let df = env.ok(&[
        "system",
        "df",
        "--format",
        "{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}}",
    ]);
    assert_eq!(
        df,
        "Images 1 1 1.98MB\nContainers 1 0 51.2kB\nLocal Volumes 1 1 102kB\nBuild Cache 0 0 0B\n",
        "{df}"
    );
    let table = env.ok(&["system", "df"]);
    assert!(
        table.starts_with("TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n"),
        "{table}"
    );
    let v = env.ok(&["system", "df", "-v"]);
    assert!(
        v.contains("Local Volumes space usage:") && v.contains("kept "),
        "{v}"
    );
    let out = env.ok(&["system", "prune", "-f"]);
    assert!(
        out.contains("Deleted Containers:\n") && out.contains("Deleted Networks:\nunused\n"),
        "{out}"
    );
    assert!(out.contains("Total reclaimed space: 51.2kB"), "{out}");
    // Named volumes and images in use stay; -a takes unused images.
    assert_eq!(env.ok(&["volume", "ls", "-q"]), "kept\n");
    assert_eq!(env.ok(&["images", "-q"]).lines().count(), 1);
    let out = env.ok(&["system", "prune", "-af", "--volumes"]);
    assert!(out.contains("Deleted Images:"), "{out}");
    assert_eq!(env.ok(&["images", "-q"]), "");
    // --volumes takes anonymous ones only, as docker 23+.
    assert_eq!(env.ok(&["volume", "ls", "-q"]), "kept\n");
}
