//! Errors a user can meet, each with what to do next.
//!
//! Most code returns `anyhow::Result` and adds context as it goes; where the failure
//! is one a user can act on, the root cause is a [`SlimError`] whose message says how.

use std::fmt;

/// The process exit codes, as documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done and every check passed.
    Success = 0,
    /// The command ran, but what it checked failed: a preflight check, a
    /// reproducibility verification, a size budget.
    CheckFailed = 1,
    /// The command could not do its job: bad input, missing tool, build failure.
    Error = 2,
}

/// A failure the user can act on. The `Display` text is the whole message; the
/// `hint` (when there is one) is printed on its own line after it.
#[derive(Debug)]
pub struct SlimError {
    pub message: String,
    pub hint: Option<String>,
    pub exit: Exit,
}

impl SlimError {
    pub fn new(message: impl Into<String>) -> Self {
        SlimError {
            message: message.into(),
            hint: None,
            exit: Exit::Error,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A check that ran and said no (exit code 1 rather than 2).
    pub fn check_failed(message: impl Into<String>) -> Self {
        SlimError {
            message: message.into(),
            hint: None,
            exit: Exit::CheckFailed,
        }
    }
}

impl fmt::Display for SlimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SlimError {}

/// Shorthand for returning a [`SlimError`] from a function that returns `anyhow::Result`.
#[macro_export]
macro_rules! bail_user {
    ($($arg:tt)*) => {
        return Err($crate::util::error::SlimError::new(format!($($arg)*)).into())
    };
}

/// True when an error chain ends in a broken pipe: `cargo slim size | head` closing
/// early is not a failure worth reporting.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Render an error chain for the terminal: `error: outer`, then each cause on a
/// `caused by:` line, then the hint of the first [`SlimError`] in the chain.
pub fn render(err: &anyhow::Error) -> (String, Exit) {
    let mut out = format!("error: {err}");
    let mut last = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        // anyhow's context often repeats the cause verbatim; say each thing once.
        if !last.contains(&text) {
            out.push_str(&format!("\n  caused by: {text}"));
        }
        last = text;
    }
    let slim = err.chain().find_map(|c| c.downcast_ref::<SlimError>());
    if let Some(hint) = slim.and_then(|s| s.hint.as_deref()) {
        out.push_str(&format!("\n  help: {hint}"));
    }
    let exit = slim.map_or(Exit::Error, |s| s.exit);
    (out, exit)
}
