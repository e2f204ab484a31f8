//! The parser's data-driven tests: tests/fixtures/dockerfile/<case>/
//! {Dockerfile, expected} must parse to exactly `expected`, and every
//! tests/fixtures/dockerfile-negative/<case>/Dockerfile must fail with a
//! message containing its `error`. `STRATA_BLESS=1` rewrites `expected`.
//! A seeded mutation run over the fixtures keeps the parser panic-free in
//! every `cargo test` (the libFuzzer target in fuzz/ goes much further).

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

    /// Every fixture, mutated with the characters the grammar cares about,
    /// parses or fails cleanly: never a panic.
    #[test]
    fn mutated_fixtures_never_panic() {
        let seeds: Vec<String> = cases("dockerfile")
            .into_iter()
            .chain(cases("dockerfile-negative"))
            .filter_map(|c| std::fs::read_to_string(c.join("Dockerfile")).ok())
            .collect();
        let tokens = [
            "\\",
            "\n",
            "\\\n",
            "\"",
            "'",
            "[",
            "]",
            "$",
            "${",
            "}",
            ":-",
            ":+",
            "<<",
            "<<-EOF",
            "EOF",
            "\nEOF\n",
            "#",
            "# escape=`\n",
            "`",
            "=",
            "--",
            "--from=",
            " ",
            "\t",
            "\u{feff}",
            "é",
            "RUN ",
            "FROM ",
            "COPY ",
            "ARG ",
            "ENV ",
            "{",
            ",",
            "\r\n",
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n.max(1) as u64) as usize
        };
        for round in 0..30000 {
            let mut text = seeds[next(seeds.len())].clone();
            for _ in 0..1 + next(4) {
                let cut = |t: &str, i: usize| {
                    let mut i = i.min(t.len());
                    while !t.is_char_boundary(i) {
                        i -= 1;
                    }
                    i
                };
                let a = cut(&text, next(text.len() + 1));
                match next(4) {
                    0 => text.insert_str(a, tokens[next(tokens.len())]),
                    1 => {
                        let b = cut(&text, a + next(16));
                        text.replace_range(a..b, "");
                    }
                    2 => {
                        let b = cut(&text, a + next(32));
                        let piece = text[a..b].to_string();
                        text.insert_str(a, &piece);
                    }
                    _ => text.truncate(a),
                }
            }
            let t = text.clone();
            let r = std::panic::catch_unwind(move || {
                if let Ok(df) = parse(&t) {
                    for s in df.steps {
                        let _ = crate::dockerfile::words::split(&s.original);
                        let _ =
                            crate::dockerfile::words::expand(&s.original, &|k| Some(k.to_string()));
                    }
                }
            });
            assert!(r.is_ok(), "round {round}: the parser panicked on {text:?}");
        }
    }
}
