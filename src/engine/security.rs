//! What a container may do: docker's `--cap-add`, `--cap-drop`,
//! `--privileged`, `--security-opt` and `--device`, checked when the
//! container is created (a bad value is one line, exit 125, and nothing
//! is made), and turned into the runtime's capabilities, seccomp filter,
//! device nodes and device policy each time it starts.

use super::{Engine, Error, Result};
use crate::container::{DeviceMapping, Security};
use crate::runtime::{self, devices, DeviceNode};
use std::path::Path;

/// The security flags of `run` and `create`, as given.
#[derive(Debug, Clone, Default)]
pub struct SecurityRequest {
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub privileged: bool,
    pub security_opt: Vec<String>,
    pub devices: Vec<String>,
}

/// Checks the flags and makes the record's part.
pub fn parse(req: &SecurityRequest) -> Result<Security> {
    let caps = runtime::resolve_caps(&req.cap_add, &req.cap_drop, req.privileged)
        .map_err(Error::Invalid)?;
    let mut sec = Security {
        cap_add: req.cap_add.clone(),
        cap_drop: req.cap_drop.clone(),
        privileged: req.privileged,
        security_opt: req.security_opt.clone(),
        ..Security::default()
    };
    for opt in &req.security_opt {
        // docker takes `key=value` and the older `key:value`.
        let (key, value) = match opt.split_once('=').or_else(|| opt.split_once(':')) {
            Some((k, v)) => (k, Some(v)),
            None => (opt.as_str(), None),
        };
        match (key, value) {
            ("no-new-privileges", None | Some("true")) => sec.no_new_privileges = true,
            ("no-new-privileges", Some("false")) => sec.no_new_privileges = false,
            ("seccomp", Some("unconfined")) => sec.seccomp_unconfined = true,
            ("seccomp", Some(path)) if !path.is_empty() => {
                let json = std::fs::read_to_string(path).map_err(|e| {
                    Error::Invalid(format!(
                        "opening seccomp profile ({path}) failed: open {path}: {}",
                        io_text(&e)
                    ))
                })?;
                let p = runtime::seccomp::parse(json.as_bytes()).map_err(Error::Invalid)?;
                runtime::seccomp::render(&p, caps, runtime::seccomp::kernel_version())
                    .map_err(Error::Invalid)?;
                sec.seccomp_profile = Some(json);
            }
            // No SELinux or AppArmor here: docker accepts these and, on
            // such a host, they change nothing.
            ("label", Some("disable")) | ("apparmor", Some("unconfined")) => {}
            _ => return Err(Error::Invalid(format!("invalid --security-opt: {opt:?}"))),
        }
    }
    for d in &req.devices {
        let m = parse_device(d)?;
        DeviceNode::from_host(Path::new(&m.path_on_host), &m.path_in_container).map_err(|e| {
            Error::Invalid(format!(
                "error gathering device information while adding custom device {:?}: {}",
                m.path_on_host,
                io_text(&e)
            ))
        })?;
        sec.devices.push(m);
    }
    Ok(sec)
}

fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    s.split(" (os error").next().unwrap_or(&s).to_lowercase()
}

/// docker's `--device` syntax: `HOST`, `HOST:CONTAINER`, `HOST:PERMS`,
/// `HOST:CONTAINER:PERMS`.
pub fn parse_device(s: &str) -> Result<DeviceMapping> {
    let parts: Vec<&str> = s.split(':').collect();
    let bad = || Error::Invalid(format!("invalid device specification: {s}"));
    let (src, dst, perms) = match parts.as_slice() {
        [src] => (*src, *src, "rwm"),
        [src, x] if devices::parse_access(x).is_some() => (*src, *src, *x),
        [src, dst] => (*src, *dst, "rwm"),
        [src, dst, p] => (*src, *dst, *p),
        _ => return Err(bad()),
    };
    if src.is_empty() || !dst.starts_with('/') {
        return Err(bad());
    }
    if devices::parse_access(perms).is_none() {
        return Err(Error::Invalid(format!("invalid device mode: {perms}")));
    }
    Ok(DeviceMapping {
        path_on_host: src.to_string(),
        path_in_container: dst.to_string(),
        cgroup_permissions: perms.to_string(),
    })
}

/// The seccomp profile (docker's JSON) a container's filter comes from.
pub(super) fn seccomp_profile(sec: &Security) -> &str {
    sec.seccomp_profile
        .as_deref()
        .unwrap_or(runtime::seccomp::DEFAULT_PROFILE)
}

/// What a container is granted: its capabilities, its seccomp filter
/// (compiled, from strata's cache), its device nodes and device policy.
pub(super) struct Granted {
    pub caps: u64,
    pub no_new_privs: bool,
    pub seccomp_bpf: Option<Vec<u8>>,
    pub devices: Vec<DeviceNode>,
    pub policy: devices::Policy,
}

impl Engine {
    /// What `sec` grants a container as it starts (`privileged_exec`:
    /// `exec --privileged`, every capability and no filter).
    pub(super) fn grant(&self, sec: &Security, privileged_exec: bool) -> Result<Granted> {
        let privileged = sec.privileged || privileged_exec;
        let caps = runtime::resolve_caps(&sec.cap_add, &sec.cap_drop, privileged)
            .map_err(Error::Invalid)?
            & runtime::caps::host_bounding();
        let seccomp_bpf = if privileged || sec.seccomp_unconfined {
            None
        } else {
            let profile = seccomp_profile(sec);
            Some(
                runtime::seccomp::cached(&self.root.join("seccomp"), profile.as_bytes(), caps)
                    .map_err(|e| Error::Runtime(runtime::Error::Invalid(e)))?,
            )
        };
        let mut granted = Granted {
            caps,
            no_new_privs: sec.no_new_privileges,
            seccomp_bpf,
            devices: Vec::new(),
            policy: devices::Policy::AllowAll,
        };
        if sec.privileged {
            granted.devices = DeviceNode::all_on_host();
            return Ok(granted);
        }
        let mut rules = devices::default_rules();
        for m in &sec.devices {
            let node = DeviceNode::from_host(Path::new(&m.path_on_host), &m.path_in_container)
                .map_err(|e| {
                    Error::Invalid(format!(
                        "error gathering device information while adding custom device {:?}: {}",
                        m.path_on_host,
                        io_text(&e)
                    ))
                })?;
            let mut r = devices::parse_access(&m.cgroup_permissions)
                .unwrap_or_else(|| devices::Rule::new(devices::Kind::All, None, None, "rwm"));
            r.kind = if node.block {
                devices::Kind::Block
            } else {
                devices::Kind::Char
            };
            r.major = Some(node.major);
            r.minor = Some(node.minor);
            rules.push(r);
            granted.devices.push(node);
        }
        granted.policy = devices::Policy::Allow(rules);
        Ok(granted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_specs_follow_docker() {
        let d = parse_device("/dev/fuse").unwrap();
        assert_eq!(
            (d.path_in_container.as_str(), d.cgroup_permissions.as_str()),
            ("/dev/fuse", "rwm")
        );
        let d = parse_device("/dev/fuse:r").unwrap();
        assert_eq!(
            (d.path_in_container.as_str(), d.cgroup_permissions.as_str()),
            ("/dev/fuse", "r")
        );
        let d = parse_device("/dev/tty1:/dev/mytty").unwrap();
        assert_eq!(d.path_in_container, "/dev/mytty");
        let d = parse_device("/dev/tty1:/dev/x:rw").unwrap();
        assert_eq!(d.cgroup_permissions, "rw");
        assert!(parse_device("/dev/tty1:rel").is_err());
        assert!(parse_device("/dev/tty1:/x:rwx").is_err());
        assert!(parse_device("a:b:c:d").is_err());
    }

    #[test]
    fn security_opts_are_checked() {
        let req = |o: &[&str]| SecurityRequest {
            security_opt: o.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        assert!(
            parse(&req(&["no-new-privileges"]))
                .unwrap()
                .no_new_privileges
        );
        assert!(
            parse(&req(&["no-new-privileges:true"]))
                .unwrap()
                .no_new_privileges
        );
        assert!(
            parse(&req(&["seccomp=unconfined"]))
                .unwrap()
                .seccomp_unconfined
        );
        assert!(parse(&req(&["bogus"])).is_err());
        let e = parse(&req(&["seccomp=/nonexistent.json"]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("opening seccomp profile (/nonexistent.json) failed"),
            "{e}"
        );
        let caps = SecurityRequest {
            cap_add: vec!["NOPE".into()],
            ..Default::default()
        };
        assert!(parse(&caps)
            .unwrap_err()
            .to_string()
            .contains("unknown capability"));
    }
}
