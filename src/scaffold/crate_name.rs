//! A name for a new function crate, checked the way cargo checks `cargo new NAME`,
//! and narrowed to what is also a valid Lambda function name and binary name.

use std::fmt;

use crate::util::error::SlimError;

/// A valid package name: ASCII letters, digits, `-` and `_`, starting with a
/// letter, at most 64 characters (crates.io's limit and Lambda's), not a Rust
/// keyword, not a name cargo reserves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CrateName(String);

/// Names cargo refuses for a package: Rust keywords, the sysroot crates, and
/// file names Windows reserves.
const RESERVED: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "alloc",
    "core",
    "proc_macro",
    "proc-macro",
    "std",
    "test",
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
    "deps",
    "examples",
    "build",
    "incremental",
];

impl CrateName {
    pub(crate) fn parse(name: &str) -> Result<CrateName, SlimError> {
        let bad = |why: &str| SlimError::BadCrateName {
            name: name.escape_debug().to_string(),
            reason: why.to_string(),
        };
        let Some(first) = name.chars().next() else {
            return Err(bad("it is empty"));
        };
        if !first.is_ascii_alphabetic() {
            return Err(bad("it must start with an ASCII letter"));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(bad(&format!("`{}` is not allowed", c.escape_debug())));
        }
        if name.len() > 64 {
            return Err(bad("it is longer than 64 characters"));
        }
        if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(bad("it is a Rust keyword or a name cargo reserves"));
        }
        Ok(CrateName(name.to_string()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CrateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_crate_names() {
        for ok in ["a", "my-function", "orders_v2", "X1"] {
            assert_eq!(CrateName::parse(ok).expect(ok).as_str(), ok);
        }
    }

    #[test]
    fn refuses_what_cargo_refuses_and_says_why() {
        for (bad, why) in [
            ("", "empty"),
            ("1fn", "start with an ASCII letter"),
            ("-x", "start with an ASCII letter"),
            ("a b", "` ` is not allowed"),
            ("a/b", "`/` is not allowed"),
            ("a\"b", "`\\\"` is not allowed"),
            ("héllo", "`é` is not allowed"),
            ("fn", "keyword"),
            ("Test", "keyword"),
            ("nul", "reserves"),
        ] {
            let err = CrateName::parse(bad).expect_err(bad);
            assert!(err.to_string().contains(why), "{bad}: {err}");
            assert!(err.help().is_some());
        }
        assert!(CrateName::parse(&"a".repeat(65)).is_err());
    }
}
