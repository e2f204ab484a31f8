//! docker's output shapes: its tabwriter layout (min width 10, padding 3,
//! last column unpadded), go-units sizes, and Go's %q quoting.

/// Lays out rows as docker's tabwriter does.
pub fn render(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            out.push_str(c);
            if i + 1 < r.len() {
                let w = (widths[i] + 3).max(10);
                out.extend(std::iter::repeat_n(' ', w - c.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

/// go-units HumanSize (4 significant digits), as `Sending build context` prints.
pub fn human_size_prec(size: u64, digits: usize) -> String {
    scaled_size(
        size,
        1000,
        &["B", "kB", "MB", "GB", "TB", "PB", "EB"],
        digits,
    )
}

/// `size` in the largest of `units` (each `base` times the last) it
/// reaches, with `%.Ng`'s `digits` significant digits and no trailing zeros.
/// (The integer digits are counted, not taken from `log10`: the binary
/// needs no libm, one shared library fewer for every command to load.)
pub fn scaled_size(size: u64, base: u32, units: &[&str; 7], digits: usize) -> String {
    let base = f64::from(base);
    let mut v = size as f64;
    let mut i = 0;
    while v >= base && i < units.len() - 1 {
        v /= base;
        i += 1;
    }
    let mut int_digits = 1;
    let mut ten = 10.0;
    while v >= ten {
        int_digits += 1;
        ten *= 10.0;
    }
    let decimals = digits.saturating_sub(int_digits);
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{}", units[i])
}

/// go-units HumanSizeWithPrecision(size, 3): decimal units, 3 significant digits.
pub fn human_size(size: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut v = size as f64;
    let mut i = 0;
    while v >= 1000.0 && i < UNITS.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    format!("{}{}", g3(v), UNITS[i])
}

/// Go's `%.3g` for 0 <= v < 1000.
fn g3(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.digits$}");
    // Rounding may reach the next power of ten (999.5 -> "1000" -> "1e+03").
    if s.starts_with("1000") {
        return "1e+03".into();
    }
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    // 99.96 rounds to "100.0" at 1 decimal: keep 3 significant digits.
    if let Some(stripped) = s.strip_suffix(".0") {
        return stripped.to_string();
    }
    s
}

pub use crate::util::gofmt::quote as go_quote;

/// docker's Ellipsis: at most `max` characters, the last one `…` when cut.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Renders `--format` for rows of fields: a plain Go template per line,
/// or `table ...` with docker's column headers and tabwriter layout.
/// `headers` maps field names (`ID`) to header text (`CONTAINER ID`).
pub fn format_rows(
    tmpl: &str,
    rows: &[serde_json::Value],
    headers: &[(&str, &str)],
) -> Result<String, String> {
    let unescape = |s: &str| s.replace("\\t", "\t").replace("\\n", "\n");
    // `--format json`: each row as one line of JSON, as docker 28 does.
    let tmpl = if tmpl.trim() == "json" {
        "{{json .}}"
    } else {
        tmpl
    };
    let Some(cols) = tmpl.strip_prefix("table") else {
        let mut out = String::new();
        for r in rows {
            out.push_str(&unescape(&super::template::render(tmpl, r)?));
            out.push('\n');
        }
        return Ok(out);
    };
    let cols = unescape(cols.trim_start());
    let cells: Vec<&str> = cols.split('\t').collect();
    let header = cells
        .iter()
        .map(|c| {
            let field = c
                .trim()
                .trim_start_matches("{{")
                .trim_end_matches("}}")
                .trim()
                .trim_start_matches('.');
            headers
                .iter()
                .find(|(k, _)| *k == field)
                .map(|(_, h)| h.to_string())
                .unwrap_or_else(|| field.to_uppercase())
        })
        .collect();
    let mut table = vec![header];
    for r in rows {
        let line = super::template::render(&cols, r)?;
        table.push(line.split('\t').map(String::from).collect());
    }
    Ok(render(&table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_layout() {
        let rows = vec![
            vec!["CONTAINER ID".into(), "IMAGE".into(), "NAMES".into()],
            vec!["abc".into(), "busybox".into(), "x".into()],
        ];
        assert_eq!(
            render(&rows),
            "CONTAINER ID   IMAGE     NAMES\nabc            busybox   x\n"
        );
    }

    #[test]
    fn sizes_match_go_units() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(1_234_567), "1.23MB");
        assert_eq!(human_size(7_800_000), "7.8MB");
        assert_eq!(human_size(335_000_000), "335MB");
        assert_eq!(human_size(12_340_000), "12.3MB");
        assert_eq!(human_size(1_200_000_000), "1.2GB");
        assert_eq!(human_size(999_999), "1e+03kB");
        assert_eq!(human_size_prec(2048, 4), "2.048kB");
        assert_eq!(human_size_prec(106_500_000, 4), "106.5MB");
        assert_eq!(human_size_prec(512, 4), "512B");
    }

    #[test]
    fn quoting_and_ellipsis() {
        assert_eq!(go_quote("sh -c 'a'"), "\"sh -c 'a'\"");
        assert_eq!(go_quote("a\"b"), "\"a\\\"b\"");
        assert_eq!(
            ellipsis("/bin/sh -c 'redis-server'", 20),
            "/bin/sh -c 'redis-s…"
        );
        assert_eq!(ellipsis("short", 20), "short");
    }
}
