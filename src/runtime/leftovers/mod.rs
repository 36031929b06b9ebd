//! What a run leaves on the machine while it lasts — the unpacked task roots
//! (`cargo-slim-run-*` temporary directories) and the cgroups of its execution
//! environments — and the guarantee that none of it outlives cargo-slim.
//!
//! Each owner removes its own when it is dropped (a normal end, an error, or a
//! SIGINT/SIGTERM/SIGHUP, which `run` and `bench` turn into an orderly stop). A
//! SIGKILL leaves no chance to do so: for that, `run` and `bench` start a
//! [`janitor`] first — our own executable, in a session of its own — and each
//! owner tells it what it created ([`watch`]) and what it removed ([`forget`]).
//! When cargo-slim exits, however it exits, the kernel closes the janitor's
//! stdin, and the janitor removes whatever is still on its list. (The function
//! processes themselves are the supervisors' to kill: see `runtime::process`.)

pub(crate) mod janitor;

use std::io::Write as _;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{ChildStdin, Stdio};
use std::sync::Mutex;

use crate::util::process;

/// The kinds of things the janitor removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Leftover {
    /// A task root's temporary directory.
    Dir,
    /// An execution environment's cgroup (its processes are killed first).
    Cgroup,
}

impl Leftover {
    fn tag(self) -> char {
        match self {
            Leftover::Dir => 'D',
            Leftover::Cgroup => 'C',
        }
    }
}

/// The janitor's stdin, once it is started.
static JANITOR: Mutex<Option<ChildStdin>> = Mutex::new(None);

/// Start the janitor (once). Without it, everything still cleans up after
/// itself except after a SIGKILL; the caller says so.
pub(crate) fn start() -> std::io::Result<()> {
    let mut slot = JANITOR
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if slot.is_some() {
        return Ok(());
    }
    let mut cmd = process::program("/proc/self/exe").into_std();
    cmd.arg(janitor::ARG)
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::piped())
        // Holding none of our output open: `$(cargo slim run)` must not wait for it.
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe and touches no memory. A session of its
    // own keeps the janitor out of reach of signals sent to our process group
    // (a terminal's Ctrl-C, `kill -- -PGID`), which it must outlive.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    *slot = child.stdin.take();
    // The janitor is not waited for: it exits once we have.
    Ok(())
}

/// Tell the janitor `path` exists and is ours to remove.
pub(crate) fn watch(kind: Leftover, path: &Path) {
    tell('+', kind, path);
}

/// Tell the janitor `path` is gone (removed by its owner).
pub(crate) fn forget(kind: Leftover, path: &Path) {
    tell('-', kind, path);
}

/// One line: `+D 2f746d70…` (the path's bytes in hex: a path may hold a newline).
fn tell(op: char, kind: Leftover, path: &Path) {
    let mut slot = JANITOR
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(stdin) = slot.as_mut() {
        let hex: String = path
            .as_os_str()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if writeln!(stdin, "{op}{} {hex}", kind.tag()).is_err() {
            *slot = None;
        }
    }
}

/// Remove a directory tree we made read-only: give write permission back to
/// every directory in it, then remove it. True when it is gone.
pub(crate) fn remove_tree(dir: &Path) -> bool {
    make_writable(dir);
    match std::fs::remove_dir_all(dir) {
        Ok(()) => true,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Give write permission back to `dir` and every directory under it (symbolic
/// links are not followed).
pub(crate) fn make_writable(dir: &Path) {
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return;
    };
    if !meta.is_dir() {
        return;
    }
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|k| k.is_dir()) {
                make_writable(&entry.path());
            }
        }
    }
}
