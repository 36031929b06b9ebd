//! Symbols with the bytes each one alone accounts for.
//!
//! Symbol tables overlap: aliases share an address, and a damaged or hand-written
//! table may have one symbol running into the next. Each byte of a section is
//! charged to at most one symbol — the one starting first (at equal starts: global
//! before local, then the larger, then by name) — so per-symbol bytes can be summed
//! into crate rows that add up exactly.

use crate::artifact::demangle::{self, display_crate, StdCrates};
use crate::artifact::elf::Image;

/// A symbol and the bytes of the file it is charged with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Demangled name (without the legacy hash).
    pub name: String,
    /// The crate as the name says it (`core`, not yet folded into `std`).
    pub krate: String,
    /// `krate` is the standard library's (core, alloc, or a private dependency of
    /// std's that the user's graph does not have; see [`StdCrates`]).
    pub std: bool,
    /// Index into the image's sections.
    pub section: usize,
    pub address: u64,
    pub bytes: u64,
}

impl Symbol {
    /// The crate row this symbol counts in.
    pub fn shown_crate(&self, split_std: bool) -> &str {
        display_crate(&self.krate, self.std, split_std)
    }
}

/// Attribute the bytes of the sections marked in `covered` to symbols. Returns the
/// symbols that own at least one byte, largest first. `linked`: the names of the
/// crates of the user's dependency graph, when known ([`StdCrates`]).
pub(crate) fn attribute(
    image: &Image<'_>,
    covered: &[bool],
    linked: Option<&[String]>,
) -> Vec<Symbol> {
    let std = StdCrates {
        linked: linked.map(<[String]>::to_vec),
    };
    let mut order: Vec<usize> = (0..image.symbols.len())
        .filter(|&i| {
            covered
                .get(image.symbols[i].section)
                .copied()
                .unwrap_or(false)
        })
        .collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&image.symbols[a], &image.symbols[b]);
        (
            x.section,
            x.start,
            !x.global,
            std::cmp::Reverse(x.size),
            &x.name,
        )
            .cmp(&(
                y.section,
                y.start,
                !y.global,
                std::cmp::Reverse(y.size),
                &y.name,
            ))
    });
    let mut out = Vec::new();
    let mut section = usize::MAX;
    let mut cursor = 0u64;
    for i in order {
        let sym = &image.symbols[i];
        if sym.section != section {
            section = sym.section;
            cursor = 0;
        }
        let limit = image.sections[section].file_bytes;
        let end = sym.start.saturating_add(sym.size).min(limit);
        let start = sym.start.max(cursor);
        if end <= start {
            continue;
        }
        cursor = end;
        let name = demangle::demangle(&sym.name, &std);
        out.push(Symbol {
            name: name.text,
            krate: name.krate,
            std: name.std,
            section,
            address: image.sections[section].addr.saturating_add(sym.start),
            bytes: end - start,
        });
    }
    out.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    out
}
