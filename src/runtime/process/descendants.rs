//! The supervisor's children: the function, and — the supervisor being a child
//! subreaper — every process the function started and abandoned. Waiting for
//! them, and killing them all.

use std::time::{Duration, Instant};

use super::exit::Usage;

/// How long [`kill_all`] keeps at it; a process the kernel does not let die in
/// this time (stuck in an uninterruptible sleep) is left to init.
const PATIENCE: Duration = Duration::from_secs(10);

/// Block until `pid` (our child) has exited, without reaping it.
pub(crate) fn wait_exited(pid: i32) {
    loop {
        // SAFETY: siginfo_t is plain old data; waitid writes it.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: a pointer to a live local; pid is our child.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return;
        }
    }
}

/// Reap `pid`, keeping its wait status and resource usage.
pub(crate) fn reap(pid: i32) -> Option<(i32, Usage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; zeroed is a valid value for it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pointers to live locals; pid is our child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return None;
        }
    }
    let usage = Usage {
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        minor_faults: u64::try_from(usage.ru_minflt).unwrap_or(0),
        major_faults: u64::try_from(usage.ru_majflt).unwrap_or(0),
    };
    Some((status, usage))
}

/// SIGKILL every child of ours and reap it, until there are none: a killed
/// process's own children are handed to us (we are their subreaper) and are
/// killed in the next round.
pub(crate) fn kill_all() {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let children = children();
        if children.is_empty() || Instant::now() > deadline {
            return;
        }
        for &pid in &children {
            // SAFETY: an unreaped child of ours: its pid names it.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        for &pid in &children {
            reap(pid);
        }
    }
}

/// Our children, from /proc (each process's `stat` names its parent).
fn children() -> Vec<i32> {
    let me = std::process::id() as i32;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| parent_of(pid) == Some(me))
        .collect()
}

/// The parent pid in /proc/PID/stat: the field after the state, which follows
/// the command name in parentheses (which may itself hold spaces and parentheses).
fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reaped by `reap`, our own wait4, which is what is tested.
    #[allow(clippy::zombie_processes)]
    #[test]
    fn finds_the_parent_of_a_process() {
        let me = std::process::id() as i32;
        let child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        assert_eq!(parent_of(pid), Some(me));
        assert!(children().contains(&pid));
        // SAFETY: our unreaped child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
        let (status, _) = reap(pid).unwrap();
        assert!(libc::WIFSIGNALED(status));
    }
}
