//! `start`, `stop`, `kill`, `wait`, `logs`, and the hidden `__monitor`.

use super::{fail, out, Code};
use crate::engine::{Engine, ExecRequest, LogsRequest};
use clap::Args;
use std::os::fd::AsFd;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct StartArgs {
    /// Attach STDOUT/STDERR and forward signals
    #[arg(short, long)]
    attach: bool,
    /// Attach container's STDIN
    #[arg(short, long)]
    interactive: bool,
    /// The containers, by name, ID or unique ID prefix
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn exec_start(engine: &Engine, a: StartArgs) -> Code {
    if a.attach || a.interactive {
        let [name] = a.containers.as_slice() else {
            eprintln!("Error: you cannot start and attach multiple containers at once");
            return 1;
        };
        return match engine
            .resolve_container(name)
            .and_then(|id| engine.run_foreground(&id))
        {
            Ok(code) => code,
            Err(e) => fail(&e),
        };
    }
    let mut code = 0;
    for name in &a.containers {
        match engine
            .resolve_container(name)
            .and_then(|id| engine.start_detached(&id))
        {
            Ok(()) => out(&format!("{name}\n")),
            Err(e) => code = fail(&e),
        }
    }
    code
}

#[derive(Args, Debug)]
pub struct StopArgs {
    /// Seconds to wait before killing the container (default: its --stop-timeout, else 10)
    #[arg(
        short = 't',
        long = "timeout",
        visible_alias = "time",
        value_name = "SECONDS"
    )]
    timeout: Option<u64>,
    /// Signal to send to the container (default: its stop signal)
    #[arg(short, long)]
    signal: Option<String>,
    /// The containers, by name, ID or unique ID prefix
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn exec_stop(engine: &Engine, a: StopArgs) -> Code {
    let mut code = 0;
    for name in &a.containers {
        match engine.stop(
            name,
            a.timeout.map(Duration::from_secs),
            a.signal.as_deref(),
        ) {
            Ok(()) => out(&format!("{name}\n")),
            Err(e) => code = fail(&e),
        }
    }
    code
}

#[derive(Args, Debug)]
pub struct KillArgs {
    /// Signal to send to the container
    #[arg(short, long, default_value = "KILL")]
    signal: String,
    /// The containers, by name, ID or unique ID prefix
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn exec_kill(engine: &Engine, a: KillArgs) -> Code {
    let mut code = 0;
    for name in &a.containers {
        match engine.kill(name, &a.signal) {
            Ok(()) => out(&format!("{name}\n")),
            Err(e) => code = fail(&e),
        }
    }
    code
}

#[derive(Args, Debug)]
pub struct WaitArgs {
    /// The containers, by name, ID or unique ID prefix
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn exec_wait(engine: &Engine, a: WaitArgs) -> Code {
    let mut code = 0;
    for name in &a.containers {
        match engine.wait(name) {
            Ok(c) => out(&format!("{c}\n")),
            Err(e) => code = fail(&e),
        }
    }
    code
}

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// Follow log output
    #[arg(short, long)]
    follow: bool,
    /// Number of lines to show from the end of the logs ("all" for all)
    #[arg(short = 'n', long, default_value = "all")]
    tail: String,
    /// Show timestamps
    #[arg(short, long)]
    timestamps: bool,
    /// Show logs since a timestamp (2026-11-24T10:00:00Z) or a duration (42s, 10m, 1h)
    #[arg(long)]
    since: Option<String>,
    /// Show logs before a timestamp (2026-11-24T10:00:00Z) or a duration (42s, 10m, 1h)
    #[arg(long)]
    until: Option<String>,
    /// Show extra details provided to logs
    #[arg(long)]
    details: bool,
    /// The container, by name, ID or unique ID prefix
    container: String,
}

pub fn exec_logs(engine: &Engine, a: LogsArgs) -> Code {
    let tail = match a.tail.as_str() {
        "all" => None,
        n => match n.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                eprintln!("Error: invalid value for --tail: {n}");
                return 1;
            }
        },
    };
    let since = match a.since.as_deref().map(parse_since) {
        Some(Some(t)) => Some(t),
        Some(None) => {
            eprintln!(
                "Error: invalid value for --since: {}",
                a.since.unwrap_or_default()
            );
            return 1;
        }
        None => None,
    };
    let until = match a.until.as_deref().map(parse_since) {
        Some(Some(t)) => Some(t),
        Some(None) => {
            eprintln!(
                "Error: invalid value for --until: {}",
                a.until.unwrap_or_default()
            );
            return 1;
        }
        None => None,
    };
    let req = LogsRequest {
        follow: a.follow,
        tail,
        timestamps: a.timestamps,
        since,
        until,
        details: a.details,
    };
    let mut write = |stream: &str, text: &str| {
        if stream == "stderr" {
            use std::io::Write;
            let _ = std::io::stderr().write_all(text.as_bytes());
        } else {
            out(text);
        }
        true
    };
    match engine.logs(&a.container, &req, &mut write) {
        Ok(()) => 0,
        Err(e) => fail(&e),
    }
}

/// `--since`: an RFC 3339 time, or a duration back from now (`10m`).
fn parse_since(s: &str) -> Option<i128> {
    if let Some(t) = crate::util::time::parse_rfc3339(s) {
        return Some(t);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i128 = num.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return None,
    };
    Some(crate::util::time::now_nanos() - secs * 1_000_000_000)
}

/// `__monitor ID`: what `run -d` and `start` leave behind.
pub fn exec_monitor(engine: &Engine, id: &str, attach_first: bool, resume: Option<&str>) -> Code {
    // A resumed monitor said `ok` before its exec: its stdout is the log
    // pipe now, not the starter's.
    let handshake = match resume {
        Some(_) => None,
        None => match std::io::stdout().as_fd().try_clone_to_owned() {
            Ok(fd) => Some(std::fs::File::from(fd)),
            Err(_) => return 125,
        },
    };
    engine.monitor(id, handshake, attach_first, resume)
}

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct ExecArgs {
    /// Detached mode: run command in the background
    #[arg(short, long)]
    detach: bool,
    /// Set environment variables
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long, value_name = "FILE")]
    env_file: Vec<std::path::PathBuf>,
    /// Keep STDIN open even if not attached
    #[arg(short, long)]
    interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    tty: bool,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short, long)]
    user: Option<String>,
    /// Working directory inside the container
    #[arg(short, long)]
    workdir: Option<String>,
    /// Give extended privileges to the command
    #[arg(long)]
    privileged: bool,
    /// Print help
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
    /// The container, by name, ID or unique ID prefix
    container: String,
    /// The command and its arguments
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

pub fn exec_exec(engine: &Engine, a: ExecArgs) -> Code {
    if a.tty && a.interactive && !crate::runtime::stdin_is_tty() {
        eprintln!("the input device is not a TTY");
        return 1;
    }
    let mut env = Vec::new();
    for f in &a.env_file {
        match crate::engine::read_env_file(f) {
            Ok(lines) => env.extend(lines),
            Err(e) => return fail(&e),
        }
    }
    env.extend(a.env);
    let env = super::resolve_env(env);
    let req = ExecRequest {
        cmd: a.command,
        env,
        user: a.user,
        workdir: a.workdir,
        tty: a.tty,
        interactive: a.interactive,
        detach: a.detach,
        privileged: a.privileged,
    };
    match engine.exec(&a.container, &req) {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

#[derive(Args, Debug)]
pub struct ContainersArgs {
    /// The containers, by name, ID or unique ID prefix
    #[arg(required = true)]
    containers: Vec<String>,
}

/// `pause` / `unpause`: the names back, one per line.
pub fn exec_pause(engine: &Engine, a: ContainersArgs, pause: bool) -> Code {
    let mut code = 0;
    for name in &a.containers {
        let r = if pause {
            engine.pause(name)
        } else {
            engine.unpause(name)
        };
        match r {
            Ok(()) => out(&format!("{name}\n")),
            Err(e) => code = fail(&e),
        }
    }
    code
}

pub fn exec_restart(engine: &Engine, a: StopArgs) -> Code {
    let mut code = 0;
    for name in &a.containers {
        match engine.restart(
            name,
            a.timeout.map(Duration::from_secs),
            a.signal.as_deref(),
        ) {
            Ok(()) => out(&format!("{name}\n")),
            Err(e) => code = fail(&e),
        }
    }
    code
}

#[derive(Args, Debug)]
pub struct AttachArgs {
    /// Override the key sequence for detaching a container
    #[arg(long, default_value = "ctrl-p,ctrl-q")]
    detach_keys: String,
    /// Do not attach STDIN
    #[arg(long)]
    no_stdin: bool,
    /// Proxy all received signals to the process
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    sig_proxy: bool,
    /// The container, by name, ID or unique ID prefix
    container: String,
}

/// `ctrl-p,ctrl-q` -> [0x10, 0x11]; `a` -> [b'a'].
pub fn parse_keys(s: &str) -> Option<Vec<u8>> {
    s.split(',')
        .map(|k| match k.strip_prefix("ctrl-") {
            Some(c) if c.len() == 1 => {
                let b = c.as_bytes()[0].to_ascii_lowercase();
                b.is_ascii_lowercase().then_some(b - b'a' + 1)
            }
            Some("@") => Some(0),
            Some("[") => Some(27),
            Some(_) => None,
            None if k.len() == 1 => Some(k.as_bytes()[0]),
            None => None,
        })
        .collect()
}

/// Writes attached output: the stderr stream to stderr, the rest to stdout.
pub fn write_attached(stream: u8, data: &[u8]) {
    use std::io::Write;
    if stream == crate::engine::ATTACH_STDERR {
        let _ = std::io::stderr().write_all(data);
    } else {
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(data);
        let _ = o.flush();
    }
}

/// What an attach ended with: the exit code, or 0 after the detach keys.
pub fn attach_ended(r: crate::engine::Result<Option<i32>>) -> Code {
    match r {
        Ok(Some(code)) => code,
        Ok(None) => {
            eprintln!("\r\nread escape sequence");
            0
        }
        Err(e) => fail(&e),
    }
}

pub fn exec_attach(engine: &Engine, a: AttachArgs) -> Code {
    let Some(keys) = parse_keys(&a.detach_keys) else {
        eprintln!("Error: Invalid detach keys ({}) provided", a.detach_keys);
        return 1;
    };
    attach_ended(engine.attach_with(
        &a.container,
        &keys,
        !a.no_stdin,
        a.sig_proxy,
        &mut write_attached,
    ))
}
