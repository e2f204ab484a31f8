//! Time stamps as docker prints them: RFC 3339 with nanoseconds, in UTC,
//! and the "About a minute" human durations of go-units.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, as nanoseconds since the epoch.
pub fn now_nanos() -> i128 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// Days since 1970-01-01 to a civil (year, month, day); Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// RFC 3339 with nanoseconds, UTC: `2026-11-24T08:35:29.123456789Z`.
pub fn rfc3339(nanos: i128) -> String {
    let secs = nanos.div_euclid(1_000_000_000) as i64;
    let frac = nanos.rem_euclid(1_000_000_000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s) = (sod / 3600, (sod / 60) % 60, sod % 60);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:09}Z")
}

/// Go's `time.Unix(secs, 0).String()` in UTC, as docker's `CreatedAt`
/// columns print it: `2026-11-23 10:00:00 +0000 UTC`.
pub fn go_time_string(nanos: i128) -> String {
    let secs = nanos.div_euclid(1_000_000_000) as i64;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s) = (sod / 3600, (sod / 60) % 60, sod % 60);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} +0000 UTC")
}

/// Parses what [`rfc3339`] writes (and offsets like `+01:00`, fewer digits).
pub fn parse_rfc3339(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)? as u32, num(8..10)? as u32);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut frac: i128 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &s[start..i];
        let mut padded = digits.chars().take(9).collect::<String>();
        while padded.len() < 9 {
            padded.push('0');
        }
        frac = padded.parse().ok()?;
    }
    let offset: i64 = match s.get(i..)? {
        "Z" | "z" => 0,
        rest if rest.len() == 6 => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (rest[1..3].parse::<i64>().ok()? * 3600 + rest[4..6].parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset;
    Some(secs as i128 * 1_000_000_000 + frac)
}

/// go-units' HumanDuration, as docker prints in `ps` and `images`.
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    let s = d.as_secs();
    if secs < 1.0 {
        return "Less than a second".into();
    } else if s == 1 {
        return "1 second".into();
    } else if s < 60 {
        return format!("{s} seconds");
    }
    let minutes = (secs / 60.0).round() as u64;
    if minutes == 1 {
        return "About a minute".into();
    } else if s < 60 * 60 {
        return format!("{minutes} minutes");
    }
    let hours = (secs / 3600.0).round() as u64;
    if hours == 1 {
        return "About an hour".into();
    } else if s < 48 * 3600 {
        return format!("{hours} hours");
    } else if s < 7 * 24 * 3600 * 2 {
        return format!("{} days", s / (24 * 3600));
    } else if s < 24 * 3600 * 30 * 2 {
        return format!("{} weeks", s / (24 * 3600 * 7));
    } else if s < 24 * 3600 * 365 * 2 {
        return format!("{} months", s / (24 * 3600 * 30));
    }
    format!("{} years", s / (24 * 3600 * 365))
}

/// How long ago `nanos` was, in go-units words (never negative).
pub fn since(nanos: i128) -> Duration {
    let d = now_nanos() - nanos;
    Duration::from_nanos(d.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_time_strings_are_docker_s_created_at() {
        assert_eq!(
            go_time_string(1_795_509_329_123_456_789),
            "2026-11-24 08:35:29 +0000 UTC"
        );
    }

    #[test]
    fn rfc3339_round_trip() {
        let n: i128 = 1_795_509_329_123_456_789;
        let s = rfc3339(n);
        assert_eq!(s, "2026-11-24T08:35:29.123456789Z");
        assert_eq!(parse_rfc3339(&s), Some(n));
        assert_eq!(
            parse_rfc3339("2026-11-24T09:35:29+01:00"),
            Some(1_795_509_329_000_000_000)
        );
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(parse_rfc3339("garbage"), None);
    }

    #[test]
    fn human_durations_match_go_units() {
        let h = |s: u64| human_duration(Duration::from_secs(s));
        assert_eq!(
            human_duration(Duration::from_millis(300)),
            "Less than a second"
        );
        assert_eq!(h(1), "1 second");
        assert_eq!(h(5), "5 seconds");
        assert_eq!(h(60), "About a minute");
        assert_eq!(h(89), "About a minute");
        assert_eq!(h(150), "3 minutes");
        assert_eq!(h(3600), "About an hour");
        assert_eq!(h(3 * 3600), "3 hours");
        assert_eq!(h(3 * 86400), "3 days");
        assert_eq!(h(20 * 86400), "2 weeks");
        assert_eq!(h(90 * 86400), "3 months");
        assert_eq!(h(800 * 86400), "2 years");
    }
}
