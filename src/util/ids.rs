//! Random identifiers.

/// `n` random bytes as lowercase hex (2n characters), from the kernel's CSPRNG.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    if getrandom::getrandom(&mut buf).is_err() {
        // No entropy to be had (a kernel without getrandom and no
        // /dev/urandom): fall back to time and pid, good enough for temp
        // names, never used for secrets.
        let seed = super::time::now_nanos() as u128 ^ ((std::process::id() as u128) << 64);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    hex(&buf)
}

/// Lowercase hex of a byte slice.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// A new container id: 32 random bytes as 64 hex characters. Like docker,
/// an id whose 12-character short form is all digits is drawn again, since
/// the short form becomes the hostname.
pub fn new_container_id() -> String {
    loop {
        let id = random_hex(32);
        if !id[..12].bytes().all(|b| b.is_ascii_digit()) {
            return id;
        }
    }
}

/// True for a non-empty string of lowercase hex digits.
pub fn is_hex(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Resolves `prefix` among `candidates` (full ids): an exact match wins,
/// else the unique candidate that starts with it.
pub fn match_prefix<'a, I>(prefix: &str, candidates: I) -> PrefixMatch
where
    I: IntoIterator<Item = &'a str>,
{
    let mut found: Vec<String> = Vec::new();
    for c in candidates {
        if c == prefix {
            return PrefixMatch::One(c.to_string());
        }
        if c.starts_with(prefix) {
            found.push(c.to_string());
        }
    }
    match found.len() {
        0 => PrefixMatch::None,
        1 => PrefixMatch::One(found.pop().unwrap_or_default()),
        _ => {
            found.sort();
            PrefixMatch::Many(found)
        }
    }
}

/// The outcome of [`match_prefix`].
#[derive(Debug, PartialEq, Eq)]
pub enum PrefixMatch {
    None,
    One(String),
    Many(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_ids_are_64_hex_and_not_all_digit_short() {
        for _ in 0..100 {
            let id = new_container_id();
            assert_eq!(id.len(), 64);
            assert!(is_hex(&id));
            assert!(!id[..12].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn prefix_matching() {
        let ids = ["abc123", "abd456", "ff0000"];
        assert_eq!(match_prefix("ff", ids), PrefixMatch::One("ff0000".into()));
        assert_eq!(
            match_prefix("abc123", ids),
            PrefixMatch::One("abc123".into())
        );
        assert_eq!(
            match_prefix("ab", ids),
            PrefixMatch::Many(vec!["abc123".into(), "abd456".into()])
        );
        assert_eq!(match_prefix("0", ids), PrefixMatch::None);
        // An exact match wins over longer ids that share the prefix.
        assert_eq!(
            match_prefix("ab", ["ab", "abc"]),
            PrefixMatch::One("ab".into())
        );
    }
}
