//! Leaf helpers shared by every part: atomic file writes, store locks,
//! random ids, sha256 digests and docker-style time stamps. No part of
//! strata's logic lives here; these are the bricks the stores are made of.

pub mod fsx;
pub mod hash;
pub mod ids;
pub mod lock;
pub mod time;
