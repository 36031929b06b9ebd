//! What happens when a mapped file shrinks under us: a clear error instead of a
//! bare "Bus error".
//!
//! Touching a page of a mapping past the end of a file that was truncated after
//! it was mapped raises SIGBUS (see `regular_file::map`). The handler installed
//! here looks at the faulting address: inside a mapping registered by
//! [`Registered::new`], it writes one line saying what happened and what to do,
//! and ends the process with the exit code of any other error (2); anywhere else
//! it restores the default action and returns, so the fault repeats and the
//! process dies of SIGBUS exactly as it would without the handler.
//!
//! Nothing is unwound: the analysis was reading half a file, and no result of it
//! can be trusted. The handler only calls `write` and `_exit`, which are
//! async-signal-safe, and reads atomics.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// Mappings alive at once: `size --diff` maps two files (and their strip
/// twins are only stat'ed). A mapping beyond this still works, only without
/// the message.
const SLOTS: usize = 8;

/// (start, length) of each registered mapping; a zero start is a free slot.
static RANGES: [(AtomicUsize, AtomicUsize); SLOTS] =
    [const { (AtomicUsize::new(0), AtomicUsize::new(0)) }; SLOTS];

static INSTALL: Once = Once::new();

const MESSAGE: &[u8] = b"error: a file cargo slim was reading shrank while it was mapped \
(another program truncated or rewrote it in place); run the command again when nothing \
is writing it\n";

/// A mapping's address range, known to the handler while this lives.
#[derive(Debug)]
pub(crate) struct Registered {
    slot: Option<usize>,
}

impl Registered {
    /// Register `len` bytes at `start` (a live mapping), installing the handler
    /// on first use.
    pub(crate) fn new(start: *const u8, len: usize) -> Registered {
        INSTALL.call_once(install);
        let start = start as usize;
        let slot = RANGES.iter().position(|(s, l)| {
            if s.compare_exchange(0, start, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
            {
                return false;
            }
            l.store(len, Ordering::Release);
            true
        });
        Registered { slot }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some((start, len)) = self.slot.and_then(|i| RANGES.get(i)) {
            len.store(0, Ordering::Release);
            start.store(0, Ordering::Release);
        }
    }
}

fn install() {
    // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value; the
    // handler has the three-argument signature SA_SIGINFO calls.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as *const () as libc::sighandler_t;
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        // Without the handler a truncated mapping still ends the process, with
        // "Bus error": nothing to report if installing it fails.
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}

extern "C" fn on_sigbus(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo_t for SA_SIGINFO handlers; only
    // async-signal-safe calls follow.
    unsafe {
        let addr = (*info).si_addr() as usize;
        let ours = RANGES.iter().any(|(s, l)| {
            let start = s.load(Ordering::Acquire);
            start != 0 && addr >= start && addr - start < l.load(Ordering::Acquire)
        });
        if ours {
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(2);
        }
        libc::signal(libc::SIGBUS, libc::SIG_DFL);
    }
}

#[cfg(test)]
mod tests {
    use crate::util::regular_file;

    /// Truncates a mapped file and touches it: run in a child process (this test
    /// binary, filtered to this test), which must end with the message and exit
    /// code 2 rather than die of SIGBUS.
    #[test]
    fn a_file_truncated_while_mapped_is_an_error_not_a_crash() {
        if let Some(path) = std::env::var_os("SLIM_SIGBUS_CHILD") {
            let path = std::path::Path::new(&path);
            let mapped = regular_file::map(path, path, 1 << 20, None).unwrap();
            std::fs::File::create(path).unwrap(); // truncates
            let last = mapped.last().copied();
            unreachable!("read {last:?} past the end of a truncated file");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, vec![7u8; 3 * 4096]).unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "util::sigbus::tests::a_file_truncated_while_mapped_is_an_error_not_a_crash",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SLIM_SIGBUS_CHILD", &file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("shrank while it was mapped"), "{stderr}");
    }
}
