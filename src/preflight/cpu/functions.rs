//! The functions of a file, by address: which one an instruction sits in, by
//! its symbol, demangled, with its crate.

use crate::artifact::demangle::{self, StdCrates};
use crate::artifact::elf::Image;

use super::selection::CAPABILITY_NAMES;

/// A function symbol: where it is and what it is called.
#[derive(Debug, Clone)]
pub(super) struct Function {
    pub start: u64,
    pub end: u64,
    /// The symbol had a size (else it runs to the next function).
    pub sized: bool,
    /// Demangled.
    pub name: String,
    /// The crate its name names (`core`, `memchr`, `unwind`, `[non-rust]`).
    pub krate: String,
    /// Part of the Rust toolchain's prebuilt runtime ([`TOOLCHAIN_CRATES`]).
    pub toolchain: bool,
}

/// The runtime the Rust toolchain ships prebuilt for the target, built for the
/// target's baseline: LLVM's libunwind (reads SVE/SME registers only in frames
/// that have them), compiler-rt's builtins (outline atomics choose LSE at run
/// time), std's feature detection.
const TOOLCHAIN_CRATES: &[&str] = &["unwind", "compiler_builtins", "std_detect"];

/// Function and data symbols of one file, sorted by address.
pub(super) struct Functions {
    pub list: Vec<Function>,
    /// Every sized symbol (functions and data) that names a place where CPU
    /// capabilities are kept or detected, by address, with the name matched.
    capabilities: Vec<(u64, u64, &'static str)>,
    /// Data symbols (outside executable sections), by address: tables of
    /// function pointers are reached through them.
    objects: Vec<(u64, u64)>,
    /// `list[..sized]` had sizes; the rest did not.
    sized: usize,
}

impl Functions {
    pub(super) fn of(image: &Image<'_>) -> Functions {
        let std = StdCrates::default();
        let mut list = Vec::new();
        let mut capabilities = Vec::new();
        let mut objects = Vec::new();
        for sym in image.symbols.iter().chain(&image.unsized_functions) {
            let Some(section) = image.sections.get(sym.section) else {
                continue;
            };
            let start = section.addr.saturating_add(sym.start);
            // An unsized function runs to the next function (fixed below) or
            // the end of its section.
            let end = if sym.size > 0 {
                start.saturating_add(sym.size)
            } else {
                section.addr.saturating_add(section.file_bytes)
            };
            let name = demangle::demangle(&sym.name, &std);
            if sym.size > 0 {
                let cap = CAPABILITY_NAMES
                    .iter()
                    .find(|c| sym.name.contains(*c) || name.text.contains(*c));
                if let Some(cap) = cap {
                    capabilities.push((start, end, *cap));
                }
            }
            if !section.exec && sym.size > 0 {
                objects.push((start, end));
            }
            if sym.func && section.exec {
                let toolchain = TOOLCHAIN_CRATES.contains(&name.krate.as_str());
                list.push(Function {
                    start,
                    end,
                    sized: sym.size > 0,
                    name: name.text,
                    krate: name.krate,
                    toolchain,
                });
            }
        }
        // Sized functions first, by address (at one address keep the longest,
        // then by name); then the unsized ones, each running to the next
        // function of either kind or its section's end.
        list.sort_by(|a, b| {
            (!a.sized, a.start, std::cmp::Reverse(a.end), &a.name).cmp(&(
                !b.sized,
                b.start,
                std::cmp::Reverse(b.end),
                &b.name,
            ))
        });
        list.dedup_by_key(|f| (f.sized, f.start));
        let sized = list.partition_point(|f| f.sized);
        let starts: Vec<u64> = {
            let mut v: Vec<u64> = list.iter().map(|f| f.start).collect();
            v.sort_unstable();
            v
        };
        for f in &mut list[sized..] {
            let next = starts[starts.partition_point(|&s| s <= f.start)..]
                .first()
                .copied()
                .unwrap_or(u64::MAX);
            f.end = f.end.min(next);
        }
        capabilities.sort();
        objects.sort_unstable();
        Functions {
            list,
            capabilities,
            objects,
            sized,
        }
    }

    /// The index of the function `addr` is in: a sized one, else an unsized one.
    pub(super) fn at(&self, addr: u64) -> Option<usize> {
        let within = |range: std::ops::Range<usize>| {
            let slice = &self.list[range.clone()];
            let i = slice.partition_point(|f| f.start <= addr);
            let candidate = i.checked_sub(1)?;
            (addr < slice[candidate].end).then_some(range.start + candidate)
        };
        within(0..self.sized).or_else(|| within(self.sized..self.list.len()))
    }

    /// How many data symbols there are ([`Functions::object_at`]'s range).
    pub(super) fn objects(&self) -> usize {
        self.objects.len()
    }

    /// The index of the data symbol `addr` is in.
    pub(super) fn object_at(&self, addr: u64) -> Option<usize> {
        let i = self.objects.partition_point(|o| o.0 <= addr);
        let candidate = i.checked_sub(1)?;
        (addr < self.objects[candidate].1).then_some(candidate)
    }

    /// The capability name of the symbol `addr` is in, if it is one.
    pub(super) fn capability_at(&self, addr: u64) -> Option<&'static str> {
        let i = self.capabilities.partition_point(|s| s.0 <= addr);
        // Symbols may nest (an alias inside a larger one): look back a few.
        self.capabilities[..i]
            .iter()
            .rev()
            .take(4)
            .find(|s| addr < s.1)
            .map(|s| s.2)
    }
}
