//! The supervisor: a small process between cargo-slim and the function, one per
//! execution environment — our own executable, started with a hidden first
//! argument ([`ARG`]). It exists so that nothing a function starts outlives its
//! environment, whatever happens to cargo-slim:
//!
//! - it is a child subreaper (`PR_SET_CHILD_SUBREAPER`): whatever the function
//!   starts and abandons — a double-forked `setsid` daemon included — becomes the
//!   supervisor's child, so it can be found and killed with or without cgroups;
//! - when the function ends, the rest of its environment is killed with it, as
//!   Lambda resets an environment whose runtime process exited;
//! - when cargo-slim closes the socket, or dies (even of SIGKILL, which it cannot
//!   catch: the kernel closes the socket), the supervisor kills the function and
//!   everything it started;
//! - the function gets `PR_SET_PDEATHSIG` = SIGKILL: should the supervisor itself
//!   be killed, the function dies with it. (The signal follows the thread that
//!   forked: here the main thread, which lives until the end.)
//!
//! Before it starts the function it builds Lambda's filesystem when asked
//! ([`filesystem`]): in a mount namespace of its own, which the function
//! inherits and which goes with the environment's last process.
//!
//! What it cannot do: if the supervisor itself is SIGKILLed and the function runs
//! without cgroups, processes the function had already abandoned go to init.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::fd::{AsRawFd as _, FromRawFd as _};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};

use super::descendants;
use super::exit::Usage;
use super::message::{bytes_path, monotonic_ns, Report, Spec, Start, MAX_LINE};
use crate::runtime::sandbox::filesystem::{self, Layout};
use crate::runtime::sandbox::Applied;
use crate::util::process;

/// The hidden first argument that makes our executable a supervisor.
pub(crate) const ARG: &str = "__cargo-slim-supervise";

/// The supervisor's `main`: fd 0 is its socket to cargo-slim.
pub(crate) fn main() -> ExitCode {
    // SAFETY: fd 0 is the socket cargo-slim gave us as stdin, and nothing else in
    // this process owns it.
    let socket = unsafe { UnixStream::from_raw_fd(0) };
    match supervise(socket) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}

fn supervise(socket: UnixStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(socket.try_clone()?.take(MAX_LINE));
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(()); // cargo-slim went away before asking for anything
    }
    let spec: Spec = serde_json::from_str(&line)?;
    let mut out = socket;
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes one integer argument.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
    // cgroup.procs are opened while this machine's /sys is at hand: the
    // function's filesystem has it read-only.
    let procs = cgroup_procs(&spec)?;
    let (start, filesystem) = filesystem_for(&spec);
    let clock_ns = monotonic_ns();
    let pid = match command(start, procs, spec.run_as).spawn() {
        Ok(child) => child.id() as i32,
        Err(e) => {
            return send(
                &mut out,
                &Report::SpawnFailed {
                    errno: e.raw_os_error(),
                    message: e.to_string(),
                },
            );
        }
    };
    send(
        &mut out,
        &Report::Started {
            pid,
            clock_ns,
            filesystem,
        },
    )?;
    let reaped = Arc::new(Mutex::new(false));
    // The socket closing (cargo-slim asks, or died) ends the environment now.
    let watch = reaped.clone();
    let mut control = reader.into_inner().into_inner();
    std::thread::spawn(move || {
        let mut sink = [0u8; 64];
        while matches!(control.read(&mut sink), Ok(n) if n > 0) {}
        if let Ok(reaped) = watch.lock() {
            if !*reaped {
                // SAFETY: the function is our unreaped child (checked under the
                // lock the reaper holds), so its pid names it and nothing else.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    });
    let report = reap(pid, &reaped);
    let sent = send(&mut out, &report);
    // The runtime process is gone: the environment goes with it.
    descendants::kill_all();
    sent
}

/// Wait for the function; kill its process group while its pid is still ours,
/// then reap it with its resource usage.
fn reap(pid: i32, reaped: &Mutex<bool>) -> Report {
    descendants::wait_exited(pid);
    // SAFETY: `pid` has exited but is not reaped: the group id cannot be reused.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
    let Ok(mut flag) = reaped.lock() else {
        return lost();
    };
    let (status, usage) = match descendants::reap(pid) {
        Some(r) => r,
        None => return lost(),
    };
    *flag = true;
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    Report::Exited {
        code,
        signal,
        usage,
        clock_ns: monotonic_ns(),
    }
}

fn lost() -> Report {
    Report::Exited {
        code: None,
        signal: None,
        usage: Usage::default(),
        clock_ns: monotonic_ns(),
    }
}

fn send(out: &mut UnixStream, report: &Report) -> std::io::Result<()> {
    let mut text = serde_json::to_string(report)?;
    text.push('\n');
    out.write_all(text.as_bytes())
}

/// Lambda's filesystem, when asked for and permitted: how the function then
/// starts, and what came of it.
fn filesystem_for(spec: &Spec) -> (&Start, Option<Applied>) {
    let Some(lambda) = &spec.lambda_fs else {
        return (&spec.start, None);
    };
    let layout = Layout {
        root: bytes_path(&lambda.root),
        task: bytes_path(&lambda.task),
        opt: lambda.opt.as_deref().map(bytes_path),
        tmp_mb: lambda.tmp_mb,
        shared: lambda.shared.iter().map(|d| bytes_path(d)).collect(),
    };
    match filesystem::enter(&layout) {
        Ok(how) => (&lambda.start, Some(Applied::Yes { how })),
        Err(why) => (&spec.start, Some(Applied::No { why })),
    }
}

/// The `cgroup.procs` of each group the function joins, open for writing.
fn cgroup_procs(spec: &Spec) -> std::io::Result<Vec<std::fs::File>> {
    spec.cgroups
        .iter()
        .map(|dir| {
            std::fs::OpenOptions::new()
                .write(true)
                .open(bytes_path(dir).join("cgroup.procs"))
        })
        .collect()
}

/// The function's command: an empty environment but Lambda's, in the task root,
/// in a process group of its own, joined to its cgroups (`procs`, opened
/// before: the child may only make async-signal-safe calls) and switched to
/// its user between fork and exec. Its stdout and stderr are ours
/// (cargo-slim's pipes).
fn command(start: &Start, procs: Vec<std::fs::File>, run_as: Option<(u32, u32)>) -> Command {
    let mut cmd = process::program(bytes_path(&start.program)).into_std();
    cmd.args(&start.args)
        .env_clear()
        .envs(start.env.iter().map(|(k, v)| (k, v)))
        .current_dir(bytes_path(&start.cwd))
        .stdin(Stdio::null())
        .process_group(0);
    let parent = std::process::id() as i32;
    // SAFETY: the closure runs in the forked child before exec and only makes
    // async-signal-safe system calls (write, setgroups, setgid, setuid, prctl,
    // getppid) on values prepared before the fork; it allocates nothing. `procs`
    // moves into it, so the descriptors stay open until the child has used them.
    unsafe {
        cmd.pre_exec(move || {
            for file in &procs {
                // Writing 0 to cgroup.procs moves the writing process itself.
                if libc::write(file.as_raw_fd(), b"0".as_ptr().cast(), 1) != 1 {
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
            // After setuid: changing credentials clears the parent-death signal.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // We may have died before the prctl: then nobody would signal.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    cmd
}
