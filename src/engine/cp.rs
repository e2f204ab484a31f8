//! `cp`: files between a container and the host (or a tar stream), with
//! docker's rules for trailing slashes and existing or missing
//! destinations. The container's side runs in a child process whose root
//! is the container's (its mount namespace when it runs, an overlay of its
//! layers and upper dir when it does not): every path and every link in
//! the container resolves there, whatever the container changes meanwhile.
//! The host's side never writes through a link the copy brought: a
//! directory swapped for a link to /etc in the container mid-copy cannot
//! send files into the host's /etc.

use super::{Engine, Error, Result};
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

/// Where `cp` reads or writes on the host.
pub enum HostEnd<'a> {
    Path(PathBuf),
    /// `-`: a tar stream on stdin or stdout.
    Stream(&'a mut dyn Read),
    Sink(&'a mut dyn Write),
}

/// How the copy places what it brings.
#[derive(Clone, Copy)]
struct Place {
    /// `-a`: keep the files' owners.
    archive: bool,
    /// On the host: refuse to go through links (in the container they
    /// resolve inside its root, as docker's chrooted copy does).
    host: bool,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// `lstat` in docker's words: "lstat /x/y: not a directory".
fn lstat_err(p: &Path, e: io::Error) -> String {
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s).to_lowercase();
    format!("lstat {}: {s}", p.display())
}

/// Packs `src` as a tar on `w`: the top entry named after `src` (its
/// contents alone when `src` ends in `/.`). With `follow`, a link at
/// `src` itself is followed. Links below are kept as links.
fn pack(
    src: &str,
    follow: bool,
    w: &mut dyn Write,
    missing: impl Fn() -> String,
) -> std::result::Result<(), String> {
    let contents = src.ends_with("/.") || src == ".";
    let path = PathBuf::from(src);
    let md = fs::symlink_metadata(&path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => missing(),
        _ => lstat_err(&path, e),
    })?;
    let path = if follow && md.file_type().is_symlink() {
        fs::canonicalize(&path).map_err(|e| lstat_err(&path, e))?
    } else {
        path
    };
    let md = fs::symlink_metadata(&path).map_err(|e| lstat_err(&path, e))?;
    let name = path
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut b = tar::Builder::new(w);
    b.follow_symlinks(false);
    b.mode(tar::HeaderMode::Complete);
    if md.is_dir() {
        if contents {
            b.append_dir_all(".", &path).map_err(err)?;
        } else {
            b.append_dir_all(&name, &path).map_err(err)?;
        }
    } else {
        b.append_path_with_name(&path, &name).map_err(err)?;
    }
    b.finish().map_err(err)
}

/// Where the entries go: a directory, and the name the top entry takes.
fn decide(
    dest: &str,
    src_is_dir: bool,
    into_dir_only: bool,
    place: Place,
    shown: &str,
) -> std::result::Result<(PathBuf, Option<std::ffi::OsString>), String> {
    let path = PathBuf::from(dest);
    let md = fs::metadata(&path);
    if into_dir_only {
        return match md {
            Ok(m) if m.is_dir() => Ok((path, None)),
            _ => Err(format!("destination \"{shown}\" must be a directory")),
        };
    }
    match md {
        Ok(m) if m.is_dir() => Ok((path, None)),
        Ok(_) if src_is_dir => Err("cannot copy directory".into()),
        Ok(_) => Ok((parent_of(&path), path.file_name().map(|n| n.to_os_string()))),
        Err(_) if dest.ends_with('/') && !src_is_dir => Err("no such directory".into()),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => Err(if place.host {
            lstat_err(&path, e)
        } else {
            "extraction point is not a directory".into()
        }),
        Err(_) => {
            let parent = parent_of(&path);
            if !parent.is_dir() {
                return Err(if place.host {
                    format!(
                        "invalid output path: directory \"{}\" does not exist",
                        parent.display()
                    )
                } else {
                    format!("no such directory: {}", parent.display())
                });
            }
            Ok((parent, path.file_name().map(|n| n.to_os_string())))
        }
    }
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(x) if !x.as_os_str().is_empty() => x.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Unpacks the tar on `r` at `dest` by docker's rules. `contents`: the
/// entries go into `dest` as they are (a `/.` source, a tar from stdin).
fn place(
    r: &mut dyn Read,
    dest: &str,
    stream: bool,
    place: Place,
    shown: &str,
) -> std::result::Result<(), String> {
    let mut ar = tar::Archive::new(r);
    let mut plan: Option<(PathBuf, Option<std::ffi::OsString>)> = None;
    for e in ar.entries().map_err(err)? {
        let mut e = e.map_err(err)?;
        let path = e.path().map_err(err)?.into_owned();
        let mut parts: Vec<std::ffi::OsString> = Vec::new();
        for c in path.components() {
            match c {
                Component::Normal(p) => parts.push(p.to_os_string()),
                Component::CurDir | Component::RootDir => {}
                // A `..` in a tar from stdin is refused, as docker does.
                _ => return Err(format!("invalid path in the archive: {}", path.display())),
            }
        }
        let top_is_contents = path.components().next() == Some(Component::CurDir);
        if plan.is_none() {
            let is_dir = e.header().entry_type().is_dir();
            plan = Some(decide(dest, is_dir, stream, place, shown)?);
            if top_is_contents {
                // `/.`: the contents go into dest, made if missing.
                let d = PathBuf::from(dest);
                if !d.is_dir() {
                    fs::create_dir(&d).map_err(|e| lstat_err(&d, e))?;
                }
                plan = Some((d, None));
            }
        }
        let (dir, rename) = plan.clone().unwrap_or_default();
        if parts.is_empty() {
            continue;
        }
        if let (Some(new), false) = (&rename, top_is_contents) {
            parts[0] = new.clone();
        }
        let rel: PathBuf = parts.iter().collect();
        unpack_one(&mut e, &dir, &rel, &rename, place)?;
    }
    Ok(())
}

/// One entry at `dir/rel`. On the host no component on the way may be a
/// link (one the copy made could lead anywhere); in the container links
/// resolve inside its root.
fn unpack_one(
    e: &mut tar::Entry<'_, &mut dyn Read>,
    dir: &Path,
    rel: &Path,
    rename: &Option<std::ffi::OsString>,
    place: Place,
) -> std::result::Result<(), String> {
    let target = dir.join(rel);
    let mut at = dir.to_path_buf();
    let comps: Vec<_> = rel.components().collect();
    for c in &comps[..comps.len().saturating_sub(1)] {
        at.push(c);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() && !place.host && at.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "refusing to write through {}: not a directory",
                    at.display()
                ))
            }
            Err(_) => fs::create_dir(&at).map_err(|e| lstat_err(&at, e))?,
        }
    }
    let h = e.header().clone();
    let kind = h.entry_type();
    let existing = fs::symlink_metadata(&target).ok();
    let clear = |t: &Path| -> std::result::Result<(), String> {
        match fs::symlink_metadata(t) {
            Ok(m) if m.is_dir() => Err(format!(
                "cannot overwrite directory {} with a file",
                t.display()
            )),
            Ok(_) => fs::remove_file(t).map_err(|e| lstat_err(t, e)),
            Err(_) => Ok(()),
        }
    };
    let mode = h.mode().unwrap_or(0o644) & 0o7777;
    match kind {
        tar::EntryType::Directory => {
            if !existing.as_ref().is_some_and(|m| m.is_dir()) {
                if existing.is_some() {
                    fs::remove_file(&target).map_err(|e| lstat_err(&target, e))?;
                }
                fs::create_dir(&target).map_err(|e| lstat_err(&target, e))?;
            }
            fs::set_permissions(&target, fs::Permissions::from_mode(mode)).map_err(err)?;
        }
        tar::EntryType::Regular | tar::EntryType::Continuous => {
            clear(&target)?;
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target)
                .map_err(|e| lstat_err(&target, e))?;
            io::copy(e, &mut f).map_err(err)?;
            f.set_permissions(fs::Permissions::from_mode(mode))
                .map_err(err)?;
        }
        tar::EntryType::Symlink => {
            clear(&target)?;
            let to = e.link_name().map_err(err)?.unwrap_or_default().into_owned();
            std::os::unix::fs::symlink(&to, &target).map_err(|e| lstat_err(&target, e))?;
        }
        tar::EntryType::Link => {
            clear(&target)?;
            let to = e.link_name().map_err(err)?.unwrap_or_default().into_owned();
            let mut parts: Vec<std::ffi::OsString> = to
                .components()
                .filter_map(|c| match c {
                    Component::Normal(p) => Some(p.to_os_string()),
                    _ => None,
                })
                .collect();
            if let (Some(new), Some(first)) = (rename, parts.first_mut()) {
                *first = new.clone();
            }
            let from: PathBuf = parts.iter().collect();
            fs::hard_link(dir.join(from), &target).map_err(|e| lstat_err(&target, e))?;
        }
        tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
            clear(&target)?;
            let sflag = match kind {
                tar::EntryType::Char => nix::sys::stat::SFlag::S_IFCHR,
                tar::EntryType::Block => nix::sys::stat::SFlag::S_IFBLK,
                _ => nix::sys::stat::SFlag::S_IFIFO,
            };
            let dev = nix::sys::stat::makedev(
                h.device_major().ok().flatten().unwrap_or(0) as u64,
                h.device_minor().ok().flatten().unwrap_or(0) as u64,
            );
            nix::sys::stat::mknod(
                &target,
                sflag,
                nix::sys::stat::Mode::from_bits_truncate(mode),
                dev,
            )
            .map_err(|e| lstat_err(&target, io::Error::from(e)))?;
        }
        _ => return Ok(()),
    }
    if place.archive {
        let (u, g) = (h.uid().unwrap_or(0) as u32, h.gid().unwrap_or(0) as u32);
        std::os::unix::fs::lchown(&target, Some(u), Some(g)).map_err(err)?;
        if kind != tar::EntryType::Symlink {
            // chown clears set-id bits: the mode again.
            fs::set_permissions(&target, fs::Permissions::from_mode(mode)).map_err(err)?;
        }
    }
    if kind != tar::EntryType::Symlink {
        if let Ok(mtime) = h.mtime() {
            let t = nix::sys::time::TimeSpec::new(mtime as i64, 0);
            let _ = nix::sys::stat::utimensat(
                None,
                &target,
                &t,
                &t,
                nix::sys::stat::UtimensatFlags::NoFollowSymlink,
            );
        }
    }
    Ok(())
}

impl Engine {
    /// Runs `child` with the container's root as its root, and `parent`
    /// here, joined by a pipe (towards the child with `to_child`).
    fn in_container_root(
        &self,
        name: &str,
        to_child: bool,
        child: impl FnOnce(std::fs::File) -> std::result::Result<(), String>,
        parent: impl FnOnce(std::fs::File) -> std::result::Result<(), String>,
    ) -> Result<()> {
        let id = self.containers.resolve(name)?;
        let st = self.containers.state(&id)?;
        if st.is_running() && crate::container::state::is_alive(st.pid, st.pid_start) {
            return crate::runtime::with_container_root(st.pid, to_child, child, parent)
                .map_err(Error::from);
        }
        // Stopped: an overlay of its layers and upper dir, while it cannot
        // start (its lock is held).
        let _guard = self.containers.lock(&id)?;
        let rec = self.repair(&id)?;
        let links_dir = self.images.links_dir();
        let dir = self.containers.dir(&id);
        let mut lowers = Vec::new();
        for c in rec.layers.iter().rev() {
            lowers.push(self.images.layer_link(c)?);
        }
        if lowers.is_empty() {
            lowers.push(self.containers.ensure_init_layer(&links_dir)?);
        }
        let (upper, work) = (dir.join("upper"), dir.join("work"));
        let rw = if to_child {
            Some((upper.as_path(), work.as_path()))
        } else {
            lowers.insert(0, upper.display().to_string());
            None
        };
        crate::runtime::with_root_of(
            &links_dir,
            &lowers,
            rw,
            &self.containers.root_mount_point()?,
            to_child,
            child,
            parent,
        )
        .map_err(Error::from)
    }

    /// `cp CONTAINER:SRC DEST|-`.
    pub fn cp_out(
        &self,
        name: &str,
        src: &str,
        dest: HostEnd<'_>,
        archive: bool,
        follow: bool,
    ) -> Result<()> {
        let src = if src.starts_with('/') {
            src.to_string()
        } else {
            format!("/{src}")
        };
        let missing = {
            let (s, n) = (src.clone(), name.to_string());
            move || format!("Could not find the file {s} in container {n}")
        };
        let shown = match &dest {
            HostEnd::Path(p) => p.display().to_string(),
            _ => "-".into(),
        };
        let result = self.in_container_root(
            name,
            false,
            |mut w| pack(&src, follow, &mut w, missing),
            |mut r| match dest {
                HostEnd::Sink(out) => io::copy(&mut r, out).map(|_| ()).map_err(err),
                HostEnd::Path(p) => place(
                    &mut r,
                    &p.display().to_string(),
                    false,
                    Place {
                        archive,
                        host: true,
                    },
                    &shown,
                ),
                HostEnd::Stream(_) => Err("a stream is not a destination".into()),
            },
        );
        result.map_err(setup_to_invalid)
    }

    /// `cp SRC|- CONTAINER:DEST`.
    pub fn cp_in(
        &self,
        src: HostEnd<'_>,
        name: &str,
        dest: &str,
        archive: bool,
        follow: bool,
    ) -> Result<()> {
        let dest = if dest.starts_with('/') {
            dest.to_string()
        } else {
            format!("/{dest}")
        };
        let stream = matches!(src, HostEnd::Stream(_));
        if let HostEnd::Path(p) = &src {
            fs::symlink_metadata(p).map_err(|e| Error::Invalid(lstat_err(p, e)))?;
        }
        let shown = format!("{name}:{dest}");
        // The parent of a missing destination must be there, as docker says.
        let result = self.in_container_root(
            name,
            true,
            |mut r| {
                let d = PathBuf::from(&dest);
                let parent = parent_of(&d);
                if !stream && fs::metadata(&d).is_err() && !parent.is_dir() {
                    return Err(match fs::metadata(&parent) {
                        Ok(_) => "extraction point is not a directory".into(),
                        Err(_) => format!(
                            "Could not find the file {} in container {name}",
                            parent.display()
                        ),
                    });
                }
                place(
                    &mut r,
                    &dest,
                    stream,
                    Place {
                        archive,
                        host: false,
                    },
                    &shown,
                )
            },
            |mut w| match src {
                HostEnd::Stream(input) => io::copy(input, &mut w).map(|_| ()).map_err(err),
                HostEnd::Path(p) => pack(&p.display().to_string(), follow, &mut w, || {
                    format!("lstat {}: no such file or directory", p.display())
                }),
                HostEnd::Sink(_) => Err("a sink is not a source".into()),
            },
        );
        result.map_err(setup_to_invalid)
    }
}

/// The child's message is the user's error (docker's words), not a
/// setup failure.
fn setup_to_invalid(e: Error) -> Error {
    match e {
        Error::Runtime(crate::runtime::Error::Setup { step, detail, .. }) if step == "cp" => {
            Error::Invalid(detail)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar that brings a link and then a file under it: what a racing
    /// container could make the packer send.
    fn link_then_file(outside: &Path) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        b.append_data(&mut h, "top", io::empty()).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "top/d", outside).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o644);
        h.set_size(3);
        b.append_data(&mut h, "top/d/f", &b"bad"[..]).unwrap();
        b.into_inner().unwrap()
    }

    #[test]
    fn the_host_side_never_writes_through_a_link_the_copy_brought() {
        let base =
            std::env::temp_dir().join(format!("strata-cp-{}", crate::util::ids::random_hex(6)));
        let (dest, outside) = (base.join("dest"), base.join("outside"));
        fs::create_dir_all(&dest).unwrap();
        fs::create_dir_all(&outside).unwrap();
        let tar = link_then_file(&outside);
        let host = Place {
            archive: false,
            host: true,
        };
        let e = place(&mut &tar[..], dest.to_str().unwrap(), false, host, "x").unwrap_err();
        assert!(e.contains("refusing to write through"), "{e}");
        assert!(!outside.join("f").exists());
        // In a container's root (chrooted), links resolve inside it: there
        // the same archive does follow the link.
        let inside = Place {
            archive: false,
            host: false,
        };
        fs::remove_dir_all(dest.join("top")).unwrap();
        place(&mut &tar[..], dest.to_str().unwrap(), false, inside, "x").unwrap();
        assert!(outside.join("f").exists());
        fs::remove_dir_all(&base).unwrap();
    }
}
