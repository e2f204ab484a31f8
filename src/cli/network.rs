//! `strata network create|ls|inspect|rm|prune`, as docker's.

use super::{out, table, Code};
use crate::engine::{Engine, NetworkRequest};
use clap::{Args, Subcommand};

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum NetworkCommand {
    /// Create a network
    Create(CreateArgs),
    /// List networks
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Display detailed information on one or more networks
    Inspect(InspectArgs),
    /// Remove one or more networks
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// Remove all unused networks
    Prune(PruneArgs),
    /// Connect a container to a network
    Connect(ConnectArgs),
    /// Disconnect a container from a network
    Disconnect(DisconnectArgs),
}

#[derive(Args, Debug)]
pub struct ConnectArgs {
    /// Add network-scoped alias for the container
    #[arg(long = "alias")]
    alias: Vec<String>,
    /// IPv4 address (e.g., 172.30.100.104)
    #[arg(long)]
    ip: Option<String>,
    network: String,
    container: String,
}

#[derive(Args, Debug)]
pub struct DisconnectArgs {
    /// Force the container to disconnect from a network
    #[arg(short, long)]
    force: bool,
    network: String,
    container: String,
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Driver to manage the Network
    #[arg(short, long, default_value = "bridge")]
    driver: String,
    /// Subnet in CIDR format that represents a network segment
    #[arg(long)]
    subnet: Option<String>,
    /// IPv4 Gateway for the master subnet
    #[arg(long)]
    gateway: Option<String>,
    /// Allocate container ip from a sub-range
    #[arg(long = "ip-range")]
    ip_range: Option<String>,
    /// Restrict external access to the network
    #[arg(long)]
    internal: bool,
    /// Set metadata on a network
    #[arg(long = "label", value_name = "KEY=VALUE")]
    label: Vec<String>,
    /// Set driver specific options
    #[arg(short = 'o', long = "opt", value_name = "KEY=VALUE")]
    opt: Vec<String>,
    name: String,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// Only display network IDs
    #[arg(short, long)]
    quiet: bool,
    /// Provide filter values (name=, id=, driver=, label=)
    #[arg(short, long = "filter", value_name = "FILTER")]
    filter: Vec<String>,
    /// Format output using a custom template
    #[arg(long)]
    format: Option<String>,
    /// Do not truncate the output
    #[arg(long)]
    no_trunc: bool,
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
    /// Do not error if the network does not exist
    #[arg(short, long)]
    force: bool,
    #[arg(required = true)]
    names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    force: bool,
    /// Provide filter values (until=, label=)
    #[arg(long = "filter", value_name = "FILTER")]
    filter: Vec<String>,
}

pub fn exec(engine: &Engine, c: NetworkCommand) -> Code {
    match c {
        NetworkCommand::Create(a) => {
            let req = NetworkRequest {
                name: a.name,
                driver: a.driver,
                subnet: a.subnet,
                gateway: a.gateway,
                ip_range: a.ip_range,
                internal: a.internal,
                labels: super::key_values(&a.label),
                options: super::key_values(&a.opt),
            };
            match engine.network_create(&req) {
                Ok(id) => {
                    out(&format!("{id}\n"));
                    0
                }
                Err(e) => super::fail(&e),
            }
        }
        NetworkCommand::Ls(a) => ls(engine, a),
        NetworkCommand::Connect(a) => super::report(engine.network_connect(
            &a.network,
            &a.container,
            &a.alias,
            a.ip.as_deref(),
        )),
        NetworkCommand::Disconnect(a) => {
            let _ = a.force;
            super::report(engine.network_disconnect(&a.network, &a.container))
        }
        NetworkCommand::Inspect(a) => {
            let mut docs = Vec::new();
            let mut code = 0;
            for n in &a.names {
                match engine.network_inspect(n) {
                    Ok(d) => docs.push(d),
                    Err(e) => {
                        eprintln!("Error: {e}");
                        code = 1;
                    }
                }
            }
            if let Err(e) = super::inspect::print_docs(&docs, a.format.as_deref()) {
                eprintln!("Error: {e}");
                return 1;
            }
            code
        }
        NetworkCommand::Rm(a) => {
            let mut code = 0;
            for n in &a.names {
                match engine.network_rm(n) {
                    Ok(_) => out(&format!("{n}\n")),
                    Err(e) if a.force && e.kind() == crate::engine::ErrorKind::NotFound => {}
                    Err(e) => {
                        eprintln!("Error: {e}");
                        code = 1;
                    }
                }
            }
            code
        }
        NetworkCommand::Prune(a) => {
            if !a.force && !super::confirm("all custom networks not used by at least one container")
            {
                return 0;
            }
            let filter = match crate::engine::PruneFilter::parse(&a.filter) {
                Ok(f) => f,
                Err(e) => return super::fail(&e),
            };
            match engine.network_prune(&filter) {
                Ok(names) => {
                    if !names.is_empty() {
                        let mut s = String::from("Deleted Networks:\n");
                        for n in names {
                            s.push_str(&n);
                            s.push('\n');
                        }
                        s.push('\n');
                        out(&s);
                    }
                    0
                }
                Err(e) => super::fail(&e),
            }
        }
    }
}

fn ls(engine: &Engine, a: LsArgs) -> Code {
    let mut rows = engine.network_list();
    for f in &a.filter {
        let Some((k, v)) = f.split_once('=') else {
            eprintln!("Error: bad format of filter (expected name=value)");
            return 1;
        };
        rows.retain(|r| match k {
            "name" => r["Name"].as_str().is_some_and(|n| n.contains(v)),
            "id" => r["ID"].as_str().is_some_and(|n| n.starts_with(v)),
            "driver" => r["Driver"] == v,
            "label" => r["Labels"].as_str().is_some_and(|l| {
                l.split(',')
                    .any(|x| x == v || x.split('=').next() == Some(v))
            }),
            _ => false,
        });
    }
    if a.quiet {
        let s: String = rows
            .iter()
            .map(|r| format!("{}\n", r["ID"].as_str().unwrap_or("")))
            .collect();
        out(&s);
        return 0;
    }
    if let Some(f) = &a.format {
        return match table::format_rows(
            f,
            &rows,
            &[
                ("ID", "NETWORK ID"),
                ("Name", "NAME"),
                ("Driver", "DRIVER"),
                ("Scope", "SCOPE"),
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
    let mut t = vec![vec![
        "NETWORK ID".to_string(),
        "NAME".into(),
        "DRIVER".into(),
        "SCOPE".into(),
    ]];
    for r in rows {
        let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
        t.push(vec![s("ID"), s("Name"), s("Driver"), s("Scope")]);
    }
    out(&table::render(&t));
    0
}
