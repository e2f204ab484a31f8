//! Addresses and leases, pure: the bridge's state file as data, the
//! subnet choice, and who holds what. The file ops live in mod.rs.

use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// An IPv4 subnet: the network address and the prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

impl Subnet {
    pub fn parse(s: &str) -> Result<Subnet, String> {
        let bad = || format!("invalid subnet {s:?}: want a.b.c.d/len");
        let (a, p) = s.split_once('/').ok_or_else(bad)?;
        let addr: Ipv4Addr = a.parse().map_err(|_| bad())?;
        let prefix: u8 = p.parse().map_err(|_| bad())?;
        if !(8..=30).contains(&prefix) {
            return Err(format!(
                "invalid subnet {s}: the prefix must be between /8 and /30"
            ));
        }
        let net = u32::from(addr) & mask(prefix);
        Ok(Subnet {
            addr: Ipv4Addr::from(net),
            prefix,
        })
    }

    pub fn overlaps(&self, other: &Subnet) -> bool {
        let m = mask(self.prefix.min(other.prefix));
        u32::from(self.addr) & m == u32::from(other.addr) & m
    }

    /// The first host address: the bridge's own (the gateway).
    pub fn gateway(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) + 1)
    }

    fn broadcast(&self) -> u32 {
        u32::from(self.addr) | !mask(self.prefix)
    }
}

impl std::fmt::Display for Subnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    }
}

/// A host route, from /proc/net/route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub dev: String,
    pub dst: Subnet,
}

/// Parses /proc/net/route (hex, little-endian addresses); skips the
/// default route, which overlaps everything and matters to nothing here.
pub fn parse_routes(text: &str) -> Vec<Route> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 8 {
            continue;
        }
        let (Ok(dst), Ok(m)) = (u32::from_str_radix(f[1], 16), u32::from_str_radix(f[7], 16))
        else {
            continue;
        };
        // The kernel prints the raw in-memory u32: its bytes are in
        // network order.
        let dst = Ipv4Addr::from(dst.to_ne_bytes());
        let prefix = m.count_ones() as u8;
        if prefix == 0 {
            continue;
        }
        out.push(Route {
            dev: f[0].to_string(),
            dst: Subnet { addr: dst, prefix },
        });
    }
    out
}

/// The subnet for a new bridge: the one asked for, which must not
/// overlap a route of the host's, or the first free of 10.88.0.0/16,
/// 10.89.0.0/16, ... 10.99.0.0/16.
pub fn choose_subnet(
    asked: Option<&str>,
    routes: &[Route],
    bridge: &str,
) -> Result<Subnet, String> {
    let clash = |s: &Subnet| {
        routes
            .iter()
            .find(|r| r.dev != bridge && r.dst.overlaps(s))
            .cloned()
    };
    if let Some(a) = asked {
        let s = Subnet::parse(a)?;
        return match clash(&s) {
            Some(r) => Err(format!(
                "subnet {s} overlaps the host's route to {} on {}: choose another with STRATA_SUBNET",
                r.dst, r.dev
            )),
            None => Ok(s),
        };
    }
    (88..=99)
        .map(|b| Subnet {
            addr: Ipv4Addr::new(10, b, 0, 0),
            prefix: 16,
        })
        .find(|s| clash(s).is_none())
        .ok_or_else(|| {
            "no free subnet among 10.88.0.0/16 .. 10.99.0.0/16: set STRATA_SUBNET".to_string()
        })
}

pub use crate::oci::PortBinding as PortMap;

/// A container's hold on an address: who holds it (a process and its
/// start time, so that a crash is seen), its link and its ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub ip: Ipv4Addr,
    pub container: String,
    pub owner_pid: i32,
    pub owner_start: u64,
    pub veth: String,
    #[serde(default)]
    pub ports: Vec<PortMap>,
}

/// The bridge's state: its subnet, whether its host setup is done (for
/// this bridge's ifindex: a bridge made again is set up again), leases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeState {
    pub subnet: String,
    #[serde(default)]
    pub ifindex: u32,
    #[serde(default)]
    pub leases: Vec<Lease>,
    /// The address leased last: the next lease takes the one after it
    /// (wrapping), as docker's allocator does, so that an address freed a
    /// moment ago is not handed out again while its old owner's MAC is
    /// still in its neighbours' ARP caches.
    #[serde(default)]
    pub last: Option<Ipv4Addr>,
}

impl BridgeState {
    /// The lowest free host address after the gateway.
    #[cfg(test)]
    pub fn free_ip(&self, subnet: &Subnet) -> Option<Ipv4Addr> {
        self.free_ip_in(subnet, None, subnet.gateway())
    }

    /// The lowest free address in `range` (or the subnet), not the gateway.
    pub fn free_ip_in(
        &self,
        subnet: &Subnet,
        range: Option<&Subnet>,
        gateway: Ipv4Addr,
    ) -> Option<Ipv4Addr> {
        let r = range.unwrap_or(subnet);
        let first = u32::from(r.addr).max(u32::from(subnet.addr) + 1);
        let last = r.broadcast().min(subnet.broadcast()) - 1;
        let taken: std::collections::HashSet<Ipv4Addr> = self.leases.iter().map(|l| l.ip).collect();
        if first > last {
            return None;
        }
        let start = self
            .last
            .map(u32::from)
            .filter(|l| (first..last).contains(l))
            .map(|l| l + 1)
            .unwrap_or(first);
        (start..=last)
            .chain(first..start)
            .map(Ipv4Addr::from)
            .find(|ip| *ip != gateway && !taken.contains(ip))
    }

    /// A lease already publishing `proto` `port` on `ip` (or on all).
    pub fn port_holder(&self, proto: &str, ip: &str, port: u16) -> Option<&Lease> {
        self.leases.iter().find(|l| {
            l.ports.iter().any(|p| {
                p.proto == proto
                    && p.host_port == port
                    && (p.host_ip == ip || p.host_ip == "0.0.0.0" || ip == "0.0.0.0")
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets() {
        let s = Subnet::parse("10.88.3.4/16").unwrap();
        assert_eq!(s.to_string(), "10.88.0.0/16");
        assert_eq!(s.gateway(), Ipv4Addr::new(10, 88, 0, 1));
        assert!(s.overlaps(&Subnet::parse("10.0.0.0/8").unwrap()));
        assert!(!s.overlaps(&Subnet::parse("10.89.0.0/16").unwrap()));
        assert!(Subnet::parse("10.88.0.0").is_err());
        assert!(Subnet::parse("10.88.0.0/31").is_err());
        assert!(Subnet::parse("300.1.1.1/16").is_err());
    }

    #[test]
    fn routes_and_the_subnet_choice() {
        let text =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                    eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
                    eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n\
                    wg0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        let routes = parse_routes(text);
        assert_eq!(
            routes,
            [
                Route {
                    dev: "eth0".into(),
                    dst: Subnet::parse("192.0.2.0/24").unwrap()
                },
                Route {
                    dev: "wg0".into(),
                    dst: Subnet::parse("10.88.0.0/16").unwrap()
                },
            ]
        );
        assert_eq!(
            choose_subnet(None, &routes, "strata0").unwrap().to_string(),
            "10.89.0.0/16"
        );
        // Our own bridge's route is no clash.
        assert_eq!(
            choose_subnet(None, &routes, "wg0").unwrap().to_string(),
            "10.88.0.0/16"
        );
        let err = choose_subnet(Some("10.88.5.0/24"), &routes, "strata0").unwrap_err();
        assert!(
            err.contains("overlaps the host's route to 10.88.0.0/16 on wg0"),
            "{err}"
        );
        assert!(choose_subnet(Some("172.30.0.0/16"), &routes, "strata0").is_ok());
    }

    #[test]
    fn leases_and_ports() {
        let subnet = Subnet::parse("10.88.0.0/29").unwrap();
        let mut st = BridgeState::default();
        let lease = |ip: Ipv4Addr, port: u16| Lease {
            ip,
            container: "c".into(),
            owner_pid: 1,
            owner_start: 1,
            veth: "v".into(),
            ports: vec![PortMap {
                proto: "tcp".into(),
                host_ip: "0.0.0.0".into(),
                host_port: port,
                container_port: 80,
            }],
        };
        let mut seen = vec![];
        while let Some(ip) = st.free_ip(&subnet) {
            seen.push(ip.to_string());
            st.leases.push(lease(ip, 8000 + seen.len() as u16));
        }
        assert_eq!(
            seen,
            [
                "10.88.0.2",
                "10.88.0.3",
                "10.88.0.4",
                "10.88.0.5",
                "10.88.0.6"
            ]
        );
        assert!(st.port_holder("tcp", "127.0.0.1", 8001).is_some());
        assert!(st.port_holder("udp", "0.0.0.0", 8001).is_none());
        assert!(st.port_holder("tcp", "0.0.0.0", 9000).is_none());
    }
}
