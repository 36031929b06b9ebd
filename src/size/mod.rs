//! `cargo slim size`: where the bytes of a build go — sections, crates, symbols,
//! what stripping saved, and the difference between two builds.
//!
//! Data flow: [`input`] finds the file(s) (the last build's `bootstrap.full`, a
//! path, a function.zip) → [`analysis`] reads the ELF once (`crate::artifact::elf`) and derives
//! the [`sections`], [`symbols`] (demangled by [`demangle`]) and [`crates`] views →
//! [`report`] selects what was asked for (or [`diff`] compares two analyses) →
//! [`render`] prints tables, or the same structures go out as JSON.

pub mod analysis;
pub mod crates;
pub mod demangle;
pub mod diff;
pub mod input;
pub mod render;
pub mod report;
pub mod sections;
pub mod symbols;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use clap::Args;

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
    /// Compare with an older build: an ELF file, a function.zip, a build directory
    /// or its slim-manifest.json.
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
}

impl SizeArgs {
    fn options(&self) -> Options {
        Options {
            split_std: self.split_std,
            sections: self.only_sections.clone(),
        }
    }
}

/// Analyse `inputs` (found by `commands::size`) as `args` asks and print the
/// result.
pub fn run(ui: &Ui, args: &SizeArgs, inputs: &[input::Input]) -> anyhow::Result<Exit> {
    let old = match &args.diff {
        Some(path) => Some(input::load_old(path)?),
        None => None,
    };
    let options = args.options();
    let mut reports = Vec::new();
    for file in inputs {
        let analysis = analyze(&file.data, &options)
            .map_err(|e| e.context(format!("cannot analyse {}", file.path.display())))?;
        match &old {
            Some(old) => {
                let old_analysis = analyze(&old.data, &options)
                    .map_err(|e| e.context(format!("cannot analyse {}", old.path.display())))?;
                reports.push(report::Document::Diff(diff::compare(
                    old,
                    &old_analysis,
                    file,
                    &analysis,
                    args,
                )?));
            }
            None => reports.push(report::Document::Size(report::build(
                file, &analysis, args,
            )?)),
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
            text.push_str(&render::document(doc, layout));
            ui.out(&text)?;
        }
    }
    Ok(Exit::Success)
}

/// One row of the per-crate view, as the build summary shows the top few.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CrateSize {
    pub name: String,
    pub bytes: u64,
}

/// The `n` largest crates of an unstripped ELF (for the build summary). The
/// `[unattributed]` and `[non-rust]` rows are left out: the summary names crates.
/// A stripped file has no crates to show and gives an empty list.
pub fn top_crates(elf: &[u8], n: usize) -> anyhow::Result<Vec<CrateSize>> {
    let analysis = analyze(elf, &Options::default())?;
    Ok(analysis
        .crates
        .map(|view| {
            view.rows
                .into_iter()
                .filter(|r| !r.name.starts_with('['))
                .take(n)
                .map(|r| CrateSize {
                    name: r.name,
                    bytes: r.bytes,
                })
                .collect()
        })
        .unwrap_or_default())
}
