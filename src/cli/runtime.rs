//! `strata runtime ...`, or the binary named `strata-runc`: runc's command
//! line (the part conmon and containerd's runc-v2 shim use) over
//! `engine::oci_runtime`. Errors are runc's: `time=... level=error
//! msg=...` on stderr, a JSON line in `--log` with `--log-format json`,
//! exit status 1.

use crate::engine::oci_runtime::{self, OciRuntime};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "strata-runc",
    disable_version_flag = true,
    about = "strata's runtime as an OCI runtime (runc's command line)"
)]
struct Runc {
    /// Where container state is kept
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Where errors (and, with --debug, more) are logged
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// text or json
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    log_format: String,
    /// More in the log
    #[arg(long)]
    debug: bool,
    /// Use systemd's cgroup manager (not supported)
    #[arg(long)]
    systemd_cgroup: bool,
    /// Ignored: strata's runtime runs as root
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    rootless: Option<String>,
    /// Print the version
    #[arg(short = 'v', long)]
    version: bool,
    #[command(subcommand)]
    cmd: Option<Verb>,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
enum Verb {
    /// Create a container from a bundle; its process waits for start
    Create {
        #[arg(short, long, default_value = ".")]
        bundle: PathBuf,
        #[arg(long)]
        pid_file: Option<PathBuf>,
        #[arg(long)]
        console_socket: Option<PathBuf>,
        /// Taken, with the same result: strata always pivots into the root
        #[arg(long)]
        no_pivot: bool,
        /// Taken: the container's session keyring is always its own
        #[arg(long)]
        no_new_keyring: bool,
        /// Pass our fds 3..3+N to the program at the same numbers
        #[arg(long, default_value_t = 0)]
        preserve_fds: u32,
        id: String,
    },
    /// Run a created container's program
    Start { id: String },
    /// The container's state (JSON)
    State { id: String },
    /// Send a signal to the container's init (or, with --all, every process)
    Kill {
        #[arg(short, long)]
        all: bool,
        id: String,
        #[arg(default_value = "SIGTERM")]
        signal: String,
    },
    /// Delete a stopped container (a running one with --force)
    Delete {
        #[arg(short, long)]
        force: bool,
        id: String,
    },
    /// Run a process in a running container
    Exec {
        #[arg(short, long)]
        process: Option<PathBuf>,
        #[arg(short, long)]
        detach: bool,
        #[arg(long)]
        pid_file: Option<PathBuf>,
        #[arg(long)]
        console_socket: Option<PathBuf>,
        #[arg(short, long)]
        tty: bool,
        /// Pass our fds 3..3+N to the program at the same numbers
        #[arg(long, default_value_t = 0)]
        preserve_fds: u32,
        id: String,
        /// The command, when there is no --process file
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Freeze every process of the container
    Pause { id: String },
    /// Thaw it
    Resume { id: String },
    /// The container's processes
    Ps {
        #[arg(short, long, default_value = "table")]
        format: String,
        id: String,
    },
    /// The container's resource use, once (with --stats)
    Events {
        #[arg(long)]
        stats: bool,
        #[arg(long, default_value = "5s")]
        interval: String,
        id: String,
    },
    /// Change the container's resources (an OCI LinuxResources file, - for stdin)
    Update {
        #[arg(short, long)]
        resources: Option<PathBuf>,
        id: String,
    },
    /// What this runtime supports (JSON)
    Features,
    /// The containers this root knows
    List {
        #[arg(short, long, default_value = "table")]
        format: String,
        #[arg(short, long)]
        quiet: bool,
    },
}

struct Log {
    file: Option<PathBuf>,
    json: bool,
}

impl Log {
    fn error(&self, msg: &str) {
        self.line("error", msg)
    }

    fn warn(&self, msg: &str) {
        self.line("warning", msg)
    }

    fn line(&self, level: &str, msg: &str) {
        let now = crate::util::time::rfc3339(crate::util::time::now_nanos());
        let quoted = serde_json::to_string(msg).unwrap_or_default();
        eprintln!("time=\"{now}\" level={level} msg={quoted}");
        if let Some(f) = &self.file {
            if let Ok(mut out) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(f)
            {
                let line = if self.json {
                    serde_json::json!({"level": level, "msg": msg, "time": now}).to_string()
                } else {
                    format!("time=\"{now}\" level={level} msg={quoted}")
                };
                let _ = writeln!(out, "{line}");
            }
        }
    }
}

/// The runtime's command line; `args` without the program name.
pub fn main(args: Vec<String>) -> i32 {
    let argv = std::iter::once("strata-runc".to_string()).chain(args);
    let r = match Runc::try_parse_from(argv) {
        Ok(r) => r,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let log = Log {
        file: r.log.clone(),
        json: r.log_format == "json",
    };
    // The log file exists once we ran (the shim reads it).
    if let Some(f) = &log.file {
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(f);
    }
    if r.version {
        println!(
            "strata-runc version {}\nspec: {}\nlibseccomp: linked",
            env!("CARGO_PKG_VERSION"),
            oci_runtime::SPEC_VERSION
        );
        return 0;
    }
    if r.systemd_cgroup {
        log.error("--systemd-cgroup is not supported by strata: use the cgroupfs manager");
        return 1;
    }
    let Some(cmd) = r.cmd else {
        log.error("a command is needed (create, start, state, kill, delete, exec, ...)");
        return 1;
    };
    let devices = crate::runtime::cgroup::DeviceMode::parse(
        std::env::var("STRATA_CGROUP_DEVICES").ok().as_deref(),
    );
    let rt = OciRuntime::new(
        r.root.unwrap_or_else(oci_runtime::default_runtime_root),
        devices,
    );
    let done = match cmd {
        Verb::Create {
            bundle,
            pid_file,
            console_socket,
            preserve_fds,
            id,
            ..
        } => rt
            .create(
                &id,
                &bundle,
                pid_file.as_deref(),
                console_socket.as_deref(),
                preserve_fds,
            )
            .map(|_| ()),
        Verb::Start { id } => rt.start(&id).map(|w| w.iter().for_each(|m| log.warn(m))),
        Verb::State { id } => rt.state(&id).map(|v| {
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }),
        Verb::Kill { all, id, signal } => rt.kill(&id, &signal, all),
        Verb::Delete { force, id } => rt
            .delete(&id, force)
            .map(|w| w.iter().for_each(|m| log.warn(m))),
        Verb::Pause { id } => rt.pause(&id, true),
        Verb::Resume { id } => rt.pause(&id, false),
        Verb::Ps { format, id } => rt.pids(&id).map(|pids| {
            if format == "json" {
                println!("{}", serde_json::to_string(&pids).unwrap_or_default());
            } else {
                println!("PID");
                for p in pids {
                    println!("{p}");
                }
            }
        }),
        Verb::Features => {
            println!(
                "{}",
                serde_json::to_string_pretty(&oci_runtime::features()).unwrap_or_default()
            );
            Ok(())
        }
        Verb::List { format, quiet } => rt.list().map(|states| {
            if format == "json" {
                println!("{}", serde_json::to_string(&states).unwrap_or_default());
            } else if quiet {
                for s in &states {
                    println!("{}", s["id"].as_str().unwrap_or_default());
                }
            } else {
                println!("ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER");
                for s in &states {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\troot",
                        s["id"].as_str().unwrap_or_default(),
                        s["pid"],
                        s["status"].as_str().unwrap_or_default(),
                        s["bundle"].as_str().unwrap_or_default(),
                        s["created"].as_str().unwrap_or_default()
                    );
                }
            }
        }),
        Verb::Events { stats, id, .. } => {
            if !stats {
                log.error("only `events --stats` (one sample) is supported by strata");
                return 1;
            }
            rt.stats(&id).map(|v| println!("{v}"))
        }
        Verb::Update { resources, id } => match resources {
            None => {
                log.error("update needs --resources FILE (or - for stdin)");
                return 1;
            }
            Some(f) => {
                let data = if f.as_os_str() == "-" {
                    let mut b = Vec::new();
                    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut b);
                    Ok(b)
                } else {
                    std::fs::read(&f)
                };
                match data {
                    Ok(d) => rt.update(&id, &d),
                    Err(e) => {
                        log.error(&format!("read {}: {e}", f.display()));
                        return 1;
                    }
                }
            }
        },
        Verb::Exec {
            process,
            detach,
            pid_file,
            console_socket,
            tty,
            preserve_fds,
            id,
            command,
        } => {
            let file = match (process, command.is_empty()) {
                (Some(p), _) => Ok(p),
                (None, false) => rt.process_file_for(&command, tty),
                (None, true) => {
                    log.error("exec needs --process FILE or a command");
                    return 1;
                }
            };
            match file.and_then(|f| {
                rt.exec(
                    &id,
                    &f,
                    &oci_runtime::ExecOptions {
                        detach,
                        pid_file: pid_file.as_deref(),
                        console_socket: console_socket.as_deref(),
                        tty,
                        preserve_fds,
                    },
                )
            }) {
                Ok(code) if !detach => return code,
                Ok(_) => Ok(()),
                Err(e) => {
                    log.error(&format!("exec failed: {e}"));
                    return 255;
                }
            }
        }
    };
    match done {
        Ok(()) => 0,
        Err(e) => {
            log.error(&e.to_string());
            1
        }
    }
}
