//! The end-of-build summary: a block per target for people (stderr), one JSON
//! document for programs (stdout). Both come from [`TargetReport`].

use std::path::PathBuf;

use serde::Serialize;

use crate::model::manifest::Manifest;
use crate::preflight::PreflightReport;
use crate::size::CrateSize;
use crate::ui::table;
use crate::ui::Ui;

#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    pub target: String,
    /// "ok", or "preflight-failed" (nothing was packaged).
    pub status: String,
    pub linker: String,
    pub out_dir: PathBuf,
    pub bootstrap_bytes: u64,
    pub unstripped_bytes: u64,
    pub zip: Option<PathBuf>,
    pub zip_bytes: Option<u64>,
    pub sha256: Option<String>,
    pub code_sha256: Option<String>,
    pub top_crates: Vec<CrateSize>,
    pub preflight: Option<PreflightReport>,
}

impl TargetReport {
    pub fn from_manifest(
        manifest: &Manifest,
        out_dir: PathBuf,
        top_crates: Vec<CrateSize>,
        preflight: Option<PreflightReport>,
    ) -> TargetReport {
        let bootstrap = manifest.files.iter().find(|f| f.name == "bootstrap");
        TargetReport {
            target: manifest.target.triple.clone(),
            status: "ok".into(),
            linker: manifest.linker.program.clone(),
            zip: Some(out_dir.join(&manifest.zip.name)),
            out_dir,
            bootstrap_bytes: bootstrap.map_or(0, |b| b.size),
            unstripped_bytes: manifest.unstripped.size,
            zip_bytes: Some(manifest.zip.size),
            sha256: Some(manifest.zip.sha256.clone()),
            code_sha256: Some(manifest.zip.code_sha256.clone()),
            top_crates,
            preflight,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub runtime: String,
    pub targets: Vec<TargetReport>,
}

/// Print the summary: human text on stderr, or JSON on stdout.
pub fn print(ui: &Ui, report: &BuildReport) -> anyhow::Result<()> {
    if ui.json() {
        return ui.out_json(report);
    }
    if ui.quiet {
        return Ok(());
    }
    eprint!("{}", human(report));
    Ok(())
}

pub fn human(report: &BuildReport) -> String {
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
        if let (Some(zip), Some(size), Some(sha), Some(code)) =
            (&t.zip, t.zip_bytes, &t.sha256, &t.code_sha256)
        {
            out.push_str(&format!(
                "  function.zip  {:>12} bytes\n",
                table::bytes(size)
            ));
            out.push_str(&format!("  sha256        {sha}\n"));
            out.push_str(&format!("  CodeSha256    {code}\n"));
            out.push_str(&format!("  path          {}\n", display_path(zip)));
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
    }
    out
}

/// A path relative to the working directory when it is below it.
pub fn display_path(path: &std::path::Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.display().to_string()))
        .unwrap_or_else(|| path.display().to_string())
}
