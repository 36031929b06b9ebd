//! Lambda's memory size and timeout: the one parser of both, wherever they are
//! given — `--memory`/`--timeout`, `memory`/`timeout` in `[package.metadata.slim]`
//! or `[workspace.metadata.slim]` (the defaults of `run` and `bench`), or in
//! `[package.metadata.slim.deploy]` (what `generate` writes) — so a value one
//! command refuses, every command refuses, with the same words.

use std::ops::RangeInclusive;

/// Lambda's memory sizes, MB.
pub(crate) const MEMORY_MB: RangeInclusive<u64> = 128..=10_240;
/// Lambda's timeouts, seconds (15 minutes at most).
pub(crate) const TIMEOUT_S: RangeInclusive<u64> = 1..=900;

/// One of the two settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    Memory,
    Timeout,
}

impl Limit {
    fn range(self) -> &'static RangeInclusive<u64> {
        match self {
            Limit::Memory => &MEMORY_MB,
            Limit::Timeout => &TIMEOUT_S,
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Limit::Memory => "MB",
            Limit::Timeout => "s",
        }
    }

    /// A number, checked against Lambda's range.
    pub(crate) fn check(self, value: u64) -> Result<u32, String> {
        let range = self.range();
        if range.contains(&value) {
            // The ranges end far below u32::MAX.
            return u32::try_from(value).map_err(|_| self.outside(&value.to_string()));
        }
        Err(self.outside(&value.to_string()))
    }

    fn outside(self, value: &str) -> String {
        let range = self.range();
        let unit = self.unit();
        format!(
            "{value} {unit} is outside Lambda's range, {}–{} {unit}",
            range.start(),
            range.end()
        )
    }

    /// A value of a metadata table (cargo metadata's JSON of the TOML): a whole
    /// number in range, and nothing else — not a string of digits, not a float,
    /// not a boolean.
    pub(crate) fn parse_json(self, value: &serde_json::Value) -> Result<u32, String> {
        let unit = self.unit();
        let kind = match value {
            serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(v), _) => return self.check(v),
                (None, Some(v)) => return Err(self.outside(&v.to_string())),
                _ => "a fraction",
            },
            serde_json::Value::String(_) => "a string",
            serde_json::Value::Bool(_) => "a boolean",
            serde_json::Value::Array(_) => "an array",
            serde_json::Value::Object(_) => "a table",
            serde_json::Value::Null => "empty",
        };
        let range = self.range();
        Err(format!(
            "{value} is {kind}: give a whole number of {unit}, {}–{}, without quotes",
            range.start(),
            range.end()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_whole_numbers_in_range() {
        assert_eq!(Limit::Memory.parse_json(&json!(2048)), Ok(2048));
        assert_eq!(Limit::Timeout.parse_json(&json!(900)), Ok(900));
        for bad in [
            json!("2048"),
            json!(2048.0),
            json!(-1),
            json!(true),
            json!(4_294_967_296u64),
            json!(64),
            json!([128]),
        ] {
            let err = Limit::Memory.parse_json(&bad).unwrap_err();
            assert!(err.contains("128–10240"), "{bad}: {err}");
        }
        assert_eq!(
            Limit::Timeout.check(0).unwrap_err(),
            "0 s is outside Lambda's range, 1–900 s"
        );
    }
}
