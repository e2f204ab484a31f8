//! Words as docker's shell lexer reads them: quotes, escapes and variable
//! expansion (`$a`, `${a}`, `${a:-x}`, `${a:+x}`, `${a-x}`, `${a+x}`).
//! Errors are values.

use super::ParseError;

/// Expands variables in `word` (quotes are kept as written) using `env`.
pub fn expand(word: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, ParseError> {
    expand_esc(word, env, '\\')
}

/// `expand` with the Dockerfile's escape character (`# escape=\``).
pub fn expand_esc(
    word: &str,
    env: &dyn Fn(&str) -> Option<String>,
    esc: char,
) -> Result<String, ParseError> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut in_single = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            in_single = !in_single;
            out.push(c);
            i += 1;
        } else if c == esc && !in_single && i + 1 < chars.len() && chars[i + 1] == '$' {
            out.push(esc);
            out.push('$');
            i += 2;
        } else if c == '$' && !in_single {
            let (text, next) = expand_var(&chars, i + 1, env)?;
            out.push_str(&text);
            i = next;
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(out)
}

fn expand_var(
    chars: &[char],
    mut i: usize,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, usize), ParseError> {
    if i >= chars.len() {
        return Ok(("$".into(), i));
    }
    if chars[i] == '{' {
        i += 1;
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        if name.is_empty() {
            return Err(ParseError("bad substitution: missing variable name".into()));
        }
        if i < chars.len() && chars[i] == '}' {
            return Ok((env(&name).unwrap_or_default(), i + 1));
        }
        let colon = i < chars.len() && chars[i] == ':';
        if colon {
            i += 1;
        }
        let op = chars
            .get(i)
            .copied()
            .ok_or_else(|| ParseError("missing '}'".into()))?;
        if op != '-' && op != '+' {
            return Err(ParseError(format!(
                "unsupported modifier ({op}) in substitution"
            )));
        }
        i += 1;
        // The word runs to the matching '}' (nested ${...} allowed).
        let wstart = i;
        let mut depth = 0;
        while i < chars.len() {
            match chars[i] {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        if i >= chars.len() {
            return Err(ParseError("missing '}'".into()));
        }
        let word: String = chars[wstart..i].iter().collect();
        let value = env(&name);
        let set = match (&value, colon) {
            (Some(v), true) => !v.is_empty(),
            (Some(_), false) => true,
            (None, _) => false,
        };
        let text = match op {
            '-' if set => value.unwrap_or_default(),
            '-' => expand(&word, env)?,
            _ if set => expand(&word, env)?,
            _ => String::new(),
        };
        return Ok((text, i + 1));
    }
    let start = i;
    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
        i += 1;
    }
    if start == i {
        return Ok(("$".into(), i));
    }
    let name: String = chars[start..i].iter().collect();
    Ok((env(&name).unwrap_or_default(), i))
}

/// Splits `text` into words the way docker splits ENV/LABEL arguments:
/// whitespace separates words, quotes group and are removed, a backslash
/// escapes the next character (outside single quotes).
pub fn split(text: &str) -> Result<Vec<String>, ParseError> {
    split_esc(text, '\\')
}

/// `split` with the Dockerfile's escape character: with `# escape=\``,
/// a backslash is a plain character (`C:\path`) and a backtick escapes.
pub fn split_esc(text: &str, esc: char) -> Result<Vec<String>, ParseError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), e) if e == esc => match chars.next() {
                Some(n) if n == '"' || n == esc || n == '$' => cur.push(n),
                Some(n) => {
                    cur.push(esc);
                    cur.push(n);
                }
                None => cur.push(esc),
            },
            (Some(_), c) => cur.push(c),
            (None, '\'') | (None, '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, e) if e == esc => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if let Some(q) = quote {
        return Err(ParseError(format!(
            "unexpected end of statement while looking for matching {q}"
        )));
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(n: &str) -> Option<String> {
        match n {
            "a" => Some("A".into()),
            "empty" => Some(String::new()),
            "PATH" => Some("/bin".into()),
            _ => None,
        }
    }

    #[test]
    fn expansion_table() {
        // input | expected (docker's shell lexer)
        let table = [
            ("$a", "A"),
            ("${a}", "A"),
            ("x${a}y", "xAy"),
            ("$nope", ""),
            ("${nope:-def}", "def"),
            ("${empty:-def}", "def"),
            ("${empty-def}", ""),
            ("${nope-def}", "def"),
            ("${a:+alt}", "alt"),
            ("${empty:+alt}", ""),
            ("${empty+alt}", "alt"),
            ("${nope+alt}", ""),
            ("${nope:-${a}}", "A"),
            ("'$a'", "'$a'"),
            ("\\$a", "\\$a"),
            ("$PATH:/x", "/bin:/x"),
            ("cost $", "cost $"),
        ];
        for (input, want) in table {
            assert_eq!(expand(input, &env).unwrap(), want, "{input}");
        }
        assert!(expand("${a", &env).is_err());
        assert!(expand("${a:?x}", &env).is_err());
    }

    #[test]
    fn splitting() {
        assert_eq!(
            split("a=1 b=\"two words\" c='x y'").unwrap(),
            ["a=1", "b=two words", "c=x y"]
        );
        assert_eq!(split("a\\ b c").unwrap(), ["a b", "c"]);
        assert_eq!(split("k=\"say \\\"hi\\\"\"").unwrap(), ["k=say \"hi\""]);
        assert_eq!(split("").unwrap(), Vec::<String>::new());
        assert_eq!(split("e=\"\"").unwrap(), ["e="]);
        assert!(split("a=\"open").is_err());
    }
}
