//! `strata ps`.

use super::{fail, out, table, Code};
use crate::engine::{short_id, Engine, PsEntry};
use crate::oci::PortBinding;
use crate::util::time;
use clap::Args;
use serde_json::json;

#[derive(Args, Debug)]
pub struct PsArgs {
    /// Show all containers (default shows just running)
    #[arg(short, long)]
    all: bool,
    /// Only display container IDs
    #[arg(short, long)]
    quiet: bool,
    /// Show the latest created container (includes all states)
    #[arg(short, long)]
    latest: bool,
    /// Show n last created containers (includes all states)
    #[arg(short = 'n', long = "last", value_name = "N", default_value_t = -1, allow_negative_numbers = true)]
    last: i64,
    /// Don't truncate output
    #[arg(long)]
    no_trunc: bool,
    /// Display total file sizes
    #[arg(short, long)]
    size: bool,
    /// Format output using a Go template ("table ..." for a table)
    #[arg(long)]
    format: Option<String>,
    /// Filter output based on conditions provided (status=, name=, id=, ancestor=, exited=)
    #[arg(short, long, value_name = "KEY=VALUE")]
    filter: Vec<String>,
}

/// docker's headers for `ps --format "table ..."`.
const PS_HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("CreatedAt", "CREATED AT"),
    ("RunningFor", "CREATED"),
    ("Status", "STATUS"),
    ("State", "STATE"),
    ("Ports", "PORTS"),
    ("Names", "NAMES"),
    ("Size", "SIZE"),
];

/// docker's PORTS column: `0.0.0.0:18080->80/tcp` for each published
/// port of a running container, `80/tcp` for an exposed one that is not.
pub fn ports_text(running: bool, published: &[PortBinding], exposed: &[String]) -> String {
    let mut items: Vec<(u16, String, String)> = Vec::new();
    if running {
        for p in published {
            items.push((
                p.container_port,
                p.proto.clone(),
                format!(
                    "{}:{}->{}/{}",
                    p.host_ip, p.host_port, p.container_port, p.proto
                ),
            ));
        }
    }
    for e in exposed {
        let (port, proto) = e.split_once('/').unwrap_or((e, "tcp"));
        let port: u16 = port.parse().unwrap_or(0);
        if !items.iter().any(|(c, pr, _)| *c == port && pr == proto) {
            items.push((port, proto.to_string(), format!("{port}/{proto}")));
        }
    }
    items.sort();
    items
        .into_iter()
        .map(|(_, _, t)| t)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn exec(engine: &Engine, a: PsArgs) -> Code {
    let limit = if a.latest { 1 } else { a.last };
    let filter = match engine.ps_filter(&a.filter) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let mut rows = match engine.ps(a.all || limit > 0, a.size, &filter) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    if limit > 0 {
        rows.truncate(limit as usize);
    }
    if a.quiet {
        let mut s = String::new();
        for r in &rows {
            s.push_str(if a.no_trunc { &r.id } else { &r.id[..12] });
            s.push('\n');
        }
        out(&s);
        return 0;
    }
    // One field of a row, made only when a column or template asks.
    let field = |r: &PsEntry, name: &str| -> String {
        match name {
            "ID" if a.no_trunc => r.id.clone(),
            "ID" => short_id(&r.id),
            "Image" => r.image.clone(),
            "Command" if a.no_trunc => table::go_quote(&r.command),
            "Command" => table::go_quote(&table::ellipsis(&r.command, 20)),
            "CreatedAt" => time::go_time_string(r.created),
            "RunningFor" => format!("{} ago", time::human_duration(time::since(r.created))),
            "Status" => r.status_text(),
            "State" => r.state.docker_status().to_string(),
            "Ports" => ports_text(r.state.is_running(), &r.state.ports, &r.exposed),
            "Names" => r.name.clone(),
            "Size" => r
                .size_rw
                .map(|s| {
                    format!(
                        "{} (virtual {})",
                        table::human_size(s),
                        table::human_size(r.size_root_fs.unwrap_or(s))
                    )
                })
                .unwrap_or_default(),
            _ => String::new(),
        }
    };
    let fields = |r: &PsEntry| {
        let m: serde_json::Map<String, serde_json::Value> = PS_HEADERS
            .iter()
            .map(|(k, _)| (k.to_string(), json!(field(r, k))))
            .collect();
        serde_json::Value::Object(m)
    };
    // `--format table` alone is the default table.
    if let Some(f) = a.format.as_ref().filter(|f| f.trim() != "table") {
        let values: Vec<_> = rows.iter().map(fields).collect();
        return match table::format_rows(f, &values, PS_HEADERS) {
            Ok(s) => {
                out(&s);
                0
            }
            Err(e) => {
                eprintln!("Error: {e}");
                125
            }
        };
    }
    let mut header: Vec<String> = [
        "CONTAINER ID",
        "IMAGE",
        "COMMAND",
        "CREATED",
        "STATUS",
        "PORTS",
        "NAMES",
    ]
    .map(String::from)
    .to_vec();
    if a.size {
        header.push("SIZE".into());
    }
    let mut columns = vec![
        "ID",
        "Image",
        "Command",
        "RunningFor",
        "Status",
        "Ports",
        "Names",
    ];
    if a.size {
        columns.push("Size");
    }
    let mut table_rows = Vec::with_capacity(rows.len() + 1);
    table_rows.push(header);
    for r in &rows {
        table_rows.push(columns.iter().map(|c| field(r, c)).collect());
    }
    out(&table::render(&table_rows));
    0
}

#[derive(Args, Debug)]
pub struct PortArgs {
    /// The container, by name, ID or unique ID prefix
    container: String,
    /// Only this private port (PORT[/PROTO])
    private_port: Option<String>,
}

/// `port`: `80/tcp -> 0.0.0.0:18080`, one line per published port.
pub fn exec_port(engine: &Engine, a: PortArgs) -> Code {
    let (name, ports) = match engine.port(&a.container) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let want = a.private_port.as_deref().map(|p| {
        let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
        (port.to_string(), proto.to_lowercase())
    });
    let mut lines = Vec::new();
    let mut sorted = ports.clone();
    sorted.sort_by_key(|p| (p.container_port, p.proto.clone()));
    for p in &sorted {
        match &want {
            Some((port, proto)) => {
                if p.container_port.to_string() == *port && p.proto == *proto {
                    lines.push(format!("{}:{}", p.host_ip, p.host_port));
                }
            }
            None => lines.push(format!(
                "{}/{} -> {}:{}",
                p.container_port, p.proto, p.host_ip, p.host_port
            )),
        }
    }
    if let (Some((port, proto)), true) = (&want, lines.is_empty()) {
        eprintln!("Error: No public port '{port}/{proto}' published for {name}");
        return 1;
    }
    let mut s = lines.join("\n");
    if !s.is_empty() {
        s.push('\n');
    }
    out(&s);
    0
}
