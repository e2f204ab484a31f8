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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mask_is_docker_s() {
        assert_eq!(mask(DEFAULT), 0xa80425fb);
    }

    #[test]
    fn status_masks() {
        let s = "Name:\tx\nCapBnd:\t000001fffeffffff\n";
        assert_eq!(parse_status_mask(s, "CapBnd"), Some(0x1fffeffffff));
        // A host without CAP_SYS_RESOURCE (24) keeps the rest of docker's set.
        assert_eq!(mask(DEFAULT) & 0x1fffeffffff, mask(DEFAULT));
    }
}
