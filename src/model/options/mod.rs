//! Typed, validated build options: what the command line, `[*.metadata.slim]` and
//! a recorded `slim-manifest.json` are all turned into before anything runs.
//!
//! Every value that may end up as a cargo argument, a rustc flag, an environment
//! value or a path is one of the small types of this module (`names.rs`,
//! `opt_level.rs`, …), parsed with `FromStr` against a strict grammar. The
//! [`Options`] they make up, and the rule between them, are here. A manifest
//! travels with an artifact and may come from anywhere, so the same parsers
//! guard it: a CPU name that smuggles in the `CARGO_ENCODED_RUSTFLAGS` separator
//! (U+001F), a feature that starts with `-`, a bin name with `/` or `..` is
//! refused with the field named, before it can become a flag or a path.

mod linker_choice;
mod names;
mod opt_level;
mod panic_strategy;
mod requested;
mod selection;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::include::Include;
pub(crate) use linker_choice::LinkerChoice;
pub(crate) use names::{BinName, CpuName, FeatureName};
pub(crate) use opt_level::OptLevel;
pub(crate) use panic_strategy::PanicStrategy;
pub(crate) use requested::RequestedOptions;
pub(crate) use selection::{Features, Selection};

/// Build options after merging the command line with `[*.metadata.slim]`; the
/// same type is read back from a manifest's `build.options` (through
/// [`RecordedOptions`], so a record is checked like a command line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RecordedOptions")]
pub(crate) struct Options {
    pub opt_level: Option<OptLevel>,
    pub cpu: Option<CpuName>,
    /// Rebuild std from source, optimised for size (`--build-std`).
    pub build_std: bool,
    pub panic: PanicStrategy,
    pub linker: LinkerChoice,
    /// Files beside `bootstrap`, paths relative to the workspace root.
    pub include: Vec<Include>,
    pub preflight: bool,
    /// Embed the `.dep-v0` dependency list in bootstrap (`--no-audit-data`: no).
    /// Manifests written before it existed had none (see [`RecordedOptions`]).
    pub audit_data: bool,
    /// Also an OCI image beside the zip (`--image`, `image = true`). Recorded
    /// only when set, so a zip-only manifest is unchanged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub image: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            opt_level: None,
            cpu: None,
            build_std: false,
            panic: PanicStrategy::Abort,
            linker: LinkerChoice::Auto,
            include: Vec::new(),
            preflight: true,
            audit_data: true,
            image: false,
        }
    }
}

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

/// `build.options` as a manifest holds it. `panic` was added later: a record
/// without it was made when `--build-std` always meant immediate-abort panics,
/// so that is what it reproduces.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedOptions {
    opt_level: Option<OptLevel>,
    cpu: Option<CpuName>,
    build_std: bool,
    #[serde(default)]
    panic: Option<PanicStrategy>,
    linker: LinkerChoice,
    include: Vec<Include>,
    preflight: bool,
    /// Manifests written before it existed had no embedded list.
    #[serde(default)]
    audit_data: bool,
    /// Written only when set.
    #[serde(default)]
    image: bool,
}

impl TryFrom<RecordedOptions> for Options {
    type Error = Conflict;
    fn try_from(r: RecordedOptions) -> Result<Self, Self::Error> {
        let legacy = if r.build_std {
            PanicStrategy::ImmediateAbort
        } else {
            PanicStrategy::Abort
        };
        let options = Options {
            opt_level: r.opt_level,
            cpu: r.cpu,
            build_std: r.build_std,
            panic: r.panic.unwrap_or(legacy),
            linker: r.linker,
            include: r.include,
            preflight: r.preflight,
            audit_data: r.audit_data,
            image: r.image,
        };
        options.check()?;
        Ok(options)
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

    #[test]
    fn recorded_options_are_checked_and_old_records_keep_their_meaning() {
        let record = |extra: &str| {
            serde_json::from_str::<Options>(&format!(
                r#"{{"opt_level":null,"cpu":null,"linker":"auto","include":[],"preflight":true,{extra}}}"#
            ))
        };
        let o = record(r#""build_std":true,"panic":"abort""#).unwrap();
        assert_eq!((o.build_std, o.panic), (true, PanicStrategy::Abort));
        // Before `panic` was recorded, --build-std meant immediate-abort.
        let o = record(r#""build_std":true"#).unwrap();
        assert_eq!(o.panic, PanicStrategy::ImmediateAbort);
        let o = record(r#""build_std":false"#).unwrap();
        assert_eq!(o.panic, PanicStrategy::Abort);
        let err = record(r#""build_std":false,"panic":"immediate-abort""#).unwrap_err();
        assert!(err.to_string().contains("needs build-std"), "{err}");
        assert!(record(r#""build_std":true,"panic":"unwind""#).is_err());
        assert!(record(r#""build_std":true,"panic":"abort","x":1"#).is_err());
        // What is written reads back the same.
        let o = Options {
            build_std: true,
            panic: PanicStrategy::ImmediateAbort,
            ..Options::default()
        };
        let text = serde_json::to_string(&o).unwrap();
        assert_eq!(serde_json::from_str::<Options>(&text).unwrap(), o);
    }
}
