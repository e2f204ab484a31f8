//! A registry transfer's progress as typed events (`Transfer`), and
//! docker's progress bars (`Downloading [====>     ]  12.3MB/50.1MB`) for
//! their text: the CLI prints each event's line (on a terminal it redraws
//! each layer's line in place); a server would send them as docker's JSON
//! message stream.

/// One step of a pull or a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transfer {
    /// A line about the whole transfer: `Using default tag: latest`,
    /// `latest: Pulling from library/busybox`, `Digest: ...`, `Status:
    /// ...`, `The push refers to repository [...]`, `TAG: digest: ...`.
    Status(String),
    /// A layer's: its short id, docker's status (`Pulling fs layer`,
    /// `Waiting`, `Downloading`, `Verifying Checksum`, `Download
    /// complete`, `Pull complete`, `Already exists`, `Preparing`,
    /// `Pushing`, `Pushed`, `Layer already exists`, `Mounted from X`), and
    /// the bytes so far of the total while it moves (0 of 0 otherwise).
    Layer {
        id: String,
        status: String,
        current: u64,
        total: u64,
    },
}

impl Transfer {
    pub fn layer(id: impl Into<String>, status: impl Into<String>) -> Transfer {
        Transfer::Layer {
            id: id.into(),
            status: status.into(),
            current: 0,
            total: 0,
        }
    }

    /// The layer it is about, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            Transfer::Layer { id, .. } => Some(id),
            Transfer::Status(_) => None,
        }
    }
}

impl std::fmt::Display for Transfer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transfer::Status(s) => f.write_str(s),
            Transfer::Layer {
                id,
                status,
                total: 0,
                ..
            } => write!(f, "{id}: {status}"),
            Transfer::Layer {
                id,
                status,
                current,
                total,
            } => write!(f, "{id}: {status} {}", bar(*current, *total)),
        }
    }
}

use std::io::Read;

/// Counts what passes through a reader and says the bar for it (`verb`
/// is `Downloading` or `Pushing`) at most ten times a second.
pub(super) struct Progress<'a, R> {
    pub inner: R,
    pub done: u64,
    pub total: u64,
    pub last: Option<std::time::Instant>,
    pub id: &'a str,
    pub verb: &'a str,
    pub say: Option<&'a dyn Fn(Transfer)>,
}

impl<R: Read> Read for Progress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if let Some(say) = self.say {
            let now = std::time::Instant::now();
            if self
                .last
                .is_none_or(|t| now.duration_since(t).as_millis() >= 100)
            {
                self.last = Some(now);
                say(Transfer::Layer {
                    id: self.id.to_string(),
                    status: self.verb.to_string(),
                    current: self.done,
                    total: self.total,
                });
            }
        }
        Ok(n)
    }
}

/// docker's progress bar: 50 columns, then current/total in go-units sizes.
pub(super) fn bar(done: u64, total: u64) -> String {
    let width = 50u64;
    let filled = (done.min(total) * width).checked_div(total).unwrap_or(0);
    let mut s = String::from("[");
    for i in 0..width {
        s.push(match i.cmp(&filled) {
            std::cmp::Ordering::Less => '=',
            std::cmp::Ordering::Equal => '>',
            std::cmp::Ordering::Greater => ' ',
        });
    }
    format!("{s}] {:>8}/{}", go_size(done), go_size(total))
}

/// go-units `HumanSize`: four significant digits, decimal units.
fn go_size(n: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < units.len() {
        v /= 1000.0;
        u += 1;
    }
    // Go's %.4g: four significant digits, trailing zeros dropped.
    let int_digits = if v < 10.0 {
        1
    } else if v < 100.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.*}", 4 - int_digits);
    let t = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    format!("{t}{}", units[u])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_bars_look_like_docker_s() {
        assert_eq!(go_size(12_345_678), "12.35MB");
        assert_eq!(go_size(999), "999B");
        assert_eq!(go_size(50_100_000), "50.1MB");
        let b = bar(25, 100);
        assert!(b.starts_with("[============>"), "{b}");
        assert!(b.ends_with("]      25B/100B"), "{b}");
        assert_eq!(b.len(), 52 + 14);
    }
}

#[cfg(test)]
mod transfer_tests {
    use super::*;

    #[test]
    fn each_event_says_docker_s_line() {
        assert_eq!(
            Transfer::Status("Digest: sha256:ab".into()).to_string(),
            "Digest: sha256:ab"
        );
        let l = Transfer::layer("0123456789ab", "Pull complete");
        assert_eq!(l.to_string(), "0123456789ab: Pull complete");
        assert_eq!(l.id(), Some("0123456789ab"));
        let moving = Transfer::Layer {
            id: "0123456789ab".into(),
            status: "Downloading".into(),
            current: 500,
            total: 1000,
        };
        let text = moving.to_string();
        assert!(
            text.starts_with("0123456789ab: Downloading [=========================>"),
            "{text}"
        );
        assert!(text.ends_with("500B/1kB"), "{text}");
    }
}
