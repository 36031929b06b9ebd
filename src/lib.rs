//! cargo-slim: build, audit and package the smallest reproducible AWS Lambda
//! `bootstrap` for a Rust function.
//!
//! The pipeline of `cargo slim build`, one module a stage, top to bottom:
//! [`plan`] (what to build) → [`toolchain`] (rustc, target std, linker) →
//! [`cargo_build`] (one cargo invocation per target) → [`preflight`] (can the
//! runtime start it) → [`strip`] → [`package`] (function.zip) → [`manifest`] →
//! [`report`]. [`size`] reads the unstripped ELF; [`verify`] rebuilds and compares.

pub mod atomic;
pub mod build;
pub mod cargo_build;
pub mod cargo_config;
pub mod cli;
pub mod error;
pub mod hash;
pub mod linker;
pub mod manifest;
pub mod package;
pub mod plan;
pub mod preflight;
pub mod profile;
pub mod report;
pub mod rustflags;
pub mod size;
pub mod strip;
pub mod table;
pub mod target;
pub mod toolchain;
pub mod ui;
pub mod verify;

use std::process::ExitCode;

use cli::{Cli, Command};
use error::Exit;

/// Parse the command line, run it, and turn the outcome into an exit code. Errors
/// are printed here, once; nothing below prints an error and exits.
pub fn main_entry() -> ExitCode {
    let cli = cli::parse_from_env();
    match run(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let (text, exit) = error::render(&err);
            ui::eprintln_error(&text);
            ExitCode::from(exit as u8)
        }
    }
}

/// Run one parsed command.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let ui = ui::Ui::new(&cli.global);
    match cli.command {
        Command::Build(args) => build::run(&ui, &args),
        Command::Size(args) => size::run(&ui, &args),
        Command::Verify(args) => verify::run(&ui, &args),
        Command::Check(args) => preflight::run(&ui, &args),
    }
}
