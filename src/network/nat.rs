//! NAT and forwarding with nftables: one table per bridge, named after it,
//! made once when the bridge is set up; a container adds only map
//! elements for its published ports. Scripts go to `nft -f -`.

use super::ipam::{PortMap, Subnet};
use std::io::Write;
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

/// The bridge's table: masquerade for the subnet, DNAT of published
/// ports (any address, or one) for packets from outside and from the
/// host itself, and SNAT of host-loopback sources sent to the bridge.
/// What else a bridge's table says: `--internal` (no way in or out,
/// not even to the host). Two bridges are isolated from each other by
/// each one's forward rule: nothing from outside it gets in but replies
/// and published ports.
#[derive(Debug, Clone, Default)]
pub struct TableOpts {
    pub internal: bool,
}

pub fn table(bridge: &str, subnet: &Subnet, opts: &TableOpts) -> String {
    let dnat = "\t\tfib daddr type local dnat ip to ip daddr . tcp dport map @tcp_ip\n\
                \t\tfib daddr type local dnat ip to tcp dport map @tcp_any\n\
                \t\tfib daddr type local dnat ip to ip daddr . udp dport map @udp_ip\n\
                \t\tfib daddr type local dnat ip to udp dport map @udp_any\n";
    let mut s = format!("table ip {bridge} {{\n");
    for p in ["tcp", "udp"] {
        s.push_str(&format!(
            "\tmap {p}_any {{ type inet_service : ipv4_addr . inet_service; }}\n\
             \tmap {p}_ip {{ type ipv4_addr . inet_service : ipv4_addr . inet_service; }}\n"
        ));
    }
    // route_localnet is on for the bridge (so that the host's own
    // 127.0.0.1:PORT reaches a published port); nothing that arrives from
    // the bridge may be addressed to the host's loopback (CVE-2020-8558).
    s.push_str(&format!(
        "\tchain martians {{\n\t\ttype filter hook prerouting priority -300; policy accept;\n\
         \t\tiifname \"{bridge}\" ip daddr 127.0.0.0/8 drop\n\t}}\n"
    ));
    // From outside into the bridge: published ports (DNAT) and replies
    // only. A neighbour that routes the subnet through this host reaches
    // no unpublished port.
    let closed = if opts.internal {
        format!(
            "\t\tiifname \"{bridge}\" oifname != \"{bridge}\" drop\n\
             \t\toifname \"{bridge}\" iifname != \"{bridge}\" drop\n"
        )
    } else {
        String::new()
    };
    s.push_str(&format!(
        "\tchain forward {{\n\t\ttype filter hook forward priority 0; policy accept;\n{closed}\
         \t\toifname \"{bridge}\" iifname != \"{bridge}\" ct status dnat accept\n\
         \t\toifname \"{bridge}\" iifname != \"{bridge}\" ct state established,related accept\n\
         \t\toifname \"{bridge}\" iifname != \"{bridge}\" drop\n\t}}\n"
    ));
    if opts.internal {
        // Not the host either.
        s.push_str(&format!(
            "\tchain input {{\n\t\ttype filter hook input priority 0; policy accept;\n\
             \t\tiifname \"{bridge}\" drop\n\t}}\n"
        ));
    }
    s.push_str(&format!(
        "\tchain prerouting {{\n\t\ttype nat hook prerouting priority -105; policy accept;\n{dnat}\t}}\n"
    ));
    s.push_str(&format!(
        "\tchain output {{\n\t\ttype nat hook output priority -105; policy accept;\n{dnat}\t}}\n"
    ));
    let masquerade = if opts.internal {
        String::new()
    } else {
        format!("\t\tip saddr {subnet} oifname != \"{bridge}\" masquerade\n")
    };
    s.push_str(&format!(
        "\tchain postrouting {{\n\t\ttype nat hook postrouting priority 95; policy accept;\n\
         {masquerade}\t\toifname \"{bridge}\" ip saddr 127.0.0.0/8 masquerade\n\t}}\n}}\n"
    ));
    s
}

/// The script that (re)makes the table from nothing.
pub fn create_script(bridge: &str, subnet: &Subnet, opts: &TableOpts) -> String {
    format!(
        "add table ip {bridge}\ndelete table ip {bridge}\n{}",
        table(bridge, subnet, opts)
    )
}

/// Map elements for a container's ports: `add` or `delete`.
pub fn ports_script(verb: &str, bridge: &str, ip: Ipv4Addr, ports: &[PortMap]) -> String {
    let mut s = String::new();
    for p in ports {
        let value = if verb == "add" {
            format!(" : {ip} . {}", p.container_port)
        } else {
            String::new()
        };
        if p.host_ip == "0.0.0.0" {
            s.push_str(&format!(
                "{verb} element ip {bridge} {}_any {{ {}{value} }}\n",
                p.proto, p.host_port
            ));
        } else {
            s.push_str(&format!(
                "{verb} element ip {bridge} {}_ip {{ {} . {}{value} }}\n",
                p.proto, p.host_ip, p.host_port
            ));
        }
    }
    s
}

/// Runs an nft script; the error is nft's own first line.
pub fn nft(script: &str) -> Result<(), String> {
    let mut child = Command::new("nft")
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                "nft not found: bridge networking needs nftables (apt-get install nftables)"
                    .to_string()
            }
            _ => format!("nft: {e}"),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(script.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| format!("nft: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(format!(
        "nft: {}",
        err.lines()
            .find(|l| l.starts_with("Error"))
            .unwrap_or(err.trim())
    ))
}

/// Whether nft is there to be used.
pub fn nft_present() -> bool {
    Command::new("nft")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A forward-chain policy of DROP in iptables' filter table (docker sets
/// one) would drop the bridge's traffic whatever our table says: accept
/// traffic from and to the bridge there. `add` false removes the rules.
pub fn iptables_forward(bridge: &str, add: bool) {
    let ipt = |args: &[&str]| {
        Command::new("iptables")
            .arg("-w")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    for dir in ["-i", "-o"] {
        let rule = ["FORWARD", dir, bridge, "-j", "ACCEPT"];
        let present = ipt(&[&["-C"][..], &rule[..]].concat());
        if add && !present {
            ipt(&[&["-I"][..], &rule[..]].concat());
        } else if !add && present {
            ipt(&[&["-D"][..], &rule[..]].concat());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_and_port_elements() {
        let t = table(
            "strata0",
            &Subnet::parse("10.88.0.0/16").unwrap(),
            &TableOpts::default(),
        );
        assert!(!t.contains("chain input"));
        assert!(t.contains("ip saddr 10.88.0.0/16 oifname != \"strata0\" masquerade"));
        assert!(t.contains("map tcp_any { type inet_service : ipv4_addr . inet_service; }"));
        assert_eq!(t.matches("dnat ip to").count(), 8);
        let ports = [
            PortMap {
                proto: "tcp".into(),
                host_ip: "0.0.0.0".into(),
                host_port: 18080,
                container_port: 80,
            },
            PortMap {
                proto: "udp".into(),
                host_ip: "127.0.0.1".into(),
                host_port: 5353,
                container_port: 53,
            },
        ];
        let ip = Ipv4Addr::new(10, 88, 0, 2);
        assert_eq!(
            ports_script("add", "strata0", ip, &ports),
            "add element ip strata0 tcp_any { 18080 : 10.88.0.2 . 80 }\n\
             add element ip strata0 udp_ip { 127.0.0.1 . 5353 : 10.88.0.2 . 53 }\n"
        );
        assert_eq!(
            ports_script("delete", "strata0", ip, &ports),
            "delete element ip strata0 tcp_any { 18080 }\n\
             delete element ip strata0 udp_ip { 127.0.0.1 . 5353 }\n"
        );
    }

    #[test]
    fn internal_networks_have_no_way_out() {
        let sub = Subnet::parse("10.89.0.0/24").unwrap();
        let t = table("br-a", &sub, &TableOpts { internal: true });
        assert!(!t.contains("ip saddr 10.89.0.0/24 oifname"), "{t}");
        assert!(t.contains("iifname \"br-a\" oifname != \"br-a\" drop"));
        assert!(t.contains("chain input") && t.contains("\t\tiifname \"br-a\" drop"));
    }
}
