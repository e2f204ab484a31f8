//! File-system primitives with the crash-safety the stores need.
//!
//! Every metadata write goes through [`write_atomic`]: a temp file in the
//! same directory, fsync, rename over the target, fsync of the directory.
//! A crash at any instant leaves either the old or the new file, never half.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Writes `data` to `path` atomically and durably (temp file + fsync +
/// rename + directory fsync): for the image store, whose content must
/// survive a power loss.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    write_renamed(path, data, true)
}

/// Writes `data` to `path` atomically, its content durable (temp file +
/// fsync + rename), its name not yet: for several files of one directory
/// made durable together by one [`sync_dir`] after the last.
pub fn write_synced(path: &Path, data: &[u8]) -> io::Result<()> {
    write_renamed_with(path, data, true, false)
}

/// Writes `data` to `path` atomically (temp file + rename) without fsync:
/// a killed process leaves the old or the new file, never half of one.
/// For container records and states, rewritten on every start and stop.
pub fn replace(path: &Path, data: &[u8]) -> io::Result<()> {
    write_renamed(path, data, false)
}

/// Writes a new file, root's alone, in place: for a file in a directory
/// that is not in view yet (a container's, before its rename), where the
/// directory's rename is what makes it appear whole.
pub fn write_new_private(path: &Path, data: &[u8]) -> io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_CLOEXEC)
        .open(path)?
        .write_all(data)
}

fn write_renamed(path: &Path, data: &[u8], durable: bool) -> io::Result<()> {
    write_renamed_with(path, data, durable, durable)
}

fn write_renamed_with(
    path: &Path,
    data: &[u8],
    sync_file: bool,
    sync_name: bool,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{}.tmp-{}", name, super::ids::random_hex(6)));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            // Records hold `-e` values and credentials: root's alone.
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC)
            .open(&tmp)?;
        f.write_all(data)?;
        if sync_file {
            f.sync_all()?;
        }
        fs::rename(&tmp, path)?;
        if sync_name {
            sync_dir(dir)?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Rewrites a file that is bind-mounted somewhere (a container's
/// /etc/hosts), so it cannot be renamed over: unchanged content is left
/// alone, and new content is written over the old from offset 0 in one
/// write before the tail is cut, so a reader never sees an empty file (as
/// truncate-then-write would show it).
pub fn rewrite_in_place(path: &Path, data: &[u8]) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_CLOEXEC)
        .open(path)?;
    let old = fs::read(path)?;
    if old == data {
        return Ok(());
    }
    f.write_all_at(data, 0)?;
    if (data.len() as u64) < old.len() as u64 {
        f.set_len(data.len() as u64)?;
    }
    Ok(())
}

/// Makes `dir` (and its parents) if missing and gives it `mode`: the
/// store's own directories are root's alone (0700, the root 0711 as
/// docker's), so no host user can reach a setuid file or a device node in
/// a layer or an upper dir, or read a record.
pub fn private_dir(dir: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    match fs::metadata(dir) {
        Ok(md) if md.is_dir() => {
            if md.permissions().mode() & 0o7777 != mode {
                fs::set_permissions(dir, fs::Permissions::from_mode(mode))?;
            }
            Ok(())
        }
        _ => {
            fs::create_dir_all(dir)?;
            fs::set_permissions(dir, fs::Permissions::from_mode(mode))
        }
    }
}

/// fsyncs a directory so that a rename inside it is durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Removes a directory tree; a missing tree is not an error.
pub fn remove_tree(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        r => r,
    }
}

/// Removes a file or symlink; a missing one is not an error.
pub fn remove_file(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        r => r,
    }
}

/// Reads a file, mapping "not found" to `None`.
pub fn read_opt(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// A small file's bytes: `fs::read` without its stat for a size hint
/// (open, read until 0, close), for the records and configs a listing
/// reads by the hundred.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_CLOEXEC)
        .open(path)?;
    let mut out = Vec::with_capacity(4096);
    // Through `Take`, read_to_end has no size hint to stat for.
    f.take(u64::MAX).read_to_end(&mut out)?;
    Ok(out)
}

/// [`read`] of `rel` under an open directory: a listing that reads a
/// file of every container opens their directory once, and each file's
/// path is walked from there, not from `/`.
pub fn read_at(dir: &File, rel: &str) -> io::Result<Vec<u8>> {
    use rustix::fs::{Mode, OFlags};
    use std::io::Read;
    let fd = rustix::fs::openat(dir, rel, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
    let mut out = Vec::with_capacity(4096);
    File::from(fd).take(u64::MAX).read_to_end(&mut out)?;
    Ok(out)
}

/// [`read_at`], mapping "not found" to `None`.
pub fn read_opt_at(dir: &File, rel: &str) -> io::Result<Option<Vec<u8>>> {
    match read_at(dir, rel) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Disk usage of a tree in bytes (apparent file sizes, hard links once),
/// never following symlinks.
pub fn tree_size(path: &Path) -> u64 {
    use std::collections::HashSet;
    use std::os::unix::fs::MetadataExt;
    let mut seen = HashSet::new();
    let mut total = 0u64;
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(rd) = fs::read_dir(&p) else { continue };
        for e in rd.flatten() {
            let Ok(md) = e.metadata() else { continue };
            if md.is_dir() {
                stack.push(e.path());
            } else if md.is_file() && (md.nlink() == 1 || seen.insert((md.dev(), md.ino()))) {
                total += md.len();
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn read_gives_every_byte_of_small_empty_and_large_files() {
        let dir = std::env::temp_dir().join(format!("fsx-{}", super::super::ids::random_hex(6)));
        fs::create_dir_all(&dir).unwrap();
        for len in [0usize, 1, 4095, 4096, 4097, 100_000] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let p = dir.join(format!("f{len}"));
            fs::write(&p, &data).unwrap();
            assert_eq!(read(&p).unwrap(), data, "{len} bytes");
        }
        assert_eq!(read_opt(&dir.join("missing")).unwrap(), None);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rewrite_in_place_keeps_the_inode_and_cuts_a_shorter_tail() {
        let dir = std::env::temp_dir().join(format!("fsx-{}", super::super::ids::random_hex(6)));
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join("hosts");
        fs::write(&p, "127.0.0.1 localhost\n10.0.0.2 db\n").unwrap();
        let ino = fs::metadata(&p).unwrap().ino();
        rewrite_in_place(&p, b"127.0.0.1 localhost\n10.0.0.2 db\n10.0.0.3 web\n").unwrap();
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            "127.0.0.1 localhost\n10.0.0.2 db\n10.0.0.3 web\n"
        );
        rewrite_in_place(&p, b"127.0.0.1 localhost\n").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "127.0.0.1 localhost\n");
        assert_eq!(fs::metadata(&p).unwrap().ino(), ino);
        fs::remove_dir_all(&dir).unwrap();
    }
}
