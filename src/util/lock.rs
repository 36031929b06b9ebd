//! An exclusive lock held through a lock file, so two runs writing the same
//! output directory take turns and its zip, checksum and manifest are always
//! one consistent set (without it, two concurrent builds could leave a checksum
//! or manifest describing the other run's zip). `output::OutputDir::lock` is
//! its user.
//!
//! As cargo does for its build directory (`src/cargo/util/flock.rs`): an advisory
//! `flock` on a lock file inside the directory, tried first without waiting; when
//! another run holds it, the caller is told (to print "Blocking waiting for file
//! lock on …") and the call waits. The lock goes with the open file: it is
//! released when the [`DirLock`] is dropped, or by the kernel when the process
//! dies, so a killed run never leaves a stale lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use anyhow::{Context, Result};

/// Linux's "no locks available": NFS without a lock daemon.
const ENOLCK: i32 = 37;

/// Holds the lock until dropped (`None`: the file system has no locks).
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: Option<File>,
}

/// Lock through the file `path` (created when missing; its directory must
/// exist) exclusively, calling `on_wait` with the path first when another
/// process holds it. A file system without locks (some network file systems)
/// gives an unlocked [`DirLock`], as cargo does.
pub(crate) fn exclusive(path: &Path, on_wait: impl FnOnce(&Path)) -> Result<DirLock> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    let locked = match file.try_lock() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => {
            on_wait(path);
            file.lock()
        }
        Err(TryLockError::Error(e)) => Err(e),
    };
    match locked {
        Ok(()) => Ok(DirLock { _file: Some(file) }),
        Err(e) if unsupported(&e) => Ok(DirLock { _file: None }),
        Err(e) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
    }
}

fn unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported || e.raw_os_error() == Some(ENOLCK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_second_holder_waits_and_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let first = exclusive(&path, |_| panic!("nobody holds it yet")).unwrap();
        let (tx, rx) = mpsc::channel();
        let wanted = path.clone();
        let second = std::thread::spawn(move || {
            let lock = exclusive(&path, |p| tx.send(p.to_path_buf()).unwrap()).unwrap();
            drop(lock);
        });
        let waited_on = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(waited_on, wanted);
        assert!(!second.is_finished(), "the second holder waits");
        drop(first);
        second.join().unwrap();
    }
}
