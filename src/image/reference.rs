//! Image references as docker normalises them, without a registry:
//! `busybox` is `docker.io/library/busybox:latest`, `me/redis` is
//! `docker.io/me/redis:latest`, `localhost:5000/x` keeps its host.
//! Grammar and limits follow distribution/reference.

use std::fmt;

pub const DEFAULT_DOMAIN: &str = "docker.io";
pub const DEFAULT_TAG: &str = "latest";

/// A parsed, normalised reference: domain + path, and a tag or digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    pub domain: String,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Why a reference is not valid; the text is docker's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefError(pub String);

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn invalid(input: &str) -> RefError {
    RefError(format!("invalid reference format: {input:?}"))
}

fn is_path_component(c: &str) -> bool {
    // [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        // a separator run
        let start = i;
        while i < b.len() && !is_alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn is_domain(d: &str) -> bool {
    // host[:port], host = labels of [a-zA-Z0-9-] joined by '.', or [ipv6]
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || d.starts_with('[') => (h, Some(p)),
        _ => (d, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    if host.starts_with('[') && host.ends_with(']') {
        return host.len() > 2;
    }
    !host.is_empty()
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
}

fn is_digest(d: &str) -> bool {
    match d.split_once(':') {
        Some((alg, hex)) => {
            !alg.is_empty()
                && alg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+._-".contains(&b))
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

impl Reference {
    /// Parses and normalises a reference as docker does.
    pub fn parse(input: &str) -> Result<Reference, RefError> {
        if input.is_empty() {
            return Err(invalid(input));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((r, d)) => {
                if !is_digest(d) {
                    return Err(invalid(input));
                }
                (r, Some(d.to_string()))
            }
            None => (input, None),
        };
        // The tag is after the last ':' that follows the last '/'.
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let t = &rest[last_slash + i + 1..];
                if !is_tag(t) {
                    return Err(invalid(input));
                }
                (&rest[..last_slash + i], Some(t.to_string()))
            }
            None => (rest, None),
        };
        if name.is_empty() || name.len() > 255 {
            return Err(invalid(input));
        }
        let (domain, path) = match name.split_once('/') {
            Some((first, remainder))
                if first.contains('.')
                    || first.contains(':')
                    || first == "localhost"
                    || first.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                if !is_domain(first) {
                    return Err(invalid(input));
                }
                (first.to_string(), remainder.to_string())
            }
            _ => (DEFAULT_DOMAIN.to_string(), name.to_string()),
        };
        let domain = if domain == "index.docker.io" {
            DEFAULT_DOMAIN.to_string()
        } else {
            domain
        };
        if path.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(RefError(format!(
                "invalid reference format: repository name ({path}) must be lowercase"
            )));
        }
        if !path.split('/').all(is_path_component) {
            return Err(invalid(input));
        }
        // A bare 64-hex string is an image id, never a repository name.
        if domain == DEFAULT_DOMAIN
            && tag.is_none()
            && digest.is_none()
            && path.len() == 64
            && path.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(RefError(format!(
                "invalid repository name ({path}), cannot specify 64-byte hexadecimal strings"
            )));
        }
        let path = if domain == DEFAULT_DOMAIN && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        // docker counts the normalized name (`docker.io/library/x`).
        if domain.len() + 1 + path.len() > 255 {
            return Err(RefError(
                "invalid reference format: repository name must not be more than 255 characters"
                    .into(),
            ));
        }
        Ok(Reference {
            domain,
            path,
            tag,
            digest,
        })
    }

    /// Parses, and gives a reference without tag or digest the `latest` tag.
    pub fn parse_tagged(input: &str) -> Result<Reference, RefError> {
        let mut r = Reference::parse(input)?;
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some(DEFAULT_TAG.to_string());
        }
        Ok(r)
    }

    /// `docker.io/library/busybox`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The short form docker shows: `busybox`, `me/redis`, `localhost:5000/x`.
    pub fn familiar_repository(&self) -> String {
        if self.domain == DEFAULT_DOMAIN {
            self.path
                .strip_prefix("library/")
                .unwrap_or(&self.path)
                .to_string()
        } else {
            self.repository()
        }
    }

    /// The full canonical string: `docker.io/library/busybox:latest`.
    pub fn canonical(&self) -> String {
        let mut s = self.repository();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The familiar string: `busybox:latest`, `me/redis:1.0`.
    pub fn familiar(&self) -> String {
        let mut s = self.familiar_repository();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.familiar())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_limited_as_docker_counts_them() {
        // docker.io/library/ + 237 = 255: the longest plain name.
        assert!(Reference::parse(&"a".repeat(237)).is_ok());
        let e = Reference::parse(&"a".repeat(238)).unwrap_err();
        assert!(
            e.0.contains("must not be more than 255 characters"),
            "{}",
            e.0
        );
        assert!(Reference::parse(&format!("reg.lan/{}", "b".repeat(247))).is_ok());
        assert!(Reference::parse(&format!("reg.lan/{}", "b".repeat(248))).is_err());
    }

    fn canon(s: &str) -> String {
        Reference::parse_tagged(s).unwrap().canonical()
    }

    #[test]
    fn docker_hub_normalisation() {
        assert_eq!(canon("busybox"), "docker.io/library/busybox:latest");
        assert_eq!(canon("me/redis"), "docker.io/me/redis:latest");
        assert_eq!(canon("me/redis:1.0"), "docker.io/me/redis:1.0");
        assert_eq!(
            canon("docker.io/busybox"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(canon("index.docker.io/me/x"), "docker.io/me/x:latest");
        assert_eq!(
            canon("debian:bookworm"),
            "docker.io/library/debian:bookworm"
        );
    }

    #[test]
    fn registries_keep_their_host() {
        assert_eq!(canon("localhost/x"), "localhost/x:latest");
        assert_eq!(canon("localhost:5000/a/b:t"), "localhost:5000/a/b:t");
        assert_eq!(canon("quay.io/coreos/etcd"), "quay.io/coreos/etcd:latest");
        assert_eq!(canon("127.0.0.1:5000/x"), "127.0.0.1:5000/x:latest");
    }

    #[test]
    fn digests() {
        let d = "sha256:".to_string() + &"a".repeat(64);
        let r = Reference::parse_tagged(&format!("busybox@{d}")).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.digest.as_deref(), Some(d.as_str()));
        assert!(Reference::parse("busybox@sha256:abc").is_err());
    }

    #[test]
    fn familiar_forms() {
        let r = Reference::parse_tagged("docker.io/library/busybox").unwrap();
        assert_eq!(r.familiar(), "busybox:latest");
        assert_eq!(r.familiar_repository(), "busybox");
        let r = Reference::parse_tagged("localhost:5000/me/x:1").unwrap();
        assert_eq!(r.familiar(), "localhost:5000/me/x:1");
    }

    #[test]
    fn invalid_references() {
        for bad in [
            "", "UPPER", "a//b", "-a", "a-", "a:", ":tag", "a:-tag", "a b", "a@", "a..b", "a/B",
            "a:tag:x", "a___b",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        assert!(Reference::parse(&"a".repeat(64).replace('a', "f")).is_err());
        let e = Reference::parse("me/Redis").unwrap_err();
        assert!(e.0.contains("must be lowercase"), "{}", e.0);
    }

    #[test]
    fn valid_separators() {
        for ok in [
            "a.b",
            "a_b",
            "a__b",
            "a-b",
            "a---b",
            "a/b/c",
            "x:1.0-rc_1",
            "my-reg.io:443/x",
        ] {
            assert!(Reference::parse(ok).is_ok(), "{ok:?} should be valid");
        }
    }
}
