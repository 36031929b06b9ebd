//! `cargo slim bench`: cold starts, warm latency and memory of a build, or of
//! several side by side, run interleaved under the local Lambda runtime.

use std::path::Path;

use anyhow::Result;
use bytes::Bytes;

use super::function_settings::function_config;
use super::run::{report_confinement, runner_for, shipped, start_host, Shipped};
use crate::bench::schedule::{self, Measurements, Plan};
use crate::bench::subject::Sizes;
use crate::bench::{render, BenchReport, Subject};
use crate::model::run_options::BenchRequest;
use crate::runtime::events;
use crate::runtime::sandbox::user;
use crate::runtime::{Host, TaskRoot};
use crate::ui::Ui;
use crate::util::error::{Exit, SlimError};

/// `cargo slim bench`: prepare each build, measure them interleaved, print the
/// report; an error when any invocation failed.
pub(crate) fn run(ui: &Ui, args: &BenchRequest) -> Result<Exit> {
    let payload = Bytes::from(events::load(&args.event)?);
    let main = shipped(ui, args.path.as_deref(), &args.selection, &args.build)?;
    let config = function_config(&args.function, main.bin.as_deref(), &main.defaults)?;
    let mut host = start_host(ui)?;
    let subjects = subjects(ui, args, &main)?;
    let plan = Plan {
        cold: args.cold,
        warm: args.warm,
        config,
        payload,
    };
    let measured = measure(ui, &mut host, &plan, &subjects)?;
    let report = BenchReport::new(&plan, &subjects, measured);
    if let Some(c) = report.builds.first().and_then(|b| b.confinement.as_ref()) {
        report_confinement(ui, c);
    }
    if ui.json() {
        ui.out_json(&report)?;
    } else {
        ui.out(&render::render(&report, ui.width()))?;
    }
    let failures = report.failures();
    if failures > 0 {
        let kinds: Vec<String> = report
            .builds
            .iter()
            .flat_map(|b| b.failures.iter().map(move |f| format!("{}: {f}", b.label)))
            .take(5)
            .collect();
        return Err(SlimError::InvocationsFailed {
            count: failures,
            kinds,
        }
        .into());
    }
    Ok(Exit::Success)
}

/// The build asked for and each `--compare` build, unpacked; a warning for
/// each that runs under an emulator.
fn subjects(ui: &Ui, args: &BenchRequest, main: &Shipped) -> Result<Vec<Subject>> {
    let mut subjects = vec![prepare(
        args.path.as_ref().map_or_else(
            || main.path.display().to_string(),
            |p| p.display().to_string(),
        ),
        &main.path,
        main.full.as_deref(),
        args.function.baseline_cpu,
    )?];
    for other in &args.compare {
        let found = shipped(ui, Some(other), &args.selection, &args.build)?;
        subjects.push(prepare(
            other.display().to_string(),
            &found.path,
            found.full.as_deref(),
            args.function.baseline_cpu,
        )?);
    }
    for s in &subjects {
        if let Some(q) = s.runner.label() {
            ui.warn(format!(
                "{} runs under {q}: its figures describe qemu as much as the function",
                s.label
            ));
        }
    }
    Ok(subjects)
}

/// Run the schedule, with a progress bar on a terminal.
fn measure(
    ui: &Ui,
    host: &mut Host,
    plan: &Plan,
    subjects: &[Subject],
) -> Result<Vec<Measurements>> {
    let load = match plan.config.concurrency {
        Some(n) => format!(", then {} at one and at {n} at a time", plan.warm),
        None => String::new(),
    };
    ui.status(
        "Benchmarking",
        format!(
            "{} build{}: {} cold starts, {} warm invocations{load} each ({} MB)",
            subjects.len(),
            if subjects.len() == 1 {
                ""
            } else {
                "s, interleaved"
            },
            plan.cold,
            plan.warm,
            plan.config.memory_mb
        ),
    );
    let bar = ui.progress_bars().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>18} [{bar:30}] {pos}/{len}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    });
    let progress = |what: &str, done: u64, total: u64| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
            bar.set_message(what.to_string());
        }
    };
    let measured = host.block_on(schedule::run(plan, subjects, &progress))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(measured)
}

/// Unpack one build and take its static figures.
fn prepare(label: String, path: &Path, full: Option<&Path>, baseline_cpu: bool) -> Result<Subject> {
    let task_root = TaskRoot::prepare(path, user::unprivileged())?;
    let runner = runner_for(&task_root, baseline_cpu)?;
    let sizes = Sizes {
        path: task_root.source.clone(),
        bootstrap_bytes: task_root.bootstrap_bytes,
        zip_bytes: task_root.zip_bytes,
        crates: full.and_then(crates_linked),
    };
    Ok(Subject {
        label,
        task_root,
        runner,
        sizes,
    })
}

/// Crates with code in an unstripped binary: the crates view of `cargo slim size`
/// with the standard library's crates apart, less its bracketed rows
/// (`[unattributed]`, `[non-rust]`).
fn crates_linked(full: &Path) -> Option<usize> {
    let data = std::fs::read(full).ok()?;
    let options = crate::size::Options {
        split_std: true,
        ..crate::size::Options::default()
    };
    let analysis = crate::size::analyze(&data, &options).ok()?;
    analysis
        .crates
        .map(|c| c.rows.iter().filter(|r| !r.name.starts_with('[')).count())
}
