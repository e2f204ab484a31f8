//! `strata inspect`.

use super::{out, template, Code};
use crate::engine::{Engine, InspectKind};
use clap::{Args, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Kind {
    Container,
    Image,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Format output using a Go template
    #[arg(short, long)]
    format: Option<String>,
    /// Only look for objects of this type
    #[arg(long = "type", value_enum)]
    kind: Option<Kind>,
    /// Display total file sizes if the type is container
    #[arg(short, long)]
    size: bool,
    /// Names or IDs of containers or images
    #[arg(required = true)]
    names: Vec<String>,
}

pub fn exec(engine: &Engine, a: InspectArgs) -> Code {
    let kind = match a.kind {
        None => InspectKind::Any,
        Some(Kind::Container) => InspectKind::Container,
        Some(Kind::Image) => InspectKind::Image,
    };
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for n in &a.names {
        match engine.inspect(n, kind) {
            Ok(mut d) => {
                if a.size {
                    engine.add_sizes(&mut d);
                }
                if a.format.as_deref().is_some_and(|f| f.contains("OCISpec")) {
                    engine.add_oci_spec(&mut d);
                }
                docs.push(d)
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if let Err(e) = print_docs(&docs, a.format.as_deref()) {
        eprintln!("Error: {e}");
        return 1;
    }
    for e in &errors {
        eprintln!("Error: {e}");
    }
    if errors.is_empty() {
        0
    } else {
        1
    }
}

/// What every `inspect` prints: each document through `--format`, or all
/// of them as docker's indented JSON array.
pub(super) fn print_docs(docs: &[serde_json::Value], format: Option<&str>) -> Result<(), String> {
    match format {
        Some(f) => {
            let mut s = String::new();
            for d in docs {
                s.push_str(&template::render(f, d)?);
                s.push('\n');
            }
            out(&s);
        }
        None => {
            let mut buf = Vec::new();
            let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
            let _ = serde::Serialize::serialize(&docs, &mut ser);
            buf.push(b'\n');
            out(&String::from_utf8_lossy(&buf));
        }
    }
    Ok(())
}
