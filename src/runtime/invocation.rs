//! One invocation as the platform saw it: its outcome in Lambda's own terms, and
//! the figures of its REPORT line.

use bytes::Bytes;
use serde::Serialize;

use super::observer::LogLine;
use super::process::log_window::Dropped;

/// How an invocation ended, named as Lambda names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// `…/response` was accepted.
    Success,
    /// The function reported an error (`…/error`, or a streamed error trailer).
    FunctionError { error_type: String },
    /// No result before the deadline: `Task timed out after N seconds`.
    Timeout,
    /// The process died during the invocation (a panic with panic=abort, an exit).
    ExitError { error_type: String, message: String },
    /// The response was over the payload limit.
    ResponseTooLarge,
    /// The execution environment did not start: no invocation ran.
    InitFailed { error_type: String },
    /// Lambda Managed Instances: no runtime worker was free to take it within
    /// its timeout (all busy, those still running invocations that timed out
    /// included). It never reached the function.
    Unavailable,
}

impl Outcome {
    pub(crate) fn succeeded(&self) -> bool {
        *self == Outcome::Success
    }

    /// The error type a REPORT line shows (`Status: error Error Type: …`).
    pub(crate) fn error_type(&self) -> Option<&str> {
        match self {
            Outcome::Success => None,
            Outcome::FunctionError { error_type }
            | Outcome::ExitError { error_type, .. }
            | Outcome::InitFailed { error_type } => Some(error_type),
            Outcome::Timeout => Some("Sandbox.Timedout"),
            Outcome::ResponseTooLarge => Some("Function.ResponseSizeTooLarge"),
            Outcome::Unavailable => Some("Runtime.Unavailable"),
        }
    }
}

/// The init phase of a cold start.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InitReport {
    /// From exec to the first `GET …/next` (or to the failure), ms.
    pub duration_ms: f64,
    /// `None` when init succeeded; else `error` or `timeout`.
    pub status: Option<String>,
    pub error_type: Option<String>,
}

/// Everything known about one invocation.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InvocationRecord {
    pub request_id: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Present on a cold start.
    pub init: Option<InitReport>,
    /// From handing out the event to the result, ms.
    pub duration_ms: f64,
    pub billed_duration_ms: u64,
    pub memory_size_mb: u32,
    /// Peak memory of the environment so far, MB (rounded up), as Lambda's Max
    /// Memory Used; `None` when it could not be read.
    pub max_memory_used_mb: Option<u64>,
    /// The same in bytes, and what measured it (docs/run.md says how it
    /// compares with Lambda's figure).
    pub max_memory_used_bytes: Option<u64>,
    pub memory_measured_by: Option<&'static str>,
    /// What the caller gets: the response, or the error document.
    #[serde(skip)]
    pub payload: Bytes,
    pub streamed: Option<Streamed>,
    /// Under emulation (the qemu used), when not native.
    pub emulated: Option<String>,
    /// The function's lines during this invocation (its init's on a cold start):
    /// the latest of them, within the bounds of [`super::process::log_window`].
    pub logs: Vec<LogLine>,
    /// What fell out of that window, when anything did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs_dropped: Option<Dropped>,
    /// Where a fatal signal struck the process, when run under a CPU model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<super::fault_watch::Fault>,
}

/// The most memory an execution environment used, and how that was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MemoryPeak {
    pub bytes: u64,
    pub measured_by: &'static str,
}

/// How a streamed response arrived.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Streamed {
    /// Data chunks received.
    pub chunks: usize,
    pub bytes: usize,
    /// Time to first byte: from handing out the event to the first byte of the
    /// response, ms (`None`: no byte came).
    pub ttfb_ms: Option<f64>,
    /// From the first byte to the end of the stream, ms.
    pub stream_ms: f64,
    /// When each chunk came (ms after the event was handed out) and its size;
    /// the first [`Streamed::TIMED`] of them.
    pub chunk_times: Vec<ChunkTime>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct ChunkTime {
    pub at_ms: f64,
    pub bytes: usize,
}

impl Streamed {
    /// Chunks whose time is kept: a runtime sending a byte at a time is
    /// counted, not recorded for ever.
    pub(crate) const TIMED: usize = 1000;
}

impl InvocationRecord {
    pub(crate) fn cold(&self) -> bool {
        self.init.is_some()
    }

    /// Why a write failed, when the invocation failed after a write the
    /// filesystem refused (`EROFS`: its error or its log says "Read-only file
    /// system").
    pub(crate) fn read_only_hint(&self) -> Option<&'static str> {
        const EROFS: &str = "Read-only file system";
        let said = |text: &[u8]| text.windows(EROFS.len()).any(|w| w == EROFS.as_bytes());
        let refused = !self.outcome.succeeded()
            && (said(&self.payload) || self.logs.iter().any(|l| said(l.text.as_bytes())));
        refused.then_some(
            "only /tmp is writable, as on Lambda: /var/task (the zip), /opt and the rest of \
             the filesystem are read-only; write to /tmp (std::env::temp_dir())",
        )
    }
}

/// What Lambda bills: the duration rounded up to the millisecond, plus, on a cold
/// start of an OS-only runtime, the init duration (custom runtimes have always been
/// billed for init).
pub(crate) fn billed_ms(duration_ms: f64, init_ms: Option<f64>) -> u64 {
    let ceil = |ms: f64| ms.max(0.0).ceil() as u64;
    ceil(duration_ms) + init_ms.map_or(0, ceil)
}

/// Bytes to MB as Lambda shows them (rounded up).
pub(crate) fn to_mb(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_rounds_up_and_adds_init() {
        assert_eq!(billed_ms(1.2, None), 2);
        assert_eq!(billed_ms(1.0, Some(10.01)), 12);
        assert_eq!(to_mb(1), 1);
        assert_eq!(to_mb(5 * 1024 * 1024), 5);
    }
}
