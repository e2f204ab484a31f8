//! docker's progress bars (`Downloading [====>     ]  12.3MB/50.1MB`),
//! said through the same line callback as the other lines: on a terminal
//! the CLI redraws each layer's line in place.

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
    pub say: Option<&'a dyn Fn(&str)>,
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
                say(&format!(
                    "{}: {} {}",
                    self.id,
                    self.verb,
                    bar(self.done, self.total)
                ));
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
