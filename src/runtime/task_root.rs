//! The task root: exactly what ships, unpacked as Lambda unpacks it into
//! `/var/task` — from a function.zip (every entry, with its mode), a build output
//! directory or its slim-manifest.json (the function.zip in it), or a bare
//! bootstrap — then made read-only; beside it a private, writable scratch
//! directory standing in for `/tmp`.

use std::fs::Permissions;
use std::io::Read as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use crate::util::error::SlimError;

/// Lambda's limit on a function's unzipped deployment package (250 MB): reading
/// stops there, so a zip bomb cannot fill the disk.
pub const UNZIPPED_LIMIT: u64 = 262_144_000;

/// An unpacked function; the files are removed when it is dropped.
#[derive(Debug)]
pub struct TaskRoot {
    _dir: tempfile::TempDir,
    /// The read-only task root (`LAMBDA_TASK_ROOT`).
    pub task: PathBuf,
    /// The writable scratch directory (`TMPDIR`).
    pub scratch: PathBuf,
    /// `task/bootstrap`, when the package has one.
    pub bootstrap: Option<PathBuf>,
    /// What was unpacked, as the user named it.
    pub source: PathBuf,
    /// Size of the bootstrap, and of the zip when there was one.
    pub bootstrap_bytes: Option<u64>,
    pub zip_bytes: Option<u64>,
}

/// The file a path given on the command line stands for: a zip, or a bootstrap.
pub fn resolve(path: &Path) -> anyhow::Result<PathBuf> {
    let not_found = || {
        SlimError::new(format!("{} does not exist", path.display()))
            .hint("pass a function.zip, a `cargo slim build` output directory, its slim-manifest.json, or a bootstrap")
    };
    let meta = std::fs::metadata(path).map_err(|_| not_found())?;
    let dir = if meta.is_dir() {
        Some(path.to_path_buf())
    } else if path.extension().is_some_and(|e| e == "json") {
        path.parent().map(Path::to_path_buf)
    } else {
        None
    };
    match dir {
        None => Ok(path.to_path_buf()),
        Some(dir) => ["function.zip", "bootstrap"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                SlimError::new(format!("no function.zip or bootstrap in {}", dir.display()))
                    .hint("build it first with `cargo slim build`, or pass the zip or bootstrap itself")
                    .into()
            }),
    }
}

impl TaskRoot {
    /// Unpack `source` (see [`resolve`]) for a function run as `run_as` (uid, gid).
    pub fn prepare(source: &Path, run_as: Option<(u32, u32)>) -> anyhow::Result<TaskRoot> {
        let file = resolve(source)?;
        let data = read_limited(&file)?;
        let dir = tempfile::Builder::new()
            .prefix("cargo-slim-run-")
            .tempdir()
            .map_err(|e| SlimError::new(format!("cannot create a temporary directory: {e}")))?;
        let task = dir.path().join("task");
        let scratch = dir.path().join("tmp");
        std::fs::create_dir(&task)?;
        std::fs::create_dir(&scratch)?;
        let zip_bytes = if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
            unzip(&file, &data, &task)?;
            Some(data.len() as u64)
        } else {
            let dest = task.join("bootstrap");
            std::fs::write(&dest, &data)?;
            // A bare file keeps its own mode: a bootstrap that is not executable
            // fails here as it would on Lambda.
            let mode = std::fs::metadata(&file)?.permissions().mode() & 0o7777;
            std::fs::set_permissions(&dest, Permissions::from_mode(mode))?;
            None
        };
        let bootstrap = Some(task.join("bootstrap")).filter(|p| p.is_file());
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
            _dir: dir,
            task,
            scratch,
            bootstrap,
            source: file,
            bootstrap_bytes,
            zip_bytes,
        })
    }
}

fn read_limited(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .map_err(|e| SlimError::new(format!("cannot read {}: {e}", path.display())))?;
    let mut data = Vec::new();
    file.take(UNZIPPED_LIMIT + 1).read_to_end(&mut data)?;
    if data.len() as u64 > UNZIPPED_LIMIT {
        return Err(SlimError::new(format!(
            "{} is over Lambda's 250 MB deployment package limit",
            path.display()
        ))
        .into());
    }
    Ok(data)
}

fn unzip(path: &Path, data: &[u8], task: &Path) -> anyhow::Result<()> {
    let bad = |e: &dyn std::fmt::Display| -> anyhow::Error {
        SlimError::new(format!("cannot unpack {}: {e}", path.display()))
            .hint("the zip is damaged or not a Lambda package; rebuild it with `cargo slim build`")
            .into()
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data)).map_err(|e| bad(&e))?;
    let mut total = 0u64;
    // Symbolic links are made last, so no file is ever written through one.
    let mut links = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| bad(&e))?;
        let Some(relative) = entry.enclosed_name() else {
            return Err(bad(&format!(
                "entry `{}` points outside the archive",
                entry.name().unwrap_or_default()
            )));
        };
        let dest = task.join(relative);
        let mode = entry.unix_mode();
        if entry.is_dir() {
            std::fs::create_dir_all(&dest)?;
            continue;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if entry.is_symlink() {
            let mut target = String::new();
            (&mut entry)
                .take(4096)
                .read_to_string(&mut target)
                .map_err(|e| bad(&e))?;
            links.push((dest, target));
            continue;
        }
        let mut out = std::fs::File::create(&dest)?;
        let budget = UNZIPPED_LIMIT - total;
        let written =
            std::io::copy(&mut (&mut entry).take(budget + 1), &mut out).map_err(|e| bad(&e))?;
        total += written;
        if total > UNZIPPED_LIMIT {
            return Err(bad(&"it unpacks to more than Lambda's 250 MB limit"));
        }
        // Lambda keeps the modes recorded in the zip; entries without one (zips
        // made on Windows) read as 0644.
        let mode = mode.map_or(0o644, |m| m & 0o7777);
        std::fs::set_permissions(&dest, Permissions::from_mode(mode))?;
    }
    for (dest, target) in links {
        std::os::unix::fs::symlink(target, dest)?;
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

/// Give write permission back so the temporary directory can be removed.
fn writable_again(dir: &Path) {
    let _ = std::fs::set_permissions(dir, Permissions::from_mode(0o755));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|k| k.is_dir()) {
                writable_again(&entry.path());
            }
        }
    }
}

impl Drop for TaskRoot {
    fn drop(&mut self) {
        writable_again(&self.task);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn zip_with(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for (name, mode, data) in entries {
                let opts = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
                w.start_file(*name, opts).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap();
        }
        buf.into_inner()
    }

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
        assert!(err.contains("cannot unpack"), "{err}");
    }
}
