//! Typed, validated build options: what the command line, `[*.metadata.slim]` and
//! a recorded `slim-manifest.json` are all turned into before anything runs.
//!
//! Every value that may end up as a cargo argument, a rustc flag, an environment
//! value or a path is one of the small types of this module (`names.rs`,
//! `opt_level.rs`, …), parsed with `FromStr` against a strict grammar. The
//! [`Options`] they make up and the settings table that declares each option
//! once are in `table.rs`; the rule between options is here. A manifest
//! travels with an artifact and may come from anywhere, so the same parsers
//! guard it: a CPU name that smuggles in the `CARGO_ENCODED_RUSTFLAGS` separator
//! (U+001F), a feature that starts with `-`, a bin name with `/` or `..` is
//! refused with the field named, before it can become a flag or a path.

mod linker_choice;
mod merge;
mod names;
mod opt_level;
mod panic_strategy;
mod requested;
mod selection;
mod setting;
mod table;

use std::fmt;

pub(crate) use linker_choice::LinkerChoice;
pub(crate) use merge::{check_flags, merge, Layer, Source};
pub(crate) use names::{BinName, CpuName, FeatureName};
pub(crate) use opt_level::OptLevel;
pub(crate) use panic_strategy::PanicStrategy;
pub(crate) use requested::RequestedOptions;
pub(crate) use selection::{Features, Selection};
#[cfg(test)]
pub(crate) use setting::Given;
pub(crate) use setting::{Flag, GivenValue, Paths};
pub(crate) use table::{by_key, flag_of, Options, SETTINGS};

/// Options that cannot go together: the rule the command line, the metadata
/// tables and a recorded manifest all pass through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// `--panic immediate-abort` without `--build-std`.
    ImmediateAbortNeedsBuildStd,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::ImmediateAbortNeedsBuildStd => f.write_str(
                "panic strategy `immediate-abort` needs build-std: the precompiled standard \
                 library has the panic machinery built in, only a rebuilt one can leave it out",
            ),
        }
    }
}

impl std::error::Error for Conflict {}

impl Options {
    /// Check the options against each other.
    pub(crate) fn check(&self) -> Result<(), Conflict> {
        if self.panic == PanicStrategy::ImmediateAbort && !self.build_std {
            return Err(Conflict::ImmediateAbortNeedsBuildStd);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_strategies_and_their_rule() {
        for s in ["abort", "immediate-abort"] {
            assert_eq!(s.parse::<PanicStrategy>().map(|p| p.as_str()), Ok(s));
        }
        assert!("unwind".parse::<PanicStrategy>().is_err());
        assert!("immediate_abort".parse::<PanicStrategy>().is_err());
        let mut o = Options {
            panic: PanicStrategy::ImmediateAbort,
            ..Options::default()
        };
        assert_eq!(o.check(), Err(Conflict::ImmediateAbortNeedsBuildStd));
        o.build_std = true;
        assert_eq!(o.check(), Ok(()));
    }
}
