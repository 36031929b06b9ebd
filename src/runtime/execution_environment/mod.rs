//! One execution environment: one process, from exec through its init phase to
//! the invocations it serves, until it is shut down, times out or dies.
//!
//! Timing is taken where Lambda takes it: init from exec to the first
//! `GET …/next`; an invocation from the moment its event is handed out to the
//! moment its result arrives. Under Lambda Managed Instances several
//! invocations are in flight at once ([`in_flight`]), each with its own
//! deadline and result.

mod in_flight;
mod init_phase;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::api_server::{ApiEvent, ApiServer};
use super::emulation::Runner;
use super::fault_watch::{Fault, FaultWatch};
use super::invocation::{InitReport, MemoryPeak, Outcome, Streamed};
use super::observer::Observer;
use super::process::log_window::Logs;
use super::process::{Exit, Process};
use super::sandbox::cgroup::{Cgroups, Group};
use super::sandbox::filesystem::Layout;
use super::sandbox::Confinement;
use super::FunctionConfig;
pub(crate) use in_flight::Finished;

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
    /// Lambda's filesystem to build for each environment, or why not.
    pub lambda_fs: std::result::Result<Layout, String>,
}

/// A failed init: what the invocation that asked for it gets.
pub(crate) struct InitFailure {
    pub init: InitReport,
    pub error_type: String,
    /// The error document (the runtime's own from `/init/error`, else ours).
    pub payload: Bytes,
    pub logs: Logs,
    pub max_memory: Option<MemoryPeak>,
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
    pub streamed: Option<Streamed>,
    /// Where a fatal signal struck, when faults were watched.
    pub fault: Option<Fault>,
}

pub(crate) struct ExecutionEnvironment {
    server: ApiServer,
    events: mpsc::UnboundedReceiver<ApiEvent>,
    process: Process,
    group: Group,
    observer: Arc<dyn Observer>,
    pub confinement: Confinement,
    /// The init phase's report, until the first invocation takes it.
    pub init: Option<InitReport>,
    /// False once the process has exited or been killed.
    alive: bool,
    /// qemu's debugger stub, watched for faults (under a CPU model).
    watch: Option<FaultWatch>,
    /// Lambda Managed Instances: a timeout fails its own invocation and the
    /// environment lives on. (Lambda's default ends the environment.)
    managed: bool,
    in_flight: in_flight::Table,
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

    /// The most requests the runtime has had outstanding at once: `GET …/next`
    /// polls holding plus invocations handed out and not answered. A runtime
    /// that takes one invocation at a time never has more than one.
    pub(crate) fn peak_outstanding(&self) -> usize {
        self.server.peak_outstanding()
    }

    /// Where a fatal signal struck the process, when faults are watched.
    pub(crate) fn fault(&self) -> Option<Fault> {
        self.watch.as_ref().and_then(FaultWatch::fault)
    }

    /// Peak memory so far, bytes.
    pub(crate) fn peak_memory(&self) -> Option<MemoryPeak> {
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
fn peak(group: &Group, process: &Process, exit: Option<&Exit>) -> Option<MemoryPeak> {
    let rss = |bytes| MemoryPeak {
        bytes,
        measured_by: "peak RSS (VmHWM) of the function process",
    };
    group.peak_memory().or_else(|| {
        process
            .peak_rss_bytes()
            .or_else(|| exit.map(|e| e.peak_rss_kib.unwrap_or(e.usage.max_rss_kib) * 1024))
            .map(rss)
    })
}
