//! `--filter` of `container prune` and `image prune`: `until=` (a time
//! stamp or a duration: what was created before it) and `label=KEY`,
//! `label=KEY=VALUE`, `label!=...` (all must hold), as docker's.

use super::{Error, Result};
use crate::util::time;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct PruneFilter {
    until: Option<i128>,
    /// (key, value, negated)
    labels: Vec<(String, Option<String>, bool)>,
}

/// A time stamp (RFC 3339, or Unix seconds) or a duration back from now.
pub fn point_in_time(v: &str) -> Option<i128> {
    if let Some(t) = time::parse_rfc3339(v) {
        return Some(t);
    }
    if let Ok(secs) = v.parse::<i64>() {
        return Some(secs as i128 * 1_000_000_000);
    }
    let d = crate::dockerfile::parse_duration(v).ok()?;
    Some(time::now_nanos() - d as i128)
}

impl PruneFilter {
    pub fn parse(specs: &[String]) -> Result<PruneFilter> {
        let mut f = PruneFilter::default();
        for spec in specs {
            let (k, v, neg) = match spec.split_once("!=") {
                Some((k, v)) => (k, v, true),
                None => match spec.split_once('=') {
                    Some((k, v)) => (k, v, false),
                    None => {
                        return Err(Error::Invalid(format!(
                            "bad format of filter (expected name=value): {spec}"
                        )))
                    }
                },
            };
            match (k, neg) {
                ("until", false) => {
                    f.until = Some(
                        point_in_time(v)
                            .ok_or_else(|| Error::Invalid(format!("invalid filter 'until={v}'")))?,
                    )
                }
                ("label", _) => f.labels.push(match v.split_once('=') {
                    Some((lk, lv)) => (lk.to_string(), Some(lv.to_string()), neg),
                    None => (v.to_string(), None, neg),
                }),
                _ => return Err(Error::Invalid(format!("Invalid filter '{k}'"))),
            }
        }
        Ok(f)
    }

    /// Whether something created at `created` with `labels` is pruned.
    pub fn matches(&self, created: Option<i128>, labels: &BTreeMap<String, String>) -> bool {
        if let Some(u) = self.until {
            if created.is_none_or(|c| c >= u) {
                return false;
            }
        }
        self.labels.iter().all(|(k, v, neg)| {
            let has = match v {
                Some(v) => labels.get(k) == Some(v),
                None => labels.contains_key(k),
            };
            has != *neg
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_and_labels() {
        let l: BTreeMap<String, String> = [("a".to_string(), "1".to_string())].into();
        let now = time::now_nanos();
        let f = PruneFilter::parse(&["until=1h".into()]).unwrap();
        assert!(f.matches(Some(now - 2 * 3_600_000_000_000), &l));
        assert!(!f.matches(Some(now), &l));
        let f = PruneFilter::parse(&["label=a".into(), "label!=b".into()]).unwrap();
        assert!(f.matches(Some(now), &l));
        let f = PruneFilter::parse(&["label=a=2".into()]).unwrap();
        assert!(!f.matches(Some(now), &l));
        assert!(PruneFilter::parse(&["colour=red".into()]).is_err());
        assert!(PruneFilter::parse(&["until=soon".into()]).is_err());
    }
}
