//! Reading an artifact from disk: a regular file, no larger than any artifact of
//! a Lambda function can be (the bounded reader is `util::regular_file`).

use std::path::Path;

use crate::util::regular_file;

/// The largest file we read into memory: far above any Lambda executable (the
/// unzipped package limit is 250 MB) yet room for an unstripped `bootstrap.full`
/// with debug info.
pub(crate) const FILE_LIMIT: u64 = 2 << 30;

/// Read the regular file at `path`, refusing anything else and anything larger
/// than `limit` bytes. `hint` says what to do when the file does not exist.
pub(crate) fn read_regular(path: &Path, limit: u64, hint: &str) -> anyhow::Result<Vec<u8>> {
    regular_file::read(path, path, limit, Some(hint))
}
