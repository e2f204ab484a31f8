//! Resolves docker's `-u user[:group]` against a container's /etc/passwd
//! and /etc/group. Pure: the caller hands in the files' contents.

/// The resolved identity of the container's process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
    pub home: String,
}

struct Passwd<'a> {
    name: &'a str,
    uid: u32,
    gid: u32,
    home: &'a str,
}

fn passwd_entries(passwd: &str) -> impl Iterator<Item = Passwd<'_>> {
    passwd.lines().filter_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() < 7 || l.starts_with('#') {
            return None;
        }
        Some(Passwd {
            name: f[0],
            uid: f[2].parse().ok()?,
            gid: f[3].parse().ok()?,
            home: f[5],
        })
    })
}

fn group_entries(group: &str) -> impl Iterator<Item = (&str, u32, Vec<&str>)> {
    group.lines().filter_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() < 4 || l.starts_with('#') {
            return None;
        }
        let members = f[3].split(',').filter(|m| !m.is_empty()).collect();
        Some((f[0], f[2].parse().ok()?, members))
    })
}

/// Resolves `spec` ("", "name", "uid", "name:group", "uid:gid").
pub fn resolve(spec: &str, passwd: &str, group: &str) -> Result<ExecUser, String> {
    let (u, g) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let u = if u.is_empty() { "0" } else { u };
    let found =
        passwd_entries(passwd).find(|p| p.name == u || u.parse::<u32>().ok() == Some(p.uid));
    let (uid, mut gid, home, name) = match (&found, u.parse::<u32>()) {
        (Some(p), _) => (p.uid, p.gid, p.home.to_string(), Some(p.name.to_string())),
        (None, Ok(n)) => (n, 0, "/".to_string(), None),
        (None, Err(_)) => {
            return Err(format!(
                "unable to find user {u}: no matching entries in passwd file"
            ))
        }
    };
    if let Some(g) = g {
        gid = match group_entries(group)
            .find(|(n, id, _)| *n == g || g.parse::<u32>().ok() == Some(*id))
        {
            Some((_, id, _)) => id,
            None => g.parse().map_err(|_| {
                format!("unable to find group {g}: no matching entries in group file")
            })?,
        };
    }
    let mut groups = vec![];
    if g.is_none() {
        if let Some(name) = &name {
            groups = group_entries(group)
                .filter(|(_, _, m)| m.iter().any(|x| x == name))
                .map(|(_, id, _)| id)
                .collect();
        }
    }
    if !groups.contains(&gid) {
        groups.insert(0, gid);
    }
    Ok(ExecUser {
        uid,
        gid,
        groups,
        home,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str =
        "root:x:0:0:root:/root:/bin/sh\nredis:x:100:101:redis:/var/lib/redis:/bin/false\n";
    const GROUP: &str = "root:x:0:\nredis:x:101:\nwheel:x:10:redis,other\n";

    #[test]
    fn names_and_numbers() {
        let r = resolve("", PASSWD, GROUP).unwrap();
        assert_eq!((r.uid, r.gid, r.home.as_str()), (0, 0, "/root"));
        let r = resolve("redis", PASSWD, GROUP).unwrap();
        assert_eq!((r.uid, r.gid), (100, 101));
        assert_eq!(r.groups, vec![101, 10]);
        assert_eq!(r.home, "/var/lib/redis");
        let r = resolve("100", PASSWD, GROUP).unwrap();
        assert_eq!(r.uid, 100);
        let r = resolve("1234", PASSWD, GROUP).unwrap();
        assert_eq!((r.uid, r.gid, r.home.as_str()), (1234, 0, "/"));
        let r = resolve("redis:wheel", PASSWD, GROUP).unwrap();
        assert_eq!((r.uid, r.gid), (100, 10));
        let r = resolve("5:7", PASSWD, GROUP).unwrap();
        assert_eq!((r.uid, r.gid), (5, 7));
    }

    #[test]
    fn unknown_names_are_errors() {
        assert!(resolve("nobody", PASSWD, GROUP)
            .unwrap_err()
            .contains("unable to find user nobody"));
        assert!(resolve("redis:nogroup", PASSWD, GROUP).is_err());
    }
}
