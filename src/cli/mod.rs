//! Everything the user sees: clap definitions (one file per verb), tables,
//! templates, and the one place where errors become docker's exit codes.
//! A verb's arguments become a request for the engine; no logic that a
//! test of the engine would need lives here.

mod build;
mod build_i;
mod commit;
mod cp;
mod docs;
mod events;
mod images;
mod import;
mod inspect;
mod lifecycle;
mod network;
mod ps;
mod registry;
mod resources;
mod rm;
mod run;
mod runtime;
mod system;
mod table;
mod template;
mod transfer;
mod volume;

use crate::engine::{self, Engine};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

/// strata: a daemonless, docker-compatible container tool.
#[derive(Parser, Debug)]
#[command(name = "strata", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Store directory (images, layers, containers).
    #[arg(long, env = "STRATA_ROOT", value_name = "DIR", default_value_os_t = engine::default_root())]
    pub root: PathBuf,
    /// Directory for run-time state (locks).
    #[arg(long, env = "STRATA_RUNROOT", value_name = "DIR", default_value_os_t = engine::default_runroot())]
    pub runroot: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// Run a command in a new container
    Run(run::RunArgs),
    /// Create a new container
    Create(run::RunArgs),
    /// Start one or more stopped containers
    Start(lifecycle::StartArgs),
    /// Stop one or more running containers
    Stop(lifecycle::StopArgs),
    /// Kill one or more running containers
    Kill(lifecycle::KillArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(lifecycle::WaitArgs),
    /// Fetch the logs of a container
    Logs(lifecycle::LogsArgs),
    /// Execute a command in a running container
    Exec(lifecycle::ExecArgs),
    /// Attach local standard input, output, and error streams to a running container
    Attach(lifecycle::AttachArgs),
    /// Restart one or more containers
    Restart(lifecycle::StopArgs),
    /// Pause all processes within one or more containers
    Pause(lifecycle::ContainersArgs),
    /// Unpause all processes within one or more containers
    Unpause(lifecycle::ContainersArgs),
    /// Display the running processes of a container
    Top(resources::TopArgs),
    /// Update configuration of one or more containers
    Update(resources::UpdateArgs),
    /// Display a live stream of container(s) resource usage statistics
    Stats(resources::StatsArgs),
    /// List containers
    Ps(ps::PsArgs),
    /// Remove one or more containers
    Rm(rm::RmArgs),
    /// Manage containers
    #[command(subcommand)]
    Container(ContainerCommand),
    /// List images
    Images(images::ImagesArgs),
    /// Manage images
    #[command(subcommand)]
    Image(ImageCommand),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(images::TagArgs),
    /// Remove one or more images
    Rmi(images::RmiArgs),
    /// Build an image from a Dockerfile
    Build(build::BuildArgs),
    /// Create a new image from a container's changes
    Commit(commit::CommitArgs),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(commit::DiffArgs),
    /// Show the history of an image
    History(commit::HistoryArgs),
    /// Export a container's filesystem as a tar archive
    Export(commit::ExportArgs),
    /// Import the contents from a tarball to create a filesystem image
    Import(import::ImportArgs),
    /// Download an image from a registry
    Pull(registry::PullArgs),
    /// Upload an image to a registry
    Push(registry::PushArgs),
    /// Log in to a registry
    Login(registry::LoginArgs),
    /// Log out from a registry
    Logout(registry::LogoutArgs),
    /// Save one or more images to a tar archive (streamed to STDOUT by default)
    Save(transfer::SaveArgs),
    /// Load an image from a tar archive or STDIN
    Load(transfer::LoadArgs),
    /// Return low-level information on containers and images
    Inspect(inspect::InspectArgs),
    /// List port mappings or a specific mapping for the container
    Port(ps::PortArgs),
    /// Show the strata version information
    Version(system::FormatArgs),
    /// Display system-wide information
    Info(system::FormatArgs),
    /// Rename a container
    Rename {
        /// The container, by name, ID or unique ID prefix
        container: String,
        /// Its new name
        new_name: String,
    },
    /// Copy files/folders between a container and the local filesystem
    Cp(cp::CpArgs),
    /// Get real time events from the server
    Events(events::EventsArgs),
    /// Manage volumes
    #[command(subcommand)]
    Volume(volume::VolumeCommand),
    /// Manage networks
    #[command(subcommand)]
    Network(network::NetworkCommand),
    /// Manage strata
    #[command(subcommand)]
    System(SystemCommand),
    /// Serve the Docker Engine API (for the docker CLI, compose and the SDKs)
    Serve(ServeArgs),
    /// Act as an OCI runtime, with runc's command line (also as `strata-runc`)
    #[command(disable_help_flag = true)]
    Runtime {
        /// runc's arguments: [--root DIR] [--log FILE] [--log-format json] create|start|state|kill|delete|exec|...
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Remove the default bridge and its NAT table (no container may use it)
    #[command(name = "__network-teardown", hide = true)]
    NetworkTeardown,
    /// Delete a removed container's directory (an --rm run's, after its exit)
    #[command(name = "__rm-tree", hide = true)]
    RmTree {
        /// The directory's locked fd, inherited (held until the end)
        #[arg(long)]
        fd: Option<i32>,
        /// The `containers/.rm-ID` directory
        dir: PathBuf,
    },
    /// Run and watch a detached container (started by run -d and start)
    #[command(name = "__monitor", hide = true)]
    Monitor {
        /// Wait for the first attach before starting (run -it)
        #[arg(long)]
        attach_first: bool,
        /// A monitor restarting its container (fds it kept, by number)
        #[arg(long)]
        resume: Option<String>,
        /// The container's full ID
        id: String,
    },
    /// Write the man pages and shell completions (for packagers)
    #[command(name = "__gen-docs", hide = true)]
    GenDocs {
        /// Directory that receives man/ and completions/
        dir: PathBuf,
    },
}

// `strata serve`'s flags. (Not a doc comment: under deferred subcommands
// a flattened or newtype struct's doc would replace the verb's about.)
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Where to listen: unix:///PATH or tcp://HOST:PORT (repeatable;
    /// default unix://RUNROOT/docker.sock)
    #[arg(short = 'H', long = "host", value_name = "HOST")]
    pub host: Vec<String>,
}

/// How a verb ended: the process exit code.
/// `strata container …`: docker's management commands for containers.
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum ContainerCommand {
    /// List containers
    #[command(visible_aliases = ["list", "ps"])]
    Ls(ps::PsArgs),
    /// Create and run a new container from an image
    Run(run::RunArgs),
    /// Create a new container
    Create(run::RunArgs),
    /// Start one or more stopped containers
    Start(lifecycle::StartArgs),
    /// Stop one or more running containers
    Stop(lifecycle::StopArgs),
    /// Restart one or more containers
    Restart(lifecycle::StopArgs),
    /// Kill one or more running containers
    Kill(lifecycle::KillArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(lifecycle::WaitArgs),
    /// Fetch the logs of a container
    Logs(lifecycle::LogsArgs),
    /// Execute a command in a running container
    Exec(lifecycle::ExecArgs),
    /// Attach to a running container
    Attach(lifecycle::AttachArgs),
    /// Pause all processes within one or more containers
    Pause(lifecycle::ContainersArgs),
    /// Unpause all processes within one or more containers
    Unpause(lifecycle::ContainersArgs),
    /// Display the running processes of a container
    Top(resources::TopArgs),
    /// Update configuration of one or more containers
    Update(resources::UpdateArgs),
    /// Display a live stream of container(s) resource usage statistics
    Stats(resources::StatsArgs),
    /// Remove one or more containers
    #[command(visible_alias = "remove")]
    Rm(rm::RmArgs),
    /// Remove all stopped containers
    Prune(rm::PruneArgs),
    /// Display detailed information on one or more containers
    Inspect(inspect::InspectArgs),
    /// List port mappings or a specific mapping for the container
    Port(ps::PortArgs),
    /// Create a new image from a container's changes
    Commit(commit::CommitArgs),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(commit::DiffArgs),
    /// Export a container's filesystem as a tar archive
    Export(commit::ExportArgs),
    /// Copy files/folders between a container and the local filesystem
    Cp(cp::CpArgs),
    /// Rename a container
    Rename {
        /// The container, by name, ID or unique ID prefix
        container: String,
        /// Its new name
        new_name: String,
    },
}

/// `strata image …`: docker's management commands for images.
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum SystemCommand {
    /// Display system-wide information
    Info(system::FormatArgs),
    /// Show docker disk usage
    Df(system::DfArgs),
    /// Remove unused data
    Prune(system::SystemPruneArgs),
    /// Get real time events from the server
    Events(events::EventsArgs),
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum ImageCommand {
    /// List images
    #[command(visible_alias = "list")]
    Ls(images::ImagesArgs),
    /// Remove one or more images
    #[command(visible_alias = "remove")]
    Rm(images::RmiArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(images::TagArgs),
    /// Remove unused images
    Prune(images::ImagePruneArgs),
    /// Download an image from a registry
    Pull(registry::PullArgs),
    /// Upload an image to a registry
    Push(registry::PushArgs),
    /// Save one or more images to a tar archive (streamed to STDOUT by default)
    Save(transfer::SaveArgs),
    /// Load an image from a tar archive or STDIN
    Load(transfer::LoadArgs),
    /// Import the contents from a tarball to create a filesystem image
    Import(import::ImportArgs),
    /// Show the history of an image
    History(commit::HistoryArgs),
    /// Display detailed information on one or more images
    Inspect(inspect::InspectArgs),
    /// Build an image from a Dockerfile
    Build(Box<build::BuildArgs>),
}

pub type Code = i32;

/// Which verb runs, for docker's exit codes: `run` says 125 for its own
/// errors (126/127 for a command that cannot run), `exec` 126 for a
/// command that cannot run, every other verb 1.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    Run = 0,
    Exec = 1,
    Other = 2,
}

static VERB: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(Verb::Other as u8);

fn verb() -> Verb {
    match VERB.load(std::sync::atomic::Ordering::Relaxed) {
        0 => Verb::Run,
        1 => Verb::Exec,
        _ => Verb::Other,
    }
}

/// The verb as typed (`run`, `container ls`), after the global flags.
fn typed_verb(args: &[String]) -> String {
    let mut words = Vec::new();
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        if a == "--root" || a == "--runroot" {
            it.next();
        } else if a.starts_with('-') {
            continue;
        } else {
            words.push(a.clone());
            if words.len() == 2 || !(a == "container" || a == "image") {
                break;
            }
        }
    }
    words.join(" ")
}

/// docker's usage line of a verb (`docker run --help`'s first line).
fn docker_usage(verb: &str) -> String {
    let last = verb.rsplit(' ').next().unwrap_or(verb);
    let rest = match last {
        "run" | "create" => "[OPTIONS] IMAGE [COMMAND] [ARG...]",
        "exec" => "[OPTIONS] CONTAINER COMMAND [ARG...]",
        "ps" | "ls" | "images" | "login" => "[OPTIONS]",
        "build" => "[OPTIONS] PATH | URL | -",
        "commit" => "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
        "pull" | "push" => "[OPTIONS] NAME[:TAG|@DIGEST]",
        "rm" | "start" | "stop" | "kill" | "restart" | "wait" | "pause" | "unpause" => {
            "[OPTIONS] CONTAINER [CONTAINER...]"
        }
        "rmi" | "save" => "[OPTIONS] IMAGE [IMAGE...]",
        "logs" | "attach" | "diff" | "export" => "[OPTIONS] CONTAINER",
        "tag" => "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
        "inspect" => "[OPTIONS] NAME|ID [NAME|ID...]",
        "history" => "[OPTIONS] IMAGE",
        "import" => "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
        "load" | "prune" => "[OPTIONS]",
        "port" => "CONTAINER [PRIVATE_PORT[/PROTO]]",
        "logout" => "[SERVER]",
        _ => "[OPTIONS]",
    };
    format!("strata {verb} {rest}")
}

/// Parses the command line, runs the verb, and returns the exit code.
pub fn main() -> Code {
    // The OCI runtime: `strata-runc ARGS` (a link to this binary) or
    // `strata runtime ARGS`, with runc's command line, not docker's.
    let args: Vec<String> = std::env::args().collect();
    let prog = args
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
        .unwrap_or_default();
    if prog == "strata-runc" || prog == "runc" {
        return runtime::main(args[1..].to_vec());
    }
    if args.get(1).map(String::as_str) == Some("runtime") {
        return runtime::main(args[2..].to_vec());
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::{ContextKind, ContextValue, ErrorKind};
            if e.kind() == ErrorKind::UnknownArgument {
                // docker's text for a flag it does not know, and its 125.
                let args: Vec<String> = std::env::args().collect();
                let verb = typed_verb(&args);
                let flag = match e.get(ContextKind::InvalidArg) {
                    Some(ContextValue::String(s)) => s.clone(),
                    _ => String::new(),
                };
                let what = match flag.strip_prefix("--") {
                    Some(_) => format!("unknown flag: {}", flag.split('=').next().unwrap_or(&flag)),
                    None => {
                        let c = flag.trim_start_matches('-').chars().next().unwrap_or('?');
                        format!("unknown shorthand flag: '{c}' in {flag}")
                    }
                };
                if !verb.is_empty() {
                    eprintln!(
                        "{what}\n\nUsage:  {}\n\nRun 'strata {verb} --help' for more information",
                        docker_usage(&verb)
                    );
                    return 125;
                }
            }
            let code = if e.use_stderr() { 125 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let kind = match &cli.command {
        Command::Run(_) | Command::Container(ContainerCommand::Run(_)) => Verb::Run,
        Command::Exec(_) | Command::Container(ContainerCommand::Exec(_)) => Verb::Exec,
        _ => Verb::Other,
    };
    VERB.store(kind as u8, std::sync::atomic::Ordering::Relaxed);
    if let Command::GenDocs { dir } = &cli.command {
        return report(docs::generate(dir).map_err(|err| engine::Error::Io {
            what: "write docs".into(),
            err,
        }));
    }
    // The environment, read once, here.
    let settings = engine::Settings::from_env(cli.root.clone(), cli.runroot.clone());
    if let Command::NetworkTeardown = &cli.command {
        return report(engine::network_teardown(&settings));
    }
    // No store is opened: the directory is the whole job.
    if let Command::RmTree { dir, .. } = &cli.command {
        return match crate::container::remove_retired(dir) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("Error: {e}");
                1
            }
        };
    }
    if let Command::Serve(a) = &cli.command {
        let mut hosts = Vec::new();
        for h in &a.host {
            match crate::api::Endpoint::parse(h) {
                Ok(e) => hosts.push(e),
                Err(e) => {
                    eprintln!("Error: {e}");
                    return 1;
                }
            }
        }
        return match crate::api::serve(settings, &hosts) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("Error: {e}");
                1
            }
        };
    }
    if let Command::Version(a) = cli.command {
        return system::exec_version(a);
    }
    let engine = match Engine::open(settings, Box::new(|line| eprintln!("{line}"))) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    match cli.command {
        Command::Run(a) => run::exec(&engine, a),
        Command::Info(a) | Command::System(SystemCommand::Info(a)) => system::exec_info(&engine, a),
        Command::Version(_) => 0,
        Command::Create(a) => run::exec_create(&engine, a),
        Command::Start(a) => lifecycle::exec_start(&engine, a),
        Command::Stop(a) => lifecycle::exec_stop(&engine, a),
        Command::Kill(a) => lifecycle::exec_kill(&engine, a),
        Command::Wait(a) => lifecycle::exec_wait(&engine, a),
        Command::Logs(a) => lifecycle::exec_logs(&engine, a),
        Command::Exec(a) => lifecycle::exec_exec(&engine, a),
        Command::Attach(a) => lifecycle::exec_attach(&engine, a),
        Command::Restart(a) => lifecycle::exec_restart(&engine, a),
        Command::Pause(a) => lifecycle::exec_pause(&engine, a, true),
        Command::Unpause(a) => lifecycle::exec_pause(&engine, a, false),
        Command::Top(a) => resources::exec_top(&engine, a),
        Command::Update(a) => resources::exec_update(&engine, a),
        Command::Stats(a) => resources::exec_stats(&engine, a),
        Command::Monitor {
            id,
            attach_first,
            resume,
        } => lifecycle::exec_monitor(&engine, &id, attach_first, resume.as_deref()),
        Command::Ps(a) => ps::exec(&engine, a),
        Command::Rm(a) => rm::exec(&engine, a),
        Command::Volume(c) => volume::exec(&engine, c),
        Command::Network(c) => network::exec(&engine, c),
        Command::Cp(a) => cp::exec(&engine, a),
        Command::Events(a) | Command::System(SystemCommand::Events(a)) => events::exec(&engine, a),
        Command::System(SystemCommand::Df(a)) => system::exec_df(&engine, a),
        Command::System(SystemCommand::Prune(a)) => system::exec_prune(&engine, a),
        Command::Rename {
            container,
            new_name,
        } => report(engine.rename(&container, &new_name)),
        Command::Container(c) => match c {
            ContainerCommand::Ls(a) => ps::exec(&engine, a),
            ContainerCommand::Run(a) => run::exec(&engine, a),
            ContainerCommand::Create(a) => run::exec_create(&engine, a),
            ContainerCommand::Start(a) => lifecycle::exec_start(&engine, a),
            ContainerCommand::Stop(a) => lifecycle::exec_stop(&engine, a),
            ContainerCommand::Restart(a) => lifecycle::exec_restart(&engine, a),
            ContainerCommand::Kill(a) => lifecycle::exec_kill(&engine, a),
            ContainerCommand::Wait(a) => lifecycle::exec_wait(&engine, a),
            ContainerCommand::Logs(a) => lifecycle::exec_logs(&engine, a),
            ContainerCommand::Exec(a) => lifecycle::exec_exec(&engine, a),
            ContainerCommand::Attach(a) => lifecycle::exec_attach(&engine, a),
            ContainerCommand::Pause(a) => lifecycle::exec_pause(&engine, a, true),
            ContainerCommand::Unpause(a) => lifecycle::exec_pause(&engine, a, false),
            ContainerCommand::Top(a) => resources::exec_top(&engine, a),
            ContainerCommand::Update(a) => resources::exec_update(&engine, a),
            ContainerCommand::Stats(a) => resources::exec_stats(&engine, a),
            ContainerCommand::Rm(a) => rm::exec(&engine, a),
            ContainerCommand::Prune(a) => rm::exec_prune(&engine, a),
            ContainerCommand::Inspect(a) => inspect::exec(&engine, a),
            ContainerCommand::Port(a) => ps::exec_port(&engine, a),
            ContainerCommand::Commit(a) => commit::exec_commit(&engine, a),
            ContainerCommand::Diff(a) => commit::exec_diff(&engine, a),
            ContainerCommand::Export(a) => commit::exec_export(&engine, a),
            ContainerCommand::Cp(a) => cp::exec(&engine, a),
            ContainerCommand::Rename {
                container,
                new_name,
            } => report(engine.rename(&container, &new_name)),
        },
        Command::Images(a) => images::exec_images(&engine, a),
        Command::Image(c) => match c {
            ImageCommand::Ls(a) => images::exec_images(&engine, a),
            ImageCommand::Rm(a) => images::exec_rmi(&engine, a),
            ImageCommand::Tag(a) => report(engine.tag(&a.source, &a.target)),
            ImageCommand::Prune(a) => images::exec_image_prune(&engine, a),
            ImageCommand::Pull(a) => registry::exec_pull(&engine, a),
            ImageCommand::Push(a) => registry::exec_push(&engine, a),
            ImageCommand::Save(a) => transfer::exec_save(&engine, a),
            ImageCommand::Load(a) => transfer::exec_load(&engine, a),
            ImageCommand::Import(a) => import::exec(&engine, a),
            ImageCommand::History(a) => commit::exec_history(&engine, a),
            ImageCommand::Inspect(a) => inspect::exec(&engine, a),
            ImageCommand::Build(a) => build::exec(&engine, *a),
        },
        Command::Tag(a) => report(engine.tag(&a.source, &a.target)),
        Command::Rmi(a) => images::exec_rmi(&engine, a),
        Command::Import(a) => import::exec(&engine, a),
        Command::Pull(a) => registry::exec_pull(&engine, a),
        Command::Push(a) => registry::exec_push(&engine, a),
        Command::Login(a) => registry::exec_login(&engine, a),
        Command::Logout(a) => registry::exec_logout(&engine, a),
        Command::Save(a) => transfer::exec_save(&engine, a),
        Command::Load(a) => transfer::exec_load(&engine, a),
        Command::Build(a) => build::exec(&engine, a),
        Command::Commit(a) => commit::exec_commit(&engine, a),
        Command::Diff(a) => commit::exec_diff(&engine, a),
        Command::History(a) => commit::exec_history(&engine, a),
        Command::Export(a) => commit::exec_export(&engine, a),
        Command::Inspect(a) => inspect::exec(&engine, a),
        Command::Port(a) => ps::exec_port(&engine, a),
        Command::GenDocs { .. }
        | Command::NetworkTeardown
        | Command::RmTree { .. }
        | Command::Serve(_)
        | Command::Runtime { .. } => 0,
    }
}

/// Prints an error in one line and returns its exit code.
/// docker's prune question on stderr; true when the answer is yes.
pub fn confirm(what: &str) -> bool {
    use std::io::BufRead;
    eprint!("WARNING! This will remove {what}.\nAre you sure you want to continue? [y/N] ");
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    matches!(line.trim(), "y" | "Y" | "yes")
}

/// `-e` and `--env-file` entries: a bare `KEY` takes this process's value,
/// or is dropped when it has none (docker's rule), here at the edge.
pub fn resolve_env(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .filter_map(|e| {
            if e.contains('=') {
                Some(e)
            } else {
                std::env::var(&e).ok().map(|v| format!("{e}={v}"))
            }
        })
        .collect()
}

/// `KEY=VALUE` flags (`--label`, `-o`) as a map; a bare key is empty.
pub fn key_values(list: &[String]) -> std::collections::BTreeMap<String, String> {
    list.iter()
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// The `prune` verbs alike: docker's confirmation (unless `force`), the
/// `--filter`s, the removal, docker's report of `kind`.
pub fn run_prune(
    force: bool,
    what: &str,
    filters: &[String],
    kind: &str,
    remove: impl FnOnce(&engine::PruneFilter) -> engine::Result<(Vec<String>, u64)>,
) -> Code {
    if !force && !confirm(what) {
        return 0;
    }
    let filter = match engine::PruneFilter::parse(filters) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    match remove(&filter) {
        Ok((lines, freed)) => {
            out(&prune_report(kind, &lines, freed));
            0
        }
        Err(e) => fail(&e),
    }
}

/// docker's prune report: `Deleted KIND:` and its lines, then the space.
pub fn prune_report(kind: &str, lines: &[String], freed: u64) -> String {
    let mut s = String::new();
    if !lines.is_empty() {
        s.push_str(&format!("Deleted {kind}:\n"));
        for l in lines {
            s.push_str(l);
            s.push('\n');
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "Total reclaimed space: {}\n",
        table::human_size(freed)
    ));
    s
}

pub fn fail(e: &engine::Error) -> Code {
    eprintln!("Error: {e}");
    error_code(e.exit_code())
}

/// docker's exit code, for this verb, of a failure whose own code is `code`.
pub fn error_code(code: Code) -> Code {
    match verb() {
        Verb::Run => code,
        Verb::Exec if code == 126 || code == 127 => 126,
        _ => 1,
    }
}

/// 0 for success, the error's code otherwise.
pub fn report<T>(r: engine::Result<T>) -> Code {
    match r {
        Ok(_) => 0,
        Err(e) => fail(&e),
    }
}

/// Writes to stdout; a closed pipe (`strata ps | head -1`) ends quietly.
pub fn out(text: &str) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(text.as_bytes()).and_then(|_| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Writes an output file that a flag names (`save -o`, `export -o`). A new
/// path or a regular file is written beside and renamed over, so a failure
/// leaves no half file under the name. Anything else (a device such as
/// /dev/null, a fifo, a symlink) is opened and written in place, as docker
/// does: a rename would replace the device or the link itself.
pub fn write_output(
    path: &std::path::Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), crate::engine::Error>,
) -> Result<(), crate::engine::Error> {
    use crate::engine::Error;
    let io = |what: String| move |err| Error::Io { what, err };
    let in_place = std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file());
    if in_place {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .map_err(io(format!("open {}", path.display())))?;
        return write(&mut f);
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".strata-part-{}", std::process::id()));
    let part = path.with_file_name(name);
    let r = std::fs::File::create(&part)
        .map_err(io(format!("open {}", path.display())))
        .and_then(|mut f| write(&mut f))
        .and_then(|_| {
            std::fs::rename(&part, path).map_err(io(format!("rename to {}", path.display())))
        });
    if r.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_bare_env_name_takes_this_process_s_value_or_goes() {
        std::env::set_var("STRATA_TEST_FROM_HOST", "yes");
        let out = super::resolve_env(vec![
            "A=1".into(),
            "STRATA_TEST_FROM_HOST".into(),
            "STRATA_TEST_UNSET_XYZ".into(),
        ]);
        assert_eq!(
            out,
            vec!["A=1".to_string(), "STRATA_TEST_FROM_HOST=yes".into()]
        );
    }
}
