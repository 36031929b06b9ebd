//! `cargo slim size`: which files to analyse, then the analysis (`crate::size`).
//!
//! With no path, `size` is a read-only command: it analyses the last build that is
//! in the output directory and never replaces it. A build looks stale when a
//! source file cargo recorded for it changed later; `size` then says so and prints
//! the command that rebuilds it with the recorded settings, rather than
//! rebuilding with its own options (which once relinked a `--runtime
//! provided.al2` build for al2023 and dropped `--features`, overwriting the
//! deployable zip). Only when there is no build at all does it build, into the
//! normal place: that replaces nothing.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Result;

use crate::model::budget::{BudgetRule, Budgets};
use crate::model::manifest::Manifest;
use crate::model::options::{RequestedOptions, SETTINGS};
use crate::model::target::Target;
use crate::output::{OutputDir, OutputFile, EXECUTABLES};
use crate::pipeline::build;
use crate::pipeline::compile::profile::PROFILE;
use crate::pipeline::plan::{self, Plan};
use crate::size::baseline;
use crate::size::input::{self, Input};
use crate::ui::Ui;
use crate::util::error::Exit;

pub(crate) use super::size_request::SizeRequest;

/// Run `cargo slim size` (or `--why`). Budgets: the `--budget` values, and for
/// the last build (no PATH) the package's `[package.metadata.slim] budget` too.
pub(crate) fn run(ui: &Ui, args: &SizeRequest) -> Result<Exit> {
    if let Some(krate) = &args.why {
        return super::why::run(ui, args, krate);
    }
    let options = args.view.options();
    let flags = args.budgets.clone();
    let (inputs, budgets) = match &args.path {
        // A size.json (sections and crates, no symbols), or a file: a zip or an ELF.
        Some(path) => {
            let loaded = if path.extension().is_some_and(|e| e == "json") {
                baseline::load(path, &options)?
            } else {
                baseline::from_elf(input::load(path)?, &options)?
            };
            (vec![loaded], Budgets { rules: flags })
        }
        None => {
            let (inputs, budgets) = last_builds(ui, args, flags)?;
            let loaded = inputs
                .into_iter()
                .map(|input| baseline::from_elf(input, &options))
                .collect::<Result<_>>()?;
            (loaded, budgets)
        }
    };
    crate::size::run(ui, &args.view, &inputs, &budgets)
}

/// The selected targets' last builds, building only the targets that have none,
/// and the budgets in force for them (`flags` with the package's metadata).
fn last_builds(
    ui: &Ui,
    args: &SizeRequest,
    flags: Vec<BudgetRule>,
) -> Result<(Vec<Input>, Budgets)> {
    let requested = RequestedOptions {
        budgets: flags,
        ..RequestedOptions::default()
    };
    let plan = plan::plan(ui, &args.selection, &requested)?;
    let built: Vec<(&Target, OutputDir)> =
        plan.targets.iter().map(|t| (t, plan.output(t))).collect();
    let missing: Vec<Target> = built
        .iter()
        .filter(|(_, dir)| !has_build(dir))
        .map(|(t, _)| (*t).clone())
        .collect();
    if !missing.is_empty() {
        let mut to_build = plan.clone();
        to_build.targets = missing;
        ui.status(
            "Building",
            "no build to analyse yet: building it first (nothing is replaced)",
        );
        build::build_plan(ui, &to_build)?;
    } else {
        for (target, dir) in &built {
            // The manifest says what the build is; one that is not a valid record
            // (tampered, damaged, not a regular file) makes the directory
            // untrustworthy, so it stops the command like it stops verify.
            let recorded = if dir.occupied(OutputFile::Manifest) {
                Some(Manifest::read(&dir.unlocked(OutputFile::Manifest))?)
            } else {
                None
            };
            warn_if_stale(ui, &plan, args, target, dir, recorded.as_ref());
        }
    }
    let several = built.len() > 1;
    let inputs = built
        .iter()
        .map(|(target, dir)| {
            let mut input = input::load_build(dir)?;
            input.label = several.then(|| target.to_string());
            Ok(input)
        })
        .collect::<Result<_>>()?;
    Ok((inputs, plan.budgets))
}

/// Whether a build left an executable or zip to analyse.
fn has_build(dir: &OutputDir) -> bool {
    EXECUTABLES.iter().any(|f| dir.occupied(*f))
}

/// Say when the analysed build may not be the current code, and how to rebuild it
/// with the settings it was made with.
fn warn_if_stale(
    ui: &Ui,
    plan: &Plan,
    args: &SizeRequest,
    target: &Target,
    dir: &OutputDir,
    recorded: Option<&Manifest>,
) {
    let analysed = dir.first_of(EXECUTABLES).map(|(_, path)| path);
    let Some(built_at) = analysed.and_then(|p| p.metadata().and_then(|m| m.modified()).ok()) else {
        return;
    };
    let Some(newer) = changed_since(plan, target, built_at) else {
        return;
    };
    let shown = newer
        .strip_prefix(plan.workspace_root())
        .unwrap_or(&newer)
        .display()
        .to_string();
    ui.warn(format!(
        "{}: the build in {} may be stale ({shown} changed after it); analysing it as it \
         is. Rebuild it with the settings it was made with:\n    {}",
        target,
        dir.path().display(),
        rebuild_command(args, recorded, target)
    ));
}

/// A workspace file the build read (per cargo's dep-info for it), or the package's
/// Cargo.toml / the workspace's Cargo.lock, modified after `built_at`.
fn changed_since(plan: &Plan, target: &Target, built_at: SystemTime) -> Option<PathBuf> {
    let ws = plan.workspace_root();
    let dep_info = plan
        .target_dir
        .path()
        .join(&target.triple)
        .join(PROFILE)
        .join(format!("{}.d", plan.bin));
    let mut files = vec![plan.manifest_path().to_path_buf(), ws.join("Cargo.lock")];
    if let Ok(text) = std::fs::read_to_string(&dep_info) {
        files.extend(
            crate::pipeline::supply_chain::sources::dep_info_paths(&text)
                .into_iter()
                .filter(|p| p.starts_with(ws) && !p.starts_with(plan.target_dir.path())),
        );
    }
    files.into_iter().find(|f| modified_after(f, built_at))
}

fn modified_after(path: &Path, time: SystemTime) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|m| m > time)
}

/// `cargo slim build …` with the recorded settings (when the manifest is readable)
/// and the selection the user gave `size`, every word shell-quoted.
fn rebuild_command(args: &SizeRequest, recorded: Option<&Manifest>, target: &Target) -> String {
    let s = &args.selection;
    let mut words: Vec<String> = vec!["cargo".into(), "slim".into(), "build".into()];
    let push = |words: &mut Vec<String>, flag: &str, value: String| {
        words.push(flag.into());
        words.push(value);
    };
    if let Some(p) = &s.manifest_path {
        push(&mut words, "--manifest-path", p.display().to_string());
    }
    if let Some(p) = &s.package {
        push(&mut words, "--package", p.clone());
    }
    if let Some(dir) = &s.target_dir {
        push(&mut words, "--target-dir", dir.display().to_string());
    }
    push(&mut words, "--target", target.triple.clone());
    let Some(m) = recorded else {
        return crate::util::shell::join(&words);
    };
    push(&mut words, "--bin", m.package.bin.to_string());
    push(&mut words, "--runtime", m.runtime.to_string());
    let b = &m.build;
    if !b.features.is_empty() {
        let list: Vec<&str> = b.features.iter().map(|f| f.as_str()).collect();
        push(&mut words, "--features", list.join(","));
    }
    words.extend(SETTINGS.iter().flat_map(|row| (row.args)(&b.options)));
    for (flag, on) in [
        ("--all-features", b.all_features),
        ("--no-default-features", b.no_default_features),
    ] {
        if on {
            words.push(flag.into());
        }
    }
    crate::util::shell::join(&words)
}
