//! Removing a group: the kernel refuses to remove one while a process is in it,
//! and a process that keeps forking adds members between any read of
//! `cgroup.procs` and the kills. So: kill every member, try to remove, and repeat
//! until the group is gone. Each round kills every member it saw, and a killed
//! process forks no more, so the rounds converge; the patience only guards
//! against a process the kernel cannot kill (an uninterruptible sleep).

use std::path::Path;
use std::time::{Duration, Instant};

/// How long [`remove`] keeps trying.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// SIGKILL every process in the group at `dir` (children of the function too).
/// On cgroup v2, `cgroup.kill` (Linux 5.14) kills the whole subtree in one write.
pub(crate) fn kill_members(dir: &Path) {
    let _ = std::fs::write(dir.join("cgroup.kill"), "1");
    let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
    for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
        // SAFETY: kill has no memory-safety preconditions; a pid that has gone
        // since the read is answered with ESRCH, which we ignore.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

/// Kill the members of the group at `dir` and remove it, until it is gone or
/// `patience` has passed. True when it is gone.
pub(crate) fn remove(dir: &Path, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    loop {
        kill_members(dir);
        match std::fs::remove_dir(dir) {
            Ok(()) => return true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return true,
            Err(_) if Instant::now() >= deadline => return false,
            // Busy: members not yet reaped, or new ones.
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}
