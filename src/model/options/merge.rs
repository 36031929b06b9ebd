//! The merge rule, the same for every option of the settings table: the
//! command line, else `[package.metadata.slim]`, else
//! `[workspace.metadata.slim]`, else the default; a value is parsed only where
//! it is taken from. Then the options are checked against each other.

use anyhow::Result;

use super::setting::{GivenValue, Paths, Setting};
use super::table::{Options, SETTINGS};
use crate::util::error::SlimError;

/// Where a layer of values comes from, which names a value that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    CommandLine,
    /// `package.metadata.slim` or `workspace.metadata.slim`.
    Metadata(&'static str),
}

impl Source {
    /// The error for `reason`, naming the flag or the table and key.
    pub(crate) fn error(self, row: &Setting, reason: String) -> anyhow::Error {
        match self {
            Source::CommandLine => SlimError::InvalidSetting {
                setting: row.flag.spelled(),
                reason,
            },
            Source::Metadata(place) => SlimError::InvalidMetadataValue {
                place: place.into(),
                key: row.key.into(),
                reason,
            },
        }
        .into()
    }
}

/// The values one source sets, by [`Setting::field`], with what their relative
/// paths are relative to.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    pub source: Source,
    pub paths: Paths,
    pub values: Vec<(&'static str, GivenValue)>,
}

impl Layer {
    fn get(&self, row: &Setting) -> Option<&GivenValue> {
        self.values
            .iter()
            .find(|(field, _)| *field == row.field)
            .map(|(_, v)| v)
    }
}

/// The options `layers` (highest precedence first) give.
pub(crate) fn merge(layers: &[Layer]) -> Result<Options> {
    let mut options = Options::default();
    for row in SETTINGS {
        if let Some((layer, value)) = layers.iter().find_map(|l| l.get(row).map(|v| (l, v))) {
            (row.set)(&mut options, value.as_given(), Some(&layer.paths))
                .map_err(|reason| layer.source.error(row, reason))?;
        }
    }
    options
        .check()
        .map_err(|e| SlimError::ImmediateAbortNeedsBuildStd {
            reason: e.to_string(),
        })?;
    Ok(options)
}

/// Check each value of the command line by its setting's parser (before
/// planning: paths are resolved when merging).
pub(crate) fn check_flags(values: &[(&'static str, GivenValue)]) -> Result<()> {
    let mut scratch = Options::default();
    for (field, value) in values {
        let Some(row) = SETTINGS.iter().find(|s| s.field == *field) else {
            continue;
        };
        (row.set)(&mut scratch, value.as_given(), None)
            .map_err(|reason| Source::CommandLine.error(row, reason))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::options::{OptLevel, PanicStrategy};
    use std::path::Path;

    fn layer(source: Source, values: &[(&'static str, GivenValue)]) -> Layer {
        Layer {
            source,
            paths: Paths::new(Path::new("/w"), Path::new("/w")),
            values: values.to_vec(),
        }
    }

    #[test]
    fn the_first_layer_that_sets_an_option_wins_and_only_it_is_parsed() {
        let text = |s: &str| GivenValue::Text(s.into());
        let cli = layer(Source::CommandLine, &[("opt_level", text("s"))]);
        let package = layer(
            Source::Metadata("package.metadata.slim"),
            &[
                ("opt_level", text("not a level")),
                ("build_std", GivenValue::Bool(true)),
            ],
        );
        let workspace = layer(
            Source::Metadata("workspace.metadata.slim"),
            &[
                ("build_std", GivenValue::Bool(false)),
                ("panic", text("immediate-abort")),
            ],
        );
        let o = merge(&[cli, package.clone(), workspace]).unwrap();
        assert_eq!(o.opt_level, Some(OptLevel::S));
        assert!(o.build_std);
        assert_eq!(o.panic, PanicStrategy::ImmediateAbort);
        assert!(o.preflight, "the default");
        let err = merge(&[package]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid [package.metadata.slim] opt-level: `not a level` is not an opt-level: \
             use 0, 1, 2, 3, s or z"
        );
        let err = check_flags(&[("cpu", text("a b"))]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid --cpu: `a b` is not a CPU name"),
            "{err}"
        );
        let err = merge(&[layer(
            Source::CommandLine,
            &[("panic", text("immediate-abort"))],
        )]);
        assert!(err.unwrap_err().to_string().contains("needs build-std"));
    }
}
