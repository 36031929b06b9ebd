//! A load on one warm execution environment: `count` invocations, at most
//! `in_flight` at a time, kept full, with its wall time, the throughput it
//! gives and each invocation's latency. Under Lambda Managed Instances this is
//! what one environment sustains; at 1 it is Lambda's default.

use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;

use super::samples::{Samples, Summary};
use crate::runtime::{InvocationRecord, Session};

/// What a load came to.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Load {
    /// Invocations in flight at once (at most).
    pub in_flight: u32,
    pub invocations: u32,
    /// Those that succeeded (the figures are theirs).
    pub succeeded: u32,
    pub wall_ms: f64,
    /// Successful invocations per second of wall time.
    pub per_second: f64,
    /// Each successful invocation's duration (hand-out to result), ms.
    pub latency_ms: Option<Summary>,
}

/// Run `count` invocations of `payload`, `in_flight` at a time, on the
/// session's warm environment; `each` sees every record.
pub(crate) async fn run(
    session: &mut Session,
    payload: &Bytes,
    count: u32,
    in_flight: u32,
    each: &mut dyn FnMut(&InvocationRecord),
) -> anyhow::Result<Load> {
    let payloads = vec![payload.clone(); count as usize];
    let mut latency = Samples::default();
    let mut succeeded = 0u32;
    let started = Instant::now();
    session
        .invoke_all_at(&payloads, in_flight as usize, |record| {
            each(&record);
            if record.outcome.succeeded() {
                succeeded += 1;
                latency.push(record.duration_ms);
            }
            Ok(())
        })
        .await?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(Load {
        in_flight,
        invocations: count,
        succeeded,
        wall_ms,
        per_second: if wall_ms > 0.0 {
            f64::from(succeeded) / (wall_ms / 1000.0)
        } else {
            0.0
        },
        latency_ms: latency.summary(),
    })
}
