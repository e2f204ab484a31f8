//! strata: a daemonless, docker-compatible container tool.
//!
//! Data flows one way: cli -> engine -> {image, container, runtime,
//! archive} -> util. See ARCHITECTURE.md.

#![deny(unsafe_op_in_unsafe_fn)]

mod api;
mod archive;
mod build;
mod cli;
mod container;
mod dockerfile;
mod engine;
mod image;
mod layering;
mod network;
mod oci;
mod registry;
mod runtime;
mod util;
mod volume;

fn main() {
    std::process::exit(cli::main());
}
