//! Starting another program: every process cargo-slim starts is made here
//! ([`program`]), so what it inherits, how long a question to it may take and
//! what its failure says are decided once.
//!
//! - Environment: ours, passed on unchanged (cargo's and rustup's variables are
//!   what cargo, rustc and rustup need); a caller adds to it, and the local
//!   Lambda runtime clears it for the function ([`Program::into_std`]).
//! - Time: a question (a version, a path, a status: [`Program::query`]) gets
//!   [`QUERY_LIMIT`] to answer, then is killed; what does work (cargo build,
//!   rustup downloading a component) runs as long as it takes.
//! - Failure: not starting is [`SlimError::CannotRun`], a non-zero exit
//!   [`SlimError::ToolFailed`] with its stderr, each naming the command line.

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::util::error::SlimError;

/// How long a program asked a question may take: far beyond any honest answer
/// (rustup may first install the toolchain a rust-toolchain.toml names), short
/// of hanging for ever.
pub(crate) const QUERY_LIMIT: Duration = Duration::from_secs(600);

/// A program about to be run, and its command line as a message shows it.
#[derive(Debug)]
pub(crate) struct Program {
    cmd: Command,
    shown: String,
}

/// `name` (a path, or a name looked up on PATH), with our environment.
pub(crate) fn program(name: impl AsRef<OsStr>) -> Program {
    Program::from(Command::new(name.as_ref()))
}

impl From<Command> for Program {
    /// A command another crate built (cargo_metadata's), run through here.
    fn from(cmd: Command) -> Program {
        let mut shown = cmd.get_program().to_string_lossy().into_owned();
        for arg in cmd.get_args() {
            shown.push(' ');
            shown.push_str(&arg.to_string_lossy());
        }
        Program { cmd, shown }
    }
}

impl Program {
    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Program {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.cmd.arg(arg);
        self
    }

    pub(crate) fn args<I, S>(self, args: I) -> Program
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        args.into_iter().fold(self, Program::arg)
    }

    pub(crate) fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Program {
        self.cmd.env(key, value);
        self
    }

    pub(crate) fn current_dir(mut self, dir: impl AsRef<Path>) -> Program {
        self.cmd.current_dir(dir);
        self
    }

    /// Ask it a question: its standard output when it answers in time and
    /// succeeds; otherwise the error saying which.
    pub(crate) fn query(self) -> Result<String> {
        let shown = self.shown.clone();
        let out = self.output_within(QUERY_LIMIT)?;
        if !out.status.success() {
            return Err(SlimError::ToolFailed {
                command: shown,
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            }
            .into());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// [`Program::query`] for a question whose answer is optional: `None` on
    /// any failure.
    pub(crate) fn ask(self) -> Option<String> {
        self.query().ok()
    }

    /// Run it to the end, its output captured, whatever its exit status (the
    /// caller reads both): for work that takes as long as it takes.
    pub(crate) fn output(mut self) -> Result<Output> {
        let shown = self.shown.clone();
        self.cmd.output().map_err(|e| cannot_run(&shown, &e))
    }

    /// Run it with our standard input and output (rustup showing its progress).
    pub(crate) fn run(mut self) -> Result<ExitStatus> {
        let shown = self.shown.clone();
        self.cmd.status().map_err(|e| cannot_run(&shown, &e))
    }

    /// Start it with its standard output (and `stderr`: its standard error) on a
    /// pipe, for a caller that reads it as it comes (cargo's JSON messages).
    pub(crate) fn spawn_piped(mut self, stderr: bool) -> Result<Child> {
        self.cmd.stdout(Stdio::piped());
        if stderr {
            self.cmd.stderr(Stdio::piped());
        }
        let shown = self.shown.clone();
        self.cmd.spawn().map_err(|e| cannot_run(&shown, &e))
    }

    /// The command itself, for a caller that must shape the process further
    /// (the local Lambda runtime: an empty environment, its own process group,
    /// steps between fork and exec).
    pub(crate) fn into_std(self) -> Command {
        self.cmd
    }

    /// Captured output, the process killed when `limit` passes.
    fn output_within(mut self, limit: Duration) -> Result<Output> {
        let shown = self.shown.clone();
        let mut child = self
            .cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| cannot_run(&shown, &e))?;
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let deadline = Instant::now() + limit;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(SlimError::ToolFailed {
                        command: shown,
                        stderr: format!("no answer within {} s (stopped)", limit.as_secs()),
                    }
                    .into());
                }
                Err(e) => return Err(cannot_run(&shown, &e)),
            }
        };
        Ok(Output {
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        })
    }
}

/// Read a pipe to its end on a thread of its own (both pipes at once: a child
/// filling one while we wait on the other would never finish).
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut data = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut data);
        }
        data
    })
}

fn cannot_run(shown: &str, err: &std::io::Error) -> anyhow::Error {
    SlimError::CannotRun {
        command: shown.to_string(),
        detail: err.to_string(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_answers_fails_or_is_stopped() {
        assert_eq!(program("echo").arg("hi").query().unwrap(), "hi\n");
        let failed = program("sh").args(["-c", "echo no >&2; exit 3"]).query();
        let text = format!("{:#}", failed.unwrap_err());
        assert!(
            text.contains("`sh -c echo no >&2; exit 3` failed: no"),
            "{text}"
        );
        let missing = program("/nonexistent/tool").arg("-V").query().unwrap_err();
        assert!(
            missing.to_string().contains("/nonexistent/tool -V"),
            "{missing}"
        );
        let started = Instant::now();
        let slow = program("sleep")
            .arg("30")
            .output_within(Duration::from_millis(200));
        assert!(slow.unwrap_err().to_string().contains("no answer within"));
        assert!(started.elapsed() < Duration::from_secs(20));
        assert_eq!(program("true").ask(), Some(String::new()));
        assert_eq!(program("false").ask(), None);
    }
}
