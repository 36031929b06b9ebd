//! One row of the settings table (`table.rs`): a build option's flag, its
//! `[*.metadata.slim]` key, its parser and how `verify`, `size` and `generate`
//! show it. The command line, the metadata tables and the merge between them
//! are derived from the rows; nothing else spells an option.

use std::path::{Path, PathBuf};

use super::table::Options;

/// One build option.
pub(crate) struct Setting {
    /// Its field in [`Options`] and in a manifest's `build.options`.
    pub field: &'static str,
    /// Its key in `[package.metadata.slim]` and `[workspace.metadata.slim]`.
    pub key: &'static str,
    /// How the command line spells it.
    pub flag: Flag,
    /// The `--help` group it is listed in.
    pub heading: &'static str,
    /// What it does, for `--help` (the metadata key means the same).
    pub help: &'static str,
    /// How `verify` names a difference in it; `None`: it does not change bytes.
    pub label: Option<&'static str>,
    /// Parse a value as given and set it. `paths` says what relative paths are
    /// relative to; `None` when only checking the value (before planning). The
    /// error is the reason, in words; the caller names the flag or key.
    pub set: fn(&mut Options, Given<'_>, Option<&Paths>) -> Result<(), String>,
    /// Its value in `options`, as `verify` shows it.
    pub shown: fn(&Options) -> String,
    /// The command-line words that ask for its value in `options`; none for
    /// the default (the rebuild commands of `size` and `generate`).
    pub args: fn(&Options) -> Vec<String>,
}

/// How the command line spells an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flag {
    /// `--long VALUE`; in a metadata table a string (or a number).
    Value {
        long: &'static str,
        value_name: &'static str,
    },
    /// `--long`, which sets the option to `to`; in a metadata table a bool.
    Switch { long: &'static str, to: bool },
    /// `--long VALUE`, repeatable; in a metadata table a list of strings.
    Repeated {
        long: &'static str,
        value_name: &'static str,
    },
}

impl Flag {
    /// The flag without its dashes (`opt-level`).
    pub(crate) fn long(self) -> &'static str {
        match self {
            Flag::Value { long, .. } | Flag::Switch { long, .. } | Flag::Repeated { long, .. } => {
                long
            }
        }
    }

    /// The flag as typed (`--opt-level`).
    pub(crate) fn spelled(self) -> String {
        format!("--{}", self.long())
    }
}

/// A value as given on the command line or in a metadata table, before its
/// setting's parser sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Given<'a> {
    Text(&'a str),
    Bool(bool),
    List(&'a [String]),
}

/// A [`Given`] that owns its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GivenValue {
    Text(String),
    Bool(bool),
    List(Vec<String>),
}

impl GivenValue {
    pub(crate) fn as_given(&self) -> Given<'_> {
        match self {
            GivenValue::Text(s) => Given::Text(s),
            GivenValue::Bool(b) => Given::Bool(*b),
            GivenValue::List(l) => Given::List(l),
        }
    }
}

impl<'a> Given<'a> {
    pub(crate) fn text(self) -> Result<&'a str, String> {
        match self {
            Given::Text(s) => Ok(s),
            other => Err(format!("expected a string, found {}", other.kind())),
        }
    }

    pub(crate) fn bool(self) -> Result<bool, String> {
        match self {
            Given::Bool(b) => Ok(b),
            other => Err(format!("expected true or false, found {}", other.kind())),
        }
    }

    pub(crate) fn list(self) -> Result<&'a [String], String> {
        match self {
            Given::List(l) => Ok(l),
            other => Err(format!(
                "expected a list of strings, found {}",
                other.kind()
            )),
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Given::Text(_) => "a string",
            Given::Bool(_) => "a boolean",
            Given::List(_) => "a list",
        }
    }
}

/// Where relative paths in a value are relative to: the working directory for
/// a flag, the package's directory for `[package.metadata.slim]`, the
/// workspace root for `[workspace.metadata.slim]`. Recorded paths are relative
/// to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paths {
    pub base: PathBuf,
    pub workspace_root: PathBuf,
}

impl Paths {
    pub(crate) fn new(base: &Path, workspace_root: &Path) -> Paths {
        Paths {
            base: base.to_path_buf(),
            workspace_root: workspace_root.to_path_buf(),
        }
    }
}

/// `text` through `T`'s parser, its error in words.
pub(crate) fn parse<T: std::str::FromStr>(text: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| e.to_string())
}

/// An optional value as verify shows it: the value, or `default`.
pub(crate) fn or_default(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "default".to_string(), |v| v.to_string())
}

/// `--long VALUE` when set.
pub(crate) fn value_args(flag: &str, value: Option<impl ToString>) -> Vec<String> {
    value.map_or_else(Vec::new, |v| vec![flag.to_string(), v.to_string()])
}

/// `--long` when `on`.
pub(crate) fn switch_args(flag: &str, on: bool) -> Vec<String> {
    if on {
        vec![flag.to_string()]
    } else {
        Vec::new()
    }
}
