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

/// The overlay views: the child makes a private mount namespace, mounts
/// the overlay (`opts`, `flags`) at `target`, chroots into it if asked,
/// then runs `child`.
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
    let setup = || -> Result<(), String> {
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
        Ok(())
    };
    in_child(setup, flow, step, child, parent)
}

/// A running container's root: a child process enters the mount
/// namespace of the container's init `pid` (which puts its root and
/// working directory at the container's root: every path and every link
/// resolves there) and runs `child` with its end of the data pipe (it
/// reads with `to_child`, else writes), while this process runs `parent`
/// with the other end. How `cp` reaches a running container's files,
/// its volumes included.
pub fn with_container_root(
    pid: i32,
    to_child: bool,
    child: impl FnOnce(File) -> Result<(), String>,
    parent: impl FnOnce(File) -> Result<(), String>,
) -> Result<(), Error> {
    let ns = File::open(format!("/proc/{pid}/ns/mnt")).map_err(|e| Error::Setup {
        step: "cp".into(),
        errno: e.raw_os_error().unwrap_or(libc::EIO),
        detail: format!("open /proc/{pid}/ns/mnt"),
    })?;
    let setup = move || -> Result<(), String> {
        nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNS)
            .map_err(|e| format!("enter the container's mount namespace: {e}"))?;
        chdir("/").map_err(|e| format!("chdir /: {e}"))
    };
    let flow = if to_child {
        Flow::ToChild
    } else {
        Flow::FromChild
    };
    in_child(setup, flow, "cp", child, parent)
}

/// Writable and read-only overlay views for `cp` of a stopped container.
pub fn with_root_of(
    links_dir: &Path,
    lowers: &[String],
    upper_work: Option<(&Path, &Path)>,
    target: &Path,
    to_child: bool,
    child: impl FnOnce(File) -> Result<(), String>,
    parent: impl FnOnce(File) -> Result<(), String>,
) -> Result<(), Error> {
    let (opts, flags) = match upper_work {
        Some((u, w)) => (
            plan::overlay_options(lowers, &u.to_string_lossy(), &w.to_string_lossy()),
            MsFlags::empty(),
        ),
        None => (plan::overlay_readonly_options(lowers), MsFlags::MS_RDONLY),
    };
    let opts = opts.map_err(opts_err)?;
    let flow = if to_child {
        Flow::ToChild
    } else {
        Flow::FromChild
    };
    in_overlay(
        links_dir, target, &opts, flags, true, flow, "cp", child, parent,
    )
}

/// The one fork behind every view: the child runs `setup`, then `child`
/// with its end of the data pipe; this process runs `parent` with the
/// other end. Errors of the child come back as text on a second pipe.
fn in_child(
    setup: impl FnOnce() -> Result<(), String>,
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
            let result = setup().and_then(|()| child(File::from(theirs)));
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
            // A child cut off by our own error says only "broken pipe":
            // ours is the one to tell.
            let cut_off = msg.to_lowercase().contains("broken pipe") && done.is_err();
            if !msg.is_empty() && !cut_off {
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
