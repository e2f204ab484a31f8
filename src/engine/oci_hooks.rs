//! OCI lifecycle hooks (runtime-spec `config.md#posix-platform-hooks`):
//! each a program run in the runtime's namespaces with the container's
//! state on its stdin. `prestart`/`createRuntime` run once the container
//! exists and before its program runs (a failure fails the create);
//! `poststart` after the start and `poststop` after the delete, whose
//! failures are warnings.

use super::{Error, Result};
use oci_spec::runtime as oci;
use serde_json::Value;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `hooks` in order; the first failure is the error.
pub fn run_all(which: &str, hooks: &[oci::Hook], state: &Value) -> Result<()> {
    for (i, h) in hooks.iter().enumerate() {
        run(h, state)
            .map_err(|e| Error::Invalid(format!("error running {which} hook #{i}: {e}")))?;
    }
    Ok(())
}

/// Runs every hook of `hooks`; each failure is a warning returned.
pub fn run_warn(which: &str, hooks: &[oci::Hook], state: &Value) -> Vec<String> {
    hooks
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            run(h, state)
                .err()
                .map(|e| format!("error running {which} hook #{i}: {e}"))
        })
        .collect()
}

fn run(h: &oci::Hook, state: &Value) -> std::result::Result<(), String> {
    let path = h.path();
    if !path.is_absolute() {
        return Err(format!("{}: the path must be absolute", path.display()));
    }
    let args = h.args().clone().unwrap_or_default();
    let mut cmd = Command::new(path);
    if let Some((first, rest)) = args.split_first() {
        cmd.arg0(first).args(rest);
    }
    cmd.env_clear();
    for kv in h.env().clone().unwrap_or_default() {
        if let Some((k, v)) = kv.split_once('=') {
            cmd.env(k, v);
        }
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    // Drained as it comes, so a chatty hook cannot block on a full pipe.
    let errors = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            use std::io::Read;
            let mut text = String::new();
            let _ = e.read_to_string(&mut text);
            text
        })
    });
    if let Some(mut i) = child.stdin.take() {
        // A hook that does not read its state is no error.
        let _ = i.write_all(state.to_string().as_bytes());
    }
    let timeout = h.timeout().filter(|t| *t > 0).map(|t| t as u64);
    let deadline = timeout.map(|t| Instant::now() + Duration::from_secs(t));
    loop {
        match child.try_wait() {
            Ok(Some(st)) if st.success() => return Ok(()),
            Ok(Some(st)) => {
                let err = errors.and_then(|t| t.join().ok()).unwrap_or_default();
                let err = err.trim();
                return Err(format!(
                    "{}: {st}{}{err}",
                    path.display(),
                    if err.is_empty() { "" } else { ", stderr: " }
                ));
            }
            Ok(None) => {}
            Err(e) => return Err(e.to_string()),
        }
        if deadline.is_some_and(|d| Instant::now() > d) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{}: timeout after {} seconds",
                path.display(),
                timeout.unwrap_or(0)
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
