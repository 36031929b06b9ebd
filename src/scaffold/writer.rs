//! Writing a new crate's files without ever overwriting one.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::File;
use crate::util::error::SlimError;

/// What [`write`] did.
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub created: Vec<PathBuf>,
    /// Files that were already there and left untouched (only `.gitignore`).
    pub kept: Vec<PathBuf>,
}

/// Write `files` under `root`. Any file already there is an error naming it,
/// before anything is written, except `.gitignore`, which `init` keeps (a
/// project often has one already). Each file is created with `create_new`, so a
/// file appearing meanwhile is not overwritten either.
pub(crate) fn write(root: &Path, files: &[File], keep_gitignore: bool) -> Result<Written> {
    let mut written = Written::default();
    let existing: Vec<&str> = files
        .iter()
        .filter(|f| !(keep_gitignore && f.path == ".gitignore"))
        .filter(|f| root.join(f.path).symlink_metadata().is_ok())
        .map(|f| f.path)
        .collect();
    if !existing.is_empty() {
        return Err(SlimError::WouldOverwrite {
            dir: root.to_path_buf(),
            files: existing.iter().map(|f| f.to_string()).collect(),
        }
        .into());
    }
    for file in files {
        let path = root.join(file.path);
        if keep_gitignore && file.path == ".gitignore" && path.symlink_metadata().is_ok() {
            written.kept.push(path);
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        out.write_all(file.text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.created.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<File> {
        vec![
            File {
                path: "src/main.rs",
                text: "fn main() {}\n".into(),
            },
            File {
                path: ".gitignore",
                text: "/target\n".into(),
            },
        ]
    }

    #[test]
    fn refuses_before_writing_anything() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(".gitignore"), "mine\n").expect("write");
        let err = write(dir.path(), &files(), false).expect_err("must refuse");
        assert!(err.to_string().contains(".gitignore"), "{err}");
        assert!(!dir.path().join("src").exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).expect("read"),
            "mine\n"
        );
    }

    #[test]
    fn init_keeps_an_existing_gitignore() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(".gitignore"), "mine\n").expect("write");
        let written = write(dir.path(), &files(), true).expect("write");
        assert_eq!(written.created, [dir.path().join("src/main.rs")]);
        assert_eq!(written.kept, [dir.path().join(".gitignore")]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).expect("read"),
            "mine\n"
        );
    }
}
