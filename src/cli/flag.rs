//! A flag's value through its type's parser; a value that does not parse is an
//! input error naming the flag.

use anyhow::Result;

use crate::util::error::SlimError;

/// A value of `flag` that does not parse: exit 2, the flag named.
pub(crate) fn bad_flag(flag: &str, err: impl std::fmt::Display) -> anyhow::Error {
    SlimError::InvalidSetting {
        setting: flag.into(),
        reason: err.to_string(),
    }
    .into()
}

/// An optional flag's value through its type's `FromStr`.
pub(crate) fn parse_flag<T: std::str::FromStr>(flag: &str, value: Option<&str>) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    value
        .map(str::parse::<T>)
        .transpose()
        .map_err(|e| bad_flag(flag, e))
}
