//! `cargo slim generate`: find the last build's manifests, turn them into
//! validated functions, render the files asked for and write them without
//! overwriting a file changed by hand.

use std::path::{Path, PathBuf};

use anyhow::Result;
use cargo_metadata::{Metadata, Package, TargetKind};

use crate::generate::deploy::Deploy;
use crate::generate::function::SupplyChainFiles;
use crate::generate::writer::Outcome;
use crate::generate::{self, name, Found, Kind, Request, Workflow};
use crate::model::manifest::Manifest;
use crate::model::options::{BinName, Selection};
use crate::model::target::{Arch, Libc, Target};
use crate::output::{function_dir, OutputDir, OutputFile, TargetDir};
use crate::pipeline::plan;
use crate::pipeline::supply_chain::git;
use crate::ui::Ui;
use crate::util::error::{Exit, SlimError};
use crate::util::{hash, regular_file};

/// One file `generate` considered: the JSON form of its status line.
#[derive(Debug, serde::Serialize)]
struct WrittenFile {
    kind: &'static str,
    path: PathBuf,
    /// created, updated, unchanged, forced or kept.
    outcome: Outcome,
}

/// Write the files `args` asks for from the builds it selects.
pub(crate) fn run(ui: &Ui, args: &Request) -> Result<Exit> {
    let metadata = plan::metadata(&args.selection)?;
    let ws_root = metadata.workspace_root.as_std_path().to_path_buf();
    let found = find_builds(&metadata, &args.selection)?;
    let count = found.len();
    let functions = generate::function::functions(found)?;
    let repo_root = git::repo_root(&ws_root).unwrap_or_else(|| ws_root.clone());
    let workspace_dir = match ws_root.strip_prefix(&repo_root) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => name::check_rel_path("workspace directory", &slash(rel))?,
        Err(_) => ".".to_string(),
    };
    let workflow = Workflow {
        workspace_dir,
        toolchain_file: ["rust-toolchain.toml", "rust-toolchain"]
            .iter()
            .any(|f| ws_root.join(f).is_file()),
        version: env!("CARGO_PKG_VERSION").to_string(),
        install: args.install.clone(),
    };
    let mut written = Vec::new();
    for &kind in &args.kinds {
        let root = if kind == Kind::GithubActions {
            &repo_root
        } else {
            &ws_root
        };
        let path = root.join(kind.path());
        let text = kind.render(&functions, &workflow);
        let outcome = generate::writer::write(&path, &text, args.force)?;
        let shown = path
            .strip_prefix(&ws_root)
            .unwrap_or(&path)
            .display()
            .to_string();
        if outcome == Outcome::Kept {
            ui.warn(format!(
                "{shown} was changed since it was generated (or is not cargo slim's): not overwritten"
            ));
        } else {
            ui.status(
                outcome.verb(),
                format!("{shown} ({kind}, {count} function build(s))"),
            );
        }
        written.push(WrittenFile {
            kind: kind.as_str(),
            path,
            outcome,
        });
    }
    if ui.json() {
        ui.out_json(&written)?;
    }
    let kept: Vec<String> = written
        .iter()
        .filter(|w| w.outcome == Outcome::Kept)
        .map(|w| {
            w.path
                .strip_prefix(&ws_root)
                .unwrap_or(&w.path)
                .display()
                .to_string()
        })
        .collect();
    if !kept.is_empty() {
        return Err(SlimError::GeneratedFileChanged { files: kept }.into());
    }
    if !workflow.toolchain_file && args.kinds.contains(&Kind::GithubActions) {
        ui.warn(
            "no rust-toolchain.toml: the workflow pins the rustc release the manifest recorded",
        );
    }
    Ok(Exit::Success)
}

/// Every manifest of the selected packages, binaries and targets that a build
/// left, each checked against the zip beside it.
fn find_builds(metadata: &Metadata, select: &Selection) -> Result<Vec<Found>> {
    let ws_root = metadata.workspace_root.as_std_path();
    let target_dir = TargetDir::resolve(
        select.target_dir.as_deref(),
        metadata.target_directory.as_std_path(),
    )?;
    let packages: Vec<&Package> = if select.package.is_some() || metadata.root_package().is_some() {
        vec![plan::select_package(metadata, select)?]
    } else {
        metadata
            .workspace_packages()
            .into_iter()
            .filter(|p| p.targets.iter().any(|t| t.is_kind(TargetKind::Bin)))
            .collect()
    };
    let targets = candidate_targets(select);
    let mut found = Vec::new();
    for package in packages {
        let bins = bins_of(package, select)?;
        let deploy = Deploy::from_package_metadata(
            &package.name,
            &package.metadata,
            &metadata.workspace_metadata,
        )?;
        for bin in &bins {
            for target in &targets {
                let dir = target_dir.function(bin, target);
                if !dir.has(OutputFile::Manifest) {
                    continue;
                }
                let path = dir.unlocked(OutputFile::Manifest);
                let manifest = Manifest::read(&path)?;
                check_belongs(&manifest, &path, package, bin, target)?;
                check_zip(&manifest, &dir)?;
                let out_dir = dir
                    .path()
                    .strip_prefix(ws_root)
                    .map(slash)
                    .map_err(|_| outside_workspace(dir.path(), ws_root))?;
                let ci_out_dir = slash(&Path::new("target").join(function_dir(bin, target)));
                // The SBOM and provenance, by our own file names (never a name
                // from the manifest), when the manifest records them and they
                // are there to upload and attest.
                let (sbom, provenance) = (OutputFile::Sbom, OutputFile::Provenance);
                let supply_chain = (manifest.supply_chain.is_some()
                    && dir.has(sbom)
                    && dir.has(provenance))
                .then(|| SupplyChainFiles {
                    sbom: sbom.name().to_string(),
                    provenance: provenance.name().to_string(),
                });
                found.push(Found {
                    manifest,
                    out_dir,
                    ci_out_dir,
                    deploy: deploy.clone(),
                    supply_chain,
                });
            }
        }
    }
    if found.is_empty() {
        return Err(SlimError::NothingBuilt {
            dir: target_dir.path().to_path_buf(),
        }
        .into());
    }
    Ok(found)
}

/// The `--bin` asked for, else every binary of the package.
fn bins_of(package: &Package, select: &Selection) -> Result<Vec<BinName>> {
    Ok(match &select.bin {
        Some(bin) => vec![plan::select_bin(package, Some(bin.as_str()))?],
        None => package
            .targets
            .iter()
            .filter(|t| t.is_kind(TargetKind::Bin))
            .map(|t| t.name.parse::<BinName>())
            .collect::<Result<_, _>>()
            .map_err(|e| SlimError::UnshippableBin {
                package: package.name.to_string(),
                reason: e.to_string(),
            })?,
    })
}

/// `--target` triples, else `--arch` × `--libc`, else every Lambda target.
fn candidate_targets(select: &Selection) -> Vec<Target> {
    if !select.targets.is_empty() {
        return select.targets.clone();
    }
    let arches = if select.arch.is_empty() {
        vec![Arch::Arm64, Arch::X86_64]
    } else {
        select.arch.clone()
    };
    let libcs = match select.libc {
        Some(l) => vec![l],
        None => vec![Libc::Musl, Libc::Gnu],
    };
    arches
        .iter()
        .flat_map(|a| libcs.iter().map(|l| Target::new(*a, *l)))
        .collect()
}

fn check_belongs(
    m: &Manifest,
    path: &Path,
    package: &Package,
    bin: &BinName,
    target: &Target,
) -> Result<()> {
    if m.package.name != package.name.as_str()
        || m.package.bin != *bin
        || m.target.triple != target.triple
    {
        return Err(SlimError::BuildDoesNotMatch {
            path: path.to_path_buf(),
            reason: format!(
                "describes `{}` bin `{}` for {}, not `{}` bin `{bin}` for {}",
                m.package.name.escape_debug(),
                m.package.bin,
                m.target.triple.escape_debug(),
                package.name,
                target.triple
            ),
        }
        .into());
    }
    Ok(())
}

/// The zip beside the manifest must be the one it describes: the generated files
/// point at it and at its hash.
fn check_zip(m: &Manifest, dir: &OutputDir) -> Result<()> {
    let zip = dir.unlocked(OutputFile::Zip);
    // Lambda refuses code over 250 MB unzipped; a bigger file is no function.zip.
    let rebuild = "rebuild with `cargo slim build`, then generate again";
    let bytes = regular_file::read(&zip, &zip, 262_144_000, Some(rebuild))?;
    if hash::sha256_hex(&bytes) != m.zip.sha256 || m.zip.name != OutputFile::Zip.name() {
        return Err(SlimError::BuildDoesNotMatch {
            path: zip,
            reason: "does not match the manifest beside it".into(),
        }
        .into());
    }
    Ok(())
}

fn outside_workspace(dir: &Path, ws_root: &Path) -> anyhow::Error {
    SlimError::BuildOutsideWorkspace {
        dir: dir.to_path_buf(),
        workspace: ws_root.to_path_buf(),
    }
    .into()
}

fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
