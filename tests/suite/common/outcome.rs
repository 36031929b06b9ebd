//! What a finished command did, and assertions about it that show all of it
//! (the command, its exit code, stdout and stderr) when they fail.
//!
//! `run(cmd)` returns an [`Outcome`]; checks chain and hand the outcome back:
//! `run(slim().arg("size")).failure(2).stderr_has("invalid --budget")`.

use std::fmt;
use std::process::Command;

use serde_json::Value;

/// A finished command: its exit code (-1 when a signal ended it) and its
/// output as text.
pub struct Outcome {
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `cmd` to the end and take what it did (panics only when it cannot start).
pub fn run(cmd: &mut Command) -> Outcome {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()));
    Outcome {
        command: format!("{cmd:?}"),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Outcome {
    /// Name the case in failure messages, when the command line does not show
    /// it (a loop over file contents, say).
    pub fn labelled(mut self, label: impl fmt::Display) -> Outcome {
        self.command = format!("[{label}] {}", self.command);
        self
    }

    /// Exit 0.
    #[track_caller]
    pub fn success(self) -> Outcome {
        self.code_is(0, "exit code 0")
    }

    /// Exit with exactly `code` (not 0).
    #[track_caller]
    pub fn failure(self, code: i32) -> Outcome {
        assert_ne!(code, 0, "failure(0): use success()");
        self.code_is(code, &format!("exit code {code}"))
    }

    /// Any exit but 0, a signal included.
    #[track_caller]
    pub fn nonzero(self) -> Outcome {
        if self.code == 0 {
            self.fail("a non-zero exit");
        }
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Outcome {
        if !self.stdout.contains(needle) {
            self.fail(&format!("stdout containing {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Outcome {
        if !self.stderr.contains(needle) {
            self.fail(&format!("stderr containing {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stdout_lacks(self, needle: &str) -> Outcome {
        if self.stdout.contains(needle) {
            self.fail(&format!("stdout without {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stderr_lacks(self, needle: &str) -> Outcome {
        if self.stderr.contains(needle) {
            self.fail(&format!("stderr without {needle:?}"));
        }
        self
    }

    /// stdout is exactly `text`.
    #[track_caller]
    pub fn stdout_is(self, text: &str) -> Outcome {
        if self.stdout != text {
            self.fail(&format!("stdout of exactly {text:?}"));
        }
        self
    }

    /// stderr is exactly `text`.
    #[track_caller]
    pub fn stderr_is(self, text: &str) -> Outcome {
        if self.stderr != text {
            self.fail(&format!("stderr of exactly {text:?}"));
        }
        self
    }

    /// stdout as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| self.fail(&format!("JSON on stdout ({e})")))
    }

    #[track_caller]
    fn code_is(self, code: i32, expected: &str) -> Outcome {
        if self.code != code {
            self.fail(expected);
        }
        self
    }

    #[track_caller]
    fn fail(&self, expected: &str) -> ! {
        panic!("expected {expected}, got:\n{self}")
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} exited with {}", self.command, self.code)?;
        writeln!(f, "--- stdout\n{}", self.stdout)?;
        write!(f, "--- stderr\n{}", self.stderr)
    }
}
