//! The one way we read a file from disk whose path we did not make: only a regular
//! file, and only up to a bound.
//!
//! A path can name a FIFO (opening it blocks until a writer comes), a device
//! (`/dev/zero` never ends) or a directory; none is an input. Checked on the path
//! before opening (so a FIFO never blocks us) and again on the open file.

use std::fs::{File, Metadata};
use std::io::Read as _;
use std::path::Path;

use anyhow::Result;

use crate::util::error::SlimError;

/// The bytes of the regular file at `path`, at most `limit` of them. `shown` names
/// it in errors; `if_missing` says what to do when it does not exist.
pub fn read(path: &Path, shown: &Path, limit: u64, if_missing: Option<&str>) -> Result<Vec<u8>> {
    let cannot = |e: std::io::Error| SlimError::Unreadable {
        path: shown.to_path_buf(),
        if_missing: if_missing
            .filter(|_| e.kind() == std::io::ErrorKind::NotFound)
            .map(str::to_string),
        detail: e.to_string(),
    };
    let too_large = |size: u64| SlimError::FileTooLarge {
        path: shown.to_path_buf(),
        size,
        limit,
    };
    refuse_special(shown, &std::fs::metadata(path).map_err(cannot)?)?;
    let mut file = File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    refuse_special(shown, &meta)?;
    if meta.len() > limit {
        return Err(too_large(meta.len()).into());
    }
    let mut data = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(cannot)?;
    // The file grew while we read it.
    if data.len() as u64 > limit {
        return Err(too_large(data.len() as u64).into());
    }
    Ok(data)
}

/// An error unless `meta` is a regular file's.
pub fn refuse_special(shown: &Path, meta: &Metadata) -> Result<()> {
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
