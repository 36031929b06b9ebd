//! Writing a new crate's files: everything is checked before the first byte is
//! written, nothing is ever overwritten, nothing is written outside the crate's
//! directory, and a failure part way through removes what was written.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

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

/// Write `files` under `root`. Before anything is written: any file already there
/// is an error naming it, except `.gitignore`, which `init` keeps (a project
/// often has one already); a directory the files go into (`src`, `events`) must
/// be a real directory or absent — a file there, or a symbolic link (even one to
/// a directory: it would put the crate's files elsewhere), is an error. Each
/// file is created with `create_new`, so one appearing meanwhile is not
/// overwritten either; should a write fail, what was created is removed again.
pub(crate) fn write(root: &Path, files: &[File], keep_gitignore: bool) -> Result<Written> {
    let keep = |f: &File| keep_gitignore && f.path == ".gitignore";
    for file in files {
        check_parents(root, file.path)?;
    }
    let existing: Vec<&str> = files
        .iter()
        .filter(|f| !keep(f))
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
    let mut written = Written::default();
    let mut made_dirs = Vec::new();
    // `new` names a directory that does not exist yet.
    if root.symlink_metadata().is_err() {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create {}", root.display()))?;
        made_dirs.push(root.to_path_buf());
    }
    for file in files {
        let path = root.join(file.path);
        if keep(file) && path.symlink_metadata().is_ok() {
            written.kept.push(path);
            continue;
        }
        if let Err(e) = create(root, file, &mut made_dirs) {
            undo(&written.created, &made_dirs);
            return Err(e);
        }
        written.created.push(path);
    }
    Ok(written)
}

/// Every directory between `root` and `relative` must be a directory of its own
/// or not exist yet.
fn check_parents(root: &Path, relative: &str) -> Result<()> {
    let mut at = root.to_path_buf();
    let mut shown = PathBuf::new();
    let parents: Vec<Component> = Path::new(relative).components().collect();
    for part in &parents[..parents.len().saturating_sub(1)] {
        at.push(part);
        shown.push(part);
        let blocked = |reason: &str| SlimError::ScaffoldBlocked {
            dir: root.to_path_buf(),
            path: shown.display().to_string(),
            reason: reason.into(),
        };
        match at.symlink_metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(blocked(&format!("cannot be read: {e}")).into()),
            Ok(m) if m.file_type().is_symlink() => {
                return Err(blocked(
                    "is a symbolic link: the crate's files would be written wherever it points",
                )
                .into())
            }
            Ok(m) if !m.is_dir() => {
                return Err(blocked("exists and is not a directory").into());
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Create one file, and the directories it goes into (recorded in `made`).
fn create(root: &Path, file: &File, made: &mut Vec<PathBuf>) -> Result<()> {
    let path = root.join(file.path);
    let mut dir = root.to_path_buf();
    let parts: Vec<Component> = Path::new(file.path).components().collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        dir.push(part);
        match std::fs::create_dir(&dir) {
            Ok(()) => made.push(dir.clone()),
            // Checked before: a real directory, not a link.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", dir.display())),
        }
    }
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    out.write_all(file.text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Remove what [`write`] created before it failed: files, then directories
/// innermost first (only if empty: a directory someone else filled stays).
fn undo(created: &[PathBuf], dirs: &[PathBuf]) {
    for path in created {
        let _ = std::fs::remove_file(path);
    }
    for dir in dirs.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<File> {
        vec![
            File {
                path: "Cargo.toml",
                text: "[package]\n".into(),
            },
            File {
                path: "src/main.rs",
                text: "fn main() {}\n".into(),
            },
            File {
                path: "events/event.json",
                text: "{}\n".into(),
            },
            File {
                path: ".gitignore",
                text: "/target\n".into(),
            },
        ]
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
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
        assert_eq!(written.created.len(), 3);
        assert_eq!(written.kept, [dir.path().join(".gitignore")]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).expect("read"),
            "mine\n"
        );
    }

    /// `write` into a directory prepared by `make` must fail naming `blocked`,
    /// and leave the directory (and `outside`) as they were.
    fn refused(blocked: &str, make: impl Fn(&Path, &Path)) {
        let outside = tempfile::tempdir().expect("tempdir");
        let dir = tempfile::tempdir().expect("tempdir");
        make(dir.path(), outside.path());
        let before = entries(dir.path());
        let err = write(dir.path(), &files(), true)
            .expect_err("must refuse")
            .to_string();
        assert!(err.contains(&format!("`{blocked}`")), "{err}");
        assert_eq!(entries(dir.path()), before, "nothing written: {err}");
        assert!(
            entries(outside.path()).is_empty(),
            "nothing written outside"
        );
    }

    #[test]
    fn a_directory_in_the_way_stops_it_before_the_first_file() {
        use std::os::unix::fs::symlink;
        refused("events", |d, _| {
            std::fs::write(d.join("events"), "x").expect("file")
        });
        refused("events", |d, _| {
            symlink("/nonexistent", d.join("events")).expect("link")
        });
        refused("src", |d, o| symlink(o, d.join("src")).expect("link"));
        refused("events", |d, o| symlink(o, d.join("events")).expect("link"));
    }
}
