//! What cargo-slim and the supervisor of a function process say to each other:
//! one JSON document a line over a Unix socket pair (the supervisor's stdin).
//! cargo-slim sends one [`Spec`]; the supervisor answers [`Report::Started`] (or
//! [`Report::SpawnFailed`]) and, once the function has ended,
//! [`Report::Exited`]. cargo-slim closing its end (or dying) means "end the
//! environment now".

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::exit::Usage;
use crate::runtime::sandbox::Applied;

/// The longest line either side reads: a spec holds the function's environment
/// (Lambda allows 4 KB of it; an env file may hold up to 1 MiB).
pub(crate) const MAX_LINE: u64 = 4 << 20;

/// How to start the function. Paths travel as their bytes: a path that is not
/// UTF-8 is still a path.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Spec {
    /// On this machine's filesystem.
    pub start: Start,
    /// cgroup directories the function joins between fork and exec.
    pub cgroups: Vec<Vec<u8>>,
    /// (uid, gid) to switch to between fork and exec.
    pub run_as: Option<(u32, u32)>,
    /// Lambda's filesystem, to build first: where it is built, the function
    /// starts as its `start` says; where it is refused, as [`Spec::start`].
    pub lambda_fs: Option<LambdaFs>,
}

/// A command line, its environment and working directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Start {
    pub program: Vec<u8>,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: Vec<u8>,
}

/// [`crate::runtime::sandbox::filesystem::Layout`] on the wire, and how the
/// function starts inside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LambdaFs {
    pub root: Vec<u8>,
    pub task: Vec<u8>,
    pub opt: Option<Vec<u8>>,
    pub tmp_mb: u32,
    pub shared: Vec<Vec<u8>>,
    pub start: Start,
}

/// What the supervisor reports. `clock_ns` are CLOCK_MONOTONIC readings, the
/// clock `Instant` reads on Linux, so the two processes agree on when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Report {
    /// The function was executed; `clock_ns` just before its fork.
    /// `filesystem`: whether Lambda's was built, when it was asked for.
    Started {
        pid: i32,
        clock_ns: u64,
        filesystem: Option<Applied>,
    },
    /// The kernel refused to execute it (`errno`), or it could not be set up.
    SpawnFailed { errno: Option<i32>, message: String },
    /// The function ended (by itself, or killed).
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
        usage: Usage,
        clock_ns: u64,
    },
}

pub(crate) fn path_bytes(path: &Path) -> Vec<u8> {
    path.as_os_str().as_bytes().to_vec()
}

pub(crate) fn bytes_path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(OsString::from_vec(bytes.to_vec()))
}

/// CLOCK_MONOTONIC now, in nanoseconds.
pub(crate) fn monotonic_ns() -> u64 {
    // SAFETY: timespec is plain old data; clock_gettime writes it whole.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: a pointer to a live local; CLOCK_MONOTONIC always exists on Linux.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
    }
    u64::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(ts.tv_nsec).unwrap_or(0)
}

/// The `Instant` of a CLOCK_MONOTONIC reading taken in another process.
pub(crate) fn instant_at(clock_ns: u64) -> std::time::Instant {
    let now = std::time::Instant::now();
    let ago = std::time::Duration::from_nanos(monotonic_ns().saturating_sub(clock_ns));
    now.checked_sub(ago).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_round_trip_as_one_line() {
        let report = Report::Exited {
            code: None,
            signal: Some(9),
            usage: Usage {
                max_rss_kib: 1,
                minor_faults: 2,
                major_faults: 3,
            },
            clock_ns: 4,
        };
        let text = serde_json::to_string(&report).unwrap();
        assert!(!text.contains('\n'));
        assert_eq!(serde_json::from_str::<Report>(&text).unwrap(), report);
    }

    #[test]
    fn a_reading_from_just_now_is_an_instant_just_now() {
        let before = std::time::Instant::now();
        let at = instant_at(monotonic_ns());
        assert!(at + std::time::Duration::from_secs(1) >= before);
    }
}
