//! Reading an artifact from disk: only a regular file, and only up to a bound.
//!
//! A path can name a FIFO (opening it blocks until a writer comes), a device
//! (`/dev/zero` never ends) or a directory; none is an artifact. Checked on the
//! path before opening (so a FIFO never blocks us) and again on the open file.

use std::fs::File;
use std::io::Read as _;
use std::path::Path;

use crate::util::error::SlimError;

/// The largest file we read into memory: far above any Lambda executable (the
/// unzipped package limit is 250 MB) yet room for an unstripped `bootstrap.full`
/// with debug info.
pub(crate) const FILE_LIMIT: u64 = 2 << 30;

/// Read the regular file at `path`, refusing anything else and anything larger
/// than `limit` bytes. `hint` says what to do when the file does not exist.
pub(crate) fn read_regular(path: &Path, limit: u64, hint: &str) -> anyhow::Result<Vec<u8>> {
    let cannot = |e: std::io::Error| {
        let err = SlimError::new(format!("cannot read {}: {e}", path.display()));
        if e.kind() == std::io::ErrorKind::NotFound {
            err.hint(hint)
        } else {
            err
        }
    };
    let meta = std::fs::metadata(path).map_err(cannot)?;
    refuse_special(path, &meta)?;
    let mut file = File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    refuse_special(path, &meta)?;
    if meta.len() > limit {
        return Err(too_large(path, limit));
    }
    let mut data = Vec::new();
    (&mut file)
        .take(limit + 1)
        .read_to_end(&mut data)
        .map_err(cannot)?;
    // The file grew while we read it.
    if data.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(data)
}

fn refuse_special(path: &Path, meta: &std::fs::Metadata) -> anyhow::Result<()> {
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
        "not a regular file"
    };
    Err(
        SlimError::new(format!("{} is {what}, not a regular file", path.display()))
            .hint("pass the path of a built executable or of a function.zip")
            .into(),
    )
}

fn too_large(path: &Path, limit: u64) -> anyhow::Error {
    SlimError::new(format!(
        "{} is larger than {} bytes, more than any artifact of a Lambda function; not read",
        path.display(),
        crate::ui::table::bytes(limit)
    ))
    .hint("check the path: it should name a built executable, a function.zip or its checksum file")
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_and_oversized_files_are_refused() {
        for (path, says) in [
            (Path::new("/dev/zero"), "is a device"),
            (Path::new("/"), "is a directory"),
        ] {
            let err = read_regular(path, FILE_LIMIT, "").unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = read_regular(&fifo, FILE_LIMIT, "").unwrap_err().to_string();
            assert!(err.contains("FIFO"), "{err}");
        }
        let big = dir.path().join("big");
        std::fs::write(&big, [0u8; 11]).unwrap();
        assert!(read_regular(&big, 10, "").is_err());
        assert_eq!(read_regular(&big, 11, "").unwrap().len(), 11);
    }
}
