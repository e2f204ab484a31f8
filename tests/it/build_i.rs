//! `build -i`, the interactive builder, through a real pty made by the
//! test (CI has no terminal): what a person types, what they see, and the
//! Dockerfile it leaves, which `build` then makes from the cache alone.

use crate::util::*;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A terminal the test types into, and what it has shown so far (escape
/// sequences and carriage returns taken out).
struct Term {
    master: std::fs::File,
    slave: OwnedFd,
    seen: String,
    /// Where the next `expect` starts looking.
    pos: usize,
}

impl Term {
    fn new() -> Term {
        let ws = nix::pty::Winsize {
            ws_row: 40,
            ws_col: 200,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let p = nix::pty::openpty(Some(&ws), None).unwrap();
        nix::fcntl::fcntl(
            p.master.as_raw_fd(),
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )
        .unwrap();
        Term {
            master: std::fs::File::from(p.master),
            slave: p.slave,
            seen: String::new(),
            pos: 0,
        }
    }

    /// Starts `cmd` with this terminal as its controlling one.
    fn spawn(&self, mut cmd: Command) -> Bg {
        let dup = |fd: &OwnedFd| -> std::process::Stdio { fd.try_clone().unwrap().into() };
        cmd.stdin(dup(&self.slave))
            .stdout(dup(&self.slave))
            .stderr(dup(&self.slave));
        let slave = self.slave.as_raw_fd();
        use std::os::unix::process::CommandExt;
        // SAFETY (test): a new session with the pty as its terminal.
        unsafe {
            cmd.pre_exec(move || {
                nix::unistd::setsid().ok();
                libc::ioctl(slave, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        Bg(cmd.spawn().unwrap())
    }

    fn pump(&mut self) -> bool {
        let mut buf = [0u8; 8192];
        match self.master.read(&mut buf) {
            Ok(0) => false,
            Ok(n) => {
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                self.seen.push_str(&clean(&text));
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
                true
            }
            Err(_) => false,
        }
    }

    /// Waits for `want` after what was seen before; returns the text up
    /// to and including it.
    fn expect(&mut self, want: &str, secs: u64) -> String {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(i) = self.seen[self.pos..].find(want) {
                let got = self.seen[self.pos..self.pos + i + want.len()].to_string();
                self.pos += i + want.len();
                return got;
            }
            if Instant::now() > end || !self.pump() {
                panic!(
                    "no {want:?} within {secs}s; the terminal showed:\n{}",
                    &self.seen[self.pos..]
                );
            }
        }
    }

    /// Types `keys`; what was shown before is not looked at again.
    fn send(&mut self, keys: &str) {
        let mut buf = [0u8; 8192];
        while let Ok(n) = self.master.read(&mut buf) {
            if n == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            self.seen.push_str(&clean(&text));
        }
        self.pos = self.seen.len();
        self.master.write_all(keys.as_bytes()).unwrap();
    }

    /// Types a line and waits for the prompt of step `n` that follows it.
    fn step(&mut self, line: &str, n: usize) -> String {
        self.send(&format!("{line}\r"));
        self.prompt(n)
    }

    /// Waits for the next `strata N ...> ` prompt (after a newline, so a
    /// redraw of the line being typed does not count).
    fn prompt(&mut self, n: usize) -> String {
        let want = if n == 0 {
            "\nstrata 0> ".to_string()
        } else {
            format!("\nstrata {n} ")
        };
        let got = self.expect(&want, 60);
        if n > 0 {
            self.expect("> ", 5);
        }
        got
    }
}

/// Text without terminal escape sequences and carriage returns.
fn clean(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    while let Some(&d) = chars.peek() {
                        chars.next();
                        if d.is_ascii_alphabetic() || d == '~' {
                            break;
                        }
                    }
                }
            }
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// `strata build -i ARGS` on `term`, with its history under `state`.
fn build_i(env: &Env, term: &Term, state: &Path, args: &[&str]) -> Bg {
    let mut all = vec!["build", "-i"];
    all.extend_from_slice(args);
    let mut cmd = env.cmd(&all);
    cmd.env("TERM", "xterm").env("XDG_STATE_HOME", state);
    term.spawn(cmd)
}

fn context(env: &Env) -> PathBuf {
    let ctx = env.dir.join("ctx");
    std::fs::create_dir_all(ctx.join("app")).unwrap();
    std::fs::write(ctx.join("hello.txt"), "hello\n").unwrap();
    std::fs::write(ctx.join("app/main.py"), "print('hi')\n").unwrap();
    ctx
}

fn wait_exit(child: &mut Bg, secs: u64) -> i32 {
    exit_within(child, secs, "build -i").unwrap_or(-1)
}

#[test]
fn typed_steps_run_debug_undo_and_write_the_dockerfile_build_then_rebuilds_from_cache() {
    let env = Env::with_busybox();
    let ctx = context(&env);
    let state = env.dir.join("state");
    let mut t = Term::new();
    let mut child = build_i(
        &env,
        &t,
        &state,
        &["-t", "me/typed:1", ctx.to_str().unwrap()],
    );
    t.expect("the first instruction must be a FROM", 20);
    t.prompt(0);
    let out = t.step("FROM busybox", 1);
    assert!(out.contains("Step 1/1 : FROM busybox"), "{out}");
    let out = t.step("RUN echo one > /made.txt", 2);
    assert!(out.contains(" ---> Running in "), "{out}");
    assert!(out.contains("Removing intermediate container"), "{out}");
    let out = t.step("ENV GREETING=hi", 3);
    assert!(out.contains("Step 3/3 : ENV GREETING=hi"), "{out}");
    // A failing RUN: the prompt stays at step 3; its container is there
    // for .debug, with the files and env of the step.
    t.send("RUN cat /made.txt && exit 3\r");
    t.expect("returned a non-zero code: 3", 30);
    t.prompt(3);
    t.send(".debug\r");
    t.expect("# ", 20);
    t.send("cat /made.txt; echo \"greet=$GREETING\"\r");
    let out = t.expect("greet=hi", 10);
    assert!(out.contains("one"), "{out}");
    t.send("exit\r");
    t.prompt(3);
    // .undo drops ENV: the image is step 2's again.
    let out = t.step(".undo", 2);
    assert!(out.contains("Dropped step 3: ENV GREETING=hi"), "{out}");
    // COPY with a path completed from the context.
    t.send("COPY hel\t");
    t.expect("hello.txt", 10);
    let out = t.step(" /hello.txt", 3);
    assert!(
        out.contains("Step 3/3 : COPY hello.txt /hello.txt"),
        "{out}"
    );
    let out = t.step(".diff", 3);
    assert!(out.contains("A /hello.txt"), "{out}");
    t.step(r#"CMD ["cat", "/hello.txt"]"#, 4);
    let out = t.step(".history", 4);
    assert!(
        out.contains("  1  ") && out.contains("COPY hello.txt /hello.txt"),
        "{out}"
    );
    let out = t.step(".write", 4);
    assert!(out.contains("Wrote 4 steps to"), "{out}");
    t.send(".quit\r");
    t.expect("Successfully built ", 10);
    let short = t.expect("\n", 5).trim().to_string();
    assert_eq!(wait_exit(&mut child, 10), 0);
    let written = std::fs::read_to_string(ctx.join("Dockerfile")).unwrap();
    assert_eq!(
        written,
        "FROM busybox\nRUN echo one > /made.txt\nCOPY hello.txt /hello.txt\nCMD [\"cat\", \"/hello.txt\"]\n"
    );
    // No container is left: the failed step's went with the session.
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    // `build` of the written file: every step from the cache, the same image.
    let out = env.ok(&["build", ctx.to_str().unwrap()]);
    assert_eq!(out.matches(" ---> Using cache").count(), 3, "{out}");
    assert!(
        out.contains(&format!("Successfully built {short}")),
        "{short}: {out}"
    );
    let tagged = env.ok(&["inspect", "-f", "{{.Id}}", "me/typed:1"]);
    assert!(
        tagged.trim().starts_with(&format!("sha256:{short}")),
        "{tagged}"
    );
    assert_eq!(env.ok(&["run", "--rm", "me/typed:1"]), "hello\n");
}

#[test]
fn ctrl_c_stops_a_running_step_and_the_prompt_comes_back_with_no_container() {
    let env = Env::with_busybox();
    let ctx = context(&env);
    let state = env.dir.join("state");
    let mut t = Term::new();
    let mut child = build_i(&env, &t, &state, &["--no-write", ctx.to_str().unwrap()]);
    t.prompt(0);
    t.step("FROM busybox", 1);
    t.send("RUN sleep 30\r");
    t.expect(" ---> Running in ", 20);
    std::thread::sleep(Duration::from_millis(300));
    let at = Instant::now();
    t.send("\x03");
    let out = t.prompt(1);
    assert!(at.elapsed() < Duration::from_secs(2), "{:?}", at.elapsed());
    assert!(out.contains("cancelled"), "{out}");
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    // The session goes on at step 1.
    let out = t.step("ENV A=1", 2);
    assert!(out.contains("Step 2/2 : ENV A=1"), "{out}");
    // A heredoc and a continued line: more lines until they are complete.
    t.send("RUN <<EOF\r");
    t.send("echo from-heredoc-$A\r");
    let out = t.step("EOF", 3);
    assert!(out.contains("from-heredoc-1"), "{out}");
    t.send("RUN echo left \\\r");
    let out = t.step("&& echo right", 4);
    assert!(out.contains("left\nright"), "{out}");
    t.send("\x04");
    assert_eq!(wait_exit(&mut child, 10), 0);
    // --no-write: no Dockerfile was written.
    assert!(!ctx.join("Dockerfile").exists());
}

#[test]
fn history_of_an_earlier_run_comes_back_with_the_up_arrow_and_ctrl_r() {
    let env = Env::with_busybox();
    let ctx = context(&env);
    let state = env.dir.join("state");
    let mut t = Term::new();
    let mut child = build_i(&env, &t, &state, &["--no-write", ctx.to_str().unwrap()]);
    t.prompt(0);
    t.step("FROM busybox", 1);
    t.step("LABEL from=history", 2);
    t.send(".quit\r");
    assert_eq!(wait_exit(&mut child, 10), 0);
    assert!(state.join("strata/build_history").exists());

    let mut t = Term::new();
    let mut child = build_i(&env, &t, &state, &["--no-write", ctx.to_str().unwrap()]);
    t.prompt(0);
    // Up three times: .quit, LABEL, FROM.
    t.send("\x1b[A\x1b[A\x1b[A");
    t.expect("FROM busybox", 10);
    let out = t.step("", 1);
    assert!(out.contains("Step 1/1 : FROM busybox"), "{out}");
    // ctrl-r finds the LABEL.
    t.send("\x12from=hist");
    t.expect("LABEL from=history", 10);
    let out = t.step("", 2);
    assert!(out.contains("Step 2/2 : LABEL from=history"), "{out}");
    assert!(out.contains(" ---> Using cache"), "{out}");
    t.send(".quit\r");
    assert_eq!(wait_exit(&mut child, 10), 0);
}

#[test]
fn a_dockerfile_is_replayed_from_the_cache_and_bad_lines_leave_the_prompt() {
    let env = Env::with_busybox();
    let ctx = context(&env);
    let state = env.dir.join("state");
    let text = "# the app\nFROM busybox\nRUN echo built > /b.txt\nCOPY app /app\n";
    std::fs::write(ctx.join("Dockerfile"), text).unwrap();
    env.ok(&["build", "-q", ctx.to_str().unwrap()]);
    let mut t = Term::new();
    let mut child = build_i(&env, &t, &state, &[ctx.to_str().unwrap()]);
    let out = t.prompt(3);
    assert_eq!(out.matches(" ---> Using cache").count(), 2, "{out}");
    // An unknown instruction, a .write that cannot be, an unknown
    // command, an undo too many, a step before any FROM: a line each, and
    // the prompt stays.
    let out = t.step("BOGUS x", 3);
    assert!(out.contains("unknown instruction"), "{out}");
    let out = t.step(".write /proc/no/such/Dockerfile", 3);
    assert!(
        out.contains("Error: write /proc/no/such/Dockerfile"),
        "{out}"
    );
    let out = t.step(".nonsense", 3);
    assert!(out.contains("unknown command"), "{out}");
    for n in (0..3).rev() {
        t.step(".undo", n);
    }
    let out = t.step(".undo", 0);
    assert!(out.contains("nothing to undo"), "{out}");
    let out = t.step("RUN true", 0);
    assert!(out.contains("no build stage"), "{out}");
    // A step kept after the replay rewrites the file: comments stay.
    t.step("FROM busybox", 1);
    t.send(".quit\r");
    assert_eq!(wait_exit(&mut child, 10), 0);
    assert_eq!(
        std::fs::read_to_string(ctx.join("Dockerfile")).unwrap(),
        "FROM busybox\n"
    );

    // A Dockerfile that does not parse: the error, the prompt, and the
    // file is left as it was.
    let bad = "FROM busybox\nRUN echo ok\nBOGUS here\n";
    std::fs::write(ctx.join("Dockerfile"), bad).unwrap();
    let mut t = Term::new();
    let mut child = build_i(&env, &t, &state, &[ctx.to_str().unwrap()]);
    // The steps before the bad line are kept.
    let out = t.prompt(2);
    assert!(out.contains("unknown instruction"), "{out}");
    assert!(out.contains("not rewritten until .write"), "{out}");
    t.step("FROM busybox", 3);
    t.send(".quit\r");
    assert_eq!(wait_exit(&mut child, 10), 0);
    assert_eq!(
        std::fs::read_to_string(ctx.join("Dockerfile")).unwrap(),
        bad
    );
}

#[test]
fn build_i_without_a_terminal_is_a_clear_error() {
    let env = Env::with_busybox();
    let ctx = context(&env);
    let (_, err) = env.code(1, &["build", "-i", ctx.to_str().unwrap()]);
    assert!(err.contains("the input device is not a TTY"), "{err}");
    assert!(!ctx.join("Dockerfile").exists());
}

#[test]
fn explain_cache_names_the_changed_copy_source_and_build_arg() {
    let env = Env::with_busybox();
    let ctx = context(&env);
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox\nARG V=1\nCOPY app /app\nRUN echo $V\n",
    )
    .unwrap();
    let c = ctx.to_str().unwrap();
    env.ok(&["build", "-q", c]);
    // Nothing changed: no misses to explain.
    let out = env.ok(&["build", "--explain-cache", c]);
    assert!(!out.contains("Cache miss"), "{out}");
    std::fs::write(ctx.join("app/main.py"), "print('changed')\n").unwrap();
    let out = env.ok(&["build", "--explain-cache", c]);
    assert!(
        out.contains(" ---> Cache miss: COPY source changed: app/main.py"),
        "{out}"
    );
    assert!(out.contains(" ---> Cache miss: its parent is new"), "{out}");
    let out = env.ok(&["build", "--explain-cache", "--build-arg", "V=2", c]);
    assert!(
        out.contains(" ---> Cache miss: build arg V changed"),
        "{out}"
    );
    // Without the flag, docker's output: no such lines.
    std::fs::write(ctx.join("app/main.py"), "print('again')\n").unwrap();
    let out = env.ok(&["build", c]);
    assert!(!out.contains("Cache miss"), "{out}");
}
