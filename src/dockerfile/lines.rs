//! Physical lines -> logical lines, as buildkit's parser reads them:
//! a BOM is dropped; parser directives (`# escape=`, `# syntax=`, `# check=`)
//! count only at the very top; comments and blank lines are skipped, also
//! inside a continued instruction; a line ending in the escape character
//! continues on the next; heredocs (`<<EOF ... EOF`) follow RUN, COPY and
//! ADD lines.

use super::ParseError;

/// One instruction's text, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// First and last physical line (1-based).
    pub start: usize,
    pub end: usize,
    /// The logical line, continuations joined.
    pub text: String,
    pub heredocs: Vec<Heredoc>,
}

/// A here-document attached to an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    pub content: String,
    /// `<<-`: leading tabs were stripped.
    pub chomp: bool,
    /// The delimiter was quoted: no expansion in the content.
    pub quoted: bool,
}

/// Parser directives found at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directives {
    pub escape: char,
    pub syntax: Option<String>,
}

impl Default for Directives {
    fn default() -> Self {
        Directives {
            escape: '\\',
            syntax: None,
        }
    }
}

fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix('#')?.trim();
    let (k, v) = rest.split_once('=')?;
    let k = k.trim().to_lowercase();
    if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((k, v.trim().to_string()))
}

/// The heredoc delimiters named on an instruction line (`<<EOF`, `<<-"EOF"`).
fn heredoc_names(text: &str) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("<<") {
        let mut s = &rest[i + 2..];
        let chomp = s.starts_with('-');
        if chomp {
            s = &s[1..];
        }
        let quote = s.chars().next().filter(|c| *c == '"' || *c == '\'');
        if let Some(q) = quote {
            s = &s[1..];
            if let Some(end) = s.find(q) {
                let name = &s[..end];
                if !name.is_empty() {
                    out.push((name.to_string(), chomp, true));
                }
                rest = &s[end..];
                continue;
            }
        }
        let name: String = s
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && name.chars().next().is_some_and(|c| !c.is_ascii_digit()) {
            out.push((name.clone(), chomp, false));
        }
        rest = &s[name.len().min(s.len())..];
    }
    out
}

/// Splits a Dockerfile into directives and logical lines.
pub fn split(src: &str) -> Result<(Directives, Vec<Line>), ParseError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let physical: Vec<&str> = src.lines().collect();
    let mut dirs = Directives::default();
    let mut i = 0;
    let mut seen = std::collections::HashSet::new();
    while i < physical.len() {
        match directive(physical[i]) {
            Some((k, v)) if matches!(k.as_str(), "escape" | "syntax" | "check") => {
                if !seen.insert(k.clone()) {
                    return Err(ParseError(format!(
                        "only one {k} parser directive can be used"
                    )));
                }
                match k.as_str() {
                    "escape" => {
                        dirs.escape = match v.as_str() {
                            "\\" => '\\',
                            "`" => '`',
                            _ => {
                                return Err(ParseError(format!(
                                    "invalid escape token '{v}' does not match ` or \\"
                                )))
                            }
                        }
                    }
                    "syntax" => dirs.syntax = Some(v),
                    _ => {}
                }
                i += 1;
            }
            _ => break,
        }
    }
    let esc = dirs.escape;
    let is_comment = |l: &str| l.trim_start().starts_with('#');
    let mut lines = Vec::new();
    while i < physical.len() {
        let raw = physical[i];
        if raw.trim().is_empty() || is_comment(raw) {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut text = String::new();
        let mut cur = raw;
        loop {
            let trimmed = cur.trim_end();
            if let Some(body) = trimmed.strip_suffix(esc) {
                text.push_str(body);
                i += 1;
                // Skip comments and blank lines inside the continuation.
                while i < physical.len()
                    && (physical[i].trim().is_empty() || is_comment(physical[i]))
                {
                    i += 1;
                }
                if i >= physical.len() {
                    break;
                }
                cur = physical[i];
            } else {
                text.push_str(cur);
                i += 1;
                break;
            }
        }
        let end = i.max(start);
        let mut heredocs = Vec::new();
        let keyword = text.split_whitespace().next().unwrap_or("").to_uppercase();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            for (name, chomp, quoted) in heredoc_names(&text) {
                let mut content = String::new();
                let mut closed = false;
                while i < physical.len() {
                    let l = physical[i];
                    i += 1;
                    let cmp = if chomp { l.trim_start_matches('\t') } else { l };
                    if cmp == name {
                        closed = true;
                        break;
                    }
                    content.push_str(cmp);
                    content.push('\n');
                }
                if !closed {
                    return Err(ParseError(format!(
                        "Dockerfile parse error line {start}: unterminated heredoc {name}"
                    )));
                }
                heredocs.push(Heredoc {
                    name,
                    content,
                    chomp,
                    quoted,
                });
            }
        }
        lines.push(Line {
            start,
            end: if heredocs.is_empty() { end } else { i },
            text: text.trim().to_string(),
            heredocs,
        });
    }
    Ok((dirs, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_directives() {
        let src = "\u{feff}# escape=`\n# syntax=docker/dockerfile:1\nFROM x\n# a comment\nRUN a `\n  # inside\n\n  b\n";
        let (d, lines) = split(src).unwrap();
        assert_eq!(d.escape, '`');
        assert_eq!(d.syntax.as_deref(), Some("docker/dockerfile:1"));
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].text, "RUN a   b");
        assert_eq!((lines[1].start, lines[1].end), (5, 8));
    }

    #[test]
    fn a_directive_after_an_instruction_is_a_comment() {
        let (d, lines) = split("FROM x\n# escape=`\nRUN a \\\n b").unwrap();
        assert_eq!(d.escape, '\\');
        assert_eq!(lines[1].text, "RUN a  b");
    }

    #[test]
    fn heredocs() {
        let src = "RUN <<EOF\necho hi\necho there\nEOF\nCOPY <<-\"X\" /f\n\tliteral $a\n\tX\n";
        let (_, lines) = split(src).unwrap();
        assert_eq!(lines[0].heredocs[0].content, "echo hi\necho there\n");
        assert_eq!(
            lines[1].heredocs[0],
            Heredoc {
                name: "X".into(),
                content: "literal $a\n".into(),
                chomp: true,
                quoted: true
            }
        );
        assert!(split("RUN <<EOF\necho\n")
            .unwrap_err()
            .0
            .contains("unterminated heredoc"));
    }

    #[test]
    fn continue_at_eof_and_trailing_whitespace() {
        let (_, lines) = split("RUN a \\   \n b\nRUN c \\").unwrap();
        assert_eq!(lines[0].text, "RUN a  b");
        assert_eq!(lines[1].text, "RUN c");
    }
}
