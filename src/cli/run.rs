//! `strata run`.

use super::{fail, Code};
use crate::engine::{Engine, RunRequest, Volume};
use clap::{ArgAction, Args};
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct RunArgs {
    /// Keep STDIN open
    #[arg(short, long)]
    interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    tty: bool,
    /// Automatically remove the container when it exits
    #[arg(long)]
    rm: bool,
    /// Pull image before running ("always", "missing", "never")
    #[arg(long, value_name = "POLICY", default_value = "missing")]
    pull: crate::engine::PullPolicy,
    /// Run container in background and print container ID
    #[arg(short, long)]
    detach: bool,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long)]
    init: bool,
    /// Override the key sequence for detaching a container (with -it)
    #[arg(long, default_value = "ctrl-p,ctrl-q")]
    detach_keys: String,
    /// Restart policy (no, always, unless-stopped, on-failure[:N]), applied by the container's monitor (-d or start)
    #[arg(long, value_name = "POLICY")]
    restart: Option<String>,
    /// Assign a name to the container
    #[arg(long)]
    name: Option<String>,
    /// Set environment variables
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long, value_name = "FILE")]
    env_file: Vec<PathBuf>,
    /// Working directory inside the container
    #[arg(short, long, value_name = "DIR")]
    workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short, long)]
    user: Option<String>,
    /// Container host name
    #[arg(short = 'h', long)]
    hostname: Option<String>,
    /// Bind mount a volume
    #[arg(short, long = "volume", value_name = "[SOURCE:]TARGET[:OPTIONS]")]
    volume: Vec<String>,
    /// Attach a filesystem mount to the container
    #[arg(long = "mount", value_name = "type=bind|volume|tmpfs,...")]
    mount: Vec<String>,
    /// Mount volumes from the specified container(s)
    #[arg(long = "volumes-from", value_name = "CONTAINER[:ro|rw]")]
    volumes_from: Vec<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long)]
    entrypoint: Option<String>,
    /// Connect a container to a network (bridge, none, host, or a network's name)
    #[arg(long, alias = "net", default_value = "bridge", value_name = "NETWORK")]
    network: String,
    /// Add network-scoped alias for the container
    #[arg(long = "network-alias", value_name = "ALIAS")]
    network_alias: Vec<String>,
    /// IPv4 address (e.g., 172.30.100.104)
    #[arg(long, value_name = "ADDRESS")]
    ip: Option<String>,
    /// Publish a container's port(s) to the host ([IP:][HOST:]CONTAINER[/PROTO])
    #[arg(short, long = "publish", value_name = "PORTS")]
    publish: Vec<String>,
    /// Publish all exposed ports to random ports
    #[arg(short = 'P', long)]
    publish_all: bool,
    /// Set custom DNS servers
    #[arg(long, value_name = "IP")]
    dns: Vec<String>,
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host", value_name = "HOST:IP")]
    add_host: Vec<String>,
    /// Add Linux capabilities
    #[arg(long = "cap-add", value_name = "CAP")]
    cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long = "cap-drop", value_name = "CAP")]
    cap_drop: Vec<String>,
    /// Give extended privileges to this container
    #[arg(long)]
    privileged: bool,
    /// Security options (seccomp=unconfined|PROFILE.json, no-new-privileges)
    #[arg(long = "security-opt", value_name = "OPT")]
    security_opt: Vec<String>,
    /// Add a host device to the container (HOST[:CONTAINER[:rwm]])
    #[arg(long = "device", value_name = "DEVICE")]
    device: Vec<String>,
    /// Set meta data on a container
    #[arg(short, long = "label", value_name = "KEY=VALUE")]
    label: Vec<String>,
    /// Read in a line delimited file of labels
    #[arg(long = "label-file", value_name = "FILE")]
    label_file: Vec<PathBuf>,
    /// Signal to stop the container
    #[arg(long, value_name = "SIGNAL")]
    stop_signal: Option<String>,
    /// Timeout (in seconds) to stop a container
    #[arg(long, value_name = "SECONDS")]
    stop_timeout: Option<u64>,
    /// Write the container ID to the file
    #[arg(long, value_name = "FILE")]
    cidfile: Option<PathBuf>,
    /// Suppress the pull output
    #[arg(short, long)]
    quiet: bool,
    /// Attach to STDIN, STDOUT or STDERR
    #[arg(short, long = "attach", value_name = "STREAM")]
    attach: Vec<String>,
    /// Expose a port or a range of ports
    #[arg(long, value_name = "PORT")]
    expose: Vec<String>,
    /// Command to run to check health
    #[arg(long, value_name = "CMD")]
    health_cmd: Option<String>,
    /// Time between running the check (ms|s|m|h)
    #[arg(long, value_name = "DURATION")]
    health_interval: Option<String>,
    /// Maximum time to allow one check to run (ms|s|m|h)
    #[arg(long, value_name = "DURATION")]
    health_timeout: Option<String>,
    /// Start period for the container to initialize before starting health-retries countdown (ms|s|m|h)
    #[arg(long, value_name = "DURATION")]
    health_start_period: Option<String>,
    /// Consecutive failures needed to report unhealthy
    #[arg(long, value_name = "N")]
    health_retries: Option<u32>,
    /// Disable any container-specified HEALTHCHECK
    #[arg(long)]
    no_healthcheck: bool,
    #[command(flatten)]
    cgroup: super::resources::CgroupArgs,
    /// Ulimit options (NAME=SOFT[:HARD])
    #[arg(long, value_name = "ULIMIT")]
    ulimit: Vec<String>,
    /// Mount the container's root filesystem as read only
    #[arg(long)]
    read_only: bool,
    /// Mount a tmpfs directory (PATH[:OPTIONS])
    #[arg(long, value_name = "PATH")]
    tmpfs: Vec<String>,
    /// Size of /dev/shm
    #[arg(long, value_name = "BYTES")]
    shm_size: Option<String>,
    /// Sysctl options (KEY=VALUE)
    #[arg(long, value_name = "KEY=VALUE")]
    sysctl: Vec<String>,
    /// Tune host's OOM preferences (-1000 to 1000)
    #[arg(long, value_name = "INT", allow_hyphen_values = true)]
    oom_score_adj: Option<i32>,
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    help: Option<bool>,
    /// The image to run, then the command and its arguments (everything
    /// after the image is the command's, as docker parses it)
    #[arg(
        required = true,
        trailing_var_arg = true,
        value_name = "IMAGE [COMMAND] [ARG...]"
    )]
    image_and_command: Vec<String>,
}

pub fn exec(engine: &Engine, a: RunArgs) -> Code {
    if a.tty && a.interactive && !a.detach && !crate::runtime::stdin_is_tty() {
        eprintln!("the input device is not a TTY");
        return 1;
    }
    let mut streams = Vec::new();
    for st in &a.attach {
        let up = st.to_ascii_uppercase();
        if !["STDIN", "STDOUT", "STDERR"].contains(&up.as_str()) {
            eprintln!("invalid argument \"{st}\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR");
            return 125;
        }
        streams.push(up);
    }
    if a.detach && !streams.is_empty() {
        eprintln!("Conflicting options: -a and -d");
        return 125;
    }
    let detach = a.detach;
    let attached = a.tty && a.interactive && !a.detach;
    let keys = a.detach_keys.clone();
    let id = match create(engine, a) {
        Ok(id) => id,
        Err(code) => return code,
    };
    if attached {
        // As docker: the container under a monitor, this terminal attached
        // to it; the detach keys leave it running.
        let Some(keys) = super::lifecycle::parse_keys(&keys) else {
            eprintln!("Error: Invalid detach keys ({keys}) provided");
            return 125;
        };
        return super::lifecycle::attach_ended(engine.run_attached(
            &id,
            &keys,
            &mut super::lifecycle::write_attached,
        ));
    }
    if detach {
        return match engine.start_detached(&id) {
            Ok(()) => {
                super::out(&format!("{id}\n"));
                0
            }
            Err(e) => fail(&e),
        };
    }
    let all = streams.is_empty();
    let to_us = |s: &str| all || streams.iter().any(|x| x == s);
    match engine.run_foreground_attached(&id, to_us("STDOUT"), to_us("STDERR")) {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

/// `strata create`: the container, made and not started; prints its ID.
pub fn exec_create(engine: &Engine, a: RunArgs) -> Code {
    match create(engine, a) {
        Ok(id) => {
            super::out(&format!("{id}\n"));
            0
        }
        Err(code) => code,
    }
}

fn create(engine: &Engine, a: RunArgs) -> Result<String, Code> {
    // docker refuses a cidfile that exists, before anything is made.
    if let Some(f) = &a.cidfile {
        if f.exists() {
            eprintln!(
                "Error: Container ID file found, make sure the other container isn't running or delete {}",
                f.display()
            );
            return Err(fail_code());
        }
    }
    if a.quiet {
        engine.quiet();
    }
    let limits = match limits_of(&a) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return Err(fail_code());
        }
    };
    let mut labels = Vec::new();
    for f in &a.label_file {
        match crate::engine::read_env_file(f) {
            Ok(lines) => labels.extend(lines),
            Err(e) => return Err(fail(&e)),
        }
    }
    labels.extend(a.label);
    let mut env = Vec::new();
    for f in &a.env_file {
        match crate::engine::read_env_file(f) {
            Ok(lines) => env.extend(lines),
            Err(e) => return Err(fail(&e)),
        }
    }
    env.extend(a.env);
    let env = super::resolve_env(env);
    let mut volumes = Vec::new();
    for v in &a.volume {
        match Volume::parse(v) {
            Ok(v) => volumes.push(v),
            Err(e) => return Err(fail(&e)),
        }
    }
    for m in &a.mount {
        match Volume::parse_mount(m) {
            Ok(v) => volumes.push(v),
            Err(e) => return Err(fail(&e)),
        }
    }
    let mut words = a.image_and_command.clone().into_iter();
    let image = words.next().unwrap_or_default();
    let command: Vec<String> = words.collect();
    let req = RunRequest {
        limits,
        image: image.clone(),
        pull: a.pull,
        cmd: command,
        entrypoint: a.entrypoint,
        name: a.name,
        env,
        workdir: a.workdir,
        user: a.user,
        hostname: a.hostname,
        volumes,
        volumes_from: a.volumes_from.clone(),
        network: a.network,
        network_aliases: a.network_alias.clone(),
        ip: a.ip.clone(),
        publish: a.publish,
        publish_all: a.publish_all,
        dns: a.dns,
        add_hosts: a.add_host,
        tty: a.tty,
        interactive: a.interactive,
        rm: a.rm,
        build_step: false,
        restart: a.restart,
        init: a.init,
        security: crate::engine::SecurityRequest {
            cap_add: a.cap_add,
            cap_drop: a.cap_drop,
            privileged: a.privileged,
            security_opt: a.security_opt,
            devices: a.device,
        },
        labels,
        stop_signal: a.stop_signal,
        stop_timeout: a.stop_timeout,
        health: crate::engine::HealthFlags {
            cmd: a.health_cmd,
            interval: a.health_interval,
            timeout: a.health_timeout,
            start_period: a.health_start_period,
            retries: a.health_retries,
            none: a.no_healthcheck,
        },
        expose: a.expose,
    };
    let id = engine.create(&req).map_err(|e| fail(&e))?;
    if let Some(f) = &a.cidfile {
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(f)
            .and_then(|mut file| std::io::Write::write_all(&mut file, id.as_bytes()));
        if let Err(e) = written {
            eprintln!("Error: failed to write the container ID to the file: {e}");
            let _ = engine.rm(&id, true);
            return Err(fail_code());
        }
    }
    Ok(id)
}

/// The code of a failure this file reports itself (125 for run, 1 else).
/// `--ulimit`, `--read-only`, `--tmpfs`, `--shm-size`, `--sysctl`,
/// `--oom-score-adj` as the record keeps them (checked again by the engine).
fn limits_of(a: &RunArgs) -> Result<crate::container::Limits, String> {
    let shm_size = match &a.shm_size {
        None => None,
        Some(s) => Some(crate::runtime::limits::parse_size(s).ok_or_else(|| {
            format!("invalid argument \"{s}\" for \"--shm-size\" flag: invalid size: '{s}'")
        })?),
    };
    for u in &a.ulimit {
        crate::runtime::limits::parse_ulimit(u)
            .map_err(|e| format!("invalid argument \"{u}\" for \"--ulimit\" flag: {e}"))?;
    }
    let mut tmpfs = std::collections::BTreeMap::new();
    for t in &a.tmpfs {
        let (p, o) = t.split_once(':').unwrap_or((t, ""));
        tmpfs.insert(p.to_string(), o.to_string());
    }
    let mut sysctls = std::collections::BTreeMap::new();
    for s in &a.sysctl {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            format!("invalid argument \"{s}\" for \"--sysctl\" flag: sysctl '{s}' is not allowed")
        })?;
        sysctls.insert(k.to_string(), v.to_string());
    }
    Ok(crate::container::Limits {
        ulimits: a.ulimit.clone(),
        read_only: a.read_only,
        tmpfs,
        shm_size,
        sysctls,
        oom_score_adj: a.oom_score_adj,
        ..a.cgroup.limits()?
    })
}

fn fail_code() -> Code {
    super::error_code(125)
}
