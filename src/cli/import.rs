//! `strata import`.

use super::{fail, out, Code};
use crate::engine::{Engine, Error};
use clap::Args;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Set commit message for imported image
    #[arg(short, long)]
    message: Option<String>,
    /// Apply Dockerfile instruction to the created image
    #[arg(short, long = "change", value_name = "INSTRUCTION")]
    change: Vec<String>,
    /// The tarball (plain, gzip or zstd), or - for standard input
    file: String,
    /// REPOSITORY[:TAG] for the new image
    reference: Option<String>,
}

pub fn exec(engine: &Engine, a: ImportArgs) -> Code {
    let result = if a.file == "-" {
        engine.import(
            std::io::stdin().lock(),
            a.reference.as_deref(),
            a.message.as_deref(),
            &a.change,
        )
    } else {
        match std::fs::File::open(&a.file) {
            Ok(f) => engine.import(f, a.reference.as_deref(), a.message.as_deref(), &a.change),
            Err(err) => Err(Error::Io {
                what: format!("open {}", a.file),
                err,
            }),
        }
    };
    match result {
        Ok(id) => {
            out(&format!("{id}\n"));
            0
        }
        Err(e) => fail(&e),
    }
}
