//! `--explain-cache`: why a step missed the cache. Each cache entry is
//! remembered with a note (the instruction's text, the build args in
//! scope, a stat signature of each COPY/ADD source), filed under its
//! parent image; a miss compares the step with the notes of its parent's
//! cached children and names what differs.

use super::{Source, SourceFrom};
use crate::util::{fsx, hash};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What a step was, as far as its cache entry goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Note {
    /// The instruction as written.
    pub text: String,
    /// The build args in scope.
    pub args: BTreeMap<String, String>,
    /// COPY/ADD sources: path (in the context) -> size, mtime, mode.
    pub sources: BTreeMap<String, String>,
}

/// The notes of `parent`'s cached children live in `<cache>/notes/<parent>/`.
fn dir(cache: &Path, parent: &str) -> PathBuf {
    cache.join("notes").join(hash::hex_part(parent))
}

/// Files the note of the entry `key` (a child of `parent`). A note that
/// cannot be written costs only the explanation.
pub(crate) fn remember(cache: &Path, parent: &str, key: &str, note: &Note) {
    let d = dir(cache, parent);
    if std::fs::create_dir_all(&d).is_ok() {
        if let Ok(json) = serde_json::to_vec(note) {
            // Atomic, not durable: a lost note costs only the explanation.
            let _ = fsx::replace(&d.join(hash::hex_part(key)), &json);
        }
    }
}

/// Why `note`, a step on `parent`, found no cache entry.
pub(crate) fn why(cache: &Path, parent: &str, note: &Note) -> String {
    let mut known: Vec<Note> = std::fs::read_dir(dir(cache, parent))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice(&b).ok())
        .collect();
    known.sort_by(|a: &Note, b: &Note| a.text.cmp(&b.text));
    if known.is_empty() {
        return "no cached child of the parent".into();
    }
    let Some(same) = known.iter().find(|k| k.text == note.text) else {
        let keyword = note.text.split_whitespace().next().unwrap_or("");
        let like: Vec<&Note> = known
            .iter()
            .filter(|k| {
                k.text
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case(keyword))
            })
            .collect();
        return match like.as_slice() {
            [one] => format!("instruction text changed (the cache has: {})", one.text),
            _ => "instruction text changed".into(),
        };
    };
    let mut args: Vec<&String> = note
        .args
        .iter()
        .filter(|(k, v)| same.args.get(*k) != Some(v))
        .map(|(k, _)| k)
        .chain(same.args.keys().filter(|k| !note.args.contains_key(*k)))
        .collect();
    args.sort();
    args.dedup();
    if !args.is_empty() {
        let names: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        return format!(
            "build arg{} {} changed",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        );
    }
    let mut changed: Vec<&str> = note
        .sources
        .iter()
        .filter(|(k, v)| same.sources.get(*k) != Some(v))
        .map(|(k, _)| k.as_str())
        .chain(
            same.sources
                .keys()
                .filter(|k| !note.sources.contains_key(*k))
                .map(|k| k.as_str()),
        )
        .collect();
    changed.sort();
    changed.dedup();
    if !changed.is_empty() {
        let keyword = note
            .text
            .split_whitespace()
            .next()
            .unwrap_or("COPY")
            .to_uppercase();
        let more = changed.len().saturating_sub(3);
        let shown = changed[..changed.len().min(3)].join(", ");
        return if more > 0 {
            format!("{keyword} source changed: {shown} and {more} more")
        } else {
            format!("{keyword} source changed: {shown}")
        };
    }
    "the config it runs with changed (an earlier ENV, USER, WORKDIR, SHELL or --chown/--chmod)"
        .into()
}

fn signature(md: &std::fs::Metadata) -> String {
    if md.is_dir() {
        format!("dir:{:o}", md.mode() & 0o7777)
    } else {
        format!(
            "{}:{}.{}:{:o}",
            md.len(),
            md.mtime(),
            md.mtime_nsec(),
            md.mode() & 0o7777
        )
    }
}

/// A stat signature of each source, by its path in the context (or its
/// destination when it comes from elsewhere).
pub(crate) fn sources(list: &[Source], context: Option<&Path>) -> BTreeMap<String, String> {
    let name = |p: &Path, dest: &str| -> String {
        context
            .and_then(|c| p.strip_prefix(c).ok())
            .map(|r| r.to_string_lossy().to_string())
            .unwrap_or_else(|| dest.to_string())
    };
    let mut out = BTreeMap::new();
    for s in list {
        match &s.from {
            SourceFrom::File(p) | SourceFrom::Archive(p) => {
                if let Ok(md) = std::fs::metadata(p) {
                    out.insert(name(p, &s.dest), signature(&md));
                }
            }
            SourceFrom::Bytes(b) => {
                out.insert(
                    format!("<<heredoc {}", s.dest),
                    hash::sha256_digest(b).to_string(),
                );
            }
            SourceFrom::MkDir => {}
            SourceFrom::Dir(root, ignore, ctx_rel) => {
                let mut stack = vec![(root.clone(), String::new())];
                while let Some((d, rel)) = stack.pop() {
                    let Ok(rd) = std::fs::read_dir(&d) else {
                        continue;
                    };
                    for e in rd.flatten() {
                        let n = e.file_name().to_string_lossy().to_string();
                        let sub = if rel.is_empty() {
                            n.clone()
                        } else {
                            format!("{rel}/{n}")
                        };
                        let in_ctx = if ctx_rel.is_empty() {
                            sub.clone()
                        } else {
                            format!("{ctx_rel}/{sub}")
                        };
                        let Ok(md) = std::fs::symlink_metadata(e.path()) else {
                            continue;
                        };
                        if ignore.excluded(&in_ctx) {
                            if md.is_dir() && ignore.has_exceptions() {
                                stack.push((e.path(), sub));
                            }
                            continue;
                        }
                        let key = if context.is_some_and(|c| root.starts_with(c)) {
                            in_ctx
                        } else {
                            format!("{}/{sub}", s.dest.trim_end_matches('/'))
                        };
                        out.insert(key, signature(&md));
                        if md.is_dir() {
                            stack.push((e.path(), sub));
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(text: &str, args: &[(&str, &str)], sources: &[(&str, &str)]) -> Note {
        Note {
            text: text.into(),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            sources: sources
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_miss_names_what_changed() {
        let cache = std::env::temp_dir().join(format!("strata-explain-{}", std::process::id()));
        let parent = "sha256:aaaa";
        assert_eq!(
            why(&cache, parent, &note("RUN a", &[], &[])),
            "no cached child of the parent"
        );
        remember(
            &cache,
            parent,
            "sha256:k1",
            &note("RUN make", &[("V", "1")], &[]),
        );
        remember(
            &cache,
            parent,
            "sha256:k2",
            &note(
                "COPY app /app",
                &[],
                &[("app/main.py", "1:1"), ("app/x", "2:2")],
            ),
        );
        assert_eq!(
            why(&cache, parent, &note("RUN make", &[("V", "2")], &[])),
            "build arg V changed"
        );
        assert_eq!(
            why(
                &cache,
                parent,
                &note(
                    "COPY app /app",
                    &[],
                    &[("app/main.py", "1:9"), ("app/x", "2:2")]
                )
            ),
            "COPY source changed: app/main.py"
        );
        assert_eq!(
            why(&cache, parent, &note("RUN make all", &[("V", "1")], &[])),
            "instruction text changed (the cache has: RUN make)"
        );
        std::fs::remove_dir_all(&cache).unwrap();
    }
}
