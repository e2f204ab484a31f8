//! Leaf helpers shared by every part: atomic file writes, store locks,
//! random ids, sha256 digests, docker-style time stamps and Go's quoting. No part of
//! strata's logic lives here; these are the bricks the stores are made of.

pub mod fsx;
pub mod gofmt;
pub mod hash;
pub mod ids;
pub mod lock;
pub mod proc;
pub mod time;
