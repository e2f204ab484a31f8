//! The hijacked streams of attach and exec: docker's 8-byte frames, the
//! proxy between a client and a monitor's attach connection, and the
//! check for a client that went away.

use super::http::Stream;
use crate::engine::attach_proto as proto;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::sync::mpsc;

/// docker's multiplexed frame: `[stream, 0, 0, 0, len as u32 BE]` + bytes.
pub fn frame(stream: u8, data: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(8 + data.len());
    f.extend_from_slice(&[stream, 0, 0, 0]);
    f.extend_from_slice(&(data.len() as u32).to_be_bytes());
    f.extend_from_slice(data);
    f
}

/// Whether the peer has closed its end (a read would give EOF), waiting
/// up to `ms` for it. Data pending is not consumed.
pub fn client_gone(s: &Stream, ms: u16) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use nix::sys::socket::{recv, MsgFlags};
    use std::os::fd::AsFd;
    let mut fds = [PollFd::new(s.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::from(ms)) {
        Ok(n) if n > 0 => {
            let mut b = [0u8; 1];
            matches!(
                recv(
                    s.as_fd().as_raw_fd(),
                    &mut b,
                    MsgFlags::MSG_PEEK | MsgFlags::MSG_DONTWAIT
                ),
                Ok(0) | Err(nix::errno::Errno::ECONNRESET)
            )
        }
        _ => false,
    }
}

/// What the client sends up a hijacked stream: its bytes, then `None` at
/// its end (a half-close, or it went away). `pre` is what was read with
/// the request head.
pub fn pump_input(mut from: Stream, pre: Vec<u8>) -> mpsc::Receiver<Option<Vec<u8>>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if !pre.is_empty() && tx.send(Some(pre)).is_err() {
            return;
        }
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(None);
                    return;
                }
                Ok(n) => {
                    if tx.send(Some(buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

/// Which of the container's streams the client asked for, and how.
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    pub stdout: bool,
    pub stderr: bool,
    /// Raw bytes (a tty) instead of frames.
    pub tty: bool,
    /// The client's end of input closes the container's stdin (docker's
    /// `StdinOnce` without a tty).
    pub close_stdin: bool,
}

/// Proxies a monitor's attach connection and a hijacked client until the
/// container exits (its code) or the monitor goes (`None`).
pub fn proxy_monitor(
    mut client: Stream,
    monitor: std::os::unix::net::UnixStream,
    input: Option<mpsc::Receiver<Option<Vec<u8>>>>,
    want: Wanted,
) -> Option<i32> {
    if let (Some(input), Ok(mut up)) = (input, monitor.try_clone()) {
        std::thread::spawn(move || {
            for msg in input {
                match msg {
                    Some(d) => {
                        if up.write_all(&proto::frame(proto::INPUT, &d)).is_err() {
                            return;
                        }
                    }
                    None => {
                        if want.close_stdin {
                            let _ = up.write_all(&proto::frame(proto::CLOSE_INPUT, &[]));
                        }
                        return;
                    }
                }
            }
        });
    }
    let mut monitor = monitor;
    let mut code = None;
    while let Ok(Some((kind, data))) = proto::read(&mut monitor) {
        let wanted = match kind {
            proto::STDOUT => want.stdout,
            proto::STDERR => want.stderr,
            proto::EXIT => {
                code = proto::as_number(&data);
                break;
            }
            _ => false,
        };
        if !wanted || data.is_empty() {
            continue;
        }
        let sent = if want.tty {
            client.write_all(&data)
        } else {
            client.write_all(&frame(kind, &data))
        };
        if sent.is_err() {
            break;
        }
    }
    let _ = monitor.shutdown(std::net::Shutdown::Both);
    client.shutdown(std::net::Shutdown::Both);
    code
}

#[cfg(test)]
mod tests {
    #[test]
    fn frames_have_docker_s_header() {
        assert_eq!(
            super::frame(2, b"hi"),
            vec![2, 0, 0, 0, 0, 0, 0, 2, b'h', b'i']
        );
    }
}
