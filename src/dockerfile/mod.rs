//! The Dockerfile language, pure: no files, no processes, no dependency on
//! the rest of strata (the fuzz target in fuzz/ compiles it alone). Three
//! layers, as buildkit's: lines (directives, continuations, comments,
//! heredocs) -> instructions (flags, the JSON-vs-shell decision) -> words
//! (docker's shell lexer: expansion and splitting). `commit --change` uses
//! the instruction layer.

mod fixtures;
mod instruction;
pub mod lines;
pub mod words;

pub use instruction::{
    parse_duration, parse_instruction, CommandLine, CopyArgs, Healthcheck, Instruction,
};

use std::fmt;

/// A parse error, with docker's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// One instruction of a Dockerfile, with its place and original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub line: usize,
    /// The instruction as written (continuations joined), for `Step 1/3 : ...`.
    pub original: String,
    pub instruction: Instruction,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub escape: char,
    pub steps: Vec<Step>,
}

/// Parses a whole Dockerfile; errors name the line.
pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
    let (directives, lines) = lines::split(src)?;
    let mut steps = Vec::new();
    for l in lines {
        let instruction = instruction::parse_instruction_with(&l.text, &l.heredocs)
            .map_err(|e| ParseError(format!("Dockerfile parse error line {}: {}", l.start, e.0)))?;
        steps.push(Step {
            line: l.start,
            original: l.text.clone(),
            instruction,
        });
    }
    if steps.is_empty() {
        return Err(ParseError("the Dockerfile cannot be empty".into()));
    }
    Ok(Dockerfile {
        escape: directives.escape,
        steps,
    })
}

/// The instructions `commit --change` may use (docker's daemon allowlist).
pub const CHANGE_ALLOWED: &[&str] = &[
    "CMD",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "HEALTHCHECK",
    "LABEL",
    "ONBUILD",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Parses `commit --change` values: each one is one Dockerfile instruction.
pub fn parse_changes(changes: &[String]) -> Result<Vec<Instruction>, ParseError> {
    let mut out = Vec::new();
    for c in changes {
        let text = c.trim();
        if text.is_empty() {
            continue;
        }
        let keyword = text.split_whitespace().next().unwrap_or("").to_uppercase();
        if !CHANGE_ALLOWED.contains(&keyword.as_str()) {
            return Err(ParseError(format!(
                "{keyword} is not a valid change command"
            )));
        }
        out.push(parse_instruction(text)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_accept_docker_s_set_only() {
        let ok = parse_changes(&["CMD 'redis-server'".into(), "env A=1".into()]).unwrap();
        assert_eq!(ok.len(), 2);
        for bad in ["RUN echo hi", "COPY a b", "FROM x", "BOGUS x"] {
            let e = parse_changes(&[bad.into()]).unwrap_err();
            assert!(e.0.ends_with("is not a valid change command"), "{bad}: {e}");
        }
    }
}
