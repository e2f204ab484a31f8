//! `strata cp`: files between a container and the host, as docker's.

use super::Code;
use crate::engine::{Engine, HostEnd};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CpArgs {
    /// Archive mode (copy all uid/gid information)
    #[arg(short, long)]
    archive: bool,
    /// Always follow symbol link in SRC_PATH
    #[arg(short = 'L', long)]
    follow_link: bool,
    /// Suppress progress output during copy (there is none)
    #[arg(short, long)]
    quiet: bool,
    /// CONTAINER:SRC_PATH, a host path, or - (a tar stream on stdin)
    #[arg(allow_hyphen_values = true)]
    src: String,
    /// CONTAINER:DEST_PATH, a host path, or - (a tar stream on stdout)
    #[arg(allow_hyphen_values = true)]
    dest: String,
}

/// `CONTAINER:PATH`, docker's way: a colon before any slash, and not a
/// path that starts with `/` or `.`.
fn split(arg: &str) -> Option<(&str, &str)> {
    if arg.starts_with('/') || arg.starts_with('.') {
        return None;
    }
    let (c, p) = arg.split_once(':')?;
    (!c.is_empty() && !c.contains('/')).then_some((c, p))
}

pub fn exec(engine: &Engine, a: CpArgs) -> Code {
    let _ = a.quiet;
    let result = match (split(&a.src), split(&a.dest)) {
        (Some(_), Some(_)) => {
            eprintln!("Error: copying between containers is not supported");
            return 1;
        }
        (None, None) => {
            eprintln!("Error: must specify at least one container source");
            return 1;
        }
        (Some((c, p)), None) => {
            let p = if p.is_empty() { "/" } else { p };
            if a.dest == "-" {
                let mut out = std::io::stdout().lock();
                engine.cp_out(c, p, HostEnd::Sink(&mut out), a.archive, a.follow_link)
            } else {
                engine.cp_out(
                    c,
                    p,
                    HostEnd::Path(PathBuf::from(&a.dest)),
                    a.archive,
                    a.follow_link,
                )
            }
        }
        (None, Some((c, p))) => {
            let p = if p.is_empty() { "/" } else { p };
            if a.src == "-" {
                let mut input = std::io::stdin().lock();
                engine.cp_in(HostEnd::Stream(&mut input), c, p, a.archive, a.follow_link)
            } else {
                engine.cp_in(
                    HostEnd::Path(PathBuf::from(&a.src)),
                    c,
                    p,
                    a.archive,
                    a.follow_link,
                )
            }
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}
