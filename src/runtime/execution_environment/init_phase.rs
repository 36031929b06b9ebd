//! The init phase of an execution environment: from exec to the runtime's first
//! `GET …/next`, or to the failure Lambda would report instead (an invalid
//! entrypoint, `/init/error`, an exit, the init timeout).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use super::{body_error_type, error_doc, exit_error_type, ms, peak};
use super::{ExecutionEnvironment, InitFailure, Spec, Started};
use crate::output::BOOTSTRAP;
use crate::runtime::api_server::{self, ApiEvent, ApiServer};
use crate::runtime::cold_files;
use crate::runtime::environment::{self, Places};
use crate::runtime::fault_watch::FaultWatch;
use crate::runtime::invocation::InitReport;
use crate::runtime::observer::Observer;
use crate::runtime::process::log_window::Logs;
use crate::runtime::process::{Exit, FunctionCommand, Launch, Process, SpawnError};
use crate::runtime::sandbox::cgroup::Group;
use crate::runtime::sandbox::{Applied, Confinement};
use crate::util::error::SlimError;

impl ExecutionEnvironment {
    /// Start a process and run its init phase.
    pub(crate) async fn start(spec: &Spec, observer: Arc<dyn Observer>) -> anyhow::Result<Started> {
        let (group, confinement) = spec.cgroups.create(
            spec.config.memory_mb,
            spec.config.vcpus(),
            spec.run_as.map(|(uid, _)| uid),
        );
        let bootstrap = match entrypoint(spec) {
            Ok(bootstrap) => bootstrap,
            Err(message) => return Ok(invalid_entrypoint(message, confinement)),
        };
        let (server, events) = api_server::start().await?;
        // Its code comes from disk, charged to it, as in a fresh environment.
        cold_files::evict(&spec.task);
        let mut confinement = confinement;
        let (process, watch) = match spawn(spec, bootstrap, &server, &group, observer.clone()) {
            Ok((p, watch)) => {
                confinement.filesystem = match (&p.filesystem, &spec.lambda_fs) {
                    (Some(applied), _) => applied.clone(),
                    (None, Err(why)) => Applied::No { why: why.clone() },
                    (None, Ok(_)) => Applied::No {
                        why: "the supervisor did not say".into(),
                    },
                };
                (p, watch)
            }
            Err(SpawnError::Exec(e)) => {
                return Ok(invalid_entrypoint(exec_failure(&e), confinement))
            }
            Err(SpawnError::Supervisor(detail)) => {
                return Err(SlimError::LocalRuntime {
                    detail: format!("cannot start the function's supervisor: {detail}"),
                }
                .into())
            }
        };
        let environment = ExecutionEnvironment {
            server,
            events,
            process,
            group,
            observer,
            confinement,
            init: None,
            alive: true,
            watch,
            managed: spec.config.concurrency.is_some(),
            in_flight: Default::default(),
        };
        environment.init_phase(spec).await
    }

    /// Wait for the first poll (ready), an init error, an exit or the init
    /// timeout.
    async fn init_phase(mut self, spec: &Spec) -> anyhow::Result<Started> {
        let started = self.process.started;
        let deadline = started + spec.config.init_timeout;
        let report = |status: Option<&str>, error_type: Option<String>, at: Instant| InitReport {
            duration_ms: ms(at.saturating_duration_since(started)),
            status: status.map(str::to_string),
            error_type,
        };
        loop {
            tokio::select! {
                biased;
                event = self.events.recv() => match event {
                    Some(ApiEvent::Polled { at }) => {
                        self.init = Some(report(None, None, at));
                        return Ok(Started::Ready(Box::new(self)));
                    }
                    Some(ApiEvent::InitError { error_type, body, at }) => {
                        let error_type = error_type
                            .or_else(|| body_error_type(&body))
                            .unwrap_or_else(|| "Runtime.Unknown".into());
                        let init = report(Some("error"), Some(error_type.clone()), at);
                        let payload = if body.is_empty() {
                            error_doc(&error_type, "the runtime reported an init error")
                        } else {
                            body
                        };
                        let exit = self.process.reap().await;
                        return Ok(self.failed(init, error_type, payload, exit));
                    }
                    Some(_) => {}
                    None => anyhow::bail!("the local Runtime API stopped unexpectedly"),
                },
                exit = &mut self.process.exit => {
                    let Ok(exit) = exit else {
                        anyhow::bail!("lost track of the function process");
                    };
                    self.process.set_exited(exit.clone());
                    let error_type = exit_error_type(&self.group);
                    let message = format!("Error: Runtime exited with error: {}", exit.describe());
                    let init = report(Some("error"), Some(error_type.clone()), exit.at);
                    let payload = error_doc(&error_type, &message);
                    return Ok(self.failed(init, error_type, payload, Some(exit)));
                }
                _ = tokio::time::sleep_until(deadline.into()) => {
                    let exit = self.process.reap().await;
                    let init = report(Some("timeout"), None, Instant::now());
                    let seconds = spec.config.init_timeout.as_secs_f64();
                    let payload = error_doc(
                        "Sandbox.Timedout",
                        &format!("the init phase did not finish in {seconds:.2} seconds"),
                    );
                    return Ok(self.failed(init, "Sandbox.Timedout".into(), payload, exit));
                }
            }
        }
    }

    /// The environment ends in a failed init: its logs, peak memory and exit
    /// go to the invocation that asked for it.
    fn failed(
        self,
        init: InitReport,
        error_type: String,
        payload: Bytes,
        exit: Option<Exit>,
    ) -> Started {
        Started::Failed(Box::new(InitFailure {
            fault: self.fault(),
            init,
            error_type,
            payload,
            logs: self.process.take_logs(),
            max_memory: peak(&self.group, &self.process, exit.as_ref()),
            confinement: self.confinement.clone(),
            exit,
        }))
    }
}

/// The bootstrap to exec, or Lambda's message when there is none it would exec.
fn entrypoint(spec: &Spec) -> Result<&Path, String> {
    let Some(bootstrap) = &spec.bootstrap else {
        return Err(
            "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]".into(),
        );
    };
    if spec.runner.emulated() && !is_executable(bootstrap) {
        // qemu would open it anyway; the kernel (and so Lambda) would not.
        return Err("Error: fork/exec /var/task/bootstrap: permission denied".into());
    }
    if !spec.runner.emulated() && !spec.natively_executable {
        return Err("Error: fork/exec /var/task/bootstrap: exec format error".into());
    }
    Ok(bootstrap)
}

/// Exec the bootstrap (under the emulator when it needs one) in the task
/// root, with Lambda's environment, inside the environment's cgroups; under a
/// CPU model, with qemu's debugger stub watched for faults.
/// Where Lambda's filesystem puts the task root.
const LAMBDA_TASK_ROOT: &str = "/var/task";

fn spawn(
    spec: &Spec,
    bootstrap: &Path,
    server: &ApiServer,
    group: &Group,
    observer: Arc<dyn Observer>,
) -> Result<(Process, Option<FaultWatch>), SpawnError> {
    let api = server.address.to_string();
    let watch = match spec.runner.watched() {
        Some(_) => Some(FaultWatch::prepare(spec.run_as).map_err(|e| {
            SpawnError::Supervisor(format!("cannot prepare qemu's debugger socket: {e}"))
        })?),
        None => None,
    };
    let socket = watch.as_ref().map(FaultWatch::socket);
    let command = |task: &Path, bootstrap: &Path, scratch: Option<&Path>| {
        let places = Places {
            task_root: task,
            scratch,
            runtime_api: &api,
            log_stream: &spec.log_stream,
        };
        let (program, args) = spec.runner.command(bootstrap, socket.as_deref());
        FunctionCommand {
            program,
            args,
            env: environment::variables(&spec.config, &places),
            cwd: task.to_path_buf(),
        }
    };
    let lambda_fs = spec.lambda_fs.as_ref().ok().map(|layout| {
        let mut layout = layout.clone();
        // qemu's debugger socket is made where cargo-slim reads it.
        layout.shared.extend(
            socket
                .as_deref()
                .and_then(Path::parent)
                .map(Path::to_path_buf),
        );
        let task = Path::new(LAMBDA_TASK_ROOT);
        (layout, command(task, &task.join(BOOTSTRAP), None))
    });
    let launch = Launch {
        command: command(&spec.task, bootstrap, Some(&spec.scratch)),
        cgroups: group.dirs(),
        run_as: spec.run_as,
        lambda_fs,
    };
    let process = Process::spawn(launch, observer)?;
    if let (Some(watch), Some(arch)) = (&watch, spec.runner.watched()) {
        watch.start(arch);
    }
    Ok((process, watch))
}

/// An init that fails before any process runs: `Runtime.InvalidEntrypoint`.
fn invalid_entrypoint(message: String, confinement: Confinement) -> Started {
    Started::Failed(Box::new(InitFailure {
        init: InitReport {
            duration_ms: 0.0,
            status: Some("error".into()),
            error_type: Some("Runtime.InvalidEntrypoint".into()),
        },
        error_type: "Runtime.InvalidEntrypoint".into(),
        payload: error_doc("Runtime.InvalidEntrypoint", &message),
        logs: Logs::default(),
        max_memory: None,
        confinement,
        exit: None,
        fault: None,
    }))
}

/// Lambda's wording of a failed exec ("fork/exec /var/task/bootstrap: …").
fn exec_failure(err: &std::io::Error) -> String {
    let what = match err.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => "permission denied".to_string(),
        Some(libc::ENOEXEC) => "exec format error".to_string(),
        Some(libc::ENOENT) => "no such file or directory".to_string(),
        _ => err.to_string(),
    };
    format!("Error: fork/exec /var/task/bootstrap: {what}")
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}
