//! rtnetlink, by hand: the handful of requests strata needs (links,
//! addresses, routes), each sent with NLM_F_ACK and its error read back.
//! Messages are plain byte vectors; the socket is nix's (no unsafe here).

use nix::sys::socket::{
    bind, recv, send, socket, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol,
    SockType,
};
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd};

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;

const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
const NLM_F_EXCL: u16 = 0x200;
const NLM_F_CREATE: u16 = 0x400;

const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MASTER: u16 = 10;
const IFLA_LINKINFO: u16 = 18;
const IFLA_NET_NS_FD: u16 = 28;
const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;
const VETH_INFO_PEER: u16 = 1;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const RTA_GATEWAY: u16 = 5;
const RTA_OIF: u16 = 4;
const NLA_F_NESTED: u16 = 0x8000;

const IFF_UP: u32 = 0x1;

/// A netlink failure: what was asked, and the kernel's errno.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NlError {
    pub op: String,
    pub errno: i32,
}

impl std::fmt::Display for NlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}",
            self.op,
            nix::errno::Errno::from_raw(self.errno).desc()
        )
    }
}

/// An rtnetlink socket, bound in the network namespace of the thread
/// that opened it (and staying there).
pub struct Socket {
    fd: OwnedFd,
    seq: u32,
}

/// A message under construction: header, fixed part, attributes.
struct Msg {
    buf: Vec<u8>,
    nests: Vec<usize>,
}

impl Msg {
    fn new(kind: u16, flags: u16) -> Msg {
        let mut buf = vec![0u8; 16];
        buf[4..6].copy_from_slice(&kind.to_ne_bytes());
        buf[6..8].copy_from_slice(&(flags | NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
        Msg { buf, nests: vec![] }
    }

    fn raw(&mut self, bytes: &[u8]) -> &mut Msg {
        self.buf.extend_from_slice(bytes);
        self.pad();
        self
    }

    fn pad(&mut self) {
        while self.buf.len() % 4 != 0 {
            self.buf.push(0);
        }
    }

    fn attr(&mut self, kind: u16, data: &[u8]) -> &mut Msg {
        let len = (4 + data.len()) as u16;
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(data);
        self.pad();
        self
    }

    fn attr_str(&mut self, kind: u16, s: &str) -> &mut Msg {
        let mut d = s.as_bytes().to_vec();
        d.push(0);
        self.attr(kind, &d)
    }

    fn attr_u32(&mut self, kind: u16, v: u32) -> &mut Msg {
        self.attr(kind, &v.to_ne_bytes())
    }

    fn begin(&mut self, kind: u16) -> &mut Msg {
        self.nests.push(self.buf.len());
        self.buf.extend_from_slice(&[0, 0]);
        self.buf
            .extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
        self
    }

    fn end(&mut self) -> &mut Msg {
        let start = self.nests.pop().expect("a nest to close");
        let len = (self.buf.len() - start) as u16;
        self.buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        self
    }

    fn finish(&mut self, seq: u32) -> &[u8] {
        let len = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
        self.buf[8..12].copy_from_slice(&seq.to_ne_bytes());
        &self.buf
    }
}

/// `struct ifinfomsg`: family, type, index, flags, change.
fn ifinfo(index: i32, flags: u32, change: u32) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[4..8].copy_from_slice(&index.to_ne_bytes());
    b[8..12].copy_from_slice(&flags.to_ne_bytes());
    b[12..16].copy_from_slice(&change.to_ne_bytes());
    b
}

impl Socket {
    pub fn open() -> Result<Socket, NlError> {
        let err = |op: &str| {
            let op = op.to_string();
            move |e: nix::errno::Errno| NlError {
                op,
                errno: e as i32,
            }
        };
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkRoute,
        )
        .map_err(err("netlink socket"))?;
        bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).map_err(err("netlink bind"))?;
        Ok(Socket { fd, seq: 1 })
    }

    /// Sends one request and waits for its acknowledgement.
    fn call(&mut self, op: &str, msg: &mut Msg) -> Result<(), NlError> {
        self.seq += 1;
        let seq = self.seq;
        let fail = |errno: i32| NlError {
            op: op.to_string(),
            errno,
        };
        send(self.fd.as_raw_fd(), msg.finish(seq), MsgFlags::empty())
            .map_err(|e| fail(e as i32))?;
        let mut buf = vec![0u8; 16384];
        loop {
            let n = match recv(self.fd.as_raw_fd(), &mut buf, MsgFlags::empty()) {
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(fail(e as i32)),
            };
            let mut off = 0;
            while off + 16 <= n {
                let len = u32::from_ne_bytes(buf[off..off + 4].try_into().unwrap()) as usize;
                let kind = u16::from_ne_bytes(buf[off + 4..off + 6].try_into().unwrap());
                let mseq = u32::from_ne_bytes(buf[off + 8..off + 12].try_into().unwrap());
                if len < 16 || off + len > n {
                    return Err(fail(libc::EBADMSG));
                }
                if mseq == seq && kind == NLMSG_ERROR && len >= 20 {
                    let code = i32::from_ne_bytes(buf[off + 16..off + 20].try_into().unwrap());
                    return if code == 0 { Ok(()) } else { Err(fail(-code)) };
                }
                if mseq == seq && kind == NLMSG_DONE {
                    return Ok(());
                }
                off += (len + 3) & !3;
            }
        }
    }

    /// A bridge named `name` (EEXIST if there is one).
    pub fn add_bridge(&mut self, name: &str) -> Result<(), NlError> {
        let mut m = Msg::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        m.raw(&ifinfo(0, 0, 0))
            .attr_str(IFLA_IFNAME, name)
            .begin(IFLA_LINKINFO)
            .attr_str(IFLA_INFO_KIND, "bridge")
            .end();
        self.call(&format!("create bridge {name}"), &mut m)
    }

    /// A veth pair: `host` here, up, enslaved to `master`; `peer` created
    /// directly in the network namespace `netns` (an open nsfs fd).
    pub fn add_veth(
        &mut self,
        host: &str,
        master: u32,
        peer: &str,
        netns: i32,
        mac: [u8; 6],
    ) -> Result<(), NlError> {
        let mut m = Msg::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        m.raw(&ifinfo(0, IFF_UP, IFF_UP))
            .attr_str(IFLA_IFNAME, host)
            .attr_u32(IFLA_MASTER, master)
            .begin(IFLA_LINKINFO)
            .attr_str(IFLA_INFO_KIND, "veth")
            .begin(IFLA_INFO_DATA)
            .begin(VETH_INFO_PEER)
            .raw(&ifinfo(0, 0, 0))
            .attr_str(IFLA_IFNAME, peer)
            .attr(IFLA_ADDRESS, &mac)
            .attr_u32(IFLA_NET_NS_FD, netns as u32)
            .end()
            .end()
            .end();
        self.call(&format!("create veth {host}"), &mut m)
    }

    pub fn set_up(&mut self, index: u32) -> Result<(), NlError> {
        let mut m = Msg::new(RTM_NEWLINK, 0);
        m.raw(&ifinfo(index as i32, IFF_UP, IFF_UP));
        self.call("set link up", &mut m)
    }

    pub fn delete_link(&mut self, index: u32) -> Result<(), NlError> {
        let mut m = Msg::new(RTM_DELLINK, 0);
        m.raw(&ifinfo(index as i32, 0, 0));
        self.call("delete link", &mut m)
    }

    /// An IPv4 address on a link (EEXIST if it has it).
    pub fn add_addr(&mut self, index: u32, addr: Ipv4Addr, prefix: u8) -> Result<(), NlError> {
        let mut m = Msg::new(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
        let mut ifa = [0u8; 8];
        ifa[0] = libc::AF_INET as u8;
        ifa[1] = prefix;
        ifa[4..8].copy_from_slice(&index.to_ne_bytes());
        m.raw(&ifa)
            .attr(IFA_LOCAL, &addr.octets())
            .attr(IFA_ADDRESS, &addr.octets());
        self.call(&format!("add address {addr}/{prefix}"), &mut m)
    }

    /// The default route through `gateway` on link `index`.
    pub fn add_default_route(&mut self, gateway: Ipv4Addr, index: u32) -> Result<(), NlError> {
        let mut m = Msg::new(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
        // struct rtmsg: family, dst_len, src_len, tos, table, protocol,
        // scope, type, flags.
        let mut rt = [0u8; 12];
        rt[0] = libc::AF_INET as u8;
        rt[4] = libc::RT_TABLE_MAIN;
        rt[5] = libc::RTPROT_BOOT;
        rt[6] = libc::RT_SCOPE_UNIVERSE;
        rt[7] = libc::RTN_UNICAST;
        m.raw(&rt)
            .attr(RTA_GATEWAY, &gateway.octets())
            .attr_u32(RTA_OIF, index);
        self.call(&format!("add default route via {gateway}"), &mut m)
    }
}

/// A link's index by name, in this thread's network namespace.
pub fn index(name: &str) -> Option<u32> {
    nix::net::if_::if_nametoindex(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_laid_out_as_the_kernel_reads_them() {
        let mut m = Msg::new(RTM_NEWLINK, NLM_F_CREATE);
        m.raw(&ifinfo(0, 0, 0))
            .attr_str(IFLA_IFNAME, "br0")
            .begin(IFLA_LINKINFO)
            .attr_str(IFLA_INFO_KIND, "bridge")
            .end();
        let b = m.finish(7).to_vec();
        assert_eq!(
            u32::from_ne_bytes(b[0..4].try_into().unwrap()) as usize,
            b.len()
        );
        assert_eq!(b.len() % 4, 0);
        assert_eq!(u32::from_ne_bytes(b[8..12].try_into().unwrap()), 7);
        // ifname: len 8 ("br0\0" + header), then the nest: header + kind.
        assert_eq!(&b[32..36], &[8, 0, 3, 0]);
        assert_eq!(&b[36..40], b"br0\0");
        let nest_len = u16::from_ne_bytes(b[40..42].try_into().unwrap());
        assert_eq!(nest_len as usize, 4 + 4 + 8);
        assert_eq!(
            u16::from_ne_bytes(b[42..44].try_into().unwrap()),
            IFLA_LINKINFO | NLA_F_NESTED
        );
        assert_eq!(&b[48..55], b"bridge\0");
    }
}
