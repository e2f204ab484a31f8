//! `pull`, `push`, `login`, `logout`.

use super::{fail, out, Code};
use crate::engine::{registry_host, Credentials, Engine, Error, PullOptions, Transfer};
use clap::Args;
use std::io::{BufRead, IsTerminal, Write};

#[derive(Args, Debug)]
pub struct PullArgs {
    /// Download all tagged images in the repository
    #[arg(short, long)]
    all_tags: bool,
    /// Set platform if server is multi-platform capable (os/arch[/variant])
    #[arg(long, value_name = "PLATFORM")]
    platform: Option<String>,
    /// Suppress verbose output
    #[arg(short, long)]
    quiet: bool,
    /// Require HTTPS and verify certificates (false: plain HTTP)
    #[arg(long, value_name = "BOOL", default_value = "true", action = clap::ArgAction::Set)]
    tls_verify: bool,
    /// NAME[:TAG|@DIGEST]
    name: String,
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// Push all tags of the repository
    #[arg(short, long)]
    all_tags: bool,
    /// Suppress verbose output
    #[arg(short, long)]
    quiet: bool,
    /// Require HTTPS and verify certificates (false: plain HTTP)
    #[arg(long, value_name = "BOOL", default_value = "true", action = clap::ArgAction::Set)]
    tls_verify: bool,
    /// NAME[:TAG]
    name: String,
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// Username
    #[arg(short, long)]
    username: Option<String>,
    /// Password
    #[arg(short, long)]
    password: Option<String>,
    /// Take the password from stdin
    #[arg(long)]
    password_stdin: bool,
    /// Require HTTPS and verify certificates (false: plain HTTP)
    #[arg(long, value_name = "BOOL", default_value = "true", action = clap::ArgAction::Set)]
    tls_verify: bool,
    /// The registry (default: Docker Hub)
    server: Option<String>,
}

#[derive(Args, Debug)]
pub struct LogoutArgs {
    /// The registry (default: Docker Hub)
    server: Option<String>,
}

/// Where progress lines go: nowhere (`-q`), one per line, or on a
/// terminal a line per layer updated in place (docker's display).
struct Board {
    quiet: bool,
    tty: bool,
    ids: std::cell::RefCell<Vec<String>>,
}

impl Board {
    fn new(quiet: bool) -> Board {
        Board {
            quiet,
            tty: !quiet && std::io::stdout().is_terminal(),
            ids: Default::default(),
        }
    }

    fn say(&self, t: &Transfer) {
        if self.quiet {
            return;
        }
        if self.tty {
            return self.show(t);
        }
        let mut o = std::io::stdout().lock();
        let _ = writeln!(o, "{t}");
        let _ = o.flush();
    }

    /// On a terminal: each layer's line redrawn in place.
    fn show(&self, t: &Transfer) {
        let line = t.to_string();
        let mut o = std::io::stdout().lock();
        let id = t.id();
        let mut ids = self.ids.borrow_mut();
        match id.and_then(|id| ids.iter().position(|x| x == id).map(|p| (id, p))) {
            Some((_, pos)) => {
                let up = ids.len() - pos;
                let _ = write!(o, "\x1b[{up}A\r\x1b[2K{line}\x1b[{up}B\r");
            }
            None => {
                if let Some(id) = id {
                    ids.push(id.to_string());
                }
                let _ = writeln!(o, "{line}");
            }
        }
        let _ = o.flush();
    }
}

pub fn exec_pull(engine: &Engine, a: PullArgs) -> Code {
    let board = Board::new(a.quiet);
    let say = |t: Transfer| board.say(&t);
    let opts = PullOptions {
        platform: a.platform.clone(),
        progress: board.tty,
        tls_verify: a.tls_verify,
    };
    let pulled = if a.all_tags {
        engine.pull_all_tags(&a.name, &opts, &say)
    } else {
        engine.pull(&a.name, &opts, &say).map(|p| p.reference)
    };
    match pulled {
        Ok(r) => {
            out(&format!("{}\n", r.canonical()));
            0
        }
        Err(e) => {
            fail(&e);
            1
        }
    }
}

pub fn exec_push(engine: &Engine, a: PushArgs) -> Code {
    let board = Board::new(a.quiet);
    let say = |t: Transfer| board.say(&t);
    let pushed = if a.all_tags {
        engine.push_all_tags(&a.name, a.tls_verify, board.tty, &say)
    } else {
        engine
            .push(&a.name, a.tls_verify, board.tty, &say)
            .map(|_| ())
    };
    match pushed {
        Ok(_) => 0,
        Err(e) => {
            fail(&e);
            1
        }
    }
}

fn prompt(text: &str, echo: bool) -> std::io::Result<String> {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
    eprint!("{text}");
    let stdin = std::io::stdin();
    let saved = if echo {
        None
    } else {
        tcgetattr(&stdin).ok().inspect(|t| {
            let mut quiet = t.clone();
            quiet.local_flags.remove(LocalFlags::ECHO);
            let _ = tcsetattr(&stdin, SetArg::TCSANOW, &quiet);
        })
    };
    let mut line = String::new();
    let r = stdin.lock().read_line(&mut line);
    if let Some(t) = saved {
        let _ = tcsetattr(&stdin, SetArg::TCSANOW, &t);
        eprintln!();
    }
    r?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// docker's client exits 1 when a login fails, whatever the reason.
pub fn exec_login(engine: &Engine, a: LoginArgs) -> Code {
    match login(engine, a) {
        0 => 0,
        _ => 1,
    }
}

fn login(engine: &Engine, a: LoginArgs) -> Code {
    if a.password.is_some() && a.password_stdin {
        return fail(&Error::Invalid(
            "--password and --password-stdin are mutually exclusive".into(),
        ));
    }
    let interactive = std::io::stdin().is_terminal();
    let io_err = |err| Error::Io {
        what: "reading the credentials".into(),
        err,
    };
    let username = match a.username {
        Some(u) => u,
        None if interactive && !a.password_stdin => match prompt("Username: ", true) {
            Ok(u) => u,
            Err(e) => return fail(&io_err(e)),
        },
        None => {
            return fail(&Error::Invalid(
                "Cannot perform an interactive login from a non TTY device".into(),
            ))
        }
    };
    let password = if a.password_stdin {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            return fail(&io_err(e));
        }
        s.trim_end_matches(['\n', '\r']).to_string()
    } else if let Some(p) = a.password {
        eprintln!("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        p
    } else if interactive {
        match prompt("Password: ", false) {
            Ok(p) => p,
            Err(e) => return fail(&io_err(e)),
        }
    } else {
        return fail(&Error::Invalid(
            "Cannot perform an interactive login from a non TTY device".into(),
        ));
    };
    if username.is_empty() {
        return fail(&Error::Invalid("Username is required".into()));
    }
    if password.is_empty() {
        return fail(&Error::Invalid("Password is required".into()));
    }
    match engine.login(
        a.server.as_deref(),
        Credentials { username, password },
        a.tls_verify,
    ) {
        Ok(()) => {
            out("Login Succeeded\n");
            0
        }
        Err(e) => {
            fail(&e);
            1
        }
    }
}

pub fn exec_logout(engine: &Engine, a: LogoutArgs) -> Code {
    let host = registry_host(a.server.as_deref());
    match engine.logout(a.server.as_deref()) {
        Ok(true) => {
            out(&format!("Removing login credentials for {host}\n"));
            0
        }
        Ok(false) => {
            out(&format!("Not logged in to {host}\n"));
            0
        }
        Err(e) => fail(&e),
    }
}
