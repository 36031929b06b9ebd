//! `cargo slim build`: plan, build every target (`crate::pipeline::build`), the
//! multi-arch image index, the summary and the exit code (preflight, budgets).

use anyhow::Result;

use crate::model::options::{RequestedOptions, Selection};
use crate::model::timestamp::Timestamp;
use crate::pipeline::build::summary::{self, BuildReport};
use crate::pipeline::package::image;
use crate::pipeline::plan::{self, Plan};
use crate::size::budget;
use crate::ui::Ui;
use crate::util::error::Exit;

use crate::pipeline::build::{build_plan, Outcome};

pub(crate) fn run(ui: &Ui, selection: &Selection, requested: &RequestedOptions) -> Result<Exit> {
    let plan = plan::plan(ui, selection, requested)?;
    let outcomes = build_plan(ui, &plan)?;
    let passed = outcomes.iter().all(|o| o.manifest.is_some());
    let multi_arch = if requested.multi_arch && passed {
        multi_arch_index(ui, &plan, &outcomes)?
    } else {
        None
    };
    let report = BuildReport {
        runtime: plan.runtime.to_string(),
        targets: outcomes.into_iter().map(|o| o.report).collect(),
        multi_arch,
    };
    summary::print(ui, &report)?;
    let within_budget =
        budget::report_failures(report.targets.iter().filter_map(|t| t.budget.as_ref()))
            == Exit::Success;
    Ok(if passed && within_budget {
        Exit::Success
    } else {
        Exit::CheckFailed
    })
}

/// Build every target of `plan` (and its container image, with `--image`).
/// `--multi-arch`: one layout over every target's image, beside the per-target
/// output directories; Lambda does not accept it, so say so.
fn multi_arch_index(
    ui: &Ui,
    plan: &Plan,
    outcomes: &[Outcome],
) -> Result<Option<image::MultiArch>> {
    let images: Vec<&image::Image> = outcomes.iter().filter_map(|o| o.image.as_ref()).collect();
    if plan.targets.is_empty() {
        return Ok(None);
    }
    let dir = plan.target_dir.multi_arch(&plan.bin);
    if images.len() < 2 {
        ui.warn("--multi-arch with one target: no index written (build --arch arm64,x86_64)");
        return Ok(None);
    }
    // Its own directory, locked like a target's: concurrent runs take turns.
    let locked = dir.lock(ui)?;
    let index = image::write_multi_arch(&locked, &images, Timestamp::from_env()?.unix)?;
    ui.warn(format!(
        "--multi-arch: {} is an image index for registries (Kubernetes, Cloud Run); \
         Lambda rejects image indexes: deploy a per-target image.tar to Lambda",
        index.archive.display()
    ));
    Ok(Some(index))
}
