//! A merged view of layers in a forked child's private mount namespace:
//! for COPY into a step container (writable, chrooted), `COPY --from`
//! (read-only, chrooted) and `export` (read-only). The mount never exists
//! on the host, so a crash cannot leak it.

use super::{plan, Error};
use nix::mount::{mount, MsFlags};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{chdir, fork, pipe, ForkResult};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

/// Where the data pipe between the two processes points.
enum Flow {
    /// This process writes, the child reads.
    ToChild,
    /// The child writes, this process reads.
    FromChild,
}

fn setup_err(step: &str, detail: String) -> Error {
    Error::Setup {
        step: step.into(),
        errno: libc::EIO,
        detail,
    }
}

/// The one fork behind the three views: the child makes a private mount
/// namespace, mounts the overlay (`opts`, `flags`) at `target`, chroots
/// into it if asked, and runs `child` with its end of the data pipe; this
/// process runs `parent` with the other end. Errors of the child come back
/// as text on a second pipe.
#[allow(clippy::too_many_arguments)]
fn in_overlay(
    links_dir: &Path,
    target: &Path,
    opts: &str,
    flags: MsFlags,
    chroot: bool,
    flow: Flow,
    step: &str,
    child: impl FnOnce(File) -> Result<(), String>,
    parent: impl FnOnce(File) -> Result<(), String>,
) -> Result<(), Error> {
    let sys = |e: nix::errno::Errno| Error::Sys {
        op: "pipe",
        errno: e as i32,
    };
    let (data_r, data_w) = pipe().map_err(sys)?;
    let (err_r, err_w) = pipe().map_err(sys)?;
    let (mine, theirs) = match flow {
        Flow::ToChild => (data_w, data_r),
        Flow::FromChild => (data_r, data_w),
    };
    super::debug_assert_single_threaded("fork of an overlay view");
    // SAFETY: this process is single-threaded (checked in debug builds);
    // the child runs `child` and _exits without returning into our callers.
    match unsafe { fork() }.map_err(|e| Error::Sys {
        op: "fork",
        errno: e as i32,
    })? {
        ForkResult::Child => {
            drop(mine);
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
                mount(Some("overlay"), target, Some("overlay"), flags, Some(opts))
                    .map_err(|e| format!("mount overlay on {}: {e}", target.display()))?;
                if chroot {
                    nix::unistd::chroot(target).map_err(|e| format!("chroot: {e}"))?;
                    chdir("/").map_err(|e| format!("chdir /: {e}"))?;
                }
                child(File::from(theirs))
            })();
            let code = match result {
                Ok(()) => 0,
                Err(msg) => {
                    let _ = File::from(err_w).write_all(msg.as_bytes());
                    1
                }
            };
            let _ = std::io::stdout().flush();
            // SAFETY: ends the child without unwinding into the parent's code.
            unsafe { libc::_exit(code) };
        }
        ForkResult::Parent { child } => {
            drop(theirs);
            drop(err_w);
            let done = parent(File::from(mine));
            let mut msg = String::new();
            let _ = File::from(err_r).read_to_string(&mut msg);
            let status = waitpid(child, None);
            if !msg.is_empty() {
                return Err(setup_err(step, msg));
            }
            done.map_err(|d| setup_err(step, d))?;
            match status {
                Ok(WaitStatus::Exited(_, 0)) => Ok(()),
                _ => Err(setup_err(step, format!("the {step} process died"))),
            }
        }
    }
}

fn opts_err(detail: String) -> Error {
    Error::Setup {
        step: "overlay options".into(),
        errno: libc::E2BIG,
        detail,
    }
}

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
        .map_err(opts_err)?;
    in_overlay(
        links_dir,
        target,
        &opts,
        MsFlags::empty(),
        true,
        Flow::ToChild,
        "copy",
        |mut r| consume(&mut r),
        |mut w| produce(&mut w),
    )
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
    let opts = plan::overlay_readonly_options(lowers).map_err(opts_err)?;
    in_overlay(
        links_dir,
        target,
        &opts,
        MsFlags::MS_RDONLY,
        true,
        Flow::FromChild,
        "copy",
        |mut w| produce(&mut w),
        |mut r| consume(&mut r),
    )
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
    let opts = plan::overlay_readonly_options(lowers).map_err(opts_err)?;
    in_overlay(
        links_dir,
        target,
        &opts,
        MsFlags::MS_RDONLY,
        false,
        Flow::FromChild,
        "export",
        |_| f(target),
        |_| Ok(()),
    )
}
