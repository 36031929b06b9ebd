//! cargo-slim's executable doubles as the two helper processes of `run` and
//! `bench`, chosen by a hidden first argument: the supervisor of one function
//! process ([`process::supervisor`](super::process::supervisor)) and the janitor
//! of a run's leftovers ([`leftovers::janitor`](super::leftovers::janitor)). One
//! executable means no second file to install or to find, and the same version
//! on both sides of their pipes.

use std::process::ExitCode;

use super::leftovers::janitor;
use super::process::supervisor;

/// When we were started as a helper, run it and return its exit code.
pub(crate) fn main_if_helper() -> Option<ExitCode> {
    let first = std::env::args_os().nth(1)?;
    if first == supervisor::ARG {
        Some(supervisor::main())
    } else if first == janitor::ARG {
        Some(janitor::main())
    } else {
        None
    }
}
