//! `strata events` (and `system events`): the journal's events, then new
//! ones as they come, in docker's words.

use super::{out, template, Code};
use crate::engine::{point_in_time, Engine, Event};
use clap::Args;
use std::collections::BTreeMap;

#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Show all events created since timestamp
    #[arg(long)]
    since: Option<String>,
    /// Stream events until this timestamp
    #[arg(long)]
    until: Option<String>,
    /// Filter output based on conditions provided (type=, container=, image=, event=, label=, volume=, network=)
    #[arg(short, long = "filter", value_name = "FILTER")]
    filter: Vec<String>,
    /// Format output using a custom template ('json' or a Go template)
    #[arg(long)]
    format: Option<String>,
}

const KEYS: &[&str] = &[
    "type",
    "container",
    "image",
    "event",
    "label",
    "volume",
    "network",
];

/// docker's rule: values of one key are alternatives, keys must all match.
fn matches(filters: &BTreeMap<String, Vec<String>>, e: &Event) -> bool {
    filters.iter().all(|(k, vals)| {
        vals.iter().any(|v| match k.as_str() {
            "type" => e.kind == *v,
            "event" => e.action == *v || e.action.split(':').next() == Some(v.as_str()),
            "container" => {
                e.kind == "container"
                    && (e.id.starts_with(v.as_str()) || e.attributes.get("name") == Some(v))
            }
            "image" => {
                e.attributes.get("image") == Some(v)
                    || (e.kind == "image"
                        && (e.id.starts_with(v.as_str()) || e.attributes.get("name") == Some(v)))
            }
            "volume" => e.kind == "volume" && e.id == *v,
            "network" => {
                e.kind == "network"
                    && (e.id.starts_with(v.as_str()) || e.attributes.get("name") == Some(v))
            }
            "label" => match v.split_once('=') {
                Some((lk, lv)) => e.attributes.get(lk).is_some_and(|x| x == lv),
                None => e.attributes.contains_key(v),
            },
            _ => false,
        })
    })
}

pub fn exec(engine: &Engine, a: EventsArgs) -> Code {
    let when = |v: &Option<String>, flag: &str| -> Result<Option<i128>, String> {
        match v {
            None => Ok(None),
            Some(s) => point_in_time(s)
                .map(Some)
                .ok_or_else(|| format!("invalid value for --{flag}: {s:?}")),
        }
    };
    let (since, until) = match (when(&a.since, "since"), when(&a.until, "until")) {
        (Ok(s), Ok(u)) => (s, u),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &a.filter {
        let Some((k, v)) = f.split_once('=') else {
            eprintln!("Error: bad format of filter (expected name=value)");
            return 1;
        };
        if !KEYS.contains(&k) {
            eprintln!("Error: invalid filter '{k}'");
            return 1;
        }
        filters
            .entry(k.to_string())
            .or_default()
            .push(v.to_string());
    }
    let format = a
        .format
        .as_deref()
        .map(|f| if f.trim() == "json" { "{{json .}}" } else { f });
    let show = |e: &Event| -> bool {
        if !matches(&filters, e) {
            return true;
        }
        let line = match format {
            None => e.line(),
            Some(f) => match template::render(f, &e.to_json()) {
                Ok(l) => l,
                Err(err) => {
                    eprintln!("Error: {err}");
                    return false;
                }
            },
        };
        out(&format!("{line}\n"));
        true
    };
    // Without --since, only what happens from now on (docker's default).
    let since = since.or_else(|| Some(crate::util::time::now_nanos()));
    let (past, end) = engine.events(since, until);
    for e in &past {
        if !show(e) {
            return 1;
        }
    }
    if until.is_some_and(|u| u <= crate::util::time::now_nanos()) {
        return 0;
    }
    let mut f = |e: &Event| show(e);
    engine.follow_events(end, until, &mut f);
    0
}
