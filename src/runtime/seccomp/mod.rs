//! seccomp: docker's profile format, rendered for one container's
//! capabilities, compiled to BPF with libseccomp (the C library runc,
//! crun and youki use: per-rule actions, several architectures in one
//! filter, argument comparisons), kept compiled in the store, and loaded
//! by the container's init just before it gives up its privileges.
//!
//! - [`Profile`] is moby's JSON (`defaultAction`, `archMap`, `syscalls[]`
//!   with `includes`/`excludes` of caps, arches and `minKernel`).
//!   `default.json` is strata's default: docker's current rules, written
//!   out from `../shared/reference/isolation.md` §2.
//! - [`render`] resolves includes and excludes against the capability set
//!   and the kernel, as dockerd's `setupSeccomp` does (pure, tested).
//! - [`compile`] builds the BPF and prepends runc's ENOSYS stub: a syscall
//!   numbered above every one the profile names returns ENOSYS, not EPERM,
//!   so that libc falls back from calls newer than the profile.
//! - [`cached`] keys the compiled filter by the profile's digest, the
//!   capability set and the kernel, in `<root>/seccomp/<hex>.bpf`, so a
//!   run reads a file instead of compiling.
//! - [`install`] is the one system call, in the container's init.

use serde::Deserialize;
use std::path::Path;

/// strata's default profile (docker's).
pub const DEFAULT_PROFILE: &str = include_str!("default.json");

/// `DEFAULT_PROFILE`'s sha256 (hex), computed by build.rs.
const DEFAULT_PROFILE_SHA256: &str =
    include_str!(concat!(env!("OUT_DIR"), "/seccomp-default.sha256"));

/// A profile in docker's JSON format.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub default_action: String,
    #[serde(default)]
    pub default_errno_ret: Option<u32>,
    #[serde(default)]
    pub architectures: Vec<String>,
    #[serde(default)]
    pub arch_map: Vec<ArchMap>,
    #[serde(default)]
    pub syscalls: Vec<SyscallRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchMap {
    pub architecture: String,
    #[serde(default)]
    pub sub_architectures: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyscallRule {
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub action: String,
    #[serde(default)]
    pub errno_ret: Option<u32>,
    #[serde(default)]
    pub args: Vec<Arg>,
    #[serde(default)]
    pub includes: Filter,
    #[serde(default)]
    pub excludes: Filter,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Arg {
    pub index: u32,
    pub value: u64,
    #[serde(default)]
    pub value_two: u64,
    pub op: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    #[serde(default)]
    pub caps: Vec<String>,
    #[serde(default)]
    pub arches: Vec<String>,
    #[serde(default)]
    pub min_kernel: Option<String>,
}

/// What a rule does to a matching call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Errno(u32),
    KillThread,
    KillProcess,
    Trap,
    Log,
    Trace(u32),
}

/// One rendered rule: its calls, its action and its argument conditions
/// (all must hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub names: Vec<String>,
    pub action: Action,
    pub args: Vec<(u32, String, u64, u64)>,
}

/// A profile for one container: plain rules, nothing conditional left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub default: Action,
    pub arches: Vec<String>,
    pub rules: Vec<Rule>,
}

impl Rendered {
    /// The rendered profile in the OCI runtime spec's `linux.seccomp`
    /// form (plain rules: what a container with these capabilities gets).
    pub fn to_oci(&self) -> serde_json::Value {
        fn act(a: &Action) -> (&'static str, Option<u32>) {
            match a {
                Action::Allow => ("SCMP_ACT_ALLOW", None),
                Action::Errno(n) => ("SCMP_ACT_ERRNO", Some(*n)),
                Action::KillThread => ("SCMP_ACT_KILL", None),
                Action::KillProcess => ("SCMP_ACT_KILL_PROCESS", None),
                Action::Trap => ("SCMP_ACT_TRAP", None),
                Action::Log => ("SCMP_ACT_LOG", None),
                Action::Trace(n) => ("SCMP_ACT_TRACE", Some(*n)),
            }
        }
        let (d, derr) = act(&self.default);
        let rules: Vec<serde_json::Value> = self
            .rules
            .iter()
            .map(|r| {
                let (a, err) = act(&r.action);
                let mut v = serde_json::json!({"names": r.names, "action": a});
                if let Some(e) = err {
                    v["errnoRet"] = serde_json::json!(e);
                }
                if !r.args.is_empty() {
                    v["args"] = serde_json::json!(r
                        .args
                        .iter()
                        .map(|(i, op, val, two)| serde_json::json!({"index": i, "op": op, "value": val, "valueTwo": two}))
                        .collect::<Vec<_>>());
                }
                v
            })
            .collect();
        let mut v = serde_json::json!({"defaultAction": d, "architectures": self.arches, "syscalls": rules});
        if let Some(e) = derr {
            v["defaultErrnoRet"] = serde_json::json!(e);
        }
        v
    }
}

fn action(name: &str, errno: Option<u32>) -> Result<Action, String> {
    Ok(match name {
        "SCMP_ACT_ALLOW" => Action::Allow,
        "SCMP_ACT_ERRNO" => Action::Errno(errno.unwrap_or(libc::EPERM as u32)),
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Action::KillThread,
        "SCMP_ACT_KILL_PROCESS" => Action::KillProcess,
        "SCMP_ACT_TRAP" => Action::Trap,
        "SCMP_ACT_LOG" => Action::Log,
        "SCMP_ACT_TRACE" => Action::Trace(errno.unwrap_or(libc::EPERM as u32)),
        other => return Err(format!("unsupported seccomp action {other:?}")),
    })
}

/// Go's name of this machine's architecture, as profiles spell it.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

fn native_scmp_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "SCMP_ARCH_X86_64",
        "aarch64" => "SCMP_ARCH_AARCH64",
        "x86" => "SCMP_ARCH_X86",
        "riscv64" => "SCMP_ARCH_RISCV64",
        _ => "SCMP_ARCH_NATIVE",
    }
}

fn kernel_at_least(kernel: (u32, u32), min: &str) -> Result<bool, String> {
    let mut it = min.split('.').map(|p| p.parse::<u32>());
    match (it.next(), it.next()) {
        (Some(Ok(a)), Some(Ok(b))) => Ok(kernel >= (a, b)),
        (Some(Ok(a)), None) => Ok(kernel >= (a, 0)),
        _ => Err(format!("invalid minKernel {min:?}")),
    }
}

/// This kernel's (major, minor).
pub fn kernel_version() -> (u32, u32) {
    let rel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut it = rel
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

/// Parses a profile, with docker's wording for the errors it can have.
pub fn parse(json: &[u8]) -> Result<Profile, String> {
    let p: Profile = serde_json::from_slice(json)
        .map_err(|e| format!("decoding seccomp profile failed: {e}"))?;
    if !p.architectures.is_empty() && !p.arch_map.is_empty() {
        return Err("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'".into());
    }
    for r in &p.syscalls {
        if r.name.is_some() && !r.names.is_empty() {
            return Err("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'".into());
        }
    }
    Ok(p)
}

/// Resolves a profile's conditional rules for a container with the
/// capabilities `caps` (a mask) on a kernel `kernel`, as dockerd does.
pub fn render(p: &Profile, caps: u64, kernel: (u32, u32)) -> Result<Rendered, String> {
    let cap_names = super::caps::names(caps);
    let has = |c: &String| cap_names.iter().any(|n| n.eq_ignore_ascii_case(c));
    let arch = go_arch();
    let default = action(&p.default_action, p.default_errno_ret)?;
    let arches = if !p.architectures.is_empty() {
        p.architectures.clone()
    } else {
        p.arch_map
            .iter()
            .filter(|m| m.architecture == native_scmp_arch())
            .flat_map(|m| {
                std::iter::once(m.architecture.clone()).chain(m.sub_architectures.clone())
            })
            .collect()
    };
    let mut rules = Vec::new();
    for r in &p.syscalls {
        let inc = &r.includes;
        if !inc.arches.is_empty() && !inc.arches.iter().any(|a| a == arch) {
            continue;
        }
        if !inc.caps.iter().all(has) {
            continue;
        }
        if let Some(k) = &inc.min_kernel {
            if !kernel_at_least(kernel, k)? {
                continue;
            }
        }
        let exc = &r.excludes;
        if exc.arches.iter().any(|a| a == arch) || exc.caps.iter().any(has) {
            continue;
        }
        if let Some(k) = &exc.min_kernel {
            if kernel_at_least(kernel, k)? {
                continue;
            }
        }
        let names = if let Some(n) = &r.name {
            vec![n.clone()]
        } else {
            r.names.clone()
        };
        rules.push(Rule {
            names,
            action: action(&r.action, r.errno_ret)?,
            args: r
                .args
                .iter()
                .map(|a| (a.index, a.op.clone(), a.value, a.value_two))
                .collect(),
        });
    }
    Ok(Rendered {
        default,
        arches,
        rules,
    })
}

fn scmp_action(a: Action) -> libseccomp::ScmpAction {
    use libseccomp::ScmpAction as S;
    match a {
        Action::Allow => S::Allow,
        Action::Errno(e) => S::Errno(e as i32),
        Action::KillThread => S::KillThread,
        Action::KillProcess => S::KillProcess,
        Action::Trap => S::Trap,
        Action::Log => S::Log,
        Action::Trace(v) => S::Trace(v as u16),
    }
}

fn compare(
    index: u32,
    op: &str,
    value: u64,
    two: u64,
) -> Result<libseccomp::ScmpArgCompare, String> {
    use libseccomp::ScmpCompareOp as O;
    let op = match op {
        "SCMP_CMP_NE" => O::NotEqual,
        "SCMP_CMP_LT" => O::Less,
        "SCMP_CMP_LE" => O::LessOrEqual,
        "SCMP_CMP_EQ" => O::Equal,
        "SCMP_CMP_GE" => O::GreaterEqual,
        "SCMP_CMP_GT" => O::Greater,
        "SCMP_CMP_MASKED_EQ" => {
            return Ok(libseccomp::ScmpArgCompare::new(
                index,
                O::MaskedEqual(value),
                two,
            ))
        }
        other => return Err(format!("unsupported seccomp operator {other:?}")),
    };
    Ok(libseccomp::ScmpArgCompare::new(index, op, value))
}

// Classic BPF, for the ENOSYS stub.
const BPF_LD_W_ABS: u16 = 0x20;
const BPF_JEQ_K: u16 = 0x15;
const BPF_JGT_K: u16 = 0x25;
const BPF_JSET_K: u16 = 0x45;
const BPF_JA: u16 = 0x05;
const BPF_RET_K: u16 = 0x06;
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const AUDIT_ARCH_I386: u32 = 0x4000_0003;
const AUDIT_ARCH_AARCH64: u32 = 0xc000_00b7;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;

fn sock_filter(code: u16, jt: u8, jf: u8, k: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[0..2].copy_from_slice(&code.to_ne_bytes());
    b[2] = jt;
    b[3] = jf;
    b[4..8].copy_from_slice(&k.to_ne_bytes());
    b
}

/// runc's ENOSYS stub: per architecture, a syscall numbered above `max`
/// returns ENOSYS; everything else falls through to the filter proper.
/// `arches` are (audit arch, max nr, x32 max for x86_64 or None).
pub fn enosys_stub(arches: &[(u32, u32, Option<u32>)]) -> Vec<[u8; 8]> {
    // Layout: ld arch; per arch a block; "ja start"; "ret enosys".
    let mut blocks: Vec<Vec<(u16, i32, i32, u32)>> = Vec::new();
    // Jump targets inside a block are written relative to the block's
    // end: -1 = the ENOSYS return, -2 = the filter's start.
    for (audit, max, x32) in arches {
        let mut b = vec![(BPF_JEQ_K, 0, 0, *audit)];
        b.push((BPF_LD_W_ABS, 0, 0, 0));
        if let Some(x32max) = x32 {
            // x32 calls carry the X32 bit: check them against their own max.
            b.push((BPF_JSET_K, 0, 1, X32_SYSCALL_BIT));
            b.push((BPF_JGT_K, -1, -2, *x32max));
        }
        b.push((BPF_JGT_K, -1, -2, *max));
        blocks.push(b);
    }
    let mut out = vec![sock_filter(BPF_LD_W_ABS, 0, 0, 4)];
    let total: usize = blocks.iter().map(Vec::len).sum();
    // Positions: 1.. blocks, then `ja start` at 1+total, `ret` at 2+total.
    let ja_pos = 1 + total;
    let ret_pos = ja_pos + 1;
    let mut pos = 1;
    for b in &blocks {
        let block_end = pos + b.len();
        for (i, (code, jt, jf, k)) in b.iter().enumerate() {
            let here = pos + i;
            let target = |t: i32| -> u8 {
                let abs = match t {
                    -1 => ret_pos,
                    -2 => ja_pos,
                    n => here + 1 + n as usize,
                };
                (abs - here - 1) as u8
            };
            let (jt, jf) = if *code == BPF_JEQ_K && i == 0 {
                // Not this arch: on to the next block.
                (0u8, (block_end - here - 1) as u8)
            } else if *code == BPF_LD_W_ABS {
                (0, 0)
            } else {
                (target(*jt), target(*jf))
            };
            out.push(sock_filter(*code, jt, jf, *k));
        }
        pos = block_end;
    }
    out.push(sock_filter(BPF_JA, 0, 0, 1));
    out.push(sock_filter(
        BPF_RET_K,
        0,
        0,
        SECCOMP_RET_ERRNO | libc::ENOSYS as u32,
    ));
    out
}

fn audit_arch(a: libseccomp::ScmpArch) -> Option<u32> {
    use libseccomp::ScmpArch as A;
    match a {
        A::X8664 => Some(AUDIT_ARCH_X86_64),
        A::X86 => Some(AUDIT_ARCH_I386),
        A::Aarch64 => Some(AUDIT_ARCH_AARCH64),
        _ => None,
    }
}

/// Whether this kernel runs x32 system calls (most distribution kernels
/// are built without the x32 ABI: the call says ENOSYS).
pub fn x32_supported() -> bool {
    if std::env::consts::ARCH != "x86_64" {
        return false;
    }
    // SAFETY: getpid through the x32 entry: no arguments, no memory.
    let r = unsafe { libc::syscall(X32_SYSCALL_BIT as libc::c_long | libc::SYS_getpid) };
    r >= 0
}

/// Compiles a rendered profile to BPF (the bytes of a sock_filter array).
pub fn compile(r: &Rendered) -> Result<Vec<u8>, String> {
    use libseccomp::{ScmpArch, ScmpFilterContext, ScmpSyscall};
    use std::str::FromStr;
    fn err(what: &'static str) -> impl Fn(libseccomp::error::SeccompError) -> String {
        move |e| format!("{what}: {e}")
    }
    let mut ctx = ScmpFilterContext::new(scmp_action(r.default)).map_err(err("seccomp"))?;
    let mut arches = Vec::new();
    let x32 = x32_supported();
    for a in &r.arches {
        let arch =
            ScmpArch::from_str(a).map_err(|_| format!("unknown seccomp architecture {a:?}"))?;
        // A kernel without the x32 ABI runs no x32 call: filtering them
        // would only make the filter longer (and slower to load).
        if arch == ScmpArch::X32 && !x32 {
            continue;
        }
        if !ctx.is_arch_present(arch).unwrap_or(false) {
            ctx.add_arch(arch).map_err(err("seccomp architecture"))?;
        }
        arches.push(arch);
    }
    if arches.is_empty() {
        arches.push(ScmpArch::native());
    }
    ctx.set_ctl_nnp(false).map_err(err("seccomp"))?;
    let mut named: Vec<&str> = Vec::new();
    for rule in &r.rules {
        if rule.action == r.default {
            continue;
        }
        let act = scmp_action(rule.action);
        let mut cmps = Vec::new();
        for (i, op, v, two) in &rule.args {
            cmps.push(compare(*i, op, *v, *two)?);
        }
        let mut indexes: Vec<u32> = rule.args.iter().map(|a| a.0).collect();
        indexes.sort_unstable();
        let repeated = indexes.windows(2).any(|w| w[0] == w[1]);
        for name in &rule.names {
            // Names this libseccomp does not know are skipped, as runc does.
            let Ok(sc) = ScmpSyscall::from_name(name) else {
                continue;
            };
            named.push(name);
            let res = if cmps.is_empty() {
                ctx.add_rule(act, sc)
            } else if repeated {
                // libseccomp cannot test one argument twice in a rule:
                // one rule per condition (runc's OR).
                cmps.iter()
                    .try_for_each(|c| ctx.add_rule_conditional(act, sc, &[*c]).map(|_| ()))
                    .map(|_| &mut ctx)
            } else {
                ctx.add_rule_conditional(act, sc, &cmps)
            };
            if let Err(e) = res {
                return Err(format!("adding seccomp rule for syscall {name}: {e}"));
            }
        }
    }
    // A binary tree of syscall numbers: each call (and the kernel's
    // action cache, which runs the filter for every number at load time)
    // takes a few comparisons instead of a walk through the whole list.
    let _ = ctx.set_ctl_optimize(2);
    let file = tempfile_in_memory()?;
    ctx.export_bpf(&file)
        .map_err(err("exporting the seccomp filter"))?;
    let mut bpf = Vec::new();
    {
        use std::io::{Read, Seek};
        let mut f = &file;
        f.seek(std::io::SeekFrom::Start(0))
            .and_then(|_| f.read_to_end(&mut bpf))
            .map_err(|e| format!("reading the seccomp filter: {e}"))?;
    }
    let stub_wanted = match r.default {
        Action::Allow | Action::Log | Action::Trace(_) => false,
        Action::Errno(e) => e != libc::ENOSYS as u32,
        _ => true,
    };
    if !stub_wanted {
        return Ok(bpf);
    }
    let mut stub_arches = Vec::new();
    for arch in &arches {
        let Some(audit) = audit_arch(*arch) else {
            continue;
        };
        if *arch == ScmpArch::X32 {
            continue;
        }
        let max = |a: ScmpArch| {
            named
                .iter()
                .filter_map(|n| ScmpSyscall::from_name_by_arch(n, a).ok())
                .map(|s| s.as_raw_syscall())
                .filter(|n| *n >= 0)
                .map(|n| n as u32 & !X32_SYSCALL_BIT)
                .max()
        };
        let Some(m) = max(*arch) else {
            continue;
        };
        let x32 = if *arch == ScmpArch::X8664 && arches.contains(&ScmpArch::X32) {
            max(ScmpArch::X32).map(|m| m | X32_SYSCALL_BIT)
        } else {
            None
        };
        stub_arches.push((audit, m, x32));
    }
    let mut out: Vec<u8> = enosys_stub(&stub_arches).concat();
    out.extend(bpf);
    if out.len() / 8 > 4096 {
        return Err("the seccomp filter has more than 4096 instructions".into());
    }
    Ok(out)
}

fn tempfile_in_memory() -> Result<std::fs::File, String> {
    let name = c"strata-seccomp";
    // SAFETY: memfd_create reads a NUL-terminated name and returns a new fd.
    let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(format!("memfd_create: {}", std::io::Error::last_os_error()));
    }
    use std::os::fd::FromRawFd;
    // SAFETY: the fd was just returned to us.
    Ok(unsafe { std::fs::File::from_raw_fd(fd) })
}

/// The compiled filter of `profile` (JSON bytes) for capabilities `caps`,
/// from `cache_dir` when it was compiled before, else compiled and kept.
pub fn cached(cache_dir: &Path, profile: &[u8], caps: u64) -> Result<Vec<u8>, String> {
    use sha2::{Digest, Sha256};
    let kernel = kernel_version();
    // The profile by its digest: docker's is known (hashing its 20 KB
    // would cost each run 50 µs).
    let profile_digest = if profile == DEFAULT_PROFILE.as_bytes() {
        DEFAULT_PROFILE_SHA256.to_string()
    } else {
        crate::util::ids::hex(&Sha256::digest(profile))
    };
    let mut h = Sha256::new();
    h.update(b"strata-seccomp-2\0");
    h.update(profile_digest.as_bytes());
    h.update(format!(
        "\0{caps:x}\0{}.{}\0{}\0{}",
        kernel.0,
        kernel.1,
        std::env::consts::ARCH,
        x32_supported()
    ));
    let key = crate::util::ids::hex(&h.finalize());
    let path = cache_dir.join(format!("{key}.bpf"));
    if let Ok(b) = std::fs::read(&path) {
        if !b.is_empty() && b.len() % 8 == 0 {
            return Ok(b);
        }
    }
    let p = parse(profile)?;
    let bpf = compile(&render(&p, caps, kernel)?)?;
    // A cache that cannot be written costs a compile next time, nothing else.
    if std::fs::create_dir_all(cache_dir).is_ok() {
        let _ = crate::util::fsx::write_atomic(&path, &bpf);
    }
    Ok(bpf)
}

/// Installs a filter (in the container's init). Without no_new_privs this
/// needs CAP_SYS_ADMIN, so it runs before the capabilities are dropped.
pub fn install(bpf: &[u8]) -> Result<(), i32> {
    #[repr(C)]
    struct SockFprog {
        len: u16,
        filter: *const u8,
    }
    let prog = SockFprog {
        len: (bpf.len() / 8) as u16,
        filter: bpf.as_ptr(),
    };
    // SAFETY: seccomp(SECCOMP_SET_MODE_FILTER) reads `prog` and the
    // `len` 8-byte instructions it points at, all alive for the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            0u32,
            &prog as *const SockFprog,
        )
    };
    if r < 0 {
        return Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_profile_s_digest_is_its_own() {
        use sha2::{Digest, Sha256};
        let hex = crate::util::ids::hex(&Sha256::digest(DEFAULT_PROFILE.as_bytes()));
        assert_eq!(hex, DEFAULT_PROFILE_SHA256);
    }

    fn default_for(caps: u64) -> Rendered {
        render(&parse(DEFAULT_PROFILE.as_bytes()).unwrap(), caps, (6, 1)).unwrap()
    }

    fn allowed(r: &Rendered, name: &str) -> bool {
        r.rules.iter().any(|x| {
            x.action == Action::Allow && x.args.is_empty() && x.names.iter().any(|n| n == name)
        })
    }

    #[test]
    fn the_default_profile_follows_the_capabilities() {
        let default = super::super::caps::mask(super::super::caps::DEFAULT);
        let r = default_for(default);
        assert_eq!(r.default, Action::Errno(1));
        assert_eq!(
            r.arches,
            ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
        );
        for n in [
            "read",
            "execve",
            "capset",
            "setuid",
            "close_range",
            "chroot",
            "ptrace",
        ] {
            assert!(allowed(&r, n), "{n} allowed");
        }
        for n in [
            "mount",
            "unshare",
            "keyctl",
            "add_key",
            "pivot_root",
            "setns",
            "bpf",
            "reboot",
        ] {
            assert!(!allowed(&r, n), "{n} refused");
        }
        // clone only without namespace flags; clone3 says ENOSYS.
        let clone = r.rules.iter().find(|x| x.names == ["clone"]).unwrap();
        assert_eq!(
            clone.args,
            vec![(0, "SCMP_CMP_MASKED_EQ".into(), 0x7E020000, 0)]
        );
        assert!(r
            .rules
            .iter()
            .any(|x| x.names == ["clone3"] && x.action == Action::Errno(38)));
        // CAP_SYS_ADMIN unlocks mount and plain clone, but never keyctl.
        let admin = default_for(default | 1 << 21);
        assert!(allowed(&admin, "mount") && allowed(&admin, "unshare") && allowed(&admin, "clone"));
        assert!(!admin.rules.iter().any(|x| x.names == ["clone3"]));
        assert!(!allowed(&admin, "keyctl"));
        // Without SYS_CHROOT, chroot goes.
        assert!(!allowed(&default_for(default & !(1 << 18)), "chroot"));
        // An old kernel gets no ptrace.
        let old = render(&parse(DEFAULT_PROFILE.as_bytes()).unwrap(), default, (4, 4)).unwrap();
        assert!(!allowed(&old, "ptrace"));
    }

    #[test]
    fn bad_profiles_are_one_clear_line() {
        assert!(parse(b"{")
            .unwrap_err()
            .starts_with("decoding seccomp profile failed"));
        let both = br#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}"#;
        assert!(parse(both).unwrap_err().contains("use either"));
        let bad = br#"{"defaultAction":"SCMP_ACT_NOPE"}"#;
        assert!(render(&parse(bad).unwrap(), 0, (6, 1))
            .unwrap_err()
            .contains("unsupported seccomp action"));
    }

    #[test]
    fn the_default_profile_compiles() {
        let default = super::super::caps::mask(super::super::caps::DEFAULT);
        let bpf = compile(&default_for(default)).unwrap();
        assert_eq!(bpf.len() % 8, 0);
        assert!(
            bpf.len() / 8 > 100 && bpf.len() / 8 < 4096,
            "{} insns",
            bpf.len() / 8
        );
    }

    #[test]
    fn the_enosys_stub_jumps_where_it_says() {
        let s = enosys_stub(&[
            (AUDIT_ARCH_X86_64, 450, Some(X32_SYSCALL_BIT | 547)),
            (AUDIT_ARCH_I386, 449, None),
        ]);
        // ld arch; x86_64: jeq, ld nr, jset, jgt(x32), jgt; i386: jeq, ld nr, jgt; ja; ret.
        assert_eq!(s.len(), 1 + 5 + 3 + 2);
        let ins = |i: usize| (u16::from_ne_bytes([s[i][0], s[i][1]]), s[i][2], s[i][3]);
        let (ja, ret) = (9usize, 10usize);
        // x86_64's jeq skips its 5-insn block when the arch differs.
        assert_eq!(ins(1), (BPF_JEQ_K, 0, 4));
        // x32 check: set -> next insn; clear -> the plain jgt two ahead.
        assert_eq!(ins(3), (BPF_JSET_K, 0, 1));
        assert_eq!(ins(4).1 as usize + 5, ret);
        assert_eq!(ins(4).2 as usize + 5, ja);
        assert_eq!(ins(5).1 as usize + 6, ret);
        assert_eq!(ins(8).1 as usize + 9, ret);
        assert_eq!(ins(8).2 as usize + 9, ja);
    }
}
