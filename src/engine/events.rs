//! `events`: every change to a container, image, volume or network is
//! appended to a journal in the store (`<root>/events/journal`, one JSON
//! object per line in docker's event format, one `write` each, O_APPEND,
//! so concurrent strata processes never interleave), bounded: past
//! 1 MiB the journal becomes `journal.1` (the one before goes) and a new
//! one starts. `events` reads both, in order, then follows the journal.
//! A line a crash cut short is skipped.

use super::Engine;
use crate::util::time;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, Read, Seek, Write};
use std::path::PathBuf;

/// How big a journal grows before it is rotated.
const LIMIT: u64 = 1 << 20;

/// One event, as docker's API and CLI show it.
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
fn matches_all(filters: &BTreeMap<String, Vec<String>>, e: &Event) -> bool {
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

/// `events --filter KEY=VALUE` (and the API's `filters=`).
#[derive(Debug, Clone, Default)]
pub struct EventFilter(BTreeMap<String, Vec<String>>);

impl EventFilter {
    /// `KEY=VALUE` specs; an unknown key is docker's error.
    pub fn parse(specs: &[String]) -> Result<EventFilter, String> {
        let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in specs {
            let Some((k, v)) = f.split_once('=') else {
                return Err("bad format of filter (expected name=value)".into());
            };
            if !KEYS.contains(&k) {
                return Err(format!("invalid filter '{k}'"));
            }
            filters
                .entry(k.to_string())
                .or_default()
                .push(v.to_string());
        }
        Ok(EventFilter(filters))
    }

    pub fn matches(&self, e: &Event) -> bool {
        matches_all(&self.0, e)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: String,
    pub action: String,
    pub id: String,
    pub attributes: BTreeMap<String, String>,
    pub time_nano: i128,
}

impl Event {
    /// docker's JSON (`{{json .}}` and the API).
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "Type": self.kind,
            "Action": self.action,
            "Actor": {"ID": self.id, "Attributes": self.attributes},
            "scope": "local",
            "time": (self.time_nano / 1_000_000_000) as i64,
            "timeNano": self.time_nano as i64,
        });
        // The old fields docker still sends for containers and images.
        if self.kind == "container" || self.kind == "image" {
            v["status"] = json!(self.action);
            v["id"] = json!(self.id);
            if let Some(from) = self.attributes.get("image") {
                v["from"] = json!(from);
            }
        }
        v
    }

    fn from_json(v: &Value) -> Option<Event> {
        Some(Event {
            kind: v["Type"].as_str()?.to_string(),
            action: v["Action"].as_str()?.to_string(),
            id: v["Actor"]["ID"].as_str()?.to_string(),
            attributes: v["Actor"]["Attributes"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, x)| (k.clone(), x.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            time_nano: v["timeNano"].as_i64()? as i128,
        })
    }

    /// docker's line: `2026-12-01T17:00:00.123456789Z container start ID (image=busybox, name=web)`.
    pub fn line(&self) -> String {
        let attrs: Vec<String> = self
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut s = format!(
            "{} {} {} {}",
            time::rfc3339(self.time_nano),
            self.kind,
            self.action,
            self.id
        );
        if !attrs.is_empty() {
            s.push_str(&format!(" ({})", attrs.join(", ")));
        }
        s
    }
}

/// Appends an event to the journal of the store at `root` (what cannot
/// be written is lost, not an error: the change itself happened). Also
/// for the monitor's health loop, which has no engine.
pub(super) fn append(
    root: &std::path::Path,
    kind: &str,
    action: &str,
    id: &str,
    attributes: &[(&str, &str)],
) {
    let e = Event {
        kind: kind.into(),
        action: action.into(),
        id: id.into(),
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        time_nano: time::now_nanos(),
    };
    let path = root.join("events").join("journal");
    let Some(dir) = path.parent() else {
        return;
    };
    let open = || {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
    };
    let f = open().or_else(|_| {
        let _ = std::fs::create_dir_all(dir);
        open()
    });
    let Ok(mut f) = f else {
        return;
    };
    if f.metadata().is_ok_and(|m| m.len() > LIMIT) {
        // Whoever renames first rotates; the others append to the new one.
        let _ = std::fs::rename(&path, dir.join("journal.1"));
        match open() {
            Ok(n) => f = n,
            Err(_) => return,
        }
    }
    let mut line = e.to_json().to_string();
    line.push('\n');
    let _ = f.write_all(line.as_bytes());
}

impl Engine {
    fn journal(&self) -> PathBuf {
        self.root.join("events").join("journal")
    }

    /// The exit code a container's last `die` event recorded (at or after
    /// `since`): what is left of a removed container's exit.
    pub fn last_exit_code(&self, id: &str, since: i128) -> Option<i32> {
        let (events, _) = self.events(Some(since), None);
        events
            .iter()
            .rev()
            .find(|e| e.kind == "container" && e.action == "die" && e.id == id)
            .and_then(|e| e.attributes.get("exitCode"))
            .and_then(|c| c.parse().ok())
    }

    /// Appends an event (see [`append`]).
    pub(super) fn event(&self, kind: &str, action: &str, id: &str, attributes: &[(&str, &str)]) {
        append(&self.root, kind, action, id, attributes);
    }

    /// A container's event, with docker's attributes: its image, name and
    /// labels, and `extra`.
    pub(super) fn container_event(&self, id: &str, action: &str, extra: &[(&str, &str)]) {
        match self.containers.record(id) {
            Ok(rec) => self.record_event(&rec, action, extra),
            Err(_) => self.event("container", action, id, extra),
        }
    }

    /// `container_event` of a record at hand.
    pub(super) fn record_event(
        &self,
        rec: &crate::container::Record,
        action: &str,
        extra: &[(&str, &str)],
    ) {
        let id = rec.id.as_str();
        let labels = rec.config.labels.clone().unwrap_or_default();
        let mut attrs: Vec<(&str, &str)> = labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        attrs.push(("image", rec.image.as_str()));
        attrs.push(("name", rec.name.as_str()));
        attrs.extend_from_slice(extra);
        self.event("container", action, id, &attrs);
    }

    /// The journal's events from `since` to `until` (nanoseconds), in
    /// order, and where the current journal ended (to follow from).
    pub fn events(&self, since: Option<i128>, until: Option<i128>) -> (Vec<Event>, u64) {
        let path = self.journal();
        let mut out = Vec::new();
        let old = path.with_file_name("journal.1");
        let mut end = 0;
        for (p, current) in [(old, false), (path, true)] {
            let Ok(f) = std::fs::File::open(&p) else {
                continue;
            };
            let mut r = std::io::BufReader::new(f);
            let mut line = String::new();
            let mut at = 0u64;
            while let Ok(n) = r.read_line(&mut line) {
                if n == 0 || !line.ends_with('\n') {
                    break;
                }
                at += n as u64;
                if let Some(e) = serde_json::from_str(&line)
                    .ok()
                    .as_ref()
                    .and_then(Event::from_json)
                {
                    if since.is_none_or(|s| e.time_nano >= s)
                        && until.is_none_or(|u| e.time_nano <= u)
                    {
                        out.push(e);
                    }
                }
                line.clear();
            }
            if current {
                end = at;
            }
        }
        (out, end)
    }

    /// Calls `f` with each event appended after `from` (a position in the
    /// current journal), until `f` returns false or `until` passes.
    pub fn follow_events(
        &self,
        mut from: u64,
        until: Option<i128>,
        f: &mut dyn FnMut(&Event) -> bool,
    ) {
        let path = self.journal();
        let mut pending = String::new();
        loop {
            if until.is_some_and(|u| time::now_nanos() > u) {
                return;
            }
            if let Ok(mut file) = std::fs::File::open(&path) {
                let len = file.metadata().map(|m| m.len()).unwrap_or(0);
                if len < from {
                    from = 0; // rotated
                    pending.clear();
                }
                if len > from && file.seek(std::io::SeekFrom::Start(from)).is_ok() {
                    let mut buf = String::new();
                    if let Ok(n) = file.read_to_string(&mut buf) {
                        from += n as u64;
                        pending.push_str(&buf);
                    }
                    while let Some(i) = pending.find('\n') {
                        let line: String = pending.drain(..=i).collect();
                        if let Some(e) = serde_json::from_str(&line)
                            .ok()
                            .as_ref()
                            .and_then(Event::from_json)
                        {
                            if until.is_some_and(|u| e.time_nano > u) {
                                return;
                            }
                            if !f(&e) {
                                return;
                            }
                        }
                    }
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_and_json_are_docker_s() {
        let e = Event {
            kind: "container".into(),
            action: "die".into(),
            id: "abc".into(),
            attributes: BTreeMap::from([
                ("exitCode".to_string(), "3".to_string()),
                ("image".to_string(), "busybox".to_string()),
                ("name".to_string(), "web".to_string()),
            ]),
            time_nano: 1_764_608_400_123_456_789,
        };
        assert_eq!(
            e.line(),
            "2025-12-01T17:00:00.123456789Z container die abc (exitCode=3, image=busybox, name=web)"
        );
        let j = e.to_json();
        assert_eq!(j["status"], "die");
        assert_eq!(j["from"], "busybox");
        assert_eq!(j["time"], 1_764_608_400i64);
        assert_eq!(Event::from_json(&j).unwrap(), e);
    }
}
