//! `--filter`: which symbols a view keeps, by crate or by a pattern over names.

use regex::Regex;

use super::analysis::Analysis;
use super::symbols::Symbol;

/// `--filter`: a crate name (as shown, so `std` matches core and alloc too) or a
/// regular expression over demangled names.
#[derive(Debug, Clone)]
pub(crate) enum Filter {
    Crate(String),
    Regex(Regex),
}

impl Filter {
    /// `--filter` against the crates of the analyses at hand (`None`: no filter).
    pub(crate) fn from_arg(
        text: Option<&str>,
        analyses: &[&Analysis],
    ) -> anyhow::Result<Option<Filter>> {
        let known: Vec<&str> = analyses
            .iter()
            .flat_map(|a| a.crates.iter())
            .flat_map(|c| c.rows.iter().map(|r| r.name.as_str()))
            .collect();
        text.map(|t| Filter::parse(t, &known)).transpose()
    }

    /// A known crate name wins over a pattern; anything else must be a valid regex.
    pub(crate) fn parse(text: &str, known_crates: &[&str]) -> anyhow::Result<Filter> {
        if known_crates.contains(&text) {
            return Ok(Filter::Crate(text.to_string()));
        }
        match Regex::new(text) {
            Ok(re) => Ok(Filter::Regex(re)),
            Err(e) => Err(crate::util::error::SlimError::BadFilter {
                text: text.into(),
                reason: e.to_string(),
            }
            .into()),
        }
    }

    pub(crate) fn matches(&self, sym: &Symbol, split_std: bool) -> bool {
        match self {
            Filter::Crate(c) => sym.shown_crate(split_std) == c,
            Filter::Regex(re) => re.is_match(&sym.name),
        }
    }
}
