//! Reading a file named by a workspace-relative path that may come from an
//! untrusted record (an include, a source file of `inputs.sources`): the real
//! path must stay inside the workspace (a symbolic link may not lead out), only
//! regular files and directories are accepted (no FIFO, device or socket), and a
//! read is bounded.

use std::fs::{self, File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::util::error::SlimError;

/// The most one included or hashed file may hold: Lambda's limit for the
/// unzipped function (250 MB), beyond which no package can be deployed.
pub const MAX_FILE_BYTES: u64 = 262_144_000;

/// A path resolved inside the workspace.
#[derive(Debug)]
pub struct Resolved {
    /// The real path (symbolic links followed).
    pub real: PathBuf,
    pub meta: Metadata,
}

/// `root/rel`, with every symbolic link followed, if it stays inside `root` and
/// is a regular file or a directory.
pub fn resolve(root: &Path, rel: &Path) -> Result<Resolved> {
    let shown = root.join(rel);
    let root_real = root.canonicalize().map_err(|e| {
        SlimError::new(format!("cannot read the workspace {}: {e}", root.display()))
    })?;
    let real = shown
        .canonicalize()
        .map_err(|e| SlimError::new(format!("cannot read `{}`: {e}", shown.display())))?;
    if !real.starts_with(&root_real) {
        return Err(SlimError::new(format!(
            "`{}` leads outside the workspace (to {})",
            shown.display(),
            real.display()
        ))
        .hint("only files inside the workspace can be included or checked")
        .into());
    }
    let meta = fs::metadata(&real)
        .map_err(|e| SlimError::new(format!("cannot read `{}`: {e}", shown.display())))?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(special(&shown));
    }
    Ok(Resolved { real, meta })
}

fn special(path: &Path) -> anyhow::Error {
    SlimError::new(format!(
        "`{}` is not a regular file or directory (a FIFO, device or socket)",
        path.display()
    ))
    .into()
}

/// The bytes of a regular file, at most `cap`; `shown` names it in errors.
pub fn read_bounded(path: &Path, shown: &Path, cap: u64) -> Result<Vec<u8>> {
    let too_big = |size: u64| -> anyhow::Error {
        SlimError::new(format!(
            "`{}` is {size} bytes, more than the {cap} this file may hold",
            shown.display()
        ))
        .into()
    };
    // Checked before opening: opening a FIFO for reading waits for a writer.
    let before = fs::metadata(path)
        .map_err(|e| SlimError::new(format!("cannot read `{}`: {e}", shown.display())))?;
    if !before.is_file() {
        return Err(special(shown));
    }
    let file = File::open(path)
        .map_err(|e| SlimError::new(format!("cannot read `{}`: {e}", shown.display())))?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(special(shown));
    }
    if meta.len() > cap {
        return Err(too_big(meta.len()));
    }
    let mut data = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut data)?;
    if data.len() as u64 > cap {
        return Err(too_big(data.len() as u64));
    }
    Ok(data)
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
