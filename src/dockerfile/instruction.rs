//! One logical line -> a typed instruction. Word expansion is left to the
//! consumer (it needs the environment of the moment); quotes stay as
//! written until then.

use super::lines::Heredoc;
use super::ParseError;

/// A command in exec (JSON) or shell form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandLine {
    Exec(Vec<String>),
    Shell(String),
}

/// HEALTHCHECK's two shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    None,
    Check {
        test: CommandLine,
        interval: Option<i64>,
        timeout: Option<i64>,
        start_period: Option<i64>,
        start_interval: Option<i64>,
        retries: Option<i64>,
    },
}

/// COPY and ADD arguments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopyArgs {
    pub srcs: Vec<String>,
    pub dest: String,
    pub from: Option<String>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub heredocs: Vec<Heredoc>,
}

/// The Dockerfile instructions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    From {
        image: String,
        alias: Option<String>,
        platform: Option<String>,
    },
    Run {
        cmd: CommandLine,
        heredocs: Vec<Heredoc>,
        network: Option<String>,
    },
    Copy(CopyArgs),
    Add(CopyArgs),
    /// `ARG a=1 b`: names and defaults, unexpanded.
    Arg(Vec<(String, Option<String>)>),
    Shell(Vec<String>),
    Maintainer(String),
    Cmd(CommandLine),
    Entrypoint(CommandLine),
    /// `a=b c=d` or the legacy `a b c`, unexpanded.
    Env(String),
    Label(String),
    Expose(String),
    /// JSON list, or words (unexpanded).
    Volume(Result<Vec<String>, String>),
    User(String),
    Workdir(String),
    StopSignal(String),
    /// The trigger, as written (`RUN echo hi`).
    OnBuild(String),
    Healthcheck(Healthcheck),
}

/// docker's single decision between exec and shell form: an argument list
/// that parses as a JSON array of strings is exec form; anything else,
/// including `['x']`, is shell form.
pub fn command_line(args: &str) -> CommandLine {
    let t = args.trim();
    if t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(t) {
            return CommandLine::Exec(v);
        }
    }
    CommandLine::Shell(t.to_string())
}

fn need_args(keyword: &str, args: &str) -> Result<(), ParseError> {
    if args.trim().is_empty() {
        return Err(ParseError(format!(
            "{keyword} requires at least one argument"
        )));
    }
    Ok(())
}

fn exactly_one(keyword: &str, args: &str) -> Result<String, ParseError> {
    let t = args.trim();
    if t.is_empty() {
        return Err(ParseError(format!(
            "{keyword} requires exactly one argument"
        )));
    }
    Ok(t.to_string())
}

/// Go's time.ParseDuration, to nanoseconds ("30s", "1m30s", "500ms").
pub fn parse_duration(s: &str) -> Result<i64, ParseError> {
    let bad = || ParseError(format!("time: invalid duration {s:?}"));
    if s == "0" {
        return Ok(0);
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let n: f64 = rest[..num_end].parse().map_err(|_| bad())?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        total += n * mult;
        rest = &rest[unit_end..];
    }
    Ok(total as i64)
}

fn parse_healthcheck(args: &str) -> Result<Healthcheck, ParseError> {
    let mut rest = args.trim();
    let (mut interval, mut timeout, mut start_period, mut start_interval, mut retries) =
        (None, None, None, None, None);
    while let Some(flag) = rest.strip_prefix("--") {
        let end = flag.find(char::is_whitespace).unwrap_or(flag.len());
        let (name, value) = flag[..end].split_once('=').ok_or_else(|| {
            ParseError(format!("HEALTHCHECK flag --{} needs a value", &flag[..end]))
        })?;
        match name {
            "interval" => interval = Some(parse_duration(value)?),
            "timeout" => timeout = Some(parse_duration(value)?),
            "start-period" => start_period = Some(parse_duration(value)?),
            "start-interval" => start_interval = Some(parse_duration(value)?),
            "retries" => {
                retries = Some(
                    value
                        .parse()
                        .map_err(|_| ParseError(format!("invalid retries value {value:?}")))?,
                )
            }
            other => return Err(ParseError(format!("unknown flag: --{other}"))),
        }
        rest = flag[end..].trim_start();
    }
    let (kind, cmd) = match rest.split_once(char::is_whitespace) {
        Some((k, c)) => (k.to_uppercase(), c.trim()),
        None => (rest.to_uppercase(), ""),
    };
    match kind.as_str() {
        "NONE" if cmd.is_empty() => Ok(Healthcheck::None),
        "NONE" => Err(ParseError("HEALTHCHECK NONE takes no arguments".into())),
        "CMD" if !cmd.is_empty() => Ok(Healthcheck::Check {
            test: command_line(cmd),
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        }),
        "CMD" => Err(ParseError("Missing command after HEALTHCHECK CMD".into())),
        _ => Err(ParseError(format!(
            "Unknown type {kind:?} in HEALTHCHECK (try CMD)"
        ))),
    }
}

/// `--name=value` flags, in order.
type Flags = Vec<(String, String)>;

/// Splits leading `--name=value` flags off an argument string.
fn take_flags<'a>(
    keyword: &str,
    args: &'a str,
    allowed: &[&str],
) -> Result<(Flags, &'a str), ParseError> {
    let mut flags = Vec::new();
    let mut rest = args.trim_start();
    while let Some(f) = rest.strip_prefix("--") {
        let end = f.find(char::is_whitespace).unwrap_or(f.len());
        let (name, value) = match f[..end].split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => (f[..end].to_string(), "true".to_string()),
        };
        if !allowed.contains(&name.as_str()) {
            return Err(ParseError(format!("Unknown flag: {name} (for {keyword})")));
        }
        flags.push((name, value));
        rest = f[end..].trim_start();
    }
    Ok((flags, rest))
}

fn flag(flags: &[(String, String)], name: &str) -> Option<String> {
    flags
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

fn copy_args(
    keyword: &str,
    args: &str,
    heredocs: &[Heredoc],
    allowed: &[&str],
) -> Result<CopyArgs, ParseError> {
    let (flags, rest) = take_flags(keyword, args, allowed)?;
    let words: Vec<String> = match command_line(rest) {
        CommandLine::Exec(v) => v,
        CommandLine::Shell(s) => s.split_whitespace().map(str::to_string).collect(),
    };
    if words.len() < 2 {
        return Err(ParseError(format!(
            "{keyword} requires at least two arguments, but only {} provided",
            words.len()
        )));
    }
    let (dest, srcs) = words
        .split_last()
        .map(|(d, s)| (d.clone(), s.to_vec()))
        .unwrap_or_default();
    Ok(CopyArgs {
        srcs,
        dest,
        from: flag(&flags, "from"),
        chown: flag(&flags, "chown"),
        chmod: flag(&flags, "chmod"),
        heredocs: heredocs.to_vec(),
    })
}

/// Parses one instruction line (`CMD ["x"]`, `ENV a=b`, ...).
pub fn parse_instruction(line: &str) -> Result<Instruction, ParseError> {
    parse_instruction_with(line, &[])
}

/// Parses one instruction line with the heredocs that followed it.
pub fn parse_instruction_with(line: &str, heredocs: &[Heredoc]) -> Result<Instruction, ParseError> {
    let line = line.trim();
    let (keyword, args) = match line.split_once(char::is_whitespace) {
        Some((k, a)) => (k.to_uppercase(), a.trim()),
        None => (line.to_uppercase(), ""),
    };
    Ok(match keyword.as_str() {
        "FROM" => {
            let (flags, rest) = take_flags("FROM", args, &["platform"])?;
            let words: Vec<&str> = rest.split_whitespace().collect();
            let (image, alias) = match words.as_slice() {
                [image] => (image.to_string(), None),
                [image, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => {
                    (image.to_string(), Some(name.to_lowercase()))
                }
                _ => {
                    return Err(ParseError(
                        "FROM requires either one or three arguments".into(),
                    ))
                }
            };
            Instruction::From {
                image,
                alias,
                platform: flag(&flags, "platform"),
            }
        }
        "RUN" => {
            let (flags, rest) = take_flags("RUN", args, &["network"])?;
            if rest.is_empty() {
                return Err(ParseError("RUN requires at least one argument".into()));
            }
            Instruction::Run {
                cmd: command_line(rest),
                heredocs: heredocs.to_vec(),
                network: flag(&flags, "network"),
            }
        }
        "COPY" => Instruction::Copy(copy_args(
            "COPY",
            args,
            heredocs,
            &["from", "chown", "chmod", "link", "parents"],
        )?),
        "ADD" => Instruction::Add(copy_args(
            "ADD",
            args,
            heredocs,
            &["chown", "chmod", "link", "checksum", "keep-git-dir"],
        )?),
        "ARG" => {
            need_args("ARG", args)?;
            let mut out = Vec::new();
            for w in super::words::split(args)? {
                match w.split_once('=') {
                    Some((k, v)) => out.push((k.to_string(), Some(v.to_string()))),
                    None => out.push((w, None)),
                }
            }
            Instruction::Arg(out)
        }
        "SHELL" => match command_line(args) {
            CommandLine::Exec(v) if !v.is_empty() => Instruction::Shell(v),
            _ => {
                return Err(ParseError(
                    "SHELL requires the arguments to be in JSON form".into(),
                ))
            }
        },
        "MAINTAINER" => {
            need_args("MAINTAINER", args)?;
            Instruction::Maintainer(args.to_string())
        }
        "CMD" => {
            need_args("CMD", args)?;
            Instruction::Cmd(command_line(args))
        }
        "ENTRYPOINT" => {
            need_args("ENTRYPOINT", args)?;
            Instruction::Entrypoint(command_line(args))
        }
        "ENV" => {
            need_args("ENV", args)?;
            Instruction::Env(args.to_string())
        }
        "LABEL" => {
            need_args("LABEL", args)?;
            Instruction::Label(args.to_string())
        }
        "EXPOSE" => {
            need_args("EXPOSE", args)?;
            Instruction::Expose(args.to_string())
        }
        "VOLUME" => {
            need_args("VOLUME", args)?;
            match command_line(args) {
                CommandLine::Exec(v) => Instruction::Volume(Ok(v)),
                CommandLine::Shell(s) => Instruction::Volume(Err(s)),
            }
        }
        "USER" => Instruction::User(exactly_one("USER", args)?),
        "WORKDIR" => Instruction::Workdir(exactly_one("WORKDIR", args)?),
        "STOPSIGNAL" => Instruction::StopSignal(exactly_one("STOPSIGNAL", args)?),
        "ONBUILD" => {
            need_args("ONBUILD", args)?;
            let trigger = args.split_whitespace().next().unwrap_or("").to_uppercase();
            if matches!(trigger.as_str(), "ONBUILD" | "FROM" | "MAINTAINER") {
                return Err(ParseError(format!(
                    "{trigger} isn't allowed as an ONBUILD trigger"
                )));
            }
            Instruction::OnBuild(args.to_string())
        }
        "HEALTHCHECK" => Instruction::Healthcheck(parse_healthcheck(args)?),
        "" => return Err(ParseError("empty instruction".into())),
        other => return Err(ParseError(format!("unknown instruction: {other}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_or_shell_form_as_docker_decides() {
        assert_eq!(
            command_line(r#"["redis-server"]"#),
            CommandLine::Exec(vec!["redis-server".into()])
        );
        assert_eq!(
            command_line("'redis-server'"),
            CommandLine::Shell("'redis-server'".into())
        );
        // Not JSON (single quotes): shell form, docker's classic gotcha.
        assert_eq!(command_line("['x']"), CommandLine::Shell("['x']".into()));
        assert_eq!(command_line("[1, 2]"), CommandLine::Shell("[1, 2]".into()));
        assert_eq!(
            command_line(r#"[ "a", "b c" ]"#),
            CommandLine::Exec(vec!["a".into(), "b c".into()])
        );
    }

    #[test]
    fn instructions() {
        assert_eq!(
            parse_instruction("cmd echo hi").unwrap(),
            Instruction::Cmd(CommandLine::Shell("echo hi".into()))
        );
        assert_eq!(
            parse_instruction("USER redis").unwrap(),
            Instruction::User("redis".into())
        );
        assert_eq!(
            parse_instruction("VOLUME [\"/a\"]").unwrap(),
            Instruction::Volume(Ok(vec!["/a".into()]))
        );
        assert_eq!(
            parse_instruction("VOLUME /a /b").unwrap(),
            Instruction::Volume(Err("/a /b".into()))
        );
        assert_eq!(
            parse_instruction("ONBUILD run echo").unwrap(),
            Instruction::OnBuild("run echo".into())
        );
        assert!(parse_instruction("ONBUILD FROM x").is_err());
        assert!(parse_instruction("CMD")
            .unwrap_err()
            .0
            .contains("requires at least one argument"));
        assert!(parse_instruction("WORKDIR").is_err());
        assert!(parse_instruction("NOPE x").is_err());
    }

    #[test]
    fn healthchecks() {
        assert_eq!(
            parse_instruction("HEALTHCHECK NONE").unwrap(),
            Instruction::Healthcheck(Healthcheck::None)
        );
        let h = parse_instruction("HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://x/")
            .unwrap();
        assert_eq!(
            h,
            Instruction::Healthcheck(Healthcheck::Check {
                test: CommandLine::Shell("curl -f http://x/".into()),
                interval: Some(5_000_000_000),
                timeout: None,
                start_period: None,
                start_interval: None,
                retries: Some(3),
            })
        );
        assert!(parse_instruction("HEALTHCHECK --bogus=1 CMD x").is_err());
        assert!(parse_instruction("HEALTHCHECK CMD").is_err());
        assert_eq!(parse_duration("1m30s").unwrap(), 90_000_000_000);
        assert_eq!(parse_duration("500ms").unwrap(), 500_000_000);
        assert!(parse_duration("5 s").is_err());
    }
}
