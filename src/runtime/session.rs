//! A run of invocations against one function: environments come and go as on
//! Lambda. The first invocation starts one (a cold start); later ones reuse it
//! (warm) until it times out or dies, and the next invocation then starts a fresh
//! one. Under Lambda Managed Instances (`concurrency`) up to that many
//! invocations are in flight in one environment at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::api_server::Pending;
use super::cloudwatch;
use super::emulation::Runner;
use super::execution_environment::{ExecutionEnvironment, Finished, InitFailure, Spec, Started};
use super::invocation::{billed_ms, to_mb, InvocationRecord, Outcome};
use super::observer::Observer;
use super::process::Exit;
use super::sandbox::cgroup::Cgroups;
use super::sandbox::filesystem::Layout;
use super::sandbox::{user, Confinement};
use super::{FunctionConfig, TaskRoot};
use crate::util::error::SlimError;

/// How long a function given `AWS_LAMBDA_MAX_CONCURRENCY` > 1 has, from its
/// first `GET …/next`, to have a second request outstanding before it is taken
/// for one that serves one invocation at a time. lambda_runtime's
/// `run_concurrent` starts all its workers at once, and they poll within
/// milliseconds of each other, under qemu too; two seconds leave room for a
/// loaded machine.
pub(crate) const CONCURRENCY_GRACE: Duration = Duration::from_secs(2);

/// What [`Session::prepare`] found.
enum Slot {
    /// An environment that can take an invocation.
    Ready,
    /// The environment ended with invocations still to collect.
    Draining,
    /// A fresh environment failed its init: the record of the invocation
    /// that asked for it.
    InitFailed(Box<InvocationRecord>),
}

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
        let lambda_fs = lambda_fs(&config, task_root, &runner);
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
                lambda_fs,
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
        let mut records = Vec::with_capacity(1);
        self.invoke_all(std::slice::from_ref(&payload), |r| {
            records.push(r);
            Ok(())
        })
        .await?;
        records
            .pop()
            .ok_or_else(|| anyhow::anyhow!("the invocation left no record"))
    }

    /// Invoke the function once with each of `payloads`, as many at once as the
    /// configuration allows (one, or the Managed Instances concurrency), and
    /// hand each record to `each` as its invocation ends.
    pub(crate) async fn invoke_all(
        &mut self,
        payloads: &[Bytes],
        each: impl FnMut(InvocationRecord) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let limit = self.spec.config.max_in_flight();
        self.invoke_all_at(payloads, limit, each).await
    }

    /// [`Session::invoke_all`] with at most `limit` in flight (at most the
    /// configuration's).
    pub(crate) async fn invoke_all_at(
        &mut self,
        payloads: &[Bytes],
        limit: usize,
        mut each: impl FnMut(InvocationRecord) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let limit = limit.clamp(1, self.spec.config.max_in_flight());
        let mut queue = payloads.iter();
        let mut next = queue.next();
        loop {
            // Fill: as many in flight as allowed, in a live environment.
            while let Some(payload) = next {
                match self.prepare().await? {
                    Slot::Draining => break,
                    Slot::InitFailed(record) => {
                        each(*record)?;
                        next = queue.next();
                        continue;
                    }
                    Slot::Ready => {}
                }
                let Some(env) = self.env.as_mut().filter(|e| e.in_flight() < limit) else {
                    break;
                };
                let request_id = uuid::Uuid::new_v4().to_string();
                let event = pending(&self.spec.config, &request_id, payload.clone());
                env.dispatch(event);
                next = queue.next();
            }
            let Some(env) = self.env.as_mut() else {
                break;
            };
            match env.next_finished().await {
                Some(finished) => each(self.record(finished))?,
                None if next.is_none() => break,
                None => {}
            }
        }
        Ok(())
    }

    /// Make sure there is an environment to dispatch to: the current one while
    /// it lives, else a fresh one once every invocation of the old one is
    /// collected.
    async fn prepare(&mut self) -> anyhow::Result<Slot> {
        match self.env.as_mut().map(|e| (e.alive(), e.unfinished())) {
            Some((true, _)) => return Ok(Slot::Ready),
            Some((false, true)) => return Ok(Slot::Draining),
            _ => {}
        }
        if let Some(old) = self.env.take() {
            self.last_exit = old.shut_down().await;
        }
        match ExecutionEnvironment::start(&self.spec, self.observer.clone()).await? {
            Started::Ready(env) => {
                self.confinement = Some(env.confinement.clone());
                let mut env = *env;
                if self.spec.config.max_in_flight() > 1 {
                    self.takes_work_concurrently(&mut env).await?;
                }
                self.env = Some(env);
                Ok(Slot::Ready)
            }
            Started::Failed(failure) => {
                let request_id = uuid::Uuid::new_v4().to_string();
                let emulated = self.emulated();
                let record = self.init_failed(&failure, request_id, emulated);
                Ok(Slot::InitFailed(Box::new(record)))
            }
        }
    }

    /// Under Managed Instances, a function must take invocations concurrently:
    /// have a second request outstanding within [`CONCURRENCY_GRACE`] of its
    /// first `GET …/next`. One that does not is refused before any event goes
    /// to it. (One that dies meanwhile is not refused: its first invocation
    /// reports the exit.)
    async fn takes_work_concurrently(&self, env: &mut ExecutionEnvironment) -> anyhow::Result<()> {
        let until = Instant::now() + CONCURRENCY_GRACE;
        while env.peak_outstanding() < 2 && Instant::now() < until && env.alive() {
            env.step(Some(until)).await;
        }
        if env.peak_outstanding() >= 2 || !env.alive() {
            return Ok(());
        }
        Err(SlimError::NotConcurrent {
            concurrency: self.spec.config.max_in_flight(),
            grace_s: CONCURRENCY_GRACE.as_secs(),
        }
        .into())
    }

    /// The record of an ended invocation, with its END and REPORT lines.
    fn record(&mut self, finished: Finished) -> InvocationRecord {
        let Finished {
            request_id,
            result,
            init,
        } = finished;
        let config = &self.spec.config;
        if result.outcome == Outcome::Timeout {
            let line = cloudwatch::timed_out(&request_id, config.timeout.as_secs_f64());
            self.observer.platform_line(&line);
        }
        let (logs, memory) = match &self.env {
            Some(env) => (env.take_logs(), env.peak_memory()),
            None => (Default::default(), None),
        };
        let record = InvocationRecord {
            request_id,
            outcome: result.outcome,
            billed_duration_ms: billed_ms(result.duration_ms, init.as_ref().map(|i| i.duration_ms)),
            init,
            duration_ms: result.duration_ms,
            memory_size_mb: config.memory_mb,
            max_memory_used_mb: memory.map(|m| to_mb(m.bytes)),
            max_memory_used_bytes: memory.map(|m| m.bytes),
            memory_measured_by: memory.map(|m| m.measured_by),
            payload: result.payload,
            streamed: result.streamed,
            emulated: self.emulated(),
            logs: logs.lines,
            logs_dropped: logs.dropped,
            fault: result.fault,
        };
        if record.outcome != Outcome::Unavailable {
            self.observer
                .platform_line(&cloudwatch::end(&record.request_id));
            self.observer.platform_line(&cloudwatch::report(&record));
        }
        record
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
            max_memory_used_mb: failure.max_memory.map(|m| to_mb(m.bytes)),
            max_memory_used_bytes: failure.max_memory.map(|m| m.bytes),
            memory_measured_by: failure.max_memory.map(|m| m.measured_by),
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

/// Lambda's filesystem for this function, or why it is not asked for.
fn lambda_fs(
    config: &FunctionConfig,
    task_root: &TaskRoot,
    runner: &Runner,
) -> Result<Layout, String> {
    if !config.confine {
        return Err("--no-limits".into());
    }
    if let Runner::Qemu { program, .. } = runner {
        if let Some(place) = hidden_by_lambda_fs(program) {
            return Err(format!(
                "the emulator {} is under {place}, which Lambda's filesystem replaces",
                program.display()
            ));
        }
    }
    Ok(Layout {
        root: task_root.root.clone(),
        task: task_root.task.clone(),
        opt: None,
        tmp_mb: config.ephemeral_storage_mb,
        shared: Vec::new(),
    })
}

/// The directory of Lambda's filesystem that hides `path`, if one does.
fn hidden_by_lambda_fs(path: &std::path::Path) -> Option<&'static str> {
    if !path.is_absolute() {
        return Some("a relative path");
    }
    ["/tmp", "/var", "/opt", "/proc"]
        .into_iter()
        .find(|dir| path.starts_with(dir))
}

/// The event as `GET …/next` hands it out: its timeout, the function's ARN, a
/// trace header and the client context of the config.
fn pending(config: &FunctionConfig, request_id: &str, payload: Bytes) -> Pending {
    Pending {
        request_id: request_id.to_string(),
        timeout: config.timeout,
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
