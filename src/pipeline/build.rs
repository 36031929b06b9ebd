//! Building one target, top to bottom: toolchain and linker → one cargo build →
//! preflight → strip → function.zip (and image, SBOM, provenance, size.json) →
//! manifest, written as one consistent set under the output directory's lock.
//! `cargo slim build` (commands/build.rs) and `verify`'s rebuild both run it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::model::budget::Budgets;
use crate::model::manifest::{
    self, BuildInfo, Digest, FileEntry, Inputs, Manifest, PackageInfo, Tool, ZipInfo,
};
use crate::model::supply_chain::Document;
use crate::model::target::Target;
use crate::pipeline::cargo_build::{self, Expect, Invocation};
use crate::pipeline::cargo_config::CargoConfig;
use crate::pipeline::image;
use crate::pipeline::linked_crates;
use crate::pipeline::linker::{self, Linker, LinkerKind};
use crate::pipeline::package::{self, Entry, Timestamp};
use crate::pipeline::plan::{self, Plan};
use crate::pipeline::profile::{self, PROFILE};
use crate::pipeline::report::{TargetOutcome, TargetReport};
use crate::pipeline::rustflags;
use crate::pipeline::toolchain::{self, Toolchain};
use crate::pipeline::{provenance, sbom, supply_chain};
use crate::preflight;
use crate::size::budget::{self, BudgetVerdict, Figures};
use crate::size::size_report::{self, SizeFile};
use crate::ui::Ui;
use crate::util::error::SlimError;
use crate::util::{atomic, hash, lock};

#[derive(Debug, Clone)]
pub struct Built {
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
    pub fn at(out_dir: PathBuf, target: Target, bin: String) -> Built {
        Built {
            bootstrap: out_dir.join("bootstrap"),
            full: out_dir.join("bootstrap.full"),
            zip: out_dir.join("function.zip"),
            manifest: out_dir.join(manifest::FILE_NAME),
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
pub struct Outcome {
    pub built: Built,
    /// `None` when the preflight refused the binary (nothing was packaged).
    pub manifest: Option<Manifest>,
    pub report: TargetReport,
    /// The container image, with `--image`.
    pub image: Option<image::Image>,
}

/// Things decided once per invocation, shared by every target.
#[derive(Debug, Clone)]
pub struct Context {
    pub toolchain: Toolchain,
    pub config: CargoConfig,
    pub timestamp: Timestamp,
    /// Also build the container image (`--image`).
    pub image: Option<image::Request>,
    /// The git state of the workspace, asked once for every target's manifest.
    pub git: Option<manifest::Git>,
}

impl Context {
    pub fn new(ui: &Ui, plan: &Plan) -> Result<Context> {
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
            git: manifest::git_state(plan.workspace_root()),
        })
    }
}

pub fn build_plan(ui: &Ui, plan: &Plan) -> Result<Vec<Outcome>> {
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
pub fn build_target(ui: &Ui, plan: &Plan, ctx: &Context, target: &Target) -> Result<Outcome> {
    let out_dir = plan.out_dir(target);
    // Held from before cargo runs until the outputs are written: another run for
    // the same bin and target waits, so the files are always one run's set.
    let _lock = lock_out_dir(ui, &out_dir)?;
    let build_std = plan.options.build_std;
    toolchain::ensure_target(ui, &ctx.toolchain, &target.triple, build_std)?;
    // What cargo really builds for this target: dependencies of other platforms
    // (a wasm32-only crate declaring `links`) must not make it look like C code.
    // The same resolve gives the linked crates below: cargo is asked once.
    let query = linked_crates_query(plan, target);
    let graph = linked_crates::target_metadata(&query)?;
    let c_crates = linker::c_building_crates(&graph, &plan.package.id);
    let linker = linker::choose(
        &ctx.toolchain,
        plan.options.linker,
        target,
        plan.runtime,
        &ctx.config,
        &c_crates,
    )?;
    ui.verbose(format!(
        "{target}: linker {} — {}",
        linker.program, linker.reason
    ));

    let ws = plan.workspace_root();
    let rust_src = toolchain::rust_src(&ctx.toolchain);
    let remaps = rustflags::remaps(
        ws,
        crate::pipeline::cargo_config::cargo_home().as_deref(),
        &plan.target_dir,
        build_std.then_some((rust_src.as_path(), ctx.toolchain.commit_hash.as_str())),
    );
    let cpu = plan.options.cpu.as_ref().map(|c| c.as_str());
    let flags = rustflags::ours(&remaps, cpu, plan.options.panic, &linker);
    let flags = rustflags::merge(
        flags,
        rustflags::user_env_flags(),
        &target.triple,
        &ctx.config,
    );
    let profile = profile::plan(&plan.options, ws, &ctx.config);
    if !profile.user_keys.is_empty() {
        ui.verbose(format!(
            "[profile.slim] keys of yours kept: {}",
            profile.user_keys.join(", ")
        ));
    }

    let inv = invocation(ui, plan, ctx, target, &linker, &flags, &profile, &remaps);
    ui.verbose(format!("running {}", inv.display()));
    ui.status(
        "Building",
        format!("{} for {target} ({} profile)", plan.bin, PROFILE),
    );
    let units = cargo_build::estimate_units(&graph, &plan.package.id);
    let exe = cargo_build::run(
        ui,
        &inv,
        &Expect {
            package: &plan.package.id,
            bin: plan.bin.as_str(),
            units,
            label: &target.triple,
        },
    )?;
    let full = std::fs::read(&exe).with_context(|| format!("cannot read {}", exe.display()))?;

    let built = Built::at(out_dir.clone(), target.clone(), plan.bin.to_string());
    let preflight_report = if plan.options.preflight {
        let linkage =
            preflight::Linkage::of_build(&target.triple, &linker.cargo_target, plan.runtime);
        let report =
            preflight::check_elf_as_linked(&full, Some(target.arch), plan.runtime, &linkage)?;
        if !report.passed() {
            if !ui.json() {
                eprint!("{}", report.render_human());
            }
            ui.warn(format!(
                "{target}: the preflight failed, so nothing was packaged; the binary is at {}",
                exe.display()
            ));
            let target_report = TargetReport {
                target: target.triple.clone(),
                linker: linker.program.clone(),
                out_dir: out_dir.clone(),
                bootstrap_bytes: full.len() as u64,
                unstripped_bytes: full.len() as u64,
                top_crates: Vec::new(),
                outcome: TargetOutcome::PreflightFailed(report),
                budget: None,
            };
            return Ok(Outcome {
                built,
                manifest: None,
                report: target_report,
                image: None,
            });
        }
        Some(report)
    } else {
        None
    };

    let crates = linked_crates::resolve_from(&query, &graph)?;
    let (stripped, audit) = supply_chain::strip_with_audit_data(&full, &crates, &plan.options)?;
    let mut entries = vec![Entry {
        name: "bootstrap".into(),
        mode: 0o755,
        data: stripped,
    }];
    entries.extend(package::includes(&plan.options.include, ws)?);
    let zip = package::zip(&entries, ctx.timestamp)?;

    let mut manifest = manifest_for(
        plan, ctx, target, &linker, &flags, &profile, &inv, &remaps, &entries, &full, &zip,
    )?;
    manifest.inputs.sources = crate::pipeline::sources::record(&exe, ws, &plan.target_dir);
    let image = if let Some(request) = &ctx.image {
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
            entries: &entries,
            timestamp: ctx.timestamp,
            labels,
        })?;
        manifest.image = Some(image.record());
        Some(image)
    } else {
        None
    };
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

/// This build's size report (`size.json`) and the previous build's, read before
/// it is replaced: the baseline that names the crates that grew when a budget is
/// exceeded.
struct SizeReports {
    shipped: Figures,
    file: Option<SizeFile>,
    json: Option<String>,
    previous: Option<SizeFile>,
}

impl SizeReports {
    fn new(ui: &Ui, built: &Built, full: &[u8], entries: &[Entry], zip: &[u8]) -> Result<Self> {
        let target = &built.target;
        let shipped = Figures {
            bootstrap: entries.first().map(|e| e.data.len() as u64),
            zip: Some(zip.len() as u64),
            unzipped: Some(entries.iter().map(|e| e.data.len() as u64).sum()),
        };
        // The summary's crates come from the same analysis; a binary it cannot
        // read still ships (the preflight read it), without a size.json.
        let bootstrap = entries.first().map(|e| e.data.as_slice());
        let file = match SizeFile::for_build(full, bootstrap, &target.triple, shipped) {
            Ok(file) => Some(file),
            Err(e) => {
                ui.warn(format!("{target}: no {}: {e:#}", size_report::FILE_NAME));
                None
            }
        };
        let json = file.as_ref().map(SizeFile::to_json).transpose()?;
        let previous = size_report::read(&built.out_dir.join(size_report::FILE_NAME))
            .ok()
            .filter(|p| p.target.as_deref() == Some(target.triple.as_str()));
        Ok(SizeReports {
            shipped,
            file,
            json,
            previous,
        })
    }

    /// The budgets checked against this build, growth against the previous one;
    /// `None` when no budget is set and Lambda's limits are met.
    fn verdict(&self, target: &Target, budgets: &Budgets) -> Option<BudgetVerdict> {
        let baseline = self
            .previous
            .as_ref()
            .zip(self.file.as_ref())
            .map(|(old, new)| {
                (
                    "the previous build".to_string(),
                    budget::growth(&old.crate_sizes(), &new.crate_sizes(), 3),
                )
            });
        let verdict = budget::check(Some(target), budgets, &self.shipped, baseline);
        (verdict.status != "none").then_some(verdict)
    }
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

/// The cargo command line for one target.
#[allow(clippy::too_many_arguments)]
fn invocation(
    ui: &Ui,
    plan: &Plan,
    ctx: &Context,
    target: &Target,
    linker: &Linker,
    flags: &rustflags::Rustflags,
    profile: &profile::ProfilePlan,
    remaps: &[(PathBuf, String)],
) -> Invocation {
    let (program, mut args) = match linker.kind {
        LinkerKind::Zig => ("cargo-zigbuild".into(), vec!["build".to_string()]),
        _ => (toolchain::cargo_program(), vec!["build".to_string()]),
    };
    let s = &plan.selection;
    args.extend([
        "--profile".into(),
        PROFILE.into(),
        "--target".into(),
        linker.cargo_target.clone(),
        "--manifest-path".into(),
        plan.manifest_path().display().to_string(),
        "--package".into(),
        plan.package.id.repr.clone(),
        "--bin".into(),
        plan.bin.to_string(),
        "--target-dir".into(),
        plan.target_dir.display().to_string(),
    ]);
    let features = plan::feature_args(&s.features);
    if !features.is_empty() {
        args.push("--features".into());
        args.push(features.join(","));
    }
    for (flag, on) in [
        ("--all-features", s.features.all),
        ("--no-default-features", s.features.no_default),
        ("--locked", s.locked),
        ("--frozen", s.frozen),
        ("--offline", s.offline),
    ] {
        if on {
            args.push(flag.into());
        }
    }
    let mut output_args = vec![
        "--message-format".to_string(),
        "json-render-diagnostics".to_string(),
        "--color".to_string(),
        ui.color.as_str().to_string(),
    ];
    if ui.quiet || ui.progress_bars() {
        output_args.push("--quiet".into());
    } else if ui.verbose > 1 {
        output_args.push("--verbose".into());
    }
    let config = profile
        .config_args()
        .into_iter()
        .chain(linker.config_args(&target.triple))
        .chain(flags.config_args.iter().cloned());
    for c in config {
        args.push("--config".into());
        args.push(c);
    }
    let mut env = rustflags::c_flags_env(remaps, &target.triple);
    if plan.options.build_std {
        // Panic messages stay unless --panic immediate-abort (a rustflag).
        args.extend([
            "-Zbuild-std=std,panic_abort".into(),
            "-Zbuild-std-features=optimize_for_size".into(),
        ]);
        env.extend(toolchain::build_std_env(&ctx.toolchain));
    }
    if let Some(encoded) = &flags.encoded_env {
        env.push(("CARGO_ENCODED_RUSTFLAGS".to_string(), encoded.clone()));
    }
    Invocation {
        program,
        args,
        output_args,
        env,
    }
}

/// Replace absolute paths by the placeholders our remapping gives them.
fn sanitize(text: &str, remaps: &[(PathBuf, String)]) -> String {
    let mut out = text.to_string();
    for (from, to) in remaps.iter().rev() {
        out = out.replace(&from.display().to_string(), to);
    }
    out
}

/// Like [`sanitize`], but a remap flag's own source path is written as its
/// placeholder (`--remap-path-prefix={workspace}=/build`), which reads better
/// than `/build=/build`.
fn sanitize_flag(flag: &str, remaps: &[(PathBuf, String)]) -> String {
    for (from, to) in remaps {
        if flag == format!("--remap-path-prefix={}={to}", from.display()) {
            return format!("--remap-path-prefix={}={to}", rustflags::placeholder(to));
        }
    }
    sanitize(flag, remaps)
}

#[allow(clippy::too_many_arguments)]
fn manifest_for(
    plan: &Plan,
    ctx: &Context,
    target: &Target,
    linker: &Linker,
    flags: &rustflags::Rustflags,
    profile: &profile::ProfilePlan,
    inv: &Invocation,
    remaps: &[(PathBuf, String)],
    entries: &[Entry],
    full: &[u8],
    zip: &[u8],
) -> Result<Manifest> {
    let ws = plan.workspace_root();
    let mut files: Vec<FileEntry> = entries
        .iter()
        .map(|e| FileEntry {
            name: e.name.clone(),
            mode: format!("{:04o}", e.mode),
            size: e.data.len() as u64,
            sha256: hash::sha256_hex(&e.data),
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let lock = std::fs::read(ws.join("Cargo.lock")).ok();
    // The program by name only: `$CARGO` is an absolute path into this machine.
    let program = Path::new(&inv.program)
        .file_name()
        .map_or_else(|| inv.program.to_string_lossy(), |n| n.to_string_lossy());
    let mut command = vec![program.into_owned()];
    command.extend(inv.args.iter().map(|a| {
        if a == &plan.package.id.repr {
            plan.package.name.to_string()
        } else {
            sanitize(a, remaps)
        }
    }));
    let features = &plan.selection.features;
    Ok(Manifest {
        schema: manifest::SCHEMA,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        package: PackageInfo {
            name: plan.package.name.to_string(),
            version: plan.package.version.to_string(),
            bin: plan.bin.clone(),
            manifest: relative(plan.manifest_path(), ws),
        },
        target: target.clone(),
        runtime: plan.runtime,
        toolchain: ctx.toolchain.clone(),
        linker: linker.clone(),
        build: BuildInfo {
            options: plan.options.clone(),
            features: features.list.clone(),
            all_features: features.all,
            no_default_features: features.no_default,
            profile: profile.clone(),
            rustflags: flags
                .ours
                .iter()
                .map(|f| sanitize_flag(f, remaps))
                .collect(),
            user_rustflags: flags.user_env.iter().map(|f| sanitize(f, remaps)).collect(),
            command,
            compression: package::COMPRESSION.into(),
            timestamp: ctx.timestamp,
        },
        inputs: Inputs {
            cargo_lock_sha256: lock.map(|l| hash::sha256_hex(&l)),
            git: ctx.git.clone(),
            sources: Vec::new(),
        },
        files,
        sections: crate::artifact::elf::section_hashes(&entries[0].data)?,
        unstripped: Digest {
            size: full.len() as u64,
            sha256: hash::sha256_hex(full),
        },
        zip: ZipInfo {
            name: "function.zip".into(),
            size: zip.len() as u64,
            sha256: hash::sha256_hex(zip),
            code_sha256: hash::code_sha256(zip),
        },
        supply_chain: None,
        image: None,
        size_report: None,
    })
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Write the outputs so that at no moment does a manifest or checksum describe a
/// zip that is not there: the old manifest and checksum go first, then the new
/// files (each atomically), then the new checksum, then the new manifest.
/// Everything one target's build writes besides its manifest and checksum.
struct Outputs<'a> {
    full: &'a [u8],
    bootstrap: &'a [u8],
    zip: &'a [u8],
    docs: &'a supply_chain::Documents,
    image: Option<&'a image::Image>,
    size_json: Option<&'a str>,
}

fn write_outputs(built: &Built, out: &Outputs<'_>, manifest: &Manifest) -> Result<()> {
    let Outputs {
        full,
        bootstrap,
        zip,
        docs,
        image,
        size_json,
    } = *out;
    let sha_path = built.out_dir.join("function.zip.sha256");
    let size_path = built.out_dir.join(size_report::FILE_NAME);
    atomic::remove_if_exists(&built.manifest)?;
    atomic::remove_if_exists(&sha_path)?;
    atomic::write(&built.full, full, 0o755)?;
    atomic::write(&built.bootstrap, bootstrap, 0o755)?;
    atomic::write(&built.zip, zip, 0o644)?;
    atomic::write(&built.sbom, &docs.sbom, 0o644)?;
    atomic::write(&built.provenance, &docs.provenance, 0o644)?;
    match image {
        Some(image) => image::write(&built.out_dir, image)?,
        None => image::remove(&built.out_dir)?,
    }
    match size_json {
        Some(text) => atomic::write(&size_path, text.as_bytes(), 0o644)?,
        None => atomic::remove_if_exists(&size_path)?,
    }
    let line = format!("{}  function.zip\n", manifest.zip.sha256);
    atomic::write(&sha_path, line.as_bytes(), 0o644)?;
    atomic::write(&built.manifest, manifest.to_json()?.as_bytes(), 0o644)?;
    Ok(())
}

/// The error for a target whose build left nothing to analyse or verify.
pub fn not_built(built: &Built) -> anyhow::Error {
    SlimError::NotBuilt {
        bin: built.bin.clone(),
        target: built.target.to_string(),
        dir: built.out_dir.clone(),
    }
    .into()
}
