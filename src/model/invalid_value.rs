//! A value that does not match its grammar, and how such a value is shown in a
//! message (escaped, shortened).

use std::fmt;

/// A value that does not match its grammar. The caller names the field
/// (`--cpu`, `[package.metadata.slim] cpu`, `build.options.cpu`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvalidValue {
    /// What the value should have been: "a CPU name".
    pub what: &'static str,
    /// The value, escaped and shortened for display.
    pub value: String,
    /// The grammar, in words.
    pub rule: &'static str,
}

impl InvalidValue {
    pub(crate) fn new(what: &'static str, value: &str, rule: &'static str) -> InvalidValue {
        InvalidValue {
            what,
            value: shown(value),
            rule,
        }
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not {}: {}", self.value, self.what, self.rule)
    }
}

impl std::error::Error for InvalidValue {}

/// A value as it can safely be shown in a message: control characters escaped,
/// at most 80 characters.
pub(crate) fn shown(value: &str) -> String {
    let escaped: String = value.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &escaped[..at]),
        None => escaped,
    }
}

#[cfg(test)]
mod tests {
    use crate::model::options::CpuName;

    #[test]
    fn messages_escape_and_shorten() {
        let err = "a\u{1f}b".parse::<CpuName>().unwrap_err();
        assert!(err.to_string().starts_with("`a\\u{1f}b` is not a CPU name"));
        let long = "x".repeat(10_000).parse::<CpuName>().unwrap_err();
        assert!(long.to_string().len() < 300);
    }
}
