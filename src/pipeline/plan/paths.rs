//! The target directory as one spelling: absolute, symlinks resolved.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// `path` with symlinks resolved, once, for everything downstream: the remap
/// flags, cargo's `--target-dir` and the recorded command then name one spelling
/// (a symlinked target dir used to get a remap per spelling, so a rebuild in a
/// plain directory "differed"). A path that does not exist yet keeps its missing
/// tail below the canonical form of its deepest existing ancestor.
pub(crate) fn canonical(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut tail = Vec::new();
    loop {
        if let Ok(canon) = existing.canonicalize() {
            return tail.iter().rev().fold(canon, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                tail.push(name.to_os_string());
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

pub(crate) fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .context("cannot read the current directory")?
            .join(path))
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn canonical_resolves_symlinks_and_keeps_a_missing_tail() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(canonical(&link), real);
        assert_eq!(canonical(&link.join("not/yet")), real.join("not/yet"));
    }
}
