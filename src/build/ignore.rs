//! `.dockerignore` matching, as docker's patternmatcher: patterns are
//! cleaned paths with `*` and `?` (never crossing `/`), `[...]` classes and
//! `**` (any number of directories); `!` makes an exception; the last
//! matching pattern wins; a pattern matching a directory covers what is in it.

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    patterns: Vec<(bool, Vec<String>)>,
}

impl Ignore {
    pub fn parse(text: &str) -> Ignore {
        let mut patterns = Vec::new();
        for line in text.lines() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (exception, pat) = match l.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, l),
            };
            let parts: Vec<String> = pat
                .split('/')
                .filter(|c| !c.is_empty() && *c != ".")
                .map(str::to_string)
                .collect();
            if !parts.is_empty() {
                patterns.push((exception, parts));
            }
        }
        Ignore { patterns }
    }

    /// Whether an exception (`!pattern`) exists: then an excluded
    /// directory must still be searched for exceptions inside it.
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|(e, _)| *e)
    }

    /// Whether `rel` (a path relative to the context, `/`-separated) is excluded.
    pub fn excluded(&self, rel: &str) -> bool {
        let parts: Vec<&str> = rel.split('/').filter(|c| !c.is_empty()).collect();
        let mut out = false;
        for (exception, pat) in &self.patterns {
            // The path itself, or one of its parent directories, matches.
            let hit = (1..=parts.len()).any(|n| match_parts(pat, &parts[..n]));
            if hit {
                out = !exception;
            }
        }
        out
    }
}

fn match_parts(pat: &[String], path: &[&str]) -> bool {
    match pat.first() {
        None => path.is_empty(),
        Some(p) if p == "**" => (0..=path.len()).any(|i| match_parts(&pat[1..], &path[i..])),
        Some(p) => {
            !path.is_empty()
                && glob(p.as_bytes(), path[0].as_bytes())
                && match_parts(&pat[1..], &path[1..])
        }
    }
}

/// filepath.Match for one path component.
pub fn glob(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
        (Some(b'?'), Some(_)) => glob(&p[1..], &s[1..]),
        (Some(b'['), Some(c)) => match p.iter().position(|b| *b == b']') {
            Some(end) if end > 1 => {
                let class = &p[1..end];
                let (neg, class) = match class.first() {
                    Some(b'^') | Some(b'!') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut i = 0;
                let mut hit = false;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == b'-' {
                        hit |= class[i] <= *c && *c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == *c;
                        i += 1;
                    }
                }
                hit != neg && glob(&p[end + 1..], &s[1..])
            }
            _ => false,
        },
        (Some(b'\\'), Some(c)) if p.len() > 1 => p[1] == *c && glob(&p[2..], &s[1..]),
        (Some(a), Some(b)) => a == b && glob(&p[1..], &s[1..]),
        _ => false,
    }
}

/// Whether a COPY source has wildcards.
pub fn has_wildcards(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_rules() {
        let ig = Ignore::parse(
            "# comment\n*.md\n!README.md\ntarget\n**/*.tmp\n/docs/private\nsub/*/x\n",
        );
        let cases = [
            ("notes.md", true),
            ("README.md", false),
            ("sub/notes.md", false), // * does not cross /
            ("target", true),
            ("target/debug/app", true),
            ("a/b/c.tmp", true),
            ("c.tmp", true),
            ("docs/private/key", true),
            ("docs/public", false),
            ("sub/any/x", true),
            ("sub/any/y", false),
            ("src/main.rs", false),
        ];
        for (path, want) in cases {
            assert_eq!(ig.excluded(path), want, "{path}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob(b"*.rs", b"main.rs"));
        assert!(glob(b"f?o", b"foo"));
        assert!(glob(b"[a-c]x", b"bx"));
        assert!(!glob(b"[^a-c]x", b"bx"));
        assert!(!glob(b"*.rs", b"main.rc"));
    }
}
