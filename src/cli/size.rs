//! Options of `cargo slim size`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::budget::BudgetArgs;
use super::select::SelectArgs;

const SIZE_AFTER_HELP: &str = "\
Views: the sections view is the default; --crates and --symbols add theirs (any
combination). With --diff every view is shown unless some are picked.

How crates are counted: each function and data symbol is demangled (Rust legacy
and v0 manglings) and charged to the first crate its name mentions that is not
part of the standard library, reading left to right; names that mention only
standard-library crates count as `std`. So a generic instantiation such as
`core::ptr::drop_in_place::<tokio::Runtime>` counts for tokio: `cargo slim build`
mangles v0, whose names carry every type argument (unless your RUSTFLAGS or
cargo config choose a mangling). The standard library is std, core, alloc,
compiler_builtins, … and std's private dependencies (addr2line, gimli,
hashbrown, memchr, miniz_oxide, rustc_demangle, …) unless your dependency
graph (the shipped bootstrap's .dep-v0 list) has a crate of that name;
--split-std shows them all apart. Symbols without Rust mangling (C library, C
code) form `[non-rust]`; bytes no symbol covers form `[unattributed]`, so the
rows add up exactly to the sections covered. Details and the JSON fields:
docs/size.md.";

/// Options of `cargo slim size`.
#[derive(Debug, Args, Clone)]
#[command(after_help = SIZE_AFTER_HELP)]
pub(crate) struct SizeArgs {
    /// An ELF file (or a function.zip) to analyse [default: the last build's
    /// bootstrap.full as it is, building first only when there is none].
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub select: SelectArgs,

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
    /// Show core, alloc, std's private dependencies (gimli, …) and the other
    /// standard-library crates apart from std.
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
    pub budget: BudgetArgs,
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
    /// The typed request.
    pub(crate) fn to_request(&self) -> Result<crate::commands::size::SizeRequest> {
        Ok(crate::commands::size::SizeRequest {
            path: self.path.clone(),
            selection: self.select.to_selection()?,
            budgets: self.budget.rules()?,
            why: self.why.clone(),
            view: crate::size::View {
                sections: self.sections,
                crates: self.crates,
                symbols: self.symbols,
                diff: self.diff.clone(),
                n: self.n,
                filter: self.filter.clone(),
                split_std: self.split_std,
                only_sections: self.only_sections.clone(),
                full_names: self.full_names,
                wide: self.wide,
            },
        })
    }
}
