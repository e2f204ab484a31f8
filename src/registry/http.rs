//! HTTP(S) GET to a file: rustls with the Mozilla roots, the proxy from
//! HTTP_PROXY/HTTPS_PROXY/NO_PROXY, redirects followed, and the bytes
//! written beside the target and renamed, so a cut transfer leaves nothing.

use super::Error;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// What a download tells about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub size: u64,
    /// `Last-Modified`, as seconds since the epoch.
    pub modified: Option<i64>,
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(30))
        .timeout_read(Duration::from_secs(300))
        .try_proxy_from_env(true)
        .user_agent(concat!("strata/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Downloads `url` into `to` (created or replaced whole).
pub fn get_to_file(url: &str, to: &Path) -> Result<Fetched, Error> {
    let resp = match agent().get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => {
            return Err(Error::Download {
                url: url.to_string(),
                code,
                text: r.status_text().to_string(),
            })
        }
        Err(e) => {
            return Err(Error::Transport {
                url: url.to_string(),
                cause: e.to_string(),
            })
        }
    };
    let modified = resp.header("Last-Modified").and_then(parse_http_date);
    let part = to.with_extension("part");
    let io = |what: &str, err| Error::Io {
        what: format!("{what} {}", part.display()),
        err,
    };
    let result = (|| {
        let mut f = std::fs::File::create(&part).map_err(|e| io("create", e))?;
        let size =
            std::io::copy(&mut resp.into_reader(), &mut f).map_err(|e| Error::Transport {
                url: url.to_string(),
                cause: e.to_string(),
            })?;
        f.flush().map_err(|e| io("write", e))?;
        std::fs::rename(&part, to).map_err(|e| io("rename", e))?;
        Ok(Fetched { size, modified })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form servers send.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let day: i64 = day.parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| m == month)? as i64
        + 1;
    let year: i64 = year.parse().ok()?;
    let hms: Vec<i64> = time.split(':').filter_map(|x| x.parse().ok()).collect();
    let [h, m, sec] = hms.as_slice() else {
        return None;
    };
    // Days since the epoch (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Tue, 24 Nov 2026 10:00:00 GMT"),
            Some(1_795_514_400)
        );
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
