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
