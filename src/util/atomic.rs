//! Atomic file writes: a temporary file in the destination's directory, flushed, given
//! its final mode, then renamed over the destination. An interrupted run leaves the
//! old file or the new one, never a torn one.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::{Context, Result};

use crate::util::error::SlimError;

/// Write `bytes` to `path` atomically with permission bits `mode` (umask ignored).
pub(crate) fn write(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = parent(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIXES[0])
        .tempfile_in(dir)
        .map_err(|e| unwritable(dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// Create `dir` (and parents) and prove a file can be created in it, so an
/// unwritable output directory is reported before minutes of compiling.
pub(crate) fn ensure_writable_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| unwritable(dir, e))?;
    tempfile::Builder::new()
        .prefix(TEMP_PREFIXES[1])
        .tempfile_in(dir)
        .map_err(|e| unwritable(dir, e))?;
    Ok(())
}

/// Prefixes of the temporary files [`write`] and [`ensure_writable_dir`] create.
const TEMP_PREFIXES: [&str; 2] = [".slim-tmp-", ".slim-probe-"];

/// Remove the temporary files a killed run left in `dir` (a `kill -9` between
/// creating and renaming one leaves it for ever). Call it only while holding the
/// directory's lock (`util::lock`): then no live run of ours is writing there, so
/// every such file is stale. Returns how many were removed.
pub(crate) fn remove_stale_temporaries(dir: &Path) -> Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let stale = name
            .to_str()
            .is_some_and(|n| TEMP_PREFIXES.iter().any(|p| n.starts_with(p)));
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            remove_if_exists(&entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Remove a file if it exists; a missing file is fine.
pub(crate) fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn unwritable(dir: &Path, err: std::io::Error) -> anyhow::Error {
    // "Not a directory" / "File exists": permissions are not the problem, a file
    // sits where a directory of the path should be.
    SlimError::OutputDirUnwritable {
        dir: dir.to_path_buf(),
        detail: err.to_string(),
        blocker: dir.ancestors().find(|p| p.is_file()).map(Path::to_path_buf),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_with_exact_mode_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write(&path, b"one", 0o755).unwrap();
        write(&path, b"two", 0o644).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
    }

    #[test]
    fn a_file_in_the_way_is_named_not_blamed_on_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("slim");
        fs::write(&file, b"cargo's executable").unwrap();
        let err = ensure_writable_dir(&file.join("hello/x86_64-unknown-linux-musl")).unwrap_err();
        let (text, _) = crate::util::error::render(&err);
        assert!(
            text.contains(&format!("{} is a file", file.display())),
            "{text}"
        );
        assert!(!text.contains("make it writable"), "{text}");
    }
}
