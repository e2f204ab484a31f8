//! `-p` as docker reads it, pure: `[IP:][HOST:]CONTAINER[/PROTO]`, with
//! equal-length ranges (`8000-8001:80-81`). An empty host port means
//! "any free port", chosen when the container starts.

use std::net::Ipv4Addr;

pub use crate::oci::PortBinding as PortSpec;

fn range(s: &str, what: &str) -> Result<(u16, u16), String> {
    let bad = || format!("invalid {what}: {s}");
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a: u16 = a.parse().map_err(|_| bad())?;
    let b: u16 = b.parse().map_err(|_| bad())?;
    if (a == 0 && what == "containerPort") || b < a {
        return Err(bad());
    }
    Ok((a, b))
}

/// Parses one `-p` value.
pub fn parse(spec: &str) -> Result<Vec<PortSpec>, String> {
    let (rest, proto) = match spec.rsplit_once('/') {
        Some((r, p)) => (r, p.to_lowercase()),
        None => (spec, "tcp".to_string()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid proto: {proto}"));
    }
    if proto == "sctp" {
        return Err("sctp ports are not supported".into());
    }
    let parts: Vec<&str> = rest.split(':').collect();
    let (ip, host, ctr) = match parts.as_slice() {
        [c] => ("", "", *c),
        [h, c] => ("", *h, *c),
        [ip, h, c] => (*ip, *h, *c),
        _ => return Err(format!("invalid port format: {spec}")),
    };
    let ip = if ip.is_empty() {
        "0.0.0.0".to_string()
    } else {
        ip.parse::<Ipv4Addr>()
            .map_err(|_| format!("invalid IP address: {ip}"))?
            .to_string()
    };
    let (c0, c1) = range(ctr, "containerPort")?;
    let (h0, h1) = if host.is_empty() {
        (0, 0)
    } else {
        range(host, "hostPort")?
    };
    if h0 != 0 && h1 - h0 != c1 - c0 {
        return Err(format!(
            "invalid ranges specified for container and host Ports: {ctr} and {host}"
        ));
    }
    Ok((0..=(c1 - c0))
        .map(|i| PortSpec {
            proto: proto.clone(),
            host_ip: ip.clone(),
            host_port: if h0 == 0 { 0 } else { h0 + i },
            container_port: c0 + i,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(proto: &str, ip: &str, h: u16, c: u16) -> PortSpec {
        PortSpec {
            proto: proto.into(),
            host_ip: ip.into(),
            host_port: h,
            container_port: c,
        }
    }

    #[test]
    fn docker_s_forms() {
        assert_eq!(parse("80").unwrap(), [one("tcp", "0.0.0.0", 0, 80)]);
        assert_eq!(parse("8080:80").unwrap(), [one("tcp", "0.0.0.0", 8080, 80)]);
        assert_eq!(
            parse("127.0.0.1:8080:80/udp").unwrap(),
            [one("udp", "127.0.0.1", 8080, 80)]
        );
        assert_eq!(
            parse("127.0.0.1::80").unwrap(),
            [one("tcp", "127.0.0.1", 0, 80)]
        );
        assert_eq!(
            parse("8000-8001:80-81").unwrap(),
            [
                one("tcp", "0.0.0.0", 8000, 80),
                one("tcp", "0.0.0.0", 8001, 81)
            ]
        );
    }

    #[test]
    fn bad_specs_are_docker_s_errors() {
        assert_eq!(parse("abc").unwrap_err(), "invalid containerPort: abc");
        assert_eq!(parse("99999:80").unwrap_err(), "invalid hostPort: 99999");
        assert_eq!(parse("80/xyz").unwrap_err(), "invalid proto: xyz");
        assert_eq!(
            parse("1.2.3:80:80").unwrap_err(),
            "invalid IP address: 1.2.3"
        );
        assert!(parse("8000-8002:80-81").is_err());
        assert!(parse("a:b:c:d").is_err());
    }
}
