//! `strata images`, `strata tag`, `strata rmi`.

use super::{out, table, Code};
use crate::engine::{short_id, Engine};
use crate::util::time;
use clap::Args;
use serde_json::json;

#[derive(Args, Debug)]
pub struct ImagesArgs {
    /// Show all images (default hides intermediate images)
    #[arg(short, long)]
    all: bool,
    /// Only show image IDs
    #[arg(short, long)]
    quiet: bool,
    /// Don't truncate output
    #[arg(long)]
    no_trunc: bool,
    /// Show digests
    #[arg(long)]
    digests: bool,
    /// Format output using a Go template
    #[arg(long)]
    format: Option<String>,
    /// Filter output (dangling=true|false, reference=PATTERN, label=KEY[=VALUE], before=IMAGE, since=IMAGE)
    #[arg(short, long = "filter", value_name = "FILTER")]
    filter: Vec<String>,
    /// Only images of this repository[:tag]
    repository: Option<String>,
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// SOURCE_IMAGE[:TAG]
    pub source: String,
    /// TARGET_IMAGE[:TAG]
    pub target: String,
}

#[derive(Args, Debug)]
pub struct RmiArgs {
    /// Force removal of the image
    #[arg(short, long)]
    force: bool,
    /// Do not delete untagged parents
    #[arg(long)]
    no_prune: bool,
    /// The images, by name, ID or unique ID prefix
    #[arg(required = true)]
    images: Vec<String>,
}

/// docker's headers for `images --format "table ..."`.
const IMAGES_HEADERS: &[(&str, &str)] = &[
    ("Repository", "REPOSITORY"),
    ("Tag", "TAG"),
    ("Digest", "DIGEST"),
    ("ID", "IMAGE ID"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("Size", "SIZE"),
];

pub fn exec_images(engine: &Engine, a: ImagesArgs) -> Code {
    let mut rows = match engine.images(a.all) {
        Ok(r) => r,
        Err(e) => return super::fail(&e),
    };
    if let Some(want) = &a.repository {
        let (repo, tag) = match want.rsplit_once(':').filter(|(_, t)| !t.contains('/')) {
            Some((r, t)) => (r.to_string(), Some(t.to_string())),
            None => (want.clone(), None),
        };
        let repo = crate::image::Reference::parse(&repo)
            .map(|r| r.familiar_repository())
            .unwrap_or(repo);
        rows.retain(|r| {
            r.repository.as_deref() == Some(repo.as_str()) && (tag.is_none() || r.tag == tag)
        });
    }
    if let Err(e) = apply_filters(engine, &a.filter, &mut rows) {
        eprintln!("Error: {e}");
        return 1;
    }
    let id_text = |id: &str| {
        if a.no_trunc {
            id.to_string()
        } else {
            short_id(id)
        }
    };
    if a.quiet {
        let mut seen = std::collections::HashSet::new();
        let mut s = String::new();
        for r in rows.iter().filter(|r| seen.insert(r.id.clone())) {
            s.push_str(&id_text(&r.id));
            s.push('\n');
        }
        out(&s);
        return 0;
    }
    let size_text: std::cell::RefCell<Option<(u64, String)>> = Default::default();
    // One field of a row, made only when a column or template asks.
    let field = |r: &crate::engine::ImageRow, name: &str| -> String {
        match name {
            "Repository" => r.repository.clone().unwrap_or_else(|| "<none>".into()),
            "Tag" => r.tag.clone().unwrap_or_else(|| "<none>".into()),
            "Digest" => r.digest.clone().unwrap_or_else(|| "<none>".into()),
            "ID" => id_text(&r.id),
            "CreatedSince" => r
                .created
                .map(|c| format!("{} ago", time::human_duration(time::since(c))))
                .unwrap_or_else(|| "N/A".into()),
            "CreatedAt" => r.created.map(time::go_time_string).unwrap_or_default(),
            // Many images share a size (one base): it is written once.
            "Size" => {
                let mut memo = size_text.borrow_mut();
                match &*memo {
                    Some((n, t)) if *n == r.size => t.clone(),
                    _ => {
                        let t = table::human_size(r.size);
                        *memo = Some((r.size, t.clone()));
                        t
                    }
                }
            }
            _ => String::new(),
        }
    };
    // `--format table` alone is the default table.
    if let Some(f) = a.format.as_ref().filter(|f| f.trim() != "table") {
        let values: Vec<_> = rows
            .iter()
            .map(|r| {
                let m: serde_json::Map<String, serde_json::Value> = IMAGES_HEADERS
                    .iter()
                    .map(|(k, _)| (k.to_string(), json!(field(r, k))))
                    .collect();
                serde_json::Value::Object(m)
            })
            .collect();
        return match table::format_rows(f, &values, IMAGES_HEADERS) {
            Ok(s) => {
                out(&s);
                0
            }
            Err(e) => {
                eprintln!("Error: {e}");
                125
            }
        };
    }
    let columns: &[(&str, &str)] = if a.digests {
        &[
            ("REPOSITORY", "Repository"),
            ("TAG", "Tag"),
            ("DIGEST", "Digest"),
            ("IMAGE ID", "ID"),
            ("CREATED", "CreatedSince"),
            ("SIZE", "Size"),
        ]
    } else {
        &[
            ("REPOSITORY", "Repository"),
            ("TAG", "Tag"),
            ("IMAGE ID", "ID"),
            ("CREATED", "CreatedSince"),
            ("SIZE", "Size"),
        ]
    };
    let mut t = Vec::with_capacity(rows.len() + 1);
    t.push(columns.iter().map(|c| c.0.to_string()).collect::<Vec<_>>());
    for r in &rows {
        t.push(columns.iter().map(|c| field(r, c.1)).collect());
    }
    out(&table::render(&t));
    0
}

pub fn exec_rmi(engine: &Engine, a: RmiArgs) -> Code {
    let mut code = 0;
    for name in &a.images {
        match engine.rmi_with(name, a.force, !a.no_prune) {
            Ok(o) => {
                let mut s = String::new();
                for u in o.untagged {
                    s.push_str(&format!("Untagged: {u}\n"));
                }
                for d in o.deleted {
                    s.push_str(&format!("Deleted: {d}\n"));
                }
                out(&s);
            }
            Err(e) => {
                eprintln!("Error: {e}");
                code = 1;
            }
        }
    }
    code
}

#[derive(Args, Debug)]
pub struct ImagePruneArgs {
    /// Remove all unused images, not just dangling ones
    #[arg(short, long)]
    all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    force: bool,
    /// Provide filter values (until=TIME, label=KEY[=VALUE], label!=...)
    #[arg(long = "filter", value_name = "FILTER")]
    filter: Vec<String>,
}

pub fn exec_image_prune(engine: &Engine, a: ImagePruneArgs) -> Code {
    let what = if a.all {
        "all images without at least one container associated to them"
    } else {
        "all dangling images"
    };
    super::run_prune(a.force, what, &a.filter, "Images", |f| {
        engine.prune_images(a.all, f)
    })
}

/// docker's `images --filter`: values of one key are alternatives, keys
/// must all match.
fn apply_filters(
    engine: &Engine,
    specs: &[String],
    rows: &mut Vec<crate::engine::ImageRow>,
) -> Result<(), String> {
    let mut by_key: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for spec in specs {
        let (k, v) = spec
            .split_once('=')
            .ok_or_else(|| format!("bad format of filter (expected name=value): {spec}"))?;
        if !["dangling", "reference", "label", "before", "since"].contains(&k) {
            return Err(format!("Invalid filter '{k}'"));
        }
        by_key.entry(k).or_default().push(v);
    }
    for (k, vals) in by_key {
        match k {
            "dangling" => {
                let want: Vec<bool> = vals
                    .iter()
                    .map(|v| match *v {
                        "true" | "1" => Ok(true),
                        "false" | "0" => Ok(false),
                        _ => Err(format!("Invalid filter 'dangling={v}'")),
                    })
                    .collect::<Result<_, _>>()?;
                rows.retain(|r| want.contains(&r.dangling));
            }
            "reference" => rows.retain(|r| {
                let Some(repo) = &r.repository else {
                    return false;
                };
                let full = format!("{repo}:{}", r.tag.as_deref().unwrap_or(""));
                vals.iter()
                    .any(|p| path_match(p, repo) || path_match(p, &full))
            }),
            "label" => rows.retain(|r| {
                vals.iter().all(|l| match l.split_once('=') {
                    Some((lk, lv)) => r.labels.get(lk).map(String::as_str) == Some(lv),
                    None => r.labels.contains_key(*l),
                })
            }),
            "before" | "since" => {
                for v in vals {
                    let t = engine
                        .image_created(v)
                        .map_err(|e| e.to_string())?
                        .unwrap_or(0);
                    rows.retain(|r| {
                        let c = r.created.unwrap_or(0);
                        if k == "before" {
                            c < t
                        } else {
                            c > t
                        }
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Go's path.Match: `*` and `?` never cross a `/`.
fn path_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), name.split('/').collect());
    p.len() == n.len()
        && p.iter()
            .zip(&n)
            .all(|(a, b)| crate::engine::glob(a.as_bytes(), b.as_bytes()))
}
