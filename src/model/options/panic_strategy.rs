//! How a panic ends the process (`--panic`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::invalid_value::InvalidValue;

/// How a panic ends the process (`--panic`). Both abort: Lambda starts a new
/// process after a crash either way. They differ in what the log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum PanicStrategy {
    /// `panic = "abort"`: the panic message and location are printed first
    /// (`thread 'main' panicked at src/main.rs:7:5: …`), then the process aborts.
    #[default]
    Abort,
    /// `-Cpanic=immediate-abort`: the process stops at once and prints nothing;
    /// std's formatting and panic machinery are left out. Needs a rebuilt std.
    ImmediateAbort,
}

impl PanicStrategy {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PanicStrategy::Abort => "abort",
            PanicStrategy::ImmediateAbort => "immediate-abort",
        }
    }
}

impl fmt::Display for PanicStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PanicStrategy {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "abort" => Ok(PanicStrategy::Abort),
            "immediate-abort" => Ok(PanicStrategy::ImmediateAbort),
            _ => Err(InvalidValue::new(
                "a panic strategy",
                s,
                "use abort or immediate-abort",
            )),
        }
    }
}
