//! The function's output, read as it comes: each line goes to the observer at
//! once (`run` prints it), and only a bounded window of the latest lines is kept
//! for the invocation's record. A function that floods its output costs us a
//! fixed amount of memory, never a copy of everything it wrote.
//!
//! The window has the bounds of Lambda's Telemetry API buffer (its defaults:
//! 262,144 bytes, 10,000 records); what falls out of it is counted, as Lambda
//! counts it in a `platform.logsDropped` event (`droppedRecords`, `droppedBytes`).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::runtime::observer::{LogLine, Observer, Stream};

/// Longest log line kept whole; longer ones are split (CloudWatch splits at 256 KB).
const MAX_LINE: u64 = 256 * 1024;
/// The window: at most this many bytes of text …
pub(crate) const WINDOW_BYTES: usize = 256 * 1024;
/// … and this many lines.
pub(crate) const WINDOW_LINES: usize = 10_000;

/// What fell out of the window, as Lambda's `platform.logsDropped` counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Dropped {
    pub records: u64,
    pub bytes: u64,
}

/// The lines kept since the last [`LogWindow::take`], and what was dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Logs {
    pub lines: Vec<LogLine>,
    /// `None` when nothing was dropped.
    pub dropped: Option<Dropped>,
}

/// The latest lines, bounded.
#[derive(Debug, Default)]
pub(crate) struct LogWindow {
    lines: VecDeque<LogLine>,
    bytes: usize,
    dropped: Dropped,
}

impl LogWindow {
    pub(crate) fn push(&mut self, line: LogLine) {
        self.bytes += line.text.len();
        self.lines.push_back(line);
        while self.bytes > WINDOW_BYTES || self.lines.len() > WINDOW_LINES {
            let Some(old) = self.lines.pop_front() else {
                break;
            };
            self.bytes -= old.text.len();
            self.dropped.records += 1;
            self.dropped.bytes += old.text.len() as u64;
        }
    }

    /// Everything kept so far; the window starts empty again.
    pub(crate) fn take(&mut self) -> Logs {
        let dropped = std::mem::take(&mut self.dropped);
        self.bytes = 0;
        Logs {
            lines: std::mem::take(&mut self.lines).into(),
            dropped: (dropped != Dropped::default()).then_some(dropped),
        }
    }
}

/// Read `pipe` line by line on a thread of its own until it closes: each line to
/// `observer`, then into `window`. `done` is dropped (so its receiver hears of
/// it) however the reading ends.
pub(crate) fn forward<D: Send + 'static>(
    pipe: impl Read + Send + 'static,
    stream: Stream,
    window: Arc<Mutex<LogWindow>>,
    observer: Arc<dyn Observer>,
    done: D,
) {
    std::thread::spawn(move || {
        let _done = done;
        let mut reader = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.by_ref().take(MAX_LINE).read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&buf)
                .trim_end_matches(['\n', '\r'])
                .to_string();
            let line = LogLine { stream, text };
            observer.function_line(&line);
            if let Ok(mut window) = window.lock() {
                window.push(line);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> LogLine {
        LogLine {
            stream: Stream::Stdout,
            text: text.into(),
        }
    }

    #[test]
    fn keeps_the_latest_lines_and_counts_the_rest() {
        let mut window = LogWindow::default();
        for _ in 0..WINDOW_LINES + 5 {
            window.push(line("y"));
        }
        let logs = window.take();
        assert_eq!(logs.lines.len(), WINDOW_LINES);
        assert_eq!(
            logs.dropped,
            Some(Dropped {
                records: 5,
                bytes: 5
            })
        );
        // Taken: the next invocation starts from nothing.
        let again = window.take();
        assert!(again.lines.is_empty() && again.dropped.is_none());
    }

    #[test]
    fn bounds_bytes_too() {
        let mut window = LogWindow::default();
        let big = "x".repeat(100 * 1024);
        for _ in 0..4 {
            window.push(line(&big));
        }
        window.push(line("last"));
        let logs = window.take();
        assert_eq!(logs.lines.len(), 3, "two of 100 KiB and the last fit");
        assert_eq!(logs.lines[2].text, "last");
        assert_eq!(logs.dropped.map(|d| d.records), Some(2));
        assert_eq!(logs.dropped.map(|d| d.bytes), Some(200 * 1024));
    }
}
