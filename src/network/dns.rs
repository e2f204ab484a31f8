//! A container's /etc/hosts and /etc/resolv.conf, pure, as docker writes
//! them.

use std::net::Ipv4Addr;

/// docker's /etc/hosts: the standard entries, `--add-host` entries, then
/// the container's own address and name (when it has an address).
pub fn hosts(hostname: &str, ip: Option<Ipv4Addr>, extra: &[(String, String)]) -> String {
    let mut s = String::from(
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n\
         ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
    );
    for (name, addr) in extra {
        s.push_str(&format!("{addr}\t{name}\n"));
    }
    if let Some(ip) = ip {
        s.push_str(&format!("{ip}\t{hostname}\n"));
    }
    s
}

/// The container's resolv.conf: `--dns` servers if given, else the
/// host's; loopback resolvers (which the container cannot reach) are
/// replaced by those behind them (systemd-resolved's list) or by
/// public ones, as docker does. Search and options lines are kept.
pub fn resolv_conf(host: &str, upstream: Option<&str>, dns: &[String]) -> String {
    let is_loopback = |ns: &str| ns.starts_with("127.") || ns == "::1";
    let servers = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("nameserver"))
            .map(|ns| ns.trim().to_string())
            .filter(|ns| !ns.is_empty() && !is_loopback(ns))
            .collect()
    };
    let mut out = String::new();
    for line in host.lines() {
        if !line.trim().starts_with("nameserver") {
            out.push_str(line);
            out.push('\n');
        }
    }
    let mut list = if dns.is_empty() {
        servers(host)
    } else {
        dns.to_vec()
    };
    if list.is_empty() {
        list = upstream.map(servers).unwrap_or_default();
    }
    if list.is_empty() {
        list = vec!["8.8.8.8".into(), "8.8.4.4".into()];
    }
    for ns in list {
        out.push_str(&format!("nameserver {ns}\n"));
    }
    out
}

/// Parses `--add-host NAME:IP`.
pub fn parse_add_host(s: &str) -> Result<(String, String), String> {
    let (name, ip) = s
        .split_once(':')
        .ok_or_else(|| format!("bad format for add-host: {s:?}"))?;
    if name.is_empty() || ip.parse::<std::net::IpAddr>().is_err() {
        return Err(format!("invalid IP address in add-host: {ip:?}"));
    }
    Ok((name.to_string(), ip.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_lists_extra_entries_then_the_container() {
        let h = hosts(
            "abc",
            Some(Ipv4Addr::new(10, 88, 0, 2)),
            &[("db".into(), "1.2.3.4".into())],
        );
        assert!(h.starts_with("127.0.0.1\tlocalhost\n"));
        assert!(h.ends_with("ff02::2\tip6-allrouters\n1.2.3.4\tdb\n10.88.0.2\tabc\n"));
        assert!(!hosts("abc", None, &[]).contains("abc"));
    }

    #[test]
    fn resolv_conf_drops_loopback_resolvers() {
        assert_eq!(
            resolv_conf("nameserver 127.0.0.53\nsearch x\n", None, &[]),
            "search x\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n"
        );
        assert_eq!(
            resolv_conf(
                "nameserver 127.0.0.53\noptions edns0\n",
                Some("nameserver 192.168.1.1\n"),
                &[]
            ),
            "options edns0\nnameserver 192.168.1.1\n"
        );
        assert_eq!(
            resolv_conf("nameserver 10.0.0.2\n", None, &[]),
            "nameserver 10.0.0.2\n"
        );
        assert_eq!(
            resolv_conf("nameserver 10.0.0.2\nsearch a\n", None, &["9.9.9.9".into()]),
            "search a\nnameserver 9.9.9.9\n"
        );
    }

    #[test]
    fn add_host() {
        assert_eq!(
            parse_add_host("db:1.2.3.4").unwrap(),
            ("db".into(), "1.2.3.4".into())
        );
        assert!(parse_add_host("db").is_err());
        assert!(parse_add_host("db:x").is_err());
    }
}
