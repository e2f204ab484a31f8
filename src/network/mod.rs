//! Container networking: `none`, `host`, and the default `bridge`.
//!
//! The bridge (`strata0`, or `STRATA_BRIDGE`) is host-wide, so its state
//! is too: `/run/strata-net/<bridge>/state.json` under a lock beside it,
//! whatever store a strata command uses. It lives in /run because the
//! bridge, the links and the leases all end with the boot.
//!
//! A container's attachment, in order:
//! 1. `Bridge::lease`: under the lock, make and set up the bridge if need
//!    be (address, forwarding, the nft table), reclaim the leases of dead
//!    owners, take the lowest free address and the published ports (each
//!    held by a bound socket for as long as the lease's owner lives).
//! 2. `Attachment::connect(pid)`: a veth pair whose peer is made right in
//!    the container's network namespace as `eth0`; then, from a netlink
//!    socket opened inside that namespace, its address, `lo` and `eth0`
//!    up, and the default route; then the port map elements.
//! 3. `Bridge::release`: the veth, the elements and the lease go.

mod dns;
mod ipam;
mod nat;
mod netlink;
mod ports;
pub mod user;

pub use dns::{hosts, parse_add_host, resolv_conf};
pub use ipam::{PortMap, Subnet};
pub use ports::{parse as parse_ports, PortSpec};
pub use user::{NetworkRecord, NetworkStore};

use ipam::{BridgeState, Lease};
use nix::sys::socket::{self as sock, AddressFamily, SockFlag, SockType, SockaddrIn};
use std::fmt;
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::PathBuf;

/// What went wrong while networking, in one line.
#[derive(Debug)]
pub enum Error {
    /// No user network of that name or id.
    NotFound(String),
    /// The request cannot be met: a bad subnet, a port in use, ...
    Invalid(String),
    /// The host refused: netlink, nft, a file.
    Setup(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound(n) => write!(f, "network {n} not found"),
            Error::Invalid(m) | Error::Setup(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

fn setup<E: fmt::Display>(what: &str) -> impl Fn(E) -> Error + '_ {
    move |e| Error::Setup(format!("{what}: {e}"))
}

/// A bridge: the default one, as this machine and environment name it,
/// or a user network's.
#[derive(Debug, Clone)]
pub struct Bridge {
    pub name: String,
    subnet: Option<String>,
    dir: PathBuf,
    /// The bridge's own address (default: the subnet's first).
    pub gateway: Option<Ipv4Addr>,
    /// `--ip-range`: where addresses are taken from.
    pub range: Option<Subnet>,
    /// `--internal`: no way in or out.
    pub internal: bool,
}

/// A container's lease, before and after it is wired.
pub struct Attachment {
    pub ip: Ipv4Addr,
    pub prefix: u8,
    pub gateway: Ipv4Addr,
    pub ports: Vec<PortMap>,
    veth: String,
    bridge: String,
    /// Bound (not listening) sockets that keep published ports ours.
    _holds: Vec<OwnedFd>,
}

impl Bridge {
    /// The bridge `name` (host-wide), with its subnet if it is fixed.
    pub fn named(name: &str, subnet: Option<String>) -> Bridge {
        Bridge {
            name: name.to_string(),
            subnet,
            dir: PathBuf::from("/run/strata-net").join(name),
            gateway: None,
            range: None,
            internal: false,
        }
    }

    fn gateway_of(&self, subnet: &Subnet) -> Ipv4Addr {
        self.gateway.unwrap_or_else(|| subnet.gateway())
    }

    /// Makes the bridge and its host setup now (`network create`).
    pub fn create(&self) -> Result<(), Error> {
        let _lock = self.lock()?;
        let mut st = self.load();
        self.ensure(&mut st)?;
        self.save(&st)
    }

    fn lock(&self) -> Result<crate::util::lock::LockGuard, Error> {
        std::fs::create_dir_all(&self.dir).map_err(setup("mkdir /run/strata-net"))?;
        crate::util::lock::exclusive(&self.dir.join("lock")).map_err(setup("lock the bridge"))
    }

    fn load(&self) -> BridgeState {
        std::fs::read(self.dir.join("state.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, st: &BridgeState) -> Result<(), Error> {
        let data = serde_json::to_vec_pretty(st).unwrap_or_default();
        let _ = std::fs::create_dir_all(&self.dir);
        crate::util::fsx::replace(&self.dir.join("state.json"), &data)
            .map_err(setup("write the bridge state"))
    }

    /// Makes the bridge and its host setup when missing; returns its
    /// subnet and index. Called under the lock.
    fn ensure(&self, st: &mut BridgeState) -> Result<(Subnet, u32), Error> {
        let mut nl = netlink::Socket::open().map_err(setup("netlink"))?;
        // Bridges are made one at a time, machine-wide: two must never
        // choose the same free subnet.
        let _creating = match netlink::index(&self.name) {
            Some(_) => None,
            None => Some(
                crate::util::lock::exclusive(&self.dir.with_file_name("create.lock"))
                    .map_err(setup("lock bridge creation"))?,
            ),
        };
        let subnet = match (netlink::index(&self.name), Subnet::parse(&st.subnet)) {
            (Some(_), Ok(s)) => s,
            _ => {
                let routes = ipam::parse_routes(
                    &std::fs::read_to_string("/proc/net/route").unwrap_or_default(),
                );
                let s = ipam::choose_subnet(self.subnet.as_deref(), &routes, &self.name)
                    .map_err(Error::Invalid)?;
                st.subnet = s.to_string();
                s
            }
        };
        let index = match netlink::index(&self.name) {
            Some(i) => i,
            None => {
                if !nat::nft_present() {
                    return Err(Error::Invalid(
                        "bridge networking needs nftables: apt-get install nftables (or use --network none|host)".into(),
                    ));
                }
                match nl.add_bridge(&self.name) {
                    Ok(()) => {}
                    Err(e) if e.errno == libc::EEXIST => {}
                    Err(e) => return Err(Error::Setup(e.to_string())),
                }
                netlink::index(&self.name)
                    .ok_or_else(|| Error::Setup(format!("bridge {} vanished", self.name)))?
            }
        };
        if st.ifindex != index {
            match nl.add_addr(index, self.gateway_of(&subnet), subnet.prefix) {
                Ok(()) => {}
                Err(e) if e.errno == libc::EEXIST => {}
                Err(e) => return Err(Error::Setup(e.to_string())),
            }
            nl.set_up(index).map_err(setup("bridge up"))?;
            let sysctl = |path: String| {
                std::fs::write(&path, "1").map_err(|e| Error::Setup(format!("{path}: {e}")))
            };
            sysctl("/proc/sys/net/ipv4/ip_forward".into())?;
            sysctl(format!(
                "/proc/sys/net/ipv4/conf/{}/route_localnet",
                self.name
            ))?;
            let opts = nat::TableOpts {
                internal: self.internal,
            };
            let mut script = nat::create_script(&self.name, &subnet, &opts);
            for l in &st.leases {
                script.push_str(&nat::ports_script("add", &self.name, l.ip, &l.ports));
            }
            nat::nft(&script).map_err(Error::Setup)?;
            nat::iptables_forward(&self.name, true);
            st.ifindex = index;
        }
        Ok((subnet, index))
    }

    /// Takes an address (`asked`, with `--ip`) and the ports for
    /// `container`, owned by this process: when it dies, the next strata
    /// reclaims the lease.
    pub fn lease_ip(
        &self,
        container: &str,
        want: &[PortSpec],
        asked: Option<Ipv4Addr>,
    ) -> Result<Attachment, Error> {
        let me = std::process::id() as i32;
        let start = crate::util::proc::proc_stat(me).map(|s| s.0).unwrap_or(0);
        self.lease_owned(container, want, asked, (me, start))
    }

    /// `lease_ip`, owned by another process (`network connect` of a
    /// running container: its supervisor's, which releases it at exit).
    pub fn lease_owned(
        &self,
        container: &str,
        want: &[PortSpec],
        asked: Option<Ipv4Addr>,
        owner: (i32, u64),
    ) -> Result<Attachment, Error> {
        let _lock = self.lock()?;
        let mut st = self.load();
        self.reclaim(&mut st);
        let (subnet, _) = self.ensure(&mut st)?;
        let gateway = self.gateway_of(&subnet);
        let ip = match asked {
            Some(ip) => {
                let one = Subnet {
                    addr: ip,
                    prefix: 32,
                };
                if !subnet.overlaps(&one) || ip == gateway || ip == subnet.addr {
                    return Err(Error::Invalid(format!(
                        "invalid endpoint settings: no configured subnet or ip-range contain the IP address {ip}"
                    )));
                }
                if st.leases.iter().any(|l| l.ip == ip) {
                    return Err(Error::Invalid(format!("Address already in use: {ip}")));
                }
                ip
            }
            None => st
                .free_ip_in(&subnet, self.range.as_ref(), gateway)
                .ok_or_else(|| {
                    Error::Invalid(format!("no free address left in {subnet} on {}", self.name))
                })?,
        };
        let mut holds = Vec::new();
        let mut ports = Vec::new();
        for p in want {
            if p.host_port != 0 && st.port_holder(&p.proto, &p.host_ip, p.host_port).is_some()
                || ports.iter().any(|q: &PortMap| {
                    q.proto == p.proto && q.host_port == p.host_port && p.host_port != 0
                })
            {
                return Err(Error::Invalid(format!(
                    "Bind for {}:{} failed: port is already allocated",
                    p.host_ip, p.host_port
                )));
            }
            let (fd, port) = hold_port(&p.proto, &p.host_ip, p.host_port).map_err(|e| {
                Error::Invalid(format!(
                    "driver failed programming external connectivity on endpoint {container}: \
                     Error starting userland proxy: listen {}4 {}:{}: bind: {}",
                    p.proto,
                    p.host_ip,
                    p.host_port,
                    e.desc().to_lowercase()
                ))
            })?;
            holds.push(fd);
            ports.push(PortMap {
                proto: p.proto.clone(),
                host_ip: p.host_ip.clone(),
                host_port: port,
                container_port: p.container_port,
            });
        }
        // A name of its own per start: the pair of the container's last run
        // may still be on its way out of the kernel.
        let veth = format!(
            "veth{}",
            crate::util::ids::random_hex(4).get(..7).unwrap_or("0")
        );
        st.last = Some(ip);
        st.leases.push(Lease {
            ip,
            container: container.to_string(),
            owner_pid: owner.0,
            owner_start: owner.1,
            veth: veth.clone(),
            ports: ports.clone(),
        });
        self.save(&st)?;
        Ok(Attachment {
            ip,
            prefix: subnet.prefix,
            gateway,
            ports,
            veth,
            bridge: self.name.clone(),
            _holds: holds,
        })
    }

    /// Ends `container`'s lease once its init has exited: its port
    /// elements and its address. Its veth pair is not deleted here: the
    /// kernel removes it with the container's network namespace (deleting
    /// it by hand waits for an RCU grace period, 10-30 ms); a pair that
    /// outlives its lease is deleted by the next sweep.
    pub fn release(&self, container: &str) {
        if !self.dir.join("state.json").exists() {
            return; // the bridge was torn down meanwhile
        }
        let Ok(_lock) = self.lock() else { return };
        let mut st = self.load();
        let (gone, kept): (Vec<Lease>, Vec<Lease>) =
            st.leases.drain(..).partition(|l| l.container == container);
        st.leases = kept;
        self.undo_ports(&gone);
        let _ = self.save(&st);
    }

    /// Drops the leases whose owner is gone (a killed strata).
    fn reclaim(&self, st: &mut BridgeState) {
        let (dead, live): (Vec<Lease>, Vec<Lease>) = st
            .leases
            .drain(..)
            .partition(|l| !crate::util::proc::is_alive(l.owner_pid, l.owner_start));
        st.leases = live;
        self.undo(&dead);
    }

    /// A dead owner's leases: links and ports.
    fn undo(&self, leases: &[Lease]) {
        for l in leases {
            if let (Some(i), Ok(mut nl)) = (netlink::index(&l.veth), netlink::Socket::open()) {
                let _ = nl.delete_link(i);
            }
        }
        self.undo_ports(leases);
    }

    fn undo_ports(&self, leases: &[Lease]) {
        let mut script = String::new();
        for l in leases {
            script.push_str(&nat::ports_script("delete", &self.name, l.ip, &l.ports));
        }
        if !script.is_empty() {
            let _ = nat::nft(&script);
        }
    }

    /// veth pairs on the bridge that no lease holds (their container is
    /// gone, and the kernel has not removed them yet, or could not).
    fn stray_links(&self, st: &BridgeState) -> Vec<String> {
        let Ok(rd) = std::fs::read_dir(format!("/sys/class/net/{}/brif", self.name)) else {
            return Vec::new();
        };
        rd.flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with("veth") && !st.leases.iter().any(|l| l.veth == *n))
            .filter(|n| peer_is_here(n))
            .collect()
    }

    /// Sweeps leases whose owner died (`kill -9` of strata), and veth
    /// pairs a killed strata left whole on the host.
    pub fn sweep(&self) {
        if !self.dir.join("state.json").exists() {
            return;
        }
        let Ok(_lock) = self.lock() else { return };
        let mut st = self.load();
        let before = st.leases.len();
        self.reclaim(&mut st);
        if st.leases.len() != before {
            let _ = self.save(&st);
        }
        let stray = self.stray_links(&st);
        if !stray.is_empty() {
            if let Ok(mut nl) = netlink::Socket::open() {
                for n in stray {
                    if let Some(i) = netlink::index(&n) {
                        let _ = nl.delete_link(i);
                    }
                }
            }
        }
    }

    /// After `teardown` of a bridge nobody else can want (a user
    /// network's, removed with it): its state directory goes too.
    pub fn forget(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Removes the bridge and everything strata set up for it (none of
    /// its leases may be live).
    pub fn teardown(&self) -> Result<(), Error> {
        let _lock = self.lock()?;
        let mut st = self.load();
        self.reclaim(&mut st);
        if !st.leases.is_empty() {
            return Err(Error::Invalid(format!(
                "{} has {} container(s) attached",
                self.name,
                st.leases.len()
            )));
        }
        if let (Some(i), Ok(mut nl)) = (netlink::index(&self.name), netlink::Socket::open()) {
            nl.delete_link(i).map_err(setup("delete the bridge"))?;
        }
        let _ = nat::nft(&format!(
            "add table ip {0}\ndelete table ip {0}\n",
            self.name
        ));
        nat::iptables_forward(&self.name, false);
        // The lock file stays: a strata waiting on it right now must find
        // the same lock, then no state, and make the bridge again.
        let _ = std::fs::remove_file(self.dir.join("state.json"));
        Ok(())
    }
}

/// Binds (without listening) a socket to the host port, so that nothing
/// else takes it; port 0 asks the kernel for a free one.
fn hold_port(proto: &str, ip: &str, port: u16) -> Result<(OwnedFd, u16), nix::errno::Errno> {
    let ty = if proto == "udp" {
        SockType::Datagram
    } else {
        SockType::Stream
    };
    let fd = sock::socket(AddressFamily::Inet, ty, SockFlag::SOCK_CLOEXEC, None)?;
    let ip: Ipv4Addr = ip.parse().unwrap_or(Ipv4Addr::UNSPECIFIED);
    let addr = SockaddrIn::from(std::net::SocketAddrV4::new(ip, port));
    sock::bind(fd.as_raw_fd(), &addr)?;
    let bound: SockaddrIn = sock::getsockname(fd.as_raw_fd())?;
    Ok((fd, bound.port()))
}

impl Attachment {
    /// Wires the container whose init is `pid` (in a network namespace of
    /// its own) to the bridge.
    pub fn connect(&self, pid: i32) -> Result<(), Error> {
        self.connect_as(pid, "eth0", true)
    }

    /// `connect`, as link `ifname` in the container; the default route
    /// only for its first network.
    pub fn connect_as(&self, pid: i32, ifname: &str, default_route: bool) -> Result<(), Error> {
        let ns = std::fs::File::open(format!("/proc/{pid}/ns/net"))
            .map_err(setup("open the container's network namespace"))?;
        let master = netlink::index(&self.bridge)
            .ok_or_else(|| Error::Setup(format!("bridge {} is gone", self.bridge)))?;
        // A random, locally administered MAC: an address freed a moment
        // ago and leased again must not meet its old owner's entry in the
        // bridge's forwarding table.
        let r = crate::util::ids::random_hex(5);
        let byte = |i: usize| u8::from_str_radix(&r[2 * i..2 * i + 2], 16).unwrap_or(0);
        let mac = [0x02, byte(0), byte(1), byte(2), byte(3), byte(4)];
        let mut host = netlink::Socket::open().map_err(setup("netlink"))?;
        host.add_veth(&self.veth, master, ifname, ns.as_raw_fd(), mac)
            .map_err(setup("veth"))?;
        // A netlink socket belongs to the namespace it was opened in.
        let (mut inside, eth0, lo) = in_netns(&ns, || {
            let s = netlink::Socket::open().map_err(setup("netlink"))?;
            let eth0 =
                netlink::index(ifname).ok_or_else(|| Error::Setup(format!("no {ifname}")))?;
            Ok((s, eth0, netlink::index("lo").unwrap_or(1)))
        })?;
        inside
            .add_addr(eth0, self.ip, self.prefix)
            .map_err(setup("eth0"))?;
        inside.set_up(lo).map_err(setup("lo"))?;
        inside.set_up(eth0).map_err(setup("eth0"))?;
        if default_route {
            inside
                .add_default_route(self.gateway, eth0)
                .map_err(setup("route"))?;
        }
        if !self.ports.is_empty() {
            nat::nft(&nat::ports_script(
                "add",
                &self.bridge,
                self.ip,
                &self.ports,
            ))
            .map_err(Error::Setup)?;
        }
        Ok(())
    }
}

/// Deletes link `ifname` in the network namespace of process `pid`
/// (`network disconnect`): its veth pair goes with it.
pub fn unplug(pid: i32, ifname: &str) -> Result<(), Error> {
    let ns = std::fs::File::open(format!("/proc/{pid}/ns/net"))
        .map_err(setup("open the container's network namespace"))?;
    in_netns(&ns, || {
        let mut s = netlink::Socket::open().map_err(setup("netlink"))?;
        let i = netlink::index(ifname).ok_or_else(|| Error::Setup(format!("no {ifname}")))?;
        s.delete_link(i).map_err(setup("delete link"))
    })
}

/// Runs `f` with this thread in network namespace `ns`, then returns.
fn in_netns<T>(ns: &std::fs::File, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    let home = std::fs::File::open("/proc/thread-self/ns/net")
        .map_err(setup("open this network namespace"))?;
    nix::sched::setns(ns.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET)
        .map_err(setup("enter the container's network namespace"))?;
    let r = f();
    nix::sched::setns(home.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET)
        .map_err(setup("return to the host's network namespace"))?;
    r
}

/// Whether veth `name`'s peer is in this (the host's) network namespace:
/// a pair a killed strata made and never moved, which nothing else will
/// remove. A veth whose peer is in a container's namespace goes with that
/// namespace when its last process exits (the kernel tears a namespace
/// down a few milliseconds later, in the background): deleting it here
/// would cost the next command an RTNL round trip (10-20 ms), or cut off
/// a live container.
fn peer_is_here(name: &str) -> bool {
    let read = |p: String| -> Option<u32> { std::fs::read_to_string(p).ok()?.trim().parse().ok() };
    let (Some(me), Some(peer)) = (
        read(format!("/sys/class/net/{name}/ifindex")),
        read(format!("/sys/class/net/{name}/iflink")),
    ) else {
        return false;
    };
    let Ok(rd) = std::fs::read_dir("/sys/class/net") else {
        return false;
    };
    rd.flatten().any(|e| {
        let other = e.path();
        read(other.join("ifindex").display().to_string()) == Some(peer)
            && read(other.join("iflink").display().to_string()) == Some(me)
    })
}
