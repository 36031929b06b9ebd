//! What git says about the workspace: its commit and whether it is dirty (for
//! the manifest and verify), and the root of its work tree (for the workflow
//! `generate` writes). Asked through `util::process`, never required: a
//! workspace outside git simply has no answers.

use std::path::{Path, PathBuf};

use crate::model::manifest::Git;
use crate::util::process;

/// The commit and dirtiness of the git work tree holding `dir`, if any. One
/// `git status` gives both (`# branch.oid` is its header line in porcelain v2).
pub(crate) fn git_state(dir: &Path) -> Option<Git> {
    let text = process::program("git")
        .args(["status", "--porcelain=v2", "--branch", "--", "."])
        .current_dir(dir)
        .ask()?;
    parse_git_status(&text)
}

/// `git status --porcelain=v2 --branch` → commit and dirtiness; `None` before the
/// first commit (`# branch.oid (initial)`).
fn parse_git_status(text: &str) -> Option<Git> {
    let commit = text
        .lines()
        .find_map(|l| l.strip_prefix("# branch.oid "))?
        .trim();
    if !commit.bytes().all(|b| b.is_ascii_hexdigit()) || commit.is_empty() {
        return None;
    }
    Some(Git {
        commit: commit.to_string(),
        dirty: text.lines().any(|l| !l.starts_with('#') && !l.is_empty()),
    })
}

/// The git work tree holding `dir`, if any, canonical (as cargo's workspace
/// root is, so the two compare).
pub(crate) fn repo_root(dir: &Path) -> Option<PathBuf> {
    let text = process::program("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(dir)
        .ask()?;
    std::fs::canonicalize(PathBuf::from(text.trim())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_status_is_read_from_one_call() {
        let clean = "# branch.oid 3fee3131\n# branch.head main\n";
        assert_eq!(
            parse_git_status(clean),
            Some(Git {
                commit: "3fee3131".into(),
                dirty: false
            })
        );
        let dirty = format!("{clean}1 .M N... 100644 100644 100644 a b src/x.rs\n? new.txt\n");
        assert_eq!(parse_git_status(&dirty).map(|g| g.dirty), Some(true));
        assert_eq!(parse_git_status("# branch.oid (initial)\n? a\n"), None);
        assert_eq!(parse_git_status(""), None);
    }
}
