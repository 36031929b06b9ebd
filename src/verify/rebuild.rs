//! Full verify of one target: refuse what cannot reproduce, rebuild from scratch
//! in a fresh target directory with the recorded settings, compare the hashes
//! and name the recorded inputs that differ now.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::artifact::{check_artifact, local_manifest};
use super::diagnosis::{self, Current};
use super::difference::{Difference, DifferenceKind};
use super::{
    compare, host_paths, image, local_dependencies, lock_sha256, supply_chain, Cause, Mode,
    TargetVerdict,
};
use crate::model::manifest::Manifest;
use crate::output::{function_dir, OutputDir, OutputFile, TargetDir, BOOTSTRAP};
use crate::pipeline::build::summary::TargetOutcome;
use crate::pipeline::build::{self, Context};
use crate::pipeline::plan::Plan;
use crate::pipeline::supply_chain::{git, sources};
use crate::ui::Ui;
use crate::util::error::SlimError;

/// What the rebuild gave: its manifest (none when the rebuilt binary failed the
/// preflight, then `refused` says why), what the host-path audit found in its
/// bootstrap and, with --keep, where its outputs are.
struct Rebuild {
    manifest: Option<Manifest>,
    refused: Option<Cause>,
    host_paths: Option<Cause>,
    dir: Option<PathBuf>,
}

/// Full verify of one target: refuse what cannot reproduce, rebuild in a fresh
/// target dir with the recorded settings, compare.
pub(crate) fn rebuild_verdict(
    ui: &Ui,
    plan: &Plan,
    dir: &OutputDir,
    recorded: &Manifest,
    keep: bool,
) -> Result<TargetVerdict> {
    let lock = require_lockfiles(plan, recorded)?;
    let artifact_differences = check_artifact(dir, recorded)?;
    let rebuild = rebuild(ui, plan, recorded, keep)?;
    let verdict = |differences, causes, rebuilt_sha256| TargetVerdict {
        target: recorded.target.triple.clone(),
        reproducible: false,
        mode: Mode::Rebuild,
        sha256: recorded.zip.sha256.clone(),
        image_digest: recorded.image.as_ref().map(|i| i.manifest.digest.clone()),
        rebuilt_sha256,
        artifact_differences: artifact_differences.clone(),
        differences,
        causes,
        rebuilt_dir: rebuild.dir.clone(),
    };
    let Some(rebuilt) = &rebuild.manifest else {
        let failed = Difference::new(
            DifferenceKind::Preflight,
            BOOTSTRAP,
            "passed",
            "the rebuilt binary failed the preflight",
        );
        return Ok(verdict(
            vec![failed],
            rebuild.refused.into_iter().collect(),
            None,
        ));
    };
    let mut differences = compare::outputs(recorded, rebuilt);
    differences.extend(supply_chain::compare(recorded, rebuilt));
    differences.extend(image::outputs(
        recorded.image.as_ref(),
        rebuilt.image.as_ref(),
    ));
    // The artifact on disk may have been made with other settings: its own
    // manifest (when it is not the recorded one) says how.
    let local = local_manifest(dir, recorded);
    let now = if !artifact_differences.is_empty() && differences.is_empty() {
        local.as_ref()
    } else {
        Some(rebuilt)
    };
    let mut causes = diagnosis::artifact_causes(&artifact_differences);
    causes.extend(source_causes(recorded, rebuilt));
    if !differences.is_empty() {
        let prefixes = host_paths::prefixes(plan);
        causes.extend(host_paths::recorded_cause(dir, recorded, &prefixes));
        causes.extend(rebuild.host_paths.clone());
    }
    causes.extend(diagnosis::causes(
        recorded,
        &Current {
            manifest: now,
            cargo_lock_sha256: Some(lock),
            git: git::git_state(plan.workspace_root()),
        },
    ));
    let reproducible = differences.is_empty() && artifact_differences.is_empty();
    if reproducible {
        // Inputs that differ but did not change the bytes are worth a warning
        // only when they are real inputs, not the checkout state.
        causes.retain(|c| !c.is_checkout_state());
    }
    let sha = Some(rebuilt.zip.sha256.clone());
    Ok(TargetVerdict {
        reproducible,
        ..verdict(differences, causes, sha)
    })
}

/// The sources that differ: workspace files, and dependencies read from
/// elsewhere than in the record (or whose files changed).
fn source_causes(recorded: &Manifest, rebuilt: &Manifest) -> Vec<Cause> {
    let (r, n) = (&recorded.inputs, &rebuilt.inputs);
    let mut causes = Vec::new();
    if !r.sources.is_empty() {
        causes.extend(diagnosis::sources(sources::changes(&r.sources, &n.sources)));
    }
    causes.extend(
        local_dependencies::changes(&r.local_dependencies, &n.local_dependencies)
            .into_iter()
            .map(Cause::Dependency),
    );
    causes
}

/// The workspace's Cargo.lock hash; an error when there is none now or none
/// was recorded, since the dependency versions would then be today's.
fn require_lockfiles(plan: &Plan, recorded: &Manifest) -> Result<String> {
    let lock = lock_sha256(plan);
    match (lock, &recorded.inputs.cargo_lock_sha256) {
        (Some(lock), Some(_)) => Ok(lock),
        (lock, _) => Err(SlimError::NoLockfile {
            target: Some(recorded.target.to_string()),
            missing: if lock.is_none() {
                format!("in {}", plan.workspace_root().display())
            } else {
                "was recorded".to_string()
            },
        }
        .into()),
    }
}

/// Build the recorded target again from scratch, in a temporary target
/// directory (kept with `keep`), with the recorded settings, zip time and
/// image labels.
fn rebuild(ui: &Ui, plan: &Plan, recorded: &Manifest, keep: bool) -> Result<Rebuild> {
    let target = &recorded.target;
    let dir = tempfile::Builder::new()
        .prefix("cargo-slim-verify-")
        .tempdir()
        .context("cannot create a temporary target directory")?;
    let p = plan.rebuild_of(recorded, TargetDir::at(dir.path()))?;

    p.output(target).ensure_writable()?;
    let mut ctx = Context::new(ui, &p)?;
    // The zip time the record used, whatever SOURCE_DATE_EPOCH says now.
    ctx.timestamp = recorded.build.timestamp;
    // An image with the recorded labels (its git revision among them).
    ctx.image = recorded
        .image
        .as_ref()
        .map(|i| crate::pipeline::package::image::Request {
            labels: Some(i.labels.clone()),
        });
    warn_before(ui, recorded, &ctx, plan);

    ui.status(
        "Verifying",
        format!(
            "{target}: rebuilding from scratch in {} with the recorded settings",
            dir.path().display()
        ),
    );
    let outcome = build::build_target(ui, &p, &ctx, target).with_context(|| {
        format!("the verification rebuild for {target} failed (verify builds with --locked)")
    })?;
    let refused = match &outcome.report.outcome {
        TargetOutcome::PreflightFailed(report) => Some(Cause::RebuildRefused(
            report
                .failures()
                .map(|c| format!("{}: {}", c.name, c.detail))
                .collect::<Vec<_>>()
                .join("; "),
        )),
        TargetOutcome::Packaged { .. } => None,
    };
    let bootstrap = std::fs::read(p.output(target).unlocked(OutputFile::Bootstrap));
    let host_paths = bootstrap
        .ok()
        .and_then(|b| host_paths::cause("rebuilt", &b, &host_paths::prefixes(&p)));
    let kept = keep.then(|| dir.keep());
    Ok(Rebuild {
        manifest: outcome.manifest,
        refused,
        host_paths,
        dir: kept.map(|d| d.join(function_dir(&p.bin, target))),
    })
}

/// Say before minutes of compiling when the result cannot be expected to match.
fn warn_before(ui: &Ui, recorded: &Manifest, ctx: &Context, plan: &Plan) {
    let (r, n) = (&recorded.toolchain, &ctx.toolchain);
    if r.rustc != n.rustc || r.cargo != n.cargo {
        ui.warn(format!(
            "the toolchain differs from the recorded one ({} / {}; now {} / {}): the rebuild \
             is not expected to match; pin it in rust-toolchain.toml",
            r.rustc, r.cargo, n.rustc, n.cargo
        ));
    }
    if recorded.inputs.git.as_ref().is_some_and(|g| g.dirty) {
        ui.warn("the recorded build was made from a dirty git tree");
    }
    if git::git_state(plan.workspace_root()).is_some_and(|g| g.dirty) {
        ui.warn("the git work tree is dirty: uncommitted changes are in the rebuild");
    }
}
