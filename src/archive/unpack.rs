//! Safe extraction of a layer tar into a directory.
//!
//! Safety rules (containers/storage and runc advisories teach them):
//! - `..` anywhere in a path is refused, absolute paths are made relative;
//! - no write ever goes through a symlink: every parent of an entry must be
//!   a real directory inside the destination (checked without following
//!   links), and files are created with O_NOFOLLOW|O_EXCL;
//! - hard link targets obey the same rules.
//!
//! OCI whiteouts become overlay whiteouts: `.wh.name` is a 0/0 character
//! device `name`, `.wh..wh..opq` sets `trusted.overlay.opaque=y` on its
//! directory. The uncompressed stream is hashed as it is read (the diff id).

use super::Error;
use crate::util::hash::HashReader;
use nix::sys::stat::{mknod, utimensat, Mode, SFlag, UtimensatFlags};
use nix::sys::time::TimeSpec;
use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";
pub(crate) const OPAQUE_XATTR: &str = "trusted.overlay.opaque";

/// What an unpack produced.
#[derive(Debug, Clone)]
pub struct Unpacked {
    /// sha256 of the uncompressed tar stream (`sha256:…`).
    pub diff_id: String,
    /// Bytes of regular file content written.
    pub size: u64,
    /// Length of the uncompressed tar stream.
    pub tar_size: u64,
}

/// Unpacks the uncompressed tar stream `input` into `dest` (which exists).
pub fn unpack<R: Read>(input: R, dest: &Path) -> Result<Unpacked, Error> {
    unpack_with(input, dest, false)
}

/// Unpacks into the root of a chroot (COPY into an image): there, a
/// symlinked parent directory (`/lib -> usr/lib`) is followed, as docker
/// does, since no link can lead out of the root.
pub fn unpack_in_root<R: Read>(input: R) -> Result<Unpacked, Error> {
    unpack_with(input, Path::new("/"), true)
}

fn unpack_with<R: Read>(input: R, dest: &Path, follow_dir_links: bool) -> Result<Unpacked, Error> {
    let mut hashed = HashReader::new(input);
    let mut size = 0u64;
    {
        let mut ar = tar::Archive::new(&mut hashed);
        let mut state = State {
            dest,
            good_dirs: HashSet::new(),
            dir_times: Vec::new(),
            follow_dir_links,
        };
        let entries = ar.entries().map_err(|e| Error::NotTar(e.to_string()))?;
        let mut first = true;
        for entry in entries {
            let mut entry = entry.map_err(|e| {
                if first {
                    // The reader's message may quote the bad bytes: keep it out.
                    Error::NotTar("not a tar archive".into())
                } else {
                    Error::Io { path: None, err: e }
                }
            })?;
            first = false;
            size += state.entry(&mut entry)?;
        }
        state.finish()?;
    }
    // Hash the trailing padding the tar reader does not consume.
    io::copy(&mut hashed, &mut io::sink())?;
    let (diff_id, n) = hashed.finish();
    if n < 512 {
        return Err(Error::NotTar(
            "the input is shorter than one tar block".into(),
        ));
    }
    Ok(Unpacked {
        diff_id,
        size,
        tar_size: n,
    })
}

struct State<'a> {
    dest: &'a Path,
    /// Relative dirs known to be real directories (not links) in `dest`.
    good_dirs: HashSet<PathBuf>,
    /// Directory mtimes to apply at the end, when nothing more is added.
    dir_times: Vec<(PathBuf, i64)>,
    /// Follow symlinks to directories on the way (only inside a chroot).
    follow_dir_links: bool,
}

/// A tar path made relative and free of `.`; `None` for the root itself.
pub(crate) fn clean_path(raw: &Path) -> Result<Option<PathBuf>, Error> {
    let mut out = PathBuf::new();
    for c in raw.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => return Err(Error::Escape(raw.display().to_string())),
        }
    }
    Ok(if out.as_os_str().is_empty() {
        None
    } else {
        Some(out)
    })
}

impl State<'_> {
    /// Makes sure every parent of `rel` is a real directory; creates the
    /// missing ones (tars may omit them).
    fn ensure_parents(&mut self, rel: &Path) -> Result<(), Error> {
        let Some(parent) = rel.parent() else {
            return Ok(());
        };
        if parent.as_os_str().is_empty() || self.good_dirs.contains(parent) {
            return Ok(());
        }
        let mut cur = PathBuf::new();
        for c in parent.components() {
            cur.push(c);
            if self.good_dirs.contains(&cur) {
                continue;
            }
            let abs = self.dest.join(&cur);
            match fs::symlink_metadata(&abs) {
                Ok(md) if md.is_dir() => {}
                Ok(md) if md.file_type().is_symlink() && self.follow_dir_links && abs.is_dir() => {}
                Ok(_) => return Err(Error::Escape(rel.display().to_string())),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    fs::create_dir(&abs).map_err(|e| Error::io(&abs, e))?;
                }
                Err(e) => return Err(Error::io(&abs, e)),
            }
            self.good_dirs.insert(cur.clone());
        }
        Ok(())
    }

    /// Removes whatever is at `abs` so that a new entry can take its place.
    fn clear(&mut self, rel: &Path, abs: &Path, keep_dir: bool) -> Result<(), Error> {
        match fs::symlink_metadata(abs) {
            Ok(md)
                if keep_dir
                    && self.follow_dir_links
                    && md.file_type().is_symlink()
                    && abs.is_dir() =>
            {
                Ok(())
            }
            Ok(md) if md.is_dir() => {
                if keep_dir {
                    return Ok(());
                }
                self.good_dirs.retain(|d| !d.starts_with(rel));
                fs::remove_dir_all(abs).map_err(|e| Error::io(abs, e))
            }
            Ok(_) => fs::remove_file(abs).map_err(|e| Error::io(abs, e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(abs, e)),
        }
    }

    /// Unpacks one entry; returns the bytes of file content written.
    fn entry<R: Read>(&mut self, entry: &mut tar::Entry<R>) -> Result<u64, Error> {
        let raw = entry
            .path()
            .map_err(|e| Error::NotTar(e.to_string()))?
            .into_owned();
        let Some(rel) = clean_path(&raw)? else {
            return Ok(0);
        };
        self.ensure_parents(&rel)?;
        let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");

        // OCI whiteouts -> overlay whiteouts.
        if name == OPAQUE_MARKER {
            let dir = self.dest.join(rel.parent().unwrap_or(Path::new("")));
            xattr::set(&dir, OPAQUE_XATTR, b"y").map_err(|e| Error::io(&dir, e))?;
            return Ok(0);
        }
        if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
            // `.wh..` would whiteout the parent, `.wh.` the dir itself.
            if hidden.is_empty() || hidden == "." || hidden == ".." || hidden.contains('/') {
                return Err(Error::Escape(format!("invalid whiteout {}", rel.display())));
            }
            let target_rel = rel.with_file_name(hidden);
            let abs = self.dest.join(&target_rel);
            self.clear(&target_rel, &abs, false)?;
            mknod(&abs, SFlag::S_IFCHR, Mode::empty(), 0).map_err(|e| Error::io(&abs, e.into()))?;
            return Ok(0);
        }

        let abs = self.dest.join(&rel);
        let header = entry.header();
        let kind = header.entry_type();
        let mode = header.mode().unwrap_or(0o644) & 0o7777;
        let uid = header.uid().unwrap_or(0) as u32;
        let gid = header.gid().unwrap_or(0) as u32;
        let mtime = header.mtime().unwrap_or(0) as i64;
        let mut written = 0u64;
        match kind {
            tar::EntryType::Directory => {
                self.clear(&rel, &abs, true)?;
                if self.follow_dir_links
                    && fs::symlink_metadata(&abs).is_ok_and(|m| m.file_type().is_symlink())
                {
                    // An existing link to a directory stays as it is.
                    self.good_dirs.insert(rel.clone());
                    return Ok(0);
                }
                if !abs.is_dir() {
                    fs::create_dir(&abs).map_err(|e| Error::io(&abs, e))?;
                }
                self.good_dirs.insert(rel.clone());
                self.dir_times.push((abs.clone(), mtime));
            }
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                self.clear(&rel, &abs, false)?;
                let mut f = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                    .mode(0o600)
                    .open(&abs)
                    .map_err(|e| Error::io(&abs, e))?;
                written = io::copy(entry, &mut f).map_err(|e| Error::io(&abs, e))?;
            }
            tar::EntryType::Symlink => {
                self.clear(&rel, &abs, false)?;
                let target = entry
                    .link_name()
                    .map_err(|e| Error::NotTar(e.to_string()))?
                    .ok_or_else(|| {
                        Error::NotTar(format!("symlink {} without target", rel.display()))
                    })?;
                std::os::unix::fs::symlink(&target, &abs).map_err(|e| Error::io(&abs, e))?;
            }
            tar::EntryType::Link => {
                let target = entry
                    .link_name()
                    .map_err(|e| Error::NotTar(e.to_string()))?
                    .ok_or_else(|| {
                        Error::NotTar(format!("hard link {} without target", rel.display()))
                    })?;
                let Some(target_rel) = clean_path(&target)? else {
                    return Err(Error::Escape(target.display().to_string()));
                };
                self.ensure_parents(&target_rel)?;
                let target_abs = self.dest.join(&target_rel);
                match fs::symlink_metadata(&target_abs) {
                    Ok(md) if !md.is_dir() => {}
                    _ => return Err(Error::Escape(target.display().to_string())),
                }
                if target_abs != abs {
                    self.clear(&rel, &abs, false)?;
                    fs::hard_link(&target_abs, &abs).map_err(|e| Error::io(&abs, e))?;
                }
                return Ok(0);
            }
            tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                self.clear(&rel, &abs, false)?;
                let (flag, dev) = match kind {
                    tar::EntryType::Fifo => (SFlag::S_IFIFO, 0),
                    k => {
                        let major = header.device_major().ok().flatten().unwrap_or(0) as u64;
                        let minor = header.device_minor().ok().flatten().unwrap_or(0) as u64;
                        let f = if k == tar::EntryType::Char {
                            SFlag::S_IFCHR
                        } else {
                            SFlag::S_IFBLK
                        };
                        (f, nix::sys::stat::makedev(major, minor))
                    }
                };
                mknod(&abs, flag, Mode::from_bits_truncate(mode), dev)
                    .map_err(|e| Error::io(&abs, e.into()))?;
            }
            // pax/GNU headers are consumed by the tar reader; anything else is skipped.
            _ => return Ok(0),
        }

        // Ownership, then mode (chown clears setuid bits), xattrs, mtime.
        std::os::unix::fs::lchown(&abs, Some(uid), Some(gid)).map_err(|e| Error::io(&abs, e))?;
        if kind != tar::EntryType::Symlink {
            fs::set_permissions(&abs, fs::Permissions::from_mode(mode))
                .map_err(|e| Error::io(&abs, e))?;
        }
        if let Ok(Some(exts)) = entry.pax_extensions() {
            for ext in exts.flatten() {
                if let Some(name) = ext.key().ok().and_then(|k| k.strip_prefix("SCHILY.xattr.")) {
                    // overlayfs' own attributes (opaque, redirect, origin)
                    // come from whiteouts only, never from a layer's data.
                    if name.starts_with("trusted.overlay.") {
                        continue;
                    }
                    xattr::set(&abs, name, ext.value_bytes()).map_err(|e| Error::io(&abs, e))?;
                }
            }
        }
        if kind != tar::EntryType::Directory {
            set_mtime(&abs, mtime)?;
        }
        Ok(written)
    }

    /// Applies directory mtimes, deepest first, once nothing more is written.
    fn finish(&mut self) -> Result<(), Error> {
        for (path, mtime) in self.dir_times.iter().rev() {
            set_mtime(path, *mtime)?;
        }
        Ok(())
    }
}

fn set_mtime(path: &Path, secs: i64) -> Result<(), Error> {
    let t = TimeSpec::new(secs, 0);
    utimensat(None, path, &t, &t, UtimensatFlags::NoFollowSymlink)
        .map_err(|e| Error::io(path, e.into()))
}

/// `unpack`, with the reading of `input` (a download, its decompression,
/// its digest) on this thread and the writing of files on another: the
/// two overlap on two cores. A read error wins over the unpacker's.
pub fn unpack_pipelined<R: Read>(mut input: R, dest: &Path) -> Result<Unpacked, Error> {
    const CHUNK: usize = 1 << 20;
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
        let worker = s.spawn(move || {
            unpack(
                ChannelReader {
                    rx,
                    buf: Vec::new(),
                    pos: 0,
                },
                dest,
            )
        });
        let mut read_err = None;
        loop {
            let mut buf = vec![0u8; CHUNK];
            let mut n = 0;
            while n < CHUNK {
                match input.read(&mut buf[n..]) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        read_err = Some(e);
                        break;
                    }
                }
            }
            if n == 0 || read_err.is_some() {
                break;
            }
            buf.truncate(n);
            if tx.send(buf).is_err() {
                break; // the unpacker stopped: its error says why
            }
        }
        drop(tx);
        let result = worker
            .join()
            .unwrap_or_else(|_| Err(Error::NotTar("the unpacker failed".into())));
        match read_err {
            Some(e) => Err(Error::Io { path: None, err: e }),
            None => result,
        }
    })
}

/// Reads the chunks a channel brings.
struct ChannelReader {
    rx: std::sync::mpsc::Receiver<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.buf.len() {
            match self.rx.recv() {
                Ok(b) => {
                    self.buf = b;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_paths() {
        assert_eq!(
            clean_path(Path::new("./a/b")).unwrap(),
            Some(PathBuf::from("a/b"))
        );
        assert_eq!(
            clean_path(Path::new("/etc/passwd")).unwrap(),
            Some(PathBuf::from("etc/passwd"))
        );
        assert_eq!(clean_path(Path::new("./")).unwrap(), None);
        assert!(clean_path(Path::new("a/../../b")).is_err());
        assert!(clean_path(Path::new("../x")).is_err());
    }

    type Xattrs<'a> = &'a [(&'a str, &'a [u8])];

    fn tar_with(entries: &[(&str, Xattrs)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, xattrs) in entries {
            if !xattrs.is_empty() {
                let pax: Vec<(String, &[u8])> = xattrs
                    .iter()
                    .map(|(k, v)| (format!("SCHILY.xattr.{k}"), *v))
                    .collect();
                b.append_pax_extensions(pax.iter().map(|(k, v)| (k.as_str(), *v)))
                    .unwrap();
            }
            let mut h = tar::Header::new_ustar();
            h.set_size(0);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, name, std::io::empty()).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn whiteouts_never_name_the_parent_or_the_dir_itself() {
        for bad in ["x/.wh...", "x/.wh..", ".wh.."] {
            let dir = std::env::temp_dir().join(format!("strata-wh-{}", std::process::id()));
            fs::create_dir_all(dir.join("x")).unwrap();
            fs::write(dir.join("keep"), b"k").unwrap();
            let r = unpack(&tar_with(&[(bad, &[])])[..], &dir);
            assert!(matches!(r, Err(Error::Escape(_))), "{bad}: {r:?}");
            assert!(
                dir.join("keep").exists() && dir.join("x").is_dir(),
                "{bad} removed something"
            );
            fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn overlay_xattrs_from_a_layer_are_dropped() {
        let dir = std::env::temp_dir().join(format!("strata-xa-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let t = tar_with(&[(
            "f",
            &[("trusted.overlay.redirect", b"/etc"), ("user.keep", b"1")],
        )]);
        unpack(&t[..], &dir).unwrap();
        assert!(xattr::get(dir.join("f"), "trusted.overlay.redirect")
            .unwrap()
            .is_none());
        // user.* needs a file system that has it; where it does, it stays.
        if let Ok(v) = xattr::get(dir.join("f"), "user.keep") {
            assert!(v.is_none() || v.as_deref() == Some(&b"1"[..]));
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
