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

/// A clap error for a value its type's parser refused, as [`bad_flag`]'s
/// error (`None` for clap's other errors).
pub(crate) fn invalid_value(err: &clap::Error) -> Option<anyhow::Error> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::ValueValidation {
        return None;
    }
    let flag = match err.get(ContextKind::InvalidArg)? {
        ContextValue::String(arg) => arg.split(' ').next().unwrap_or(arg).to_string(),
        _ => return None,
    };
    let reason = std::error::Error::source(err)?.to_string();
    Some(bad_flag(&flag, reason))
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
