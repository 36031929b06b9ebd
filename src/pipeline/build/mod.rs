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

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use cargo_metadata::Metadata;

use crate::model::manifest::{self as manifest_file, Manifest};
use crate::model::supply_chain::Document;
use crate::model::target::Target;
use crate::model::timestamp::Timestamp;
use crate::model::toolchain::Toolchain;
use crate::pipeline::cargo_build::{self, Expect, Invocation};
use crate::pipeline::cargo_config::CargoConfig;
use crate::pipeline::image;
use crate::pipeline::linked_crates;
use crate::pipeline::package::{self, Entry};
use crate::pipeline::plan::{self, Plan};
use crate::pipeline::profile::PROFILE;
use crate::pipeline::report::TargetReport;
use crate::pipeline::supply_chain;
use crate::pipeline::toolchain;
use crate::pipeline::{provenance, sbom};
use crate::size::size_report;
use crate::ui::Ui;
use crate::util::error::SlimError;
use crate::util::{atomic, lock};
use invocation::invocation;
use manifest::{manifest_for, Packaged};
use outputs::{write_outputs, Outputs};
use preflight_gate::{run_preflight, Preflight};
use settings::Settings;
use size_reports::SizeReports;

#[derive(Debug, Clone)]
pub(crate) struct Built {
    pub target: Target,
    pub bin: String,
    pub out_dir: PathBuf,
    /// Stripped, shipped executable.
    pub bootstrap: PathBuf,
    /// The same link with symbols kept, for `cargo slim size`.
    pub full: PathBuf,
    pub zip: PathBuf,
    pub manifest: PathBuf,
    /// function.cdx.json and function.intoto.json.
    pub sbom: PathBuf,
    pub provenance: PathBuf,
}

impl Built {
    pub(crate) fn at(out_dir: PathBuf, target: Target, bin: String) -> Built {
        Built {
            bootstrap: out_dir.join("bootstrap"),
            full: out_dir.join("bootstrap.full"),
            zip: out_dir.join("function.zip"),
            manifest: out_dir.join(manifest_file::FILE_NAME),
            sbom: out_dir.join(sbom::FILE_NAME),
            provenance: out_dir.join(provenance::FILE_NAME),
            out_dir,
            target,
            bin,
        }
    }
}

/// What building one target produced.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub built: Built,
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
        package::includes(&plan.options.include, plan.workspace_root())?;
        Ok(Context {
            toolchain,
            config: CargoConfig::discover(&cwd),
            timestamp: Timestamp::from_env()?,
            image: plan.options.image.then(image::Request::default),
            git: manifest_file::git_state(plan.workspace_root()),
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
        atomic::ensure_writable_dir(&plan.out_dir(target))?;
        if with_image {
            image::check_writable(&plan.out_dir(target))?;
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
    let out_dir = plan.out_dir(target);
    // Held from before cargo runs until the outputs are written: another run for
    // the same bin and target waits, so the files are always one run's set.
    let _lock = lock_out_dir(ui, &out_dir)?;
    toolchain::ensure_target(ui, &ctx.toolchain, &target.triple, plan.options.build_std)?;
    // What cargo really builds for this target: dependencies of other platforms
    // (a wasm32-only crate declaring `links`) must not make it look like C code.
    // The same resolve gives the linked crates below: cargo is asked once.
    let query = linked_crates_query(plan, target);
    let graph =
        linked_crates::target_metadata(&query, &plan.metadata, !ctx.config.sets_rustflags())?;
    let settings = Settings::decide(ui, plan, ctx, target, &graph)?;
    let inv = invocation(ui, plan, ctx, target, &settings);
    let exe = run_cargo(ui, plan, target, &inv, &graph)?;
    let full = std::fs::read(&exe).with_context(|| format!("cannot read {}", exe.display()))?;

    let built = Built::at(out_dir.clone(), target.clone(), plan.bin.to_string());
    let preflight_report = match run_preflight(ui, plan, target, &settings.linker, &full, &exe)? {
        Preflight::Refused(report) => return Ok(Outcome::refused(built, &settings, &full, report)),
        Preflight::Passed(report) => report,
    };

    let crates = linked_crates::resolve_from(&query, &graph)?;
    let (stripped, audit) = supply_chain::strip_with_audit_data(&full, &crates, &plan.options)?;
    let entries = zip_entries(plan, stripped)?;
    let zip = package::zip(&entries, ctx.timestamp)?;

    let packaged = Packaged {
        entries: &entries,
        full: &full,
        zip: &zip,
    };
    let mut manifest = manifest_for(plan, ctx, target, &settings, &inv, &packaged)?;
    manifest.inputs.sources =
        crate::pipeline::sources::record(&exe, plan.workspace_root(), &plan.target_dir);
    let image = build_image(plan, ctx, target, &entries, &mut manifest)?;
    let sizes = SizeReports::new(ui, &built, &full, &entries, &zip)?;
    manifest.size_report = sizes
        .json
        .as_ref()
        .map(|text| Document::of(size_report::FILE_NAME, text.as_bytes()));
    let docs = supply_chain::documents(&manifest, &crates, audit)?;
    manifest.supply_chain = Some(docs.record.clone());
    write_outputs(
        &built,
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
    let mut report = TargetReport::from_manifest(&manifest, out_dir, top_crates, preflight_report);
    report.budget = sizes.verdict(&built.target, &plan.budgets);
    Ok(Outcome {
        built,
        manifest: Some(manifest),
        report,
        image,
    })
}

/// What goes into function.zip: the stripped bootstrap first (mode 0755), then
/// the `--include` files.
fn zip_entries(plan: &Plan, stripped: Vec<u8>) -> Result<Vec<Entry>> {
    let mut entries = vec![Entry {
        name: "bootstrap".into(),
        mode: 0o755,
        data: stripped,
    }];
    entries.extend(package::includes(
        &plan.options.include,
        plan.workspace_root(),
    )?);
    Ok(entries)
}

/// Run cargo for one target, saying so; the path of the executable it linked.
fn run_cargo(
    ui: &Ui,
    plan: &Plan,
    target: &Target,
    inv: &Invocation,
    graph: &Metadata,
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
            package: &plan.package.id,
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

/// Take the output directory's lock, saying so when another run holds it (as
/// cargo says "Blocking waiting for file lock on build directory").
/// Also clears the temporary files a killed run left there: with the lock held,
/// no live run is writing them.
pub(crate) fn lock_out_dir(ui: &Ui, out_dir: &Path) -> Result<lock::DirLock> {
    atomic::ensure_writable_dir(out_dir)?;
    let lock = lock::exclusive(out_dir, |path| {
        ui.status(
            "Blocking",
            format!("waiting for file lock on {}", path.display()),
        );
    })?;
    let removed = atomic::remove_stale_temporaries(out_dir)?;
    if removed > 0 {
        ui.verbose(format!(
            "removed {removed} temporary file(s) an interrupted run left in {}",
            out_dir.display()
        ));
    }
    Ok(lock)
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
        target_dir: &plan.target_dir,
    }
}

/// The error for a target whose build left nothing to analyse or verify.
pub(crate) fn not_built(built: &Built) -> anyhow::Error {
    SlimError::NotBuilt {
        bin: built.bin.clone(),
        target: built.target.to_string(),
        dir: built.out_dir.clone(),
    }
    .into()
}
