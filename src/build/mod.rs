//! The builder, pure: no files, no processes. It holds the config-only
//! dispatch that both `commit --change` and `build` use, so a committed
//! image and a built one get the same config semantics and history text,
//! and the `.dockerignore` rules.

mod dispatch;
pub mod ignore;

pub use dispatch::{apply_config, expand_ports, healthcheck_override_note, ConfigState};

use std::fmt;

/// A build or change step that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<crate::dockerfile::ParseError> for Error {
    fn from(e: crate::dockerfile::ParseError) -> Error {
        Error(e.0)
    }
}
