//! Plan: what to build, decided once from the command line, the package's
//! `[package.metadata.slim]` / `[workspace.metadata.slim]` and cargo's metadata.
//! Precedence, per setting: command line, then package metadata, then workspace
//! metadata, then our defaults.

mod build_graph;
pub(crate) mod linked_crates;
mod metadata_query;
pub(crate) mod metadata_tables;
mod package_selection;
mod platform_filter;
mod targets;

use std::path::Path;

use anyhow::{Context, Result};
use cargo_metadata::{Metadata, Package};

use crate::model::budget::{BudgetRule, Budgets};
use crate::model::manifest::Manifest;
use crate::model::options::{
    self, BinName, Features, Layer, Options, Paths, RequestedOptions, Selection,
};
use crate::model::target::{Runtime, Target};
use crate::output::{OutputDir, TargetDir};
use crate::pipeline::plan::metadata_tables::MetadataTables;
use crate::ui::Ui;
pub(crate) use build_graph::build_graph;
pub(crate) use metadata_query::{
    feature_args, metadata, metadata_for_target, run as run_metadata, workspace_manifest,
    Failure as MetadataFailure,
};
pub(crate) use package_selection::{select_bin, select_package};
pub(crate) use platform_filter::filter_for_target;
use targets::resolve_targets;

/// Everything the build needs to know, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub metadata: Metadata,
    pub package: Package,
    pub bin: BinName,
    pub targets: Vec<Target>,
    pub runtime: Runtime,
    pub target_dir: TargetDir,
    pub selection: Selection,
    pub options: Options,
    /// Size budgets in force (not recorded in the manifest: they judge a build,
    /// they do not shape it).
    pub budgets: Budgets,
}

/// Resolve a plan for `select` and the build options.
pub(crate) fn plan(ui: &Ui, select: &Selection, opts: &RequestedOptions) -> Result<Plan> {
    let metadata = metadata(select)?;
    let package = select_package(&metadata, select)?.clone();
    let bin = select_bin(&package, select.bin.as_ref().map(BinName::as_str))?;

    let meta = MetadataTables::read(&package.metadata, &metadata.workspace_metadata)?;
    let runtime = match select.runtime {
        Some(r) => r,
        None => meta
            .parse::<Runtime>("runtime", |m| m.runtime.clone())?
            .unwrap_or_default(),
    };
    let targets = resolve_targets(select, &meta)?;
    let options = resolve_options(opts, &meta, &metadata, &package)?;
    let budgets = budgets(opts.budgets.clone(), &meta)?;

    let target_dir = TargetDir::resolve(
        select.target_dir.as_deref(),
        metadata.target_directory.as_std_path(),
    )?;
    ui.verbose(format!(
        "package {} {}, bin `{bin}`, targets {}, runtime {runtime}",
        package.name,
        package.version,
        targets
            .iter()
            .map(|t| t.triple.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(Plan {
        metadata,
        package,
        bin,
        targets,
        runtime,
        target_dir,
        selection: select.clone(),
        options,
        budgets,
    })
}

/// The build options, by the settings table's one merge rule: each the command
/// line's, else the package's table's, else the workspace's, else our default;
/// then checked against each other. Paths in `--include` are relative to the
/// working directory, in a table to the table's Cargo.toml.
fn resolve_options(
    opts: &RequestedOptions,
    meta: &MetadataTables,
    metadata: &Metadata,
    package: &Package,
) -> Result<Options> {
    let ws_root = metadata.workspace_root.as_std_path();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let package_dir = package
        .manifest_path
        .parent()
        .map_or(ws_root, |p| p.as_std_path());
    let mut layers = vec![Layer {
        source: options::Source::CommandLine,
        paths: Paths::new(&cwd, ws_root),
        values: opts.given.clone(),
    }];
    layers.extend(meta.option_layers(package_dir, ws_root));
    options::merge(&layers)
}

/// The budgets in force: the command line's rules, then the package's `budget`
/// table, then the workspace's; [`Budgets::limit`] picks per target and kind.
fn budgets(flags: Vec<BudgetRule>, meta: &MetadataTables) -> Result<Budgets> {
    let mut rules = flags;
    rules.extend(meta.budget_rules()?);
    Ok(Budgets { rules })
}

impl Plan {
    /// The plan that rebuilds what `recorded` describes, into `target_dir`: the
    /// recorded (typed, already validated) options, features, runtime, bin and
    /// target, always `--locked`. Nothing else of the record is used: recorded
    /// rustflags and the cargo command are for comparison only.
    pub(crate) fn rebuild_of(&self, recorded: &Manifest, target_dir: TargetDir) -> Result<Plan> {
        let mut plan = self.clone();
        plan.bin = select_bin(&self.package, Some(recorded.package.bin.as_str()))
            .context("the manifest's `package.bin` is not a binary of this package")?;
        plan.options = recorded.build.options.clone();
        plan.selection.features = Features {
            list: recorded.build.features.clone(),
            all: recorded.build.all_features,
            no_default: recorded.build.no_default_features,
        };
        plan.selection.locked = true;
        plan.runtime = recorded.runtime;
        plan.target_dir = target_dir;
        plan.targets = vec![recorded.target.clone()];
        Ok(plan)
    }

    /// Where `target`'s outputs go: `<target-dir>/cargo-slim/<bin>/<triple>/`.
    pub(crate) fn output(&self, target: &Target) -> OutputDir {
        self.target_dir.function(&self.bin, target)
    }

    pub(crate) fn workspace_root(&self) -> &Path {
        self.metadata.workspace_root.as_std_path()
    }

    pub(crate) fn manifest_path(&self) -> &Path {
        self.package.manifest_path.as_std_path()
    }
}
