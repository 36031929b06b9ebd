//! The documents `cargo slim size` prints: one structure serves both the tables
//! ([`super::render`]) and `--message-format json`. Field names are documented in
//! docs/size.md and are part of the interface: add fields, do not rename them.

use serde::Serialize;

use super::analysis::Analysis;
use super::crates::CratesView;
use super::diff::DiffReport;
use super::filter::Filter;
use super::input::{Input, StripPair};
use super::sections::{share, SectionsView};
use super::View;
use crate::artifact::elf::Format;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(crate) enum Document {
    Size(SizeReport),
    Diff(DiffReport),
}

/// The analysis of one file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SizeReport {
    pub path: String,
    /// The target, when several were analysed in one run.
    pub label: Option<String>,
    pub format: Format,
    pub file_bytes: u64,
    pub stripped: bool,
    pub stripping: Option<Stripping>,
    pub sections: Option<SectionsView>,
    pub crates: Option<CratesView>,
    pub symbols: Option<SymbolsView>,
    /// The budgets checked (null when none was set and Lambda's limits are met).
    pub budget: Option<super::budget::BudgetVerdict>,
    /// Known heavy dependencies present in this binary (src/size/heavy.toml).
    pub hints: Vec<super::heavy::Hint>,
    /// Plain-language remarks (a stripped file, an empty filter, …).
    pub notes: Vec<String>,
}

/// What stripping saved: the unstripped file against the shipped one.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Stripping {
    #[serde(flatten)]
    pub pair: StripPair,
    pub saved_bytes: i64,
    /// `saved_bytes` as a fraction of the unstripped size.
    pub saved_share: f64,
}

impl Stripping {
    pub(crate) fn new(pair: &StripPair) -> Stripping {
        let saved = super::delta::difference(pair.unstripped_bytes, pair.stripped_bytes);
        Stripping {
            pair: pair.clone(),
            saved_bytes: saved,
            saved_share: if pair.unstripped_bytes == 0 {
                0.0
            } else {
                saved as f64 / pair.unstripped_bytes as f64
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SymbolsView {
    /// The `--filter` given, if any.
    pub filter: Option<String>,
    /// Symbols that match the filter (all symbols without one) …
    pub matched: u64,
    /// … and their bytes.
    pub matched_bytes: u64,
    /// The largest `-n` of them.
    pub rows: Vec<SymbolRow>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SymbolRow {
    /// Demangled, in full (without the legacy hash).
    pub name: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub section: String,
    pub address: u64,
    pub bytes: u64,
    /// `bytes` as a fraction of the file.
    pub share: f64,
}

pub(crate) fn build(input: &Input, analysis: &Analysis, args: &View) -> anyhow::Result<SizeReport> {
    let (want_sections, want_crates, want_symbols) = args.shown();
    let mut notes = Vec::new();
    if analysis.stripped && (want_crates || want_symbols) {
        notes.push(input.stripped_note());
    }
    if want_crates {
        notes.extend(analysis.crates.as_ref().and_then(super::crates::std_note));
    }
    let symbols = if want_symbols && !analysis.stripped {
        Some(symbols_view(analysis, args, &mut notes)?)
    } else {
        None
    };
    Ok(SizeReport {
        path: input.path.display().to_string(),
        label: input.label.clone(),
        format: analysis.format.clone(),
        file_bytes: analysis.file_bytes,
        stripped: analysis.stripped,
        stripping: input.pair.as_ref().map(Stripping::new),
        // A stripped file shows its sections whatever was asked: it is all there is.
        sections: (want_sections || analysis.stripped).then(|| analysis.sections.clone()),
        crates: if want_crates {
            analysis.crates.clone()
        } else {
            None
        },
        symbols,
        budget: None,
        hints: analysis
            .crates
            .as_ref()
            .map(super::heavy::hints)
            .unwrap_or_default(),
        notes,
    })
}

fn symbols_view(
    analysis: &Analysis,
    args: &View,
    notes: &mut Vec<String>,
) -> anyhow::Result<SymbolsView> {
    let filter = Filter::from_arg(args.filter.as_deref(), &[analysis])?;
    let limit = if args.n == 0 { usize::MAX } else { args.n };
    let mut matched = 0u64;
    let mut matched_bytes = 0u64;
    let mut rows = Vec::new();
    for sym in &analysis.symbols {
        if filter
            .as_ref()
            .is_some_and(|f| !f.matches(sym, args.split_std))
        {
            continue;
        }
        matched += 1;
        matched_bytes += sym.bytes;
        if rows.len() < limit {
            rows.push(SymbolRow {
                name: sym.name.clone(),
                krate: sym.shown_crate(args.split_std).to_string(),
                section: analysis
                    .section_names
                    .get(sym.section)
                    .cloned()
                    .unwrap_or_default(),
                address: sym.address,
                bytes: sym.bytes,
                share: share(sym.bytes, analysis.file_bytes),
            });
        }
    }
    if let (Some(f), 0) = (&args.filter, matched) {
        notes.push(format!("no symbol matches --filter `{f}`"));
    }
    Ok(SymbolsView {
        filter: args.filter.clone(),
        matched,
        matched_bytes,
        rows,
    })
}
