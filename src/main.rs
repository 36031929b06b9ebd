//! `cargo-slim`: the binary entry point. All logic lives in the library; this file
//! only parses the command line, runs it, prints an error once and picks the exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    cargo_slim::main_entry()
}
