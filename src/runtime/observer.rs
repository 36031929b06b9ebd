//! What a caller sees while the function runs: its log lines as they come, and
//! the platform's own lines (START, END, REPORT, INIT_REPORT). `run` prints them;
//! `bench` keeps quiet.

use serde::Serialize;

/// Which of the function's streams a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LogLine {
    pub stream: Stream,
    pub text: String,
}

pub(crate) trait Observer: Send + Sync {
    /// A line the function wrote (without its newline).
    fn function_line(&self, line: &LogLine);
    /// A line the platform writes to the log stream (START, END, REPORT, …).
    fn platform_line(&self, line: &str);
    /// Bytes of a streamed response, as they arrive (the whole response is
    /// also in the invocation's record).
    fn response_chunk(&self, _request_id: &str, _data: &[u8]) {}
}

/// An observer that shows nothing.
pub(crate) struct Silent;

impl Observer for Silent {
    fn function_line(&self, _: &LogLine) {}
    fn platform_line(&self, _: &str) {}
}
