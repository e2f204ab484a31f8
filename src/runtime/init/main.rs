//! strata's `--init`: a tiny PID 1 for containers, built on its own as a
//! static binary by build.rs (it must run in any root, even one without a
//! libc) and bind-mounted at /dev/init. Like tini: it starts the command,
//! forwards the signals it gets to it, reaps every zombie, and exits with
//! the command's status (128+N after signal N).
//!
//! Not a module of strata: it has no dependencies but std, and declares
//! the few libc functions it needs.

use std::ffi::CString;

#[allow(non_camel_case_types)]
type pid_t = i32;

#[repr(C)]
struct SigSet([u64; 16]);

extern "C" {
    fn fork() -> pid_t;
    fn execvp(file: *const i8, argv: *const *const i8) -> i32;
    fn waitpid(pid: pid_t, status: *mut i32, options: i32) -> pid_t;
    fn kill(pid: pid_t, sig: i32) -> i32;
    fn sigfillset(set: *mut SigSet) -> i32;
    fn sigprocmask(how: i32, set: *const SigSet, old: *mut SigSet) -> i32;
    fn sigwait(set: *const SigSet, sig: *mut i32) -> i32;
    fn _exit(code: i32) -> !;
}

const SIG_SETMASK: i32 = 2;
const SIGCHLD: i32 = 17;
const WNOHANG: i32 = 1;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--") {
        args.remove(0);
    }
    if args.is_empty() {
        eprintln!("strata-init: no command");
        std::process::exit(127);
    }
    let cargs: Vec<CString> = args
        .iter()
        .map(|a| CString::new(a.as_bytes()).unwrap_or_default())
        .collect();
    let mut argv: Vec<*const i8> = cargs.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    // SAFETY: plain libc calls on valid, live buffers; the child only
    // resets its mask and execs (or _exits).
    unsafe {
        let mut all = SigSet([0; 16]);
        let mut old = SigSet([0; 16]);
        sigfillset(&mut all);
        sigprocmask(SIG_SETMASK, &all, &mut old);
        let child = fork();
        if child < 0 {
            eprintln!("strata-init: fork: {}", std::io::Error::last_os_error());
            _exit(126);
        }
        if child == 0 {
            sigprocmask(SIG_SETMASK, &old, std::ptr::null_mut());
            execvp(argv[0], argv.as_ptr());
            let err = std::io::Error::last_os_error();
            eprintln!("strata-init: exec {}: {err}", args[0]);
            _exit(if err.raw_os_error() == Some(2) { 127 } else { 126 });
        }
        loop {
            let mut sig = 0;
            if sigwait(&all, &mut sig) != 0 {
                continue;
            }
            if sig != SIGCHLD {
                // To the command (it stays in our process group: a tty's
                // foreground group, so that it can read the terminal).
                kill(child, sig);
                continue;
            }
            // Reap everything; the command's end is ours.
            loop {
                let mut status = 0;
                let pid = waitpid(-1, &mut status, WNOHANG);
                if pid <= 0 {
                    break;
                }
                if pid == child {
                    let code = if status & 0x7f == 0 {
                        (status >> 8) & 0xff
                    } else {
                        128 + (status & 0x7f)
                    };
                    _exit(code);
                }
            }
        }
    }
}
