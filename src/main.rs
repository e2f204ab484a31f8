//! strata: a daemonless, docker-compatible container tool.
//!
//! Data flows one way: cli -> engine -> {image, container, runtime,
//! archive} -> util. See ARCHITECTURE.md.

#![deny(unsafe_op_in_unsafe_fn)]
// The entry is C's `main`, not std's: see `runtime::process_start`.
#![cfg_attr(not(test), no_main)]

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

/// The process's entry, called by libc's start-up with the program's
/// arguments (std reads them itself, from libc, as it always does).
/// `process::exit` flushes stdout, as returning from std's main would.
// SAFETY: the one `main` symbol in the program; its signature is C's.
#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    std::process::exit(run());
}

/// What the entry runs. (The test harness brings its own `main`; there
/// this stays reachable for the dead-code lint.)
#[cfg_attr(test, allow(dead_code))]
fn run() -> std::ffi::c_int {
    runtime::process_start();
    cli::main()
}
