//! Which linker to use (`--linker`, recorded as asked).

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::invalid_value::InvalidValue;

/// Which linker to use (`--linker`, recorded as asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LinkerChoice {
    #[default]
    Auto,
    Lld,
    Zig,
    Gcc,
}

impl LinkerChoice {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LinkerChoice::Auto => "auto",
            LinkerChoice::Lld => "lld",
            LinkerChoice::Zig => "zig",
            LinkerChoice::Gcc => "gcc",
        }
    }
}

impl FromStr for LinkerChoice {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "auto" => LinkerChoice::Auto,
            "lld" => LinkerChoice::Lld,
            "zig" => LinkerChoice::Zig,
            "gcc" => LinkerChoice::Gcc,
            _ => {
                return Err(InvalidValue::new(
                    "a linker",
                    s,
                    "use auto, lld, zig or gcc",
                ))
            }
        })
    }
}
