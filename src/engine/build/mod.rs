//! `build`: a Dockerfile as an automated run-then-commit, on the same engine
//! as `run` and `commit`, with the classic builder's cache and output.
//!
//! Every instruction makes an image whose parent is the previous step's.
//! - RUN runs a container of the current image with the step's env, user,
//!   workdir and shell, then takes its upper dir into the layer store by
//!   rename (as `commit` of a stopped container does) and removes it.
//! - COPY/ADD stream a tar of the sources into a child that mounts the step
//!   container's overlay and unpacks there, chrooted, then commit the same way.
//! - Config-only instructions make a config and no layer (`empty_layer`).
//!
//! The cache maps (parent image, the instruction after expansion, the
//! content digest of COPY sources, the build args in scope) to the child
//! image: `<root>/buildcache/<sha256>`. A hit costs no container; after the
//! first miss, a stage stops probing (docker's `cacheBusted`).

mod explain;
mod session;
pub use session::{needs_more, Session};

/// A build context sent as a tar (the Engine API's `POST /build`),
/// unpacked safely into `dest` (which exists): no `..`, no writes through
/// its links.
pub fn unpack_context(input: impl std::io::Read, dest: &std::path::Path) -> Result<()> {
    crate::archive::unpack(input, dest)
        .map(|_| ())
        .map_err(|e| Error::Invalid(format!("the build context: {e}")))
}

use super::run::RunRequest;
use super::{short_id, Engine, Error, Result};
use crate::build::ignore::{self, Ignore};
use crate::build::{apply_config, healthcheck_override_note, ConfigState};
use crate::dockerfile::{self, CommandLine, CopyArgs, Instruction, Step};
use crate::image::{History, ImageConfig, Reference, RootFs};
use crate::util::{fsx, hash, ids, time};
use std::collections::{BTreeMap, HashSet};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// What `build` is asked.
#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    /// The context directory; `None` for no context (`build -`).
    pub context: Option<PathBuf>,
    /// The Dockerfile's text, and its name for messages.
    pub dockerfile: String,
    pub tags: Vec<String>,
    /// `--build-arg`: a value, or `None` to take it from our environment.
    pub build_args: Vec<(String, Option<String>)>,
    pub no_cache: bool,
    pub target: Option<String>,
    pub quiet: bool,
    /// `--force-rm`: remove a failed step's container too (docker keeps
    /// it, for a person to look inside or commit).
    pub force_rm: bool,
    pub labels: Vec<(String, String)>,
    pub network: String,
    /// `--pull`: fetch every FROM image again.
    pub pull: bool,
    /// `--memory`, `--cpu-shares`, `--cpuset-cpus`, `--shm-size`,
    /// `--ulimit`…: the limits of each RUN step's container.
    pub limits: crate::container::Limits,
    /// `--explain-cache`: report why each step missed the cache.
    pub explain_cache: bool,
}

/// What the build reports, for the CLI to print in docker's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildEvent {
    /// The size of the context, as the tar docker would send.
    Context(u64),
    Step {
        n: usize,
        total: usize,
        text: String,
    },
    /// ` ---> Using cache`
    Cached,
    /// ` ---> <id>` after a step.
    Image(String),
    /// ` ---> Running in <id>`
    Running(String),
    /// `Removing intermediate container <id>`
    Removing(String),
    /// `# Executing N build triggers`
    Triggers(usize),
    Warning(String),
    /// A line printed as it is (`Note: overriding previous HEALTHCHECK`).
    Note(String),
    Built(String),
    Tagged(String),
    /// A failed RUN's container, kept (docker's classic builder keeps it):
    /// its full id. Nothing is printed for it.
    Failed(String),
    /// `--explain-cache`: why a step missed the cache.
    CacheMiss(String),
}

/// The state of the stage being built.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    /// The current image id.
    image: String,
    config: ImageConfig,
    st: ConfigState,
    /// Still probing the cache (false after the first miss).
    cache_ok: bool,
    /// `--explain-cache`: say why a step misses.
    explain: bool,
    /// The step that missed first in this stage (`Step N : ...`'s text).
    busted_by: Option<String>,
    /// The step being built, for the note its cache entry keeps.
    note: explain::Note,
    /// The image the step being built started from.
    parent: String,
}

/// The stages met so far: their names (`AS name`, lower-cased) and the
/// images of those built, for `FROM name` and `COPY --from=name|N`.
#[derive(Debug, Clone, Default)]
pub(crate) struct StageTable {
    pub names: Vec<Option<String>>,
    pub results: Vec<Option<String>>,
}

impl StageTable {
    fn index(&self, name: &str) -> Option<usize> {
        stage_index(&self.names, name)
    }

    fn image(&self, name: &str) -> Option<Result<String>> {
        self.index(name).map(|i| {
            self.results[i].clone().ok_or_else(|| {
                Error::Invalid(format!("stage {name} is not built before it is used"))
            })
        })
    }
}

/// The build arguments: asked for, the global ARGs' values, and the names
/// some ARG declared (the rest are "not consumed").
#[derive(Debug, Clone, Default)]
pub(crate) struct BuildVars {
    pub build_args: BTreeMap<String, String>,
    pub globals: BTreeMap<String, String>,
    pub used: HashSet<String>,
}

impl BuildVars {
    /// `--build-arg` values (a bare name was given its value by the CLI).
    fn new(args: &[(String, Option<String>)]) -> BuildVars {
        let mut build_args = BTreeMap::new();
        for (k, v) in args {
            // A bare `--build-arg NAME` got the caller's value at the edge.
            if let Some(v) = v.clone() {
                build_args.insert(k.clone(), v);
            }
        }
        BuildVars {
            build_args,
            ..Default::default()
        }
    }

    /// A global ARG (before the first FROM).
    fn global(&mut self, list: &[(String, Option<String>)]) -> Result<()> {
        for (name, default) in list {
            let v = self
                .build_args
                .get(name)
                .cloned()
                .or_else(|| default.clone());
            self.used.insert(name.clone());
            if let Some(v) = v {
                let v = dockerfile::words::expand(&v, &|n| self.globals.get(n).cloned())
                    .map_err(|e| Error::Invalid(e.0))?;
                self.globals.insert(name.clone(), v);
            }
        }
        Ok(())
    }

    /// The `[Warning] One or more build-args [...] were not consumed` list.
    fn unused(&self) -> Vec<String> {
        self.build_args
            .keys()
            .filter(|k| !self.used.contains(*k) && !is_predefined_arg(k))
            .cloned()
            .collect()
    }
}

/// One FROM and its instructions.
struct StagePlan<'a> {
    name: Option<String>,
    from: &'a Step,
    steps: Vec<&'a Step>,
    /// The Dockerfile's escape character, for the stage's words.
    escape: char,
}

const CACHE_DIR: &str = "buildcache";

impl Engine {
    /// Builds; returns the final image id.
    pub fn build(&self, req: &BuildRequest, out: &dyn Fn(BuildEvent)) -> Result<String> {
        // Its step layers and images are not garbage until it is done.
        let _lease = self.images.lease()?;
        let df = dockerfile::parse(&req.dockerfile).map_err(|e| Error::Invalid(e.0))?;
        let tags = req
            .tags
            .iter()
            .map(|t| Reference::parse_tagged(t).map_err(|e| Error::Invalid(e.0)))
            .collect::<Result<Vec<_>>>()?;
        self.sweep();
        let ignore = match &req.context {
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(Error::Invalid(format!(
                        "unable to prepare context: path {:?} not found",
                        dir.display().to_string()
                    )));
                }
                Ignore::parse(
                    &std::fs::read_to_string(dir.join(".dockerignore")).unwrap_or_default(),
                )
            }
            None => Ignore::default(),
        };
        out(BuildEvent::Context(match &req.context {
            Some(dir) => context_tar_size(dir, &ignore),
            None => 0,
        }));

        // Global ARGs, then stages.
        let mut global_args: Vec<&Step> = Vec::new();
        let mut stages: Vec<StagePlan> = Vec::new();
        for step in &df.steps {
            match &step.instruction {
                Instruction::From { alias, .. } => stages.push(StagePlan { name: alias.clone(), from: step, steps: vec![], escape: df.escape }),
                Instruction::Arg(_) if stages.is_empty() => global_args.push(step),
                _ => match stages.last_mut() {
                    Some(s) => s.steps.push(step),
                    None => {
                        return Err(Error::Invalid(format!(
                            "Dockerfile parse error line {}: no build stage in current context (a Dockerfile starts with FROM)",
                            step.line
                        )))
                    }
                },
            }
        }
        if stages.is_empty() {
            return Err(Error::Invalid("no build stage in current context".into()));
        }
        let target = match &req.target {
            None => stages.len() - 1,
            Some(t) => stages
                .iter()
                .position(|s| s.name.as_deref() == Some(t.to_lowercase().as_str()))
                .ok_or_else(|| {
                    Error::Invalid(format!("failed to reach build target {t} in Dockerfile"))
                })?,
        };

        // Build arguments: the request's, and the defaults of global ARGs.
        let mut vars = BuildVars::new(&req.build_args);
        for step in &global_args {
            if let Instruction::Arg(list) = &step.instruction {
                vars.global(list)?;
            }
        }
        let mut table = StageTable {
            names: stages.iter().map(|s| s.name.clone()).collect(),
            results: vec![None; stages.len()],
        };

        // Only the stages the target needs, in file order.
        let needed = needed_stages(&stages, target, &vars.globals);
        let total = global_args.len()
            + needed
                .iter()
                .map(|i| stages[*i].steps.len() + 1)
                .sum::<usize>();
        let mut n = 0;
        for step in &global_args {
            n += 1;
            out(BuildEvent::Step {
                n,
                total,
                text: step.original.clone(),
            });
        }
        for &i in &needed {
            let plan = &stages[i];
            n += 1;
            out(BuildEvent::Step {
                n,
                total,
                text: plan.from.original.clone(),
            });
            let mut stage =
                self.begin_stage(req, plan.from, plan.escape, &table, &mut vars, out)?;
            for step in &plan.steps {
                n += 1;
                out(BuildEvent::Step {
                    n,
                    total,
                    text: step.original.clone(),
                });
                self.build_step(req, &mut stage, step, &table, &mut vars, out)?;
            }
            table.results[i] = Some(stage.image);
        }
        let mut final_id = table.results[target].clone().unwrap_or_default();
        if !req.labels.is_empty() {
            let mut config = self.images.config(&final_id)?;
            let labels = config.config.labels.get_or_insert_with(Default::default);
            for (k, v) in &req.labels {
                labels.insert(k.clone(), v.clone());
            }
            let id = self.images.put_config_on(&config.to_bytes(), &final_id)?;
            final_id = id;
        }
        let unused = vars.unused();
        if !unused.is_empty() {
            out(BuildEvent::Warning(format!(
                "One or more build-args [{}] were not consumed",
                unused.join(" ")
            )));
        }
        out(BuildEvent::Built(final_id.clone()));
        if !tags.is_empty() {
            let _guard = self.images.lock()?;
            for t in &tags {
                self.images.set_tag(t, &final_id)?;
                out(BuildEvent::Tagged(t.familiar()));
            }
        }
        Ok(final_id)
    }

    /// A stage's FROM: its base (an image, `scratch` or an earlier
    /// stage), then the base's ONBUILD triggers.
    pub(crate) fn begin_stage(
        &self,
        req: &BuildRequest,
        from: &Step,
        escape: char,
        table: &StageTable,
        vars: &mut BuildVars,
        out: &dyn Fn(BuildEvent),
    ) -> Result<Stage> {
        let Instruction::From { image, .. } = &from.instruction else {
            unreachable!("a stage starts with FROM")
        };
        let base = dockerfile::words::expand(image, &|k| vars.globals.get(k).cloned())
            .map_err(|e| Error::Invalid(e.0))?;
        let base_id = if base.eq_ignore_ascii_case("scratch") {
            self.scratch_image()?
        } else if let Some(image) = table.image(&base) {
            image?
        } else {
            self.find_image(&base, pull_policy(req.pull))?
        };
        out(BuildEvent::Image(short_id(&base_id)));
        let config = self.images.config(&base_id)?;
        let mut stage = Stage {
            image: base_id,
            st: ConfigState::new(config.config.clone()),
            config,
            cache_ok: !req.no_cache,
            explain: req.explain_cache,
            busted_by: None,
            note: explain::Note::default(),
            parent: String::new(),
        };
        stage.st.escape = escape;
        // docker's beginStage: a stage's env always has a PATH.
        let env = stage.st.config.env.get_or_insert_with(Vec::new);
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.push(super::run::DEFAULT_PATH.to_string());
        }
        // ONBUILD triggers of the base run first, then are not inherited.
        let triggers = stage.config.config.on_build.take().unwrap_or_default();
        stage.st.config.on_build = None;
        if !triggers.is_empty() {
            out(BuildEvent::Triggers(triggers.len()));
            for t in &triggers {
                let step = Step {
                    line: from.line,
                    original: t.clone(),
                    instruction: dockerfile::parse_instruction(t)
                        .or_else(|_| {
                            dockerfile::parse(&format!("FROM x\n{t}"))
                                .map(|d| d.steps[1].instruction.clone())
                        })
                        .map_err(|e| Error::Invalid(format!("ONBUILD trigger {t:?}: {}", e.0)))?,
                };
                self.build_step(req, &mut stage, &step, table, vars, out)?;
            }
        }
        Ok(stage)
    }

    /// One instruction of a stage (not FROM): from the cache, or run.
    pub(crate) fn build_step(
        &self,
        req: &BuildRequest,
        stage: &mut Stage,
        step: &Step,
        table: &StageTable,
        vars: &mut BuildVars,
        out: &dyn Fn(BuildEvent),
    ) -> Result<()> {
        let fail = |msg: String| Error::Invalid(format!("Dockerfile line {}: {msg}", step.line));
        stage.parent = stage.image.clone();
        stage.note = explain::Note {
            text: step.original.clone(),
            args: stage.st.args.clone(),
            sources: Default::default(),
        };
        match &step.instruction {
            Instruction::Arg(list) => {
                for (name, default) in list {
                    vars.used.insert(name.clone());
                    let v = vars
                        .build_args
                        .get(name)
                        .cloned()
                        .or_else(|| default.as_ref().and_then(|d| stage.st.expand_text(d).ok()))
                        .or_else(|| vars.globals.get(name).cloned());
                    match v {
                        Some(v) => stage.st.args.insert(name.clone(), v),
                        None => stage.st.args.remove(name),
                    };
                }
                let mut comment = String::from(" ARG");
                for (name, default) in list {
                    comment.push(' ');
                    comment.push_str(name);
                    if let Some(d) = default {
                        comment.push('=');
                        comment.push_str(&stage.st.expand_text(d).map_err(|e| fail(e.0))?);
                    }
                }
                let created_by = stage.st.nop(&comment);
                self.config_step(stage, &created_by, out)
            }
            Instruction::Run {
                cmd,
                heredocs,
                network,
            } => {
                let mut argv = stage.st.command(cmd);
                if let (CommandLine::Shell(text), false) = (cmd, heredocs.is_empty()) {
                    let script = if text.trim_start().starts_with("<<")
                        && text.split_whitespace().count() == 1
                    {
                        heredocs[0].content.clone()
                    } else {
                        let mut s = text.clone();
                        for h in heredocs {
                            s.push('\n');
                            s.push_str(&h.content);
                            s.push_str(&h.name);
                        }
                        s
                    };
                    if let Some(last) = argv.last_mut() {
                        *last = script;
                    }
                }
                // Build args in scope reach the command's env (not the image).
                let env = stage.st.config.env.clone().unwrap_or_default();
                let arg_env: Vec<String> = stage
                    .st
                    .args
                    .iter()
                    .filter(|(k, _)| !env.iter().any(|e| e.split('=').next() == Some(k.as_str())))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                let mut created_by = argv.join(" ");
                if !arg_env.is_empty() {
                    created_by = format!("|{} {} {created_by}", arg_env.len(), arg_env.join(" "));
                }
                let key = cache_key(&stage.image, &created_by, "");
                if self.probe(stage, &key, out)? {
                    return Ok(());
                }
                let network = network.clone().unwrap_or_else(|| req.network.clone());
                let cid = self.create(&RunRequest {
                    image: stage.image.clone(),
                    cmd: argv.clone(),
                    entrypoint: Some(String::new()),
                    env: arg_env,
                    workdir: stage.st.config.working_dir.clone(),
                    user: stage.st.config.user.clone(),
                    network,
                    build_step: true,
                    limits: req.limits.clone(),
                    ..Default::default()
                })?;
                out(BuildEvent::Running(short_id(&cid)));
                let result = self.run_foreground_with(&cid, req.quiet, true);
                let code = match result {
                    Ok(c) => c,
                    Err(e) => {
                        self.remove_step_container(&cid);
                        return Err(e);
                    }
                };
                if code != 0 {
                    // Interrupted (ctrl-c): the step never outlives the
                    // build. Failed on its own: it stays, unless asked.
                    if req.force_rm || crate::runtime::interrupted() {
                        self.remove_step_container(&cid);
                    } else {
                        // As the classic builder: the failed step's
                        // container stays (`ps -a`), a container like any
                        // other, no longer a step the sweep removes.
                        self.keep_step_container(&cid);
                        out(BuildEvent::Failed(cid.clone()));
                    }
                    return Err(Error::Invalid(format!(
                        "The command '{}' returned a non-zero code: {code}",
                        argv.join(" ")
                    )));
                }
                // What the step wrote under the image's VOLUMEs was written
                // to volumes in docker, and is not in the image.
                self.discard_volume_writes(&cid, &stage.st.config);
                self.commit_step(stage, &cid, &created_by, &key, true, out)
            }
            Instruction::Copy(args) | Instruction::Add(args) => {
                let add = matches!(step.instruction, Instruction::Add(_));
                // Downloads and `--from` extracts live here until the step ends.
                let scratch = Scratch(
                    self.images
                        .tmp_dir()
                        .join(format!("copy-{}", ids::random_hex(8))),
                );
                let sources = self
                    .copy_sources(req, stage, args, add, table, &scratch.0)
                    .map_err(|e| match e {
                        Error::Invalid(m) => fail(m),
                        other => other,
                    })?;
                let owner = match &args.chown {
                    Some(c) => Some(self.resolve_owner(
                        &stage.image,
                        &stage.st.expand_text(c).map_err(|e| fail(e.0))?,
                    )?),
                    // From another image, the files keep their owners (as
                    // docker's copy does); from the context they are root's.
                    None if args.from.is_some() => Some(KEEP_OWNERS),
                    None => None,
                };
                let chmod = match &args.chmod {
                    Some(m) => Some(
                        u32::from_str_radix(m, 8)
                            .map_err(|_| fail(format!("invalid chmod value {m:?}")))?,
                    ),
                    None => None,
                };
                let digest =
                    copy_digest(&sources, owner, chmod).map_err(|e| fail(e.to_string()))?;
                // The sources' signatures: for the explanation of a miss,
                // and for the note of a new entry (not on a cache hit).
                let signatures = || explain::sources(&sources, req.context.as_deref());
                if stage.explain {
                    stage.note.sources = signatures();
                }
                let kind = if add { "ADD" } else { "COPY" };
                let what = match sources.as_slice() {
                    [one] if one.is_file() => "file",
                    [Source {
                        from: SourceFrom::Dir(..),
                        ..
                    }] => "dir",
                    _ => "multi",
                };
                // docker: the destination as written (after expansion).
                let dest = stage.st.expand_text(&args.dest).map_err(|e| fail(e.0))?;
                // docker writes `--chown=` glued to the digest.
                let chown = args
                    .chown
                    .as_ref()
                    .map(|c| format!("--chown={c}"))
                    .unwrap_or_default();
                let created_by = stage.st.nop(&format!(
                    "{kind} {chown}{what}:{} in {dest} ",
                    hash::hex_part(&digest)
                ));
                let key = cache_key(&stage.image, &created_by, "");
                if self.probe(stage, &key, out)? {
                    return Ok(());
                }
                if !stage.explain {
                    stage.note.sources = signatures();
                }
                let cid = self.create(&RunRequest {
                    image: stage.image.clone(),
                    cmd: vec!["/copy".into()],
                    build_step: true,
                    network: "none".into(),
                    ..Default::default()
                })?;
                let r = self.copy_into(&cid, &sources, owner, chmod);
                if let Err(e) = r {
                    self.remove_step_container(&cid);
                    return Err(e);
                }
                // docker's classic builder shows no container for COPY/ADD.
                self.commit_step(stage, &cid, &created_by, &key, false, out)
            }
            Instruction::From { .. } => unreachable!("stages are split at FROM"),
            other => {
                // Config-only: CMD, ENV, LABEL, ... apply to the config.
                if let Instruction::Healthcheck(_) = other {
                    if let Some(note) = healthcheck_override_note(&stage.st) {
                        out(BuildEvent::Note(note));
                    }
                }
                let comment = apply_config(&mut stage.st, other).map_err(|e| fail(e.0))?;
                let created_by = stage.st.nop(&comment);
                if let Instruction::Workdir(_) = other {
                    // docker makes the directory, as root, when it is missing:
                    // a layer of its own.
                    let dir = stage.st.config.working_dir.clone().unwrap_or_default();
                    if !self.image_has_dir(&stage.image, &dir) {
                        return self.workdir_step(stage, &dir, &created_by, out);
                    }
                }
                self.config_step(stage, &created_by, out)
            }
        }
    }

    /// Looks the step up in the cache; on a hit, moves the stage on.
    fn probe(&self, stage: &mut Stage, key: &str, out: &dyn Fn(BuildEvent)) -> Result<bool> {
        if !stage.cache_ok {
            if stage.explain {
                out(BuildEvent::CacheMiss(match &stage.busted_by {
                    Some(text) => format!("its parent is new: an earlier step missed ({text})"),
                    None => "--no-cache".into(),
                }));
            }
            return Ok(false);
        }
        let path = self.cache_path(key);
        if let Ok(child) = std::fs::read_to_string(&path) {
            let child = child.trim().to_string();
            if let Ok(config) = self.images.config(&child) {
                out(BuildEvent::Cached);
                out(BuildEvent::Image(short_id(&child)));
                stage.image = child;
                stage.st.config = config.config.clone();
                stage.config = config;
                return Ok(true);
            }
        }
        stage.cache_ok = false;
        stage.busted_by = Some(stage.note.text.clone());
        if stage.explain {
            let cache = self.images.root().join(CACHE_DIR);
            out(BuildEvent::CacheMiss(explain::why(
                &cache,
                &stage.image,
                &stage.note,
            )));
        }
        Ok(false)
    }

    fn cache_path(&self, key: &str) -> PathBuf {
        self.images.root().join(CACHE_DIR).join(hash::hex_part(key))
    }

    /// Files `child` as the cache entry `key`, with the note that says
    /// later what the step was.
    fn remember(&self, stage: &Stage, key: &str, child: &str) -> Result<()> {
        explain::remember(
            &self.images.root().join(CACHE_DIR),
            &stage.parent,
            key,
            &stage.note,
        );
        let path = self.cache_path(key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|err| Error::Io {
                what: format!("mkdir {}", dir.display()),
                err,
            })?;
        }
        // Atomic, not durable: an entry lost to a power cut is a miss, and
        // one whose image is unreadable is a miss too (`probe`).
        fsx::replace(&path, child.as_bytes()).map_err(|err| Error::Io {
            what: format!("write {}", path.display()),
            err,
        })
    }

    /// A config-only step: a new config, no layer.
    fn config_step(
        &self,
        stage: &mut Stage,
        created_by: &str,
        out: &dyn Fn(BuildEvent),
    ) -> Result<()> {
        let key = config_key(stage, created_by);
        if self.probe(stage, &key, out)? {
            return Ok(());
        }
        // docker's classic builder commits a container for these steps too;
        // strata needs none, but prints the same lines.
        let step = ids::random_hex(32);
        out(BuildEvent::Running(short_id(&step)));
        let id = self.new_step_image(stage, None, created_by)?;
        self.remember(stage, &key, &id)?;
        out(BuildEvent::Removing(short_id(&step)));
        out(BuildEvent::Image(short_id(&id)));
        Ok(())
    }

    /// WORKDIR of a directory the image lacks: a step container in which
    /// the missing components are made (root-owned, 0755), committed.
    fn workdir_step(
        &self,
        stage: &mut Stage,
        dir: &str,
        created_by: &str,
        out: &dyn Fn(BuildEvent),
    ) -> Result<()> {
        let key = config_key(stage, created_by);
        if self.probe(stage, &key, out)? {
            return Ok(());
        }
        let mut missing = Vec::new();
        let mut path = String::new();
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            path.push('/');
            path.push_str(part);
            if !self.image_has_dir(&stage.image, &path) {
                missing.push(Source {
                    from: SourceFrom::MkDir,
                    dest: path.clone(),
                });
            }
        }
        let cid = self.create(&RunRequest {
            image: stage.image.clone(),
            cmd: vec!["/workdir".into()],
            build_step: true,
            network: "none".into(),
            ..Default::default()
        })?;
        out(BuildEvent::Running(short_id(&cid)));
        if let Err(e) = self.copy_into(&cid, &missing, None, None) {
            self.remove_step_container(&cid);
            return Err(e);
        }
        self.commit_step(stage, &cid, created_by, &key, true, out)
    }

    /// Commits a step container's upper dir (moved, not copied) as the
    /// step's image, then removes the container.
    fn commit_step(
        &self,
        stage: &mut Stage,
        cid: &str,
        created_by: &str,
        key: &str,
        announce: bool,
        out: &dyn Fn(BuildEvent),
    ) -> Result<()> {
        let result = (|| {
            let _lock = self.containers.lock(cid)?;
            let rec = self.containers.record(cid)?;
            let mut hook = |_: u64| {};
            let layer = self.rebase_onto_new_layer(&rec, &mut hook)?;
            self.new_step_image(stage, layer.map(|l| l.diff_id), created_by)
        })();
        if announce {
            out(BuildEvent::Removing(short_id(cid)));
        }
        self.remove_step_container(cid);
        let id = result?;
        self.remember(stage, key, &id)?;
        out(BuildEvent::Image(short_id(&id)));
        Ok(())
    }

    fn new_step_image(
        &self,
        stage: &mut Stage,
        diff_id: Option<String>,
        created_by: &str,
    ) -> Result<String> {
        let mut config = stage.config.clone();
        config.config = stage.st.config.clone();
        if stage.st.author.is_some() {
            config.author = stage.st.author.clone();
        }
        let now = time::rfc3339(time::now_nanos());
        config.created = Some(now.clone());
        config.history.push(History {
            created: Some(now),
            created_by: Some(created_by.to_string()),
            empty_layer: diff_id.is_none(),
            ..Default::default()
        });
        if let Some(d) = diff_id {
            config.rootfs.diff_ids.push(d);
        }
        let id = self
            .images
            .put_config_on(&config.to_bytes(), &stage.image)?;
        stage.image = id.clone();
        stage.config = config;
        Ok(id)
    }

    /// Empties each VOLUME directory in a step container's upper dir (the
    /// directory itself stays, as docker's mount point does). Every
    /// component is checked to be a real directory: a link the step made
    /// is never followed.
    fn discard_volume_writes(&self, cid: &str, config: &crate::oci::RunConfig) {
        let upper = self.containers.dir(cid).join("upper");
        for v in config.volumes.iter().flat_map(|m| m.keys()) {
            let mut p = upper.clone();
            let mut real = true;
            for c in v.split('/').filter(|c| !c.is_empty() && *c != ".") {
                if c == ".." {
                    real = false;
                    break;
                }
                p.push(c);
                if !std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                    real = false;
                    break;
                }
            }
            if !real || p == upper {
                continue;
            }
            if let Ok(rd) = std::fs::read_dir(&p) {
                for e in rd.flatten() {
                    let path = e.path();
                    let _ = if e.file_type().is_ok_and(|t| t.is_dir()) {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                }
            }
            // An opaque marker would hide the image's files below it.
            let _ = xattr::remove(&p, "trusted.overlay.opaque");
        }
    }

    fn keep_step_container(&self, cid: &str) {
        if let Ok(_g) = self.containers.lock(cid) {
            if let Ok(mut rec) = self.containers.record(cid) {
                rec.creator = None;
                let _ = self.containers.set_record(&rec);
            }
        }
        crate::runtime::cgroup::remove(cid);
    }

    fn remove_step_container(&self, cid: &str) {
        if let Ok(_g) = self.containers.lock(cid) {
            let _ = self.containers.remove(cid);
        }
        crate::runtime::cgroup::remove(cid);
    }

    /// An empty image for `FROM scratch`.
    fn scratch_image(&self) -> Result<String> {
        let config = ImageConfig {
            architecture: super::import::arch().into(),
            os: "linux".into(),
            rootfs: RootFs {
                kind: "layers".into(),
                diff_ids: vec![],
            },
            ..Default::default()
        };
        Ok(self.images.put_config(&config.to_bytes())?)
    }

    /// `--chown=user:group`: numbers, or names from the image's /etc files.
    fn resolve_owner(&self, image: &str, spec: &str) -> Result<(u32, u32)> {
        let read = |p: &str| -> String {
            let config = self.images.config(image).ok();
            let chain = config
                .map(|c| crate::image::ImageStore::chain_ids(&c))
                .unwrap_or_default();
            for c in chain.iter().rev() {
                if let Ok(s) = std::fs::read_to_string(self.images.layer_diff(c).join(p)) {
                    return s;
                }
            }
            String::new()
        };
        let (u, g) = spec.split_once(':').unwrap_or((spec, ""));
        let passwd = read("etc/passwd");
        let group = read("etc/group");
        let who = crate::runtime::user::resolve(
            &format!("{u}:{}", if g.is_empty() { u } else { g }),
            &passwd,
            &group,
        )
        .or_else(|_| crate::runtime::user::resolve(u, &passwd, &group))
        .map_err(Error::Invalid)?;
        Ok((who.uid, who.gid))
    }

    /// Resolves COPY/ADD sources to files on this machine and their places
    /// in the image.
    fn copy_sources(
        &self,
        req: &BuildRequest,
        stage: &Stage,
        args: &CopyArgs,
        add: bool,
        table: &StageTable,
        scratch: &Path,
    ) -> Result<Vec<Source>> {
        let mut dest = stage
            .st
            .expand_text(&args.dest)
            .map_err(|e| Error::Invalid(e.0))?;
        if !dest.starts_with('/') {
            let wd = stage
                .st
                .config
                .working_dir
                .clone()
                .unwrap_or_else(|| "/".into());
            dest = format!("{}/{}", wd.trim_end_matches('/'), dest);
        }
        let dest_is_dir = dest.ends_with('/');
        let dest = clean_abs(&dest);
        let mut out = Vec::new();
        // Heredoc sources: `COPY <<EOF /file`.
        let mut srcs = Vec::new();
        for s in &args.srcs {
            if let Some(h) = args.heredocs.iter().find(|h| {
                s.trim_start_matches("<<")
                    .trim_start_matches('-')
                    .trim_matches(|c| c == '"' || c == '\'')
                    == h.name
            }) {
                let target = if dest_is_dir {
                    format!("{}/{}", dest.trim_end_matches('/'), h.name)
                } else {
                    dest.clone()
                };
                out.push(Source {
                    from: SourceFrom::Bytes(h.content.clone().into_bytes()),
                    dest: target,
                });
            } else {
                srcs.push(stage.st.expand_text(s).map_err(|e| Error::Invalid(e.0))?);
            }
        }
        let root: PathBuf = match &args.from {
            Some(from) => {
                let image = match table.image(from) {
                    Some(image) => image?,
                    None => self.find_image(from, pull_policy(false))?,
                };
                self.extract_for_copy(&image, &srcs, &scratch.join("from"))?
            }
            None => match &req.context {
                Some(dir) => dir.clone(),
                None => {
                    if srcs.is_empty() {
                        PathBuf::new()
                    } else {
                        return Err(Error::Invalid(format!(
                            "{} failed: no build context",
                            if add { "ADD" } else { "COPY" }
                        )));
                    }
                }
            },
        };
        let ignore = match (&args.from, &req.context) {
            (None, Some(dir)) => Ignore::parse(
                &std::fs::read_to_string(dir.join(".dockerignore")).unwrap_or_default(),
            ),
            _ => Ignore::default(),
        };
        let image_dirs = |p: &str| self.image_has_dir(&stage.image, p);
        let mut matched: Vec<(String, PathBuf)> = Vec::new();
        for s in &srcs {
            if is_url(s) {
                if !add {
                    return Err(Error::Invalid("source can't be a URL for COPY".to_string()));
                }
                let name = url_file_name(s);
                let target = if dest_is_dir || image_dirs(&dest) {
                    if name.is_empty() {
                        return Err(Error::Invalid(format!(
                            "cannot determine filename from url: {s}"
                        )));
                    }
                    format!("{}/{name}", dest.trim_end_matches('/'))
                } else {
                    dest.clone()
                };
                let file = self.download(s, &scratch.join(format!("url-{}", out.len())))?;
                out.push(Source {
                    from: SourceFrom::File(file),
                    dest: target,
                });
                continue;
            }
            let rel = clean_rel(s).ok_or_else(|| {
                Error::Invalid(format!("Forbidden path outside the build context: {s} ()"))
            })?;
            let found = expand_source(&root, &rel, &ignore);
            if found.is_empty() {
                let kind = if add { "ADD" } else { "COPY" };
                return Err(Error::Invalid(format!(
                    "{kind} failed: file not found in build context or excluded by .dockerignore: stat {s}: file does not exist"
                )));
            }
            for f in found {
                // A path that leaves the context through a symlink is refused.
                let abs = if f.is_empty() {
                    root.clone()
                } else {
                    root.join(&f)
                };
                let real_parent = if f.is_empty() {
                    std::fs::canonicalize(&root).ok()
                } else {
                    abs.parent().and_then(|p| std::fs::canonicalize(p).ok())
                };
                let real_root = std::fs::canonicalize(&root).unwrap_or(root.clone());
                if !real_parent.is_some_and(|p| p.starts_with(&real_root)) {
                    return Err(Error::Invalid(format!(
                        "Forbidden path outside the build context: {s} ()"
                    )));
                }
                matched.push((f, abs));
            }
        }
        if matched.len() + out.len() > 1 && !dest_is_dir {
            return Err(Error::Invalid(format!(
                "When using {} with more than one source file, the destination must be a directory and end with a /",
                if add { "ADD" } else { "COPY" }
            )));
        }
        for (rel, abs) in matched {
            let md = std::fs::symlink_metadata(&abs).map_err(|err| Error::Io {
                what: format!("stat {rel}"),
                err,
            })?;
            if md.is_dir() {
                out.push(Source {
                    from: SourceFrom::Dir(abs, ignore.clone(), rel),
                    dest: dest.clone(),
                });
            } else {
                let base = Path::new(&rel)
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let target = if dest_is_dir || image_dirs(&dest) {
                    format!("{}/{base}", dest.trim_end_matches('/'))
                } else {
                    dest.clone()
                };
                if add && md.is_file() && is_archive(&abs) {
                    out.push(Source {
                        from: SourceFrom::Archive(abs),
                        dest: dest.clone(),
                    });
                } else {
                    out.push(Source {
                        from: SourceFrom::File(abs),
                        dest: target,
                    });
                }
            }
        }
        Ok(out)
    }

    /// `ADD <url>`: the file, downloaded into `dir`, mode 0600 and the
    /// server's Last-Modified time, as docker leaves it.
    fn download(&self, url: &str, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).map_err(|err| Error::Io {
            what: format!("mkdir {}", dir.display()),
            err,
        })?;
        let file = dir.join("download");
        let fetched = crate::registry::http::get_to_file(url, &file)?;
        let io = |err| Error::Io {
            what: format!("download {url}"),
            err,
        };
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        if let Some(t) = fetched.modified {
            let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(t.max(0) as u64);
            std::fs::File::options()
                .write(true)
                .open(&file)
                .and_then(|f| f.set_modified(when))
                .map_err(io)?;
        }
        Ok(file)
    }

    /// Whether `path` (absolute) is a directory in image `image`. The
    /// layers are looked at one path component at a time and the image's
    /// symlinks are resolved within the image, never on the host.
    fn image_has_dir(&self, image: &str, path: &str) -> bool {
        let Ok(config) = self.images.config(image) else {
            return false;
        };
        let layers: Vec<PathBuf> = crate::image::ImageStore::chain_ids(&config)
            .iter()
            .rev()
            .map(|c| self.images.layer_diff(c))
            .collect();
        image_is_dir(&layers, path)
    }

    /// Copies `srcs` out of `image` into a temp dir (for `COPY --from`).
    fn extract_for_copy(&self, image: &str, srcs: &[String], dir: &Path) -> Result<PathBuf> {
        let config = self.images.config(image)?;
        let links_dir = self.images.links_dir();
        let mut lowers = Vec::new();
        for c in crate::image::ImageStore::chain_ids(&config).iter().rev() {
            lowers.push(self.images.layer_link(c)?);
        }
        lowers.push(self.containers.ensure_init_layer(&links_dir)?);
        let dir = dir.to_path_buf();
        let target = dir.with_extension("mnt");
        for d in [&dir, &target] {
            std::fs::create_dir_all(d).map_err(|err| Error::Io {
                what: format!("mkdir {}", d.display()),
                err,
            })?;
        }
        let srcs = srcs.to_vec();
        let dest = dir.clone();
        // The sources are read in a chroot of the image (its links resolve
        // inside it) and come out as a tar, which the safe unpacker writes
        // here: nothing on the host is read or written through the image's
        // symlinks.
        let produce = move |w: &mut dyn Write| -> std::result::Result<(), String> {
            let root = Path::new("/");
            let mut b = tar::Builder::new(w);
            b.follow_symlinks(false);
            for s in &srcs {
                let rel = clean_rel(s).ok_or_else(|| format!("invalid path {s}"))?;
                for f in expand_source(root, &rel, &Ignore::default()) {
                    let from = root.join(&f);
                    let md = std::fs::symlink_metadata(&from).map_err(|e| format!("{f}: {e}"))?;
                    let res = if md.is_dir() {
                        b.append_dir_all(&f, &from)
                    } else {
                        b.append_path_with_name(&from, &f)
                    };
                    res.map_err(|e| format!("{f}: {e}"))?;
                }
            }
            b.finish().map_err(|e| e.to_string())
        };
        let consume = move |r: &mut dyn Read| -> std::result::Result<(), String> {
            crate::archive::unpack(r, &dest)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let r = crate::runtime::with_readonly_root(&links_dir, &lowers, &target, produce, consume);
        let _ = std::fs::remove_dir(&target);
        r?;
        Ok(dir)
    }

    /// Streams the sources into container `cid`'s file system.
    fn copy_into(
        &self,
        cid: &str,
        sources: &[Source],
        owner: Option<(u32, u32)>,
        chmod: Option<u32>,
    ) -> Result<()> {
        let rec = self.containers.record(cid)?;
        let links_dir = self.images.links_dir();
        let mut lowers = Vec::new();
        for c in rec.layers.iter().rev() {
            lowers.push(self.images.layer_link(c)?);
        }
        if lowers.is_empty() {
            lowers.push(self.containers.ensure_init_layer(&links_dir)?);
        }
        let dir = self.containers.dir(cid);
        let r = crate::runtime::with_writable_root(
            &links_dir,
            &lowers,
            &dir.join("upper"),
            &dir.join("work"),
            &self.containers.root_mount_point()?,
            |w| write_copy_tar(w, sources, owner, chmod).map_err(|e| e.to_string()),
            |r| {
                crate::archive::unpack_in_root(r)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            },
        );
        r.map_err(Error::from)
    }
}

/// A step's temp dir, removed with everything in it when the step ends,
/// whichever way it ends (a cache hit, an error, a commit).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.0.exists() {
            let _ = fsx::remove_tree(&self.0);
        }
        let _ = std::fs::remove_dir(self.0.join("from").with_extension("mnt"));
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// The last path segment of a URL (no query, no fragment): the name
/// `ADD <url> /dir/` gives the file.
fn url_file_name(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    match rest.split_once('/') {
        Some((_, path)) => path.rsplit('/').next().unwrap_or("").to_string(),
        None => String::new(),
    }
}

/// Where a COPY source's bytes come from.
#[derive(Clone)]
enum SourceFrom {
    File(PathBuf),
    /// A directory: its contents (minus ignored paths; the path is its
    /// place in the context, for the ignore rules).
    Dir(PathBuf, Ignore, String),
    /// ADD of a local archive: its entries, extracted.
    Archive(PathBuf),
    /// A heredoc's text.
    Bytes(Vec<u8>),
    /// An empty directory (WORKDIR's).
    MkDir,
}

struct Source {
    from: SourceFrom,
    /// The absolute destination in the image.
    dest: String,
}

impl Source {
    fn is_file(&self) -> bool {
        matches!(self.from, SourceFrom::File(_) | SourceFrom::Bytes(_))
    }
}

fn is_predefined_arg(k: &str) -> bool {
    matches!(
        k,
        "HTTP_PROXY"
            | "http_proxy"
            | "HTTPS_PROXY"
            | "https_proxy"
            | "FTP_PROXY"
            | "ftp_proxy"
            | "NO_PROXY"
            | "no_proxy"
            | "ALL_PROXY"
            | "all_proxy"
    )
}

/// The cache key of a step that changes the config (and WORKDIR's
/// directory): the config it makes is part of it.
fn config_key(stage: &Stage, created_by: &str) -> String {
    cache_key(
        &stage.image,
        created_by,
        &serde_json::to_string(&stage.st.config).unwrap_or_default(),
    )
}

fn cache_key(parent: &str, created_by: &str, extra: &str) -> String {
    hash::sha256_digest(format!("{parent}\n{created_by}\n{extra}").as_bytes())
}

fn stage_index(names: &[Option<String>], name: &str) -> Option<usize> {
    let lower = name.to_lowercase();
    names
        .iter()
        .position(|s| s.as_deref() == Some(lower.as_str()))
        .or_else(|| name.parse::<usize>().ok().filter(|i| *i < names.len()))
}

/// The stages `target` needs (through FROM and COPY --from), in file order.
fn needed_stages(
    stages: &[StagePlan],
    target: usize,
    globals: &BTreeMap<String, String>,
) -> Vec<usize> {
    let names: Vec<Option<String>> = stages.iter().map(|s| s.name.clone()).collect();
    let mut need = vec![false; stages.len()];
    let mut todo = vec![target];
    while let Some(i) = todo.pop() {
        if need[i] {
            continue;
        }
        need[i] = true;
        if let Instruction::From { image, .. } = &stages[i].from.instruction {
            let base =
                dockerfile::words::expand(image, &|k| globals.get(k).cloned()).unwrap_or_default();
            if let Some(j) = stage_index(&names[..i], &base) {
                todo.push(j);
            }
        }
        for s in &stages[i].steps {
            if let Instruction::Copy(CopyArgs { from: Some(f), .. }) = &s.instruction {
                if let Some(j) = stage_index(&names[..i], f) {
                    todo.push(j);
                }
            }
        }
    }
    (0..stages.len()).filter(|i| need[*i]).collect()
}

/// `a/./b/` -> `a/b`; `None` when it climbs out with `..`.
fn clean_rel(s: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in Path::new(s).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?),
            Component::ParentDir => {
                parts.pop()?;
            }
            _ => {}
        }
    }
    Some(parts.join("/"))
}

fn clean_abs(s: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in s.split('/') {
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

/// The context paths a source names: itself, or its wildcard matches (in
/// its last component), minus what `.dockerignore` excludes.
/// Whether `path` is a directory in the merged `layers` (uppermost
/// first): each component is looked up with lstat in the uppermost layer
/// that has it, and a symlink is followed inside the image (40 hops).
fn image_is_dir(layers: &[PathBuf], path: &str) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let mut todo: Vec<String> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .rev()
        .collect();
    let mut cur: Vec<String> = Vec::new();
    let mut hops = 0;
    while let Some(c) = todo.pop() {
        if c == ".." {
            cur.pop();
            continue;
        }
        cur.push(c);
        let rel = cur.join("/");
        let found = layers
            .iter()
            .find_map(|l| std::fs::symlink_metadata(l.join(&rel)).ok().map(|m| (l, m)));
        let Some((layer, md)) = found else {
            return false;
        };
        let ft = md.file_type();
        if ft.is_char_device() && md.rdev() == 0 {
            return false; // a whiteout: deleted in this layer
        }
        if ft.is_symlink() {
            hops += 1;
            let Ok(target) = std::fs::read_link(layer.join(&rel)) else {
                return false;
            };
            if hops > 40 {
                return false;
            }
            cur.pop();
            let t = target.to_string_lossy().to_string();
            if t.starts_with('/') {
                cur.clear();
            }
            for part in t.split('/').filter(|p| !p.is_empty() && *p != ".").rev() {
                todo.push(part.to_string());
            }
        } else if !md.is_dir() {
            return false;
        }
    }
    true
}

fn expand_source(root: &Path, rel: &str, ignore: &Ignore) -> Vec<String> {
    if !ignore::has_wildcards(rel) {
        let ok = rel.is_empty()
            || (std::fs::symlink_metadata(root.join(rel)).is_ok() && !ignore.excluded(rel));
        return if ok { vec![rel.to_string()] } else { vec![] };
    }
    let (dir, pat) = match rel.rsplit_once('/') {
        Some((d, p)) => (d.to_string(), p.to_string()),
        None => (String::new(), rel.to_string()),
    };
    let mut out: Vec<String> = std::fs::read_dir(root.join(&dir))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| ignore::glob(pat.as_bytes(), n.as_bytes()))
                .map(|n| {
                    if dir.is_empty() {
                        n
                    } else {
                        format!("{dir}/{n}")
                    }
                })
                .filter(|p| !ignore.excluded(p))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn is_archive(p: &Path) -> bool {
    let Ok(f) = std::fs::File::open(p) else {
        return false;
    };
    let Ok((_, mut plain)) = crate::archive::decompressor(f) else {
        return false;
    };
    let mut head = vec![0u8; 512];
    let mut got = 0;
    while got < 512 {
        match plain.read(&mut head[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    got == 512 && &head[257..262] == b"ustar"
}

/// The size of the context as the tar docker would send: 512-byte headers,
/// contents padded to 512, two zero blocks at the end.
fn context_tar_size(dir: &Path, ignore: &Ignore) -> u64 {
    fn walk(root: &Path, rel: &str, ignore: &Ignore, total: &mut u64) {
        let Ok(rd) = std::fs::read_dir(root.join(rel)) else {
            return;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let p = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if ignore.excluded(&p) {
                continue;
            }
            let Ok(md) = e.metadata() else { continue };
            *total += 512;
            if md.is_dir() {
                walk(root, &p, ignore, total);
            } else if md.is_file() {
                *total += md.len().div_ceil(512) * 512;
            }
        }
    }
    let mut total = 0;
    walk(dir, "", ignore, &mut total);
    total + 1024
}

/// Writes the tar a COPY/ADD unpacks inside the image: every path absolute
/// within the image, owned by `owner` (default root), mode `chmod` if given.
fn write_copy_tar(
    w: &mut dyn Write,
    sources: &[Source],
    owner: Option<(u32, u32)>,
    chmod: Option<u32>,
) -> io::Result<()> {
    write_copy_tar_with(w, sources, owner, chmod, true)
}

/// The content digest of COPY sources for the cache: paths, modes, owners
/// and bytes, never times (moby #9391).
fn copy_digest(
    sources: &[Source],
    owner: Option<(u32, u32)>,
    chmod: Option<u32>,
) -> io::Result<String> {
    let mut w = hash::HashWriter::new(io::sink());
    write_copy_tar_with(&mut w, sources, owner, chmod, false)?;
    Ok(w.finish().0)
}

/// The "owner" of a `COPY --from` without `--chown`: each file's own.
const KEEP_OWNERS: (u32, u32) = (u32::MAX, u32::MAX);

fn write_copy_tar_with(
    w: &mut dyn Write,
    sources: &[Source],
    owner: Option<(u32, u32)>,
    chmod: Option<u32>,
    keep_times: bool,
) -> io::Result<()> {
    let (uid, gid) = owner.unwrap_or((0, 0));
    let mut b = tar::Builder::new(w);
    b.mode(tar::HeaderMode::Complete);
    let header = |md: Option<&std::fs::Metadata>, kind: tar::EntryType, size: u64| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        let mode = md.map(|m| m.mode() & 0o7777).unwrap_or(0o644);
        let mode = match (chmod, kind) {
            (Some(m), tar::EntryType::Regular | tar::EntryType::Directory) => m,
            _ => mode,
        };
        h.set_mode(mode);
        let (u, g) = match (owner, md) {
            (Some(KEEP_OWNERS), Some(m)) => (m.uid(), m.gid()),
            (Some(KEEP_OWNERS), None) => (0, 0),
            _ => (uid, gid),
        };
        h.set_uid(u as u64);
        h.set_gid(g as u64);
        h.set_mtime(if keep_times {
            md.map(|m| m.mtime().max(0) as u64).unwrap_or(0)
        } else {
            0
        });
        h.set_size(size);
        h
    };
    for s in sources {
        // Files with several links inside one copied directory stay one
        // file with several names, as docker's copy keeps them (separate
        // sources are separate files).
        let mut links: std::collections::HashMap<(u64, u64), String> = Default::default();
        let dest = s.dest.trim_start_matches('/').to_string();
        match &s.from {
            SourceFrom::Bytes(bytes) => {
                let mut h = header(None, tar::EntryType::Regular, bytes.len() as u64);
                b.append_data(&mut h, &dest, &bytes[..])?;
            }
            // A source that is itself a link is copied as what it points at
            // (inside the context; checked when the sources were found).
            SourceFrom::File(p) => append_path(&mut b, p, &dest, &header, &mut links, true)?,
            SourceFrom::MkDir => {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_mtime(if keep_times {
                    (time::now_nanos() / 1_000_000_000) as u64
                } else {
                    0
                });
                h.set_size(0);
                b.append_data(&mut h, &dest, io::empty())?;
            }
            SourceFrom::Dir(root, ignore, ctx_rel) => {
                // The destination directory itself: the source's mode and
                // the copy's owner, as docker gives it.
                if !dest.is_empty() {
                    let md = std::fs::metadata(root)?;
                    let mut h = header(Some(&md), tar::EntryType::Directory, 0);
                    if owner == Some(KEEP_OWNERS) {
                        // From another image: the new directory is root's.
                        h.set_uid(0);
                        h.set_gid(0);
                    }
                    b.append_data(&mut h, &dest, io::empty())?;
                }
                let mut stack = vec![(root.clone(), String::new())];
                while let Some((dir, rel)) = stack.pop() {
                    let mut names: Vec<_> = std::fs::read_dir(&dir)?
                        .flatten()
                        .map(|e| e.file_name())
                        .collect();
                    names.sort();
                    for n in names {
                        let n = n.to_string_lossy().to_string();
                        let sub_rel = if rel.is_empty() {
                            n.clone()
                        } else {
                            format!("{rel}/{n}")
                        };
                        let in_ctx = if ctx_rel.is_empty() {
                            sub_rel.clone()
                        } else {
                            format!("{ctx_rel}/{sub_rel}")
                        };
                        let path = dir.join(&n);
                        let is_dir = std::fs::symlink_metadata(&path)?.is_dir();
                        if ignore.excluded(&in_ctx) {
                            // An excluded directory may hold exceptions.
                            if is_dir && ignore.has_exceptions() {
                                stack.push((path, sub_rel));
                            }
                            continue;
                        }
                        let target = if dest.is_empty() {
                            sub_rel.clone()
                        } else {
                            format!("{dest}/{sub_rel}")
                        };
                        append_path(&mut b, &path, &target, &header, &mut links, false)?;
                        if is_dir {
                            stack.push((path, sub_rel));
                        }
                    }
                }
            }
            SourceFrom::Archive(p) => {
                let (_, plain) = crate::archive::decompressor(std::fs::File::open(p)?)
                    .map_err(|e| io::Error::other(e.to_string()))?;
                let mut ar = tar::Archive::new(plain);
                for e in ar.entries()? {
                    let mut e = e?;
                    let Some(rel) = clean_rel(&e.path()?.to_string_lossy()) else {
                        continue;
                    };
                    if rel.is_empty() {
                        continue;
                    }
                    let mut h = e.header().clone();
                    let under = |p: &str| {
                        let d = dest.trim_end_matches('/');
                        if d.is_empty() {
                            p.to_string()
                        } else {
                            format!("{d}/{p}")
                        }
                    };
                    let target = under(&rel);
                    if h.entry_type() == tar::EntryType::Link {
                        let link = e
                            .link_name()?
                            .map(|l| l.to_string_lossy().to_string())
                            .unwrap_or_default();
                        let link = under(&clean_rel(&link).unwrap_or_default());
                        b.append_link(&mut h, &target, link)?;
                    } else if h.entry_type() == tar::EntryType::Symlink {
                        let link = e.link_name()?.map(|l| l.to_path_buf()).unwrap_or_default();
                        b.append_link(&mut h, &target, link)?;
                    } else {
                        b.append_data(&mut h, &target, &mut e)?;
                    }
                }
            }
        }
    }
    b.finish()
}

/// One entry of a COPY tar. `follow`: a link is copied as its target.
/// `links`: the tar names of files seen with several links, by (dev, ino).
fn append_path<W: Write>(
    b: &mut tar::Builder<W>,
    p: &Path,
    target: &str,
    header: &dyn Fn(Option<&std::fs::Metadata>, tar::EntryType, u64) -> tar::Header,
    links: &mut std::collections::HashMap<(u64, u64), String>,
    follow: bool,
) -> io::Result<()> {
    let md = if follow {
        std::fs::metadata(p)?
    } else {
        std::fs::symlink_metadata(p)?
    };
    if md.file_type().is_symlink() {
        let mut h = header(Some(&md), tar::EntryType::Symlink, 0);
        b.append_link(&mut h, target, std::fs::read_link(p)?)?;
    } else if md.is_dir() {
        let mut h = header(Some(&md), tar::EntryType::Directory, 0);
        b.append_data(&mut h, target, io::empty())?;
    } else if md.is_file() {
        if md.nlink() > 1 {
            let key = (md.dev(), md.ino());
            if let Some(first) = links.get(&key) {
                let mut h = header(Some(&md), tar::EntryType::Link, 0);
                b.append_link(&mut h, target, first)?;
                return Ok(());
            }
            links.insert(key, target.to_string());
        }
        let mut h = header(Some(&md), tar::EntryType::Regular, md.len());
        b.append_data(&mut h, target, std::fs::File::open(p)?.take(md.len()))?;
    }
    Ok(())
}

fn pull_policy(always: bool) -> super::PullPolicy {
    if always {
        super::PullPolicy::Always
    } else {
        super::PullPolicy::Missing
    }
}
