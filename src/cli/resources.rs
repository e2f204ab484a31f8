//! `top`, `update`, `stats`.

use super::{fail, out, table, Code};
use crate::engine::{Engine, UpdateRequest};
use clap::Args;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct TopArgs {
    /// The container, by name, ID or unique ID prefix
    container: String,
    /// Options for ps (default -ef)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    ps_options: Vec<String>,
}

pub fn exec_top(engine: &Engine, a: TopArgs) -> Code {
    match engine.top(&a.container, &a.ps_options) {
        Ok((titles, rows)) => {
            // docker's tabwriter for top: min width 20, padding 3.
            let mut all = vec![titles];
            all.extend(rows);
            out(&render_min(&all, 20));
            0
        }
        Err(e) => fail(&e),
    }
}

fn render_min(rows: &[Vec<String>], min: usize) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut s = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            s.push_str(c);
            if i + 1 < r.len() {
                let w = (widths[i] + 3).max(min);
                s.extend(std::iter::repeat_n(' ', w - c.chars().count()));
            }
        }
        s.push('\n');
    }
    s
}

// The cgroup limits `run`, `create` and `update` take alike. (Not a doc
// comment: it would become the about of every verb that flattens it.)
#[derive(Args, Debug)]
pub struct CgroupArgs {
    /// Memory limit
    #[arg(short, long, value_name = "BYTES")]
    memory: Option<String>,
    /// Swap limit equal to memory plus swap: -1 to enable unlimited swap
    #[arg(long, value_name = "BYTES", allow_hyphen_values = true)]
    memory_swap: Option<String>,
    /// Memory soft limit
    #[arg(long, value_name = "BYTES")]
    memory_reservation: Option<String>,
    /// Number of CPUs
    #[arg(long, value_name = "DECIMAL")]
    cpus: Option<String>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long, value_name = "INT")]
    cpu_shares: Option<u64>,
    /// Limit CPU CFS (Completely Fair Scheduler) period
    #[arg(long, value_name = "INT")]
    cpu_period: Option<u64>,
    /// Limit CPU CFS (Completely Fair Scheduler) quota
    #[arg(long, value_name = "INT", allow_hyphen_values = true)]
    cpu_quota: Option<i64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long, value_name = "CPUS")]
    cpuset_cpus: Option<String>,
    /// Tune container pids limit (set -1 for unlimited)
    #[arg(long, value_name = "INT", allow_hyphen_values = true)]
    pids_limit: Option<i64>,
}

impl CgroupArgs {
    /// The flags as the record keeps them (the rest of `Limits` unset).
    pub fn limits(&self) -> Result<crate::container::Limits, String> {
        Ok(crate::container::Limits {
            memory: size_flag(&self.memory, "-m, --memory")?,
            memory_swap: size_flag(&self.memory_swap, "--memory-swap")?,
            memory_reservation: size_flag(&self.memory_reservation, "--memory-reservation")?,
            nano_cpus: cpus_flag(&self.cpus)?,
            cpu_shares: self.cpu_shares,
            cpu_period: self.cpu_period,
            cpu_quota: self.cpu_quota,
            cpuset_cpus: self.cpuset_cpus.clone(),
            pids_limit: self.pids_limit,
            ..Default::default()
        })
    }
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    #[command(flatten)]
    cgroup: CgroupArgs,
    /// Restart policy to apply when a container exits
    #[arg(long, value_name = "POLICY")]
    restart: Option<String>,
    /// The containers, by name, ID or unique ID prefix
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn size_flag(v: &Option<String>, flag: &str) -> Result<Option<i64>, String> {
    match v.as_deref() {
        None => Ok(None),
        Some("-1") if flag == "--memory-swap" => Ok(Some(-1)),
        Some(s) => crate::runtime::limits::parse_size(s)
            .map(|n| Some(n as i64))
            .ok_or_else(|| {
                format!("invalid argument \"{s}\" for \"{flag}\" flag: invalid size: '{s}'")
            }),
    }
}

/// `--cpus 0.5` in billionths of a CPU.
pub fn cpus_flag(v: &Option<String>) -> Result<Option<i64>, String> {
    match v {
        None => Ok(None),
        Some(c) => c
            .parse::<f64>()
            .map(|f| Some((f * 1e9).round() as i64))
            .map_err(|_| {
                format!("invalid argument \"{c}\" for \"--cpus\" flag: failed to parse {c} as a rational number")
            }),
    }
}

pub fn exec_update(engine: &Engine, a: UpdateArgs) -> Code {
    let limits = match a.cgroup.limits() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return 125;
        }
    };
    if limits == crate::container::Limits::default() && a.restart.is_none() {
        eprintln!("you must provide one or more flags when using this command");
        return 1;
    }
    let req = UpdateRequest {
        limits,
        restart: a.restart,
    };
    let mut code = 0;
    for name in &a.containers {
        match engine.update(name, &req) {
            Ok(_) => out(&format!("{name}\n")),
            Err(e) => code = fail(&e),
        }
    }
    code
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Show all containers (default shows just running)
    #[arg(short, long)]
    all: bool,
    /// Format output using a custom template ('table', 'json', or a Go template)
    #[arg(long, value_name = "STRING")]
    format: Option<String>,
    /// Disable streaming stats and only pull the first result
    #[arg(long)]
    no_stream: bool,
    /// Do not truncate output
    #[arg(long)]
    no_trunc: bool,
    /// The containers (default: all running)
    containers: Vec<String>,
}

const STATS_HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Container", "CONTAINER"),
    ("Name", "NAME"),
    ("CPUPerc", "CPU %"),
    ("MemUsage", "MEM USAGE / LIMIT"),
    ("MemPerc", "MEM %"),
    ("NetIO", "NET I/O"),
    ("BlockIO", "BLOCK I/O"),
    ("PIDs", "PIDS"),
];

const STATS_TABLE: &str = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

/// go-units BytesSize: binary units, 4 significant digits.
fn bytes_size(n: u64) -> String {
    table::scaled_size(n, 1024, &["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"], 4)
}

fn stats_fields(r: &crate::engine::StatsRow, no_trunc: bool) -> serde_json::Value {
    let id = if no_trunc {
        r.id.clone()
    } else {
        r.id[..12].to_string()
    };
    let given = if r.given == r.id && !no_trunc {
        id.clone()
    } else {
        r.given.clone()
    };
    serde_json::json!({
        "BlockIO": format!("{} / {}", table::human_size(r.blk_read), table::human_size(r.blk_write)),
        "CPUPerc": format!("{:.2}%", r.cpu_percent),
        "Container": given,
        "ID": id,
        "MemPerc": format!("{:.2}%", r.mem_percent),
        "MemUsage": format!("{} / {}", bytes_size(r.mem_usage), bytes_size(r.mem_limit)),
        "Name": r.name,
        "NetIO": format!("{} / {}", table::human_size(r.net_rx), table::human_size(r.net_tx)),
        "PIDs": r.pids.to_string(),
    })
}

pub fn exec_stats(engine: &Engine, a: StatsArgs) -> Code {
    let tmpl = match a.format.as_deref() {
        None | Some("table") => STATS_TABLE.to_string(),
        Some(f) => f.to_string(),
    };
    loop {
        let rows = match engine.stats(&a.containers, a.all, Duration::from_secs(1)) {
            Ok(r) => r,
            Err(e) => return fail(&e),
        };
        let values: Vec<_> = rows.iter().map(|r| stats_fields(r, a.no_trunc)).collect();
        let text = match table::format_rows(&tmpl, &values, STATS_HEADERS) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("Error: {e}");
                return 125;
            }
        };
        if a.no_stream {
            out(&text);
            return 0;
        }
        // docker redraws the screen in place.
        out(&format!("\x1b[2J\x1b[H{text}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_s_binary_units() {
        assert_eq!(bytes_size(0), "0B");
        assert_eq!(bytes_size(1536), "1.5KiB");
        assert_eq!(bytes_size(67108864), "64MiB");
        assert_eq!(bytes_size(1_613_824), "1.539MiB");
        assert_eq!(bytes_size(25_200_000_000), "23.47GiB");
    }

    #[test]
    fn top_s_layout() {
        let rows = vec![
            vec!["UID".to_string(), "PID".into(), "CMD".into()],
            vec!["root".to_string(), "4242".into(), "sleep 30".into()],
        ];
        assert_eq!(
            render_min(&rows, 20),
            format!(
                "UID{}PID{}CMD\nroot{}4242{}sleep 30\n",
                " ".repeat(17),
                " ".repeat(17),
                " ".repeat(16),
                " ".repeat(16)
            )
        );
    }
}
