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

/// A section to add to the stripped file: not loaded (no `SHF_ALLOC`), so no
/// segment moves; it goes after the loaded data, like `.comment`. A section of
/// the same name already in the link is replaced.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtraSection<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
}

/// Return `elf` without its symbol table, string table and debug sections, with
/// `extra` sections added.
pub(crate) fn strip(elf: &[u8], extra: &[ExtraSection]) -> Result<Vec<u8>> {
    let mut builder = Builder::read(elf).map_err(|e| SlimError::CannotStrip {
        detail: e.to_string(),
    })?;
    for section in builder.sections.iter_mut() {
        let alloc = section.is_alloc();
        let drop = match section.data {
            SectionData::Symbol | SectionData::SymbolSectionIndex | SectionData::String => true,
            _ => is_strippable(&section.name, alloc),
        };
        let replaced = !alloc && extra.iter().any(|e| *section.name == *e.name.as_bytes());
        if drop || replaced {
            section.delete = true;
        }
    }
    for symbol in builder.symbols.iter_mut() {
        symbol.delete = true;
    }
    for e in extra {
        let section = builder.sections.add();
        section.name = e.name.as_bytes().to_vec().into();
        section.sh_type = object::elf::SHT_PROGBITS;
        section.sh_addralign = 1;
        section.data = SectionData::Data(e.data.to_vec().into());
    }
    let mut out = Vec::with_capacity(elf.len());
    builder
        .write(&mut out)
        .context("cannot write the stripped executable")?;
    Ok(out)
}
