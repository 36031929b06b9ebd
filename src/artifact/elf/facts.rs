//! The facts about an ELF file that decide whether a Lambda runtime can start it:
//! class, machine, type, program headers, interpreter, needed libraries and
//! symbol version needs.
//!
//! Read with `object`'s ELF parser, which checks every offset and size it follows,
//! so a damaged file ends in an error here rather than a panic. What the
//! preflight makes of these facts is the preflight's business.

use object::elf;
use object::read::elf::{Dyn as _, FileHeader as _, ProgramHeader as _, Sym as _};
use object::LittleEndian;

use super::malformed;
use crate::util::error::SlimError;

/// The 64-bit little-endian header both Lambda architectures use.
type Header = elf::FileHeader64<LittleEndian>;

/// What the ELF identification bytes say about the file's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// `EI_CLASS`: 1 for 32-bit, 2 for 64-bit.
    pub class: u8,
    /// `EI_DATA`: 1 for little-endian, 2 for big-endian.
    pub data: u8,
    /// `EI_OSABI`: 0 (System V) or 3 (GNU/Linux) for Linux executables.
    pub os_abi: u8,
}

impl Layout {
    /// Both Lambda architectures run 64-bit little-endian code only.
    pub(crate) fn is_lambda(self) -> bool {
        self.class == elf::ELFCLASS64.0 && self.data == elf::ELFDATA2LSB.0
    }

    /// Linux executables say System V or GNU; others (FreeBSD, …) are for
    /// another kernel even when class and machine fit.
    pub(crate) fn is_linux(self) -> bool {
        self.os_abi == elf::ELFOSABI_SYSV.0 || self.os_abi == elf::ELFOSABI_GNU.0
    }

    pub(crate) fn describe(self) -> String {
        let class = match self.class {
            1 => "32-bit".to_string(),
            2 => "64-bit".to_string(),
            other => format!("unknown class {other}"),
        };
        let data = match self.data {
            1 => "little-endian".to_string(),
            2 => "big-endian".to_string(),
            other => format!("unknown byte order {other}"),
        };
        format!("{class}, {data}")
    }
}

/// One symbol version a program requires from one library (a `Vernaux` entry of
/// `.gnu.version_r`), with the imported symbols bound to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionNeed {
    /// The library the version must come from, e.g. `libc.so.6`.
    pub library: String,
    /// The version name, e.g. `GLIBC_2.34`.
    pub name: String,
    /// A weak need: the loader only warns when it is missing.
    pub weak: bool,
    /// Undefined dynamic symbols bound to this version, sorted.
    pub symbols: Vec<String>,
}

/// Everything the checks look at. For a file that is not 64-bit little-endian only
/// `layout` and `machine` are read (`body` is `None`): nothing else can matter.
#[derive(Debug, Clone)]
pub(crate) struct ElfFacts {
    pub layout: Layout,
    /// `e_machine`.
    pub machine: u16,
    pub body: Option<Body>,
}

/// The parts of a 64-bit little-endian ELF the runtime's loader reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Body {
    /// `e_type`: `ET_EXEC`, `ET_DYN`, ...
    pub file_type: u16,
    pub entry: u64,
    /// The PT_INTERP path, if any.
    pub interpreter: Option<String>,
    /// A PT_DYNAMIC segment exists (dynamically linked or static-pie).
    pub dynamic: bool,
    /// `DT_FLAGS_1` has `DF_1_PIE`: a position-independent executable rather than a
    /// shared library.
    pub pie_flag: bool,
    /// DT_NEEDED entries in order.
    pub needed: Vec<String>,
    pub version_needs: Vec<VersionNeed>,
    /// The program header table, as the kernel's loader sees it.
    pub segments: Segments,
}

/// The program header table: what the kernel reads to map an executable.
#[derive(Debug, Clone, Default)]
pub(crate) struct Segments {
    /// `e_phnum` as written (`PN_XNUM`, 0xffff, is not resolved through section 0
    /// here: the kernel does not resolve it either).
    pub count: u16,
    /// `e_phentsize`.
    pub entry_size: u16,
    /// The `PT_LOAD` segments, in table order.
    pub loads: Vec<Load>,
}

/// One `PT_LOAD` segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Load {
    pub vaddr: u64,
    pub memsz: u64,
    /// `PF_X` is set.
    pub executable: bool,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl ElfFacts {
    /// Read the facts from an ELF image. Not an ELF, or a damaged one, is an error.
    pub(crate) fn read(data: &[u8]) -> anyhow::Result<ElfFacts> {
        if !data.starts_with(&elf::ELFMAG) {
            return Err(super::not_elf(data));
        }
        // e_machine sits at offset 18 in both classes; its byte order is EI_DATA's.
        let (Some(&class), Some(&data_enc), Some(&os_abi), Some(m)) =
            (data.get(4), data.get(5), data.get(7), data.get(18..20))
        else {
            return Err(malformed("the header is cut short"));
        };
        let layout = Layout {
            class,
            data: data_enc,
            os_abi,
        };
        let machine = if data_enc == elf::ELFDATA2MSB.0 {
            u16::from_be_bytes([m[0], m[1]])
        } else {
            u16::from_le_bytes([m[0], m[1]])
        };
        let body = if layout.is_lambda() {
            Some(super::with_aligned(data, read_body)?)
        } else {
            None
        };
        Ok(ElfFacts {
            layout,
            machine,
            body,
        })
    }
}

fn read_body(data: &[u8]) -> anyhow::Result<Body> {
    let header = Header::parse(data).map_err(malformed)?;
    let endian = header.endian().map_err(malformed)?;
    let mut body = Body {
        file_type: header.e_type(endian).0,
        entry: header.e_entry(endian),
        segments: Segments {
            count: header.e_phnum.get(endian),
            entry_size: header.e_phentsize.get(endian),
            loads: Vec::new(),
        },
        ..Body::default()
    };

    for segment in header.program_headers(endian, data).map_err(malformed)? {
        if segment.p_type(endian) == elf::PT_LOAD {
            body.segments.loads.push(Load {
                vaddr: segment.p_vaddr(endian),
                memsz: segment.p_memsz(endian),
                executable: segment.p_flags(endian).contains(elf::PF_X),
            });
        }
        if let Some(path) = segment.interpreter(endian, data).map_err(malformed)? {
            body.interpreter.get_or_insert_with(|| text(path));
        }
        if segment.p_type(endian) == elf::PT_DYNAMIC {
            body.dynamic = true;
        }
    }

    let sections = header.sections(endian, data).map_err(malformed)?;
    if sections.is_empty() {
        if body.dynamic {
            // The loader itself reads PT_DYNAMIC, but the names of needed versions
            // and the symbols bound to them are found through the section headers.
            return Err(SlimError::NoSectionHeaders.into());
        }
        return Ok(body);
    }

    if let Some((entries, link)) = sections.dynamic(endian, data).map_err(malformed)? {
        let strings = sections.strings(endian, data, link).map_err(malformed)?;
        for entry in entries {
            let tag = entry.tag(endian);
            if tag == elf::DT_NEEDED {
                body.needed
                    .push(text(entry.string(endian, strings).map_err(malformed)?));
            } else if tag == elf::DT_FLAGS_1 {
                body.pie_flag |= entry.val(endian) & elf::DF_1_PIE.0 != 0;
            }
        }
    }

    body.version_needs = version_needs(&sections, endian, data)?;
    Ok(body)
}

type Sections<'data> = object::read::elf::SectionTable<'data, Header, &'data [u8]>;

/// The `.gnu.version_r` entries, each with the undefined dynamic symbols that
/// `.gnu.version` binds to it.
fn version_needs(
    sections: &Sections<'_>,
    endian: LittleEndian,
    data: &[u8],
) -> anyhow::Result<Vec<VersionNeed>> {
    let Some((mut files, link)) = sections.gnu_verneed(endian, data).map_err(malformed)? else {
        return Ok(Vec::new());
    };
    let strings = sections.strings(endian, data, link).map_err(malformed)?;
    // (version index, need) — the index is what `.gnu.version` entries refer to.
    let mut needs: Vec<(u16, VersionNeed)> = Vec::new();
    while let Some((file, mut versions)) = files.next().map_err(malformed)? {
        let library = text(file.file(endian, strings).map_err(malformed)?);
        while let Some(version) = versions.next().map_err(malformed)? {
            needs.push((
                version.vna_other(endian).index().0,
                VersionNeed {
                    library: library.clone(),
                    name: text(version.name(endian, strings).map_err(malformed)?),
                    weak: version.vna_flags.get(endian).contains(elf::VER_FLG_WEAK),
                    symbols: Vec::new(),
                },
            ));
        }
    }

    if let Some((versyms, symtab)) = sections.gnu_versym(endian, data).map_err(malformed)? {
        let symbols = sections
            .symbol_table_by_index(endian, data, symtab)
            .map_err(malformed)?;
        for (symbol, versym) in symbols.iter().zip(versyms) {
            if !symbol.is_undefined(endian) {
                continue;
            }
            let index = versym.0.get(endian).index().0;
            if let Some((_, need)) = needs.iter_mut().find(|(i, _)| *i == index) {
                let name = symbol.name(endian, symbols.strings()).map_err(malformed)?;
                need.symbols.push(text(name));
            }
        }
    }

    Ok(needs
        .into_iter()
        .map(|(_, mut need)| {
            need.symbols.sort();
            need.symbols.dedup();
            need
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_elf_input_is_a_clean_error() {
        for input in [
            &b""[..],
            b"PK\x03\x04rest",
            b"#!/bin/sh\necho hi\n",
            b"\x7fELF",
        ] {
            assert!(ElfFacts::read(input).is_err(), "{input:?}");
        }
    }

    #[test]
    fn a_32_bit_header_is_read_for_its_machine_only() {
        let mut header = vec![0u8; 52];
        header[..4].copy_from_slice(&elf::ELFMAG);
        header[4] = elf::ELFCLASS32.0;
        header[5] = elf::ELFDATA2LSB.0;
        header[18..20].copy_from_slice(&elf::EM_386.0.to_le_bytes());
        let facts = ElfFacts::read(&header).unwrap();
        assert!(!facts.layout.is_lambda());
        assert_eq!(facts.machine, elf::EM_386.0);
        assert!(facts.body.is_none());
    }
}
