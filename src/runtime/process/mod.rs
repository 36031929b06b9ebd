//! The function process, from cargo-slim's side. It is started by a
//! [`supervisor`] (our own executable, one per execution environment), which
//! forks it from an empty environment into the task root, in its own process
//! group, joined to its cgroups and switched to an unprivileged user between
//! fork and exec, and which kills everything the function started when the
//! environment ends or cargo-slim dies. Its stdout and stderr come to us through
//! pipes, read line by line into a bounded [`log_window`]; its end, with the
//! kernel's resource usage (`wait4`: peak RSS, page faults), comes in the
//! supervisor's report.

mod descendants;
mod exit;
pub(crate) mod log_window;
mod message;
pub(crate) mod supervisor;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::Shutdown;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::observer::{Observer, Stream};
use super::sandbox::filesystem::Layout;
use super::sandbox::Applied;
use crate::util::process;
pub(crate) use exit::Exit;
use log_window::{LogWindow, Logs};
use message::{instant_at, path_bytes, LambdaFs, Report, Spec, Start, MAX_LINE};

/// How long a dropped process may take to be gone (its supervisor kills it and
/// everything it started) before we stop waiting.
const DROP_PATIENCE: Duration = Duration::from_secs(5);
/// How long the supervisor may take to start the function.
const SPAWN_PATIENCE: Duration = Duration::from_secs(30);

/// How to start the function.
pub(crate) struct Launch {
    /// On this machine's filesystem.
    pub command: FunctionCommand,
    /// cgroup directories to join.
    pub cgroups: Vec<PathBuf>,
    pub run_as: Option<(u32, u32)>,
    /// Lambda's filesystem to build first, and how the function starts in it.
    pub lambda_fs: Option<(Layout, FunctionCommand)>,
}

/// A command line, its environment and working directory.
pub(crate) struct FunctionCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
}

impl FunctionCommand {
    fn wire(&self) -> Start {
        Start {
            program: path_bytes(&self.program),
            args: self.args.clone(),
            env: self.env.clone(),
            cwd: path_bytes(&self.cwd),
        }
    }
}

/// Why a function could not be started.
#[derive(Debug)]
pub(crate) enum SpawnError {
    /// The kernel refused the exec (not executable, not a format it knows,
    /// missing): Lambda reports an invalid entrypoint.
    Exec(std::io::Error),
    /// The supervisor could not be started or did not answer: our failure.
    Supervisor(String),
}

/// A started process.
pub(crate) struct Process {
    /// The function's pid (for its VmHWM while it runs).
    pub pid: i32,
    /// The supervisor's pid: our child, unreaped until `gone` says so.
    supervisor: i32,
    control: UnixStream,
    pub started: Instant,
    /// Whether Lambda's filesystem was built, when it was asked for.
    pub filesystem: Option<Applied>,
    pub exit: oneshot::Receiver<Exit>,
    window: Arc<Mutex<LogWindow>>,
    /// One message per log reader when its pipe has closed.
    readers_done: mpsc::Receiver<()>,
    readers: usize,
    /// A message when the supervisor has been reaped.
    gone: mpsc::Receiver<()>,
    exited: Option<Exit>,
}

impl Process {
    /// Start it through a supervisor.
    pub(crate) fn spawn(
        launch: Launch,
        observer: Arc<dyn Observer>,
    ) -> Result<Process, SpawnError> {
        let failed = |what: &str, e: std::io::Error| SpawnError::Supervisor(format!("{what}: {e}"));
        let (control, theirs) = UnixStream::pair().map_err(|e| failed("socketpair", e))?;
        let mut child = supervisor_command(OwnedFd::from(theirs))
            .spawn()
            .map_err(|e| failed("cannot start the supervisor", e))?;
        let supervisor = child.id() as i32;
        let stop = |child: &mut Child, e: SpawnError| {
            let _ = child.kill();
            let _ = child.wait();
            e
        };
        let first = handshake(&control, &launch).map_err(|e| stop(&mut child, e))?;
        let (pid, started, filesystem) = match first {
            Report::Started {
                pid,
                clock_ns,
                filesystem,
            } => (pid, instant_at(clock_ns), filesystem),
            Report::SpawnFailed { errno, message } => {
                let error = match errno {
                    Some(errno) => SpawnError::Exec(std::io::Error::from_raw_os_error(errno)),
                    None => SpawnError::Supervisor(message),
                };
                return Err(stop(&mut child, error));
            }
            Report::Exited { .. } => {
                let e = SpawnError::Supervisor("it reported an end before a start".into());
                return Err(stop(&mut child, e));
            }
        };
        let (window, readers_done, readers) = forward_logs(&mut child, observer);
        let reports = control
            .try_clone()
            .map_err(|e| stop(&mut child, failed("socket", e)))?;
        let (exit, gone) = watch_end(reports, child);
        Ok(Process {
            pid,
            supervisor,
            control,
            started,
            filesystem,
            exit,
            window,
            readers_done,
            readers,
            gone,
            exited: None,
        })
    }

    /// End the environment: the supervisor kills the function and everything it
    /// started. Idempotent.
    pub(crate) fn kill(&self) {
        let _ = self.control.shutdown(Shutdown::Write);
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
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().trim_end_matches("kB").trim().to_string())
        };
        // The supervisor reaps the function the moment it ends: make sure the
        // pid still names it, not a process that took its number since.
        if field("PPid:")?.parse::<i32>().ok()? != self.supervisor {
            return None;
        }
        let kib: u64 = field("VmHWM:")?.parse().ok()?;
        Some(kib * 1024)
    }

    /// Wait (briefly) until the function's last lines have been read: once it is
    /// dead its pipes close, and what it wrote before dying must still be shown.
    /// Bounded, in case something keeps a pipe open.
    pub(crate) fn drain_logs(&mut self) {
        let deadline = Instant::now() + Duration::from_millis(500);
        while self.readers > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.readers_done.recv_timeout(left) {
                Ok(()) => self.readers -= 1,
                Err(_) => break,
            }
        }
    }

    /// Take the log lines kept so far (and what was dropped of them).
    pub(crate) fn take_logs(&self) -> Logs {
        self.window.lock().map(|mut w| w.take()).unwrap_or_default()
    }
}

impl Drop for Process {
    /// Nothing of the environment may outlive it: wait (bounded) until the
    /// supervisor has killed everything and is gone.
    fn drop(&mut self) {
        self.kill();
        let _ = self.gone.recv_timeout(DROP_PATIENCE);
    }
}

/// Read the supervisor's stdout and stderr (the function's) into a window.
fn forward_logs(
    child: &mut Child,
    observer: Arc<dyn Observer>,
) -> (Arc<Mutex<LogWindow>>, mpsc::Receiver<()>, usize) {
    let window = Arc::new(Mutex::new(LogWindow::default()));
    let (done_tx, readers_done) = mpsc::channel();
    let mut readers = 0;
    if let Some(out) = child.stdout.take() {
        let done = Done(done_tx.clone());
        log_window::forward(out, Stream::Stdout, window.clone(), observer.clone(), done);
        readers += 1;
    }
    if let Some(err) = child.stderr.take() {
        log_window::forward(err, Stream::Stderr, window.clone(), observer, Done(done_tx));
        readers += 1;
    }
    (window, readers_done, readers)
}

/// On a thread: wait for the supervisor's report of the function's end, then
/// reap the supervisor. The exit comes on the first channel, "reaped" on the
/// second.
fn watch_end(
    reports: UnixStream,
    mut child: Child,
) -> (oneshot::Receiver<Exit>, mpsc::Receiver<()>) {
    let (tx, exit) = oneshot::channel();
    let (gone_tx, gone) = mpsc::channel();
    std::thread::spawn(move || {
        let exit = match read_report(&reports) {
            Some(Report::Exited {
                code,
                signal,
                usage,
                clock_ns,
            }) => Exit {
                code,
                signal,
                usage,
                peak_rss_kib: None,
                at: instant_at(clock_ns),
            },
            _ => Exit::unknown(),
        };
        let _ = tx.send(exit);
        let _ = child.wait();
        let _ = gone_tx.send(());
    });
    (exit, gone)
}

/// Our own executable as a supervisor, talking over `socket` (its stdin), in a
/// process group of its own (out of reach of the terminal's Ctrl-C, which we
/// handle), with nothing of our environment.
fn supervisor_command(socket: OwnedFd) -> Command {
    let mut cmd = process::program("/proc/self/exe").into_std();
    cmd.arg(supervisor::ARG)
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::from(socket))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    cmd
}

/// Send the spec and read the first report.
fn handshake(control: &UnixStream, launch: &Launch) -> Result<Report, SpawnError> {
    let failed = |e: std::io::Error| SpawnError::Supervisor(format!("no answer: {e}"));
    let spec = Spec {
        start: launch.command.wire(),
        cgroups: launch.cgroups.iter().map(|d| path_bytes(d)).collect(),
        run_as: launch.run_as,
        lambda_fs: launch.lambda_fs.as_ref().map(|(layout, inside)| LambdaFs {
            root: path_bytes(&layout.root),
            task: path_bytes(&layout.task),
            opt: layout.opt.as_deref().map(path_bytes),
            tmp_mb: layout.tmp_mb,
            shared: layout.shared.iter().map(|d| path_bytes(d)).collect(),
            start: inside.wire(),
        }),
    };
    let mut text = serde_json::to_string(&spec).map_err(|e| failed(e.into()))?;
    text.push('\n');
    (&*control).write_all(text.as_bytes()).map_err(failed)?;
    control
        .set_read_timeout(Some(SPAWN_PATIENCE))
        .map_err(failed)?;
    let report = read_report(control).ok_or_else(|| {
        SpawnError::Supervisor("it ended without saying whether the function started".into())
    })?;
    control.set_read_timeout(None).map_err(failed)?;
    Ok(report)
}

/// The next report on the socket; `None` when it closed (or said nonsense).
fn read_report(control: &UnixStream) -> Option<Report> {
    let mut line = String::new();
    // One byte at a time: a buffered reader would take bytes of the next report.
    let mut reader = BufReader::with_capacity(1, control.take(MAX_LINE));
    reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
    serde_json::from_str(&line).ok()
}

struct Done(mpsc::Sender<()>);

impl Drop for Done {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}
