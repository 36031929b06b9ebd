//! `cargo slim size`: where the bytes of a build go — sections, crates, symbols,
//! what stripping saved, and the difference between two builds.
//!
//! Data flow: [`input`] finds the file(s) (the last build's `bootstrap.full`, a
//! path, a function.zip) → [`analysis`] reads the ELF once (`crate::artifact::elf`) and derives
//! the [`sections`], [`symbols`] (demangled by [`demangle`]) and [`crates`] views →
//! [`report`] selects what was asked for (or [`diff`] compares two analyses) →
//! [`render`] prints tables, or the same structures go out as JSON.

pub mod analysis;
pub mod baseline;
pub mod budget;
pub mod crates;
pub mod demangle;
pub mod diff;
pub mod heavy;
pub mod input;
pub mod markdown;
pub mod render;
pub mod report;
pub mod sections;
pub mod size_report;
pub mod symbols;
#[cfg(test)]
mod tests;
pub mod why;

use std::path::PathBuf;

use clap::Args;

use crate::model::budget::Budgets;
use crate::ui::Ui;
use crate::util::error::Exit;

pub use analysis::{analyze, Analysis, Options};

const AFTER_HELP: &str = "\
Views: the sections view is the default; --crates and --symbols add theirs (any
combination). With --diff every view is shown unless some are picked.

How crates are counted: each function and data symbol is demangled (Rust legacy
and v0 manglings) and charged to the first crate its name mentions that is not
part of the standard library, reading left to right; names that mention only
standard-library crates count as `std` (std, core, alloc, compiler_builtins, …;
--split-std shows them apart). So a generic instantiation such as
`core::ptr::drop_in_place<tokio::Runtime>` counts for tokio. Symbols without Rust
mangling (C library, C code) form `[non-rust]`; bytes no symbol covers form
`[unattributed]`, so the rows add up exactly to the sections covered.
Details and the JSON fields: docs/size.md.";

/// Options of `cargo slim size`.
#[derive(Debug, Args, Clone)]
#[command(after_help = AFTER_HELP)]
pub struct SizeArgs {
    /// An ELF file (or a function.zip) to analyse [default: the last build's
    /// bootstrap.full as it is, building first only when there is none].
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub select: crate::cli::SelectArgs,

    /// Show the sections view (the default when no view is picked).
    #[arg(long, help_heading = "Views")]
    pub sections: bool,
    /// Show bytes per crate (rule below).
    #[arg(long, help_heading = "Views")]
    pub crates: bool,
    /// Show the largest symbols.
    #[arg(long, help_heading = "Views")]
    pub symbols: bool,
    /// Compare with an older build: an ELF file, a function.zip, a size.json, a
    /// build directory or its slim-manifest.json.
    #[arg(long, value_name = "OLD", help_heading = "Views")]
    pub diff: Option<PathBuf>,

    /// Rows to show in the symbol and crate tables (0: all).
    #[arg(
        short = 'n',
        value_name = "N",
        default_value_t = 20,
        help_heading = "Rows"
    )]
    pub n: usize,
    /// Only symbols of this crate, or whose demangled name matches this regex.
    #[arg(long, value_name = "CRATE|REGEX", help_heading = "Rows")]
    pub filter: Option<String>,
    /// Show core, alloc and the other standard-library crates apart from std.
    #[arg(long, help_heading = "Rows")]
    pub split_std: bool,
    /// Only count these sections in the crate and symbol views (e.g. .text, to
    /// compare with cargo-bloat) [default: every section with symbols].
    #[arg(
        long = "section",
        value_name = "NAME",
        value_delimiter = ',',
        help_heading = "Rows"
    )]
    pub only_sections: Vec<String>,
    /// Print symbol names in full instead of shortening nested generics.
    #[arg(long, help_heading = "Output")]
    pub full_names: bool,
    /// Do not fit tables to the terminal width.
    #[arg(long, help_heading = "Output")]
    pub wide: bool,

    #[command(flatten)]
    pub budget: crate::cli::BudgetArgs,
    /// How CRATE got into the function: every dependency path from the package
    /// to it for the target, the features that enable each edge, and its bytes.
    #[arg(
        long,
        value_name = "CRATE",
        help_heading = "Views",
        conflicts_with = "diff"
    )]
    pub why: Option<String>,
}

impl SizeArgs {
    /// The analysis options these flags ask for.
    pub fn options(&self) -> Options {
        Options {
            split_std: self.split_std,
            sections: self.only_sections.clone(),
        }
    }
}

/// Report on `inputs` (found and analysed by `commands::size`) as `args` asks,
/// against `--diff` when given, with the budgets in force; print the result.
/// Over budget: the verdict on stderr and [`Exit::CheckFailed`].
pub fn run(
    ui: &Ui,
    args: &SizeArgs,
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
pub struct CrateSize {
    pub name: String,
    pub bytes: u64,
}
