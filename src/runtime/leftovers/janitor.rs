//! The janitor: our own executable started with a hidden first argument
//! ([`ARG`]) by `run` and `bench`. It reads what cargo-slim created and removed
//! (see [`super::tell`]) until its stdin closes — cargo-slim has exited, normally
//! or killed — then removes what is left: each cgroup once its processes are
//! killed (as often as it takes), then each temporary directory.
//!
//! The names come from cargo-slim over a pipe nobody else holds, and are checked
//! anyway: only a directory named like a task root, and only a cgroup named like
//! ours that has a `cgroup.procs`, is touched.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{BufRead as _, Read as _};
use std::os::unix::ffi::OsStringExt as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::{remove_tree, Leftover};
use crate::runtime::sandbox::cgroup::removal;

/// The hidden first argument that makes our executable the janitor.
pub(crate) const ARG: &str = "__cargo-slim-janitor";

/// The longest line read (a path of PATH_MAX bytes, in hex).
const MAX_LINE: u64 = 16 * 1024;

/// The janitor's `main`.
pub(crate) fn main() -> ExitCode {
    let mut left: BTreeSet<(Leftover, PathBuf)> = BTreeSet::new();
    let mut stdin = std::io::stdin().lock();
    let mut line = Vec::new();
    loop {
        line.clear();
        match stdin.by_ref().take(MAX_LINE).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        match parse(&line) {
            Some((true, item)) => {
                left.insert(item);
            }
            Some((false, item)) => {
                left.remove(&item);
            }
            None => {}
        }
    }
    // cgroups first: their processes may still be writing into a directory.
    for (kind, path) in &left {
        if *kind == Leftover::Cgroup && is_our_cgroup(path) {
            removal::remove(path, removal::PATIENCE);
        }
    }
    for (kind, path) in &left {
        if *kind == Leftover::Dir && is_task_root_dir(path) {
            remove_dir_patiently(path);
        }
    }
    ExitCode::SUCCESS
}

/// `+D 2f746d70…` → (added?, (kind, path)).
fn parse(line: &[u8]) -> Option<(bool, (Leftover, PathBuf))> {
    let text = std::str::from_utf8(line).ok()?.trim_end();
    let mut chars = text.chars();
    let added = match chars.next()? {
        '+' => true,
        '-' => false,
        _ => return None,
    };
    let kind = match chars.next()? {
        'D' => Leftover::Dir,
        'C' => Leftover::Cgroup,
        _ => return None,
    };
    let hex = chars.as_str().strip_prefix(' ')?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some((added, (kind, PathBuf::from(OsString::from_vec(bytes)))))
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// A task root: an absolute directory (not a symbolic link) named `cargo-slim-run-…`.
fn is_task_root_dir(path: &Path) -> bool {
    path.is_absolute()
        && file_name(path).starts_with("cargo-slim-run-")
        && std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// One of our cgroups: `cargo-slim-<pid>-<n>`, with a `cgroup.procs`.
fn is_our_cgroup(path: &Path) -> bool {
    let Some(rest) = file_name(path).strip_prefix("cargo-slim-") else {
        return false;
    };
    let numbers = rest.split('-').collect::<Vec<_>>();
    path.is_absolute()
        && numbers.len() == 2
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && path.join("cgroup.procs").is_file()
}

/// Remove a task root, retrying for a while: a process that was still being
/// killed may have been writing into its scratch directory.
fn remove_dir_patiently(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !remove_tree(path) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_is_told() {
        assert_eq!(
            parse(b"+D 2f746d702f61\n"),
            Some((true, (Leftover::Dir, PathBuf::from("/tmp/a"))))
        );
        assert_eq!(
            parse(b"-C 2f78"),
            Some((false, (Leftover::Cgroup, PathBuf::from("/x"))))
        );
        for bad in [&b"+D 2f7"[..], b"*D 2f", b"+X 2f", b"+D zz", b"+D2f", b""] {
            assert_eq!(parse(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn touches_only_what_is_named_like_ours() {
        let dir = tempfile::Builder::new()
            .prefix("cargo-slim-run-")
            .tempdir()
            .unwrap();
        assert!(is_task_root_dir(dir.path()));
        let other = tempfile::tempdir().unwrap();
        assert!(!is_task_root_dir(other.path()));
        assert!(!is_task_root_dir(Path::new("cargo-slim-run-relative")));
        // Named like ours but no cgroup.procs: not a cgroup.
        let fake = other.path().join("cargo-slim-12-0");
        std::fs::create_dir(&fake).unwrap();
        assert!(!is_our_cgroup(&fake));
        std::fs::write(fake.join("cgroup.procs"), "").unwrap();
        assert!(is_our_cgroup(&fake));
        assert!(!is_our_cgroup(&other.path().join("cargo-slim-12")));
        assert!(!is_our_cgroup(&other.path().join("cargo-slim-x-0")));
    }
}
