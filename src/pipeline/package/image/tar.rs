//! A deterministic tar writer for the image layer and the oci-archive: plain
//! ustar headers only (no PAX or GNU extension records, no xattrs), uid/gid 0
//! with empty owner names, one fixed mtime, modes as given (never the umask),
//! entries in the order given (the callers sort them).

use anyhow::{Context, Result};
use tar::{EntryType, Header};

use crate::util::error::SlimError;

/// One entry: a directory (`data: None`, `path` ending in `/`) or a regular file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TarEntry {
    /// Relative, `/`-separated; directories end in `/`.
    pub path: String,
    pub mode: u32,
    pub data: Option<Vec<u8>>,
}

impl TarEntry {
    pub(super) fn dir(path: impl Into<String>) -> TarEntry {
        TarEntry {
            path: path.into(),
            mode: 0o755,
            data: None,
        }
    }

    pub(super) fn file(path: impl Into<String>, mode: u32, data: Vec<u8>) -> TarEntry {
        TarEntry {
            path: path.into(),
            mode,
            data: Some(data),
        }
    }
}

/// A ustar header's path: `path` when it fits — split at a `/` into at most 155
/// bytes of prefix and 100 of name (the tar crate's own rule, used here too so
/// that the check before compiling and the write agree) — else the error.
fn ustar_path(header: &mut Header, path: &str) -> Result<()> {
    header.set_path(path).map_err(|e| {
        SlimError::ImagePathTooLong {
            path: path.to_string(),
            detail: e.to_string(),
        }
        .into()
    })
}

/// Whether `path` fits a plain ustar header (no PAX or GNU extension record).
pub(super) fn fits(path: &str) -> Result<()> {
    ustar_path(&mut Header::new_ustar(), path)
}

/// The archive's bytes: each entry with a ustar header, then the two zero blocks
/// that end a tar.
pub(super) fn write(entries: &[TarEntry], mtime: i64) -> Result<Vec<u8>> {
    let mtime = u64::try_from(mtime).context("the image timestamp is before 1970")?;
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = Header::new_ustar();
        // ustar holds a path as up to 155 bytes of prefix and 100 of name, split
        // at a `/`; a longer one would need a PAX or GNU extension record, which
        // we keep out of the layer.
        ustar_path(&mut header, &entry.path)?;
        header.set_mode(entry.mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_device_major(0)?;
        header.set_device_minor(0)?;
        let data: &[u8] = match &entry.data {
            Some(data) => {
                header.set_entry_type(EntryType::Regular);
                header.set_size(data.len() as u64);
                data
            }
            None => {
                header.set_entry_type(EntryType::Directory);
                header.set_size(0);
                &[]
            }
        };
        header.set_cksum();
        builder
            .append(&header, data)
            .with_context(|| format!("cannot add {} to a tar", entry.path))?;
    }
    builder.into_inner().context("cannot finish a tar")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<TarEntry> {
        vec![
            TarEntry::dir("var/"),
            TarEntry::file("var/bootstrap", 0o755, b"\x7fELF".to_vec()),
        ]
    }

    #[test]
    fn headers_are_plain_ustar_owned_by_root_at_the_given_time() {
        let bytes = write(&entries(), 315_532_800).unwrap();
        // Two entries (header, one data block) and the two end blocks.
        assert_eq!(bytes.len(), 512 + 512 + 512 + 1024);
        let mut archive = tar::Archive::new(&bytes[..]);
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            assert!(entry.pax_extensions().unwrap().is_none());
            let h = entry.header().clone();
            assert!(h.as_ustar().is_some(), "ustar header");
            assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0));
            assert_eq!(h.mtime().unwrap(), 315_532_800);
            seen.push((
                String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
                h.mode().unwrap(),
                h.entry_type(),
            ));
        }
        assert_eq!(
            seen,
            vec![
                ("var/".to_string(), 0o755, EntryType::Directory),
                ("var/bootstrap".to_string(), 0o755, EntryType::Regular),
            ]
        );
    }

    #[test]
    fn same_entries_same_bytes() {
        assert_eq!(write(&entries(), 1).unwrap(), write(&entries(), 1).unwrap());
        assert_ne!(write(&entries(), 1).unwrap(), write(&entries(), 3).unwrap());
    }

    #[test]
    fn the_ustar_rule_is_100_bytes_after_the_split_not_255_in_all() {
        // 9 + 101 bytes: under 255 in all, but no `/` leaves 100 or fewer after it.
        let name = format!("var/task/{}", "n".repeat(101));
        assert!(fits(&name).is_err());
        assert!(fits(&format!("var/task/{}", "n".repeat(100))).is_ok());
        // Long in all, each part short: fits.
        let deep = format!("var/task/{}/{}", "d".repeat(140), "n".repeat(100));
        assert!(fits(&deep).is_ok());
    }

    #[test]
    fn too_long_a_path_is_refused_not_extended() {
        let long = format!("var/task/{}", "x".repeat(300));
        let err = write(&[TarEntry::file(long, 0o644, Vec::new())], 0).unwrap_err();
        assert!(format!("{err:#}").contains("cannot be stored in the image layer"));
    }
}
