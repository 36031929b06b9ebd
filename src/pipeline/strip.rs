//! Strip: drop the symbol table and debug sections from the linked executable.
//!
//! We strip ourselves, after inspecting, instead of asking cargo (`strip =
//! "symbols"`): that keeps one link per target, with the unstripped image kept as
//! `bootstrap.full` for `cargo slim size`, and needs no `strip` binary for the
//! target's architecture. The rewrite is done by `object`'s ELF builder, which
//! keeps every loaded segment where it was and only drops non-loaded sections.

use anyhow::{Context, Result};
use object::build::elf::{Builder, SectionData};

use crate::util::error::SlimError;

/// Sections removed, besides the symbol table and its strings: debug information
/// in any of its forms. `.comment` (compiler versions) is kept, as binutils does.
fn is_strippable(name: &[u8], alloc: bool) -> bool {
    !alloc
        && (name.starts_with(b".debug")
            || name.starts_with(b".zdebug")
            || name == b".gnu_debuglink"
            || name == b".gdb_index")
}

/// Return `elf` without its symbol table, string table and debug sections.
pub fn strip(elf: &[u8]) -> Result<Vec<u8>> {
    let mut builder = Builder::read(elf).map_err(|e| SlimError::CannotStrip {
        detail: e.to_string(),
    })?;
    for section in builder.sections.iter_mut() {
        let alloc = section.is_alloc();
        let drop = match section.data {
            SectionData::Symbol | SectionData::SymbolSectionIndex | SectionData::String => true,
            _ => is_strippable(&section.name, alloc),
        };
        if drop {
            section.delete = true;
        }
    }
    for symbol in builder.symbols.iter_mut() {
        symbol.delete = true;
    }
    let mut out = Vec::with_capacity(elf.len());
    builder
        .write(&mut out)
        .context("cannot write the stripped executable")?;
    Ok(out)
}
