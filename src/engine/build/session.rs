//! `build -i`: a build one instruction at a time. Each instruction is a
//! step of the same builder `build` runs (the same cache keys, the same
//! output, the same images), kept with the state after it, so that the
//! last one can be dropped (`.undo`) at no cost, and the kept ones written
//! out as the Dockerfile that gives the same image.

use super::{BuildEvent, BuildRequest, BuildVars, Stage, StageTable};
use crate::dockerfile::{self, Instruction, Step};
use crate::engine::{Engine, Error, Result};
use crate::image::Reference;
use std::cell::RefCell;

/// The build's state after a step (or before the first).
#[derive(Debug, Clone, Default)]
struct State {
    table: StageTable,
    vars: BuildVars,
    /// The stage being built (after its FROM).
    stage: Option<Stage>,
}

/// A step that ran (or came from the cache) and is kept.
#[derive(Debug, Clone)]
pub struct Kept {
    /// Its text as typed or read, physical lines and heredocs included,
    /// with the comments that came before it in the file.
    pub text: String,
    pub step: Step,
    /// The current image after it (none after a global ARG).
    pub image: Option<String>,
    /// Whether it made a layer (RUN, COPY, ADD, a new WORKDIR).
    pub layer: bool,
    state: State,
}

/// An interactive build.
pub struct Session<'e> {
    engine: &'e Engine,
    req: BuildRequest,
    escape: char,
    base: State,
    kept: Vec<Kept>,
    /// The container of the last failed RUN, kept for `.debug`.
    failed: Option<String>,
    tags: Vec<Reference>,
    _lease: crate::util::lock::SharedGuard,
}

impl Engine {
    /// Starts an interactive build of `req` (its Dockerfile is not run:
    /// see [`Session::replay`]).
    pub fn build_session(&self, req: BuildRequest) -> Result<Session<'_>> {
        let lease = self.images.lease()?;
        let tags = req
            .tags
            .iter()
            .map(|t| Reference::parse_tagged(t).map_err(|e| Error::Invalid(e.0)))
            .collect::<Result<Vec<_>>>()?;
        if let Some(dir) = &req.context {
            if !dir.is_dir() {
                return Err(Error::Invalid(format!(
                    "unable to prepare context: path {:?} not found",
                    dir.display().to_string()
                )));
            }
        }
        self.sweep();
        let base = State {
            vars: BuildVars::new(&req.build_args),
            ..Default::default()
        };
        Ok(Session {
            engine: self,
            req,
            escape: '\\',
            base,
            kept: Vec::new(),
            failed: None,
            tags,
            _lease: lease,
        })
    }
}

impl Session<'_> {
    fn state(&self) -> &State {
        self.kept.last().map(|k| &k.state).unwrap_or(&self.base)
    }

    pub fn kept(&self) -> &[Kept] {
        &self.kept
    }

    /// The current image: the last kept step's.
    pub fn image(&self) -> Option<&str> {
        self.state().stage.as_ref().map(|s| s.image.as_str())
    }

    pub fn escape(&self) -> char {
        self.escape
    }

    /// The names of the stages so far (`FROM ... AS name`).
    pub fn stage_names(&self) -> Vec<String> {
        self.state().table.names.iter().flatten().cloned().collect()
    }

    /// The build args in scope: asked for and declared.
    pub fn arg_names(&self) -> Vec<String> {
        let st = self.state();
        let mut names: Vec<String> = st.vars.build_args.keys().cloned().collect();
        names.extend(st.vars.globals.keys().cloned());
        if let Some(s) = &st.stage {
            names.extend(s.st.args.keys().cloned());
            for e in s.st.config.env.iter().flatten() {
                names.push(e.split('=').next().unwrap_or("").to_string());
            }
        }
        names.sort();
        names.dedup();
        names
    }

    pub fn context(&self) -> Option<&std::path::Path> {
        self.req.context.as_deref()
    }

    /// Replays a Dockerfile's steps (from the cache when nothing changed).
    /// A step that fails ends the replay: the ones before are kept.
    pub fn replay(&mut self, text: &str, out: &dyn Fn(BuildEvent)) -> Result<()> {
        let (directives, lines) =
            dockerfile::lines::split(text).map_err(|e| Error::Invalid(e.0))?;
        self.escape = directives.escape;
        let physical: Vec<&str> = text.lines().collect();
        // The escape directive is the session's: `dockerfile()` writes it.
        let mut from = physical
            .iter()
            .take_while(|l| l.trim_start().starts_with('#') && l.to_lowercase().contains("escape"))
            .count();
        let mut pieces = Vec::new();
        for l in &lines {
            let end = l.end.min(physical.len()).max(from);
            // Each piece: the comments before the instruction, and it.
            pieces.push(physical[from..end].join("\n"));
            from = end;
        }
        for piece in pieces {
            self.run(&piece, out)?;
        }
        Ok(())
    }

    /// Runs `text` (one instruction, continuation lines and heredocs
    /// included) as the next step. On success the step is kept; on
    /// failure nothing changes (a failed RUN's container stays for
    /// `.debug` until the next step).
    pub fn run(&mut self, text: &str, out: &dyn Fn(BuildEvent)) -> Result<()> {
        self.discard_failed();
        crate::runtime::take_interrupted();
        let source = if self.escape == '\\' {
            text.to_string()
        } else {
            format!("# escape={}\n{text}", self.escape)
        };
        let df = dockerfile::parse(&source).map_err(|e| Error::Invalid(e.0))?;
        let [step] = df.steps.as_slice() else {
            return Err(Error::Invalid(format!(
                "one instruction at a time: this is {}",
                df.steps.len()
            )));
        };
        let mut state = self.state().clone();
        let n = self.kept.len() + 1;
        out(BuildEvent::Step {
            n,
            total: n,
            text: step.original.clone(),
        });
        let failed = RefCell::new(None);
        let sink = |e: BuildEvent| {
            if let BuildEvent::Failed(cid) = &e {
                *failed.borrow_mut() = Some(cid.clone());
            }
            out(e)
        };
        let result = self.step(&mut state, step, &sink);
        if crate::runtime::take_interrupted() {
            if let Some(cid) = failed.borrow_mut().take() {
                self.engine.remove_step_container(&cid);
            }
            return Err(Error::Invalid("cancelled: the step was stopped".into()));
        }
        if let Err(e) = result {
            self.failed = failed.into_inner();
            return Err(e);
        }
        let image = state.stage.as_ref().map(|s| s.image.clone());
        let layer = !matches!(step.instruction, Instruction::From { .. })
            && state
                .stage
                .as_ref()
                .is_some_and(|s| s.config.history.last().is_some_and(|h| !h.empty_layer));
        self.kept.push(Kept {
            text: text.trim_end_matches('\n').to_string(),
            step: step.clone(),
            image,
            layer,
            state,
        });
        self.retag()?;
        Ok(())
    }

    fn step(&self, state: &mut State, step: &Step, out: &dyn Fn(BuildEvent)) -> Result<()> {
        match (&step.instruction, &mut state.stage) {
            (Instruction::From { alias, .. }, stage) => {
                if let Some(s) = stage.take() {
                    if let Some(last) = state.table.results.last_mut() {
                        *last = Some(s.image);
                    }
                }
                let new = self.engine.begin_stage(
                    &self.req,
                    step,
                    self.escape,
                    &state.table,
                    &mut state.vars,
                    out,
                )?;
                state.table.names.push(alias.clone());
                state.table.results.push(None);
                state.stage = Some(new);
                Ok(())
            }
            (Instruction::Arg(list), None) => state.vars.global(list),
            (_, None) => Err(Error::Invalid(
                "no build stage in current context (a Dockerfile starts with FROM)".into(),
            )),
            (_, Some(stage)) => {
                self.engine
                    .build_step(&self.req, stage, step, &state.table, &mut state.vars, out)
            }
        }
    }

    /// Drops the last step; the image is the one before it again.
    pub fn undo(&mut self) -> Result<Kept> {
        self.discard_failed();
        let k = self
            .kept
            .pop()
            .ok_or_else(|| Error::Invalid("nothing to undo: no step is kept".into()))?;
        self.retag()?;
        Ok(k)
    }

    /// `-t`: the tags always name the current image.
    fn retag(&self) -> Result<()> {
        let Some(image) = self.image() else {
            return Ok(());
        };
        if self.tags.is_empty() {
            return Ok(());
        }
        let _guard = self.engine.images.lock()?;
        for t in &self.tags {
            self.engine.images.set_tag(t, image)?;
        }
        Ok(())
    }

    /// Tags the current image.
    pub fn tag(&self, name: &str) -> Result<String> {
        let Some(image) = self.image() else {
            return Err(Error::Invalid("no image yet: start with FROM".into()));
        };
        let r = Reference::parse_tagged(name).map_err(|e| Error::Invalid(e.0))?;
        let _guard = self.engine.images.lock()?;
        self.engine.images.set_tag(&r, image)?;
        Ok(r.familiar())
    }

    /// The container of the last failed RUN, if it is still there.
    pub fn failed(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// Removes the last failed RUN's container.
    pub fn discard_failed(&mut self) {
        if let Some(cid) = self.failed.take() {
            let _ = self.engine.rm(&cid, true);
        }
    }

    /// The kept steps as a Dockerfile: as typed, long RUN lines folded
    /// before each `&&` (` \` at the end of the line, the `&&` starting
    /// the next, so the instruction reads back the same).
    pub fn dockerfile(&self) -> String {
        let mut s = String::new();
        if self.escape != '\\' {
            s.push_str(&format!("# escape={}\n", self.escape));
        }
        for k in &self.kept {
            s.push_str(&fold(&k.text, self.escape));
            s.push('\n');
        }
        s
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        self.discard_failed();
    }
}

/// Whether `text` needs more lines: it ends in the escape character, or
/// a heredoc it opens is not closed.
pub fn needs_more(text: &str, escape: char) -> bool {
    if text.trim_start().starts_with('.') {
        return false;
    }
    if text.trim_end().ends_with(escape) {
        return true;
    }
    let source = format!("# escape={escape}\n{text}");
    matches!(dockerfile::lines::split(&source), Err(e) if e.0.contains("unterminated heredoc"))
}

/// The width beyond which a one-line RUN is folded.
const FOLD_AT: usize = 80;

/// Folds a long one-line `RUN a && b && c` as `RUN a \` / `&& b \` /
/// `&& c`: the continuation joins the lines back to exactly the text typed
/// (docker keeps a continued line's leading spaces, so no indent is added:
/// one would change the instruction, and with it the cache key).
pub fn fold(text: &str, escape: char) -> String {
    let first = text.split_whitespace().next().unwrap_or("");
    if text.contains('\n') || text.len() <= FOLD_AT || !first.eq_ignore_ascii_case("RUN") {
        return text.to_string();
    }
    let parts: Vec<&str> = text.split(" && ").collect();
    if parts.len() < 2 {
        return text.to_string();
    }
    let mut out = String::from(parts[0]);
    for p in &parts[1..] {
        out.push_str(&format!(" {escape}\n&& {p}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_and_open_heredocs_ask_for_more() {
        assert!(needs_more("RUN a \\", '\\'));
        assert!(!needs_more("RUN a", '\\'));
        assert!(needs_more("RUN <<EOF\necho hi", '\\'));
        assert!(!needs_more("RUN <<EOF\necho hi\nEOF", '\\'));
        assert!(needs_more("RUN a `", '`'));
        assert!(!needs_more(".write x\\", '\\'));
    }

    #[test]
    fn a_folded_run_reads_back_as_typed() {
        let typed = "RUN apt-get update && apt-get install -y --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/*";
        let folded = fold(typed, '\\');
        assert!(folded.lines().count() == 3, "{folded}");
        assert!(folded.lines().all(|l| l.len() <= FOLD_AT), "{folded}");
        assert!(
            folded.lines().nth(1).unwrap().starts_with("&& apt-get"),
            "{folded}"
        );
        let df = dockerfile::parse(&format!("FROM x\n{folded}\n")).unwrap();
        assert_eq!(df.steps[1].original, typed);
        let df2 = dockerfile::parse(&format!("FROM x\n{typed}\n")).unwrap();
        assert_eq!(df.steps[1].instruction, df2.steps[1].instruction);
        // Short lines, other instructions and continued lines stay.
        for t in ["RUN a && b", "ENV A=1", "RUN a \\\n  && b"] {
            assert_eq!(fold(t, '\\'), t);
        }
        let long_env = format!("ENV A={} && B", "x".repeat(90));
        assert_eq!(fold(&long_env, '\\'), long_env);
        // The backtick escape folds with a backtick.
        let bt = fold(typed, '`');
        let df = dockerfile::parse(&format!("# escape=`\nFROM x\n{bt}\n")).unwrap();
        assert_eq!(df.steps[1].original, typed);
    }
}
