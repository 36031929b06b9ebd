//! The integration tests, as one test binary: cargo would link every `tests/*.rs`
//! into a binary of its own, with the crate and all its dependencies each time.
//! Each module drives the real `cargo-slim` on real fixture crates; `common` holds
//! what they share, so a fixture behind a `OnceLock` is built once per run.
//!
//! A new test file is a module here (`tests/suite/NAME.rs` and `mod NAME;`), not
//! a new `tests/NAME.rs`, which cargo would build as another binary. One area's
//! tests: `cargo test --test suite NAME::`.

mod common;

mod budget;
mod build;
mod build_errors;
mod cpu;
mod generate;
mod host_paths;
mod hostile_manifest;
mod image;
mod layers;
mod new;
mod owners;
mod portable;
mod preflight;
mod readme;
mod reprotest;
mod run;
mod run_cleanup;
mod run_concurrent;
mod run_filesystem;
mod shape;
mod size;
mod supply_chain;
mod terminal;
mod verify;
