//! Reading a file named by a workspace-relative path that may come from an
//! untrusted record (an include, a source file of `inputs.sources`): the real
//! path must stay inside the workspace (a symbolic link may not lead out), only
//! regular files and directories are accepted (no FIFO, device or socket), and a
//! read is bounded.

use std::fs::{self, Metadata};
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::util::error::SlimError;
use crate::util::regular_file;

/// The most one included or hashed file may hold: Lambda's limit for the
/// unzipped function (250 MB), beyond which no package can be deployed.
pub(crate) const MAX_FILE_BYTES: u64 = 262_144_000;

/// A path resolved inside the workspace.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The real path (symbolic links followed).
    pub real: PathBuf,
    pub meta: Metadata,
}

/// `root/rel`, with every symbolic link followed, if it stays inside `root` and
/// is a regular file or a directory.
pub(crate) fn resolve(root: &Path, rel: &Path) -> Result<Resolved> {
    let shown = root.join(rel);
    let cannot = |path: &Path, e: std::io::Error| SlimError::Unreadable {
        path: path.to_path_buf(),
        detail: e.to_string(),
        if_missing: None,
    };
    let root_real = root.canonicalize().map_err(|e| cannot(root, e))?;
    let real = shown.canonicalize().map_err(|e| cannot(&shown, e))?;
    if !real.starts_with(&root_real) {
        return Err(SlimError::OutsideWorkspace { path: shown, real }.into());
    }
    let meta = fs::metadata(&real).map_err(|e| cannot(&shown, e))?;
    if !meta.is_dir() {
        regular_file::refuse_special(&shown, &meta)?;
    }
    Ok(Resolved { real, meta })
}

/// The bytes of a regular file, at most `cap`; `shown` names it in errors.
pub(crate) fn read_bounded(path: &Path, shown: &Path, cap: u64) -> Result<Vec<u8>> {
    regular_file::read(path, shown, cap, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_leaves_the_workspace_and_special_files() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path().join("ws");
        fs::create_dir(&ws).unwrap();
        fs::write(tmp.path().join("secret"), b"s").unwrap();
        fs::write(ws.join("ok.txt"), b"ok").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), ws.join("link")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", ws.join("zero")).unwrap();
        std::os::unix::fs::symlink("ok.txt", ws.join("inner")).unwrap();

        let ok = resolve(&ws, Path::new("inner")).unwrap();
        assert_eq!(
            read_bounded(&ok.real, Path::new("inner"), 10).unwrap(),
            b"ok"
        );
        let err = resolve(&ws, Path::new("link")).unwrap_err().to_string();
        assert!(err.contains("leads outside the workspace"), "{err}");
        assert!(resolve(&ws, Path::new("zero")).is_err());
        let err = read_bounded(&ok.real, Path::new("inner"), 1).unwrap_err();
        assert!(
            err.to_string().contains("is 2 bytes, more than the 1 "),
            "{err}"
        );
        let err = read_bounded(Path::new("/dev/zero"), Path::new("z"), 1).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
