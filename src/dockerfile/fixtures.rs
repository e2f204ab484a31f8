//! The parser's data-driven tests: tests/fixtures/dockerfile/<case>/
//! {Dockerfile, expected} must parse to exactly `expected`, and every
//! tests/fixtures/dockerfile-negative/<case>/Dockerfile must fail with a
//! message containing its `error`. `STRATA_BLESS=1` rewrites `expected`.

#[cfg(test)]
mod tests {
    use crate::dockerfile::parse;
    use std::path::Path;

    fn cases(dir: &str) -> Vec<std::path::PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(dir);
        let mut out: Vec<_> = std::fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        out.sort();
        out
    }

    fn dump(src: &str) -> String {
        let df = parse(src).unwrap();
        let mut s = format!("escape {:?}\n", df.escape);
        for step in df.steps {
            s.push_str(&format!(
                "{} {:?}\n  {:?}\n",
                step.line, step.original, step.instruction
            ));
        }
        s
    }

    #[test]
    fn positive_cases_parse_to_their_expected_form() {
        let bless = std::env::var("STRATA_BLESS").is_ok();
        let mut failures = Vec::new();
        for case in cases("dockerfile") {
            let src = std::fs::read_to_string(case.join("Dockerfile")).unwrap();
            let got = dump(&src);
            let expected = case.join("expected");
            if bless {
                std::fs::write(&expected, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&expected).unwrap_or_default();
            if got != want {
                failures.push(format!(
                    "{}:\n--- want\n{want}--- got\n{got}",
                    case.display()
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn negative_cases_fail_with_their_message() {
        for case in cases("dockerfile-negative") {
            let src = std::fs::read_to_string(case.join("Dockerfile")).unwrap();
            let want = std::fs::read_to_string(case.join("error")).unwrap();
            match parse(&src) {
                Ok(df) => panic!("{} parsed: {df:?}", case.display()),
                Err(e) => assert!(
                    e.0.contains(want.trim()),
                    "{}: {:?} lacks {:?}",
                    case.display(),
                    e.0,
                    want
                ),
            }
        }
    }
}
