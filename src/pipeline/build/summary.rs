//! The end-of-build summary: a block per target for people (stderr), one JSON
//! document for programs (stdout). Both come from [`TargetReport`].

use std::path::PathBuf;

use serde::Serialize;

use crate::model::manifest::Manifest;
use crate::model::supply_chain::SupplyChain;
use crate::output::{OutputDir, OutputFile, BOOTSTRAP};
use crate::preflight::PreflightReport;
use crate::size::budget::BudgetVerdict;
use crate::size::CrateSize;
use crate::ui::table;
use crate::ui::Ui;

/// One target's outcome. Serialised through [`TargetReportJson`], whose flat shape
/// (with `null`s when nothing was packaged) is the documented JSON summary.
#[derive(Debug, Clone, Serialize)]
#[serde(into = "TargetReportJson")]
pub(crate) struct TargetReport {
    pub target: String,
    pub linker: String,
    pub out_dir: PathBuf,
    pub bootstrap_bytes: u64,
    pub unstripped_bytes: u64,
    pub top_crates: Vec<CrateSize>,
    pub outcome: TargetOutcome,
    /// The size budgets checked (None when nothing was packaged).
    pub budget: Option<BudgetVerdict>,
}

/// Packaged, or refused by the preflight (and then nothing was written).
#[derive(Debug, Clone)]
pub(crate) enum TargetOutcome {
    Packaged {
        zip: Packaged,
        preflight: Option<PreflightReport>,
        /// The container image, with `--image`.
        image: Option<PackagedImage>,
    },
    PreflightFailed(PreflightReport),
}

/// The image a target's `--image` build wrote beside its zip.
#[derive(Debug, Clone)]
pub(crate) struct PackagedImage {
    /// `image.tar`, the oci-archive.
    pub path: PathBuf,
    pub bytes: u64,
    /// The image manifest's digest.
    pub digest: String,
}

/// The function.zip a target's build wrote.
#[derive(Debug, Clone)]
pub(crate) struct Packaged {
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
    pub code_sha256: String,
    /// The dependency list, SBOM and provenance written with it (boxed: the
    /// enum's variants stay of similar size).
    pub supply_chain: Option<Box<SupplyChain>>,
}

impl TargetReport {
    pub(crate) fn from_manifest(
        manifest: &Manifest,
        dir: &OutputDir,
        top_crates: Vec<CrateSize>,
        preflight: Option<PreflightReport>,
    ) -> TargetReport {
        let bootstrap = manifest.files.iter().find(|f| f.name == BOOTSTRAP);
        TargetReport {
            target: manifest.target.triple.clone(),
            linker: manifest.linker.program.clone(),
            bootstrap_bytes: bootstrap.map_or(0, |b| b.size),
            unstripped_bytes: manifest.unstripped.size,
            top_crates,
            budget: None,
            outcome: TargetOutcome::Packaged {
                zip: Packaged {
                    path: dir.unlocked(OutputFile::Zip),
                    bytes: manifest.zip.size,
                    sha256: manifest.zip.sha256.clone(),
                    code_sha256: manifest.zip.code_sha256.clone(),
                    supply_chain: manifest.supply_chain.clone().map(Box::new),
                },
                preflight,
                image: manifest.image.as_ref().map(|i| PackagedImage {
                    path: dir.unlocked(OutputFile::ImageArchive),
                    bytes: i.archive.size,
                    digest: i.manifest.digest.clone(),
                }),
            },
            out_dir: dir.path().to_path_buf(),
        }
    }

    /// The zip, when one was written.
    pub(crate) fn packaged(&self) -> Option<&Packaged> {
        match &self.outcome {
            TargetOutcome::Packaged { zip, .. } => Some(zip),
            TargetOutcome::PreflightFailed(_) => None,
        }
    }
}

/// The JSON shape of a [`TargetReport`] (docs/output.md).
#[derive(Serialize)]
struct TargetReportJson {
    target: String,
    /// "ok", or "preflight-failed" (nothing was packaged; the zip fields are null).
    status: &'static str,
    linker: String,
    out_dir: PathBuf,
    bootstrap_bytes: u64,
    unstripped_bytes: u64,
    zip: Option<PathBuf>,
    zip_bytes: Option<u64>,
    sha256: Option<String>,
    code_sha256: Option<String>,
    /// What the embedded `.dep-v0` list adds to bootstrap; null without one.
    audit_data_bytes: Option<u64>,
    sbom: Option<PathBuf>,
    provenance: Option<PathBuf>,
    top_crates: Vec<CrateSize>,
    preflight: Option<PreflightReport>,
    /// With `--image` only: `image.tar`, its size and the image digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_digest: Option<String>,
    budget: Option<BudgetVerdict>,
}

impl From<TargetReport> for TargetReportJson {
    fn from(t: TargetReport) -> Self {
        let (status, zip, preflight, image) = match t.outcome {
            TargetOutcome::Packaged {
                zip,
                preflight,
                image,
            } => ("ok", Some(zip), preflight, image),
            TargetOutcome::PreflightFailed(report) => {
                ("preflight-failed", None, Some(report), None)
            }
        };
        let supply_chain = zip.as_ref().and_then(|z| z.supply_chain.as_deref());
        let audit_data_bytes = supply_chain
            .and_then(|s| s.audit_data.as_ref())
            .map(|a| a.bootstrap_bytes);
        let sbom = supply_chain.map(|s| t.out_dir.join(&s.sbom.name));
        let provenance = supply_chain.map(|s| t.out_dir.join(&s.provenance.name));
        TargetReportJson {
            target: t.target,
            status,
            linker: t.linker,
            out_dir: t.out_dir,
            bootstrap_bytes: t.bootstrap_bytes,
            unstripped_bytes: t.unstripped_bytes,
            zip_bytes: zip.as_ref().map(|z| z.bytes),
            sha256: zip.as_ref().map(|z| z.sha256.clone()),
            code_sha256: zip.as_ref().map(|z| z.code_sha256.clone()),
            audit_data_bytes,
            sbom,
            provenance,
            zip: zip.map(|z| z.path),
            top_crates: t.top_crates,
            preflight,
            image_bytes: image.as_ref().map(|i| i.bytes),
            image_digest: image.as_ref().map(|i| i.digest.clone()),
            image: image.map(|i| i.path),
            budget: t.budget,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct BuildReport {
    pub runtime: String,
    pub targets: Vec<TargetReport>,
    /// `--multi-arch`: the image index over every target's image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_arch: Option<crate::pipeline::package::image::MultiArch>,
}

/// Print the summary: human text on stderr, or JSON on stdout.
pub(crate) fn print(ui: &Ui, report: &BuildReport) -> anyhow::Result<()> {
    if ui.json() {
        return ui.out_json(report);
    }
    if ui.quiet {
        return Ok(());
    }
    eprint!("{}", human(report));
    Ok(())
}

pub(crate) fn human(report: &BuildReport) -> String {
    let mut out = String::new();
    for t in &report.targets {
        out.push_str(&format!(
            "\n{}  ({}, linker {})\n",
            t.target, report.runtime, t.linker
        ));
        let saved = t.unstripped_bytes.saturating_sub(t.bootstrap_bytes);
        out.push_str(&format!(
            "  bootstrap     {:>12} bytes  (unstripped {}, stripping saved {})\n",
            table::bytes(t.bootstrap_bytes),
            table::bytes(t.unstripped_bytes),
            table::bytes(saved)
        ));
        if let Some(zip) = t.packaged() {
            out.push_str(&format!(
                "  function.zip  {:>12} bytes\n",
                table::bytes(zip.bytes)
            ));
            out.push_str(&format!("  sha256        {}\n", zip.sha256));
            out.push_str(&format!("  CodeSha256    {}\n", zip.code_sha256));
            out.push_str(&format!("  path          {}\n", display_path(&zip.path)));
            if let Some(sc) = &zip.supply_chain {
                out.push_str(&supply_chain_lines(sc));
            }
            if let TargetOutcome::Packaged {
                image: Some(image), ..
            } = &t.outcome
            {
                out.push_str(&format!(
                    "  image.tar     {:>12} bytes  (function.zip {})\n",
                    table::bytes(image.bytes),
                    table::bytes(zip.bytes)
                ));
                out.push_str(&format!("  image digest  {}\n", image.digest));
                out.push_str(&format!("  image         {}\n", display_path(&image.path)));
            }
        } else {
            out.push_str("  not packaged: the preflight failed (see above)\n");
        }
        if !t.top_crates.is_empty() {
            let list: Vec<String> = t
                .top_crates
                .iter()
                .map(|c| format!("{} {}", c.name, table::bytes(c.bytes)))
                .collect();
            out.push_str(&format!("  top crates    {}\n", list.join(", ")));
        }
        if let Some(verdict) = &t.budget {
            out.push_str(&verdict.block("  "));
        }
    }
    if let Some(index) = &report.multi_arch {
        out.push_str(&format!(
            "\nimage index (not for Lambda)  {}\n  digest        {}\n",
            display_path(&index.archive),
            index.index_digest
        ));
    }
    out
}

/// The embedded list's cost and the documents written beside the zip.
fn supply_chain_lines(sc: &SupplyChain) -> String {
    let audit = match &sc.audit_data {
        Some(a) => format!(
            "{:>12} bytes in bootstrap ({}, {} crate{})",
            table::bytes(a.bootstrap_bytes),
            a.section,
            sc.crates,
            if sc.crates == 1 { "" } else { "s" }
        ),
        None => "none (--no-audit-data)".to_string(),
    };
    format!(
        "  audit data    {audit}\n  sbom          {} (CycloneDX), {} (SLSA provenance)\n",
        sc.sbom.name, sc.provenance.name
    )
}

/// A path relative to the working directory when it is below it.
pub(crate) fn display_path(path: &std::path::Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.display().to_string()))
        .unwrap_or_else(|| path.display().to_string())
}
