//! `version` and `info` (and `system info`), in docker's layout.

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
