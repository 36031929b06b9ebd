//! The process exit codes, and which one each failure ends the process with.

use super::SlimError;

/// The process exit codes, as documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Everything asked for was done and every check passed.
    Success = 0,
    /// The command ran, but what it checked failed: a preflight check, a
    /// reproducibility verification, a size budget.
    CheckFailed = 1,
    /// The command could not do its job: bad input, missing tool, build failure.
    Error = 2,
}

impl SlimError {
    /// The exit code this failure ends the process with: 2, a failure to do the
    /// job, but for the outcomes that stop a command after a check said no or the
    /// function under test failed (1).
    pub(crate) fn exit(&self) -> Exit {
        match self {
            SlimError::PreflightRefused { .. }
            | SlimError::InvocationsFailed { .. }
            | SlimError::NotConcurrent { .. } => Exit::CheckFailed,
            _ => Exit::Error,
        }
    }
}
