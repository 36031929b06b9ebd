//! The benchmark as a table for people: one row per figure, one column per build,
//! and beside each later build its ratio to the first.

use super::report::{BenchReport, BuildFigures};
use super::samples::Summary;
use crate::ui::table::{self, Align, Table};

/// A row: its name and how to read the figure from a build.
struct Row {
    name: &'static str,
    value: fn(&BuildFigures) -> Option<f64>,
    format: fn(f64) -> String,
}

fn ms(v: f64) -> String {
    format!("{v:.2} ms")
}

fn count(v: f64) -> String {
    format!("{v:.0}")
}

fn bytes(v: f64) -> String {
    table::bytes(v as u64)
}

fn kib(v: f64) -> String {
    format!("{:.1} MiB", v / 1024.0)
}

fn mb(v: f64) -> String {
    format!("{v:.0} MB")
}

fn pick(s: Option<Summary>, f: fn(&Summary) -> f64) -> Option<f64> {
    s.as_ref().map(f)
}

const fn row(
    name: &'static str,
    value: fn(&BuildFigures) -> Option<f64>,
    format: fn(f64) -> String,
) -> Row {
    Row {
        name,
        value,
        format,
    }
}

const ROWS: &[Row] = &[
    row(
        "bootstrap bytes",
        |b| b.sizes.bootstrap_bytes.map(|v| v as f64),
        bytes,
    ),
    row("zip bytes", |b| b.sizes.zip_bytes.map(|v| v as f64), bytes),
    row("crates linked", |b| b.sizes.crates.map(|v| v as f64), count),
    row("init p50", |b| pick(b.init_ms, |s| s.p50), ms),
    row("init p90", |b| pick(b.init_ms, |s| s.p90), ms),
    row("init max", |b| pick(b.init_ms, |s| s.max), ms),
    row(
        "first invoke p50",
        |b| pick(b.first_invoke_ms, |s| s.p50),
        ms,
    ),
    row("warm p50", |b| pick(b.warm_ms, |s| s.p50), ms),
    row("warm p99", |b| pick(b.warm_ms, |s| s.p99), ms),
    row(
        "max RSS (cold)",
        |b| pick(b.cold_max_rss_kib, |s| s.max),
        kib,
    ),
    row(
        "max RSS (warm)",
        |b| b.warm_max_rss_kib.map(|v| v as f64),
        kib,
    ),
    row(
        "Max Memory Used",
        |b| pick(b.max_memory_used_mb, |s| s.max),
        mb,
    ),
    row(
        "minor faults p50",
        |b| pick(b.minor_faults, |s| s.p50),
        count,
    ),
    row(
        "major faults p50",
        |b| pick(b.major_faults, |s| s.p50),
        count,
    ),
];

/// Rows shown when some build streamed its responses.
const STREAMING_ROWS: &[Row] = &[
    row("first TTFB p50", |b| pick(b.first_ttfb_ms, |s| s.p50), ms),
    row("warm TTFB p50", |b| pick(b.warm_ttfb_ms, |s| s.p50), ms),
    row("warm TTFB p99", |b| pick(b.warm_ttfb_ms, |s| s.p99), ms),
];

/// Rows shown under Managed Instances: one environment at one invocation at
/// a time (×1) and at the concurrency (×N).
const LOAD_ROWS: &[Row] = &[
    row(
        "throughput ×1",
        |b| b.load.as_ref().map(|l| l.at_one.per_second),
        per_second,
    ),
    row(
        "throughput ×N",
        |b| b.load.as_ref().map(|l| l.at_n.per_second),
        per_second,
    ),
    row(
        "scaling ×N / ×1",
        |b| b.load.as_ref().and_then(|l| l.scaling),
        times,
    ),
    row(
        "latency ×1 p50",
        |b| {
            b.load
                .as_ref()
                .and_then(|l| pick(l.at_one.latency_ms, |s| s.p50))
        },
        ms,
    ),
    row(
        "latency ×N p50",
        |b| {
            b.load
                .as_ref()
                .and_then(|l| pick(l.at_n.latency_ms, |s| s.p50))
        },
        ms,
    ),
    row(
        "latency ×N p90",
        |b| {
            b.load
                .as_ref()
                .and_then(|l| pick(l.at_n.latency_ms, |s| s.p90))
        },
        ms,
    ),
    row(
        "latency ×N p99",
        |b| {
            b.load
                .as_ref()
                .and_then(|l| pick(l.at_n.latency_ms, |s| s.p99))
        },
        ms,
    ),
];

fn per_second(v: f64) -> String {
    format!("{v:.1}/s")
}

fn times(v: f64) -> String {
    format!("{v:.2}×")
}

pub(crate) fn render(report: &BenchReport, width: usize) -> String {
    let mut columns: Vec<(String, Align)> = vec![(String::new(), Align::Left)];
    for i in 0..report.builds.len() {
        columns.push((letter(i).to_string(), Align::Right));
    }
    let refs: Vec<(&str, Align)> = columns.iter().map(|(n, a)| (n.as_str(), *a)).collect();
    let mut t = Table::new(&refs);
    let streamed = report
        .builds
        .iter()
        .any(|b| b.first_ttfb_ms.is_some() || b.warm_ttfb_ms.is_some());
    let loaded = report.builds.iter().any(|b| b.load.is_some());
    let extra = [(streamed, STREAMING_ROWS), (loaded, LOAD_ROWS)];
    let rows = ROWS.iter().chain(
        extra
            .iter()
            .filter(|(on, _)| *on)
            .flat_map(|(_, rows)| rows.iter()),
    );
    for row in rows {
        let base = report.builds.first().and_then(row.value);
        let mut cells = vec![row.name.to_string()];
        for (i, b) in report.builds.iter().enumerate() {
            let cell = match (row.value)(b) {
                None => "—".to_string(),
                Some(v) => {
                    let text = (row.format)(v);
                    match base.filter(|&a| i > 0 && a > 0.0) {
                        Some(a) => format!("{text} ({:.2}×)", v / a),
                        None => text,
                    }
                }
            };
            cells.push(cell);
        }
        t.row(cells);
    }
    let mut out = String::new();
    for (i, b) in report.builds.iter().enumerate() {
        out.push_str(&format!("{}: {}\n", letter(i), b.label));
    }
    if report.builds.len() > 1 {
        out.push_str("run interleaved (A B A B …); (×) is the ratio to A\n");
    }
    out.push_str(&t.render(Some(width)));
    out.push_str(&format!(
        "{} cold starts, {} warm invocations each; {} MB",
        report.cold, report.warm, report.memory_mb
    ));
    if let Some(n) = report.concurrency {
        out.push_str(&format!(
            "; Lambda Managed Instances: ×N is {n} invocations at once in one environment, \
             {} of them (×1: the same, one at a time)",
            report.warm
        ));
    }
    if let Some(c) = report.builds.first().and_then(|b| b.confinement.as_ref()) {
        out.push_str(&format!("; {}", c.describe()));
    }
    out.push('\n');
    for b in &report.builds {
        if let Some(q) = &b.emulated {
            out.push_str(&format!(
                "EMULATED: {} ran under {q}; its times and memory describe qemu as much as the function\n",
                b.label
            ));
        }
    }
    out
}

fn letter(i: usize) -> char {
    char::from(b'A' + (i % 26) as u8)
}
