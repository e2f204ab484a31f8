//! `version`, `info` (and `system info`), `system df` and `system prune`, in docker's layout.

use super::{fail, out, Code};
use crate::engine::Engine;
use clap::Args;

#[derive(Args, Debug)]
pub struct FormatArgs {
    /// Format the output using the given Go template
    #[arg(short, long)]
    format: Option<String>,
}

const API_VERSION: &str = "1.41";

fn os_arch() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        a => a,
    };
    format!("linux/{arch}")
}

/// `strata version`: docker's two sections; the server is strata itself.
pub fn exec_version(a: FormatArgs) -> Code {
    let v = env!("CARGO_PKG_VERSION");
    let data = serde_json::json!({
        "Client": {
            "Version": v, "ApiVersion": API_VERSION, "Os": "linux",
            "Arch": os_arch().trim_start_matches("linux/"), "Context": "default",
        },
        "Server": {
            "Version": v, "ApiVersion": API_VERSION, "MinAPIVersion": "1.24",
            "Os": "linux", "Arch": os_arch().trim_start_matches("linux/"),
            "Components": [{"Name": "Engine", "Version": v}],
        },
    });
    if let Some(f) = &a.format {
        return print_template(f, &data);
    }
    let oa = os_arch();
    out(&format!(
        "Client:\n Version:           {v}\n API version:       {API_VERSION}\n OS/Arch:           {oa}\n Context:           default\n\n\
         Server:\n Engine:\n  Version:          {v}\n  API version:      {API_VERSION} (minimum version 1.24)\n  OS/Arch:          {oa}\n  Experimental:     false\n"
    ));
    0
}

fn print_template(f: &str, data: &serde_json::Value) -> Code {
    let tmpl = if f == "json" { "{{json .}}" } else { f };
    match super::template::render(tmpl, data) {
        Ok(s) => {
            out(&format!("{s}\n"));
            0
        }
        Err(e) => {
            eprintln!("Error: template: {e}");
            1
        }
    }
}

/// go-units' BytesSize: binary units, two decimals (`23.59GiB`).
fn bytes_size(n: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{}", UNITS[i])
}

/// `strata info`.
pub fn exec_info(engine: &Engine, a: FormatArgs) -> Code {
    let info = match engine.info() {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    if let Some(f) = &a.format {
        let data = serde_json::to_value(&info).unwrap_or_default();
        return print_template(f, &data);
    }
    let mut s = String::new();
    s.push_str(&format!(
        "Client:\n Version:    {}\n Context:    default\n Debug Mode: false\n\nServer:\n",
        env!("CARGO_PKG_VERSION")
    ));
    s.push_str(&format!(
        " Containers: {}\n  Running: {}\n  Paused: {}\n  Stopped: {}\n Images: {}\n Server Version: {}\n Storage Driver: {}\n",
        info.containers,
        info.containers_running,
        info.containers_paused,
        info.containers_stopped,
        info.images,
        info.server_version,
        info.driver
    ));
    for [k, v] in &info.driver_status {
        s.push_str(&format!("  {k}: {v}\n"));
    }
    s.push_str(&format!(
        " Logging Driver: {}\n Cgroup Driver: {}\n Cgroup Version: {}\n Plugins:\n  Volume: local\n  Network: bridge host null\n  Log: json-file\n Swarm: inactive\n Runtimes: {}\n Default Runtime: {}\n Init Binary: {}\n Security Options:\n  seccomp\n   Profile: builtin\n",
        info.logging_driver, info.cgroup_driver, info.cgroup_version, info.default_runtime, info.default_runtime, info.init_binary
    ));
    s.push_str(&format!(
        " Kernel Version: {}\n Operating System: {}\n OSType: {}\n Architecture: {}\n CPUs: {}\n Total Memory: {}\n Name: {}\n Docker Root Dir: {}\n Debug Mode: false\n Experimental: false\n Insecure Registries:\n  127.0.0.0/8\n Live Restore Enabled: false\n",
        info.kernel_version,
        info.operating_system,
        info.os_type,
        info.architecture,
        info.ncpu,
        bytes_size(info.mem_total),
        info.name,
        info.docker_root_dir
    ));
    out(&s);
    0
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytes_size_is_go_units() {
        assert_eq!(super::bytes_size(25_330_000_000), "23.59GiB");
        assert_eq!(super::bytes_size(1024), "1KiB");
        assert_eq!(super::bytes_size(512), "512B");
    }
}

#[derive(Args, Debug)]
pub struct DfArgs {
    /// Show detailed information on space usage
    #[arg(short, long)]
    verbose: bool,
    /// Format output using a custom template
    #[arg(long)]
    format: Option<String>,
}

#[derive(Args, Debug)]
pub struct SystemPruneArgs {
    /// Remove all unused images not just dangling ones
    #[arg(short, long)]
    all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    force: bool,
    /// Prune anonymous volumes
    #[arg(long)]
    volumes: bool,
    /// Provide filter values (until=, label=)
    #[arg(long = "filter", value_name = "FILTER")]
    filter: Vec<String>,
}

fn reclaimable(r: &crate::engine::DfRow) -> String {
    let pct = (r.reclaimable * 100).checked_div(r.size).unwrap_or(0);
    if r.kind == "Containers" || r.kind == "Build Cache" {
        super::table::human_size(r.reclaimable)
    } else {
        format!("{} ({pct}%)", super::table::human_size(r.reclaimable))
    }
}

pub fn exec_df(engine: &Engine, a: DfArgs) -> Code {
    let (rows, detail) = match engine.disk_usage() {
        Ok(x) => x,
        Err(e) => return super::fail(&e),
    };
    use super::table::{human_size, render};
    if let Some(f) = &a.format {
        let values: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "Type": r.kind, "TotalCount": r.total.to_string(), "Active": r.active.to_string(),
                    "Size": human_size(r.size), "Reclaimable": reclaimable(r),
                })
            })
            .collect();
        return match super::table::format_rows(
            f,
            &values,
            &[
                ("Type", "TYPE"),
                ("TotalCount", "TOTAL"),
                ("Active", "ACTIVE"),
                ("Size", "SIZE"),
                ("Reclaimable", "RECLAIMABLE"),
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
    if !a.verbose {
        let mut t = vec![["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]
            .map(String::from)
            .to_vec()];
        for r in &rows {
            t.push(vec![
                r.kind.to_string(),
                r.total.to_string(),
                r.active.to_string(),
                human_size(r.size),
                reclaimable(r),
            ]);
        }
        out(&render(&t));
        return 0;
    }
    let mut s = String::from("Images space usage:\n\n");
    let mut t = vec![["REPOSITORY", "TAG", "IMAGE ID", "SIZE", "CONTAINERS"]
        .map(String::from)
        .to_vec()];
    for (name, id, _, size, users) in &detail.images {
        let (repo, tag) = name.rsplit_once(':').unwrap_or((name, ""));
        t.push(vec![
            repo.to_string(),
            tag.to_string(),
            crate::engine::short_id(id),
            human_size(*size),
            users.to_string(),
        ]);
    }
    s.push_str(&render(&t));
    s.push_str("\nContainers space usage:\n\n");
    let mut t = vec![["CONTAINER ID", "IMAGE", "SIZE", "STATUS", "NAMES"]
        .map(String::from)
        .to_vec()];
    for (id, image, name, size, status) in &detail.containers {
        t.push(vec![
            id.clone(),
            image.clone(),
            human_size(*size),
            status.clone(),
            name.clone(),
        ]);
    }
    s.push_str(&render(&t));
    s.push_str("\nLocal Volumes space usage:\n\n");
    let mut t = vec![["VOLUME NAME", "LINKS", "SIZE"].map(String::from).to_vec()];
    for (name, links, size) in &detail.volumes {
        t.push(vec![name.clone(), links.to_string(), human_size(*size)]);
    }
    s.push_str(&render(&t));
    s.push_str(&format!(
        "\nBuild cache usage: {} ({} entries)\n",
        human_size(detail.build_cache.1),
        detail.build_cache.0
    ));
    out(&s);
    0
}

pub fn exec_prune(engine: &Engine, a: SystemPruneArgs) -> Code {
    if !a.force {
        let mut what = String::from(
            "  - all stopped containers\n  - all networks not used by at least one container\n",
        );
        if a.volumes {
            what.push_str("  - all anonymous volumes not used by at least one container\n");
        }
        what.push_str(if a.all {
            "  - all images without at least one container associated to them\n  - all build cache\n"
        } else {
            "  - all dangling images\n  - unused build cache\n"
        });
        use std::io::BufRead;
        eprint!("WARNING! This will remove:\n{what}\nAre you sure you want to continue? [y/N] ");
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            return 0;
        }
    }
    let filter = match crate::engine::PruneFilter::parse(&a.filter) {
        Ok(f) => f,
        Err(e) => return super::fail(&e),
    };
    match engine.system_prune(a.all, a.volumes, &filter) {
        Ok(p) => {
            let mut s = String::new();
            for (kind, list) in [
                ("Containers", &p.containers),
                ("Networks", &p.networks),
                ("Volumes", &p.volumes),
                ("Images", &p.images),
            ] {
                if !list.is_empty() {
                    s.push_str(&format!("Deleted {kind}:\n"));
                    for l in list {
                        s.push_str(l);
                        s.push('\n');
                    }
                    s.push('\n');
                }
            }
            if p.build_cache > 0 {
                s.push_str(&format!(
                    "Deleted build cache objects: {}\n\n",
                    p.build_cache
                ));
            }
            s.push_str(&format!(
                "Total reclaimed space: {}\n",
                super::table::human_size(p.freed)
            ));
            out(&s);
            0
        }
        Err(e) => super::fail(&e),
    }
}
