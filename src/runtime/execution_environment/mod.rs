//! One execution environment: one process, from exec through its init phase to
//! the invocations it serves, until it is shut down, times out or dies.
//!
//! Timing is taken where Lambda takes it: init from exec to the first
//! `GET …/next`; an invocation from the moment its event is handed out to the
//! moment its result arrives.

mod init_phase;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::mpsc;

use super::api_server::{ApiEvent, ApiServer, Pending, StreamInfo, MAX_RESPONSE};
use super::emulation::Runner;
use super::fault_watch::{Fault, FaultWatch};
use super::invocation::{InitReport, Outcome};
use super::process::log_window::Logs;
use super::process::{Exit, Process};
use super::sandbox::cgroup::{Cgroups, Group};
use super::sandbox::Confinement;
use super::FunctionConfig;

/// What every environment of a session shares.
pub(crate) struct Spec {
    pub config: FunctionConfig,
    pub task: PathBuf,
    pub scratch: PathBuf,
    pub bootstrap: Option<PathBuf>,
    /// Whether the kernel would exec the bootstrap (checked once: see
    /// [`super::emulation::natively_executable`]).
    pub natively_executable: bool,
    pub runner: Runner,
    pub cgroups: Cgroups,
    pub run_as: Option<(u32, u32)>,
    pub log_stream: String,
}

/// A failed init: what the invocation that asked for it gets.
pub(crate) struct InitFailure {
    pub init: InitReport,
    pub error_type: String,
    /// The error document (the runtime's own from `/init/error`, else ours).
    pub payload: Bytes,
    pub logs: Logs,
    pub max_memory_bytes: Option<u64>,
    pub confinement: Confinement,
    pub exit: Option<Exit>,
    /// Where a fatal signal struck, when faults were watched.
    pub fault: Option<Fault>,
}

pub(crate) enum Started {
    Ready(Box<ExecutionEnvironment>),
    Failed(Box<InitFailure>),
}

/// The result of one invocation, before the session dresses it as a record.
pub(crate) struct Result {
    pub outcome: Outcome,
    pub payload: Bytes,
    pub duration_ms: f64,
    pub streamed: Option<StreamInfo>,
    /// Where a fatal signal struck, when faults were watched.
    pub fault: Option<Fault>,
}

pub(crate) struct ExecutionEnvironment {
    _server: ApiServer,
    pending: mpsc::UnboundedSender<Pending>,
    events: mpsc::UnboundedReceiver<ApiEvent>,
    process: Process,
    group: Group,
    pub confinement: Confinement,
    /// The init phase's report, until the first invocation takes it.
    pub init: Option<InitReport>,
    /// False once the process has exited or been killed.
    alive: bool,
    /// qemu's debugger stub, watched for faults (under a CPU model).
    watch: Option<FaultWatch>,
}

fn error_doc(error_type: &str, message: &str) -> Bytes {
    Bytes::from(serde_json::json!({ "errorType": error_type, "errorMessage": message }).to_string())
}

impl ExecutionEnvironment {
    /// Still able to take an invocation? (A process may exit between two.)
    pub(crate) fn alive(&mut self) -> bool {
        if self.alive {
            if let Ok(exit) = self.process.exit.try_recv() {
                self.process.set_exited(exit);
                self.alive = false;
            }
        }
        self.alive
    }

    /// Hand `event` to the function and wait for its result, the deadline, or
    /// the end of the process.
    pub(crate) async fn invoke(&mut self, event: Pending, timeout: Duration) -> Result {
        let request_id = event.request_id.clone();
        let start = Instant::now();
        let deadline = start + timeout;
        let mut handed_out = start;
        let duration = |at: Instant, from: Instant| ms(at.saturating_duration_since(from));
        if self.pending.send(event).is_err() {
            self.alive = false;
        }
        loop {
            tokio::select! {
                biased;
                event = self.events.recv() => match event {
                    Some(ApiEvent::HandedOut { request_id: id, at }) if id == request_id => {
                        handed_out = at;
                    }
                    Some(ApiEvent::Response { request_id: id, body, streamed, at }) if id == request_id => {
                        return Result {
                            outcome: Outcome::Success,
                            payload: body,
                            duration_ms: duration(at, handed_out),
                            streamed,
                            fault: None,
                        };
                    }
                    Some(ApiEvent::Error { request_id: id, error_type, body, at }) if id == request_id => {
                        let error_type = error_type
                            .or_else(|| body_error_type(&body))
                            .unwrap_or_else(|| "Unhandled".into());
                        return Result {
                            outcome: Outcome::FunctionError { error_type },
                            payload: body,
                            duration_ms: duration(at, handed_out),
                            streamed: None,
                            fault: None,
                        };
                    }
                    Some(ApiEvent::ResponseTooLarge { request_id: id, at }) if id == request_id => {
                        return Result {
                            outcome: Outcome::ResponseTooLarge,
                            payload: error_doc(
                                "Function.ResponseSizeTooLarge",
                                &format!("Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE} bytes)."),
                            ),
                            duration_ms: duration(at, handed_out),
                            streamed: None,
                            fault: None,
                        };
                    }
                    Some(_) => {}
                    None => {
                        self.alive = false;
                        return self.exited_result(&request_id, None, handed_out).await;
                    }
                },
                exit = &mut self.process.exit, if self.process.exited().is_none() => {
                    let exit = exit.ok();
                    if let Some(e) = &exit {
                        self.process.set_exited(e.clone());
                    }
                    self.alive = false;
                    return self.exited_result(&request_id, exit, handed_out).await;
                }
                _ = tokio::time::sleep_until(deadline.into()) => {
                    self.process.reap().await;
                    self.group.kill_all();
                    self.alive = false;
                    let message = super::cloudwatch::timed_out(&request_id, timeout.as_secs_f64());
                    return Result {
                        outcome: Outcome::Timeout,
                        payload: error_doc("Sandbox.Timedout", &message),
                        duration_ms: duration(Instant::now(), handed_out),
                        streamed: None,
                        fault: None,
                    };
                }
            }
        }
    }

    async fn exited_result(
        &mut self,
        request_id: &str,
        exit: Option<Exit>,
        from: Instant,
    ) -> Result {
        let at = exit.as_ref().map_or_else(Instant::now, |e| e.at);
        let (error_type, describe) = match &exit {
            Some(e) => (exit_error_type(&self.group), e.describe()),
            None => ("Runtime.ExitError".to_string(), "unknown exit".to_string()),
        };
        let message =
            format!("RequestId: {request_id} Error: Runtime exited with error: {describe}");
        Result {
            outcome: Outcome::ExitError {
                error_type: error_type.clone(),
                message: message.clone(),
            },
            payload: error_doc(&error_type, &message),
            duration_ms: ms(at.saturating_duration_since(from)),
            streamed: None,
            fault: self.fault(),
        }
    }

    /// Where a fatal signal struck the process, when faults are watched.
    pub(crate) fn fault(&self) -> Option<Fault> {
        self.watch.as_ref().and_then(FaultWatch::fault)
    }

    /// Peak memory so far, bytes.
    pub(crate) fn peak_memory(&self) -> Option<u64> {
        peak(&self.group, &self.process, self.process.exited())
    }

    pub(crate) fn take_logs(&self) -> Logs {
        self.process.take_logs()
    }

    /// CFS periods in which the CPU quota stopped the function.
    pub(crate) fn throttled_periods(&self) -> Option<u64> {
        self.group.throttled_periods()
    }

    /// Kill the process (if it still runs) and return how it ended.
    pub(crate) async fn shut_down(mut self) -> Option<Exit> {
        let exit = self.process.reap().await;
        self.group.kill_all();
        exit
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `errorType` of a JSON error document, if it has one.
fn body_error_type(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()?
        .get("errorType")?
        .as_str()
        .map(str::to_string)
}

/// Lambda calls a process the OOM killer ended `Runtime.OutOfMemory`.
fn exit_error_type(group: &Group) -> String {
    if group.oom_kills().unwrap_or(0) > 0 {
        "Runtime.OutOfMemory".into()
    } else {
        "Runtime.ExitError".into()
    }
}

/// The environment's peak memory: the cgroup's when it has one, else the
/// process's peak RSS (VmHWM while it runs, rusage once reaped).
fn peak(group: &Group, process: &Process, exit: Option<&Exit>) -> Option<u64> {
    group
        .peak_memory()
        .or_else(|| process.peak_rss_bytes())
        .or_else(|| exit.map(|e| e.peak_rss_kib.unwrap_or(e.usage.max_rss_kib) * 1024))
}
