//! A read-only merged view of layers, for `export`: a forked child makes a
//! private mount namespace, mounts the overlay there and runs a callback on
//! it. The mount never exists on the host, so a crash cannot leak it.

use super::{plan, Error};
use nix::mount::{mount, MsFlags};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{chdir, fork, pipe, ForkResult};
use std::io::{Read, Write};
use std::path::Path;

/// Mounts an overlay of `lowers` with `upper`/`work` at `target` in a
/// child process (a private mount namespace), chroots into it and runs
/// `consume` there with the reading end of a pipe, while this process runs
/// `produce` with the writing end: how COPY puts files into an image, with
/// symlinks inside the image resolved the way the image sees them.
pub fn with_writable_root(
    links_dir: &Path,
    lowers: &[String],
    upper: &Path,
    work: &Path,
    target: &Path,
    produce: impl FnOnce(&mut dyn Write) -> Result<(), String>,
    consume: impl FnOnce(&mut dyn Read) -> Result<(), String>,
) -> Result<(), Error> {
    let opts = plan::overlay_options(lowers, &upper.to_string_lossy(), &work.to_string_lossy())
        .map_err(|detail| Error::Setup {
            step: "overlay options".into(),
            errno: libc::E2BIG,
            detail,
        })?;
    let (data_r, data_w) = pipe().map_err(|e| Error::Sys {
        op: "pipe",
        errno: e as i32,
    })?;
    let (err_r, err_w) = pipe().map_err(|e| Error::Sys {
        op: "pipe",
        errno: e as i32,
    })?;
    super::debug_assert_single_threaded("fork of a writable view");
    // SAFETY: single-threaded; the child runs `consume` and _exits.
    match unsafe { fork() }.map_err(|e| Error::Sys {
        op: "fork",
        errno: e as i32,
    })? {
        ForkResult::Child => {
            drop(data_w);
            drop(err_r);
            let result = (|| -> Result<(), String> {
                nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)
                    .map_err(|e| format!("unshare: {e}"))?;
                mount(
                    None::<&str>,
                    "/",
                    None::<&str>,
                    MsFlags::MS_SLAVE | MsFlags::MS_REC,
                    None::<&str>,
                )
                .map_err(|e| format!("make / rslave: {e}"))?;
                chdir(links_dir).map_err(|e| format!("chdir {}: {e}", links_dir.display()))?;
                mount(
                    Some("overlay"),
                    target,
                    Some("overlay"),
                    MsFlags::empty(),
                    Some(opts.as_str()),
                )
                .map_err(|e| format!("mount overlay on {}: {e}", target.display()))?;
                nix::unistd::chroot(target).map_err(|e| format!("chroot: {e}"))?;
                chdir("/").map_err(|e| format!("chdir /: {e}"))?;
                consume(&mut std::fs::File::from(data_r))
            })();
            let code = match result {
                Ok(()) => 0,
                Err(msg) => {
                    let _ = std::fs::File::from(err_w).write_all(msg.as_bytes());
                    1
                }
            };
            // SAFETY: ends the child without unwinding into the parent's code.
            unsafe { libc::_exit(code) };
        }
        ForkResult::Parent { child } => {
            drop(data_r);
            drop(err_w);
            let produced = {
                let mut w = std::fs::File::from(data_w);
                produce(&mut w)
            };
            let mut msg = String::new();
            let _ = std::fs::File::from(err_r).read_to_string(&mut msg);
            let status = waitpid(child, None);
            if !msg.is_empty() {
                return Err(Error::Setup {
                    step: "copy".into(),
                    errno: libc::EIO,
                    detail: msg,
                });
            }
            if let Err(detail) = produced {
                return Err(Error::Setup {
                    step: "copy".into(),
                    errno: libc::EIO,
                    detail,
                });
            }
            match status {
                Ok(WaitStatus::Exited(_, 0)) => Ok(()),
                _ => Err(Error::Setup {
                    step: "copy".into(),
                    errno: libc::EIO,
                    detail: "the copying process died".into(),
                }),
            }
        }
    }
}

/// Mounts `lowers` read-only at `target` in a child process, chroots into
/// it and runs `produce` there with the writing end of a pipe, while this
/// process runs `consume` with the reading end: how `COPY --from` reads
/// another image. Inside the chroot every path, and every symlink in the
/// image, resolves within the image: a link to /etc is the image's /etc,
/// never the host's.
pub fn with_readonly_root(
    links_dir: &Path,
    lowers: &[String],
    target: &Path,
    produce: impl FnOnce(&mut dyn Write) -> Result<(), String>,
    consume: impl FnOnce(&mut dyn Read) -> Result<(), String>,
) -> Result<(), Error> {
    let opts = plan::overlay_readonly_options(lowers).map_err(|detail| Error::Setup {
        step: "overlay options".into(),
        errno: libc::E2BIG,
        detail,
    })?;
    let (data_r, data_w) = pipe().map_err(|e| Error::Sys {
        op: "pipe",
        errno: e as i32,
    })?;
    let (err_r, err_w) = pipe().map_err(|e| Error::Sys {
        op: "pipe",
        errno: e as i32,
    })?;
    super::debug_assert_single_threaded("fork of a read-only root");
    // SAFETY: single-threaded; the child runs `produce` and _exits.
    match unsafe { fork() }.map_err(|e| Error::Sys {
        op: "fork",
        errno: e as i32,
    })? {
        ForkResult::Child => {
            drop(data_r);
            drop(err_r);
            let result = (|| -> Result<(), String> {
                nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)
                    .map_err(|e| format!("unshare: {e}"))?;
                mount(
                    None::<&str>,
                    "/",
                    None::<&str>,
                    MsFlags::MS_SLAVE | MsFlags::MS_REC,
                    None::<&str>,
                )
                .map_err(|e| format!("make / rslave: {e}"))?;
                chdir(links_dir).map_err(|e| format!("chdir {}: {e}", links_dir.display()))?;
                mount(
                    Some("overlay"),
                    target,
                    Some("overlay"),
                    MsFlags::MS_RDONLY,
                    Some(opts.as_str()),
                )
                .map_err(|e| format!("mount overlay on {}: {e}", target.display()))?;
                nix::unistd::chroot(target).map_err(|e| format!("chroot: {e}"))?;
                chdir("/").map_err(|e| format!("chdir /: {e}"))?;
                produce(&mut std::fs::File::from(data_w))
            })();
            let code = match result {
                Ok(()) => 0,
                Err(msg) => {
                    let _ = std::fs::File::from(err_w).write_all(msg.as_bytes());
                    1
                }
            };
            // SAFETY: ends the child without unwinding into the parent's code.
            unsafe { libc::_exit(code) };
        }
        ForkResult::Parent { child } => {
            drop(data_w);
            drop(err_w);
            let consumed = consume(&mut std::fs::File::from(data_r));
            let mut msg = String::new();
            let _ = std::fs::File::from(err_r).read_to_string(&mut msg);
            let status = waitpid(child, None);
            let fail = |detail: String| Error::Setup {
                step: "copy".into(),
                errno: libc::EIO,
                detail,
            };
            if !msg.is_empty() {
                return Err(fail(msg));
            }
            consumed.map_err(fail)?;
            match status {
                Ok(WaitStatus::Exited(_, 0)) => Ok(()),
                _ => Err(fail("the copying process died".into())),
            }
        }
    }
}

/// Mounts `lowers` (uppermost first, relative to `links_dir` or absolute)
/// read-only at `target` in a child process and runs `f` there; returns
/// what `f` returned.
pub fn with_readonly_view(
    links_dir: &Path,
    lowers: &[String],
    target: &Path,
    f: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), Error> {
    let opts = plan::overlay_readonly_options(lowers).map_err(|detail| Error::Setup {
        step: "overlay options".into(),
        errno: libc::E2BIG,
        detail,
    })?;
    let (r, w) = pipe().map_err(|e| Error::Sys {
        op: "pipe",
        errno: e as i32,
    })?;
    super::debug_assert_single_threaded("fork of a read-only view");
    // SAFETY: this process is single-threaded; the child only runs the
    // closure and then _exits without returning into our callers.
    match unsafe { fork() }.map_err(|e| Error::Sys {
        op: "fork",
        errno: e as i32,
    })? {
        ForkResult::Child => {
            drop(r);
            let result = (|| -> Result<(), String> {
                nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)
                    .map_err(|e| format!("unshare: {e}"))?;
                mount(
                    None::<&str>,
                    "/",
                    None::<&str>,
                    MsFlags::MS_SLAVE | MsFlags::MS_REC,
                    None::<&str>,
                )
                .map_err(|e| format!("make / rslave: {e}"))?;
                chdir(links_dir).map_err(|e| format!("chdir {}: {e}", links_dir.display()))?;
                mount(
                    Some("overlay"),
                    target,
                    Some("overlay"),
                    MsFlags::MS_RDONLY,
                    Some(opts.as_str()),
                )
                .map_err(|e| format!("mount overlay on {}: {e}", target.display()))?;
                f(target)
            })();
            let code = match result {
                Ok(()) => 0,
                Err(msg) => {
                    let mut w = std::fs::File::from(w);
                    let _ = w.write_all(msg.as_bytes());
                    1
                }
            };
            let _ = std::io::stdout().flush();
            // SAFETY: ends the child without unwinding into the parent's code.
            unsafe { libc::_exit(code) };
        }
        ForkResult::Parent { child } => {
            drop(w);
            let mut msg = String::new();
            let _ = std::fs::File::from(r).read_to_string(&mut msg);
            match waitpid(child, None) {
                Ok(WaitStatus::Exited(_, 0)) => Ok(()),
                _ => Err(Error::Setup {
                    step: "export".into(),
                    errno: libc::EIO,
                    detail: if msg.is_empty() {
                        "the exporting process died".into()
                    } else {
                        msg
                    },
                }),
            }
        }
    }
}
