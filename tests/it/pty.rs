//! `run -it` through a real pty pair made by the test (CI has no terminal).

use crate::util::*;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

pub struct Pty {
    pub master: std::fs::File,
    pub slave: OwnedFd,
}

pub fn openpty(rows: u16, cols: u16) -> Pty {
    let ws = nix::pty::Winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let p = nix::pty::openpty(Some(&ws), None).unwrap();
    Pty {
        master: std::fs::File::from(p.master),
        slave: p.slave,
    }
}

pub fn read_until(master: &mut std::fs::File, want: &str, secs: u64) -> String {
    let fd = master.as_raw_fd();
    // Non-blocking reads so that a missing prompt fails instead of hanging.
    nix::fcntl::fcntl(
        fd,
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
    )
    .unwrap();
    let end = Instant::now() + Duration::from_secs(secs);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < end {
        match master.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&got).contains(want) {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&got).to_string()
}

fn spawn_on(pty: &Pty, env: &Env, args: &[&str]) -> Bg {
    spawn_cmd_on(pty, env.cmd(args))
}

/// Any command on the pty, as its controlling terminal.
pub fn spawn_cmd_on(pty: &Pty, mut cmd: std::process::Command) -> Bg {
    let dup = |fd: &OwnedFd| -> std::process::Stdio { fd.try_clone().unwrap().into() };
    cmd.stdin(dup(&pty.slave))
        .stdout(dup(&pty.slave))
        .stderr(dup(&pty.slave));
    let slave = pty.slave.as_raw_fd();
    use std::os::unix::process::CommandExt;
    // SAFETY (test): make the pty our controlling terminal in a new session.
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setsid().ok();
            libc::ioctl(slave, libc::TIOCSCTTY, 0);
            Ok(())
        });
    }
    Bg(cmd.spawn().unwrap())
}

#[test]
fn run_it_gives_a_shell_on_a_real_pty() {
    let env = Env::with_busybox();
    let mut pty = openpty(33, 101);
    let mut child = spawn_on(&pty, &env, &["run", "-it", "--rm", "busybox", "sh"]);
    let banner = read_until(&mut pty.master, "# ", 10);
    assert!(banner.contains("# "), "no prompt: {banner:?}");
    pty.master
        .write_all(b"echo $((6*7)); tty; stty size\r")
        .unwrap();
    let out = read_until(&mut pty.master, "101", 10);
    assert!(out.contains("\r\n42\r\n"), "{out:?}");
    assert!(
        out.contains("/dev/pts/0"),
        "the shell's terminal is the container's own pty: {out:?}"
    );
    assert!(
        out.contains("33 101"),
        "window size follows the terminal: {out:?}"
    );
    // ctrl-c reaches the shell's foreground job, not strata.
    pty.master.write_all(b"sleep 30\r").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    pty.master.write_all(b"\x03").unwrap();
    let out = read_until(&mut pty.master, "^C", 10);
    assert!(out.contains("^C"), "{out:?}");
    // The shell survives and prompts again.
    pty.master.write_all(b"echo still-$((1+1))\r").unwrap();
    let out = read_until(&mut pty.master, "still-2", 10);
    assert!(out.contains("still-2"), "{out:?}");
    // Resizing the terminal reaches the container (SIGWINCH).
    let ws = libc::winsize {
        ws_row: 50,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY (test): TIOCSWINSZ on our pty master with a live struct.
    unsafe { libc::ioctl(pty.master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGWINCH,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    pty.master.write_all(b"stty size\r").unwrap();
    let out = read_until(&mut pty.master, "50 120", 10);
    assert!(out.contains("50 120"), "{out:?}");
    pty.master.write_all(b"exit 4\r").unwrap();
    let st = child.wait().unwrap();
    assert_eq!(st.code(), Some(4));
    // The terminal is back in cooked mode.
    let t = nix::sys::termios::tcgetattr(&pty.slave).unwrap();
    assert!(
        t.local_flags
            .contains(nix::sys::termios::LocalFlags::ICANON),
        "terminal left raw"
    );
}

#[test]
fn run_it_without_a_terminal_is_docker_s_error() {
    let env = Env::with_busybox();
    let (_, err) = env.code(1, &["run", "-it", "--rm", "busybox", "true"]);
    assert_eq!(err, "the input device is not a TTY\n");
}

#[test]
fn run_i_pipes_stdin_and_without_i_stdin_is_empty() {
    let env = Env::with_busybox();
    let mut c = env.cmd(&["run", "-i", "--rm", "busybox", "sh", "-c", "tr a-z A-Z"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"piped in\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "PIPED IN\n");
    let mut c = env.cmd(&["run", "--rm", "busybox", "cat"]);
    c.stdin(std::process::Stdio::piped());
    let out = c.output().unwrap();
    assert_eq!(
        out.stdout, b"",
        "without -i the container's stdin is /dev/null"
    );
}

#[test]
fn exec_it_gives_a_shell_inside_a_running_container() {
    let env = Env::with_busybox();
    env.ok(&[
        "run",
        "-d",
        "--name",
        "host1",
        "busybox",
        "sh",
        "-c",
        "echo inside > /marker; sleep 60",
    ]);
    assert!(wait_for(5.0, || env
        .run(&["exec", "host1", "cat", "/marker"])
        .status
        .success()));
    let mut pty = openpty(24, 80);
    let mut child = spawn_on(&pty, &env, &["exec", "-it", "host1", "sh"]);
    let banner = read_until(&mut pty.master, "# ", 10);
    assert!(banner.contains("# "), "no prompt: {banner:?}");
    pty.master
        .write_all(b"cat /marker; tty; echo done-$((1+1))\r")
        .unwrap();
    let out = read_until(&mut pty.master, "done-2", 10);
    assert!(out.contains("inside"), "the container's files: {out:?}");
    assert!(
        out.contains("/dev/pts/"),
        "a pty of the container's: {out:?}"
    );
    pty.master.write_all(b"exit 5\r").unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(5));
    env.ok(&["rm", "-f", "host1"]);
}

#[test]
fn the_notes_workflow_from_two_terminals() {
    // Terminal 1: a shell in a new container, on a real pty.
    let env = Env::with_busybox();
    let mut pty = openpty(24, 80);
    let mut child = spawn_on(&pty, &env, &["run", "-it", "busybox", "sh"]);
    read_until(&mut pty.master, "# ", 10);
    pty.master
        .write_all(b"mkdir -p /opt/app && echo 'echo served' > /opt/app/run && chmod +x /opt/app/run && echo ok-$((2+2))\r")
        .unwrap();
    read_until(&mut pty.master, "ok-4", 10);
    // Terminal 2: ps shows it; a unique ID prefix names it for commit.
    let ps = env.ok(&["ps", "--format", "{{.ID}} {{.Status}}"]);
    let (id, status) = ps.trim().split_once(' ').unwrap();
    assert!(status.starts_with("Up"), "{ps}");
    let out = env.ok(&["commit", "-c", "CMD '/opt/app/run'", &id[..5], "me/app"]);
    assert!(out.starts_with("sha256:"), "{out}");
    // The shell in terminal 1 keeps working after the commit.
    pty.master.write_all(b"echo still-$((3+3))\r").unwrap();
    let out = read_until(&mut pty.master, "still-6", 10);
    assert!(out.contains("still-6"), "{out:?}");
    pty.master.write_all(b"exit\r").unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    // The new image runs the new command.
    assert_eq!(env.ok(&["run", "--rm", "me/app"]), "served\n");
}

#[test]
fn attach_to_a_detached_shell_detach_with_ctrl_p_ctrl_q_and_come_back() {
    let env = Env::with_busybox();
    env.ok(&["run", "-dit", "--name", "bg", "busybox", "sh"]);
    let mut pty = openpty(24, 80);
    let mut child = spawn_on(&pty, &env, &["attach", "bg"]);
    std::thread::sleep(Duration::from_millis(300));
    pty.master.write_all(b"echo hi-$((1+1))\r").unwrap();
    let out = read_until(&mut pty.master, "hi-2", 10);
    assert!(out.contains("hi-2"), "{out:?}");
    // ctrl-p ctrl-q: we leave, the shell stays.
    pty.master.write_all(b"\x10\x11").unwrap();
    let out = read_until(&mut pty.master, "read escape sequence", 10);
    assert!(out.contains("read escape sequence"), "{out:?}");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(env.ok(&["ps"]).contains("bg"), "still running");
    // Back again; the pty takes our window size, and follows it.
    let mut child = spawn_on(&pty, &env, &["attach", "bg"]);
    std::thread::sleep(Duration::from_millis(300));
    pty.master
        .write_all(b"echo back-$((2+2)); stty size\r")
        .unwrap();
    let out = read_until(&mut pty.master, "24 80", 10);
    assert!(out.contains("back-4") && out.contains("24 80"), "{out:?}");
    let ws = libc::winsize {
        ws_row: 40,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY (test): TIOCSWINSZ on our pty master with a live struct.
    unsafe { libc::ioctl(pty.master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGWINCH,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    pty.master.write_all(b"stty size\r").unwrap();
    let out = read_until(&mut pty.master, "40 100", 10);
    assert!(out.contains("40 100"), "{out:?}");
    // The shell's exit ends the attach with its code.
    pty.master.write_all(b"exit 3\r").unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(3));
    assert!(env.ok(&["ps", "-a"]).contains("Exited (3)"));
    // The terminal is back in cooked mode.
    let t = nix::sys::termios::tcgetattr(&pty.slave).unwrap();
    assert!(t
        .local_flags
        .contains(nix::sys::termios::LocalFlags::ICANON));
}

#[test]
fn run_it_detaches_with_ctrl_p_ctrl_q_and_the_shell_lives_on() {
    let env = Env::with_busybox();
    let mut pty = openpty(24, 80);
    let mut child = spawn_on(
        &pty,
        &env,
        &["run", "-it", "--name", "keep", "busybox", "sh"],
    );
    read_until(&mut pty.master, "# ", 10);
    pty.master.write_all(b"echo mark-$((5+5)) > /m\r").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    pty.master.write_all(b"\x10\x11").unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(env.ok(&["ps"]).contains("keep"), "still running");
    assert_eq!(env.ok(&["exec", "keep", "cat", "/m"]), "mark-10\n");
    let mut child = spawn_on(&pty, &env, &["attach", "keep"]);
    std::thread::sleep(Duration::from_millis(300));
    pty.master.write_all(b"exit 6\r").unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(6));
    // --rm: the code comes back though the container is gone.
    let mut child = spawn_on(&pty, &env, &["run", "-it", "--rm", "busybox", "sh"]);
    read_until(&mut pty.master, "# ", 10);
    pty.master.write_all(b"exit 4\r").unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(4));
    assert!(!env.ok(&["ps", "-a"]).contains("busybox \"sh\""));
}

#[test]
fn without_t_the_container_never_gets_the_caller_s_terminal() {
    let env = Env::with_busybox();
    // `run -i` on a terminal: the container's stdio are pipes, and what is
    // typed still reaches it.
    let mut pty = openpty(24, 80);
    let _child = spawn_on(
        &pty,
        &env,
        &[
            "run",
            "-i",
            "--rm",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; read x; echo got-$x",
        ],
    );
    let out = read_until(&mut pty.master, "fd/2", 10);
    std::thread::sleep(Duration::from_millis(200));
    pty.master.write_all(b"hello\n").unwrap();
    let out = out + &read_until(&mut pty.master, "got-hello", 10);
    assert!(out.contains("got-hello"), "{out:?}");
    assert!(
        !out.contains("/dev/pts"),
        "the host's terminal reached the container: {out:?}"
    );
    assert_eq!(out.matches("pipe:").count(), 3, "{out:?}");
    // `exec` and `exec -i` too.
    env.ok(&[
        "run",
        "-d",
        "--name",
        "tgt",
        "--network",
        "none",
        "busybox",
        "sleep",
        "60",
    ]);
    for flags in [&["exec"][..], &["exec", "-i"][..]] {
        let mut pty = openpty(24, 80);
        let mut args = flags.to_vec();
        args.extend_from_slice(&[
            "tgt",
            "sh",
            "-c",
            "ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; echo done-x",
        ]);
        let _c = spawn_on(&pty, &env, &args);
        let out = read_until(&mut pty.master, "done-x", 10);
        assert!(out.contains("done-x"), "{flags:?}: {out:?}");
        assert!(!out.contains("/dev/pts"), "{flags:?}: {out:?}");
    }
    env.ok(&["rm", "-f", "tgt"]);
}
