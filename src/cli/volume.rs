//! `strata volume create|ls|inspect|rm|prune`, as docker's.

use super::{out, table, Code};
use crate::engine::Engine;
use clap::{Args, Subcommand};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum VolumeCommand {
    /// Create a volume
    Create(CreateArgs),
    /// List volumes
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Display detailed information on one or more volumes
    Inspect(InspectArgs),
    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// Remove unused local volumes
    Prune(PruneArgs),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Specify volume driver name
    #[arg(short, long, default_value = "local")]
    driver: String,
    /// Set metadata for a volume
    #[arg(long = "label", value_name = "KEY=VALUE")]
    label: Vec<String>,
    /// Set driver specific options
    #[arg(short = 'o', long = "opt", value_name = "KEY=VALUE")]
    opt: Vec<String>,
    /// Specify volume name
    #[arg(long = "name")]
    name_flag: Option<String>,
    /// The volume's name (a random one when none is given)
    name: Option<String>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// Only display volume names
    #[arg(short, long)]
    quiet: bool,
    /// Provide filter values (dangling=true|false, name=, label=KEY[=VALUE], driver=)
    #[arg(short, long = "filter", value_name = "FILTER")]
    filter: Vec<String>,
    /// Format output using a custom template ('table', 'json' or a Go template)
    #[arg(long)]
    format: Option<String>,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Format output using a Go template
    #[arg(short, long)]
    format: Option<String>,
    #[arg(required = true)]
    names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Do not fail when a volume does not exist
    #[arg(short, long)]
    force: bool,
    #[arg(required = true)]
    names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Remove all unused volumes, not just anonymous ones
    #[arg(short, long)]
    all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    force: bool,
    /// Provide filter values (label=KEY[=VALUE], label!=...)
    #[arg(long = "filter", value_name = "FILTER")]
    filter: Vec<String>,
}

pub fn exec(engine: &Engine, c: VolumeCommand) -> Code {
    match c {
        VolumeCommand::Create(a) => create(engine, a),
        VolumeCommand::Ls(a) => ls(engine, a),
        VolumeCommand::Inspect(a) => inspect(engine, a),
        VolumeCommand::Rm(a) => rm(engine, a),
        VolumeCommand::Prune(a) => prune(engine, a),
    }
}

fn create(engine: &Engine, a: CreateArgs) -> Code {
    if a.driver != "local" {
        eprintln!(
            "Error: create: plugin \"{}\" not found: only the local driver is built in",
            a.driver
        );
        return 1;
    }
    let name = match (&a.name_flag, &a.name) {
        (Some(f), Some(p)) if f != p => {
            eprintln!("Error: conflicting options: either specify --name or provide positional arg, not both");
            return 1;
        }
        (Some(n), _) | (None, Some(n)) => Some(n.as_str()),
        (None, None) => None,
    };
    match engine.volume_create(name, super::key_values(&a.label), super::key_values(&a.opt)) {
        Ok(n) => {
            out(&format!("{n}\n"));
            0
        }
        Err(e) => super::fail(&e),
    }
}

/// One `--filter` of `volume ls`.
fn keep(
    filters: &[(String, String)],
    v: &crate::engine::VolumeInfo,
    users: usize,
) -> Result<bool, String> {
    let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, val) in filters {
        by_key.entry(k.as_str()).or_default().push(val.as_str());
    }
    for (k, vals) in by_key {
        let any = vals.iter().any(|val| match k {
            "dangling" => {
                let want = matches!(*val, "true" | "1");
                (users == 0) == want
            }
            "name" => v.name.contains(val),
            "driver" => v.driver == *val,
            "label" => match val.split_once('=') {
                Some((lk, lv)) => v.labels.get(lk).is_some_and(|x| x == lv),
                None => v.labels.contains_key(*val),
            },
            _ => false,
        });
        if !matches!(k, "dangling" | "name" | "driver" | "label") {
            return Err(format!("invalid filter '{k}'"));
        }
        if !any {
            return Ok(false);
        }
    }
    Ok(true)
}

fn ls(engine: &Engine, a: LsArgs) -> Code {
    let mut filters = Vec::new();
    for f in &a.filter {
        match f.split_once('=') {
            Some((k, v)) => filters.push((k.to_string(), v.to_string())),
            None => {
                eprintln!("Error: bad format of filter (expected name=value)");
                return 1;
            }
        }
    }
    let list = match engine.volume_list() {
        Ok(l) => l,
        Err(e) => return super::fail(&e),
    };
    let mut rows = Vec::new();
    for (v, users) in list {
        match keep(&filters, &v, users) {
            Ok(true) => rows.push(v),
            Ok(false) => {}
            Err(e) => {
                eprintln!("Error: {e}");
                return 1;
            }
        }
    }
    if a.quiet {
        let s: String = rows.iter().map(|v| format!("{}\n", v.name)).collect();
        out(&s);
        return 0;
    }
    if let Some(f) = &a.format {
        let values: Vec<serde_json::Value> = rows
            .iter()
            .map(|v| {
                json!({
                    "Availability": "N/A", "Driver": v.driver, "Group": "N/A",
                    "Labels": v.labels.iter().map(|(k, x)| format!("{k}={x}")).collect::<Vec<_>>().join(","),
                    "Links": "N/A", "Mountpoint": engine.volume_mountpoint(&v.name),
                    "Name": v.name, "Scope": "local", "Size": "N/A", "Status": "N/A",
                })
            })
            .collect();
        return match table::format_rows(
            f,
            &values,
            &[
                ("Name", "VOLUME NAME"),
                ("Driver", "DRIVER"),
                ("Mountpoint", "MOUNTPOINT"),
                ("Scope", "SCOPE"),
                ("Labels", "LABELS"),
            ],
        ) {
            Ok(s) => {
                out(&s);
                0
            }
            Err(e) => {
                eprintln!("Error: {e}");
                1
            }
        };
    }
    let mut table_rows = vec![vec!["DRIVER".to_string(), "VOLUME NAME".to_string()]];
    for v in rows {
        table_rows.push(vec![v.driver, v.name]);
    }
    out(&table::render(&table_rows));
    0
}

fn inspect(engine: &Engine, a: InspectArgs) -> Code {
    let mut docs = Vec::new();
    let mut code = 0;
    let mut errors = Vec::new();
    for n in &a.names {
        match engine.volume_inspect(n) {
            Ok(d) => docs.push(d),
            Err(e) => {
                errors.push(e.to_string());
                code = 1;
            }
        }
    }
    if let Err(e) = super::inspect::print_docs(&docs, a.format.as_deref()) {
        eprintln!("Error: {e}");
        return 1;
    }
    for e in errors {
        eprintln!("Error: {e}");
    }
    code
}

fn rm(engine: &Engine, a: RmArgs) -> Code {
    let mut code = 0;
    for n in &a.names {
        match engine.volume_rm(n) {
            Ok(()) => out(&format!("{n}\n")),
            Err(e) if a.force && e.kind() == crate::engine::ErrorKind::NotFound => {}
            Err(e) => {
                eprintln!("Error: {e}");
                code = 1;
            }
        }
    }
    code
}

fn prune(engine: &Engine, a: PruneArgs) -> Code {
    let what = if a.all {
        "all local volumes not used by at least one container"
    } else {
        "anonymous local volumes not used by at least one container"
    };
    super::run_prune(a.force, what, &a.filter, "Volumes", |f| {
        engine.volume_prune(a.all, f)
    })
}
