//! Reading an artifact from disk: a regular file, no larger than any artifact of
//! a Lambda function can be (the bounded reader is `util::regular_file`).

use std::path::Path;

use crate::util::file_bytes::FileBytes;
use crate::util::regular_file;

/// The largest file we read: far above any Lambda executable (the unzipped
/// package limit is 250 MB) yet room for an unstripped `bootstrap.full` with
/// debug info.
pub(crate) const FILE_LIMIT: u64 = 2 << 30;

/// Read the regular file at `path`, refusing anything else and anything larger
/// than `limit` bytes. `hint` says what to do when the file does not exist.
pub(crate) fn read_regular(path: &Path, limit: u64, hint: &str) -> anyhow::Result<Vec<u8>> {
    regular_file::read(path, path, limit, Some(hint))
}

/// [`read_regular`], mapped instead of copied: only the pages looked at are read.
pub(crate) fn map_regular(path: &Path, limit: u64, hint: &str) -> anyhow::Result<FileBytes> {
    regular_file::map(path, path, limit, Some(hint))
}

/// Size and sha256 (hex) of the regular file at `path`, hashed in blocks; same
/// checks as [`read_regular`].
pub(crate) fn sha256_regular(path: &Path, limit: u64, hint: &str) -> anyhow::Result<(u64, String)> {
    regular_file::sha256(path, path, limit, Some(hint))
}
