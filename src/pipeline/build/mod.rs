//! Building one target, top to bottom: toolchain and linker → one cargo build →
//! preflight → strip → function.zip (and image, SBOM, provenance, size.json) →
//! manifest, written as one consistent set under the output directory's lock.
//! `cargo slim build` (commands/build.rs) and `verify`'s rebuild both run it.

mod invocation;
mod manifest;
mod outputs;
mod preflight_gate;
mod settings;
mod size_reports;
pub(crate) mod summary;

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use cargo_metadata::Metadata;

use crate::model::manifest::{self as manifest_file, Manifest};
use crate::model::options::BinName;
use crate::model::supply_chain::Document;
use crate::model::target::Target;
use crate::model::timestamp::Timestamp;
use crate::model::toolchain::Toolchain;
use crate::output::{OutputDir, OutputFile, BOOTSTRAP};
use crate::pipeline::build::summary::TargetReport;
use crate::pipeline::compile::anchor;
use crate::pipeline::compile::cargo_build::{self, Expect, Invocation};
use crate::pipeline::compile::cargo_config::CargoConfig;
use crate::pipeline::compile::profile::PROFILE;
use crate::pipeline::compile::toolchain;
use crate::pipeline::package::image;
use crate::pipeline::package::{self, Entry};
use crate::pipeline::plan::linked_crates;
use crate::pipeline::plan::{self, Plan};
use crate::pipeline::supply_chain;
use crate::ui::Ui;
use crate::util::error::SlimError;
use invocation::invocation;
use manifest::{manifest_for, Packaged};
use outputs::{write_outputs, Outputs};
use preflight_gate::{run_preflight, Preflight};
use settings::Settings;
use size_reports::SizeReports;

/// What building one target produced.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub target: Target,
    pub bin: BinName,
    /// Where its files are.
    pub dir: OutputDir,
    /// `None` when the preflight refused the binary (nothing was packaged).
    pub manifest: Option<Manifest>,
    pub report: TargetReport,
    /// The container image, with `--image`.
    pub image: Option<image::Image>,
}

/// Things decided once per invocation, shared by every target.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub toolchain: Toolchain,
    pub config: CargoConfig,
    pub timestamp: Timestamp,
    /// Also build the container image (`--image`).
    pub image: Option<image::Request>,
    /// The git state of the workspace, asked once for every target's manifest.
    pub git: Option<manifest_file::Git>,
}

impl Context {
    pub(crate) fn new(ui: &Ui, plan: &Plan) -> Result<Context> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let toolchain = toolchain::detect(&cwd, &plan.target_dir)?;
        if plan.options.build_std {
            toolchain::ensure_build_std(ui, &toolchain)?;
            if toolchain::build_std_env(&toolchain).is_some() {
                ui.status("Note", toolchain::build_std_notice(&toolchain));
            }
        }
        // Include files are read again when packaging; reading them here too
        // reports a missing, special, outside or clashing one before minutes of
        // compiling (for `verify`'s rebuild as well).
        let included = package::includes(&plan.options.include, plan.workspace_root())?;
        if plan.options.image {
            image::check_names(included.iter().map(|e| e.name.as_str()))?;
        }
        Ok(Context {
            toolchain,
            config: CargoConfig::discover(&cwd),
            timestamp: Timestamp::from_env()?,
            image: plan.options.image.then(image::Request::default),
            git: crate::pipeline::supply_chain::git::git_state(plan.workspace_root()),
        })
    }
}

pub(crate) fn build_plan(ui: &Ui, plan: &Plan) -> Result<Vec<Outcome>> {
    let with_image = plan.options.image;
    if with_image {
        for target in &plan.targets {
            image::check_target(target)?;
        }
    }
    // An unwritable output directory is reported before minutes of compiling.
    for target in &plan.targets {
        let dir = plan.output(target);
        dir.ensure_writable()?;
        if with_image {
            dir.check_free(&[OutputFile::ImageLayout, OutputFile::ImageArchive])?;
        }
    }
    if !plan.options.preflight {
        ui.warn("--no-preflight: the binary is not checked against the Lambda runtime");
    }
    let ctx = Context::new(ui, plan)?;
    plan.targets
        .iter()
        .map(|target| build_target(ui, plan, &ctx, target))
        .collect()
}

/// Build, check, strip and package one target.
pub(crate) fn build_target(
    ui: &Ui,
    plan: &Plan,
    ctx: &Context,
    target: &Target,
) -> Result<Outcome> {
    let dir = plan.output(target);
    // Held from before cargo runs until the outputs are written: another run for
    // the same bin and target waits, so the files are always one run's set.
    let locked = dir.lock(ui)?;
    toolchain::ensure_target(ui, &ctx.toolchain, &target.triple, plan.options.build_std)?;
    // What cargo really builds for this target: dependencies of other platforms
    // (a wasm32-only crate declaring `links`) must not make it look like C code.
    // The same resolve gives the linked crates below: cargo is asked once.
    let query = linked_crates_query(plan, target);
    let graph =
        linked_crates::target_metadata(&query, &plan.metadata, !ctx.config.sets_rustflags())?;
    let (settings, inv, exe) = compile(ui, plan, ctx, target, &graph)?;
    let mut full = std::fs::read(&exe).with_context(|| format!("cannot read {}", exe.display()))?;

    let preflight_report = match run_preflight(ui, plan, target, &settings, &full, &exe)? {
        Preflight::Refused(report) => {
            return Ok(Outcome::refused(plan, target, &settings, &full, report))
        }
        Preflight::Passed(report) => report,
    };

    let crates = linked_crates::resolve_from(&query, &graph)?;
    let (stripped, audit) = supply_chain::strip_with_audit_data(&mut full, &crates, &plan.options)?;
    let entries = zip_entries(plan, stripped)?;
    let zip = package::zip(&entries, ctx.timestamp)?;

    let packaged = Packaged {
        entries: &entries,
        full: &full,
        zip: &zip,
        exe: &exe,
    };
    let mut manifest = manifest_for(plan, ctx, target, &settings, &inv, &packaged)?;
    let image = build_image(plan, ctx, target, &entries, &mut manifest)?;
    let sizes = SizeReports::new(ui, &locked, target, &full, &entries, &zip)?;
    manifest.size_report = sizes
        .json
        .as_ref()
        .map(|text| Document::of(OutputFile::SizeReport.name(), text.as_bytes()));
    let docs = supply_chain::documents(&manifest, &crates, audit)?;
    manifest.supply_chain = Some(docs.record.clone());
    write_outputs(
        &locked,
        &Outputs {
            full: &full,
            bootstrap: &entries[0].data,
            zip: &zip,
            docs: &docs,
            image: image.as_ref(),
            size_json: sizes.json.as_deref(),
        },
        &manifest,
    )?;

    let top_crates = sizes
        .file
        .as_ref()
        .map(|f| f.top_crates(5))
        .unwrap_or_default();
    let mut report = TargetReport::from_manifest(&manifest, &dir, top_crates, preflight_report);
    report.budget = sizes.verdict(target, &plan.budgets);
    drop(locked);
    Ok(Outcome {
        target: target.clone(),
        bin: plan.bin.clone(),
        dir,
        manifest: Some(manifest),
        report,
        image,
    })
}

/// What goes into function.zip: the stripped bootstrap first (mode 0755), then
/// the `--include` files.
fn zip_entries(plan: &Plan, stripped: Vec<u8>) -> Result<Vec<Entry>> {
    let mut entries = vec![Entry {
        name: BOOTSTRAP.into(),
        mode: 0o755,
        data: stripped,
    }];
    entries.extend(package::includes(
        &plan.options.include,
        plan.workspace_root(),
    )?);
    Ok(entries)
}

/// Decide the settings for one target and run cargo with them, the sources
/// seen through the anchor while it runs when path dependencies live outside
/// the workspace (pipeline/compile/anchor.rs); the path of the executable it linked.
fn compile(
    ui: &Ui,
    plan: &Plan,
    ctx: &Context,
    target: &Target,
    graph: &Metadata,
) -> Result<(Settings, Invocation, PathBuf)> {
    let held = match anchor::needed(&plan.metadata.packages, plan.workspace_root()) {
        None => None,
        Some(Ok(a)) => anchor::hold(ui, &a)?,
        Some(Err(why)) => {
            ui.warn(format!(
                "{why}: the crate hashes cargo gives them, and so the bytes, depend on where \
                 they are (docs/reproducibility.md)"
            ));
            None
        }
    };
    let anchor = held.as_ref().map(|h| &h.anchor);
    let settings = Settings::decide(ui, plan, ctx, target, graph, anchor)?;
    let inv = invocation(ui, plan, ctx, target, &settings);
    let exe = run_cargo(ui, plan, target, &inv, graph, &settings)?;
    Ok((settings, inv, exe))
}

/// Run cargo for one target, saying so; the path of the executable it linked.
fn run_cargo(
    ui: &Ui,
    plan: &Plan,
    target: &Target,
    inv: &Invocation,
    graph: &Metadata,
    settings: &Settings,
) -> Result<PathBuf> {
    ui.verbose(format!("running {}", inv.display()));
    ui.status(
        "Building",
        format!("{} for {target} ({} profile)", plan.bin, PROFILE),
    );
    let units = cargo_build::estimate_units(graph, &plan.package.id);
    cargo_build::run(
        ui,
        inv,
        &Expect {
            package: &settings.package_id(plan),
            bin: plan.bin.as_str(),
            units,
            label: &target.triple,
        },
    )
}

/// With `--image`: the OCI image of the zip's entries, recorded in the manifest.
fn build_image(
    plan: &Plan,
    ctx: &Context,
    target: &Target,
    entries: &[Entry],
    manifest: &mut Manifest,
) -> Result<Option<image::Image>> {
    let Some(request) = &ctx.image else {
        return Ok(None);
    };
    let revision = manifest.inputs.git.as_ref().map(|g| g.commit.as_str());
    let labels = request.labels.clone().unwrap_or_else(|| {
        image::labels(
            &manifest.package.version,
            plan.bin.as_str(),
            plan.package.repository.as_deref(),
            revision,
        )
    });
    let image = image::build(&image::Input {
        target,
        entries,
        timestamp: ctx.timestamp,
        labels,
    })?;
    manifest.image = Some(image.record());
    Ok(Some(image))
}

/// What to ask cargo about the crates linked for `target`: the build's own
/// package, feature and lock-file selection.
fn linked_crates_query<'p>(plan: &'p Plan, target: &'p Target) -> linked_crates::Query<'p> {
    let s = &plan.selection;
    let cargo_flags = [
        ("--locked", s.locked),
        ("--frozen", s.frozen),
        ("--offline", s.offline),
    ]
    .into_iter()
    .filter_map(|(flag, on)| on.then_some(flag))
    .collect();
    linked_crates::Query {
        manifest_path: plan.manifest_path(),
        package: &plan.package.id,
        triple: &target.triple,
        features: plan::feature_args(&s.features),
        all_features: s.features.all,
        no_default_features: s.features.no_default,
        cargo_flags,
        workspace_root: plan.workspace_root(),
        target_dir: plan.target_dir.path(),
    }
}

/// The error for a target whose build left nothing to analyse or verify.
pub(crate) fn not_built(plan: &Plan, target: &Target) -> anyhow::Error {
    SlimError::NotBuilt {
        bin: plan.bin.to_string(),
        target: target.to_string(),
        dir: plan.output(target).path().to_path_buf(),
    }
    .into()
}
