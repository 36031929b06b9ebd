//! The one ELF reader. Every command that looks inside an executable comes here:
//! `size` for the layout and symbols ([`image`]), the preflight for what the
//! runtime's loader needs ([`facts`]), and the manifest and `verify` for the
//! per-section hashes ([`hashes`]). One reader means one set of bounds checks and
//! one set of messages for a file that is not ELF or is damaged.
//!
//! Everything a file says about itself is checked before it is used (offsets and
//! sizes come from a possibly corrupt file); a bad file is an error, never a panic.

pub(crate) mod build_id;
pub(crate) mod dep_list;
pub(crate) mod facts;
pub(crate) mod hashes;
pub(crate) mod image;
pub(crate) mod pointers;
pub(crate) mod symbolize;

use object::{elf, FileKind};

use crate::util::error::SlimError;

pub(crate) use facts::{Body, ElfFacts, Layout, VersionNeed};
pub(crate) use hashes::section_hashes;
pub(crate) use image::{Format, Image};

/// The error for bytes that are not an ELF file, saying what they look like.
pub(crate) fn not_elf(data: &[u8]) -> anyhow::Error {
    let what = if data.is_empty() {
        "the file is empty".to_string()
    } else if data.starts_with(b"PK\x03\x04") {
        "it is a zip archive".to_string()
    } else if data.starts_with(&elf::ELFMAG) {
        "it starts like one but its header is cut short or invalid".to_string()
    } else if let Some(name) = FileKind::parse(data).ok().and_then(kind_name) {
        format!("it looks like a {name} file")
    } else {
        let head: Vec<String> = data.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("it starts with bytes {}", head.join(" "))
    };
    SlimError::NotElf {
        what,
        is_zip: data.starts_with(b"PK\x03\x04"),
    }
    .into()
}

fn kind_name(kind: FileKind) -> Option<&'static str> {
    Some(match kind {
        FileKind::Archive => "static library (ar archive)",
        FileKind::MachO32 | FileKind::MachO64 | FileKind::MachOFat32 | FileKind::MachOFat64 => {
            "Mach-O (macOS)"
        }
        FileKind::Pe32 | FileKind::Pe64 => "PE (Windows)",
        FileKind::Coff | FileKind::CoffBig | FileKind::CoffImport => "COFF (Windows object)",
        _ => return None,
    })
}

/// The error for an ELF file whose contents contradict themselves (truncated,
/// tables pointing outside the file).
pub(crate) fn malformed(what: impl std::fmt::Display) -> anyhow::Error {
    SlimError::MalformedElf {
        what: what.to_string(),
    }
    .into()
}

/// `object` reads headers in place and needs them aligned; a buffer from an
/// arbitrary source (a fuzzer, a slice into another file) may not be. Copy such
/// input into 8-byte aligned storage.
struct Aligned {
    words: Vec<u64>,
    len: usize,
}

impl Aligned {
    fn new(data: &[u8]) -> Aligned {
        let mut words = vec![0u64; data.len().div_ceil(8)];
        object::pod::bytes_of_slice_mut(&mut words)[..data.len()].copy_from_slice(data);
        Aligned {
            words,
            len: data.len(),
        }
    }

    fn bytes(&self) -> &[u8] {
        &object::pod::bytes_of_slice(&self.words)[..self.len]
    }
}

/// Run `f` on `data` itself when it is suitably aligned, else on an aligned copy.
pub(crate) fn with_aligned<T>(data: &[u8], f: impl FnOnce(&[u8]) -> T) -> T {
    if (data.as_ptr() as usize).is_multiple_of(8) {
        f(data)
    } else {
        let copy = Aligned::new(data);
        f(copy.bytes())
    }
}
