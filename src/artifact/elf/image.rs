//! An ELF file's layout (headers and sections) and its defined, sized symbols.
//! Any ELF is accepted — 32 or 64 bit, either byte order, any machine — because
//! `cargo slim size PATH` is also pointed at binaries we did not build.
//!
//! Offsets and sizes come from the (possibly corrupt) file, so sums are checked
//! and ranges are compared with the real length.

use std::borrow::Cow;

use object::elf::{FileHeader32, FileHeader64};
use object::read::elf::{FileHeader, ProgramHeader as _, SectionHeader as _, Sym as _};
use object::{elf, Endianness, FileKind};

use super::{malformed as corrupt, not_elf};

/// What the file is, in a few words: `ELF 64-bit little-endian x86_64`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Format {
    /// 32 or 64.
    pub bits: u8,
    /// `little` or `big`.
    pub endian: &'static str,
    /// `x86_64`, `aarch64`, … or `EM_<number>` for machines without a short name.
    pub machine: String,
}

/// One section header, with its sizes as they count for a file on disk.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub name: String,
    /// Bytes the section occupies in the file (0 for `.bss`-like sections).
    pub file_bytes: u64,
    /// Bytes the section occupies in memory when loaded (0 if not allocated).
    pub vm_bytes: u64,
    pub offset: u64,
    pub addr: u64,
    /// `sh_type`: SHT_NOBITS sections have no bytes in the file.
    pub kind: elf::SectionType,
    /// Allocated and executable (`SHF_EXECINSTR`): machine code.
    pub exec: bool,
}

/// A defined, sized function, data or thread-local symbol.
#[derive(Debug, Clone)]
pub(crate) struct RawSymbol<'a> {
    pub name: Cow<'a, str>,
    /// Index into [`Image::sections`].
    pub section: usize,
    /// Where the symbol starts, relative to the start of its section.
    pub start: u64,
    pub size: u64,
    /// Global or weak (preferred over a local alias at the same address).
    pub global: bool,
    /// A function (`STT_FUNC`), not data.
    pub func: bool,
}

/// The parts of an ELF file that size attribution needs.
#[derive(Debug, Clone)]
pub(crate) struct Image<'a> {
    pub format: Format,
    pub file_bytes: u64,
    /// `e_entry`: where execution starts.
    pub entry: u64,
    /// The ELF header itself.
    pub elf_header: u64,
    /// (offset, bytes) of the program header table.
    pub program_headers: (u64, u64),
    /// (offset, bytes) of the section header table.
    pub section_headers: (u64, u64),
    pub sections: Vec<Section>,
    pub symbols: Vec<RawSymbol<'a>>,
    /// Function symbols without a size (assembly without `.size`): they own no
    /// bytes, but name the code from their address on.
    pub unsized_functions: Vec<RawSymbol<'a>>,
    /// AArch64 mapping symbols (`$x` code, `$d` data) by address, sorted: where an
    /// executable section holds data (literal pools, assembly tables) that must
    /// not be decoded as instructions. `true` for data.
    pub mapping: Vec<(u64, bool)>,
}

/// Read `data` as an ELF file. `data` must be 8-byte aligned (see
/// [`super::with_aligned`]).
pub(crate) fn read(data: &[u8]) -> anyhow::Result<Image<'_>> {
    match FileKind::parse(data) {
        Ok(FileKind::Elf32) => read_elf::<FileHeader32<Endianness>>(data),
        Ok(FileKind::Elf64) => read_elf::<FileHeader64<Endianness>>(data),
        _ => Err(not_elf(data)),
    }
}

type Table<'data, Elf> = object::read::elf::SectionTable<'data, Elf, &'data [u8]>;

fn read_elf<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> anyhow::Result<Image<'_>> {
    let header = Elf::parse(data).map_err(|e| corrupt(format_args!("header: {e}")))?;
    let endian = header.endian().map_err(corrupt)?;
    let file_bytes = data.len() as u64;
    let (program_headers, section_headers) = header_tables(header, endian, data)?;
    let table = header
        .sections(endian, data)
        .map_err(|e| corrupt(format_args!("section headers: {e}")))?;
    let sections = read_sections(&table, endian, file_bytes)?;
    let SymbolTable {
        symbols,
        unsized_functions,
        mapping,
    } = read_symbols(header, &table, &sections, endian, data)?;
    Ok(Image {
        format: Format {
            bits: if header.is_class_64() { 64 } else { 32 },
            endian: if header.is_little_endian() {
                "little"
            } else {
                "big"
            },
            machine: machine_name(header.e_machine(endian)),
        },
        file_bytes,
        entry: header.e_entry(endian).into(),
        elf_header: u64::from(header.e_ehsize(endian)).min(file_bytes),
        program_headers,
        section_headers,
        sections,
        symbols,
        unsized_functions,
        mapping,
    })
}

/// (offset, bytes) of the program and section header tables, both inside the file.
fn header_tables<Elf: FileHeader<Endian = Endianness>>(
    header: &Elf,
    endian: Endianness,
    data: &[u8],
) -> anyhow::Result<((u64, u64), (u64, u64))> {
    let phoff: u64 = header.e_phoff(endian).into();
    let phnum = header.phnum(endian, data).map_err(corrupt)?;
    let ph_bytes = u64::from(phnum) * u64::from(header.e_phentsize(endian));
    let shoff: u64 = header.e_shoff(endian).into();
    let shnum = header.shnum(endian, data).map_err(corrupt)?;
    let sh_bytes = u64::from(shnum) * u64::from(header.e_shentsize(endian));
    for (what, off, len) in [
        ("program header table", phoff, ph_bytes),
        ("section header table", shoff, sh_bytes),
    ] {
        if off
            .checked_add(len)
            .is_none_or(|end| end > data.len() as u64)
        {
            return Err(corrupt(format_args!(
                "the {what} extends past the end of the file"
            )));
        }
    }
    Ok(((phoff, ph_bytes), (shoff, sh_bytes)))
}

fn read_sections<Elf: FileHeader<Endian = Endianness>>(
    table: &Table<'_, Elf>,
    endian: Endianness,
    file_bytes: u64,
) -> anyhow::Result<Vec<Section>> {
    let mut sections = Vec::with_capacity(table.len());
    for (index, sh) in table.enumerate() {
        let name = table
            .section_name(endian, sh)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_else(|_| format!("[section {}]", index.0));
        let size: u64 = sh.sh_size(endian).into();
        let offset: u64 = sh.sh_offset(endian).into();
        let kind = sh.sh_type(endian);
        let in_file = kind != elf::SHT_NOBITS && kind != elf::SHT_NULL;
        if in_file && offset.checked_add(size).is_none_or(|end| end > file_bytes) {
            return Err(corrupt(format_args!(
                "section `{name}` extends past the end of the file"
            )));
        }
        let flags = sh.sh_flags(endian).0;
        let alloc = flags & elf::SHF_ALLOC.0 != 0;
        let exec = alloc && flags & elf::SHF_EXECINSTR.0 != 0;
        sections.push(Section {
            name,
            file_bytes: if in_file { size } else { 0 },
            vm_bytes: if alloc { size } else { 0 },
            offset,
            addr: sh.sh_addr(endian).into(),
            kind,
            exec,
        });
    }
    Ok(sections)
}

/// The defined, sized function, data and thread-local symbols of `.symtab`, the
/// unsized functions, and the AArch64 mapping symbols (see [`Image::mapping`]).
fn read_symbols<'data, Elf: FileHeader<Endian = Endianness>>(
    header: &Elf,
    table: &Table<'data, Elf>,
    sections: &[Section],
    endian: Endianness,
    data: &'data [u8],
) -> anyhow::Result<SymbolTable<'data>> {
    // Thread-local symbols hold offsets into the TLS template, not addresses.
    let tls_base: Option<u64> = header
        .program_headers(endian, data)
        .ok()
        .and_then(|phs| phs.iter().find(|ph| ph.p_type(endian) == elf::PT_TLS))
        .map(|ph| ph.p_vaddr(endian).into());
    let symtab = table
        .symbols(endian, data, elf::SHT_SYMTAB)
        .map_err(|e| corrupt(format_args!("symbol table: {e}")))?;
    let mut symbols = Vec::new();
    let mut mapping = Vec::new();
    for (index, sym) in symtab.enumerate().skip(1) {
        let kind = sym.st_type();
        let size: u64 = sym.st_size(endian).into();
        let name = || symtab.symbol_name(endian, sym).unwrap_or(b"");
        if kind == elf::STT_NOTYPE && header.e_machine(endian) == elf::EM_AARCH64 {
            if let Some(is_data) = mapping_marker(name()) {
                mapping.push((sym.st_value(endian).into(), is_data));
                continue;
            }
        }
        let Ok(Some(section_index)) = symtab.symbol_section(endian, sym, index) else {
            continue;
        };
        let Some(section) = sections.get(section_index.0) else {
            continue;
        };
        // Assembly functions often have no `.size` (kept apart, to name code),
        // or no `.type` either: a global label in an executable section.
        let label = kind == elf::STT_NOTYPE && sym.st_bind() != elf::STB_LOCAL && section.exec;
        let wanted = match kind {
            elf::STT_FUNC => true,
            elf::STT_OBJECT | elf::STT_TLS => size > 0,
            _ => label,
        };
        if !wanted {
            continue;
        }
        let value: u64 = sym.st_value(endian).into();
        let extent = section.vm_bytes.max(section.file_bytes);
        let Some(start) = start_in(section, value, (kind == elf::STT_TLS).then_some(tls_base))
        else {
            continue;
        };
        let name = symtab
            .symbol_name(endian, sym)
            .map(String::from_utf8_lossy)
            .unwrap_or(Cow::Borrowed("[invalid name]"));
        symbols.push(RawSymbol {
            name,
            section: section_index.0,
            start,
            size: size.min(extent - start),
            global: sym.st_bind() != elf::STB_LOCAL,
            func: kind == elf::STT_FUNC || label,
        });
    }
    mapping.sort_unstable();
    let (symbols, unsized_functions) = symbols.into_iter().partition(|s| s.size > 0);
    Ok(SymbolTable {
        symbols,
        unsized_functions,
        mapping,
    })
}

/// Where a symbol of value `value` starts in `section`, or `None` for a symbol
/// outside it (a damaged table: skipped rather than charged bytes that are not
/// there). Thread-local symbols (`tls`: the TLS segment's address, if any)
/// hold offsets into the TLS template, not addresses.
fn start_in(section: &Section, value: u64, tls: Option<Option<u64>>) -> Option<u64> {
    let address = match tls {
        Some(base) => base?.checked_add(value)?,
        None => value,
    };
    let extent = section.vm_bytes.max(section.file_bytes);
    address
        .checked_sub(section.addr)
        .filter(|&start| start < extent)
}

/// An AArch64 mapping symbol's meaning: `$x` code (`false`), `$d…` data (`true`).
fn mapping_marker(name: &[u8]) -> Option<bool> {
    match name {
        b"$x" => Some(false),
        [b'$', b'd', ..] => Some(true),
        _ => None,
    }
}

/// What [`read_symbols`] finds.
struct SymbolTable<'data> {
    symbols: Vec<RawSymbol<'data>>,
    unsized_functions: Vec<RawSymbol<'data>>,
    mapping: Vec<(u64, bool)>,
}

fn machine_name(machine: elf::Machine) -> String {
    let name = match machine {
        elf::EM_X86_64 => "x86_64",
        elf::EM_AARCH64 => "aarch64",
        elf::EM_386 => "x86",
        elf::EM_ARM => "arm",
        elf::EM_RISCV => "riscv",
        elf::EM_PPC => "powerpc",
        elf::EM_PPC64 => "powerpc64",
        elf::EM_S390 => "s390",
        elf::EM_MIPS => "mips",
        elf::EM_LOONGARCH => "loongarch",
        elf::EM_SPARCV9 => "sparc64",
        other => return format!("EM_{}", other.0),
    };
    name.to_string()
}
