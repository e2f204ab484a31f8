//! Per-process limits and kernel knobs a container gets, as docker's flags
//! spell them: `--ulimit NAME=SOFT[:HARD]`, `--sysctl` (the namespaced
//! ones only), `--shm-size`, `--tmpfs PATH[:OPTS]`. Parsing is pure and
//! tested; child.rs applies them.

/// One rlimit: the resource (libc's RLIMIT_*), soft and hard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    pub resource: i32,
    pub soft: u64,
    pub hard: u64,
}

/// What child.rs applies to a container's process and root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessLimits {
    /// `--ulimit`s, each clamped to the hard limit this process has.
    pub rlimits: Vec<Rlimit>,
    /// `--read-only`: the root file system is mounted read-only.
    pub readonly_root: bool,
    /// `--tmpfs`: (path, mount flags, data).
    pub tmpfs: Vec<(String, u64, String)>,
    /// `--shm-size` in bytes (default 64 MiB).
    pub shm_size: Option<u64>,
    /// `--sysctl`s (the namespaced ones), written before /proc/sys goes
    /// read-only.
    pub sysctls: Vec<(String, String)>,
    /// `--oom-score-adj`.
    pub oom_score_adj: Option<i32>,
}

/// docker's ulimit names.
const ULIMITS: &[(&str, i32)] = &[
    ("as", libc::RLIMIT_AS as i32),
    ("core", libc::RLIMIT_CORE as i32),
    ("cpu", libc::RLIMIT_CPU as i32),
    ("data", libc::RLIMIT_DATA as i32),
    ("fsize", libc::RLIMIT_FSIZE as i32),
    ("locks", libc::RLIMIT_LOCKS as i32),
    ("memlock", libc::RLIMIT_MEMLOCK as i32),
    ("msgqueue", libc::RLIMIT_MSGQUEUE as i32),
    ("nice", libc::RLIMIT_NICE as i32),
    ("nofile", libc::RLIMIT_NOFILE as i32),
    ("nproc", libc::RLIMIT_NPROC as i32),
    ("rss", libc::RLIMIT_RSS as i32),
    ("rtprio", libc::RLIMIT_RTPRIO as i32),
    ("rttime", libc::RLIMIT_RTTIME as i32),
    ("sigpending", libc::RLIMIT_SIGPENDING as i32),
    ("stack", libc::RLIMIT_STACK as i32),
];

/// The name of an rlimit resource (for `inspect`).
pub fn ulimit_name(resource: i32) -> &'static str {
    ULIMITS
        .iter()
        .find(|(_, r)| *r == resource)
        .map_or("?", |(n, _)| n)
}

/// `--ulimit nofile=256:512` (docker's syntax and errors).
pub fn parse_ulimit(s: &str) -> Result<Rlimit, String> {
    let (name, vals) = s
        .split_once('=')
        .ok_or_else(|| format!("invalid ulimit argument: {s}"))?;
    let resource = ULIMITS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, r)| *r)
        .ok_or_else(|| format!("invalid ulimit type: {name}"))?;
    let num = |v: &str| -> Result<u64, String> {
        match v {
            "-1" | "unlimited" => Ok(u64::MAX),
            v => v
                .parse::<u64>()
                .map_err(|_| format!("invalid ulimit argument: {s}")),
        }
    };
    let (soft, hard) = match vals.split_once(':') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => (num(vals)?, num(vals)?),
    };
    if soft > hard {
        return Err(format!(
            "ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"
        ));
    }
    Ok(Rlimit {
        resource,
        soft,
        hard,
    })
}

/// `--sysctl KEY=VALUE`: only what the container's own namespaces hold
/// (docker's list); `net.*` only with a network namespace of its own.
pub fn parse_sysctl(s: &str, own_network: bool) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("sysctl '{s}' is not allowed: it needs KEY=VALUE"))?;
    let ipc = [
        "kernel.msgmax",
        "kernel.msgmnb",
        "kernel.msgmni",
        "kernel.sem",
        "kernel.shmall",
        "kernel.shmmax",
        "kernel.shmmni",
        "kernel.shm_rmid_forced",
    ];
    if ipc.contains(&k) || k.starts_with("fs.mqueue.") {
        return Ok((k.into(), v.into()));
    }
    if k.starts_with("net.") {
        if !own_network {
            return Err(format!(
                "sysctl \"{k}\" not allowed in host network namespace"
            ));
        }
        return Ok((k.into(), v.into()));
    }
    Err(format!("sysctl '{k}' is not whitelisted"))
}

/// docker's sizes (`64m`, `1g`, `512k`, `100b`, plain bytes).
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let t = t
        .strip_suffix('b')
        .filter(|x| !x.is_empty() && x.chars().last().is_some_and(|c| c.is_ascii_alphabetic()))
        .map(str::to_string)
        .unwrap_or(t.clone());
    let (num, mult) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 1u64 << 10),
        'm' => (&t[..t.len() - 1], 1 << 20),
        'g' => (&t[..t.len() - 1], 1 << 30),
        't' => (&t[..t.len() - 1], 1 << 40),
        'b' => (&t[..t.len() - 1], 1),
        _ => (t.as_str(), 1),
    };
    let n: f64 = num.parse().ok()?;
    if n < 0.0 {
        return None;
    }
    Some((n * mult as f64) as u64)
}

/// `--tmpfs PATH[:OPTS]`: the path and the mount data, with docker's
/// defaults (nosuid, nodev, noexec unless the options say otherwise).
pub fn parse_tmpfs(path: &str, opts: &str) -> Result<(String, u64, String), String> {
    if !path.starts_with('/') {
        return Err(format!(
            "invalid mount path for --tmpfs: {path}: it must be absolute"
        ));
    }
    let mut flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    let mut data = Vec::new();
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        match o {
            "exec" => flags &= !libc::MS_NOEXEC,
            "noexec" => flags |= libc::MS_NOEXEC,
            "suid" => flags &= !libc::MS_NOSUID,
            "nosuid" => flags |= libc::MS_NOSUID,
            "dev" => flags &= !libc::MS_NODEV,
            "nodev" => flags |= libc::MS_NODEV,
            "ro" => flags |= libc::MS_RDONLY,
            "rw" => flags &= !libc::MS_RDONLY,
            o if o.starts_with("size=")
                || o.starts_with("mode=")
                || o.starts_with("uid=")
                || o.starts_with("gid=")
                || o.starts_with("nr_inodes=") =>
            {
                data.push(o.to_string())
            }
            o => return Err(format!("invalid tmpfs option {o:?}")),
        }
    }
    Ok((path.to_string(), flags, data.join(",")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_s_syntax() {
        let r = parse_ulimit("nofile=256:512").unwrap();
        assert_eq!(
            (r.resource, r.soft, r.hard),
            (libc::RLIMIT_NOFILE as i32, 256, 512)
        );
        assert_eq!(parse_ulimit("core=-1").unwrap().soft, u64::MAX);
        assert!(parse_ulimit("bogus=1")
            .unwrap_err()
            .contains("invalid ulimit type: bogus"));
        assert!(parse_ulimit("nofile=x").is_err());
        assert!(parse_ulimit("nofile=10:5").is_err());
        assert!(parse_sysctl("kernel.shmmax=1", true).is_ok());
        assert!(parse_sysctl("net.ipv4.ip_forward=1", true).is_ok());
        assert!(parse_sysctl("net.ipv4.ip_forward=1", false)
            .unwrap_err()
            .contains("host network namespace"));
        assert!(parse_sysctl("kernel.hostname=x", true)
            .unwrap_err()
            .contains("not whitelisted"));
        assert!(parse_sysctl("fs.mqueue.msg_max=20", true).is_ok());
        assert_eq!(parse_size("64m"), Some(64 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("2mb"), Some(2 << 20));
        assert_eq!(parse_size("x"), None);
        let (p, f, d) = parse_tmpfs("/run", "rw,size=1m,exec").unwrap();
        assert_eq!((p.as_str(), d.as_str()), ("/run", "size=1m"));
        assert_eq!(f & libc::MS_NOEXEC, 0);
        assert!(parse_tmpfs("run", "").is_err());
    }
}
