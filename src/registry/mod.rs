//! Talking to the network: the HTTP(S) transport `ADD <url>` downloads
//! with, and the distribution (v2) client `pull`, `push` and `login` use,
//! with docker's credential file. Knows no store: blobs come and go as
//! streams and files.

pub mod auth;
pub mod client;
pub mod http;

pub use auth::Credentials;
pub use client::Client;

use std::fmt;
use std::path::PathBuf;

/// A transfer that failed: the URL and docker's wording of the cause.
#[derive(Debug)]
pub enum Error {
    /// The server answered with an error status.
    Status {
        method: String,
        url: String,
        code: u16,
        text: String,
    },
    /// A download (ADD <url>) got an error status.
    Download {
        url: String,
        code: u16,
        text: String,
    },
    /// The registry refused the credentials, or wants some.
    Unauthorized { url: String, why: String },
    /// No answer: DNS, connect, TLS, a cut connection.
    Transport { url: String, cause: String },
    /// The registry answered something that breaks the protocol.
    Protocol(String),
    /// docker's client config could not be read.
    Config { path: PathBuf, why: String },
    /// The bytes could not be written here.
    Io { what: String, err: std::io::Error },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Status {
                method,
                url,
                code,
                text,
            } => {
                let m = method.to_ascii_uppercase();
                let m = format!("{}{}", &m[..1], m[1..].to_ascii_lowercase());
                write!(f, "{m} {url:?}: {text} (HTTP {code})")
            }
            Error::Download { url, code, text } => {
                write!(f, "failed to GET {url} with status {code} {text}")
            }
            Error::Unauthorized { url, why } => write!(f, "Get {url:?}: {why}"),
            Error::Transport { url, cause } => write!(f, "failed to GET {url}: {cause}"),
            Error::Protocol(m) => f.write_str(m),
            Error::Config { path, why } => {
                write!(f, "loading config file {}: {why}", path.display())
            }
            Error::Io { what, err } => write!(f, "{what}: {err}"),
        }
    }
}

impl std::error::Error for Error {}
