//! The function's files, read as a fresh Lambda execution environment reads
//! them: from disk, charged to the environment that reads them.
//!
//! A cgroup is charged for the page cache its processes bring in, not for pages
//! already cached. The task root is written by cargo-slim just before the
//! function runs, and read again by every cold start of a `bench`, so without
//! this its code would be cached, charged to us or to an earlier environment,
//! and missing from the Max Memory Used of the environment that runs it (a
//! static Rust function read 1 MB: its heap and stack, not its code). On Lambda
//! each environment is a fresh microVM that reads the code from disk. So the
//! files are written through to disk when unpacked ([`write`]) and dropped from
//! the page cache before each environment starts ([`evict`]): the environment
//! then pays for the pages of its code it touches, in its memory figure and its
//! init time alike.

use std::io::Write as _;
use std::path::Path;

use rustix::fs::{fadvise, Advice};

/// Write `data` to `path` and to the disk (clean pages can be dropped; dirty
/// ones cannot).
pub(crate) fn write(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(data)?;
    file.sync_data()
}

/// Drop every regular file under `dir` from the page cache (what another
/// process still maps stays). Best effort: a file that cannot be opened stays
/// cached, and is only charged to nobody.
pub(crate) fn evict(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            evict(&entry.path());
        } else if kind.is_file() {
            if let Ok(file) = std::fs::File::open(entry.path()) {
                let _ = fadvise(&file, 0, None, Advice::DontNeed);
            }
        }
    }
}
