//! How a function process ended, and what the kernel says it used.

use std::time::Instant;

use serde::Serialize;

/// How the process ended, and what it used.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub usage: Usage,
    /// Peak RSS of the executed program (VmHWM, KiB), read just before we killed
    /// it; `None` when it ended by itself. Prefer it to `usage.max_rss_kib`: the
    /// kernel carries the pre-exec high-water mark into rusage across exec, so a
    /// child starts with the resident pages of the process it was forked from.
    pub peak_rss_kib: Option<u64>,
    #[serde(skip)]
    pub at: Instant,
}

/// The kernel's account of the process (`getrusage` of the reaped child).
#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub(crate) struct Usage {
    pub max_rss_kib: u64,
    pub minor_faults: u64,
    pub major_faults: u64,
}

impl Exit {
    /// An end we know nothing about (the process was lost).
    pub(crate) fn unknown() -> Exit {
        Exit {
            code: None,
            signal: None,
            usage: Usage::default(),
            peak_rss_kib: None,
            at: Instant::now(),
        }
    }

    /// As Lambda words it after "Runtime exited with error: ".
    pub(crate) fn describe(&self) -> String {
        match (self.code, self.signal) {
            (Some(code), _) => format!("exit status {code}"),
            (_, Some(sig)) => format!("signal: {}", signal_name(sig)),
            _ => "unknown exit".into(),
        }
    }
}

/// Signal names as Go (Lambda's init) prints them.
fn signal_name(sig: i32) -> String {
    match sig {
        libc::SIGKILL => "killed".into(),
        libc::SIGABRT => "aborted".into(),
        libc::SIGSEGV => "segmentation fault".into(),
        libc::SIGBUS => "bus error".into(),
        libc::SIGILL => "illegal instruction".into(),
        libc::SIGTERM => "terminated".into(),
        libc::SIGFPE => "floating point exception".into(),
        other => format!("signal {other}"),
    }
}
