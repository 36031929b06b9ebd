//! A fixed place for cargo to see the sources under, when a path dependency
//! lives outside the workspace.
//!
//! Cargo names every crate it compiles with a hash (`-C metadata`) that becomes
//! the crate's identity in the binary: symbol names, `TypeId` values, and the
//! order rustc emits generic code in. For a workspace member it hashes the
//! path relative to the workspace root; for a path dependency outside the
//! workspace (`shared = { path = "../shared" }`, as monorepos do) it hashes
//! the absolute path (cargo's `SourceId::stable_hash`). Remapping source paths
//! cannot change that: the same commit checked out at two places gave two
//! different `.text` and `.rodata`.
//!
//! So for such a build cargo is run on the same files seen through a symbolic
//! link at a fixed path, [`LINK`], pointing at the closest directory that
//! holds the workspace and every outside path dependency: cargo then hashes
//! `/tmp/cargo-slim-anchor/src/shared` on every machine. The link lives in a
//! directory of the user's own (mode 0700), is taken under a lock (two builds
//! on one machine take turns) and is removed afterwards. When it cannot be
//! made (the directory belongs to another user), the build runs on the real
//! paths and says that its bytes then depend on where the checkout is.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use anyhow::Result;
use cargo_metadata::Package;

use crate::ui::Ui;
use crate::util::lock::{self, DirLock};

/// The directory holding the link and its lock.
const DIR: &str = "/tmp/cargo-slim-anchor";
/// The link: what cargo sees instead of the real directory.
pub(crate) const LINK: &str = "/tmp/cargo-slim-anchor/src";

/// The real directory seen at [`LINK`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Anchor {
    real: PathBuf,
}

/// The link, in place until dropped.
#[derive(Debug)]
pub(crate) struct Held {
    pub(crate) anchor: Anchor,
    _lock: DirLock,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(LINK);
    }
}

impl Anchor {
    /// `path` as cargo sees it through the link (`path` itself when it is not
    /// under the anchored directory).
    pub(crate) fn seen(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.real) {
            Ok(rest) => Path::new(LINK).join(rest),
            Err(_) => path.to_path_buf(),
        }
    }

    /// A path cargo reported, as it is on disk.
    pub(crate) fn real(&self, seen: &Path) -> PathBuf {
        match seen.strip_prefix(LINK) {
            Ok(rest) => self.real.join(rest),
            Err(_) => seen.to_path_buf(),
        }
    }

    /// A path package's id (`path+file:///repo/f#0.1.0`) as cargo names it
    /// when it sees the package through the link.
    pub(crate) fn seen_id(&self, id: &str) -> String {
        let Some(rest) = id.strip_prefix("path+file://") else {
            return id.to_string();
        };
        let (path, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let seen = self.seen(Path::new(path));
        let hash = if fragment.is_empty() { "" } else { "#" };
        format!("path+file://{}{hash}{fragment}", seen.display())
    }
}

/// The path packages outside `workspace_root` (cargo's `source` is none for
/// path packages).
pub(crate) fn outside_path_packages<'a>(
    packages: &'a [Package],
    workspace_root: &Path,
) -> Vec<&'a Package> {
    packages
        .iter()
        .filter(|p| p.source.is_none())
        .filter(|p| {
            p.manifest_path
                .parent()
                .is_some_and(|root| !root.as_std_path().starts_with(workspace_root))
        })
        .collect()
}

/// The anchor a build of `workspace_root` with these packages needs: `None`
/// when no path dependency lives outside the workspace. Refused (with the
/// reason) when the only common directory is `/`: what is below it would
/// still be machine-specific.
pub(crate) fn needed(
    packages: &[Package],
    workspace_root: &Path,
) -> Option<std::result::Result<Anchor, String>> {
    let outside = outside_path_packages(packages, workspace_root);
    if outside.is_empty() {
        return None;
    }
    let mut common = workspace_root.to_path_buf();
    for p in &outside {
        if let Some(root) = p.manifest_path.parent() {
            common = common_ancestor(&common, root.as_std_path());
        }
    }
    let names: Vec<String> = outside.iter().map(|p| p.name.to_string()).collect();
    if common.components().all(|c| c == Component::RootDir) {
        return Some(Err(format!(
            "{} and the workspace share no directory but /",
            names.join(", ")
        )));
    }
    Some(Ok(Anchor { real: common }))
}

fn common_ancestor(a: &Path, b: &Path) -> PathBuf {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect()
}

/// Put the link in place for `anchor` and hold it. `Ok(None)` (said on
/// stderr) when this machine does not let us: the build then runs on the real
/// paths.
pub(crate) fn hold(ui: &Ui, anchor: &Anchor) -> Result<Option<Held>> {
    if let Err(why) = own_dir() {
        ui.warn(format!(
            "cannot use {DIR} ({why}): the build runs on the real paths, so its bytes depend \
             on where the path dependencies outside the workspace are"
        ));
        return Ok(None);
    }
    let lock = lock::exclusive(&Path::new(DIR).join("lock"), |path| {
        ui.status(
            "Blocking",
            format!("waiting for file lock on {}", path.display()),
        );
    })?;
    let _ = std::fs::remove_file(LINK);
    std::os::unix::fs::symlink(&anchor.real, LINK)?;
    ui.verbose(format!(
        "path dependencies outside the workspace: cargo sees {} as {LINK}, so their crate \
         hashes do not depend on where it is",
        anchor.real.display()
    ));
    Ok(Some(Held {
        anchor: anchor.clone(),
        _lock: lock,
    }))
}

/// [`DIR`] exists, is a directory (not a link) of ours, writable by us only.
fn own_dir() -> std::result::Result<(), String> {
    let dir = Path::new(DIR);
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e.to_string()),
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| e.to_string())?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    if !meta.is_dir() {
        return Err("it is not a directory".into());
    }
    if meta.uid() != euid {
        return Err(format!("it belongs to user {}", meta.uid()));
    }
    if meta.permissions().mode() & 0o022 != 0 {
        return Err("others may write to it".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, source: Option<&str>, dir: &str) -> Package {
        let json = serde_json::json!({
            "name": name, "version": "0.1.0", "id": format!("{name} 0.1.0"),
            "source": source, "manifest_path": format!("{dir}/Cargo.toml"),
            "dependencies": [], "targets": [], "features": {},
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn only_path_dependencies_outside_the_workspace_need_it() {
        let ws = Path::new("/repo/functions/f");
        let inside = [
            package("f", None, "/repo/functions/f"),
            package("reg", Some("registry+https://x"), "/home/u/.cargo/r/reg-1"),
        ];
        assert_eq!(needed(&inside, ws), None);
        let mut all = inside.to_vec();
        all.push(package("shared", None, "/repo/shared"));
        let anchor = needed(&all, ws).unwrap().unwrap();
        assert_eq!(anchor.real, Path::new("/repo"));
        assert_eq!(
            anchor.seen(Path::new("/repo/shared/src/lib.rs")),
            Path::new("/tmp/cargo-slim-anchor/src/shared/src/lib.rs")
        );
        assert_eq!(
            anchor.real(Path::new(
                "/tmp/cargo-slim-anchor/src/functions/f/src/main.rs"
            )),
            Path::new("/repo/functions/f/src/main.rs")
        );
        assert_eq!(
            anchor.seen_id("path+file:///repo/functions/f#0.1.0"),
            "path+file:///tmp/cargo-slim-anchor/src/functions/f#0.1.0"
        );
        // A sibling whose name merely starts like the anchored directory's.
        assert_eq!(
            anchor.seen(Path::new("/repository/x")),
            Path::new("/repository/x")
        );
        all.push(package("far", None, "/opt/far"));
        assert!(needed(&all, ws).unwrap().is_err());
    }
}
