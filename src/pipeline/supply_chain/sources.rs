//! The workspace source files a build compiled, with their hashes, so `verify`
//! can name the file that changed even outside git; likewise the files of path
//! dependencies outside the workspace, which neither Cargo.lock nor the
//! workspace's git commit need pin.
//!
//! The list comes from the dep-info file cargo writes beside the executable
//! (`<exe>.d`, every file rustc read of local packages). Files are kept relative
//! to the workspace (or to the path dependency's directory), outside the target
//! dir: registry sources are pinned by Cargo.lock, generated files are outputs,
//! and absolute paths are machine specific.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::include::RelPath;
use crate::model::local_dependency::{LocalDependency, LocalKind};
use crate::model::manifest::SourceFile;
use crate::pipeline::compile::anchor::Anchor;
use crate::util::{confined, hash};

/// The sources of the build whose executable is `exe`; empty when cargo left no
/// dep-info (the manifest then simply has no list). `anchor`: where cargo saw
/// the sources instead (its paths are in the dep-info).
pub(crate) fn record(
    exe: &Path,
    workspace: &Path,
    target_dir: &Path,
    anchor: Option<&Anchor>,
) -> Vec<SourceFile> {
    let paths: Vec<PathBuf> = read_dep_info(exe, anchor)
        .into_iter()
        .filter(|p| !p.starts_with(target_dir))
        .collect();
    hashed_under(&paths, workspace)
}

/// The files rustc read for each path dependency outside the workspace, into
/// its `files` (relative to its own directory).
pub(crate) fn record_local(deps: &mut [LocalDependency], exe: &Path, anchor: Option<&Anchor>) {
    let paths = read_dep_info(exe, anchor);
    for dep in deps.iter_mut().filter(|d| d.kind == LocalKind::Path) {
        dep.files = hashed_under(&paths, &dep.root);
    }
}

/// Every file of `<exe>.d`, as it is on disk.
fn read_dep_info(exe: &Path, anchor: Option<&Anchor>) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(exe.with_extension("d")) else {
        return Vec::new();
    };
    dep_info_paths(&text)
        .into_iter()
        .map(|seen| anchor.map_or_else(|| seen.clone(), |a| a.real(&seen)))
        .collect()
}

/// The files of `paths` under `root`, relative to it, with their hashes.
fn hashed_under(paths: &[PathBuf], root: &Path) -> Vec<SourceFile> {
    let mut files = BTreeMap::new();
    for path in paths {
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        // A path our own grammar would refuse on reading (a control character)
        // is left out rather than recorded.
        let Some(rel) = rel.to_str().and_then(|r| r.parse::<RelPath>().ok()) else {
            continue;
        };
        files.insert(rel, hash::sha256_hex(&data));
    }
    files
        .into_iter()
        .map(|(path, sha256)| SourceFile { path, sha256 })
        .collect()
}

/// The prerequisites of every rule in a Makefile-style dep-info file, with `\ `
/// unescaped.
pub(crate) fn dep_info_paths(text: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in text.lines() {
        // `target: dep dep …`; the target itself may contain escaped spaces.
        let Some(deps) = split_rule(line) else {
            continue;
        };
        let mut current = String::new();
        let mut chars = deps.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => {
                    current.push(' ');
                    chars.next();
                }
                ' ' => {
                    if !current.is_empty() {
                        out.push(PathBuf::from(std::mem::take(&mut current)));
                    }
                }
                c => current.push(c),
            }
        }
        if !current.is_empty() {
            out.push(PathBuf::from(current));
        }
    }
    out
}

/// The part after the rule's `:` separator (a colon not escaped, followed by
/// white space or the end of the line).
fn split_rule(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    (0..bytes.len())
        .find(|&i| {
            bytes[i] == b':'
                && (i == 0 || bytes[i - 1] != b'\\')
                && bytes.get(i + 1).is_none_or(|b| *b == b' ' || *b == b'\t')
        })
        .map(|i| &line[i + 1..])
}

/// Recorded sources against `found` (the rebuild's list, or the files on disk):
/// one cause per file that changed, appeared or went.
pub(crate) fn changes(recorded: &[SourceFile], found: &[SourceFile]) -> Vec<String> {
    let now: BTreeMap<&str, &str> = found
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    let before: BTreeMap<&str, &str> = recorded
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    let mut out = Vec::new();
    for (path, sha) in &before {
        match now.get(path) {
            Some(n) if n != sha => out.push(format!("source file {path} changed since the record")),
            None => out.push(format!(
                "source file {path} is no longer compiled (or gone)"
            )),
            _ => {}
        }
    }
    for path in now.keys() {
        if !before.contains_key(path) {
            out.push(format!("source file {path} is new since the record"));
        }
    }
    out
}

/// The recorded files as they are on disk now (for --artifact-only, which has no
/// rebuild to list them). The recorded paths are workspace-relative by type; a
/// file that is not a regular file inside the workspace (a symbolic link out of
/// it, a FIFO, a device) or is too big is not read and counts as gone, so a
/// manifest cannot make verify hash (and so reveal) a file outside the workspace.
pub(crate) fn on_disk(recorded: &[SourceFile], workspace: &Path) -> Vec<SourceFile> {
    recorded
        .iter()
        .filter_map(|f| {
            let file = confined::resolve(workspace, f.path.as_path()).ok()?;
            let data =
                confined::read_bounded(&file.real, f.path.as_path(), confined::MAX_FILE_BYTES)
                    .ok()?;
            Some(SourceFile {
                path: f.path.clone(),
                sha256: hash::sha256_hex(&data),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_with_escaped_spaces() {
        let text = "/t/a\\ b/hello: /w/src/main.rs /w/my\\ dir/x.rs\n\n/w/src/main.rs:\n";
        assert_eq!(
            dep_info_paths(text),
            [
                PathBuf::from("/w/src/main.rs"),
                PathBuf::from("/w/my dir/x.rs")
            ]
        );
    }

    #[test]
    fn changes_name_each_file() {
        let f = |p: &str, s: &str| SourceFile {
            path: p.parse().unwrap(),
            sha256: s.into(),
        };
        let rec = [f("src/main.rs", "a"), f("src/old.rs", "b")];
        let now = [f("src/main.rs", "c"), f("src/new.rs", "d")];
        assert_eq!(
            changes(&rec, &now),
            [
                "source file src/main.rs changed since the record",
                "source file src/old.rs is no longer compiled (or gone)",
                "source file src/new.rs is new since the record"
            ]
        );
    }
}
