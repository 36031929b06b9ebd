//! The one zip reader: a function.zip's entries, validated and read with a bound.
//!
//! Lambda extracts the zip into /var/task and runs /var/task/bootstrap. Nothing
//! above Lambda's limit for unzipped code can be deployed, so that limit is the
//! bound for every read: an entry that inflates past it is an error (the same one
//! for `size`, `check` and `verify`), and a zip bomb cannot exhaust memory.

use std::io::{Cursor, Read as _};

use zip::ZipArchive;

use crate::util::error::SlimError;

/// Lambda's limit on a function's unzipped deployment package (250 MB, "Lambda
/// quotas"), in bytes.
pub(crate) const UNZIPPED_LIMIT: u64 = 262_144_000;

/// True when `data` starts like a zip archive (a local file header, or the end
/// record of an empty archive).
pub(crate) fn looks_like_zip(data: &[u8]) -> bool {
    data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06")
}

/// What an entry is, from its Unix mode (or the name's trailing `/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Directory,
    Symlink,
    /// Other Unix type bits (a device, a FIFO): the `S_IFMT` bits.
    Special(u32),
}

/// One entry: its mode and kind, and for a file its bytes.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The Unix mode, when the zip records one (zips made on Windows do not).
    pub(crate) mode: Option<u32>,
    pub(crate) kind: Kind,
    /// The inflated bytes (empty unless `kind` is `File`).
    pub(crate) data: Vec<u8>,
}

/// An open zip archive.
pub(crate) struct Zip<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    names: Vec<String>,
    /// [`UNZIPPED_LIMIT`]; smaller only in tests.
    limit: u64,
}

/// The error every unreadable archive or entry gives.
pub(crate) fn unreadable(what: impl std::fmt::Display) -> anyhow::Error {
    SlimError::BadZip {
        what: what.to_string(),
    }
    .into()
}

fn too_large(name: &str, limit: u64) -> anyhow::Error {
    SlimError::ZipEntryTooLarge {
        name: name.into(),
        limit: crate::ui::table::bytes(limit),
    }
    .into()
}

impl<'a> Zip<'a> {
    pub(crate) fn open(data: &'a [u8]) -> anyhow::Result<Zip<'a>> {
        let archive = ZipArchive::new(Cursor::new(data)).map_err(unreadable)?;
        // Extractors differ on which of two same-named entries they keep (the
        // zip crate keeps the last, others the first): what we analyse could
        // then be a file that never runs.
        if archive.has_duplicate_names() {
            return Err(unreadable(
                "two of its entries have the same name, and unzip tools differ on which \
                 one they keep",
            ));
        }
        let names = archive
            .file_names()
            .filter_map(|name| name.ok().map(|n| n.into_owned()))
            .collect();
        Ok(Zip {
            archive,
            names,
            limit: UNZIPPED_LIMIT,
        })
    }

    /// Entry names in archive order.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// The entry called `name`, read in full (up to [`UNZIPPED_LIMIT`]); `None`
    /// when there is none.
    pub(crate) fn entry(&mut self, name: &str) -> anyhow::Result<Option<Entry>> {
        match self.archive.index_for_name(name) {
            Some(index) => self.by_index(index).map(Some),
            None => Ok(None),
        }
    }

    /// Every entry, in archive order; an entry that cannot be read (a CRC
    /// mismatch, past the bound) gives its error in its place.
    pub(crate) fn entries(&mut self) -> Vec<(String, anyhow::Result<Entry>)> {
        (0..self.archive.len())
            .map(|i| {
                let name = self.names.get(i).cloned().unwrap_or(format!("entry {i}"));
                (name, self.by_index(i))
            })
            .collect()
    }

    fn by_index(&mut self, index: usize) -> anyhow::Result<Entry> {
        let mut entry = self.archive.by_index(index).map_err(unreadable)?;
        let name = entry
            .name()
            .map_or_else(|_| format!("entry {index}"), |n| n.into_owned());
        let mode = entry.unix_mode();
        let kind = if entry.is_dir() {
            Kind::Directory
        } else if entry.is_symlink() {
            Kind::Symlink
        } else {
            // Some tools record permission bits only; no type bits is a plain file.
            match mode.map(|m| m & 0o170000) {
                Some(0) | Some(0o100000) | None => Kind::File,
                Some(other) => Kind::Special(other),
            }
        };
        let mut data = Vec::new();
        if kind == Kind::File {
            if entry.size() > self.limit {
                return Err(too_large(&name, self.limit));
            }
            (&mut entry)
                .take(self.limit + 1)
                .read_to_end(&mut data)
                .map_err(|e| unreadable(format_args!("`{name}`: {e}")))?;
            // The header's size may lie; the bytes do not.
            if data.len() as u64 > self.limit {
                return Err(too_large(&name, self.limit));
            }
        }
        Ok(Entry { mode, kind, data })
    }

    /// Pairs of entries where one is a file and the other needs a directory of the
    /// same name (`conf` and `conf/x`): no tool can extract both, and `unzip`
    /// fails. Each pair is (the file, the entry below it).
    pub(crate) fn file_directory_clashes(&self) -> Vec<(String, String)> {
        let mut names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        names.sort_unstable();
        let mut out = Vec::new();
        for name in names.iter().filter(|n| !n.ends_with('/')) {
            let prefix = format!("{name}/");
            // Sorted, so every name below `name/` follows it as a contiguous run.
            let start = names.partition_point(|n| *n < prefix.as_str());
            if let Some(below) = names.get(start).filter(|n| n.starts_with(&prefix)) {
                out.push(((*name).to_string(), (*below).to_string()));
            }
        }
        out
    }
}

/// Zips made in memory, for the unit tests here and in the preflight.
#[cfg(test)]
pub(crate) mod test_support {
    use std::io::{Cursor, Write as _};
    use zip::write::SimpleFileOptions;

    /// A zip of `(name, unix mode, bytes)` entries.
    pub(crate) fn zip_with(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, mode, data) in entries {
            let options = SimpleFileOptions::default().unix_permissions(*mode);
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::zip_with;
    use super::*;

    #[test]
    fn reads_entries_with_their_kind_and_mode() {
        let data = zip_with(&[("bootstrap", 0o755, b"\x7fELF"), ("conf/a", 0o644, b"x")]);
        let mut zip = Zip::open(&data).unwrap();
        let entry = zip.entry("bootstrap").unwrap().unwrap();
        assert_eq!(
            (entry.kind, entry.data.as_slice()),
            (Kind::File, &b"\x7fELF"[..])
        );
        assert_eq!(entry.mode.map(|m| m & 0o7777), Some(0o755));
        assert!(zip.entry("nope").unwrap().is_none());
        assert_eq!(zip.entries().len(), 2);
        assert!(Zip::open(b"PK\x03\x04 not really").is_err());
    }

    #[test]
    fn a_file_and_a_directory_of_one_name_clash() {
        let data = zip_with(&[
            ("conf", 0o644, b"a"),
            ("conf/x", 0o644, b"b"),
            ("c", 0o644, b""),
        ]);
        let zip = Zip::open(&data).unwrap();
        assert_eq!(
            zip.file_directory_clashes(),
            vec![("conf".to_string(), "conf/x".to_string())]
        );
        let fine = zip_with(&[("conf.json", 0o644, b"a"), ("conf/x", 0o644, b"b")]);
        assert!(Zip::open(&fine)
            .unwrap()
            .file_directory_clashes()
            .is_empty());
    }

    /// An entry one byte past the bound is refused, not truncated; one at the
    /// bound is read. (tests/suite/size.rs does the same with the real bound.)
    #[test]
    fn an_entry_past_the_bound_is_an_error_not_a_prefix() {
        let data = zip_with(&[("bootstrap", 0o755, &[0u8; 101])]);
        let mut zip = Zip::open(&data).unwrap();
        zip.limit = 100;
        let err = zip.entry("bootstrap").unwrap_err();
        assert!(
            err.to_string().contains("inflates to more than 100 bytes"),
            "{err}"
        );
        zip.limit = 101;
        assert_eq!(zip.entry("bootstrap").unwrap().unwrap().data.len(), 101);
    }
}
