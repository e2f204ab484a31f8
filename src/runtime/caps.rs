//! Capabilities: docker's default set, clamped to what this host's
//! bounding set has (never assume CAP_SYS_RESOURCE or any other).

/// docker's default capabilities, by number.
pub const DEFAULT: &[u32] = &[
    0,  // CAP_CHOWN
    1,  // CAP_DAC_OVERRIDE
    3,  // CAP_FOWNER
    4,  // CAP_FSETID
    5,  // CAP_KILL
    6,  // CAP_SETGID
    7,  // CAP_SETUID
    8,  // CAP_SETPCAP
    10, // CAP_NET_BIND_SERVICE
    13, // CAP_NET_RAW
    18, // CAP_SYS_CHROOT
    27, // CAP_MKNOD
    29, // CAP_AUDIT_WRITE
    31, // CAP_SETFCAP
];

/// Every capability the kernel knows, by number.
pub const NAMES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// Every capability.
pub const ALL: u64 = (1u64 << NAMES.len()) - 1;

/// A capability's number from its name (`NET_ADMIN`, `CAP_net_admin`).
pub fn from_name(name: &str) -> Option<u32> {
    let up = name.to_ascii_uppercase();
    let bare = up.strip_prefix("CAP_").unwrap_or(&up);
    NAMES.iter().position(|n| *n == bare).map(|i| i as u32)
}

/// The `CAP_` names of the capabilities in `mask`, in number order.
pub fn names(mask: u64) -> Vec<String> {
    NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1u64 << i) != 0)
        .map(|(_, n)| format!("CAP_{n}"))
        .collect()
}

/// docker's rule for `--cap-add` and `--cap-drop` (moby's
/// `TweakCapabilities`): `ALL` in drop leaves only the adds, `ALL` in add
/// gives every capability but the drops, otherwise the default set minus
/// the drops plus the adds. `--privileged` is every capability. The
/// result is not clamped here: the container's init clamps it to its own
/// bounding set.
pub fn resolve(add: &[String], drop: &[String], privileged: bool) -> Result<u64, String> {
    let parse = |list: &[String], what: &str| -> Result<(u64, bool), String> {
        let mut m = 0u64;
        let mut all = false;
        for c in list {
            if c.eq_ignore_ascii_case("ALL") || c.eq_ignore_ascii_case("CAP_ALL") {
                all = true;
                continue;
            }
            let n = from_name(c).ok_or_else(|| {
                let shown = if c.to_ascii_uppercase().starts_with("CAP_") {
                    c.to_ascii_uppercase()
                } else {
                    format!("CAP_{}", c.to_ascii_uppercase())
                };
                format!("invalid {what}: unknown capability: \"{shown}\"")
            })?;
            m |= 1u64 << n;
        }
        Ok((m, all))
    };
    let (add_m, add_all) = parse(add, "CapAdd")?;
    let (drop_m, drop_all) = parse(drop, "CapDrop")?;
    if privileged {
        return Ok(ALL);
    }
    Ok(if add_all {
        ALL & !drop_m
    } else if drop_all {
        add_m
    } else {
        (mask(DEFAULT) & !drop_m) | add_m
    })
}

/// The bit mask of `caps`.
pub fn mask(caps: &[u32]) -> u64 {
    caps.iter().fold(0u64, |m, c| m | (1u64 << c))
}

/// Reads a capability set line ("CapBnd:\t000001fffeffffff") of /proc/self/status.
pub fn parse_status_mask(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| u64::from_str_radix(v.trim_start_matches(':').trim(), 16).ok())
}

/// This process's bounding set: no container gets more. (One prctl per
/// capability, once per process: a tenth of what reading
/// /proc/self/status costs. strata never drops from its own set; a
/// container's init drops from its copy.)
pub fn host_bounding() -> u64 {
    static SET: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SET.get_or_init(read_bounding)
}

fn read_bounding() -> u64 {
    let mut mask = 0u64;
    for cap in 0..NAMES.len() as u64 {
        // SAFETY: PR_CAPBSET_READ takes a number and touches no memory.
        let r = unsafe { libc::prctl(libc::PR_CAPBSET_READ, cap, 0, 0, 0) };
        if r == 1 {
            mask |= 1 << cap;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bounding_set_is_the_one_proc_shows() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let shown = parse_status_mask(&status, "CapBnd").unwrap();
        assert_eq!(read_bounding(), shown & ALL);
        assert_eq!(host_bounding(), read_bounding());
    }

    #[test]
    fn default_mask_is_docker_s() {
        assert_eq!(mask(DEFAULT), 0xa80425fb);
    }

    #[test]
    fn cap_add_and_drop_follow_docker() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(resolve(&[], &[], false).unwrap(), 0xa80425fb);
        assert_eq!(resolve(&[], &s(&["ALL"]), false).unwrap(), 0);
        assert_eq!(
            resolve(&s(&["NET_BIND_SERVICE"]), &s(&["all"]), false).unwrap(),
            0x400
        );
        assert_eq!(resolve(&s(&["sys_admin"]), &[], false).unwrap(), 0xa82425fb);
        assert_eq!(
            resolve(&s(&["CAP_SYS_ADMIN"]), &[], false).unwrap(),
            0xa82425fb
        );
        assert_eq!(
            resolve(&s(&["ALL"]), &s(&["SYS_RESOURCE"]), false).unwrap(),
            ALL & !(1 << 24)
        );
        assert_eq!(
            resolve(&[], &s(&["NET_RAW", "MKNOD"]), false).unwrap(),
            0xa80405fb & !(1 << 27)
        );
        assert_eq!(resolve(&[], &[], true).unwrap(), ALL);
        let e = resolve(&s(&["FOO"]), &[], false).unwrap_err();
        assert_eq!(e, "invalid CapAdd: unknown capability: \"CAP_FOO\"");
        assert!(resolve(&[], &s(&["cap_bar"]), false)
            .unwrap_err()
            .contains("CapDrop"));
        assert_eq!(names(0x401), vec!["CAP_CHOWN", "CAP_NET_BIND_SERVICE"]);
    }

    #[test]
    fn status_masks() {
        let s = "Name:\tx\nCapBnd:\t000001fffeffffff\n";
        assert_eq!(parse_status_mask(s, "CapBnd"), Some(0x1fffeffffff));
        // A host without CAP_SYS_RESOURCE (24) keeps the rest of docker's set.
        assert_eq!(mask(DEFAULT) & 0x1fffeffffff, mask(DEFAULT));
    }
}
