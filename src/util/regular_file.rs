//! The one way we read a file from disk whose path we did not make: only a regular
//! file, and only up to a bound.
//!
//! A path can name a FIFO (opening it blocks until a writer comes), a device
//! (`/dev/zero` never ends) or a directory; none is an input. Checked on the path
//! before opening (so a FIFO never blocks us) and again on the open file. The file
//! is then read whole ([`read`]), mapped ([`map`]: for large files only part of
//! which is looked at) or hashed in blocks ([`sha256`]).

use std::fs::{File, Metadata};
use std::io::Read as _;
use std::path::Path;

use anyhow::Result;

use crate::util::error::SlimError;
use crate::util::file_bytes::{FileBytes, Mapping};

/// The bytes of the regular file at `path`, at most `limit` of them. `shown` names
/// it in errors; `if_missing` says what to do when it does not exist.
pub(crate) fn read(
    path: &Path,
    shown: &Path,
    limit: u64,
    if_missing: Option<&str>,
) -> Result<Vec<u8>> {
    let named = Named {
        shown,
        limit,
        if_missing,
    };
    let (file, len) = named.open(path)?;
    let mut data = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| named.cannot(e))?;
    // The file grew while we read it.
    if data.len() as u64 > limit {
        return Err(named.too_large(data.len() as u64));
    }
    Ok(data)
}

/// The regular file at `path`, mapped read-only, under the same checks and bound
/// as [`read`]. For large files only part of which is looked at (`size` on a
/// debug build reads the symbol table, not the debug sections).
///
/// A mapping is only as steady as the file under it. A file rewritten in place
/// while mapped shows the new bytes: every reader bounds-checks each offset it
/// follows against the mapping's length, which never changes, so that gives a
/// wrong answer or an error, not a read outside the mapping. A file that
/// *shrinks* while mapped makes the next touch of a page past its new end raise
/// SIGBUS. We handle that by what we map and when, and by a handler: the files
/// `cargo slim` writes (bootstrap, bootstrap.full, function.zip) are replaced by
/// rename (`util::atomic`), never truncated, so a build running beside `size` or
/// `verify` cannot shrink a mapped file; the length is checked again once the
/// mapping exists, so a file truncated before that is an error ("it shrank …
/// while being read"); and another program truncating the file in the moment
/// `size` analyses it ends the process with an error line and exit code 2
/// (`util::sigbus`) rather than a bare "Bus error" or a report from half a file.
pub(crate) fn map(
    path: &Path,
    shown: &Path,
    limit: u64,
    if_missing: Option<&str>,
) -> Result<FileBytes> {
    let named = Named {
        shown,
        limit,
        if_missing,
    };
    let (file, len) = named.open(path)?;
    // An empty mapping is an error to mmap(2); an empty file needs none.
    let Ok(bytes @ 1..) = usize::try_from(len) else {
        return Ok(FileBytes::default());
    };
    // SAFETY: a read-only mapping of a regular file of `bytes` bytes (checked
    // above); what a concurrent writer can do to it is in the doc comment.
    let map = unsafe { memmap2::MmapOptions::new().len(bytes).map(&file) }
        .map_err(|e| named.cannot(e))?;
    let now = file.metadata().map_err(|e| named.cannot(e))?.len();
    if now < len {
        return Err(named.cannot(std::io::Error::other(format!(
            "it shrank from {len} to {now} bytes while being read; run the command again \
             when nothing is writing it"
        ))));
    }
    Ok(FileBytes::Mapped(Mapping::new(map)))
}

/// Size and sha256 (hex) of the regular file at `path`, read in blocks: the file
/// is never held in memory whole. Same checks and bound as [`read`].
pub(crate) fn sha256(
    path: &Path,
    shown: &Path,
    limit: u64,
    if_missing: Option<&str>,
) -> Result<(u64, String)> {
    use sha2::Digest as _;
    let named = Named {
        shown,
        limit,
        if_missing,
    };
    let (mut file, _) = named.open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = match file.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(named.cannot(e)),
        };
        total += n as u64;
        // The file grew while we read it.
        if total > limit {
            return Err(named.too_large(total));
        }
        hasher.update(&block[..n]);
    }
    Ok((total, crate::util::hash::hex(&hasher.finalize())))
}

/// A path as shown in errors, with its bound and what to do when it is missing.
struct Named<'a> {
    shown: &'a Path,
    limit: u64,
    if_missing: Option<&'a str>,
}

impl Named<'_> {
    /// Open the regular file at `path`: checked on the path before opening (so a
    /// FIFO never blocks us) and again on the open file. Returns it with its
    /// length, which is within the bound.
    fn open(&self, path: &Path) -> Result<(File, u64)> {
        refuse_special(
            self.shown,
            &std::fs::metadata(path).map_err(|e| self.cannot(e))?,
        )?;
        let file = File::open(path).map_err(|e| self.cannot(e))?;
        let meta = file.metadata().map_err(|e| self.cannot(e))?;
        refuse_special(self.shown, &meta)?;
        if meta.len() > self.limit {
            return Err(self.too_large(meta.len()));
        }
        Ok((file, meta.len()))
    }

    fn cannot(&self, e: std::io::Error) -> anyhow::Error {
        SlimError::Unreadable {
            path: self.shown.to_path_buf(),
            if_missing: self
                .if_missing
                .filter(|_| e.kind() == std::io::ErrorKind::NotFound)
                .map(str::to_string),
            detail: e.to_string(),
        }
        .into()
    }

    fn too_large(&self, size: u64) -> anyhow::Error {
        SlimError::FileTooLarge {
            path: self.shown.to_path_buf(),
            size,
            limit: self.limit,
        }
        .into()
    }
}

/// An error unless `meta` is a regular file's.
pub(crate) fn refuse_special(shown: &Path, meta: &Metadata) -> Result<()> {
    use std::os::unix::fs::FileTypeExt as _;
    let kind = meta.file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "something else"
    };
    Err(SlimError::NotRegularFile {
        path: shown.to_path_buf(),
        kind: what,
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_at(path: &Path, limit: u64) -> Result<Vec<u8>> {
        read(path, path, limit, None)
    }

    #[test]
    fn special_and_oversized_files_are_refused() {
        for (path, says) in [
            (Path::new("/dev/zero"), "is a device, not a regular file"),
            (Path::new("/"), "is a directory, not a regular file"),
        ] {
            let err = read_at(path, 10).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let err = read_at(&fifo, 10).unwrap_err().to_string();
        assert!(
            err.contains("is a FIFO (named pipe), not a regular file"),
            "{err}"
        );
        let big = dir.path().join("big");
        std::fs::write(&big, [0u8; 11]).unwrap();
        let err = read_at(&big, 10).unwrap_err().to_string();
        assert!(err.contains("is 11 bytes, more than the 10 "), "{err}");
        assert_eq!(read_at(&big, 11).unwrap().len(), 11);
    }

    #[test]
    fn mapped_and_hashed_files_pass_the_same_checks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&file, &bytes).unwrap();
        let mapped = map(&file, &file, 200_000, None).unwrap();
        assert!(matches!(mapped, FileBytes::Mapped(_)));
        assert_eq!(&mapped[..], &bytes[..]);
        // Hashed in blocks: 200,000 bytes is three 64 KiB blocks and a rest.
        let (len, sha) = sha256(&file, &file, 200_000, None).unwrap();
        assert_eq!(len, 200_000);
        assert_eq!(sha, crate::util::hash::sha256_hex(&bytes));

        let empty = dir.path().join("empty");
        std::fs::write(&empty, b"").unwrap();
        assert!(map(&empty, &empty, 10, None).unwrap().is_empty());
        assert_eq!(
            sha256(&empty, &empty, 10, None).unwrap().1,
            crate::util::hash::sha256_hex(b"")
        );

        for path in [Path::new("/dev/zero"), Path::new("/")] {
            let map_err = map(path, path, 10, None).unwrap_err().to_string();
            let sha_err = sha256(path, path, 10, None).unwrap_err().to_string();
            assert!(map_err.contains("not a regular file"), "{map_err}");
            assert_eq!(map_err, sha_err);
        }
        for err in [
            map(&file, &file, 199_999, None).unwrap_err(),
            sha256(&file, &file, 199_999, None).unwrap_err(),
        ] {
            let err = err.to_string();
            assert!(
                err.contains("is 200000 bytes, more than the 199999 "),
                "{err}"
            );
        }
    }

    #[test]
    fn a_missing_file_says_what_to_do() {
        let err = read(
            Path::new("/nonexistent/x"),
            Path::new("x"),
            1,
            Some("build it"),
        )
        .unwrap_err();
        let slim = err.downcast_ref::<SlimError>().unwrap();
        assert_eq!(slim.help().as_deref(), Some("build it"));
    }
}
