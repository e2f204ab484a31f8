//! The attach protocol between a detached container's monitor and its
//! clients (`attach`, `run -it`, `start -a`), on the monitor's unix
//! socket: frames of one kind byte, a big-endian u32 length, the bytes.
//!
//! Client to monitor: 0 input (the container's stdin), 1 a window size
//! (rows, cols as u16), 2 a signal (i32) for the container's init, 3 the
//! end of input (the container's stdin is closed: the API's `StdinOnce`).
//! Monitor to client: 1 stdout, 2 stderr, 3 the exit code (i32), last.
//! One module for both ends, so they cannot disagree.

use std::io::{self, Read};

pub const INPUT: u8 = 0;
pub const RESIZE: u8 = 1;
pub const SIGNAL: u8 = 2;
pub const CLOSE_INPUT: u8 = 3;
pub const STDOUT: u8 = 1;
pub const STDERR: u8 = 2;
pub const EXIT: u8 = 3;

/// The most a frame may carry: a bigger length is a broken peer.
pub const MAX: usize = 1 << 20;

/// A frame of `kind` with `data`.
pub fn frame(kind: u8, data: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(5 + data.len());
    f.push(kind);
    f.extend_from_slice(&(data.len() as u32).to_be_bytes());
    f.extend_from_slice(data);
    f
}

/// A window-size frame.
pub fn resize(rows: u16, cols: u16) -> Vec<u8> {
    let mut d = rows.to_be_bytes().to_vec();
    d.extend_from_slice(&cols.to_be_bytes());
    frame(RESIZE, &d)
}

/// A four-byte big-endian number frame (a signal, an exit code).
pub fn number(kind: u8, n: i32) -> Vec<u8> {
    frame(kind, &n.to_be_bytes())
}

/// The next frame, or `None` at the end of the stream; a frame over
/// [`MAX`] or cut short is an error.
pub fn read(r: &mut impl Read) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    match r.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("an attach frame of {len} bytes"),
        ));
    }
    let mut data = vec![0u8; len];
    r.read_exact(&mut data)?;
    Ok(Some((head[0], data)))
}

/// The number a four-byte frame carries.
pub fn as_number(data: &[u8]) -> Option<i32> {
    <[u8; 4]>::try_from(data).ok().map(i32::from_be_bytes)
}

/// The (rows, cols) a window-size frame carries.
pub fn as_size(data: &[u8]) -> Option<(u16, u16)> {
    match data {
        [r0, r1, c0, c1] => Some((
            u16::from_be_bytes([*r0, *r1]),
            u16::from_be_bytes([*c0, *c1]),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_back_and_bad_ones_are_errors() {
        let mut wire = frame(STDOUT, b"hello");
        wire.extend(resize(33, 101));
        wire.extend(number(EXIT, -3));
        let mut r = &wire[..];
        assert_eq!(read(&mut r).unwrap(), Some((STDOUT, b"hello".to_vec())));
        let (k, d) = read(&mut r).unwrap().unwrap();
        assert_eq!((k, as_size(&d)), (RESIZE, Some((33, 101))));
        let (k, d) = read(&mut r).unwrap().unwrap();
        assert_eq!((k, as_number(&d)), (EXIT, Some(-3)));
        assert_eq!(read(&mut r).unwrap(), None);
        // Cut short, and too big.
        let cut = &frame(STDERR, b"abc")[..6];
        assert!(read(&mut &cut[..]).is_err());
        let mut big = vec![INPUT];
        big.extend_from_slice(&((MAX as u32) + 1).to_be_bytes());
        assert!(read(&mut &big[..]).is_err());
    }
}
