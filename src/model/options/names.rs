//! Names that become cargo and rustc arguments or paths, each checked against a
//! strict grammar: an LLVM CPU name, a binary name, a feature name.

use std::str::FromStr;

use crate::model::invalid_value::InvalidValue;

/// A word of `first` then `rest` characters, 1 to `max` bytes long.
fn word(value: &str, max: usize, first: fn(char) -> bool, rest: fn(char) -> bool) -> bool {
    let mut chars = value.chars();
    !value.is_empty() && value.len() <= max && chars.next().is_some_and(first) && chars.all(rest)
}

fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn alnum_or_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// An LLVM CPU name for `-Ctarget-cpu` (`neoverse-n1`, `x86-64-v3`, `native`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CpuName(String);
string_newtype!(CpuName);

impl FromStr for CpuName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if word(s, 64, alnum, |c| {
            alnum_or_underscore(c) || c == '-' || c == '.'
        }) {
            Ok(CpuName(s.to_string()))
        } else {
            Err(InvalidValue::new(
                "a CPU name",
                s,
                "a letter or digit, then letters, digits, `-`, `_` or `.` (at most 64), \
                 e.g. neoverse-n1 or x86-64-v3",
            ))
        }
    }
}

/// The name of a binary target of the package (`--bin`, `package.bin`); also a
/// directory name under the output directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct BinName(String);
string_newtype!(BinName);

impl FromStr for BinName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if word(s, 128, alnum_or_underscore, |c| {
            alnum_or_underscore(c) || c == '-'
        }) {
            Ok(BinName(s.to_string()))
        } else {
            Err(InvalidValue::new(
                "a binary name",
                s,
                "a letter, digit or `_`, then letters, digits, `-` or `_` (at most 128)",
            ))
        }
    }
}

/// A cargo feature: `name` or `package/name` (as `--features` takes them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FeatureName(String);
string_newtype!(FeatureName);

impl FromStr for FeatureName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let part = |p: &str| {
            word(p, 128, alnum_or_underscore, |c| {
                alnum_or_underscore(c) || matches!(c, '-' | '+' | '.')
            })
        };
        let ok = match s.split_once('/') {
            Some((package, feature)) => {
                part(package.strip_suffix('?').unwrap_or(package)) && part(feature)
            }
            None => part(s),
        };
        if ok {
            Ok(FeatureName(s.to_string()))
        } else {
            Err(InvalidValue::new(
                "a feature name",
                s,
                "`name` or `package/name`, each a letter, digit or `_`, then letters, digits, \
                 `-`, `_`, `+` or `.`",
            ))
        }
    }
}

impl FeatureName {
    /// `--features "a b,c"` → `[a, b, c]`, split as cargo splits them, each checked.
    pub(crate) fn parse_list<S: AsRef<str>>(
        values: &[S],
    ) -> Result<Vec<FeatureName>, InvalidValue> {
        values
            .iter()
            .flat_map(|v| v.as_ref().split([' ', ',']))
            .filter(|f| !f.is_empty())
            .map(str::parse)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_names() {
        for ok in [
            "neoverse-n1",
            "x86-64-v3",
            "native",
            "cortex-a72",
            "generic",
        ] {
            assert!(ok.parse::<CpuName>().is_ok(), "{ok}");
        }
        for bad in [
            "x86-64\u{1f}-Clinker=/tmp/evil.sh",
            "-Clinker=x",
            "a b",
            "",
            "a\nb",
            "../x",
            &"a".repeat(65),
        ] {
            assert!(bad.parse::<CpuName>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bin_names() {
        for ok in ["hello", "hello-lambda", "my_fn2", "_x"] {
            assert!(ok.parse::<BinName>().is_ok(), "{ok}");
        }
        for bad in ["..", "../x", "a/b", "-h", "--help", "", "a\0b", "a.b"] {
            assert!(bad.parse::<BinName>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn feature_names() {
        let list = FeatureName::parse_list(&["a b,c", "serde/derive", "tokio?/rt", "x+y.z"]);
        assert_eq!(list.map(|l| l.len()), Ok(6));
        for bad in [
            "-Zunstable",
            "--all-features",
            "a/b/c",
            "a\u{1f}b",
            "/x",
            "x/",
        ] {
            assert!(bad.parse::<FeatureName>().is_err(), "{bad:?}");
        }
    }
}
