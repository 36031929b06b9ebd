//! An address of a running program, named: the function it is in (from the
//! symbol table), that function's crate, and the instruction there with the CPU
//! features it needs — what a crash report needs to say more than "signal:
//! illegal instruction".

use serde::Serialize;

use super::image::{self, Image};
use crate::artifact::code::{self, CodeRange, Isa};
use crate::artifact::demangle::{self, StdCrates};

/// What an address is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Located {
    /// Demangled; `None` when no symbol covers the address.
    pub function: Option<String>,
    pub krate: Option<String>,
    /// The instruction's mnemonic, when it needs a feature beyond the base.
    pub instruction: Option<String>,
    /// The CPU features it needs beyond the architecture's base.
    pub features: Vec<String>,
}

/// Name `addr` (an address in the file's own terms, the load bias taken off)
/// in the ELF `data`.
pub(crate) fn locate(data: &[u8], addr: u64) -> anyhow::Result<Located> {
    super::with_aligned(data, |data| {
        let image = image::read(data)?;
        let mut found = Located::default();
        if let Some(name) = function_at(&image, addr) {
            let name = demangle::demangle(&name, &StdCrates::default());
            found.krate = Some(name.krate);
            found.function = Some(name.text);
        }
        if let (Some(isa), Some(bytes)) = (
            Isa::of_machine(&image.format.machine),
            bytes_at(&image, data, addr),
        ) {
            let decoded = code::decode(isa, &[CodeRange { addr, bytes }]);
            for used in decoded.uses.iter().filter(|u| u.at == addr) {
                found.instruction = Some(used.mnemonic.to_string());
                found.features.push(used.feature.to_string());
            }
        }
        Ok(found)
    })
}

/// The raw name of the function symbol covering `addr`: a sized one, else the
/// nearest unsized one before it in the same section.
fn function_at(image: &Image<'_>, addr: u64) -> Option<String> {
    let start_of = |s: &image::RawSymbol<'_>| {
        image
            .sections
            .get(s.section)
            .map(|sec| sec.addr.saturating_add(s.start))
    };
    let sized = image
        .symbols
        .iter()
        .filter(|s| s.func)
        .find(|s| start_of(s).is_some_and(|a| a <= addr && addr < a.saturating_add(s.size)));
    let nearest = || {
        image
            .unsized_functions
            .iter()
            .filter_map(|s| Some((start_of(s)?, s)))
            .filter(|(a, _)| *a <= addr)
            .max_by_key(|(a, _)| *a)
            .map(|(_, s)| s)
    };
    sized.or_else(nearest).map(|s| s.name.to_string())
}

/// Up to one instruction's bytes (15, x86's longest) at `addr`.
fn bytes_at<'d>(image: &Image<'_>, data: &'d [u8], addr: u64) -> Option<&'d [u8]> {
    let section = image
        .sections
        .iter()
        .find(|s| s.exec && addr >= s.addr && addr < s.addr.saturating_add(s.file_bytes))?;
    let into = addr - section.addr;
    let start = usize::try_from(section.offset.checked_add(into)?).ok()?;
    let len = usize::try_from((section.file_bytes - into).min(15)).ok()?;
    data.get(start..start.checked_add(len)?)
}
