//! One pass over a file's bytes: the entry point every view (and the fuzz target)
//! goes through. The result owns its data, so the input buffer can be dropped.

use super::crates::{self, CratesView};
use super::sections::{self, SectionsView};
use super::symbols::{self, Symbol};
use crate::artifact::elf::{self, dep_list, Format};

/// What the crates and symbols views cover and how they name crates.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Show core, alloc, … apart from std.
    pub split_std: bool,
    /// Only these sections (by name) for crates and symbols; empty: every section
    /// with file bytes and symbols in it.
    pub sections: Vec<String>,
    /// The crates of the user's dependency graph (`_` for `-`), when the caller
    /// found them elsewhere (the shipped twin of a `bootstrap.full`); else the
    /// file's own `.dep-v0` list is used, if it has one.
    pub linked: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Analysis {
    pub format: Format,
    pub file_bytes: u64,
    /// No function or data symbols (stripped): only the sections view is meaningful.
    pub stripped: bool,
    pub sections: SectionsView,
    /// `None` for a stripped file.
    pub crates: Option<CratesView>,
    /// Every symbol that owns bytes, largest first.
    pub symbols: Vec<Symbol>,
    /// Section names by index, to name a symbol's section.
    pub section_names: Vec<String>,
}

/// Analyse the bytes of an ELF file. Errors (not an ELF, corrupt) are user-facing
/// [`crate::util::error::SlimError`]s; no input makes this panic.
pub fn analyze(data: &[u8], options: &Options) -> anyhow::Result<Analysis> {
    elf::with_aligned(data, |data| {
        let image = elf::image::read(data)?;
        let sections = sections::view(&image);
        // No sized function or data symbol left (a symbol table with only section
        // and file entries says nothing about where bytes go either).
        let stripped = image.symbols.is_empty();
        let (crates, symbols) = if stripped {
            (None, Vec::new())
        } else {
            let covered = crates::covered_sections(&image, &options.sections);
            let linked = (options.linked.clone()).or_else(|| dep_list::crate_names(data, &image));
            let symbols = symbols::attribute(&image, &covered, linked.as_deref());
            let mut view = crates::view(&image, &covered, &symbols, options.split_std);
            view.dependency_list = linked.is_some();
            (Some(view), symbols)
        };
        Ok(Analysis {
            format: image.format.clone(),
            file_bytes: image.file_bytes,
            stripped,
            sections,
            crates,
            symbols,
            section_names: image.sections.iter().map(|s| s.name.clone()).collect(),
        })
    })
}
