//! Directory -> canonical tar, hashed while it streams.
//!
//! Entries come in sorted order with fixed header fields, so the same tree
//! always gives the same bytes (and the same diff id). In overlay mode the
//! source is an overlay upper dir: a 0/0 character device becomes an OCI
//! whiteout `.wh.name`, and a directory with `trusted.overlay.opaque=y`
//! gets a `.wh..wh..opq` entry. With `copy_to`, the tree is also copied
//! (in overlay form, whiteouts and all) in the same pass: every byte is
//! read once, hashed and written together.

use super::unpack::OPAQUE_XATTR;
use super::Error;
use crate::util::hash::HashWriter;
use nix::sys::stat::{mknod, utimensat, Mode, SFlag, UtimensatFlags};
use nix::sys::time::TimeSpec;
use rustix::fs::{Mode as RMode, OFlags};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// How to pack.
#[derive(Default)]
pub struct PackOptions<'a> {
    /// The source is an overlay upper dir: convert its whiteouts.
    pub overlay: bool,
    /// Also copy the tree here (an empty, existing directory).
    pub copy_to: Option<&'a Path>,
    /// Called after each entry with the number of entries so far.
    pub on_entry: Option<&'a mut dyn FnMut(u64)>,
}

/// What a pack produced.
#[derive(Debug, Clone)]
pub struct Packed {
    /// sha256 of the tar stream (`sha256:…`).
    pub digest: String,
    /// Bytes of regular file content.
    pub size: u64,
    /// Number of entries (files, dirs, links, whiteouts).
    pub entries: u64,
    /// Length of the tar stream.
    pub tar_size: u64,
}

/// Packs `src` into a tar written to `out`.
pub fn pack<W: Write>(src: &Path, out: W, mut opts: PackOptions) -> Result<Packed, Error> {
    let hasher = HashWriter::new(out);
    let mut b = tar::Builder::new(hasher);
    b.mode(tar::HeaderMode::Complete);
    let mut st = Packer {
        links: HashMap::new(),
        size: 0,
        entries: 0,
        dir_times: Vec::new(),
    };
    // The walk goes fd by fd from the root, every name opened with
    // O_NOFOLLOW relative to its directory's fd: a container that swaps a
    // directory for a symlink mid-walk gets an error, never the host's
    // files into its layer (export, diff, commit --pause=false).
    let root = match rustix::fs::open(
        src,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        RMode::empty(),
    ) {
        Ok(fd) => Some(File::from(fd)),
        Err(rustix::io::Errno::NOENT) => None,
        Err(e) => return Err(Error::io(src, e.into())),
    };
    if let Some(root) = &root {
        st.walk(&mut b, root, src, Path::new(""), &mut opts)?;
    }
    if let Some(dst) = opts.copy_to {
        for (rel, t) in st.dir_times.iter().rev() {
            set_mtime(&dst.join(rel), *t)?;
        }
    }
    let hasher = b.into_inner().map_err(|e| Error::io(src, e))?;
    let (digest, tar_size, _) = hasher.finish();
    Ok(Packed {
        tar_size,
        digest,
        size: st.size,
        entries: st.entries,
    })
}

struct Packer {
    /// (dev, ino) of multiply-linked files already written -> their tar path.
    links: HashMap<(u64, u64), PathBuf>,
    size: u64,
    entries: u64,
    dir_times: Vec<(PathBuf, i64)>,
}

fn header(md: &fs::Metadata, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(md.mode() & 0o7777);
    h.set_uid(md.uid() as u64);
    h.set_gid(md.gid() as u64);
    h.set_mtime(md.mtime().max(0) as u64);
    h.set_size(0);
    h
}

/// xattrs worth keeping (overlay's own are not content), of an open file.
fn xattrs(f: &File) -> Vec<(String, Vec<u8>)> {
    use xattr::FileExt;
    let Ok(names) = f.list_xattr() else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = names
        .filter_map(|n| n.into_string().ok())
        .filter(|n| !n.starts_with("trusted.overlay."))
        .filter_map(|n| f.get_xattr(&n).ok().flatten().map(|v| (n, v)))
        .collect();
    out.sort();
    out
}

/// Opens `name` in the directory `dir` without following a link.
fn open_in(dir: &File, name: &OsStr, flags: OFlags) -> io::Result<File> {
    rustix::fs::openat(
        dir,
        name,
        flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        RMode::empty(),
    )
    .map(File::from)
    .map_err(io::Error::from)
}

/// The same inode as the one the walk saw a moment ago.
fn same(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

impl Packer {
    /// Packs the directory open as `dir` (at `root`/`rel`, for messages).
    fn walk<W: Write>(
        &mut self,
        b: &mut tar::Builder<W>,
        dir: &File,
        root: &Path,
        rel: &Path,
        opts: &mut PackOptions,
    ) -> Result<(), Error> {
        let here = root.join(rel);
        let mut names: Vec<std::ffi::OsString> = Vec::new();
        for e in rustix::fs::Dir::read_from(dir).map_err(|e| Error::io(&here, e.into()))? {
            let e = e.map_err(|e| Error::io(&here, e.into()))?;
            let n = e.file_name().to_bytes();
            if n != b"." && n != b".." {
                names.push(OsStr::from_bytes(n).to_os_string());
            }
        }
        names.sort();
        for name in names {
            let rel_path = rel.join(&name);
            let abs = root.join(&rel_path);
            // A file that vanishes during the walk (a commit with
            // --pause=false of a busy container) is simply not in the layer.
            let md = match open_in(dir, &name, OFlags::PATH).and_then(|f| f.metadata()) {
                Ok(md) => md,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(&abs, e)),
            };
            let ft = md.file_type();
            let dst = opts.copy_to.map(|d| d.join(&rel_path));
            if ft.is_char_device() && md.rdev() == 0 && opts.overlay {
                // An overlay whiteout: the file is deleted in this layer.
                let wh = rel.join(format!(".wh.{}", name.to_string_lossy()));
                let mut h = header(&md, tar::EntryType::Regular);
                h.set_mode(0o600);
                h.set_uid(0);
                h.set_gid(0);
                b.append_data(&mut h, &wh, io::empty())
                    .map_err(|e| Error::io(&abs, e))?;
                if let Some(d) = &dst {
                    mknod(d.as_path(), SFlag::S_IFCHR, Mode::empty(), 0)
                        .map_err(|e| Error::io(d, e.into()))?;
                }
            } else if ft.is_dir() {
                let sub = match open_in(dir, &name, OFlags::RDONLY | OFlags::DIRECTORY) {
                    Ok(f) => f,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(Error::io(&abs, e)),
                };
                if !sub.metadata().is_ok_and(|m| same(&m, &md)) {
                    return Err(Error::io(&abs, changed()));
                }
                let x = xattrs(&sub);
                append_pax(b, &x, &abs)?;
                let mut h = header(&md, tar::EntryType::Directory);
                // Directories end in `/`, as docker's and GNU tar's do.
                let mut dir_name = rel_path.clone().into_os_string();
                dir_name.push("/");
                b.append_data(&mut h, &dir_name, io::empty())
                    .map_err(|e| Error::io(&abs, e))?;
                let opaque = opts.overlay && {
                    use xattr::FileExt;
                    sub.get_xattr(OPAQUE_XATTR)
                        .ok()
                        .flatten()
                        .is_some_and(|v| v == b"y")
                };
                if opaque {
                    let mut h = header(&md, tar::EntryType::Regular);
                    h.set_mode(0o600);
                    b.append_data(&mut h, rel_path.join(".wh..wh..opq"), io::empty())
                        .map_err(|e| Error::io(&abs, e))?;
                }
                if let Some(d) = &dst {
                    fs::create_dir(d).map_err(|e| Error::io(d, e))?;
                    copy_meta(d, &md, &x, true)?;
                    if opaque {
                        xattr::set(d, OPAQUE_XATTR, b"y").map_err(|e| Error::io(d, e))?;
                    }
                    self.dir_times.push((rel_path.clone(), md.mtime()));
                }
                self.count(opts);
                self.walk(b, &sub, root, &rel_path, opts)?;
                continue;
            } else if ft.is_file() {
                let key = (md.dev(), md.ino());
                if md.nlink() > 1 {
                    if let Some(first) = self.links.get(&key) {
                        let mut h = header(&md, tar::EntryType::Link);
                        b.append_link(&mut h, &rel_path, first)
                            .map_err(|e| Error::io(&abs, e))?;
                        if let Some(d) = &dst {
                            let target = opts.copy_to.map(|c| c.join(first)).unwrap_or_default();
                            fs::hard_link(&target, d).map_err(|e| Error::io(d, e))?;
                        }
                        self.count(opts);
                        continue;
                    }
                    self.links.insert(key, rel_path.clone());
                }
                // O_NONBLOCK: a fifo swapped in must not hang the walk.
                let f = match open_in(dir, &name, OFlags::RDONLY | OFlags::NONBLOCK) {
                    Ok(f) => f,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(Error::io(&abs, e)),
                };
                let fmd = match f.metadata() {
                    Ok(m) if m.is_file() => m,
                    _ => return Err(Error::io(&abs, changed())),
                };
                // Renamed over since the walk saw it (a running container
                // committed without a pause): the file there now, opened
                // without following links, is the one archived.
                let md = if same(&fmd, &md) { md } else { fmd };
                let x = xattrs(&f);
                append_pax(b, &x, &abs)?;
                let mut h = header(&md, tar::EntryType::Regular);
                h.set_size(md.len());
                match &dst {
                    Some(d) => {
                        let out = OpenOptions::new()
                            .write(true)
                            .create_new(true)
                            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                            .mode(0o600)
                            .open(d)
                            .map_err(|e| Error::io(d, e))?;
                        let tee = Tee {
                            src: f.take(md.len()),
                            copy: out,
                        };
                        b.append_data(&mut h, &rel_path, tee)
                            .map_err(|e| Error::io(&abs, e))?;
                        copy_meta(d, &md, &x, false)?;
                    }
                    None => {
                        b.append_data(&mut h, &rel_path, f.take(md.len()))
                            .map_err(|e| Error::io(&abs, e))?;
                    }
                }
                self.size += md.len();
            } else if ft.is_symlink() {
                let target = rustix::fs::readlinkat(dir, &name, Vec::new())
                    .map(|t| PathBuf::from(OsStr::from_bytes(t.as_bytes())))
                    .map_err(|e| Error::io(&abs, e.into()))?;
                let mut h = header(&md, tar::EntryType::Symlink);
                b.append_link(&mut h, &rel_path, &target)
                    .map_err(|e| Error::io(&abs, e))?;
                if let Some(d) = &dst {
                    std::os::unix::fs::symlink(&target, d).map_err(|e| Error::io(d, e))?;
                    std::os::unix::fs::lchown(d, Some(md.uid()), Some(md.gid()))
                        .map_err(|e| Error::io(d, e))?;
                    set_mtime(d, md.mtime())?;
                }
            } else if ft.is_char_device() || ft.is_block_device() || ft.is_fifo() {
                let (kind, flag) = if ft.is_fifo() {
                    (tar::EntryType::Fifo, SFlag::S_IFIFO)
                } else if ft.is_char_device() {
                    (tar::EntryType::Char, SFlag::S_IFCHR)
                } else {
                    (tar::EntryType::Block, SFlag::S_IFBLK)
                };
                let mut h = header(&md, kind);
                if !ft.is_fifo() {
                    let rdev = md.rdev();
                    let _ = h.set_device_major(nix::sys::stat::major(rdev) as u32);
                    let _ = h.set_device_minor(nix::sys::stat::minor(rdev) as u32);
                }
                b.append_data(&mut h, &rel_path, io::empty())
                    .map_err(|e| Error::io(&abs, e))?;
                if let Some(d) = &dst {
                    mknod(
                        d.as_path(),
                        flag,
                        Mode::from_bits_truncate(md.mode()),
                        md.rdev(),
                    )
                    .map_err(|e| Error::io(d, e.into()))?;
                    copy_meta(d, &md, &[], false)?;
                }
            } else {
                // Sockets cannot be archived (docker skips them too).
                continue;
            }
            self.count(opts);
        }
        Ok(())
    }

    fn count(&mut self, opts: &mut PackOptions) {
        self.entries += 1;
        if let Some(cb) = opts.on_entry.as_mut() {
            cb(self.entries);
        }
    }
}

fn changed() -> io::Error {
    io::Error::other("it changed while it was read")
}

/// Writes a PAX header with the entry's xattrs (SCHILY.xattr.*), if any.
fn append_pax<W: Write>(
    b: &mut tar::Builder<W>,
    x: &[(String, Vec<u8>)],
    abs: &Path,
) -> Result<(), Error> {
    if x.is_empty() {
        return Ok(());
    }
    let records: Vec<(String, &[u8])> = x
        .iter()
        .map(|(k, v)| (format!("SCHILY.xattr.{k}"), v.as_slice()))
        .collect();
    b.append_pax_extensions(records.iter().map(|(k, v)| (k.as_str(), *v)))
        .map_err(|e| Error::io(abs, e))
}

fn copy_meta(
    d: &Path,
    md: &fs::Metadata,
    x: &[(String, Vec<u8>)],
    is_dir: bool,
) -> Result<(), Error> {
    std::os::unix::fs::lchown(d, Some(md.uid()), Some(md.gid())).map_err(|e| Error::io(d, e))?;
    fs::set_permissions(d, fs::Permissions::from_mode(md.mode() & 0o7777))
        .map_err(|e| Error::io(d, e))?;
    for (k, v) in x {
        xattr::set(d, k, v).map_err(|e| Error::io(d, e))?;
    }
    if !is_dir {
        set_mtime(d, md.mtime())?;
    }
    Ok(())
}

fn set_mtime(path: &Path, secs: i64) -> Result<(), Error> {
    let t = TimeSpec::new(secs, 0);
    utimensat(None, path, &t, &t, UtimensatFlags::NoFollowSymlink)
        .map_err(|e| Error::io(path, e.into()))
}

/// A reader that writes what it reads into a copy as well.
struct Tee<R, W> {
    src: R,
    copy: W,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.src.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::unpack;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "strata-pack-{tag}-{}",
            crate::util::ids::random_hex(6)
        ));
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn overlay_upper_round_trips_through_oci_whiteouts() {
        // Needs root for the 0/0 whiteout device, as overlay itself does.
        let upper = tmpdir("upper");
        fs::create_dir_all(upper.join("etc/opaque")).unwrap();
        fs::write(upper.join("etc/file"), b"data").unwrap();
        fs::hard_link(upper.join("etc/file"), upper.join("etc/link")).unwrap();
        std::os::unix::fs::symlink("file", upper.join("etc/sym")).unwrap();
        mknod(&upper.join("etc/gone"), SFlag::S_IFCHR, Mode::empty(), 0).unwrap();
        xattr::set(upper.join("etc/opaque"), OPAQUE_XATTR, b"y").unwrap();
        fs::set_permissions(upper.join("etc/file"), fs::Permissions::from_mode(0o4755)).unwrap();

        let copy = tmpdir("copy");
        let mut tar_bytes = Vec::new();
        let packed = pack(
            &upper,
            &mut tar_bytes,
            PackOptions {
                overlay: true,
                copy_to: Some(&copy),
                on_entry: None,
            },
        )
        .unwrap();
        // The tar speaks OCI: whiteout and opaque marker entries.
        let names: Vec<String> = tar::Archive::new(&tar_bytes[..])
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "etc/",
                "etc/file",
                "etc/.wh.gone",
                "etc/link",
                "etc/opaque/",
                "etc/opaque/.wh..wh..opq",
                "etc/sym"
            ]
        );
        // Unpacking it gives the overlay form back, and the same digest.
        let back = tmpdir("back");
        let unpacked = unpack(&tar_bytes[..], &back).unwrap();
        assert_eq!(unpacked.diff_id, packed.digest);
        for d in [&copy, &back] {
            assert!(fs::symlink_metadata(d.join("etc/gone"))
                .unwrap()
                .file_type()
                .is_char_device());
            assert_eq!(
                xattr::get(d.join("etc/opaque"), OPAQUE_XATTR)
                    .unwrap()
                    .as_deref(),
                Some(&b"y"[..])
            );
            assert_eq!(
                fs::metadata(d.join("etc/file")).unwrap().mode() & 0o7777,
                0o4755
            );
            assert_eq!(
                fs::metadata(d.join("etc/file")).unwrap().ino(),
                fs::metadata(d.join("etc/link")).unwrap().ino()
            );
            assert_eq!(fs::read_link(d.join("etc/sym")).unwrap(), Path::new("file"));
        }
        // Packing the copy gives the same bytes: the form is canonical.
        let again = pack(
            &copy,
            io::sink(),
            PackOptions {
                overlay: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(again.digest, packed.digest);
        for d in [upper, copy, back] {
            fs::remove_dir_all(d).unwrap();
        }
    }
}
