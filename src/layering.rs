//! The dependency rule of ARCHITECTURE.md, checked: a part may use only the
//! parts below it. The compiler cannot enforce this inside one crate, so
//! this test reads the `use crate::` lines.

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    /// Each part and the parts it may use.
    fn allowed() -> BTreeMap<&'static str, &'static [&'static str]> {
        BTreeMap::from([
            ("util", &[][..]),
            ("oci", &[][..]),
            ("archive", &["util"][..]),
            ("dockerfile", &[][..]),
            ("build", &["dockerfile", "oci", "util"][..]),
            ("runtime", &["util"][..]),
            ("registry", &["util"][..]),
            ("network", &["oci", "util"][..]),
            ("image", &["archive", "oci", "util"][..]),
            ("container", &["oci", "util"][..]),
            ("volume", &["util"][..]),
            (
                "engine",
                &[
                    "build",
                    "dockerfile",
                    "image",
                    "container",
                    "runtime",
                    "archive",
                    "registry",
                    "network",
                    "volume",
                    "oci",
                    "util",
                ][..],
            ),
            (
                "cli",
                // `serve` hands the process over to the API server.
                &[
                    "api",
                    "engine",
                    "runtime",
                    "image",
                    "container",
                    "oci",
                    "util",
                ][..],
            ),
            // The API server: a front end beside the CLI.
            (
                "api",
                &["engine", "runtime", "image", "container", "util"][..],
            ),
        ])
    }

    fn visit(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                visit(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn parts_use_only_the_parts_below_them() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let rules = allowed();
        let mut files = Vec::new();
        visit(&src, &mut files);
        let mut bad = Vec::new();
        for f in files {
            let rel = f.strip_prefix(&src).unwrap();
            let part = rel
                .iter()
                .next()
                .unwrap()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            let Some(ok) = rules.get(part.as_str()) else {
                continue;
            };
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                for used in line.split("crate::").skip(1) {
                    let target: String = used
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if target != part
                        && rules.contains_key(target.as_str())
                        && !ok.contains(&target.as_str())
                    {
                        bad.push(format!("{}:{}: {part} uses {target}", rel.display(), n + 1));
                    }
                }
            }
        }
        assert!(
            bad.is_empty(),
            "arrows pointing up or sideways:\n{}",
            bad.join("\n")
        );
    }

    #[test]
    fn unsafe_code_lives_in_the_runtime_only() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        visit(&src, &mut files);
        let mut bad = Vec::new();
        for f in files {
            let rel = f.strip_prefix(&src).unwrap();
            if rel.starts_with("runtime") || rel == Path::new("layering.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            if text
                .lines()
                .any(|l| l.contains("unsafe {") || l.contains("unsafe fn"))
            {
                bad.push(rel.display().to_string());
            }
        }
        assert!(bad.is_empty(), "unsafe outside runtime/: {bad:?}");
    }
}
