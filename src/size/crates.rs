//! The crates view: symbol bytes summed per crate (see [`crate::artifact::demangle`] for the
//! rule), plus an `[unattributed]` row for the bytes of the covered sections that no
//! symbol claims (alignment padding between functions, literal pools, anonymous
//! constants, code without a symbol), so the rows add up to the sections exactly.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::sections::share;
use super::symbols::Symbol;
use crate::artifact::demangle::STD_PRIVATE;
use crate::artifact::elf::Image;

pub(crate) const UNATTRIBUTED: &str = "[unattributed]";

#[derive(Debug, Clone, Serialize)]
pub struct CrateRow {
    pub name: String,
    pub bytes: u64,
    /// `bytes` as a fraction of `covered_bytes` (0.0–1.0).
    pub share: f64,
    /// Symbols charged to the crate.
    pub symbols: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CratesView {
    /// The sections whose bytes the rows divide up.
    pub sections: Vec<String>,
    /// Sum of those sections' file sizes; the rows add up to exactly this.
    pub covered_bytes: u64,
    /// `covered_bytes` as a fraction of the file.
    pub file_share: f64,
    /// Whether core/alloc/… are shown apart from std.
    pub split_std: bool,
    /// Largest first; `[unattributed]` is one of them.
    pub rows: Vec<CrateRow>,
    /// std's private dependencies (`addr2line`, `gimli`, …) whose bytes here are
    /// std's, with those bytes: part of the `std` row, or rows of their own with
    /// `split_std`. By name.
    pub std_private: Vec<StdPart>,
    /// Names of std's private dependencies that the user's graph has too: their
    /// rows are the user's crates (see [`crate::artifact::demangle::StdCrates`]).
    pub also_yours: Vec<String>,
    /// Whether the user's dependency graph was known (a `.dep-v0` list). Without
    /// it every name of std's private dependencies counts as std's.
    pub dependency_list: bool,
}

/// One of std's private dependencies inside the `std` row.
#[derive(Debug, Clone, Serialize)]
pub struct StdPart {
    pub name: String,
    pub bytes: u64,
}

/// Unwind tables: one entry per function, but no symbols of their own (only a
/// linker's end marker), so covering them would only swell `[unattributed]`. They
/// keep their rows in the sections view.
const UNWIND_SECTIONS: &[&str] = &[".eh_frame", ".eh_frame_hdr", ".gcc_except_table"];

/// Which sections the crates view covers: those named in `only` (any that exist),
/// else every section with file bytes and at least one sized symbol, unwind tables
/// excepted.
pub(crate) fn covered_sections(image: &Image<'_>, only: &[String]) -> Vec<bool> {
    let mut covered = vec![false; image.sections.len()];
    if only.is_empty() {
        for sym in &image.symbols {
            let section = &image.sections[sym.section];
            if section.file_bytes > 0 && !UNWIND_SECTIONS.contains(&section.name.as_str()) {
                covered[sym.section] = true;
            }
        }
    } else {
        for (i, s) in image.sections.iter().enumerate() {
            covered[i] = s.file_bytes > 0 && only.contains(&s.name);
        }
    }
    covered
}

pub(crate) fn view(
    image: &Image<'_>,
    covered: &[bool],
    symbols: &[Symbol],
    split_std: bool,
) -> CratesView {
    let covered_bytes: u64 = image
        .sections
        .iter()
        .zip(covered)
        .filter(|(_, c)| **c)
        .map(|(s, _)| s.file_bytes)
        .sum();
    let mut by_crate: HashMap<&str, (u64, u64)> = HashMap::new();
    let mut attributed = 0u64;
    let mut std_private: BTreeMap<&str, u64> = BTreeMap::new();
    let mut also_yours = BTreeSet::new();
    for sym in symbols {
        if STD_PRIVATE.contains(&sym.krate.as_str()) {
            if sym.std {
                *std_private.entry(&sym.krate).or_default() += sym.bytes;
            } else {
                also_yours.insert(sym.krate.clone());
            }
        }
        let entry = by_crate.entry(sym.shown_crate(split_std)).or_default();
        entry.0 += sym.bytes;
        entry.1 += 1;
        attributed += sym.bytes;
    }
    let mut rows: Vec<CrateRow> = by_crate
        .into_iter()
        .map(|(name, (bytes, count))| CrateRow {
            name: name.to_string(),
            bytes,
            share: share(bytes, covered_bytes),
            symbols: count,
        })
        .collect();
    // Symbols never claim more than their section, so this cannot underflow.
    let rest = covered_bytes.saturating_sub(attributed);
    rows.push(CrateRow {
        name: UNATTRIBUTED.to_string(),
        bytes: rest,
        share: share(rest, covered_bytes),
        symbols: 0,
    });
    rows.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    CratesView {
        sections: image
            .sections
            .iter()
            .zip(covered)
            .filter(|(_, c)| **c)
            .map(|(s, _)| s.name.clone())
            .collect(),
        covered_bytes,
        file_share: share(covered_bytes, image.file_bytes),
        split_std,
        rows,
        std_private: std_private
            .into_iter()
            .map(|(name, bytes)| StdPart {
                name: name.to_string(),
                bytes,
            })
            .collect(),
        also_yours: also_yours.into_iter().collect(),
        dependency_list: false,
    }
}

/// What the `std` row holds besides std, core and alloc, for the note under the
/// table: the private dependencies of std's counted as std's, and the names that
/// are dependencies of both.
pub(crate) fn std_note(view: &CratesView) -> Option<String> {
    let mut parts = Vec::new();
    if !view.std_private.is_empty() {
        let names: Vec<&str> = view.std_private.iter().map(|p| p.name.as_str()).collect();
        let names = names.join(", ");
        let why = if view.dependency_list {
            "your dependency graph has no crates of these names"
        } else {
            "no dependency list was found for this file (the shipped bootstrap's \
             .dep-v0), so every crate named like one of std's dependencies counts as std's"
        };
        parts.push(if view.split_std {
            format!("{names} are std's private dependencies, not yours ({why})")
        } else {
            format!(
                "std includes its private dependencies {names} ({why}); \
                 --split-std shows them apart"
            )
        });
    }
    if !view.also_yours.is_empty() {
        let (is, row) = if view.also_yours.len() == 1 {
            ("is a dependency", "its row holds")
        } else {
            ("are dependencies", "their rows hold")
        };
        parts.push(format!(
            "{} {is} of your crates and of std: {row} both copies",
            view.also_yours.join(", ")
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
