//! The slim profile's `opt-level`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::invalid_value::InvalidValue;

/// The slim profile's `opt-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptLevel {
    O0,
    O1,
    O2,
    O3,
    /// "s": small.
    S,
    /// "z": smallest (our default).
    Z,
}

impl OptLevel {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OptLevel::O0 => "0",
            OptLevel::O1 => "1",
            OptLevel::O2 => "2",
            OptLevel::O3 => "3",
            OptLevel::S => "s",
            OptLevel::Z => "z",
        }
    }

    /// The value in TOML, as a `--config profile.slim.opt-level=…` takes it.
    pub(crate) fn toml(self) -> String {
        match self {
            OptLevel::S | OptLevel::Z => format!("\"{}\"", self.as_str()),
            _ => self.as_str().to_string(),
        }
    }
}

impl fmt::Display for OptLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OptLevel {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "0" => OptLevel::O0,
            "1" => OptLevel::O1,
            "2" => OptLevel::O2,
            "3" => OptLevel::O3,
            "s" => OptLevel::S,
            "z" => OptLevel::Z,
            _ => {
                return Err(InvalidValue::new(
                    "an opt-level",
                    s,
                    "use 0, 1, 2, 3, s or z",
                ))
            }
        })
    }
}

impl Serialize for OptLevel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OptLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_levels_round_trip() {
        for s in ["0", "1", "2", "3", "s", "z"] {
            assert_eq!(s.parse::<OptLevel>().map(|o| o.as_str()), Ok(s));
        }
        assert_eq!(OptLevel::Z.toml(), "\"z\"");
        assert_eq!(OptLevel::O3.toml(), "3");
        assert!("4".parse::<OptLevel>().is_err());
        assert!("\"z\"".parse::<OptLevel>().is_err());
    }
}
