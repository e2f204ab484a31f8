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
    if !a.force && !super::confirm("all stopped containers") {
        return 0;
    }
    let filter = match crate::engine::PruneFilter::parse(&a.filter) {
        Ok(f) => f,
        Err(e) => return super::fail(&e),
    };
    match engine.prune_containers(&filter) {
        Ok((ids, freed)) => {
            out(&super::prune_report("Containers", &ids, freed));
            0
        }
        Err(e) => super::fail(&e),
    }
}
