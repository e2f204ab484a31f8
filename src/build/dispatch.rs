//! Config-only instructions applied to a run configuration: CMD,
//! ENTRYPOINT, ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL,
//! ONBUILD, HEALTHCHECK. One `dispatch_*` per instruction, as moby's
//! dispatchers.go; variables expand against the config's own env.

use super::Error;
use crate::dockerfile::words;
use crate::dockerfile::{CommandLine, Healthcheck, Instruction};
use crate::oci::RunConfig;
use crate::util::gofmt;
use serde_json::{json, Map, Value};

/// The config being built, and what the rules need to remember.
#[derive(Debug, Clone, Default)]
pub struct ConfigState {
    pub config: RunConfig,
    /// A CMD was given in this build (or commit): ENTRYPOINT keeps it.
    pub cmd_set: bool,
    /// MAINTAINER's value (the image config's `author`).
    pub author: Option<String>,
    /// Build arguments in scope: expanded where the env does not set them.
    pub args: std::collections::BTreeMap<String, String>,
    /// The Dockerfile's escape character (`\\`, or `` ` `` by directive).
    pub escape: char,
}

impl ConfigState {
    pub fn new(config: RunConfig) -> ConfigState {
        ConfigState {
            config,
            cmd_set: false,
            author: None,
            args: Default::default(),
            escape: '\\',
        }
    }

    fn shell(&self) -> Vec<String> {
        self.config
            .shell
            .clone()
            .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()])
    }

    /// The `created_by` docker's classic builder records for a step that
    /// ran no command: `/bin/sh -c #(nop)  ENV A=b`, under the current SHELL.
    pub fn nop(&self, comment: &str) -> String {
        format!("{} #(nop) {comment}", self.shell().join(" "))
    }

    /// A variable's value: the env first, then the build arguments.
    pub fn lookup(&self, name: &str) -> Option<String> {
        let from_env = self.config.env.as_ref().and_then(|env| {
            env.iter().find_map(|e| {
                e.split_once('=')
                    .filter(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            })
        });
        from_env.or_else(|| self.args.get(name).cloned())
    }

    /// Expands variables in `text` against the env and build arguments.
    pub fn expand_text(&self, text: &str) -> Result<String, Error> {
        self.expand(text)
    }

    /// A command line's argv under the current SHELL.
    pub fn command(&self, cl: &CommandLine) -> Vec<String> {
        self.argv(cl)
    }

    fn expand(&self, text: &str) -> Result<String, Error> {
        Ok(words::expand_esc(text, &|n| self.lookup(n), self.escape)?)
    }

    fn argv(&self, cl: &CommandLine) -> Vec<String> {
        match cl {
            CommandLine::Exec(v) => v.clone(),
            CommandLine::Shell(s) => {
                let mut v = self.shell();
                v.push(s.clone());
                v
            }
        }
    }
}

/// Applies one config-only instruction. Returns the comment docker's
/// classic builder records in the image's history after `#(nop) `: the
/// instruction as it took effect (`" ENV A=b"`, `"WORKDIR /srv"`; the
/// leading space is docker's own).
pub fn apply_config(st: &mut ConfigState, instr: &Instruction) -> Result<String, Error> {
    let comment = match instr {
        Instruction::Cmd(cl) => {
            let argv = st.argv(cl);
            let c = format!(" CMD {}", gofmt::quote_list(&argv));
            st.config.cmd = Some(argv);
            st.cmd_set = true;
            c
        }
        Instruction::Entrypoint(cl) => {
            let argv = st.argv(cl);
            let c = format!(" ENTRYPOINT {}", gofmt::quote_list(&argv));
            st.config.entrypoint = Some(argv);
            // docker: an ENTRYPOINT resets a CMD inherited from the parent.
            if !st.cmd_set {
                st.config.cmd = None;
            }
            c
        }
        Instruction::Env(args) => dispatch_env(st, args)?,
        Instruction::Label(args) => {
            let pairs = name_values("LABEL", &st.expand(args)?, st.escape)?;
            let mut c = String::from(" LABEL");
            let labels = st.config.labels.get_or_insert_with(Default::default);
            for (k, v) in pairs {
                c.push_str(&format!(" {k}={v}"));
                labels.insert(k, v);
            }
            c
        }
        Instruction::Expose(args) => {
            let text = st.expand(args)?;
            let ports = st.config.exposed_ports.get_or_insert_with(Default::default);
            let mut written = Vec::new();
            for p in text.split_whitespace() {
                for port in expand_ports(p)? {
                    ports.insert(port, json!({}));
                }
                written.push(p);
            }
            written.sort();
            format!(" EXPOSE {}", written.join(" "))
        }
        Instruction::Volume(v) => {
            let paths = match v {
                Ok(list) => list
                    .iter()
                    .map(|p| st.expand(p))
                    .collect::<Result<Vec<_>, _>>()?,
                Err(text) => words::split_esc(&st.expand(text)?, st.escape)?,
            };
            let c = format!(" VOLUME [{}]", paths.join(" "));
            let vols = st.config.volumes.get_or_insert_with(Default::default);
            for p in paths {
                if p.trim().is_empty() {
                    return Err(Error("VOLUME specified can not be an empty string".into()));
                }
                vols.insert(p, json!({}));
            }
            c
        }
        Instruction::User(u) => {
            let u = st.expand(u)?;
            let c = format!(" USER {u}");
            st.config.user = Some(u);
            c
        }
        Instruction::Workdir(w) => {
            let w = st.expand(w)?;
            let base = st.config.working_dir.clone().unwrap_or_else(|| "/".into());
            let dir = join_workdir(&base, &w);
            let c = format!("WORKDIR {dir}");
            st.config.working_dir = Some(dir);
            c
        }
        Instruction::StopSignal(s) => {
            let s = st.expand(s)?;
            let c = format!(" STOPSIGNAL {s}");
            st.config.stop_signal = Some(s);
            c
        }
        Instruction::OnBuild(t) => {
            st.config
                .on_build
                .get_or_insert_with(Vec::new)
                .push(t.clone());
            format!(" ONBUILD {t}")
        }
        Instruction::Healthcheck(h) => {
            let mut value = healthcheck(st, h);
            // The history shows the instruction's own options.
            let c = format!(" HEALTHCHECK {}", healthcheck_text(&value));
            // docker fills the options left out from the healthcheck the
            // image had (its daemon merges the configs), even for NONE.
            if let (Some(old), Some(new)) = (&st.config.healthcheck, value.as_object_mut()) {
                for k in [
                    "Interval",
                    "Timeout",
                    "StartPeriod",
                    "StartInterval",
                    "Retries",
                ] {
                    let unset = new.get(k).and_then(Value::as_i64).unwrap_or(0) == 0;
                    if unset {
                        if let Some(v) = old.get(k).filter(|v| v.as_i64().unwrap_or(0) != 0) {
                            new.insert(k.into(), v.clone());
                        }
                    }
                }
            }
            st.config.healthcheck = Some(value);
            c
        }
        Instruction::Shell(v) => {
            st.config.shell = Some(v.clone());
            format!(" SHELL [{}]", v.join(" "))
        }
        Instruction::Maintainer(m) => {
            st.author = Some(m.clone());
            format!(" MAINTAINER {m}")
        }
        Instruction::From { .. }
        | Instruction::Run { .. }
        | Instruction::Copy(_)
        | Instruction::Add(_)
        | Instruction::Arg(_) => return Err(Error("not a config-only instruction".into())),
    };
    Ok(comment)
}

/// docker's note when a HEALTHCHECK replaces a real one:
/// `Note: overriding previous HEALTHCHECK: [CMD-SHELL true]`.
pub fn healthcheck_override_note(st: &ConfigState) -> Option<String> {
    let test: Vec<&str> = st
        .config
        .healthcheck
        .as_ref()?
        .get("Test")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if test.first().is_none_or(|t| *t == "NONE") {
        return None;
    }
    Some(format!(
        "Note: overriding previous HEALTHCHECK: [{}]",
        test.join(" ")
    ))
}

/// docker 20.10's `%q` of a `*HealthConfig`:
/// `&{["CMD-SHELL" "true"] "5s" "0s" "0s" '\x00'}`.
fn healthcheck_text(h: &Value) -> String {
    let test: Vec<String> = h["Test"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    let d = |k: &str| gofmt::quote(&gofmt::duration(h[k].as_i64().unwrap_or(0)));
    format!(
        "&{{{} {} {} {} {}}}",
        gofmt::quote_list(&test),
        d("Interval"),
        d("Timeout"),
        d("StartPeriod"),
        gofmt::quote_rune(h["Retries"].as_i64().unwrap_or(0))
    )
}

fn dispatch_env(st: &mut ConfigState, args: &str) -> Result<String, Error> {
    let pairs = name_values("ENV", &st.expand(args)?, st.escape)?;
    let mut comment = String::from(" ENV");
    let env = st.config.env.get_or_insert_with(Vec::new);
    for (k, v) in pairs {
        let entry = format!("{k}={v}");
        comment.push(' ');
        comment.push_str(&entry);
        match env
            .iter_mut()
            .find(|e| e.split('=').next() == Some(k.as_str()))
        {
            Some(slot) => *slot = entry,
            None => env.push(entry),
        }
    }
    Ok(comment)
}

/// `a=b c="d e"`, or the legacy `name value with spaces`.
fn name_values(keyword: &str, text: &str, esc: char) -> Result<Vec<(String, String)>, Error> {
    let w = words::split_esc(text, esc)?;
    let Some(first) = w.first() else {
        return Err(Error(format!("{keyword} requires at least one argument")));
    };
    if !first.contains('=') {
        if w.len() < 2 {
            return Err(Error(format!("{keyword} must have two arguments")));
        }
        // The legacy form: the value is the rest of the line as written,
        // its inner whitespace kept, its quotes and escapes resolved (one
        // shell word, as docker's ProcessWord makes it).
        let t = text.trim();
        let rest = t
            .find(char::is_whitespace)
            .map(|i| t[i..].trim_start())
            .unwrap_or("");
        return Ok(vec![(first.clone(), unquote_keeping_spaces(rest, esc))]);
    }
    w.iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(Error(format!(
                "Syntax error - can't find = in {kv:?}. Must be of the form: name=value"
            ))),
        })
        .collect()
}

/// One shell word that may hold spaces: quotes and backslashes resolved,
/// whitespace kept as written.
fn unquote_keeping_spaces(s: &str, esc: char) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, e) if e == esc => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            (None, '"') | (None, '\'') => quote = Some(c),
            (_, c) => out.push(c),
        }
    }
    out
}

/// `80`, `80/udp`, `8000-8002/tcp` -> `80/tcp`, ... (docker lists each port).
pub fn expand_ports(spec: &str) -> Result<Vec<String>, Error> {
    let (ports, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let proto = proto.to_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(Error(format!("invalid proto: {proto}")));
    }
    let bad = || Error(format!("invalid containerPort: {ports}"));
    let (lo, hi) = match ports.split_once('-') {
        Some((a, b)) => (
            a.parse::<u16>().map_err(|_| bad())?,
            b.parse::<u16>().map_err(|_| bad())?,
        ),
        None => {
            let p = ports.parse::<u16>().map_err(|_| bad())?;
            (p, p)
        }
    };
    if hi < lo {
        return Err(bad());
    }
    Ok((lo..=hi).map(|p| format!("{p}/{proto}")).collect())
}

fn join_workdir(base: &str, w: &str) -> String {
    let joined = if w.starts_with('/') {
        w.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), w)
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in joined.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

fn healthcheck(st: &ConfigState, h: &Healthcheck) -> Value {
    match h {
        Healthcheck::None => json!({ "Test": ["NONE"] }),
        Healthcheck::Check {
            test,
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        } => {
            let test: Vec<String> = match test {
                CommandLine::Exec(v) => std::iter::once("CMD".to_string())
                    .chain(v.iter().cloned())
                    .collect(),
                CommandLine::Shell(s) => vec!["CMD-SHELL".into(), s.clone()],
            };
            let _ = st;
            let mut m = Map::new();
            m.insert("Test".into(), json!(test));
            for (k, v) in [
                ("Interval", interval),
                ("Timeout", timeout),
                ("StartPeriod", start_period),
                ("StartInterval", start_interval),
                ("Retries", retries),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), json!(v));
                }
            }
            Value::Object(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::parse_instruction;

    fn apply(config: RunConfig, lines: &[&str]) -> Result<RunConfig, Error> {
        let mut st = ConfigState::new(config);
        for l in lines {
            apply_config(&mut st, &parse_instruction(l).map_err(Error::from)?)?;
        }
        Ok(st.config)
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn cmd_shell_form_keeps_docker_s_meaning() {
        let c = apply(RunConfig::default(), &["CMD 'redis-server'"]).unwrap();
        assert_eq!(c.cmd, Some(v(&["/bin/sh", "-c", "'redis-server'"])));
        let c = apply(
            RunConfig::default(),
            &[r#"CMD ["redis-server", "--port", "7000"]"#],
        )
        .unwrap();
        assert_eq!(c.cmd, Some(v(&["redis-server", "--port", "7000"])));
        let c = apply(RunConfig::default(), &["CMD ['x']"]).unwrap();
        assert_eq!(c.cmd, Some(v(&["/bin/sh", "-c", "['x']"])));
    }

    #[test]
    fn entrypoint_resets_an_inherited_cmd_but_not_one_set_here() {
        let base = RunConfig {
            cmd: Some(v(&["sh"])),
            ..Default::default()
        };
        let c = apply(base.clone(), &["ENTRYPOINT [\"/ep\"]"]).unwrap();
        assert_eq!((c.entrypoint, c.cmd), (Some(v(&["/ep"])), None));
        let c = apply(base, &["CMD [\"x\"]", "ENTRYPOINT [\"/ep\"]"]).unwrap();
        assert_eq!(c.cmd, Some(v(&["x"])));
    }

    #[test]
    fn env_label_expose_volume_user_workdir_stopsignal_onbuild() {
        let base = RunConfig {
            env: Some(v(&["PATH=/bin", "A=1"])),
            ..Default::default()
        };
        let c = apply(
            base,
            &[
                "ENV A=2 B=\"two words\"",
                "ENV PATH=$PATH:/opt/bin",
                "ENV LEGACY some value",
                "LABEL version=\"1.0\" maintainer=me",
                "EXPOSE 80 53/udp 8000-8001",
                "VOLUME [\"/data\"]",
                "VOLUME /logs /cache",
                "USER redis:redis",
                "WORKDIR /srv",
                "WORKDIR app/../www",
                "STOPSIGNAL SIGQUIT",
                "ONBUILD RUN echo hi",
            ],
        )
        .unwrap();
        assert_eq!(
            c.env,
            Some(v(&[
                "PATH=/bin:/opt/bin",
                "A=2",
                "B=two words",
                "LEGACY=some value"
            ]))
        );
        let labels = c.labels.unwrap();
        assert_eq!(labels["version"], "1.0");
        assert_eq!(labels["maintainer"], "me");
        let ports: Vec<&String> = c.exposed_ports.as_ref().unwrap().keys().collect();
        assert_eq!(ports, ["53/udp", "80/tcp", "8000/tcp", "8001/tcp"]);
        let vols: Vec<&String> = c.volumes.as_ref().unwrap().keys().collect();
        assert_eq!(vols, ["/cache", "/data", "/logs"]);
        assert_eq!(c.user.as_deref(), Some("redis:redis"));
        assert_eq!(c.working_dir.as_deref(), Some("/srv/www"));
        assert_eq!(c.stop_signal.as_deref(), Some("SIGQUIT"));
        assert_eq!(c.on_build, Some(v(&["RUN echo hi"])));
    }

    #[test]
    fn healthcheck_config() {
        let c = apply(
            RunConfig::default(),
            &["HEALTHCHECK --interval=5s CMD curl -f http://localhost/"],
        )
        .unwrap();
        assert_eq!(
            c.healthcheck.unwrap(),
            json!({"Test": ["CMD-SHELL", "curl -f http://localhost/"], "Interval": 5_000_000_000i64})
        );
        let c = apply(RunConfig::default(), &["HEALTHCHECK NONE"]).unwrap();
        assert_eq!(c.healthcheck.unwrap(), json!({"Test": ["NONE"]}));
    }

    #[test]
    fn bad_values_are_errors() {
        assert!(apply(RunConfig::default(), &["ENV a=1 b"])
            .unwrap_err()
            .0
            .contains("can't find ="));
        assert!(apply(RunConfig::default(), &["EXPOSE 80/bogus"]).is_err());
        assert!(apply(RunConfig::default(), &["EXPOSE http"]).is_err());
        assert!(apply(RunConfig::default(), &["ENV ${unclosed"]).is_err());
        assert!(apply(RunConfig::default(), &["ENV single"]).is_err());
    }
}
