//! `strata rm` and `strata container prune`.

use super::{out, Code};
use crate::engine::Engine;
use clap::Args;

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short, long)]
    force: bool,
    /// Remove anonymous volumes associated with the container
    #[arg(short, long)]
    volumes: bool,
    /// The containers, by name, ID or unique ID prefix
    #[arg(required = true)]
    containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    force: bool,
    /// Provide filter values (until=TIME, label=KEY[=VALUE], label!=...)
    #[arg(long = "filter", value_name = "FILTER")]
    filter: Vec<String>,
}

/// Removes each container; docker goes on after a failure and exits 1.
pub fn exec(engine: &Engine, a: RmArgs) -> Code {
    let mut code = 0;
    for c in &a.containers {
        match engine.rm_with(c, a.force, a.volumes) {
            Ok(_) => out(&format!("{c}\n")),
            Err(e) => {
                eprintln!("Error: {e}");
                code = 1;
            }
        }
    }
    code
}

pub fn exec_prune(engine: &Engine, a: PruneArgs) -> Code {
    super::run_prune(
        a.force,
        "all stopped containers",
        &a.filter,
        "Containers",
        |f| engine.prune_containers(f),
    )
}
