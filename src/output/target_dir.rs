//! The target directory, spelled once: absolute, symlinks resolved, and the
//! directories of ours under it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::model::options::BinName;
use crate::model::target::Target;
use crate::output::dir::{DirKind, OutputDir};

/// The directory under the target dir that holds every output of ours.
///
/// Not `<target-dir>/slim/`: cargo writes host builds of a profile named `slim`
/// there (`cargo build --profile slim` puts the executable at `slim/<bin>`), and
/// the two layouts cannot share a directory. Cargo's own directories are profile
/// names, triples and a few fixed names (`doc`, `package`, `tmp`); a directory
/// named after the tool, as other cargo tools do (`target/nextest`,
/// `target/criterion`), is never one of them unless a profile is named
/// `cargo-slim`.
pub(crate) const OUTPUT_ROOT: &str = "cargo-slim";

/// Where `--multi-arch` puts the index over every target's image, beside the
/// per-target directories of the function.
const MULTI_ARCH_DIR: &str = "image-multi-arch";

/// What the toolchain said about itself, cached beside the outputs (a bin name
/// cannot start with a dot, so it never clashes with a function's directory).
const TOOLCHAIN_CACHE: &str = ".toolchain";

/// The target directory (cargo's, or `--target-dir`), absolute with symlinks
/// resolved: the remap flags, cargo's `--target-dir`, the recorded command and
/// every output path then name one spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TargetDir(PathBuf);

impl TargetDir {
    /// `--target-dir` (relative to the working directory) when given, else
    /// cargo's target directory.
    pub(crate) fn resolve(given: Option<&Path>, cargos: &Path) -> Result<TargetDir> {
        let dir = match given {
            Some(dir) => absolute(dir)?,
            None => cargos.to_path_buf(),
        };
        Ok(TargetDir::at(&dir))
    }

    /// An absolute directory, canonicalised (verify's fresh rebuild directory).
    pub(crate) fn at(dir: &Path) -> TargetDir {
        TargetDir(canonical(dir))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// `<target-dir>/cargo-slim/<bin>/<triple>/`: one function × target.
    pub(crate) fn function(&self, bin: &BinName, target: &Target) -> OutputDir {
        OutputDir::new(self.0.join(function_dir(bin, target)), DirKind::Function)
    }

    /// `<target-dir>/cargo-slim/<bin>/image-multi-arch/`: the `--multi-arch` index.
    pub(crate) fn multi_arch(&self, bin: &BinName) -> OutputDir {
        let dir = self
            .0
            .join(OUTPUT_ROOT)
            .join(bin.as_str())
            .join(MULTI_ARCH_DIR);
        OutputDir::new(dir, DirKind::MultiArchImage)
    }

    /// `<target-dir>/cargo-slim/.toolchain/`.
    pub(crate) fn toolchain_cache(&self) -> PathBuf {
        self.0.join(OUTPUT_ROOT).join(TOOLCHAIN_CACHE)
    }
}

/// `cargo-slim/<bin>/<triple>`, relative to a target directory (a CI job's
/// `--target-dir target` names it so). Both names are checked types, so neither
/// can climb out of the target dir.
pub(crate) fn function_dir(bin: &BinName, target: &Target) -> PathBuf {
    Path::new(OUTPUT_ROOT)
        .join(bin.as_str())
        .join(&target.triple)
}

/// `path` with symlinks resolved, once, for everything downstream (a symlinked
/// target dir used to get a remap per spelling, so a rebuild in a plain
/// directory "differed"). A path that does not exist yet keeps its missing tail
/// below the canonical form of its deepest existing ancestor.
fn canonical(path: &Path) -> PathBuf {
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

fn absolute(path: &Path) -> Result<PathBuf> {
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
    use super::*;

    #[test]
    fn canonical_resolves_symlinks_and_keeps_a_missing_tail() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(canonical(&link), real);
        assert_eq!(canonical(&link.join("not/yet")), real.join("not/yet"));
        let resolved = TargetDir::resolve(Some(&link), Path::new("/unused")).unwrap();
        assert_eq!(resolved.path(), real);
    }
}
