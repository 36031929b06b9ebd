//! The preflight as a gate between linking and packaging: an executable the
//! runtime could not start is reported, and nothing is packaged.

use std::path::Path;

use anyhow::Result;

use crate::model::cpu_baseline::CpuBaseline;
use crate::model::target::Target;
use crate::pipeline::build::settings::Settings;
use crate::pipeline::build::summary::{TargetOutcome, TargetReport};
use crate::pipeline::build::Outcome;
use crate::pipeline::plan::Plan;
use crate::preflight::{self, host_paths};
use crate::ui::Ui;

/// What the preflight said about the linked executable.
pub(crate) enum Preflight {
    /// It passed, or was not asked for (`None`).
    Passed(Option<preflight::PreflightReport>),
    /// It would not start on Lambda: nothing is packaged.
    Refused(preflight::PreflightReport),
}

/// Can the runtime start the executable? A refusal is printed (but with JSON
/// output, where the report carries it) and warned about here.
pub(crate) fn run_preflight(
    ui: &Ui,
    plan: &Plan,
    target: &Target,
    settings: &Settings,
    full: &[u8],
    exe: &Path,
) -> Result<Preflight> {
    let host_paths = host_paths_check(ui, plan, settings, full);
    let report = if plan.options.preflight {
        let linker = &settings.linker;
        let linkage =
            preflight::Linkage::of_build(&target.triple, &linker.cargo_target, plan.runtime);
        let cpu = preflight::CpuInput {
            baseline: Some(CpuBaseline::for_build(
                plan.options.cpu_baseline,
                target.arch,
            )),
            twins: &[],
        };
        let mut report =
            preflight::check_elf_as_linked(full, Some(target.arch), plan.runtime, &linkage, &cpu)?;
        report.checks.push(host_paths);
        report
    } else if host_paths.passed {
        return Ok(Preflight::Passed(None));
    } else {
        // `--no-preflight` skips the runtime's checks, not the audit.
        preflight::PreflightReport {
            checks: vec![host_paths],
        }
    };
    if report.passed() {
        return Ok(Preflight::Passed(Some(report)));
    }
    if !ui.json() {
        eprint!("{}", report.render_human());
    }
    ui.warn(format!(
        "{target}: the preflight failed, so nothing was packaged; the binary is at {}",
        exe.display()
    ));
    Ok(Preflight::Refused(report))
}

/// The host-path audit of what will ship (the sections stripping keeps), against
/// every directory the path map names and the environment's homes. What
/// `--allow-host-paths` lets through is warned about.
fn host_paths_check(
    ui: &Ui,
    plan: &Plan,
    settings: &Settings,
    full: &[u8],
) -> preflight::CheckResult {
    let mut prefixes = settings.paths.host_prefixes();
    prefixes.extend(host_paths::environment_prefixes());
    let found = host_paths::audit(full, &prefixes);
    let flag = crate::model::options::flag_of("allow_host_paths");
    let allowed = plan.options.allow_host_paths.then_some(flag.as_str());
    if allowed.is_some() && !found.is_empty() {
        ui.warn(format!(
            "bootstrap holds paths of this machine, packaged as {flag} asks: {}",
            host_paths::describe(&found)
        ));
    }
    host_paths::check(&found, allowed)
}

impl Outcome {
    /// A build the preflight refused: nothing packaged, the report says why.
    pub(crate) fn refused(
        plan: &Plan,
        target: &Target,
        settings: &Settings,
        full: &[u8],
        report: preflight::PreflightReport,
    ) -> Self {
        let dir = plan.output(target);
        let report = TargetReport {
            target: target.triple.clone(),
            linker: settings.linker.program.clone(),
            out_dir: dir.path().to_path_buf(),
            bootstrap_bytes: full.len() as u64,
            unstripped_bytes: full.len() as u64,
            top_crates: Vec::new(),
            outcome: TargetOutcome::PreflightFailed(report),
            budget: None,
        };
        Outcome {
            target: target.clone(),
            bin: plan.bin.clone(),
            dir,
            manifest: None,
            report,
            image: None,
        }
    }
}
