//! `strata events` (and `system events`): the journal's events, then new
//! ones as they come, in docker's words.

use super::{out, template, Code};
use crate::engine::{point_in_time, Engine, Event, EventFilter};
use clap::Args;

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
    let filters = match EventFilter::parse(&a.filter) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    let format = a
        .format
        .as_deref()
        .map(|f| if f.trim() == "json" { "{{json .}}" } else { f });
    let show = |e: &Event| -> bool {
        if !filters.matches(e) {
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
