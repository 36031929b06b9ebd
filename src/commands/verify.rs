//! `cargo slim verify`: which manifests to check, the verdicts printed, the exit
//! code. The verdicts themselves come from `crate::verify`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::model::manifest::Manifest;
use crate::model::options::{RequestedOptions, Selection};
use crate::model::target::Target;
use crate::output::OutputFile;
use crate::pipeline::build;
use crate::pipeline::plan;
use crate::ui::Ui;
use crate::util::error::{Exit, SlimError};
use crate::verify::{artifact_verdict, rebuild_verdict, Mode, TargetVerdict, VerifyReport};

/// What `cargo slim verify` is asked to do.
#[derive(Debug, Clone)]
pub(crate) struct VerifyRequest {
    pub selection: Selection,
    /// Only check the artifact on disk against its manifest; no rebuild.
    pub artifact_only: bool,
    /// A manifest to verify against instead of the one beside the output.
    pub manifest: Option<PathBuf>,
    /// Keep the rebuild's target directory.
    pub keep: bool,
}

/// `cargo slim verify`: every selected target's artifact against its manifest,
/// and (unless `artifact_only`) a rebuild from the recorded settings.
pub(crate) fn run(ui: &Ui, args: &VerifyRequest) -> Result<Exit> {
    let mut select = args.selection.clone();
    // Every manifest is read (and refused when damaged) before anything runs.
    let given = args.manifest.as_deref().map(Manifest::read).transpose()?;
    if !args.artifact_only {
        // Before `cargo metadata`, which would write a missing Cargo.lock.
        require_lockfile(&select)?;
        select.locked = true;
    }
    let mut plan = plan::plan(ui, &select, &RequestedOptions::default()).map_err(|e| {
        let detail = format!("{e:#}");
        if is_stale_lockfile(&detail) {
            SlimError::LockfileOutdated { detail }.into()
        } else {
            e
        }
    })?;
    // Each target with the manifest to verify it against.
    let mut records: Vec<(Target, Manifest)> = Vec::new();
    if let Some(m) = given {
        // The recorded bin names the output directory: it must be one of the
        // package's binaries (its grammar was checked on reading).
        plan.bin = plan::select_bin(&plan.package, Some(m.package.bin.as_str()))
            .context("the manifest's `package.bin` is not a binary of this package")?;
        records.push((m.target.clone(), m));
    } else {
        for t in &plan.targets {
            let path = plan.output(t).unlocked(OutputFile::Manifest);
            if !path.exists() {
                return Err(build::not_built(&plan, t));
            }
            records.push((t.clone(), Manifest::read(&path)?));
        }
    }
    let mut verdicts = Vec::new();
    for (target, recorded) in records {
        let dir = plan.output(&target);
        let verdict = if args.artifact_only {
            artifact_verdict(&plan, &dir, &recorded)?
        } else {
            rebuild_verdict(ui, &plan, &dir, &recorded, args.keep)?
        };
        if !ui.json() {
            print_verdict(ui, &verdict);
        }
        verdicts.push(verdict);
    }
    let report = VerifyReport {
        reproducible: verdicts.iter().all(|v| v.reproducible),
        targets: verdicts,
    };
    if ui.json() {
        ui.out_json(&report)?;
    }
    Ok(if report.reproducible {
        Exit::Success
    } else {
        Exit::CheckFailed
    })
}

fn print_verdict(ui: &Ui, v: &TargetVerdict) {
    if v.reproducible {
        let what = if v.mode == Mode::Artifact {
            "matches its manifest"
        } else {
            "reproducible"
        };
        if !ui.quiet {
            let image = v
                .image_digest
                .as_ref()
                .map_or(String::new(), |d| format!(", image {d}"));
            eprintln!(
                "{}: {what}: {} {}{image}",
                v.target,
                OutputFile::Zip.name(),
                v.sha256
            );
        }
        for cause in &v.causes {
            ui.warn(format!("{}: {cause}", v.target));
        }
        return;
    }
    let mut out = format!("{}: NOT reproducible\n", v.target);
    if !v.artifact_differences.is_empty() {
        out.push_str("  the artifact on disk does not match its manifest:\n");
        for d in &v.artifact_differences {
            out.push_str(&format!("    {}\n", d.render()));
        }
    }
    if !v.differences.is_empty() {
        out.push_str("  the rebuild with the recorded settings differs:\n");
        for d in &v.differences {
            out.push_str(&format!("    {}\n", d.render()));
        }
    } else if v.mode == Mode::Rebuild {
        out.push_str(
            "  the rebuild with the recorded settings gives the recorded bytes, so the artifact \
             on disk was not made by them (rebuilt, replaced or edited since)\n",
        );
    }
    if v.causes.is_empty() && v.mode == Mode::Artifact {
        out.push_str(
            "  likely cause: the files were replaced or edited after the build; run `cargo slim \
             verify` (without --artifact-only) to see whether the recorded settings reproduce \
             the record\n",
        );
    } else if v.causes.is_empty() {
        out.push_str(
            "  likely cause: no recorded input differs, so something in the build is not \
             deterministic (a build script embedding a time, path or random seed; HashMap \
             order in a proc-macro); see docs/reproducibility.md\n",
        );
    } else {
        out.push_str("  likely causes:\n");
        for c in &v.causes {
            out.push_str(&format!("    {c}\n"));
        }
    }
    if let Some(dir) = &v.rebuilt_dir {
        out.push_str(&format!(
            "  the rebuild is kept in {}; compare with `diffoscope`\n",
            dir.display()
        ));
    } else if v.mode == Mode::Rebuild {
        out.push_str("  rerun with --keep and compare the two with `diffoscope`\n");
    }
    eprint!("{out}");
}

/// Refuse to rebuild without a Cargo.lock: the dependency versions would be
/// whatever the registry says today.
fn require_lockfile(select: &Selection) -> Result<()> {
    // Without an answer, `cargo metadata` reports the problem in the usual way.
    let Some(workspace) = plan::workspace_manifest(select) else {
        return Ok(());
    };
    let dir = workspace.parent().unwrap_or(&workspace);
    if !dir.join("Cargo.lock").is_file() {
        return Err(SlimError::NoLockfile {
            target: None,
            missing: format!("in {}", dir.display()),
        }
        .into());
    }
    Ok(())
}

/// Whether cargo refused because Cargo.lock no longer matches the manifests
/// and `--locked` forbids updating it.
///
/// This reads cargo's English text because cargo gives nothing structured to
/// read: `cargo metadata` exits with 101 for every failure (cargo(1), EXIT
/// STATUS) and prints no JSON for errors; resolving again without `--locked`
/// writes the user's Cargo.lock (or needs the network), and `cargo update
/// --locked --dry-run` exits 0 on a stale lock file, saying what it would add
/// only in words (cargo 1.95). So the sentence is matched here and nowhere
/// else. Cargo 1.95 says "cannot update
/// the lock file … because --locked was passed to prevent this"; older cargo
/// "the lock file … needs to be updated but --locked was passed to prevent
/// this". A cargo that words it otherwise gets its own error shown unchanged.
fn is_stale_lockfile(cargo_error: &str) -> bool {
    cargo_error.contains("--locked was passed to prevent this")
}

#[cfg(test)]
mod tests {
    use super::is_stale_lockfile;

    #[test]
    fn recognises_cargos_stale_lockfile_messages() {
        // cargo 1.95.0, `cargo metadata --locked` with a path dependency added
        // to Cargo.toml after Cargo.lock was written.
        let now = "error: cannot update the lock file /w/a/Cargo.lock because --locked was \
                   passed to prevent this\nhelp: to generate the lock file without accessing \
                   the network, remove the --locked flag and use --offline instead.";
        // The wording of earlier cargo releases.
        let before = "error: the lock file /w/a/Cargo.lock needs to be updated but --locked \
                      was passed to prevent this";
        assert!(is_stale_lockfile(now));
        assert!(is_stale_lockfile(before));
        assert!(!is_stale_lockfile(
            "error: failed to parse manifest at `/w/a/Cargo.toml`"
        ));
    }
}
