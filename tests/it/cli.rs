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
