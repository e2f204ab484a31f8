//! `save`, `load`: images to and from archives.

use super::{fail, out, Code};
use crate::engine::{Engine, Error, SaveFormat};
use clap::Args;
use std::io::IsTerminal;

#[derive(Args, Debug)]
pub struct SaveArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
    /// docker-archive (docker 20.10's layout) or oci-archive
    #[arg(long, value_name = "FORMAT", default_value = "docker-archive", value_parser = ["docker-archive", "oci-archive"])]
    format: String,
    /// Images: name[:tag], ID, or a repository (all its tags)
    #[arg(required = true, value_name = "IMAGE")]
    images: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// Read from tar archive file, instead of STDIN
    #[arg(short, long, value_name = "FILE")]
    input: Option<String>,
    /// Suppress the load output
    #[arg(short, long)]
    quiet: bool,
}

pub fn exec_save(engine: &Engine, a: SaveArgs) -> Code {
    let format = if a.format == "oci-archive" {
        SaveFormat::Oci
    } else {
        SaveFormat::Docker
    };
    let result = match &a.output {
        None => {
            if std::io::stdout().is_terminal() {
                return fail(&Error::Invalid(
                    "cowardly refusing to save to a terminal. Use the -o flag or redirect".into(),
                ));
            }
            let stdout = std::io::stdout().lock();
            engine.save(
                &a.images,
                format,
                std::io::BufWriter::with_capacity(1 << 20, stdout),
            )
        }
        Some(path) => super::write_output(std::path::Path::new(path), |f| {
            engine.save(
                &a.images,
                format,
                std::io::BufWriter::with_capacity(1 << 20, f),
            )
        }),
    };
    match result {
        Ok(()) => 0,
        Err(e) => fail(&e),
    }
}

pub fn exec_load(engine: &Engine, a: LoadArgs) -> Code {
    let result = match &a.input {
        None => {
            if std::io::stdin().is_terminal() {
                return fail(&Error::Invalid(
                    "requested load from stdin, but stdin is empty".into(),
                ));
            }
            engine.load(std::io::stdin().lock())
        }
        Some(path) => match std::fs::File::open(path) {
            Ok(f) => engine.load(f),
            Err(err) => Err(Error::Io {
                what: format!("open {path}"),
                err,
            }),
        },
    };
    match result {
        Ok(lines) => {
            if !a.quiet {
                for l in lines {
                    out(&format!("{l}\n"));
                }
            }
            0
        }
        Err(e) => fail(&e),
    }
}
