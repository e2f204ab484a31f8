//! The device policy: which device nodes a container may create (mknod)
//! and open. docker's default allows `mknod` of any device but opening only
//! a short list (null, zero, full, random, urandom, tty, console, ptmx, the
//! ptys and tun). It is enforced by the kernel in one of two ways:
//!
//! - cgroup v2: a `BPF_PROG_TYPE_CGROUP_DEVICE` program attached to the
//!   container's v2 group (also on a hybrid host's `unified` tree: cgroup
//!   BPF needs no controller). [`program`] builds it, as runc's
//!   devicefilter and youki do: a prologue that splits the context into
//!   type, access, major and minor, then one block per allow rule.
//! - cgroup v1: the `devices` controller's `devices.deny` / `devices.allow`
//!   files ([`v1_lines`]).
//!
//! The rule building here is pure and table-tested; the two system calls
//! (load and attach) are in [`attach_program`].

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Block or character device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Char,
    Block,
    /// Both (`a` in the v1 syntax).
    All,
}

/// One allow rule: a kind, major and minor (None = any), and the access
/// it grants (a subset of `rwm`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub kind: Kind,
    pub major: Option<u32>,
    pub minor: Option<u32>,
    pub read: bool,
    pub write: bool,
    pub mknod: bool,
}

impl Rule {
    pub const fn new(kind: Kind, major: Option<u32>, minor: Option<u32>, access: &str) -> Rule {
        let b = access.as_bytes();
        let mut i = 0;
        let (mut read, mut write, mut mknod) = (false, false, false);
        while i < b.len() {
            match b[i] {
                b'r' => read = true,
                b'w' => write = true,
                b'm' => mknod = true,
                _ => {}
            }
            i += 1;
        }
        Rule {
            kind,
            major,
            minor,
            read,
            write,
            mknod,
        }
    }

    fn access_bits(&self) -> i32 {
        let bit = |on: bool, b: i32| if on { b } else { 0 };
        bit(self.mknod, ACC_MKNOD) | bit(self.read, ACC_READ) | bit(self.write, ACC_WRITE)
    }

    /// The rule in the v1 `devices.allow` syntax: `c 1:3 rwm`.
    pub fn v1_line(&self) -> String {
        let kind = match self.kind {
            Kind::Char => 'c',
            Kind::Block => 'b',
            Kind::All => 'a',
        };
        let num = |n: Option<u32>| n.map_or("*".to_string(), |n| n.to_string());
        let mut acc = String::new();
        if self.read {
            acc.push('r');
        }
        if self.write {
            acc.push('w');
        }
        if self.mknod {
            acc.push('m');
        }
        format!("{kind} {}:{} {acc}", num(self.major), num(self.minor))
    }
}

/// The policy of one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// `--privileged`: every device.
    AllowAll,
    /// Deny everything but these rules.
    Allow(Vec<Rule>),
}

impl Default for Policy {
    fn default() -> Self {
        Policy::Allow(default_rules())
    }
}

/// docker's default device rules (moby's `DefaultLinuxSpec`).
pub fn default_rules() -> Vec<Rule> {
    use Kind::*;
    vec![
        Rule::new(Char, None, None, "m"),
        Rule::new(Block, None, None, "m"),
        Rule::new(Char, Some(1), Some(3), "rwm"),    // null
        Rule::new(Char, Some(1), Some(8), "rwm"),    // random
        Rule::new(Char, Some(1), Some(7), "rwm"),    // full
        Rule::new(Char, Some(5), Some(0), "rwm"),    // tty
        Rule::new(Char, Some(1), Some(5), "rwm"),    // zero
        Rule::new(Char, Some(1), Some(9), "rwm"),    // urandom
        Rule::new(Char, Some(136), None, "rwm"),     // /dev/pts/*
        Rule::new(Char, Some(5), Some(2), "rwm"),    // ptmx
        Rule::new(Char, Some(10), Some(200), "rwm"), // tun
        Rule::new(Char, Some(5), Some(1), "rwm"),    // console
    ]
}

/// Parses the permissions of `--device` (`rwm` or a subset).
pub fn parse_access(s: &str) -> Option<Rule> {
    if s.is_empty() || s.len() > 3 || !s.chars().all(|c| "rwm".contains(c)) {
        return None;
    }
    Some(Rule::new(Kind::All, None, None, s))
}

/// What the v1 controller is told: deny all, then each allow rule.
pub fn v1_lines(policy: &Policy) -> (Vec<String>, Vec<String>) {
    match policy {
        Policy::AllowAll => (Vec::new(), vec!["a *:* rwm".into()]),
        Policy::Allow(rules) => (vec!["a".into()], rules.iter().map(Rule::v1_line).collect()),
    }
}

// The device program's context (struct bpf_cgroup_dev_ctx):
// u32 access_type (access << 16 | type), u32 major, u32 minor.
const DEVCG_DEV_BLOCK: i32 = 1;
const DEVCG_DEV_CHAR: i32 = 2;
const ACC_MKNOD: i32 = 1;
const ACC_READ: i32 = 2;
const ACC_WRITE: i32 = 4;

/// One eBPF instruction (struct bpf_insn).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn {
    pub code: u8,
    /// dst_reg in the low nibble, src_reg in the high one.
    pub regs: u8,
    pub off: i16,
    pub imm: i32,
}

const fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        code,
        regs: (src << 4) | dst,
        off,
        imm,
    }
}

// Opcodes.
const LDX_MEM_W: u8 = 0x61; // dst = *(u32 *)(src + off)
const ALU32_AND_K: u8 = 0x54;
const ALU32_RSH_K: u8 = 0x74;
const ALU32_MOV_K: u8 = 0xb4;
const ALU32_MOV_X: u8 = 0xbc;
const JMP_JNE_K: u8 = 0x55;
const JMP_JNE_X: u8 = 0x5d;
const EXIT: u8 = 0x95;

/// The device program for a list of allow rules: 1 (allow) when a rule
/// matches the device's type, numbers and every access asked, else 0.
pub fn program(rules: &[Rule]) -> Vec<Insn> {
    let mut p = vec![
        insn(LDX_MEM_W, 2, 1, 0, 0),
        insn(ALU32_AND_K, 2, 0, 0, 0xffff), // r2 = type
        insn(LDX_MEM_W, 3, 1, 0, 0),
        insn(ALU32_RSH_K, 3, 0, 0, 16), // r3 = access
        insn(LDX_MEM_W, 4, 1, 4, 0),    // r4 = major
        insn(LDX_MEM_W, 5, 1, 8, 0),    // r5 = minor
    ];
    for r in rules {
        let mut block = Vec::new();
        match r.kind {
            Kind::Char => block.push(insn(JMP_JNE_K, 2, 0, 0, DEVCG_DEV_CHAR)),
            Kind::Block => block.push(insn(JMP_JNE_K, 2, 0, 0, DEVCG_DEV_BLOCK)),
            Kind::All => {}
        }
        let acc = r.access_bits();
        if acc != ACC_MKNOD | ACC_READ | ACC_WRITE {
            // Every access asked must be in the rule: (r3 & acc) == r3.
            block.push(insn(ALU32_MOV_X, 1, 3, 0, 0));
            block.push(insn(ALU32_AND_K, 1, 0, 0, acc));
            block.push(insn(JMP_JNE_X, 1, 3, 0, 0));
        }
        if let Some(m) = r.major {
            block.push(insn(JMP_JNE_K, 4, 0, 0, m as i32));
        }
        if let Some(m) = r.minor {
            block.push(insn(JMP_JNE_K, 5, 0, 0, m as i32));
        }
        let matches_all = block.is_empty();
        block.push(insn(ALU32_MOV_K, 0, 0, 0, 1));
        block.push(insn(EXIT, 0, 0, 0, 0));
        // Every jump above skips to the end of this block.
        let n = block.len();
        for (i, ins) in block.iter_mut().enumerate() {
            if ins.code == JMP_JNE_K || ins.code == JMP_JNE_X {
                ins.off = (n - i - 1) as i16;
            }
        }
        p.extend(block);
        if matches_all {
            // Nothing after a rule that allows everything is reachable, and
            // the verifier refuses unreachable code.
            return p;
        }
    }
    p.push(insn(ALU32_MOV_K, 0, 0, 0, 0));
    p.push(insn(EXIT, 0, 0, 0, 0));
    p
}

const BPF_PROG_LOAD: libc::c_long = 5;
const BPF_PROG_ATTACH: libc::c_long = 8;
const BPF_PROG_QUERY: libc::c_long = 16;
const BPF_PROG_TYPE_CGROUP_DEVICE: u32 = 15;
const BPF_CGROUP_DEVICE: u32 = 6;
/// A program in a descendant group replaces this one for its subtree.
pub const BPF_F_ALLOW_OVERRIDE: u32 = 1;
/// Every program of the hierarchy runs; each must allow.
pub const BPF_F_ALLOW_MULTI: u32 = 2;
const BPF_F_QUERY_EFFECTIVE: u32 = 1;

fn bpf(cmd: libc::c_long, attr: &mut [u64; 16]) -> std::io::Result<i64> {
    // SAFETY: `attr` is a zeroed, 128-byte union bpf_attr that outlives the
    // call; every pointer in it points at memory the caller keeps alive.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd,
            attr.as_mut_ptr(),
            std::mem::size_of_val(attr),
        )
    };
    if r < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// How many device programs act on the v2 cgroup open at `cgroup`:
/// attached to it, or (`effective`) in force there, its ancestors' too.
pub fn program_count(cgroup: &impl AsRawFd, effective: bool) -> std::io::Result<u32> {
    let mut attr = [0u64; 16];
    attr[0] = cgroup.as_raw_fd() as u32 as u64 | ((BPF_CGROUP_DEVICE as u64) << 32);
    attr[1] = if effective {
        BPF_F_QUERY_EFFECTIVE as u64
    } else {
        0
    };
    // prog_ids stays NULL: only the count (prog_cnt, at byte 24) is asked.
    bpf(BPF_PROG_QUERY, &mut attr)?;
    Ok(attr[3] as u32)
}

/// Loads the device program of `rules` and attaches it to the v2 cgroup
/// open at `cgroup`, with `flags` (BPF_F_ALLOW_OVERRIDE or _MULTI).
pub fn attach_program(cgroup: &impl AsRawFd, rules: &[Rule], flags: u32) -> std::io::Result<()> {
    let prog = program(rules);
    let license = b"Apache-2.0\0";
    let mut attr = [0u64; 16];
    attr[0] = BPF_PROG_TYPE_CGROUP_DEVICE as u64 | ((prog.len() as u64) << 32);
    attr[1] = prog.as_ptr() as u64;
    attr[2] = license.as_ptr() as u64;
    let fd = bpf(BPF_PROG_LOAD, &mut attr)?;
    // SAFETY: the kernel just returned this fd to us.
    let prog_fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    let mut attr = [0u64; 16];
    attr[0] = cgroup.as_raw_fd() as u32 as u64 | ((prog_fd.as_raw_fd() as u32 as u64) << 32);
    attr[1] = BPF_CGROUP_DEVICE as u64 | ((flags as u64) << 32);
    bpf(BPF_PROG_ATTACH, &mut attr)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a device program the way the kernel would, on one request.
    fn eval(p: &[Insn], kind: i32, access: i32, major: u32, minor: u32) -> u32 {
        let ctx = [((access << 16) | kind) as u32, major, minor];
        let mut r = [0u64; 11];
        let mut pc = 0usize;
        loop {
            let i = p[pc];
            let (dst, src) = ((i.regs & 0xf) as usize, (i.regs >> 4) as usize);
            pc += 1;
            match i.code {
                LDX_MEM_W => r[dst] = ctx[i.off as usize / 4] as u64,
                ALU32_AND_K => r[dst] = (r[dst] as u32 & i.imm as u32) as u64,
                ALU32_RSH_K => r[dst] = ((r[dst] as u32) >> i.imm) as u64,
                ALU32_MOV_K => r[dst] = i.imm as u32 as u64,
                ALU32_MOV_X => r[dst] = r[src] as u32 as u64,
                JMP_JNE_K if r[dst] != i.imm as u32 as u64 => pc += i.off as usize,
                JMP_JNE_X if r[dst] != r[src] => pc += i.off as usize,
                JMP_JNE_K | JMP_JNE_X => {}
                EXIT => return r[0] as u32,
                c => panic!("unknown opcode {c:#x}"),
            }
        }
    }

    #[test]
    fn the_default_program_allows_docker_s_list_and_mknod_only() {
        let p = program(&default_rules());
        let (c, b) = (DEVCG_DEV_CHAR, DEVCG_DEV_BLOCK);
        let rw = ACC_READ | ACC_WRITE;
        for (maj, min) in [
            (1, 3),
            (1, 5),
            (1, 7),
            (1, 8),
            (1, 9),
            (5, 0),
            (5, 1),
            (5, 2),
            (136, 7),
            (10, 200),
        ] {
            assert_eq!(eval(&p, c, rw, maj, min), 1, "c {maj}:{min}");
        }
        assert_eq!(eval(&p, c, ACC_READ, 4, 1), 0, "tty1 must not open");
        assert_eq!(eval(&p, b, ACC_READ, 254, 0), 0, "a disk must not open");
        assert_eq!(eval(&p, b, ACC_READ, 1, 3), 0, "b 1:3 is not /dev/null");
        assert_eq!(eval(&p, c, ACC_MKNOD, 4, 1), 1, "mknod of any char device");
        assert_eq!(
            eval(&p, b, ACC_MKNOD, 254, 0),
            1,
            "mknod of any block device"
        );
        assert_eq!(eval(&p, c, ACC_MKNOD | ACC_READ, 4, 1), 0);
        assert_eq!(eval(&p, c, rw, 10, 229), 0, "fuse is not in the list");
    }

    #[test]
    fn partial_access_rules_grant_only_their_subset() {
        let p = program(&[Rule::new(Kind::Char, Some(10), Some(229), "r")]);
        assert_eq!(eval(&p, DEVCG_DEV_CHAR, ACC_READ, 10, 229), 1);
        assert_eq!(eval(&p, DEVCG_DEV_CHAR, ACC_READ | ACC_WRITE, 10, 229), 0);
        assert_eq!(eval(&p, DEVCG_DEV_BLOCK, ACC_READ, 10, 229), 0);
        let all = program(&[Rule::new(Kind::All, None, None, "rwm")]);
        assert_eq!(eval(&all, DEVCG_DEV_BLOCK, ACC_READ | ACC_WRITE, 8, 0), 1);
        // No unreachable instruction after it (the verifier would refuse it).
        assert_eq!(all.last().map(|i| i.code), Some(EXIT));
        assert_eq!(all.iter().filter(|i| i.code == EXIT).count(), 1);
    }

    #[test]
    fn v1_lines_are_the_controller_s_syntax() {
        let (deny, allow) = v1_lines(&Policy::default());
        assert_eq!(deny, vec!["a"]);
        assert_eq!(allow[0], "c *:* m");
        assert_eq!(allow[1], "b *:* m");
        assert!(allow.contains(&"c 1:3 rwm".to_string()));
        assert!(allow.contains(&"c 136:* rwm".to_string()));
        assert_eq!(v1_lines(&Policy::AllowAll).1, vec!["a *:* rwm"]);
        assert!(parse_access("rw").is_some());
        assert!(parse_access("rx").is_none());
        assert!(parse_access("").is_none());
    }
}
