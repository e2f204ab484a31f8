//! `strata commit`, `diff`, `history`, `export`.

use super::{fail, out, table, Code};
use crate::engine::{short_id, CommitRequest, Engine};
use crate::util::time;
use clap::{ArgAction, Args};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CommitArgs {
    /// Apply Dockerfile instruction to the created image
    #[arg(short, long = "change", value_name = "INSTRUCTION")]
    change: Vec<String>,
    /// Commit message
    #[arg(short, long)]
    message: Option<String>,
    /// Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
    #[arg(short, long)]
    author: Option<String>,
    /// Pause container during commit
    #[arg(short, long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pause: bool,
    /// Do not pause the container during commit
    #[arg(long, conflicts_with = "pause")]
    no_pause: bool,
    /// The container, by name, ID or unique ID prefix
    container: String,
    /// REPOSITORY[:TAG] for the new image
    reference: Option<String>,
}

pub fn exec_commit(engine: &Engine, a: CommitArgs) -> Code {
    let req = CommitRequest {
        container: a.container,
        reference: a.reference,
        changes: a.change,
        message: a.message,
        author: a.author,
        pause: a.pause && !a.no_pause,
    };
    match engine.commit(&req) {
        Ok(id) => {
            out(&format!("{id}\n"));
            0
        }
        Err(e) => fail(&e),
    }
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The container, by name, ID or unique ID prefix
    container: String,
}

pub fn exec_diff(engine: &Engine, a: DiffArgs) -> Code {
    match engine.diff(&a.container) {
        Ok(changes) => {
            let mut s = String::new();
            for (k, p) in changes {
                s.push_str(&format!("{k} {p}\n"));
            }
            out(&s);
            0
        }
        Err(e) => fail(&e),
    }
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// Don't truncate output
    #[arg(long)]
    no_trunc: bool,
    /// Only show image IDs
    #[arg(short, long)]
    quiet: bool,
    /// Print sizes and dates in human readable format
    #[arg(short = 'H', long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    human: bool,
    /// Format output using a custom template ('table', 'table TEMPLATE' or a Go template)
    #[arg(long)]
    format: Option<String>,
    /// The image
    image: String,
}

/// docker's headers for `history --format "table ..."`.
const HISTORY_HEADERS: &[(&str, &str)] = &[
    ("ID", "IMAGE"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("CreatedBy", "CREATED BY"),
    ("Size", "SIZE"),
    ("Comment", "COMMENT"),
];

pub fn exec_history(engine: &Engine, a: HistoryArgs) -> Code {
    let rows = match engine.history(&a.image) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let id_text = |id: &Option<String>| match id {
        Some(i) if a.no_trunc => i.clone(),
        Some(i) => short_id(i),
        None => "<missing>".into(),
    };
    if a.quiet {
        let mut s = String::new();
        for r in &rows {
            s.push_str(&id_text(&r.id));
            s.push('\n');
        }
        out(&s);
        return 0;
    }
    let format = match a.format.as_deref() {
        Some("table") | None => {
            "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
        }
        Some(f) => f,
    };
    let mut values = Vec::new();
    for r in &rows {
        let created = match r.created {
            Some(c) if a.human => format!("{} ago", time::human_duration(time::since(c))),
            Some(c) => time::rfc3339(c),
            None => "N/A".into(),
        };
        let by = r.created_by.replace('\t', " ");
        let by = if a.no_trunc {
            by
        } else {
            table::ellipsis(&by, 45)
        };
        let size = if a.human {
            table::human_size(r.size)
        } else {
            r.size.to_string()
        };
        values.push(serde_json::json!({
            "ID": id_text(&r.id),
            "CreatedSince": created,
            "CreatedAt": r.created.map(time::rfc3339).unwrap_or_default(),
            "CreatedBy": by,
            "Size": size,
            "Comment": r.comment,
        }));
    }
    match table::format_rows(format, &values, HISTORY_HEADERS) {
        Ok(s) => {
            out(&s);
            0
        }
        Err(e) => {
            eprintln!("Error: {e}");
            125
        }
    }
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The container, by name, ID or unique ID prefix
    container: String,
}

pub fn exec_export(engine: &Engine, a: ExportArgs) -> Code {
    let result = match &a.output {
        Some(path) => super::write_output(path, |f| engine.export(&a.container, f)),
        None => {
            if nix::unistd::isatty(1).unwrap_or(false) {
                eprintln!(
                    "Error: cowardly refusing to save to a terminal. Use the -o flag or redirect"
                );
                return 1;
            }
            engine.export(&a.container, &mut std::io::stdout())
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => fail(&e),
    }
}
