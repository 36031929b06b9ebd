//! Pointers stored in an executable's data: the relative relocations the loader
//! applies to a position-independent executable (`R_*_RELATIVE` entries of
//! `.rela.dyn`, and `.relr.dyn`). Each says "the word at this address holds the
//! address of that": how a vtable, a panic location or a function-pointer table
//! refers to what it points at, which the size view follows to name the owner of
//! anonymous data.
//!
//! A position-dependent executable (`ET_EXEC`: what rust-lld and zig link for
//! static musl targets) has no such relocations: its pointers are plain
//! addresses. There every aligned word of the loaded data sections whose value
//! is an address inside the loaded image counts as a pointer — a guess that a
//! table of numbers can fool, which the readers allow for.
//!
//! Only 64-bit files are read (both Lambda architectures).

use object::elf::{FileHeader64, R_AARCH64_RELATIVE, R_X86_64_RELATIVE};
use object::read::elf::{FileHeader, Rela as _, SectionHeader as _};
use object::{elf, Endian as _, Endianness, FileKind};

use super::malformed as corrupt;

/// A stored pointer: the word at `at` holds the address `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pointer {
    pub at: u64,
    pub to: u64,
}

/// The relative relocations of `data` (8-byte aligned, see
/// [`super::with_aligned`]), sorted by `at`. A 32-bit or non-ELF file has none.
pub(crate) fn read(data: &[u8]) -> anyhow::Result<Vec<Pointer>> {
    if !matches!(FileKind::parse(data), Ok(FileKind::Elf64)) {
        return Ok(Vec::new());
    }
    let header = FileHeader64::<Endianness>::parse(data).map_err(corrupt)?;
    let endian = header.endian().map_err(corrupt)?;
    let relative = match header.e_machine(endian) {
        elf::EM_X86_64 => R_X86_64_RELATIVE,
        elf::EM_AARCH64 => R_AARCH64_RELATIVE,
        _ => return Ok(Vec::new()),
    };
    let sections = header.sections(endian, data).map_err(corrupt)?;
    let mut out = Vec::new();
    for sh in sections.iter() {
        if let Some((relas, _)) = sh
            .rela(endian, data)
            .map_err(|e| corrupt(format_args!("relocations: {e}")))?
        {
            for rela in relas {
                if rela.r_type(endian, false) == relative {
                    out.push(Pointer {
                        at: rela.r_offset(endian),
                        to: rela.r_addend(endian) as u64,
                    });
                }
            }
        }
        if let Some(relrs) = sh
            .relr(endian, data)
            .map_err(|e| corrupt(format_args!("relative relocations: {e}")))?
        {
            for at in relrs {
                // RELR keeps the addend in the word itself.
                if let Some(to) = word_at(&sections, endian, data, at) {
                    out.push(Pointer { at, to });
                }
            }
        }
    }
    if out.is_empty() && header.e_type(endian) == elf::ET_EXEC {
        out = scan_words(&sections, endian, data);
    }
    out.sort_unstable_by_key(|p| p.at);
    Ok(out)
}

/// Every 8-byte aligned word of the allocated, non-executable sections with
/// file bytes whose value lies inside an allocated section.
fn scan_words<'data>(
    sections: &object::read::elf::SectionTable<'data, FileHeader64<Endianness>, &'data [u8]>,
    endian: Endianness,
    data: &'data [u8],
) -> Vec<Pointer> {
    let alloc = |sh: &&object::elf::SectionHeader64<Endianness>| {
        sh.sh_flags(endian).0 & elf::SHF_ALLOC.0 != 0
    };
    let mut ranges: Vec<(u64, u64)> = sections
        .iter()
        .filter(alloc)
        .map(|sh| {
            let start = sh.sh_addr(endian);
            (start, start.saturating_add(sh.sh_size(endian)))
        })
        .filter(|(start, end)| start < end)
        .collect();
    ranges.sort_unstable();
    let inside = |v: u64| {
        let i = ranges.partition_point(|r| r.0 <= v);
        i > 0 && v < ranges[i - 1].1
    };
    let mut out = Vec::new();
    for sh in sections.iter().filter(alloc) {
        if sh.sh_type(endian) == elf::SHT_NOBITS
            || sh.sh_flags(endian).0 & elf::SHF_EXECINSTR.0 != 0
        {
            continue;
        }
        let Ok(bytes) = sh.data(endian, data) else {
            continue;
        };
        let base = sh.sh_addr(endian);
        let skip = (base.wrapping_neg() & 7) as usize;
        for (i, word) in bytes.get(skip..).unwrap_or(&[]).chunks_exact(8).enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            let v = if endian.is_little_endian() {
                u64::from_le_bytes(w)
            } else {
                u64::from_be_bytes(w)
            };
            if v != 0 && inside(v) {
                out.push(Pointer {
                    at: base + (skip + 8 * i) as u64,
                    to: v,
                });
            }
        }
    }
    out
}

/// The 64-bit word the file holds at virtual address `addr`, if a section with
/// file bytes covers it.
fn word_at<'data>(
    sections: &object::read::elf::SectionTable<'data, FileHeader64<Endianness>, &'data [u8]>,
    endian: Endianness,
    data: &'data [u8],
    addr: u64,
) -> Option<u64> {
    let end = addr.checked_add(8)?;
    let sh = sections.iter().find(|sh| {
        let start = sh.sh_addr(endian);
        sh.sh_type(endian) != elf::SHT_NOBITS
            && sh.sh_flags(endian).0 & elf::SHF_ALLOC.0 != 0
            && addr >= start
            && end <= start.saturating_add(sh.sh_size(endian))
    })?;
    let offset = sh
        .sh_offset(endian)
        .checked_add(addr - sh.sh_addr(endian))?;
    let bytes: [u8; 8] = data
        .get(usize::try_from(offset).ok()?..)?
        .get(..8)?
        .try_into()
        .ok()?;
    Some(if endian.is_little_endian() {
        u64::from_le_bytes(bytes)
    } else {
        u64::from_be_bytes(bytes)
    })
}
