//! The figures of a benchmark session, for the table and for JSON alike.

use serde::Serialize;

use super::load::Load;
use super::samples::Summary;
use super::schedule::{Measurements, Plan};
use super::subject::{Sizes, Subject};
use crate::runtime::sandbox::Confinement;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct BenchReport {
    pub cold: u32,
    pub warm: u32,
    pub memory_mb: u32,
    pub timeout_s: u64,
    /// Lambda Managed Instances' concurrency, when the builds ran as such.
    pub concurrency: Option<u32>,
    /// True when any build ran under emulation: its times describe qemu too.
    pub emulated: bool,
    pub builds: Vec<BuildFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct BuildFigures {
    pub label: String,
    #[serde(flatten)]
    pub sizes: Sizes,
    /// The qemu that ran it, when emulated.
    pub emulated: Option<String>,
    /// exec → first GET /next, per cold start.
    pub init_ms: Option<Summary>,
    /// The first invocation of each cold process.
    pub first_invoke_ms: Option<Summary>,
    pub warm_ms: Option<Summary>,
    /// Time to first byte of a streamed response: the first invocation of each
    /// cold process, and the warm ones (`None`: the responses were not
    /// streamed).
    pub first_ttfb_ms: Option<Summary>,
    pub warm_ttfb_ms: Option<Summary>,
    /// Under Managed Instances: one warm environment under a load of one
    /// invocation at a time, then of `concurrency` at a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadFigures>,
    /// Peak RSS of the cold processes, KiB (rusage; qemu's own when emulated).
    pub cold_max_rss_kib: Option<Summary>,
    /// Peak RSS of the warm process after all its invocations, KiB.
    pub warm_max_rss_kib: Option<u64>,
    /// Lambda's Max Memory Used of the cold starts, MB.
    pub max_memory_used_mb: Option<Summary>,
    pub minor_faults: Option<Summary>,
    pub major_faults: Option<Summary>,
    pub failures: Vec<String>,
    pub confinement: Option<Confinement>,
    pub warm_throttled_periods: Option<u64>,
}

/// Throughput and latency of one environment at one invocation at a time and
/// at N, and what N bought.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LoadFigures {
    pub at_one: Load,
    pub at_n: Load,
    /// Throughput at N over throughput at one: N when the function scales
    /// perfectly inside one environment, 1 when it does not scale at all.
    pub scaling: Option<f64>,
}

impl BenchReport {
    pub(crate) fn new(
        plan: &Plan,
        subjects: &[Subject],
        measured: Vec<Measurements>,
    ) -> BenchReport {
        let builds: Vec<BuildFigures> = subjects
            .iter()
            .zip(measured)
            .map(|(s, m)| BuildFigures {
                label: s.label.clone(),
                sizes: s.sizes.clone(),
                emulated: s.runner.label(),
                init_ms: m.init_ms.summary(),
                first_invoke_ms: m.first_invoke_ms.summary(),
                warm_ms: m.warm_ms.summary(),
                first_ttfb_ms: m.first_ttfb_ms.summary(),
                warm_ttfb_ms: m.warm_ttfb_ms.summary(),
                load: m.load.map(|(at_one, at_n)| LoadFigures {
                    scaling: (at_one.per_second > 0.0).then(|| at_n.per_second / at_one.per_second),
                    at_one,
                    at_n,
                }),
                cold_max_rss_kib: m.cold_rss_kib.summary(),
                warm_max_rss_kib: m.warm_rss_kib,
                max_memory_used_mb: m.cold_memory_mb.summary(),
                minor_faults: m.minor_faults.summary(),
                major_faults: m.major_faults.summary(),
                failures: m.failures,
                confinement: m.confinement,
                warm_throttled_periods: m.warm_throttled_periods,
            })
            .collect();
        BenchReport {
            cold: plan.cold,
            warm: plan.warm,
            memory_mb: plan.config.memory_mb,
            timeout_s: plan.config.timeout.as_secs(),
            concurrency: plan.config.concurrency,
            emulated: builds.iter().any(|b| b.emulated.is_some()),
            builds,
        }
    }

    pub(crate) fn failures(&self) -> usize {
        self.builds.iter().map(|b| b.failures.len()).sum()
    }
}
