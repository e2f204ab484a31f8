//! Pure planning of the container's mounts: the overlay option string and
//! the ordered list of kernel file systems, masks and read-only paths.
//! No system calls here; child.rs applies what these return.

/// The page-size limit on mount data (the kernel copies one page).
pub const MOUNT_DATA_MAX: usize = 4095;

/// The overlay mount data for `lowers` (uppermost first, relative to the
/// links dir the mount runs in), `upper` and `work`.
pub fn overlay_options(lowers: &[String], upper: &str, work: &str) -> Result<String, String> {
    if lowers.is_empty() {
        return Err("no lower layers".into());
    }
    let opts = format!(
        "lowerdir={},upperdir={upper},workdir={work},index=off,redirect_dir=off,metacopy=off",
        lowers.join(":")
    );
    if opts.len() > MOUNT_DATA_MAX {
        return Err(format!(
            "overlay options for {} layers are {} bytes, more than the kernel's {} byte limit",
            lowers.len(),
            opts.len(),
            MOUNT_DATA_MAX
        ));
    }
    Ok(opts)
}

/// The data of a read-only overlay of `lowers` (uppermost first): no upper
/// dir, so at least two lowers, as the kernel asks.
pub fn overlay_readonly_options(lowers: &[String]) -> Result<String, String> {
    if lowers.len() < 2 {
        return Err("a read-only overlay needs at least two layers".into());
    }
    let opts = format!(
        "lowerdir={},index=off,redirect_dir=off,metacopy=off",
        lowers.join(":")
    );
    if opts.len() > MOUNT_DATA_MAX {
        return Err(format!(
            "overlay options for {} layers are {} bytes, more than {}",
            lowers.len(),
            opts.len(),
            MOUNT_DATA_MAX
        ));
    }
    Ok(opts)
}

/// A kernel file system to mount inside the new root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelMount {
    pub fstype: &'static str,
    pub target: &'static str,
    pub flags: u64,
    pub data: &'static str,
}

const NOSUID: u64 = libc::MS_NOSUID;
const NODEV: u64 = libc::MS_NODEV;
const NOEXEC: u64 = libc::MS_NOEXEC;

/// /proc, /dev and friends, in mount order (docker's defaults).
pub fn kernel_mounts() -> Vec<KernelMount> {
    vec![
        KernelMount {
            fstype: "proc",
            target: "/proc",
            flags: NOSUID | NODEV | NOEXEC,
            data: "",
        },
        KernelMount {
            fstype: "tmpfs",
            target: "/dev",
            flags: NOSUID | libc::MS_STRICTATIME,
            data: "mode=755,size=65536k",
        },
        KernelMount {
            fstype: "devpts",
            target: "/dev/pts",
            flags: NOSUID | NOEXEC,
            data: "newinstance,ptmxmode=0666,mode=0620,gid=5",
        },
        KernelMount {
            fstype: "tmpfs",
            target: "/dev/shm",
            flags: NOSUID | NODEV | NOEXEC,
            data: "mode=1777,size=65536k",
        },
        KernelMount {
            fstype: "mqueue",
            target: "/dev/mqueue",
            flags: NOSUID | NODEV | NOEXEC,
            data: "",
        },
        KernelMount {
            fstype: "sysfs",
            target: "/sys",
            flags: NOSUID | NODEV | NOEXEC | libc::MS_RDONLY,
            data: "",
        },
    ]
}

/// Character devices created in the container's /dev: (name, major, minor).
pub const DEVICES: &[(&str, u32, u32)] = &[
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
];

/// Symlinks in the container's /dev: (name, target).
pub const DEV_LINKS: &[(&str, &str)] = &[
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
    ("ptmx", "pts/ptmx"),
    ("core", "/proc/kcore"),
];

/// Paths hidden from the container (docker's masked paths).
pub const MASKED: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Paths made read-only (docker's readonly paths).
pub const READONLY: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn links(n: usize, len: usize) -> Vec<String> {
        (0..n).map(|i| format!("{:0len$}", i, len = len)).collect()
    }

    #[test]
    fn overlay_options_list_lowers_top_first_and_disable_redirects() {
        let o = overlay_options(&["top".into(), "base".into()], "/u", "/w").unwrap();
        assert_eq!(
            o,
            "lowerdir=top:base,upperdir=/u,workdir=/w,index=off,redirect_dir=off,metacopy=off"
        );
    }

    #[test]
    fn overlay_options_fit_many_short_links() {
        let upper = format!("/var/lib/strata/containers/{}/upper", "a".repeat(64));
        let work = upper.replace("upper", "work");
        // 10-character links: 200 layers fit comfortably, 400 do not.
        assert!(overlay_options(&links(1, 10), &upper, &work).is_ok());
        assert!(overlay_options(&links(128, 10), &upper, &work).is_ok());
        assert!(overlay_options(&links(200, 10), &upper, &work).is_ok());
        assert!(overlay_options(&links(340, 10), &upper, &work).is_ok());
        let err = overlay_options(&links(400, 10), &upper, &work).unwrap_err();
        assert!(err.contains("400 layers"), "{err}");
        assert!(overlay_options(&[], &upper, &work).is_err());
    }

    #[test]
    fn proc_is_mounted_before_dev_and_sys_is_read_only() {
        let m = kernel_mounts();
        assert_eq!(m[0].target, "/proc");
        let dev = m.iter().position(|k| k.target == "/dev").unwrap();
        let pts = m.iter().position(|k| k.target == "/dev/pts").unwrap();
        assert!(dev < pts);
        let sys = m.iter().find(|k| k.target == "/sys").unwrap();
        assert!(sys.flags & libc::MS_RDONLY != 0);
    }
}
