//! `strata build -i`: the interactive builder. Each line typed is one
//! Dockerfile instruction, run at once as a step of the same builder
//! `build` uses (its output, its cache); dot-commands look around, undo,
//! and write the kept steps out as the Dockerfile. The line editor is
//! rustyline: history across runs, reverse search (ctrl-r), completion,
//! hints, and multi-line input for continuations and heredocs.

use super::{build::event_line, table, Code};
use crate::engine::{short_id, BuildEvent, Engine, Error, RunRequest, Session};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// What `build -i` was asked, beyond the build request.
pub struct Options {
    /// The Dockerfile replayed first and rewritten after each kept step.
    pub dockerfile: PathBuf,
    /// `--no-write`: the Dockerfile on disk is never rewritten.
    pub no_write: bool,
    pub explain_cache: bool,
}

/// The instructions, with the syntax shown as a hint.
const INSTRUCTIONS: &[(&str, &str)] = &[
    (
        "FROM",
        "[--platform=<platform>] <image>[:<tag>] [AS <name>]",
    ),
    ("RUN", "<command>  |  RUN [\"executable\", \"param\"...]"),
    ("CMD", "[\"executable\", \"param\"...]  |  CMD <command>"),
    ("LABEL", "<key>=<value> ..."),
    ("MAINTAINER", "<name>"),
    ("EXPOSE", "<port>[/<protocol>] ..."),
    ("ENV", "<key>=<value> ..."),
    (
        "ADD",
        "[--chown=<user>:<group>] [--chmod=<perms>] <src>... <dest>",
    ),
    (
        "COPY",
        "[--from=<stage>] [--chown=<user>:<group>] [--chmod=<perms>] <src>... <dest>",
    ),
    (
        "ENTRYPOINT",
        "[\"executable\", \"param\"...]  |  ENTRYPOINT <command>",
    ),
    ("VOLUME", "[\"/path\"...]  |  VOLUME /path ..."),
    ("USER", "<user>[:<group>]"),
    ("WORKDIR", "<path>"),
    ("ARG", "<name>[=<default value>]"),
    ("ONBUILD", "<INSTRUCTION>"),
    ("STOPSIGNAL", "<signal>"),
    (
        "HEALTHCHECK",
        "[--interval=D] [--timeout=D] [--retries=N] CMD <command>  |  HEALTHCHECK NONE",
    ),
    ("SHELL", "[\"executable\", \"param\"...]"),
];

/// The dot-commands, with what `.help` says of them.
const DOT_COMMANDS: &[(&str, &str)] = &[
    (
        ".undo",
        "drop the last step: the image is the one before it again",
    ),
    (
        ".history",
        "the kept steps, numbered, with their image IDs and sizes",
    ),
    (
        ".diff",
        "what the last step changed (A added, C changed, D deleted)",
    ),
    (
        ".shell",
        "[CMD]  a shell (or CMD) in a container of the current image; nothing is kept",
    ),
    (
        ".debug",
        "a shell in the failed RUN's container, as it was when the command failed",
    ),
    (".write", "[FILE]  write the kept steps as a Dockerfile"),
    (".tag", "NAME  tag the current image"),
    (".help", "this list"),
    (".quit", "leave (ctrl-d too)"),
];

/// What completion knows of the session, refreshed before each prompt.
#[derive(Default)]
struct BuildHelper {
    stages: Vec<String>,
    args: Vec<String>,
    context: Option<PathBuf>,
    escape: char,
}

fn pair(s: String) -> Pair {
    Pair {
        display: s.clone(),
        replacement: s,
    }
}

impl BuildHelper {
    /// The completions of the word ending at `pos`: (its start, candidates).
    fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let head = &line[..pos];
        let start = head
            .rfind(|c: char| c.is_whitespace())
            .map(|i| i + 1)
            .unwrap_or(0);
        let word = &head[start..];
        let before = head[..start].trim();
        let first = before
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_uppercase();
        if before.is_empty() {
            let list: Vec<String> = if word.starts_with('.') {
                DOT_COMMANDS
                    .iter()
                    .map(|(c, _)| c.to_string())
                    .filter(|c| c.starts_with(word))
                    .collect()
            } else {
                let upper = word.to_uppercase();
                INSTRUCTIONS
                    .iter()
                    .filter(|(k, _)| k.starts_with(&upper))
                    .map(|(k, _)| format!("{k} "))
                    .collect()
            };
            return (start, list);
        }
        // $NAME and ${NAME}: the build args and env in scope.
        if let Some(i) = word.rfind('$') {
            let partial = &word[i + 1..];
            let (brace, name) = match partial.strip_prefix('{') {
                Some(n) => (true, n),
                None => (false, partial),
            };
            let list = self
                .args
                .iter()
                .filter(|a| a.starts_with(name))
                .map(|a| {
                    if brace {
                        format!("${{{a}}}")
                    } else {
                        format!("${a}")
                    }
                })
                .collect();
            return (start + i, list);
        }
        if let Some(partial) = word.strip_prefix("--from=") {
            let list = self
                .stages
                .iter()
                .filter(|s| s.starts_with(partial))
                .map(|s| format!("--from={s}"))
                .collect();
            return (start, list);
        }
        if first == "FROM" && before.split_whitespace().count() == 1 && !word.starts_with("--") {
            let list = self
                .stages
                .iter()
                .filter(|s| s.starts_with(word))
                .cloned()
                .collect();
            return (start, list);
        }
        if (first == "COPY" || first == "ADD") && !word.starts_with("--") {
            if let Some(ctx) = &self.context {
                return (start, context_paths(ctx, word));
            }
        }
        (start, Vec::new())
    }

    /// The syntax of the instruction being typed, while only its keyword is.
    fn syntax_hint(&self, line: &str, pos: usize) -> Option<String> {
        if pos != line.len() || line.contains('\n') {
            return None;
        }
        let word = line.trim_start();
        let keyword = word.trim_end();
        if keyword.contains(char::is_whitespace) || keyword.is_empty() {
            return None;
        }
        if keyword.starts_with('.') {
            return DOT_COMMANDS
                .iter()
                .find(|(c, _)| *c == keyword)
                .map(|(_, what)| format!("  {what}"));
        }
        let (_, syntax) = INSTRUCTIONS
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(keyword))?;
        Some(if word.ends_with(' ') {
            syntax.to_string()
        } else {
            format!(" {syntax}")
        })
    }
}

/// Paths in the context that start with `partial` (directories end in /).
fn context_paths(ctx: &Path, partial: &str) -> Vec<String> {
    let (dir, prefix) = match partial.rfind('/') {
        Some(i) => (&partial[..=i], &partial[i + 1..]),
        None => ("", partial),
    };
    // Never outside the context.
    if dir.starts_with('/') || dir.split('/').any(|c| c == "..") {
        return Vec::new();
    }
    let Ok(rd) = std::fs::read_dir(ctx.join(dir)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            if !name.starts_with(prefix) || (prefix.is_empty() && name.starts_with('.')) {
                return None;
            }
            let slash = if e.file_type().is_ok_and(|t| t.is_dir()) {
                "/"
            } else {
                ""
            };
            Some(format!("{dir}{name}{slash}"))
        })
        .collect();
    out.sort();
    out
}

impl Completer for BuildHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, list) = self.candidates(line, pos);
        Ok((start, list.into_iter().map(pair).collect()))
    }
}

impl Hinter for BuildHelper {
    type Hint = String;
    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        self.syntax_hint(line, pos)
    }
}

impl Highlighter for BuildHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> std::borrow::Cow<'h, str> {
        // Dim, as shells show suggestions.
        std::borrow::Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }
}

impl Validator for BuildHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if crate::engine::needs_more(ctx.input(), self.escape) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl rustyline::Helper for BuildHelper {}

/// Where the typed lines are kept across runs.
fn history_file() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("strata").join("build_history"))
}

fn say(line: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(line.as_bytes());
    let _ = o.write_all(b"\n");
    let _ = o.flush();
}

fn shout(line: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(line.as_bytes());
    let _ = e.write_all(b"\n");
    let _ = e.flush();
}

/// One line for a failed step or command.
fn error_line(e: &Error) -> String {
    match e {
        Error::Invalid(m) if m.starts_with("The command '") => m.clone(),
        other => format!("Error: {other}"),
    }
}

struct Repl<'e, 's> {
    engine: &'e Engine,
    session: Session<'s>,
    opts: Options,
    /// False after a replay that did not take the whole Dockerfile: it is
    /// not rewritten (and its rest lost) until `.write` says so.
    autowrite: bool,
}

pub fn exec(engine: &Engine, req: crate::engine::BuildRequest, opts: Options) -> Code {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        shout("Error: build -i needs a terminal: the input device is not a TTY");
        return 1;
    }
    let session = match engine.build_session(req) {
        Ok(s) => s,
        Err(e) => {
            shout(&format!("Error: {e}"));
            return 1;
        }
    };
    let mut repl = Repl {
        engine,
        autowrite: !opts.no_write,
        session,
        opts,
    };
    // ctrl-c stops a step's container (its supervisor sees the signal);
    // between steps it must not end the session.
    crate::runtime::catch_interrupts();
    repl.replay();
    repl.run()
}

impl Repl<'_, '_> {
    fn print(&self) -> impl Fn(BuildEvent) {
        let explain = self.opts.explain_cache;
        move |e| {
            if let Some(line) = event_line(e, explain) {
                say(&line);
            }
        }
    }

    fn replay(&mut self) {
        let path = self.opts.dockerfile.clone();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                say(&format!(
                    "{}: new; the first instruction must be a FROM (.help lists the commands)",
                    path.display()
                ));
                return;
            }
            Err(e) => {
                shout(&format!("Error: read {}: {e}", path.display()));
                self.autowrite = false;
                return;
            }
        };
        let print = self.print();
        let replayed = self.session.replay(&text, &print);
        if let Err(e) = replayed {
            shout(&error_line(&e));
            if self.autowrite {
                self.autowrite = false;
                shout(&format!(
                    "{} did not replay to its end: it is not rewritten until .write",
                    path.display()
                ));
            }
        }
    }

    fn prompt(&self) -> String {
        let n = self.session.kept().len();
        match self.session.image() {
            Some(id) => format!("strata {n} {}> ", short_id(id)),
            None => format!("strata {n}> "),
        }
    }

    fn run(&mut self) -> Code {
        let config = (|| -> rustyline::Result<rustyline::Config> {
            Ok(rustyline::Config::builder()
                .auto_add_history(false)
                .completion_type(rustyline::CompletionType::List)
                .history_ignore_dups(true)?
                .max_history_size(10_000)?
                .build())
        })()
        .unwrap_or_default();
        let mut rl: Editor<BuildHelper, FileHistory> = match Editor::with_config(config) {
            Ok(rl) => rl,
            Err(e) => {
                shout(&format!("Error: the line editor: {e}"));
                return 1;
            }
        };
        let history = history_file();
        if let Some(h) = &history {
            let _ = rl.load_history(h);
        }
        loop {
            rl.set_helper(Some(BuildHelper {
                stages: self.session.stage_names(),
                args: self.session.arg_names(),
                context: self.session.context().map(Path::to_path_buf),
                escape: self.session.escape(),
            }));
            let line = match rl.readline(&self.prompt()) {
                Ok(l) => l,
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => break,
                Err(e) => {
                    shout(&format!("Error: {e}"));
                    return 1;
                }
            };
            let text = line.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let _ = rl.add_history_entry(text);
            if let Some(h) = &history {
                if let Some(dir) = h.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                let _ = rl.append_history(h);
            }
            if text.starts_with('.') {
                if !self.dot(text) {
                    break;
                }
                continue;
            }
            let print = self.print();
            let result = self.session.run(text, &print);
            match result {
                Ok(()) => self.autosave(),
                Err(e) => {
                    shout(&error_line(&e));
                    if self.session.failed().is_some() {
                        shout("(.debug opens a shell in its container)");
                    }
                }
            }
        }
        if let Some(id) = self.session.image() {
            say(&format!("Successfully built {}", short_id(id)));
        }
        0
    }

    fn autosave(&self) {
        if self.autowrite {
            if let Err(e) = self.write(&self.opts.dockerfile) {
                shout(&e);
            }
        }
    }

    fn write(&self, path: &Path) -> Result<(), String> {
        let text = self.session.dockerfile();
        crate::util::fsx::write_atomic(path, text.as_bytes())
            .map_err(|e| format!("Error: write {}: {e}", path.display()))
    }

    /// A dot-command; false to leave.
    fn dot(&mut self, text: &str) -> bool {
        let (cmd, rest) = match text.split_once(char::is_whitespace) {
            Some((c, r)) => (c, r.trim()),
            None => (text, ""),
        };
        match cmd {
            ".quit" | ".exit" | ".q" => return false,
            ".help" => {
                for (c, what) in DOT_COMMANDS {
                    say(&format!("{c:<9} {what}"));
                }
                say("Any other line is a Dockerfile instruction, run at once (a line ending in \\ or an open heredoc continues).");
            }
            ".undo" => match self.session.undo() {
                Ok(k) => {
                    let now = self
                        .session
                        .image()
                        .map(short_id)
                        .unwrap_or_else(|| "none".into());
                    say(&format!(
                        "Dropped step {}: {} (the image is {now})",
                        self.session.kept().len() + 1,
                        k.step.original
                    ));
                    self.autosave();
                }
                Err(e) => shout(&format!("Error: {e}")),
            },
            ".history" => self.history(),
            ".diff" => self.diff(),
            ".shell" => match self.session.image().map(str::to_string) {
                Some(image) => self.shell(&image, rest),
                None => shout("Error: no image yet: start with FROM"),
            },
            ".debug" => self.debug(),
            ".write" => {
                let path = if rest.is_empty() {
                    self.opts.dockerfile.clone()
                } else {
                    PathBuf::from(rest)
                };
                match self.write(&path) {
                    Ok(()) => {
                        say(&format!(
                            "Wrote {} step{} to {}",
                            self.session.kept().len(),
                            if self.session.kept().len() == 1 {
                                ""
                            } else {
                                "s"
                            },
                            path.display()
                        ));
                        if path == self.opts.dockerfile && !self.opts.no_write {
                            self.autowrite = true;
                        }
                    }
                    Err(e) => shout(&e),
                }
            }
            ".tag" => {
                if rest.is_empty() {
                    shout("Error: .tag needs a NAME[:TAG]");
                } else {
                    match self.session.tag(rest) {
                        Ok(t) => say(&format!("Successfully tagged {t}")),
                        Err(e) => shout(&format!("Error: {e}")),
                    }
                }
            }
            other => shout(&format!(
                "Error: unknown command {other:?} (.help lists them)"
            )),
        }
        true
    }

    fn history(&self) {
        for (i, k) in self.session.kept().iter().enumerate() {
            let id = k
                .image
                .as_deref()
                .map(short_id)
                .unwrap_or_else(|| "-".into());
            let size = match (&k.image, k.layer) {
                (Some(image), true) => self
                    .engine
                    .history(image)
                    .ok()
                    .and_then(|rows| rows.first().map(|r| r.size))
                    .unwrap_or(0),
                _ => 0,
            };
            let text = k.step.original.replace('\n', " ");
            say(&format!(
                "{:>3}  {:<12}  {:>8}  {}",
                i + 1,
                id,
                table::human_size(size),
                text
            ));
        }
    }

    fn diff(&self) {
        let Some(last) = self.session.kept().last() else {
            shout("Error: no step yet");
            return;
        };
        let Some(image) = last.image.as_deref().filter(|_| last.layer) else {
            say(&format!(
                "step {} changed no files: {} sets the config only",
                self.session.kept().len(),
                last.step.original.split_whitespace().next().unwrap_or("")
            ));
            return;
        };
        match self.engine.image_changes(image) {
            Ok(Some(lines)) => {
                for (c, p) in lines {
                    say(&format!("{c} {p}"));
                }
            }
            Ok(None) => say("the step changed no files"),
            Err(e) => shout(&format!("Error: {e}")),
        }
    }

    /// `run -it --rm IMAGE [sh -c CMD]`, on this terminal.
    fn shell(&self, image: &str, cmd: &str) {
        let cmd = if cmd.is_empty() {
            vec!["/bin/sh".to_string()]
        } else {
            vec!["/bin/sh".to_string(), "-c".to_string(), cmd.to_string()]
        };
        let req = RunRequest {
            image: image.to_string(),
            cmd,
            entrypoint: Some(String::new()),
            tty: true,
            interactive: true,
            rm: true,
            network: "bridge".into(),
            ..Default::default()
        };
        let id = match self.engine.create(&req) {
            Ok(id) => id,
            Err(e) => {
                shout(&format!("Error: {e}"));
                return;
            }
        };
        match self.engine.run_foreground(&id) {
            Ok(0) => {}
            Ok(code) => say(&format!("(the shell exited with {code})")),
            Err(e) => shout(&format!("Error: {e}")),
        }
        let _ = self.engine.rm(&id, true);
    }

    /// A shell in the failed RUN's container: its files as the command
    /// left them, its env, user and working directory.
    fn debug(&mut self) {
        let Some(cid) = self.session.failed().map(str::to_string) else {
            shout("Error: no failed RUN to debug: .debug follows a RUN that failed");
            return;
        };
        let image = match self.engine.commit(&crate::engine::CommitRequest {
            container: cid.clone(),
            reference: None,
            changes: Vec::new(),
            message: Some("build -i .debug".into()),
            author: None,
            pause: false,
        }) {
            Ok(i) => i,
            Err(e) => {
                shout(&format!("Error: {e}"));
                return;
            }
        };
        say(&format!(
            "A shell in the failed step's container {} (exit to come back; nothing is kept)",
            short_id(&cid)
        ));
        self.shell(&image, "");
        let _ = self.engine.rmi(&image, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> BuildHelper {
        BuildHelper {
            stages: vec!["builder".into(), "base".into()],
            args: vec!["VERSION".into(), "PATH".into()],
            context: None,
            escape: '\\',
        }
    }

    #[test]
    fn keywords_dot_commands_stages_and_args_complete() {
        let h = helper();
        assert_eq!(h.candidates("co", 2), (0, vec!["COPY ".to_string()]));
        assert_eq!(h.candidates("RU", 2), (0, vec!["RUN ".to_string()]));
        assert_eq!(h.candidates(".u", 2), (0, vec![".undo".to_string()]));
        let (at, list) = h.candidates("COPY --from=b", 13);
        assert_eq!(at, 5);
        assert_eq!(list, vec!["--from=builder", "--from=base"]);
        assert_eq!(
            h.candidates("RUN echo ${VE", 13),
            (9, vec!["${VERSION}".to_string()])
        );
        assert_eq!(
            h.candidates("RUN echo $P", 11),
            (9, vec!["$PATH".to_string()])
        );
        assert_eq!(h.candidates("FROM bu", 7).1, vec!["builder"]);
    }

    #[test]
    fn copy_completes_paths_of_the_context_only() {
        let dir = std::env::temp_dir().join(format!("strata-complete-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("app")).unwrap();
        std::fs::write(dir.join("app/main.py"), "").unwrap();
        std::fs::write(dir.join("apple.txt"), "").unwrap();
        std::fs::write(dir.join(".hidden"), "").unwrap();
        let mut h = helper();
        h.context = Some(dir.clone());
        assert_eq!(h.candidates("COPY ap", 7).1, vec!["app/", "apple.txt"]);
        assert_eq!(h.candidates("COPY app/m", 10).1, vec!["app/main.py"]);
        assert_eq!(h.candidates("ADD ", 4).1, vec!["app/", "apple.txt"]);
        assert!(h.candidates("COPY ../", 8).1.is_empty());
        assert!(h.candidates("COPY /et", 8).1.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_keyword_alone_hints_its_syntax() {
        let h = helper();
        assert!(h
            .syntax_hint("COPY", 4)
            .unwrap()
            .starts_with(" [--from=<stage>]"));
        assert!(h.syntax_hint("copy ", 5).unwrap().starts_with("[--from"));
        assert!(h.syntax_hint("COPY a b", 8).is_none());
        assert!(h
            .syntax_hint(".undo", 5)
            .unwrap()
            .contains("drop the last step"));
        assert!(h.syntax_hint("BOGUS", 5).is_none());
    }
}
