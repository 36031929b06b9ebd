//! Reading an ELF file: its layout (headers and sections) and its defined, sized
//! symbols. Any ELF is accepted — 32 or 64 bit, either byte order, any machine —
//! because `cargo slim size PATH` is also pointed at binaries we did not build.
//!
//! Everything a file says about itself is checked before it is used: offsets and
//! sizes come from the (possibly corrupt) file, so sums are checked and ranges are
//! compared with the real length. A bad file is an error, never a panic.

use std::borrow::Cow;

use object::elf::{FileHeader32, FileHeader64};
use object::read::elf::{FileHeader, ProgramHeader as _, SectionHeader as _, Sym as _};
use object::{elf, Endianness, FileKind};

use crate::util::error::SlimError;

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
pub struct Section {
    pub name: String,
    /// Bytes the section occupies in the file (0 for `.bss`-like sections).
    pub file_bytes: u64,
    /// Bytes the section occupies in memory when loaded (0 if not allocated).
    pub vm_bytes: u64,
    pub offset: u64,
    pub addr: u64,
}

/// A defined, sized function, data or thread-local symbol.
#[derive(Debug, Clone)]
pub struct RawSymbol<'a> {
    pub name: Cow<'a, str>,
    /// Index into [`Image::sections`].
    pub section: usize,
    /// Where the symbol starts, relative to the start of its section.
    pub start: u64,
    pub size: u64,
    /// Global or weak (preferred over a local alias at the same address).
    pub global: bool,
}

/// The parts of an ELF file that size attribution needs.
#[derive(Debug, Clone)]
pub struct Image<'a> {
    pub format: Format,
    pub file_bytes: u64,
    /// The ELF header itself.
    pub elf_header: u64,
    /// (offset, bytes) of the program header table.
    pub program_headers: (u64, u64),
    /// (offset, bytes) of the section header table.
    pub section_headers: (u64, u64),
    pub sections: Vec<Section>,
    pub symbols: Vec<RawSymbol<'a>>,
}

/// Read `data` as an ELF file.
pub fn read(data: &[u8]) -> anyhow::Result<Image<'_>> {
    match FileKind::parse(data) {
        Ok(FileKind::Elf32) => read_elf::<FileHeader32<Endianness>>(data),
        Ok(FileKind::Elf64) => read_elf::<FileHeader64<Endianness>>(data),
        Ok(other) => Err(SlimError::new(format!(
            "not an ELF file: it looks like a {} file",
            kind_name(other)
        ))
        .hint("`cargo slim size` reads Linux executables (ELF), e.g. bootstrap.full")
        .into()),
        Err(_) => Err(not_elf(data).into()),
    }
}

fn not_elf(data: &[u8]) -> SlimError {
    let what = if data.is_empty() {
        "the file is empty".to_string()
    } else if data.starts_with(b"PK\x03\x04") {
        "it is a zip archive".to_string()
    } else if data.starts_with(b"\x7fELF") {
        "it starts like one but its header is cut short or invalid".to_string()
    } else {
        let head: Vec<String> = data.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("it starts with bytes {}", head.join(" "))
    };
    let err = SlimError::new(format!("not an ELF file: {what}"));
    if data.starts_with(b"PK\x03\x04") {
        err.hint("point `cargo slim size` at the bootstrap or bootstrap.full next to function.zip")
    } else {
        err.hint("`cargo slim size` reads Linux executables (ELF), e.g. bootstrap.full")
    }
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Archive => "static library (ar archive)",
        FileKind::MachO32 | FileKind::MachO64 | FileKind::MachOFat32 | FileKind::MachOFat64 => {
            "Mach-O (macOS)"
        }
        FileKind::Pe32 | FileKind::Pe64 => "PE (Windows)",
        FileKind::Coff | FileKind::CoffBig | FileKind::CoffImport => "COFF (Windows object)",
        _ => "non-ELF",
    }
}

fn corrupt(what: impl std::fmt::Display) -> anyhow::Error {
    SlimError::new(format!("corrupt ELF file: {what}"))
        .hint("the file may be truncated or damaged; rebuild it or pass another file")
        .into()
}

fn read_elf<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> anyhow::Result<Image<'_>> {
    let header = Elf::parse(data).map_err(|e| corrupt(format_args!("header: {e}")))?;
    let endian = header.endian().map_err(corrupt)?;
    let file_bytes = data.len() as u64;

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
        if off.checked_add(len).is_none_or(|end| end > file_bytes) {
            return Err(corrupt(format_args!(
                "the {what} extends past the end of the file"
            )));
        }
    }

    let table = header
        .sections(endian, data)
        .map_err(|e| corrupt(format_args!("section headers: {e}")))?;
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
        let file_size = if in_file { size } else { 0 };
        if in_file && offset.checked_add(size).is_none_or(|end| end > file_bytes) {
            return Err(corrupt(format_args!(
                "section `{name}` extends past the end of the file"
            )));
        }
        let alloc = sh.sh_flags(endian).0 & elf::SHF_ALLOC.0 != 0;
        sections.push(Section {
            name,
            file_bytes: file_size,
            vm_bytes: if alloc { size } else { 0 },
            offset,
            addr: sh.sh_addr(endian).into(),
        });
    }

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
    for (index, sym) in symtab.enumerate().skip(1) {
        let kind = sym.st_type();
        if kind != elf::STT_FUNC && kind != elf::STT_OBJECT && kind != elf::STT_TLS {
            continue;
        }
        let size: u64 = sym.st_size(endian).into();
        if size == 0 {
            continue;
        }
        let Ok(Some(section_index)) = symtab.symbol_section(endian, sym, index) else {
            continue;
        };
        let Some(section) = sections.get(section_index.0) else {
            continue;
        };
        let value: u64 = sym.st_value(endian).into();
        let address = if kind == elf::STT_TLS {
            match tls_base.and_then(|base| base.checked_add(value)) {
                Some(a) => a,
                None => continue,
            }
        } else {
            value
        };
        // A symbol outside its section is a damaged table; skip it rather than
        // charge bytes that are not there.
        let Some(start) = address.checked_sub(section.addr) else {
            continue;
        };
        let extent = section.vm_bytes.max(section.file_bytes);
        if start >= extent {
            continue;
        }
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
        });
    }

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
        elf_header: u64::from(header.e_ehsize(endian)).min(file_bytes),
        program_headers: (phoff, ph_bytes),
        section_headers: (shoff, sh_bytes),
        sections,
        symbols,
    })
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

/// `object` reads headers in place and needs them aligned; a buffer from an
/// arbitrary source (a fuzzer, a slice into another file) may not be. Copy such
/// input into 8-byte aligned storage.
pub struct Aligned {
    words: Vec<u64>,
    len: usize,
}

impl Aligned {
    pub fn new(data: &[u8]) -> Aligned {
        let mut words = vec![0u64; data.len().div_ceil(8)];
        object::pod::bytes_of_slice_mut(&mut words)[..data.len()].copy_from_slice(data);
        Aligned {
            words,
            len: data.len(),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &object::pod::bytes_of_slice(&self.words)[..self.len]
    }
}

/// `data` itself when it is suitably aligned, else an aligned copy.
pub fn with_aligned<T>(data: &[u8], f: impl FnOnce(&[u8]) -> T) -> T {
    if (data.as_ptr() as usize).is_multiple_of(8) {
        f(data)
    } else {
        let copy = Aligned::new(data);
        f(copy.bytes())
    }
}
