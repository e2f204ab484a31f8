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
    path: std::path::PathBuf,
    thread: std::thread::ThreadId,
}

/// The exclusive locks each thread holds. flock is per open file: a
/// thread that takes a lock it holds already, through a second open,
/// waits for itself forever (another thread of the process just waits
/// its turn, as another process would). Debug builds check for it.
type Held = (std::thread::ThreadId, std::path::PathBuf);
static HELD: std::sync::Mutex<Vec<Held>> = std::sync::Mutex::new(Vec::new());

fn note_taken(path: &Path) {
    let me = std::thread::current().id();
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    debug_assert!(
        !held.iter().any(|(t, p)| *t == me && p == path),
        "lock {} taken twice by one thread",
        path.display()
    );
    held.push((me, path.to_path_buf()));
}

/// Whether this thread holds the exclusive lock on `path`.
pub fn held(path: &Path) -> bool {
    let me = std::thread::current().id();
    HELD.lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .any(|(t, p)| *t == me && p == path)
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = held
            .iter()
            .position(|(t, p)| *t == self.thread && *p == self.path)
        {
            held.swap_remove(i);
        }
    }
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
    note_taken(path);
    let guard = (|| {
        let f = open_lock_file(path)?;
        Flock::lock(f, FlockArg::LockExclusive).map_err(|(_, e)| io::Error::from(e))
    })();
    match guard {
        Ok(lock) => Ok(LockGuard {
            _lock: lock,
            path: path.to_path_buf(),
            thread: std::thread::current().id(),
        }),
        Err(e) => {
            forget(path);
            Err(e)
        }
    }
}

fn forget(path: &Path) {
    let me = std::thread::current().id();
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = held.iter().position(|(t, p)| *t == me && p == path) {
        held.swap_remove(i);
    }
}

/// A shared lock, taken once per process however often it is asked for
/// (a build's steps are creates of their own): the flock goes when the
/// last guard does. For the image store's writers, against its collector.
pub struct SharedGuard {
    path: std::path::PathBuf,
}

/// Each shared lock this process holds: its path, how many guards, the flock.
type SharedEntry = (std::path::PathBuf, usize, Option<Flock<File>>);

static SHARED: std::sync::Mutex<Vec<SharedEntry>> = std::sync::Mutex::new(Vec::new());

/// Takes a shared lock on `path` (created if missing), waiting for it.
pub fn shared(path: &Path) -> io::Result<SharedGuard> {
    let mut all = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = all.iter_mut().find(|e| e.0 == path) {
        e.1 += 1;
    } else {
        let f = open_lock_file(path)?;
        let lock = Flock::lock(f, FlockArg::LockShared).map_err(|(_, e)| io::Error::from(e))?;
        all.push((path.to_path_buf(), 1, Some(lock)));
    }
    Ok(SharedGuard {
        path: path.to_path_buf(),
    })
}

impl Drop for SharedGuard {
    fn drop(&mut self) {
        let mut all = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = all.iter().position(|e| e.0 == self.path) {
            all[i].1 -= 1;
            if all[i].1 == 0 {
                all.swap_remove(i);
            }
        }
    }
}

/// Tries an exclusive lock without waiting; `Ok(None)` when someone holds it.
pub fn try_exclusive(path: &Path) -> io::Result<Option<LockGuard>> {
    note_taken(path);
    let f = match open_lock_file(path) {
        Ok(f) => f,
        Err(e) => {
            forget(path);
            return Err(e);
        }
    };
    match Flock::lock(f, FlockArg::LockExclusiveNonblock) {
        Ok(lock) => Ok(Some(LockGuard {
            _lock: lock,
            path: path.to_path_buf(),
            thread: std::thread::current().id(),
        })),
        Err((_, e)) => {
            forget(path);
            if e == nix::errno::Errno::EWOULDBLOCK {
                Ok(None)
            } else {
                Err(io::Error::from(e))
            }
        }
    }
}
