//! A run of invocations against one function: environments come and go as on
//! Lambda. The first invocation starts one (a cold start); later ones reuse it
//! (warm) until it times out or dies, and the next invocation then starts a fresh
//! one.

use std::sync::Arc;

use bytes::Bytes;

use super::api_server::Pending;
use super::cloudwatch;
use super::emulation::Runner;
use super::execution_environment::{ExecutionEnvironment, InitFailure, Spec, Started};
use super::invocation::{billed_ms, to_mb, InvocationRecord, Outcome};
use super::observer::Observer;
use super::process::Exit;
use super::sandbox::cgroup::Cgroups;
use super::sandbox::{user, Confinement};
use super::{FunctionConfig, TaskRoot};

pub(crate) struct Session {
    spec: Spec,
    observer: Arc<dyn Observer>,
    env: Option<ExecutionEnvironment>,
    /// How the last environment was confined.
    confinement: Option<Confinement>,
    /// The end of the last environment that went away (for its rusage).
    last_exit: Option<Exit>,
}

impl Session {
    /// A session for the function unpacked in `task_root`, run by `runner`.
    pub(crate) fn new(
        config: FunctionConfig,
        task_root: &TaskRoot,
        runner: Runner,
        observer: Arc<dyn Observer>,
    ) -> Session {
        let cgroups = if config.confine {
            Cgroups::detect()
        } else {
            Cgroups::disabled()
        };
        let now = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
        let day = now.get(..10).unwrap_or("1970-01-01").replace('-', "/");
        let log_stream = format!("{day}/[$LATEST]{}", uuid::Uuid::new_v4().simple());
        Session {
            spec: Spec {
                config,
                task: task_root.task.clone(),
                scratch: task_root.scratch.clone(),
                bootstrap: task_root.bootstrap.clone(),
                natively_executable: task_root
                    .bootstrap
                    .as_ref()
                    .and_then(|b| std::fs::read(b).ok())
                    .is_some_and(|data| super::emulation::natively_executable(&data)),
                runner,
                cgroups,
                run_as: user::unprivileged(),
                log_stream,
            },
            observer,
            env: None,
            confinement: None,
            last_exit: None,
        }
    }

    /// How the function is (or was last) confined; known after the first start.
    pub(crate) fn confinement(&self) -> Option<&Confinement> {
        self.confinement.as_ref()
    }

    fn emulated(&self) -> Option<String> {
        self.spec.runner.label()
    }

    /// Invoke the function once with `payload` (a JSON document).
    pub(crate) async fn invoke(&mut self, payload: Bytes) -> anyhow::Result<InvocationRecord> {
        let request_id = uuid::Uuid::new_v4().to_string();
        let config = self.spec.config.clone();
        let emulated = self.emulated();
        if !self.env.as_mut().is_some_and(|e| e.alive()) {
            if let Some(old) = self.env.take() {
                self.last_exit = old.shut_down().await;
            }
            match ExecutionEnvironment::start(&self.spec, self.observer.clone()).await? {
                Started::Ready(env) => {
                    self.confinement = Some(env.confinement.clone());
                    self.env = Some(*env);
                }
                Started::Failed(failure) => {
                    return Ok(self.init_failed(&failure, request_id, emulated));
                }
            }
        }
        let Some(env) = self.env.as_mut() else {
            anyhow::bail!("no execution environment");
        };
        let init = env.init.take();
        let event = pending(&config, &request_id, payload);
        self.observer.platform_line(&cloudwatch::start(&request_id));
        let result = env.invoke(event, config.timeout).await;
        if result.outcome == Outcome::Timeout {
            let line = cloudwatch::timed_out(&request_id, config.timeout.as_secs_f64());
            self.observer.platform_line(&line);
        }
        let logs = env.take_logs();
        let record = InvocationRecord {
            request_id: request_id.clone(),
            outcome: result.outcome,
            billed_duration_ms: billed_ms(result.duration_ms, init.as_ref().map(|i| i.duration_ms)),
            init,
            duration_ms: result.duration_ms,
            memory_size_mb: config.memory_mb,
            max_memory_used_mb: env.peak_memory().map(to_mb),
            payload: result.payload,
            streamed: result.streamed,
            emulated,
            logs: logs.lines,
            logs_dropped: logs.dropped,
            fault: result.fault,
        };
        self.observer.platform_line(&cloudwatch::end(&request_id));
        self.observer.platform_line(&cloudwatch::report(&record));
        Ok(record)
    }

    /// An invocation that asked for an environment whose init failed: what
    /// Lambda logs and answers for it.
    fn init_failed(
        &mut self,
        failure: &InitFailure,
        request_id: String,
        emulated: Option<String>,
    ) -> InvocationRecord {
        self.confinement = Some(failure.confinement.clone());
        self.last_exit = failure.exit.clone();
        if let Some(line) = cloudwatch::init_report(&failure.init, emulated.as_deref()) {
            self.observer.platform_line(&line);
        }
        self.observer.platform_line(&cloudwatch::start(&request_id));
        self.observer.platform_line(&cloudwatch::end(&request_id));
        let record = InvocationRecord {
            request_id,
            outcome: Outcome::InitFailed {
                error_type: failure.error_type.clone(),
            },
            init: Some(failure.init.clone()),
            duration_ms: 0.0,
            billed_duration_ms: billed_ms(0.0, Some(failure.init.duration_ms)),
            memory_size_mb: self.spec.config.memory_mb,
            max_memory_used_mb: failure.max_memory_bytes.map(to_mb),
            payload: failure.payload.clone(),
            streamed: None,
            emulated,
            logs: failure.logs.lines.clone(),
            logs_dropped: failure.logs.dropped,
            fault: failure.fault,
        };
        self.observer.platform_line(&cloudwatch::report(&record));
        record
    }

    /// End the current environment (killing its process) and return how its
    /// process ended, with the kernel's resource usage; or how the last one that
    /// went away ended.
    pub(crate) async fn retire(&mut self) -> Option<Exit> {
        if let Some(env) = self.env.take() {
            self.last_exit = env.shut_down().await;
        }
        self.last_exit.take()
    }

    /// CFS periods the current environment was throttled in.
    pub(crate) fn throttled_periods(&self) -> Option<u64> {
        self.env.as_ref().and_then(|e| e.throttled_periods())
    }
}

/// The event as `GET …/next` hands it out: its deadline, the function's ARN, a
/// trace header and the client context of the config.
fn pending(config: &FunctionConfig, request_id: &str, payload: Bytes) -> Pending {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Pending {
        request_id: request_id.to_string(),
        deadline_ms: now_ms + config.timeout.as_millis(),
        function_arn: format!(
            "arn:aws:lambda:{}:123456789012:function:{}",
            config.region, config.function_name
        ),
        trace_id: trace_id(),
        client_context: config.client_context.clone(),
        cognito_identity: config.cognito_identity.clone(),
        payload,
    }
}

/// An X-Ray trace header as Lambda passes it: `Root=1-<epoch hex>-<96 random bits>`.
fn trace_id() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let root = uuid::Uuid::new_v4().simple().to_string();
    let parent = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "Root=1-{secs:08x}-{};Parent={};Sampled=0",
        &root[..24],
        &parent[..16]
    )
}
