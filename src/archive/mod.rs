//! Tar <-> directory, and nothing about stores: unpack a (possibly
//! compressed) layer or rootfs tar into a directory safely, turning OCI
//! whiteouts into overlay whiteouts; pack a directory (an overlay upper dir
//! or a merged root) into a canonical tar. Both hash the stream as it goes.

mod compress;
mod pack;
mod unpack;

pub use compress::{decompressor, Compression};
pub use pack::{pack, PackOptions};
pub use unpack::unpack;
pub use unpack::{unpack_in_root, unpack_pipelined};

use std::fmt;
use std::io;
use std::path::PathBuf;

/// What went wrong with an archive.
#[derive(Debug)]
pub enum Error {
    /// The input is not a tar archive at all.
    NotTar(String),
    /// An entry tries to leave the destination (`..`, a path through a symlink).
    Escape(String),
    /// A compression we do not read (bzip2, xz).
    Unsupported(&'static str),
    /// Reading the input or writing the tree failed.
    Io {
        path: Option<PathBuf>,
        err: io::Error,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, err: io::Error) -> Error {
        Error::Io {
            path: Some(path.into()),
            err,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotTar(why) => {
                let why: String = why
                    .chars()
                    .take(120)
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                write!(f, "archive/tar: invalid tar header ({why})")
            }
            Error::Escape(p) => write!(f, "invalid tar entry {p:?}: path escapes the destination"),
            Error::Unsupported(c) => write!(f, "unsupported compression: {c}"),
            Error::Io { path: Some(p), err } => write!(f, "{}: {err}", p.display()),
            Error::Io { path: None, err } => write!(f, "reading archive: {err}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        Error::Io { path: None, err }
    }
}
