//! Talking to the network: today the HTTP(S) transport that `ADD <url>`
//! downloads with; the distribution-v2 client (`pull`, `push`) grows here.

pub mod http;

use std::fmt;

/// A transfer that failed: the URL and docker's wording of the cause.
#[derive(Debug)]
pub enum Error {
    /// The server answered with an error status.
    Status {
        url: String,
        code: u16,
        text: String,
    },
    /// No answer: DNS, connect, TLS, a cut connection.
    Transport { url: String, cause: String },
    /// The bytes could not be written here.
    Io { what: String, err: std::io::Error },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Status { url, code, text } => {
                write!(f, "failed to GET {url} with status {code} {text}")
            }
            Error::Transport { url, cause } => write!(f, "failed to GET {url}: {cause}"),
            Error::Io { what, err } => write!(f, "{what}: {err}"),
        }
    }
}

impl std::error::Error for Error {}
