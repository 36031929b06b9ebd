//! The measuring session: cold starts, then warm invocations, of every build in
//! turn (A B A B …), so that whatever else the machine does in the meantime
//! weighs on every build alike.
//!
//! A cold sample is a fresh process: init (exec → first `GET /next`), the first
//! invocation, then the process is killed and reaped, which gives its peak RSS
//! and page faults (`wait4`). Warm samples come from one process per build that
//! has already served one (unmeasured) invocation. Under Lambda Managed
//! Instances (a concurrency N), that warm process then serves a [`load`] of
//! `warm` invocations one at a time and `warm` more N at a time.

use std::sync::Arc;

use bytes::Bytes;

use super::load::{self, Load};
use super::samples::Samples;
use super::subject::Subject;
use crate::runtime::observer::Silent;
use crate::runtime::process::Exit;
use crate::runtime::sandbox::Confinement;
use crate::runtime::{FunctionConfig, InvocationRecord, Session};

/// What to measure.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub cold: u32,
    pub warm: u32,
    pub config: FunctionConfig,
    pub payload: Bytes,
}

/// Everything measured of one build.
#[derive(Debug, Clone, Default)]
pub(crate) struct Measurements {
    pub init_ms: Samples,
    pub first_invoke_ms: Samples,
    pub warm_ms: Samples,
    /// Time to first byte of streamed responses: of each cold process's first
    /// invocation, and of the warm ones.
    pub first_ttfb_ms: Samples,
    pub warm_ttfb_ms: Samples,
    /// Peak RSS of each cold process (KiB, from rusage).
    pub cold_rss_kib: Samples,
    /// Peak RSS of the warm process after all its invocations (KiB).
    pub warm_rss_kib: Option<u64>,
    /// Lambda's Max Memory Used of each cold start (MB: the cgroup's peak when
    /// confined, else the process's).
    pub cold_memory_mb: Samples,
    pub minor_faults: Samples,
    pub major_faults: Samples,
    /// Invocations that did not succeed, with their error type.
    pub failures: Vec<String>,
    pub confinement: Option<Confinement>,
    /// CFS periods the warm process was throttled in.
    pub warm_throttled_periods: Option<u64>,
    /// Under Managed Instances: the warm process under a load of one, then N,
    /// invocations at once.
    pub load: Option<(Load, Load)>,
}

/// Progress: (what is being done, steps done, steps in all).
pub(crate) type Progress<'a> = &'a dyn Fn(&str, u64, u64);

pub(crate) async fn run(
    plan: &Plan,
    subjects: &[Subject],
    progress: Progress<'_>,
) -> anyhow::Result<Vec<Measurements>> {
    let loads = u64::from(plan.warm) * 2 * u64::from(plan.config.concurrency.is_some());
    let total = (u64::from(plan.cold + plan.warm + 1) + loads) * subjects.len() as u64;
    let mut tick = Ticker {
        done: 0,
        total,
        progress,
    };
    let mut results = vec![Measurements::default(); subjects.len()];
    let mut sessions: Vec<Session> = subjects
        .iter()
        .map(|s| {
            Session::new(
                plan.config.clone(),
                &s.task_root,
                s.runner.clone(),
                Arc::new(Silent),
            )
        })
        .collect();

    for _ in 0..plan.cold {
        for (i, session) in sessions.iter_mut().enumerate() {
            let record = session.invoke(plan.payload.clone()).await?;
            let exit = session.retire().await;
            note_cold(&mut results[i], &record, exit);
            results[i].confinement = session.confinement().cloned();
            tick.tick("cold starts");
        }
    }

    // Warm: one process per build, started by an invocation that is not counted.
    for (i, session) in sessions.iter_mut().enumerate() {
        let record = session.invoke(plan.payload.clone()).await?;
        note(&mut results[i], &record);
        tick.tick("warming up");
    }
    for _ in 0..plan.warm {
        for (i, session) in sessions.iter_mut().enumerate() {
            let record = session.invoke(plan.payload.clone()).await?;
            note_warm(&mut results[i], &record);
            tick.tick("warm invocations");
        }
    }
    if let Some(n) = plan.config.concurrency.filter(|_| plan.warm > 0) {
        for (i, session) in sessions.iter_mut().enumerate() {
            let m = &mut results[i];
            let mut note_each = |record: &InvocationRecord| {
                note(m, record);
                tick.tick("load");
            };
            let one = load::run(session, &plan.payload, plan.warm, 1, &mut note_each).await?;
            let many = load::run(session, &plan.payload, plan.warm, n, &mut note_each).await?;
            m.load = Some((one, many));
        }
    }
    for (i, session) in sessions.iter_mut().enumerate() {
        results[i].warm_throttled_periods = session.throttled_periods();
        if let Some(exit) = session.retire().await {
            results[i].warm_rss_kib = Some(exit.peak_rss_kib.unwrap_or(exit.usage.max_rss_kib));
        }
    }
    Ok(results)
}

/// Counts steps done for the progress bar.
struct Ticker<'a> {
    done: u64,
    total: u64,
    progress: Progress<'a>,
}

impl Ticker<'_> {
    fn tick(&mut self, what: &str) {
        self.done += 1;
        (self.progress)(what, self.done, self.total);
    }
}

/// A cold start's figures: its init, its invocation, its process's end.
fn note_cold(m: &mut Measurements, record: &InvocationRecord, exit: Option<Exit>) {
    note(m, record);
    if let Some(init) = record.init.as_ref().filter(|i| i.status.is_none()) {
        m.init_ms.push(init.duration_ms);
    }
    if record.outcome.succeeded() {
        m.first_invoke_ms.push(record.duration_ms);
    }
    if let Some(ttfb) = record.streamed.as_ref().and_then(|s| s.ttfb_ms) {
        m.first_ttfb_ms.push(ttfb);
    }
    if let Some(mb) = record.max_memory_used_mb {
        m.cold_memory_mb.push(mb as f64);
    }
    if let Some(exit) = exit {
        m.cold_rss_kib
            .push(exit.peak_rss_kib.unwrap_or(exit.usage.max_rss_kib) as f64);
        m.minor_faults.push(exit.usage.minor_faults as f64);
        m.major_faults.push(exit.usage.major_faults as f64);
    }
}

/// A warm invocation's figures, only from a process that was warm.
fn note_warm(m: &mut Measurements, record: &InvocationRecord) {
    note(m, record);
    if record.outcome.succeeded() && !record.cold() {
        m.warm_ms.push(record.duration_ms);
        if let Some(ttfb) = record.streamed.as_ref().and_then(|s| s.ttfb_ms) {
            m.warm_ttfb_ms.push(ttfb);
        }
    }
}

fn note(m: &mut Measurements, record: &InvocationRecord) {
    if let Some(t) = record.outcome.error_type() {
        m.failures.push(t.to_string());
    }
}
