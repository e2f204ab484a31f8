//! strata's integration tests: the real binary, as root, on real kernels
//! features, each test against a store of its own.

mod util;
mod volumes;

mod build;
mod build_i;
mod cli;
mod commit;
mod cp;
mod detach;
mod docker_oracle;
mod errors;
mod events;
mod images;
mod isolation;
mod limits;
mod network;
mod networks;
mod oci;
mod pty;
mod registry;
mod run;
mod serve;
mod store;
mod story;
