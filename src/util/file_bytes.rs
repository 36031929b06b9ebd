//! The bytes of a file we analyse: mapped from disk, or owned (a zip entry
//! inflated into memory, a test's buffer). Either way a `&[u8]` to the reader.
//!
//! Mapping rather than reading means a large debug binary costs only the pages
//! actually looked at (headers, `.symtab`, `.strtab`): `cargo slim size` never
//! touches the debug sections that make up most of such a file, which are never
//! read from disk (on a 112.8 MiB one: 34.9 MiB peak RSS instead of 140.6,
//! docs/benchmarks.md). How a mapping is made safe to use is
//! `regular_file::map`'s business, and `util::sigbus`'s when its file shrinks.

use std::ops::Deref;

use crate::util::sigbus::Registered;

/// A file's bytes, mapped read-only or held in memory.
#[derive(Debug)]
pub(crate) enum FileBytes {
    Mapped(Mapping),
    Owned(Vec<u8>),
}

/// A read-only mapping, registered with the SIGBUS handler while it lives (a
/// file that shrinks under it ends the process with a message: `util::sigbus`).
#[derive(Debug)]
pub(crate) struct Mapping {
    // Unregistered before the mapping goes: fields drop in order.
    _registered: Registered,
    map: memmap2::Mmap,
}

impl Mapping {
    pub(crate) fn new(map: memmap2::Mmap) -> Mapping {
        Mapping {
            _registered: Registered::new(map.as_ptr(), map.len()),
            map,
        }
    }
}

impl Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(mapping) => &mapping.map,
            FileBytes::Owned(bytes) => bytes,
        }
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> FileBytes {
        FileBytes::Owned(bytes)
    }
}

impl Default for FileBytes {
    fn default() -> FileBytes {
        FileBytes::Owned(Vec::new())
    }
}
