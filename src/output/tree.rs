//! A directory written as a whole (the OCI image layout): built beside its
//! place under a temporary name, then swapped in. An interrupted run leaves the
//! old tree or none, never a torn one.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use crate::util::atomic;
use crate::util::error::SlimError;

/// Prefixes of the staging and moved-aside directories (a killed run's are
/// removed by the next [`write`] into the same parent).
const STAGING: &str = ".slim-tmp-image-";
const OLD: &str = ".slim-old-";

/// Write `files` (relative paths, each 0644; directories 0755) as the tree
/// `dir`, replacing an older one (a directory cannot be renamed over a
/// non-empty one, so the old is moved aside first).
pub(crate) fn write(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let parent = dir
        .parent()
        .context("the image directory has no parent directory")?;
    remove_stale_staging(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(STAGING)
        .tempdir_in(parent)
        .map_err(|e| unwritable(parent, e))?;
    for (path, data) in files {
        let dest = staging.path().join(path);
        if let Some(p) = dest.parent() {
            fs::create_dir_all(p).map_err(|e| unwritable(p, e))?;
        }
        atomic::write(&dest, data, 0o644)?;
    }
    // tempdir() makes 0700; a tree we publish is read by other users' tools too.
    set_dir_modes(staging.path())?;
    let old = parent.join(format!(
        "{OLD}{}",
        dir.file_name()
            .map_or_else(|| "image".into(), |n| n.to_string_lossy().into_owned())
    ));
    remove_dir_if_exists(&old)?;
    if dir.exists() {
        fs::rename(dir, &old).with_context(|| format!("cannot move {} aside", dir.display()))?;
    }
    let staged = staging.keep();
    fs::rename(&staged, dir).with_context(|| format!("cannot create {}", dir.display()))?;
    remove_dir_if_exists(&old)
}

/// Remove the tree `dir` when it is ours: it holds `marker`.
pub(crate) fn remove(dir: &Path, marker: &str) -> Result<()> {
    if dir.join(marker).is_file() {
        fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    Ok(())
}

/// Staging and moved-aside directories a killed run left (the caller holds the
/// output directory's lock, so no live run of ours is using them).
fn remove_stale_staging(parent: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = name
            .to_str()
            .is_some_and(|n| n.starts_with(STAGING) || n.starts_with(OLD));
        if ours && entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_dir_if_exists(&entry.path())?;
        }
    }
    Ok(())
}

fn remove_dir_if_exists(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", dir.display())),
    }
}

/// 0755 on `dir` and every directory below it.
fn set_dir_modes(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot set the mode of {}", dir.display()))?;
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            set_dir_modes(&entry.path())?;
        }
    }
    Ok(())
}

fn unwritable(dir: &Path, err: std::io::Error) -> anyhow::Error {
    SlimError::OutputDirUnwritable {
        dir: dir.to_path_buf(),
        detail: err.to_string(),
        blocker: None,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_replaces_the_old_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("image");
        let one = vec![("oci-layout".to_string(), b"1".to_vec())];
        let two = vec![
            ("blobs/sha256/ab".to_string(), b"2".to_vec()),
            ("oci-layout".to_string(), b"2".to_vec()),
        ];
        write(&dir, &one).unwrap();
        // What a run killed between staging and swapping leaves behind.
        fs::create_dir_all(tmp.path().join(".slim-tmp-image-dead/blobs")).unwrap();
        fs::create_dir_all(tmp.path().join(".slim-old-image")).unwrap();
        write(&dir, &two).unwrap();
        assert_eq!(fs::read(dir.join("oci-layout")).unwrap(), b"2");
        assert_eq!(fs::read(dir.join("blobs/sha256/ab")).unwrap(), b"2");
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no staging or old directories left");
        remove(&dir, "oci-layout").unwrap();
        assert!(!dir.exists());
    }
}
