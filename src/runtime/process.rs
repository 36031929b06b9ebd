//! The function process: started from an empty environment in the task root, in
//! its own process group, joined to its cgroups and switched to an unprivileged
//! user between fork and exec; its stdout and stderr read line by line; its end
//! collected with `wait4`, which also gives the kernel's resource usage (peak RSS,
//! page faults) without a second tool.

use std::io::{BufRead, BufReader, Read};
use std::os::fd::RawFd;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;
use tokio::sync::oneshot;

use super::observer::{LogLine, Observer, Stream};

/// Longest log line kept whole; longer ones are split (CloudWatch splits at 256 KB).
const MAX_LINE: u64 = 256 * 1024;

/// How to start the function.
pub(crate) struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
    pub cgroup_fds: Vec<RawFd>,
    pub run_as: Option<(u32, u32)>,
}

/// How the process ended, and what it used.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub usage: Usage,
    /// Peak RSS of the executed program (VmHWM, KiB), read just before we killed
    /// it; `None` when it ended by itself. Prefer it to `usage.max_rss_kib`: the
    /// kernel carries the pre-exec high-water mark into rusage across exec, and
    /// a child forked from us (std forks when there is a pre_exec hook) starts
    /// with our resident pages.
    pub peak_rss_kib: Option<u64>,
    #[serde(skip)]
    pub at: Instant,
}

/// The kernel's account of the process (`getrusage` of the reaped child).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct Usage {
    pub max_rss_kib: u64,
    pub minor_faults: u64,
    pub major_faults: u64,
}

impl Exit {
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

/// A started process.
pub(crate) struct Process {
    pub pid: i32,
    pub started: Instant,
    pub exit: oneshot::Receiver<Exit>,
    pub logs: Arc<Mutex<Vec<LogLine>>>,
    /// One message per log reader when its pipe has closed.
    readers_done: std::sync::mpsc::Receiver<()>,
    readers: usize,
    exited: Option<Exit>,
}

impl Process {
    /// Start it. An error here is the kernel refusing the exec (not executable,
    /// not an executable format it knows, missing): the caller reports it as
    /// Lambda reports an invalid entrypoint.
    pub(crate) fn spawn(launch: Launch, observer: Arc<dyn Observer>) -> std::io::Result<Process> {
        let mut cmd = Command::new(&launch.program);
        cmd.args(&launch.args)
            .env_clear()
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&launch.cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let fds = launch.cgroup_fds.clone();
        let run_as = launch.run_as;
        // SAFETY: the closure runs in the forked child before exec and only makes
        // async-signal-safe system calls (write, setgroups, setgid, setuid) on
        // values prepared before the fork; it allocates nothing.
        unsafe {
            cmd.pre_exec(move || {
                for &fd in &fds {
                    // Writing 0 to cgroup.procs moves the writing process itself.
                    if libc::write(fd, b"0".as_ptr().cast(), 1) != 1 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                if let Some((uid, gid)) = run_as {
                    if libc::setgroups(0, std::ptr::null()) != 0
                        || libc::setgid(gid) != 0
                        || libc::setuid(uid) != 0
                    {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        let started = Instant::now();
        let mut child = cmd.spawn()?;
        let pid = child.id() as i32;
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (done_tx, readers_done) = std::sync::mpsc::channel();
        let mut readers = 0;
        if let Some(out) = child.stdout.take() {
            forward(
                out,
                Stream::Stdout,
                logs.clone(),
                observer.clone(),
                done_tx.clone(),
            );
            readers += 1;
        }
        if let Some(err) = child.stderr.take() {
            forward(err, Stream::Stderr, logs.clone(), observer, done_tx);
            readers += 1;
        }
        // The std Child is never waited on: wait4 below reaps the process and
        // keeps its rusage, which Child::wait would discard.
        drop(child);
        let (tx, rx) = oneshot::channel();
        std::thread::spawn(move || {
            let _ = tx.send(wait(pid));
        });
        Ok(Process {
            pid,
            started,
            exit: rx,
            logs,
            readers_done,
            readers,
            exited: None,
        })
    }

    /// SIGKILL the process group (the function and whatever it started).
    pub(crate) fn kill(&self) {
        if self.exited.is_none() {
            // SAFETY: kill has no memory-safety preconditions. The pid cannot have
            // been reused: the process is not reaped until the wait thread says so.
            unsafe {
                libc::kill(-self.pid, libc::SIGKILL);
                libc::kill(self.pid, libc::SIGKILL);
            }
        }
    }

    /// The exit, once known (after [`Process::reap`] or a `select!` on `exit`).
    pub(crate) fn exited(&self) -> Option<&Exit> {
        self.exited.as_ref()
    }

    /// Record an exit seen elsewhere (a `select!` on `exit`), once its last
    /// lines are read.
    pub(crate) fn set_exited(&mut self, exit: Exit) {
        self.drain_logs();
        self.exited = Some(exit);
    }

    /// Kill the process (if still running) and wait for its end.
    pub(crate) async fn reap(&mut self) -> Option<Exit> {
        if let Some(exit) = &self.exited {
            return Some(exit.clone());
        }
        let peak = self.peak_rss_bytes().map(|b| b / 1024);
        self.kill();
        let mut exit = (&mut self.exit).await.ok()?;
        exit.peak_rss_kib = peak;
        self.drain_logs();
        self.exited = Some(exit.clone());
        Some(exit)
    }

    /// The peak resident set size so far (VmHWM), while it runs.
    pub(crate) fn peak_rss_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib * 1024)
    }

    /// Wait (briefly) until the function's last lines have been read: once it is
    /// dead its pipes close, and what it wrote before dying must still be shown.
    /// Bounded, in case something it started keeps a pipe open.
    pub(crate) fn drain_logs(&mut self) {
        let deadline = Instant::now() + std::time::Duration::from_millis(500);
        while self.readers > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.readers_done.recv_timeout(left) {
                Ok(()) => self.readers -= 1,
                Err(_) => break,
            }
        }
    }

    /// Take the log lines collected so far.
    pub(crate) fn take_logs(&self) -> Vec<LogLine> {
        self.logs
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

fn forward(
    pipe: impl Read + Send + 'static,
    stream: Stream,
    logs: Arc<Mutex<Vec<LogLine>>>,
    observer: Arc<dyn Observer>,
    done: std::sync::mpsc::Sender<()>,
) {
    std::thread::spawn(move || {
        // Dropped (so the message goes) however the loop ends.
        let _done = Done(done);
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
            if let Ok(mut logs) = logs.lock() {
                logs.push(line);
            }
        }
    });
}

struct Done(std::sync::mpsc::Sender<()>);

impl Drop for Done {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// Reap `pid`, keeping its resource usage.
fn wait(pid: i32) -> Exit {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; zeroed is a valid value for it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pointers to live locals; pid is our unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return Exit {
                code: None,
                signal: None,
                usage: Usage::default(),
                peak_rss_kib: None,
                at: Instant::now(),
            };
        }
    }
    let at = Instant::now();
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    Exit {
        code,
        signal,
        usage: Usage {
            // Linux reports ru_maxrss in KiB.
            max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
            minor_faults: u64::try_from(usage.ru_minflt).unwrap_or(0),
            major_faults: u64::try_from(usage.ru_majflt).unwrap_or(0),
        },
        peak_rss_kib: None,
        at,
    }
}
