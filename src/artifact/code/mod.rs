//! The machine code of an executable, decoded once for two readers: which CPU
//! features its instructions need (the CPU-baseline audit of `check` and the
//! build's preflight), and which addresses its instructions load (the size view
//! follows them to charge anonymous constants to the code that uses them).
//!
//! x86_64 is decoded by `iced-x86`, which names the CPUID feature of every
//! instruction; AArch64 by `disarm64`, whose tables come from binutils' opcode
//! table and name the architecture feature of every encoding. What each decoder
//! says is turned into one vocabulary, rustc's `target_feature` names
//! ([`names`]), so a finding compares directly with `-C target-feature` flags and
//! with `rustc --print cfg -C target-cpu=…`.
//!
//! Decoding is linear within each range of code: ranges start at every function
//! symbol (so a decoder that lost step in padding finds it again), and AArch64
//! ranges stop at `$d` mapping symbols (literal pools and assembly tables are
//! data). A stripped file is one range per executable section.

mod aarch64;
pub(crate) mod names;
mod x86;

use std::borrow::Cow;
use std::fmt;

use super::elf::Image;

/// The instruction set of a file this module decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isa {
    X86_64,
    Aarch64,
}

impl Isa {
    /// From the ELF's machine name (`crate::artifact::elf::Format::machine`).
    pub(crate) fn of_machine(machine: &str) -> Option<Isa> {
        match machine {
            "x86_64" => Some(Isa::X86_64),
            "aarch64" => Some(Isa::Aarch64),
            _ => None,
        }
    }
}

/// An instruction that needs a CPU feature beyond its architecture's base
/// (x86-64 as AMD64 defined it; Armv8.0-A with FP and Advanced SIMD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FeatureUse {
    pub at: u64,
    /// rustc's name for the feature: `avx2`, `sha3`, `lse`, …
    pub feature: Cow<'static, str>,
    pub mnemonic: Mnemonic,
}

/// An instruction's mnemonic, kept as the decoder gave it (cheap to copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mnemonic {
    X86(iced_x86::Mnemonic),
    A64(&'static str),
}

impl fmt::Display for Mnemonic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mnemonic::X86(m) => write!(f, "{}", format!("{m:?}").to_lowercase()),
            Mnemonic::A64(m) => f.write_str(m),
        }
    }
}

/// What an instruction does with an address it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    /// A direct call (`call`, `bl`).
    Call,
    /// A direct jump (`jmp`, `b`): a tail call when it leaves its function.
    Jump,
    /// An address computed or loaded from (`lea`, RIP-relative operands,
    /// `adrp`+`add`, `adrp`+`ldr`, `adr`, literal loads).
    Address,
}

/// The instruction at `at` names the address `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reference {
    pub at: u64,
    pub to: u64,
    pub kind: RefKind,
}

/// Everything decoded from a file's code.
#[derive(Debug, Clone, Default)]
pub(crate) struct Decoded {
    /// Instructions needing a feature beyond the architecture's base, by address.
    pub uses: Vec<FeatureUse>,
    /// Addresses named by instructions, by `at`.
    pub references: Vec<Reference>,
    /// Instructions that ask the CPU what it is: `cpuid`; `mrs` of an
    /// `ID_*`/`MIDR` register.
    pub probes: Vec<u64>,
    pub instructions: u64,
    /// Words or bytes no instruction decodes from (data in code, or an encoding
    /// the decoder does not know).
    pub undecodable: u64,
}

/// A run of code to decode: its address and bytes.
pub(crate) struct CodeRange<'a> {
    pub addr: u64,
    pub bytes: &'a [u8],
}

/// Decode `ranges` as `isa` code.
pub(crate) fn decode(isa: Isa, ranges: &[CodeRange<'_>]) -> Decoded {
    let mut out = Decoded::default();
    for range in ranges {
        match isa {
            Isa::X86_64 => x86::decode(range, &mut out),
            Isa::Aarch64 => aarch64::decode(range, &mut out),
        }
    }
    out.uses.sort_by_key(|u| u.at);
    out.references.sort_by_key(|r| r.at);
    out.probes.sort_unstable();
    out
}

/// The code ranges of an ELF file (`data`, as read into `image`): each
/// executable section, cut at every function symbol, without the AArch64 data
/// ranges its mapping symbols mark.
pub(crate) fn code_ranges<'a>(data: &'a [u8], image: &Image<'_>) -> Vec<CodeRange<'a>> {
    let mut ranges = Vec::new();
    for (index, section) in image.sections.iter().enumerate() {
        if !section.exec || section.file_bytes == 0 {
            continue;
        }
        let Some(bytes) = usize::try_from(section.offset).ok().and_then(|start| {
            data.get(start..)?
                .get(..usize::try_from(section.file_bytes).ok()?)
        }) else {
            continue;
        };
        let end = section.addr.saturating_add(section.file_bytes);
        // Cut points: function starts (resynchronise), then data/code markers.
        let mut cuts: Vec<(u64, Option<bool>)> = image
            .symbols
            .iter()
            .filter(|s| s.section == index && s.func)
            .map(|s| (section.addr.saturating_add(s.start), None))
            .chain(
                image
                    .mapping
                    .iter()
                    .filter(|(a, _)| *a >= section.addr && *a < end)
                    .map(|&(a, data)| (a, Some(data))),
            )
            .collect();
        cuts.push((section.addr, None));
        cuts.sort_unstable();
        cuts.dedup();
        let mut in_data = false;
        for (i, &(at, marker)) in cuts.iter().enumerate() {
            if let Some(data) = marker {
                in_data = data;
            }
            let next = cuts.get(i + 1).map_or(end, |c| c.0);
            if in_data || next <= at {
                continue;
            }
            let (from, to) = ((at - section.addr) as usize, (next - section.addr) as usize);
            if let Some(slice) = bytes.get(from..to) {
                ranges.push(CodeRange {
                    addr: at,
                    bytes: slice,
                });
            }
        }
    }
    ranges
}
