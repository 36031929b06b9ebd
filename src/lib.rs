//! cargo-slim: build, audit and package the smallest reproducible AWS Lambda
//! `bootstrap` for a Rust function.
//!
//! Layers, each importing only the ones below it (docs/architecture.md):
//! [`cli`] (clap types) → [`commands`] (compose everything) → [`pipeline`] (the
//! stages of a build) and the analyses [`size`], [`preflight`], [`verify`] →
//! `artifact` (the one ELF and zip reader) and [`model`] (targets, the manifest) →
//! [`ui`] and [`util`]. [`runtime`] (a local Lambda execution environment) and
//! [`bench`] (its measurements) are analyses too, used by `run` and `bench`.
//!
//! The crate is a program: its modules are private and their items `pub(crate)`
//! (`unreachable_pub` holds it so), which lets the compiler report dead code. The
//! few `pub use` items below are what the integration tests and the fuzz target
//! call in process.

#![warn(unreachable_pub)]

mod artifact;
mod bench;
mod cli;
mod commands;
mod generate;
mod model;
mod output;
mod pipeline;
mod preflight;
mod runtime;
mod scaffold;
mod size;
mod ui;
mod util;
mod verify;

pub use model::target::{host_arch, Arch, Runtime};
pub use preflight::check_elf;
pub use size::{analyze, Options as SizeOptions};
pub use ui::table::bytes as format_bytes;

use std::process::ExitCode;

use cli::{Cli, Command};
use util::error::{self, Exit};

/// Parse the command line, run it, and turn the outcome into an exit code. Errors
/// are printed here, once; nothing below prints an error and exits.
pub fn main_entry() -> ExitCode {
    if let Some(code) = runtime::helpers::main_if_helper() {
        return code;
    }
    match cli::parse_from_env().and_then(run) {
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
fn run(cli: Cli) -> anyhow::Result<Exit> {
    let ui = cli.global.ui();
    match cli.command {
        Command::Build(args) => commands::build::run(
            &ui,
            &args.select.to_selection()?,
            &args.opts.to_requested()?,
        ),
        Command::Size(args) => commands::size::run(&ui, &args.to_request()?),
        Command::Verify(args) => commands::verify::run(&ui, &args.to_request()?),
        Command::Check(args) => commands::check::run(
            &ui,
            &args.path,
            args.arch,
            args.runtime,
            args.cpu_baseline.map(|b| b.0),
        ),
        Command::Run(args) => commands::run::run(&ui, &args.to_request()?),
        Command::Bench(args) => commands::bench::run(&ui, &args.to_request()?),
        Command::New(args) => commands::new::run(&ui, &args.request()),
        Command::Init(args) => commands::new::run(&ui, &args.request()),
        Command::Generate(args) => commands::generate::run(&ui, &args.request()?),
    }
}
