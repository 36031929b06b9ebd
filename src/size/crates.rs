//! The crates view: symbol bytes summed per crate (see [`super::demangle`] for the
//! rule), plus an `[unattributed]` row for the bytes of the covered sections that no
//! symbol claims (alignment padding between functions, literal pools, anonymous
//! constants, code without a symbol), so the rows add up to the sections exactly.

use std::collections::HashMap;

use serde::Serialize;

use super::demangle::display_crate;
use super::sections::share;
use super::symbols::Symbol;
use crate::artifact::elf::Image;

pub const UNATTRIBUTED: &str = "[unattributed]";

#[derive(Debug, Clone, Serialize)]
pub struct CrateRow {
    pub name: String,
    pub bytes: u64,
    /// `bytes` as a fraction of `covered_bytes` (0.0–1.0).
    pub share: f64,
    /// Symbols charged to the crate.
    pub symbols: u64,
}

#[derive(Debug, Clone, Serialize)]
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
}

/// Unwind tables: one entry per function, but no symbols of their own (only a
/// linker's end marker), so covering them would only swell `[unattributed]`. They
/// keep their rows in the sections view.
const UNWIND_SECTIONS: &[&str] = &[".eh_frame", ".eh_frame_hdr", ".gcc_except_table"];

/// Which sections the crates view covers: those named in `only` (any that exist),
/// else every section with file bytes and at least one sized symbol, unwind tables
/// excepted.
pub fn covered_sections(image: &Image<'_>, only: &[String]) -> Vec<bool> {
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

pub fn view(
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
    for sym in symbols {
        let entry = by_crate
            .entry(display_crate(&sym.krate, split_std))
            .or_default();
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
    }
}
