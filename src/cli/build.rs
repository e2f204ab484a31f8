//! `strata build`, printed as docker's classic builder prints.

use super::{out, table, Code};
use crate::engine::{short_id, BuildEvent, BuildRequest, Engine};
use clap::{ArgAction, Args};
use std::io::Read;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Name and optionally a tag in the 'name:tag' format
    #[arg(short, long = "tag", value_name = "NAME[:TAG]")]
    tag: Vec<String>,
    /// Name of the Dockerfile (default: 'PATH/Dockerfile'; - for stdin)
    #[arg(short, long = "file", value_name = "FILE")]
    file: Option<PathBuf>,
    /// Set build-time variables
    #[arg(long = "build-arg", value_name = "KEY[=VALUE]")]
    build_arg: Vec<String>,
    /// Do not use cache when building the image
    #[arg(long)]
    no_cache: bool,
    /// Set the target build stage to build
    #[arg(long)]
    target: Option<String>,
    /// Suppress the build output and print image ID on success
    #[arg(short, long)]
    quiet: bool,
    /// Write the image ID to the file
    #[arg(long, value_name = "FILE")]
    iidfile: Option<PathBuf>,
    /// Set metadata for an image
    #[arg(long = "label", value_name = "KEY=VALUE")]
    label: Vec<String>,
    /// Remove intermediate containers after a successful build (always done)
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    rm: bool,
    /// Always remove intermediate containers, a failed step's too
    #[arg(long)]
    force_rm: bool,
    /// Set the networking mode for the RUN instructions (bridge, none, host)
    #[arg(long, default_value = "bridge")]
    network: String,
    /// Always attempt to pull a newer version of the image
    #[arg(long)]
    pull: bool,
    /// Memory limit
    #[arg(short, long, value_name = "BYTES")]
    memory: Option<String>,
    /// Swap limit equal to memory plus swap: -1 to enable unlimited swap
    #[arg(long, value_name = "BYTES", allow_hyphen_values = true)]
    memory_swap: Option<String>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long, value_name = "INT")]
    cpu_shares: Option<u64>,
    /// Limit the CPU CFS (Completely Fair Scheduler) period
    #[arg(long, value_name = "INT")]
    cpu_period: Option<u64>,
    /// Limit the CPU CFS (Completely Fair Scheduler) quota
    #[arg(long, value_name = "INT", allow_hyphen_values = true)]
    cpu_quota: Option<i64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long, value_name = "CPUS")]
    cpuset_cpus: Option<String>,
    /// Size of /dev/shm
    #[arg(long, value_name = "BYTES")]
    shm_size: Option<String>,
    /// Ulimit options
    #[arg(long, value_name = "ULIMIT")]
    ulimit: Vec<String>,
    /// Build interactively: each instruction typed runs at once, and the
    /// Dockerfile is written as you go (needs a terminal)
    #[arg(short, long)]
    interactive: bool,
    /// With -i: never rewrite the Dockerfile on disk (.write still does)
    #[arg(long, requires = "interactive")]
    no_write: bool,
    /// Say why each step that missed the cache missed it
    #[arg(long)]
    explain_cache: bool,
    /// The context directory, or - to read a Dockerfile from stdin
    context: String,
}

/// The RUN steps' limits, as `run` takes them.
fn build_limits(a: &BuildArgs) -> Result<crate::container::Limits, String> {
    use super::resources::size_flag;
    for u in &a.ulimit {
        crate::runtime::limits::parse_ulimit(u)
            .map_err(|e| format!("invalid argument \"{u}\" for \"--ulimit\" flag: {e}"))?;
    }
    Ok(crate::container::Limits {
        memory: size_flag(&a.memory, "-m, --memory")?,
        memory_swap: size_flag(&a.memory_swap, "--memory-swap")?,
        cpu_shares: a.cpu_shares,
        cpu_period: a.cpu_period,
        cpu_quota: a.cpu_quota,
        cpuset_cpus: a.cpuset_cpus.clone(),
        shm_size: size_flag(&a.shm_size, "--shm-size")?.map(|n| n as u64),
        ulimits: a.ulimit.clone(),
        ..Default::default()
    })
}

/// docker's line for a build event (none for the ones it does not print).
pub(super) fn event_line(e: BuildEvent, explain_cache: bool) -> Option<String> {
    Some(match e {
        BuildEvent::Context(n) => format!(
            "Sending build context to Docker daemon  {}",
            table::human_size_prec(n, 4)
        ),
        BuildEvent::Step { n, total, text } => format!("Step {n}/{total} : {text}"),
        BuildEvent::Cached => " ---> Using cache".into(),
        BuildEvent::Image(id) => format!(" ---> {id}"),
        BuildEvent::Running(id) => format!(" ---> Running in {id}"),
        BuildEvent::Removing(id) => format!("Removing intermediate container {id}"),
        BuildEvent::Triggers(n) => format!(
            "# Executing {n} build trigger{}",
            if n == 1 { "" } else { "s" }
        ),
        BuildEvent::Warning(w) => format!("[Warning] {w}"),
        BuildEvent::Note(n) => n,
        BuildEvent::Built(id) => format!("Successfully built {}", short_id(&id)),
        BuildEvent::Tagged(t) => format!("Successfully tagged {t}"),
        BuildEvent::Failed(_) => return None,
        BuildEvent::CacheMiss(why) if explain_cache => format!(" ---> Cache miss: {why}"),
        BuildEvent::CacheMiss(_) => return None,
    })
}

pub fn exec(engine: &Engine, a: BuildArgs) -> Code {
    let failed = |msg: String| {
        eprintln!("{msg}");
        1
    };
    let read_stdin = || {
        let mut s = Vec::new();
        std::io::stdin().lock().read_to_end(&mut s).map(|_| s)
    };
    let (context, dockerfile) = if a.context == "-" {
        (None, read_stdin())
    } else {
        let dir = PathBuf::from(&a.context);
        let text = match &a.file {
            Some(f) if f.as_os_str() == "-" => read_stdin(),
            Some(f) => std::fs::read(f),
            None => std::fs::read(dir.join("Dockerfile")),
        };
        (Some(dir), text)
    };
    let dockerfile = match dockerfile {
        // build -i: a Dockerfile still to be written.
        Err(e) if a.interactive && e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        other => other,
    };
    let dockerfile = match dockerfile {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => return failed("Error: the Dockerfile is not valid UTF-8".into()),
        },
        Err(e) => {
            let name = a
                .file
                .clone()
                .unwrap_or_else(|| PathBuf::from(&a.context).join("Dockerfile"));
            return failed(format!(
                "Error: unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: {}",
                name.display(),
                e.to_string().split(" (os error").next().unwrap_or("").to_lowercase()
            ));
        }
    };
    let build_args = a
        .build_arg
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            // A bare name takes our environment's value, as docker's.
            None => (kv.clone(), std::env::var(kv).ok()),
        })
        .collect();
    let labels = a
        .label
        .iter()
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    let limits = match build_limits(&a) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return 125;
        }
    };
    let req = BuildRequest {
        limits,
        context,
        dockerfile,
        tags: a.tag,
        build_args,
        no_cache: a.no_cache,
        target: a.target,
        quiet: a.quiet,
        force_rm: a.force_rm,
        labels,
        network: a.network,
        pull: a.pull,
        explain_cache: a.explain_cache,
    };
    if a.interactive {
        if req.context.is_none() || matches!(&a.file, Some(f) if f.as_os_str() == "-") {
            return failed("Error: build -i reads its instructions from the terminal: the context and the Dockerfile cannot be -".into());
        }
        let dockerfile = a
            .file
            .clone()
            .unwrap_or_else(|| PathBuf::from(&a.context).join("Dockerfile"));
        return super::build_i::exec(
            engine,
            req,
            super::build_i::Options {
                dockerfile,
                no_write: a.no_write,
                explain_cache: a.explain_cache,
            },
        );
    }
    let quiet = a.quiet;
    let explain = a.explain_cache;
    let result = engine.build(&req, &|e| {
        if !quiet {
            if let Some(line) = event_line(e, explain) {
                out(&format!("{line}\n"));
            }
        }
    });
    match result {
        Ok(id) => {
            if quiet {
                out(&format!("{id}\n"));
            }
            if let Some(f) = &a.iidfile {
                if let Err(e) = std::fs::write(f, &id) {
                    return failed(format!("Error: write {}: {e}", f.display()));
                }
            }
            0
        }
        Err(crate::engine::Error::Invalid(m)) if m.starts_with("The command '") => failed(m),
        Err(e) => failed(format!("Error: {e}")),
    }
}
