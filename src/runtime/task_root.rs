//! The task root: exactly what ships, unpacked as Lambda unpacks it into
//! `/var/task` — from a function.zip (every entry, with its mode), a build output
//! directory or its slim-manifest.json (the function.zip in it), or a bare
//! bootstrap — then made read-only; beside it a private, writable scratch
//! directory standing in for `/tmp`.

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Component, Path, PathBuf};

use super::cold_files;
use super::leftovers::{self, Leftover};
use crate::artifact::zip::{self, UNZIPPED_LIMIT};
use crate::output::{OutputDir, OutputFile, BOOTSTRAP};
use crate::util::error::SlimError;
use crate::util::regular_file;

/// An unpacked function; the files are removed when it is dropped (and by the
/// janitor of [`leftovers`] should we be killed first).
#[derive(Debug)]
pub(crate) struct TaskRoot {
    dir: Option<tempfile::TempDir>,
    /// The read-only task root (`LAMBDA_TASK_ROOT`).
    pub task: PathBuf,
    /// The writable scratch directory (`TMPDIR`), when the function does not
    /// get Lambda's filesystem.
    pub scratch: PathBuf,
    /// An empty directory: where Lambda's filesystem is mounted for the
    /// function (in its own mount namespace).
    pub root: PathBuf,
    /// `task/bootstrap`, when the package has one.
    pub bootstrap: Option<PathBuf>,
    /// What was unpacked, as the user named it.
    pub source: PathBuf,
    /// Size of the bootstrap, and of the zip when there was one.
    pub bootstrap_bytes: Option<u64>,
    pub zip_bytes: Option<u64>,
}

/// The file a path given on the command line stands for: a zip, or a bootstrap.
pub(crate) fn resolve(path: &Path) -> anyhow::Result<PathBuf> {
    let meta = std::fs::metadata(path).map_err(|_| SlimError::NothingAt {
        path: path.to_path_buf(),
    })?;
    let dir = if meta.is_dir() {
        Some(path.to_path_buf())
    } else if path.extension().is_some_and(|e| e == "json") {
        path.parent().map(Path::to_path_buf)
    } else {
        None
    };
    match dir {
        None => Ok(path.to_path_buf()),
        Some(dir) => OutputDir::given(&dir)
            .first_of(&[OutputFile::Zip, OutputFile::Bootstrap])
            .map(|(_, path)| path)
            .ok_or_else(|| SlimError::NothingToRun { dir }.into()),
    }
}

impl TaskRoot {
    /// Unpack `source` (see [`resolve`]) for a function run as `run_as` (uid, gid).
    pub(crate) fn prepare(source: &Path, run_as: Option<(u32, u32)>) -> anyhow::Result<TaskRoot> {
        let file = resolve(source)?;
        let data = regular_file::read(&file, &file, UNZIPPED_LIMIT, None)?;
        let dir = tempfile::Builder::new()
            .prefix("cargo-slim-run-")
            .tempdir()
            .map_err(|e| SlimError::LocalRuntime {
                detail: format!("cannot create a temporary directory: {e}"),
            })?;
        leftovers::watch(Leftover::Dir, dir.path());
        let task = dir.path().join("task");
        let scratch = dir.path().join("tmp");
        let root = dir.path().join("root");
        std::fs::create_dir(&task)?;
        std::fs::create_dir(&scratch)?;
        std::fs::create_dir(&root)?;
        let zip_bytes = if zip::looks_like_zip(&data) {
            unzip(&data, &task)?;
            Some(data.len() as u64)
        } else {
            let dest = task.join(BOOTSTRAP);
            cold_files::write(&dest, &data)?;
            // A bare file keeps its own mode: a bootstrap that is not executable
            // fails here as it would on Lambda.
            let mode = std::fs::metadata(&file)?.permissions().mode() & 0o7777;
            std::fs::set_permissions(&dest, Permissions::from_mode(mode))?;
            None
        };
        let bootstrap = Some(task.join(BOOTSTRAP)).filter(|p| p.is_file());
        let bootstrap_bytes = bootstrap
            .as_ref()
            .and_then(|b| std::fs::metadata(b).ok())
            .map(|m| m.len());
        read_only(&task)?;
        // The directories above are private (0700) to everyone but us; the
        // function, perhaps another user, must reach task/ and tmp/.
        std::fs::set_permissions(dir.path(), Permissions::from_mode(0o755))?;
        std::fs::set_permissions(&scratch, Permissions::from_mode(0o700))?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&scratch, Some(uid), Some(gid))?;
        }
        Ok(TaskRoot {
            dir: Some(dir),
            task,
            scratch,
            root,
            bootstrap,
            source: file,
            bootstrap_bytes,
            zip_bytes,
        })
    }
}

/// `name` as a path inside the task root: relative, no `..`, no root.
fn inside(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    let ok = !name.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    ok.then(|| path.to_path_buf())
}

/// Every entry of the zip under `task`, through the one zip reader (its bounds).
fn unzip(data: &[u8], task: &Path) -> anyhow::Result<()> {
    let mut archive = zip::Zip::open(data)?;
    let mut total = 0u64;
    for (name, entry) in archive.entries() {
        let entry = entry?;
        let relative = inside(&name)
            .ok_or_else(|| zip::unreadable(format!("entry `{name}` points outside the archive")))?;
        let dest = task.join(relative);
        match entry.kind {
            zip::Kind::Directory => {
                std::fs::create_dir_all(&dest)?;
                continue;
            }
            zip::Kind::File => {}
            zip::Kind::Symlink | zip::Kind::Special(_) => {
                return Err(zip::unreadable(format!(
                    "entry `{name}` is not a regular file or directory, which `cargo slim run` \
                     does not unpack"
                )));
            }
        }
        total += entry.data.len() as u64;
        if total > UNZIPPED_LIMIT {
            return Err(zip::unreadable(
                "it unpacks to more than Lambda's 250 MB limit",
            ));
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        cold_files::write(&dest, &entry.data)?;
        // Lambda keeps the modes recorded in the zip; entries without one (zips
        // made on Windows) read as 0644.
        let mode = entry.mode.map_or(0o644, |m| m & 0o7777);
        std::fs::set_permissions(&dest, Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// Take write permission away from everything under `dir` (and `dir` itself).
fn read_only(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            read_only(&entry.path())?;
        } else {
            let mode = entry.metadata()?.permissions().mode() & 0o7777 & !0o222;
            std::fs::set_permissions(entry.path(), Permissions::from_mode(mode))?;
        }
    }
    std::fs::set_permissions(dir, Permissions::from_mode(0o555))
}

impl Drop for TaskRoot {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let path = dir.path().to_path_buf();
            leftovers::make_writable(&self.task);
            if dir.close().is_ok() {
                leftovers::forget(Leftover::Dir, &path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::zip::test_support::zip_with;

    #[test]
    fn unpacks_with_modes_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("function.zip");
        std::fs::write(
            &zip,
            zip_with(&[
                ("bootstrap", 0o755, b"#!/bin/sh\n"),
                ("conf/a.json", 0o644, b"{}"),
            ]),
        )
        .unwrap();
        let root = TaskRoot::prepare(&zip, None).unwrap();
        let boot = root.bootstrap.clone().unwrap();
        assert_eq!(
            std::fs::metadata(&boot).unwrap().permissions().mode() & 0o777,
            0o555
        );
        let conf = root.task.join("conf/a.json");
        assert_eq!(
            std::fs::metadata(&conf).unwrap().permissions().mode() & 0o777,
            0o444
        );
        assert_eq!(root.bootstrap_bytes, Some(10));
    }

    #[test]
    fn refuses_entries_outside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("evil.zip");
        std::fs::write(&zip, zip_with(&[("../escape", 0o644, b"x")])).unwrap();
        let err = TaskRoot::prepare(&zip, None).unwrap_err().to_string();
        assert!(err.contains("outside the archive"), "{err}");
        assert!(!dir.path().join("escape").exists());
    }

    #[test]
    fn a_damaged_zip_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("function.zip");
        std::fs::write(&zip, b"PK\x03\x04 this is not really a zip").unwrap();
        let err = TaskRoot::prepare(&zip, None).unwrap_err().to_string();
        assert!(err.contains("cannot read the zip archive"), "{err}");
    }
}
