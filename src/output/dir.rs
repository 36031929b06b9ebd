//! One output directory: its files by name, its lock, and what a finished
//! build left in it.
//!
//! As cargo's `Layout` owns the paths of its build directory and holds its
//! lock, an [`OutputDir`] hands out the path of a file to write only through
//! [`Locked`], the guard of its lock: every write of a build happens with the
//! lock held, so the files in a directory are always one run's set. Reading a
//! finished build needs no lock ([`OutputDir::unlocked`], named after cargo's
//! `as_path_unlocked`): a read-only command must not create a lock file, and
//! the describing files are replaced last and atomically.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::output::file::{Kind, OutputFile, FUNCTION_FILES, MULTI_ARCH_FILES};
use crate::ui::Ui;
use crate::util::error::SlimError;
use crate::util::{atomic, lock};

/// The lock file's name in a locked directory.
pub(crate) const LOCK_FILE: &str = ".cargo-slim-lock";

/// Which set of files a directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirKind {
    /// One function × target (`<bin>/<triple>/`), or a directory the user
    /// named as one.
    Function,
    /// The `--multi-arch` image index over every target's image.
    MultiArchImage,
}

impl DirKind {
    /// Every file of this kind of directory, in writing order.
    pub(crate) fn files(self) -> &'static [OutputFile] {
        match self {
            DirKind::Function => FUNCTION_FILES,
            DirKind::MultiArchImage => MULTI_ARCH_FILES,
        }
    }
}

/// An output directory, not locked: where it is and what is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputDir {
    dir: PathBuf,
    kind: DirKind,
}

impl OutputDir {
    pub(crate) fn new(dir: PathBuf, kind: DirKind) -> OutputDir {
        OutputDir { dir, kind }
    }

    /// A directory the user named as a build's output (`size --diff DIR`,
    /// `run DIR`, the directory of a manifest): read, never written.
    pub(crate) fn given(dir: &Path) -> OutputDir {
        OutputDir::new(dir.to_path_buf(), DirKind::Function)
    }

    /// The directory beside `file` (the one a zip or manifest the user named is in).
    pub(crate) fn beside(file: &Path) -> Option<OutputDir> {
        let parent = file.parent()?;
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        Some(OutputDir::given(parent))
    }

    /// The directory itself, to show or to compare.
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// A file's path, to read what a finished build left. Never write through
    /// it: writes go through [`Locked`].
    pub(crate) fn unlocked(&self, file: OutputFile) -> PathBuf {
        self.dir.join(file.name())
    }

    /// Whether `file` is there as a regular file.
    pub(crate) fn has(&self, file: OutputFile) -> bool {
        self.unlocked(file).is_file()
    }

    /// Whether anything is there under `file`'s name (a FIFO or a dangling
    /// link counts: reading it then says what is wrong).
    pub(crate) fn occupied(&self, file: OutputFile) -> bool {
        self.unlocked(file).symlink_metadata().is_ok()
    }

    /// The first of `files` that is there as a regular file.
    pub(crate) fn first_of(&self, files: &[OutputFile]) -> Option<(OutputFile, PathBuf)> {
        files
            .iter()
            .map(|f| (*f, self.unlocked(*f)))
            .find(|(_, p)| p.is_file())
    }

    /// Create the directory (and its parents) and prove a file can be created
    /// in it, so an unwritable one is reported before minutes of compiling.
    pub(crate) fn ensure_writable(&self) -> Result<()> {
        atomic::ensure_writable_dir(&self.dir)
    }

    /// Fail before compiling when one of `files` could not be written: its name
    /// is taken by something that is not ours (a directory where a file goes, a
    /// directory that is not one of our trees).
    pub(crate) fn check_free(&self, files: &[OutputFile]) -> Result<()> {
        for &file in files {
            let path = self.unlocked(file);
            let Ok(meta) = path.symlink_metadata() else {
                continue;
            };
            let ours = match file.kind() {
                Kind::File { .. } => path.is_file(),
                Kind::Tree { marker } => {
                    meta.is_dir() && (path.join(marker).is_file() || is_empty_dir(&path))
                }
            };
            if !ours {
                return Err(SlimError::ImageOutputInTheWay { blocker: path }.into());
            }
        }
        Ok(())
    }

    /// Take the directory's lock (creating the directory), saying so when
    /// another run holds it, as cargo says "Blocking waiting for file lock on
    /// build directory". With the lock held no live run is writing here, so the
    /// temporary files a killed run left are cleared.
    pub(crate) fn lock(&self, ui: &Ui) -> Result<Locked<'_>> {
        self.ensure_writable()?;
        let lock = lock::exclusive(&self.dir.join(LOCK_FILE), |path| {
            ui.status(
                "Blocking",
                format!("waiting for file lock on {}", path.display()),
            );
        })?;
        let removed = atomic::remove_stale_temporaries(&self.dir)?;
        if removed > 0 {
            ui.verbose(format!(
                "removed {removed} temporary file(s) an interrupted run left in {}",
                self.dir.display()
            ));
        }
        Ok(Locked {
            dir: self,
            _lock: lock,
        })
    }

    pub(crate) fn kind(&self) -> DirKind {
        self.kind
    }
}

/// An output directory with its lock held (released when dropped): the only
/// way to the path of a file to write.
#[derive(Debug)]
pub(crate) struct Locked<'d> {
    dir: &'d OutputDir,
    _lock: lock::DirLock,
}

impl Locked<'_> {
    pub(crate) fn dir(&self) -> &OutputDir {
        self.dir
    }

    /// A file's path, lock held.
    pub(crate) fn path(&self, file: OutputFile) -> PathBuf {
        self.dir.unlocked(file)
    }
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}
