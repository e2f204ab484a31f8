//! Advisory file locks (flock) as RAII guards. The lock is released when
//! the guard drops or when the process dies, whatever kills it.

use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// A held flock; dropping it unlocks.
pub struct LockGuard {
    _lock: Flock<File>,
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_CLOEXEC)
        .open(path)
}

/// Takes an exclusive lock on `path` (created if missing), waiting for it.
pub fn exclusive(path: &Path) -> io::Result<LockGuard> {
    let f = open_lock_file(path)?;
    let lock = Flock::lock(f, FlockArg::LockExclusive).map_err(|(_, e)| io::Error::from(e))?;
    Ok(LockGuard { _lock: lock })
}

/// Tries an exclusive lock without waiting; `Ok(None)` when someone holds it.
pub fn try_exclusive(path: &Path) -> io::Result<Option<LockGuard>> {
    let f = open_lock_file(path)?;
    match Flock::lock(f, FlockArg::LockExclusiveNonblock) {
        Ok(lock) => Ok(Some(LockGuard { _lock: lock })),
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(None),
        Err((_, e)) => Err(io::Error::from(e)),
    }
}
