//! `cargo slim size`: where the bytes of a build go — sections, crates, symbols,
//! what stripping saved, and the difference between two builds.
//!
//! Data flow: [`input`] finds the file(s) (the last build's `bootstrap.full`, a
//! path, a function.zip) → [`analysis`] reads the ELF once (`crate::artifact::elf`) and derives
//! the [`sections`], [`symbols`] (demangled by `crate::artifact::demangle`) and [`crates`] views →
//! [`report`] selects what was asked for (or [`diff`] compares two analyses) →
//! [`render`] prints tables, or the same structures go out as JSON.

pub(crate) mod analysis;
pub(crate) mod baseline;
pub(crate) mod budget;
pub(crate) mod crates;
pub(crate) mod delta;
pub(crate) mod diff;
pub(crate) mod filter;
pub(crate) mod heavy;
pub(crate) mod input;
pub(crate) mod markdown;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod sections;
pub(crate) mod shorten;
pub(crate) mod size_report;
pub(crate) mod symbols;
#[cfg(test)]
mod tests;
pub(crate) mod why;

use std::path::PathBuf;

use crate::model::budget::Budgets;
use crate::ui::Ui;
use crate::util::error::Exit;

pub use analysis::{analyze, Options};

/// Which views of `cargo slim size` to show, and how: what its command-line
/// options ask for, without the command line.
#[derive(Debug, Clone, Default)]
pub(crate) struct View {
    pub sections: bool,
    pub crates: bool,
    pub symbols: bool,
    /// The older build to compare with.
    pub diff: Option<PathBuf>,
    /// Rows in the symbol and crate tables (0: all).
    pub n: usize,
    pub filter: Option<String>,
    pub split_std: bool,
    /// Only these sections in the crate and symbol views.
    pub only_sections: Vec<String>,
    pub full_names: bool,
    /// Do not fit tables to the terminal width.
    pub wide: bool,
}

impl View {
    /// Which views the flags ask for: (sections, crates, symbols).
    pub(crate) fn shown(&self) -> (bool, bool, bool) {
        if self.sections || self.crates || self.symbols {
            (self.sections, self.crates, self.symbols)
        } else if self.diff.is_some() {
            (true, true, true)
        } else {
            (true, false, false)
        }
    }
}

impl View {
    /// The analysis options these flags ask for.
    pub(crate) fn options(&self) -> Options {
        Options {
            split_std: self.split_std,
            sections: self.only_sections.clone(),
            linked: None,
        }
    }
}

/// Report on `inputs` (found and analysed by `commands::size`) as `args` asks,
/// against `--diff` when given, with the budgets in force; print the result.
/// Over budget: the verdict on stderr and [`Exit::CheckFailed`].
pub(crate) fn run(
    ui: &Ui,
    args: &View,
    inputs: &[baseline::Loaded],
    budgets: &Budgets,
) -> anyhow::Result<Exit> {
    let options = args.options();
    let old = match &args.diff {
        Some(path) => Some(baseline::load(path, &options)?),
        None => None,
    };
    let mut reports = Vec::new();
    for new in inputs {
        let (file, analysis) = (&new.input, &new.analysis);
        let verdict = budget::for_input(new, budgets, old.as_ref());
        match &old {
            Some(old) => {
                let mut d = diff::compare(&old.input, &old.analysis, file, analysis, args)?;
                for side in [old, new] {
                    if side.report.is_some() && d.symbols.take().is_some() {
                        d.notes.push(baseline::no_symbols_note(&side.input.path));
                    }
                }
                d.budget = verdict;
                reports.push(report::Document::Diff(d));
            }
            None => {
                let mut r = report::build(file, analysis, args)?;
                if new.report.is_some() && r.symbols.take().is_some() {
                    r.notes.push(baseline::no_symbols_note(&file.path));
                }
                r.budget = verdict;
                reports.push(report::Document::Size(r));
            }
        }
    }
    if ui.json() {
        match reports.as_slice() {
            [one] => ui.out_json(one)?,
            many => ui.out_json(&many)?,
        }
    } else {
        let layout = render::Layout {
            width: (!args.wide).then(|| ui.width()),
            crate_rows: args.n,
            full_names: args.full_names,
        };
        for (i, doc) in reports.iter().enumerate() {
            let mut text = String::new();
            if i > 0 {
                text.push('\n');
            }
            if ui.markdown() {
                text.push_str(&markdown::document(doc, args.n));
            } else {
                text.push_str(&render::document(doc, layout));
            }
            ui.out(&text)?;
        }
    }
    let verdicts = reports.iter().filter_map(|doc| match doc {
        report::Document::Size(r) => r.budget.as_ref(),
        report::Document::Diff(d) => d.budget.as_ref(),
    });
    Ok(budget::report_failures(verdicts))
}

/// One row of the per-crate view, as the build summary shows the top few.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct CrateSize {
    pub name: String,
    pub bytes: u64,
}
