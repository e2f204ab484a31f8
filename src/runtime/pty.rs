//! The supervisor's side of a terminal: raw mode with a guard that always
//! restores it, and window sizes.

use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg, Termios};
use std::os::fd::{BorrowedFd, RawFd};

/// True when our stdin is a terminal.
pub fn stdin_is_tty() -> bool {
    nix::unistd::isatty(0).unwrap_or(false)
}

/// Puts a terminal in raw mode; dropping the guard restores it, on every
/// exit path that unwinds or returns.
pub struct TerminalGuard {
    fd: RawFd,
    saved: Termios,
}

impl TerminalGuard {
    /// Raw mode on `fd` if it is a terminal; `None` otherwise.
    pub fn raw(fd: RawFd) -> Option<TerminalGuard> {
        // SAFETY: fd 0..2 stay open for the life of the process.
        let bfd = unsafe { BorrowedFd::borrow_raw(fd) };
        let saved = tcgetattr(bfd).ok()?;
        let mut raw = saved.clone();
        cfmakeraw(&mut raw);
        tcsetattr(bfd, SetArg::TCSANOW, &raw).ok()?;
        Some(TerminalGuard { fd, saved })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        // SAFETY: as in `raw`.
        let bfd = unsafe { BorrowedFd::borrow_raw(self.fd) };
        let _ = tcsetattr(bfd, SetArg::TCSANOW, &self.saved);
    }
}

/// The window size of the terminal on `fd`, if it is one.
pub fn get_winsize(fd: RawFd) -> Option<libc::winsize> {
    // SAFETY: winsize is plain data; TIOCGWINSZ writes it.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: `ws` outlives the call.
    let r = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && (ws.ws_row > 0 || ws.ws_col > 0)).then_some(ws)
}

/// Sets the window size of the terminal on `fd`.
pub fn set_winsize(fd: RawFd, ws: &libc::winsize) {
    // SAFETY: TIOCSWINSZ reads a winsize that outlives the call.
    unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, ws) };
}

/// Spawns `cmd` on a new pty of `rows`x`cols` (its stdin, stdout and
/// stderr, and its controlling terminal, in a session of its own): the
/// API server's `exec -t`. Returns the child and the pty's master.
pub fn spawn_on_pty(
    cmd: &mut std::process::Command,
    rows: u16,
    cols: u16,
) -> std::io::Result<(std::process::Child, std::os::fd::OwnedFd)> {
    use std::os::unix::process::CommandExt;
    let ws = nix::pty::Winsize {
        ws_row: rows.max(1),
        ws_col: cols.max(1),
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pair = nix::pty::openpty(Some(&ws), None).map_err(std::io::Error::from)?;
    let _ = nix::fcntl::fcntl(
        std::os::fd::AsRawFd::as_raw_fd(&pair.master),
        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
    );
    let slave = std::fs::File::from(pair.slave);
    cmd.stdin(slave.try_clone()?)
        .stdout(slave.try_clone()?)
        .stderr(slave);
    // SAFETY: between fork and exec the child only calls setsid and
    // ioctl, both async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            if libc::ioctl(0, libc::TIOCSCTTY as _, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    Ok((child, pair.master))
}
