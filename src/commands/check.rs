//! `cargo slim check PATH`: the runtime preflight alone, on any ELF or function.zip.

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::model::cpu_baseline::CpuBaseline;
use crate::model::target::{Arch, Runtime};
use crate::output::{OutputDir, OutputFile, UNSTRIPPED_SUFFIX};
use crate::preflight::{check_file, linkage_beside, CheckOutput, CpuInput};
use crate::ui::Ui;
use crate::util::error::Exit;

/// `cargo slim check PATH`: run the preflight on an ELF or a function.zip, print
/// the result, and exit 1 when a check fails (2 when the file cannot be read).
pub(crate) fn run(
    ui: &Ui,
    path: &Path,
    arch: Option<Arch>,
    runtime: Option<Runtime>,
    baseline: Option<&'static CpuBaseline>,
) -> Result<Exit> {
    let runtime = runtime.unwrap_or_default();
    // Mapped, as `size` maps it: only the pages the checks look at are read.
    let data = crate::artifact::file::map_regular(
        path,
        crate::artifact::file::FILE_LIMIT,
        "give the path of a built executable or of a function.zip",
    )?;
    let linkage = linkage_beside(path, &data);
    let twins = unstripped_beside(path);
    let cpu = CpuInput {
        baseline,
        twins: &twins,
    };
    let checked = check_file(&data, arch, runtime, &linkage, &cpu)
        .with_context(|| format!("cannot check {}", path.display()))?;

    if ui.json() {
        ui.out_json(&CheckOutput::new(path, runtime, arch, &checked))?;
    } else {
        let arch = arch.map_or_else(|| "any architecture".to_string(), |a| a.to_string());
        ui.status(
            "Checking",
            format!("{} for {runtime} ({arch})", path.display()),
        );
        ui.out(&checked.report.render_human())?;
        ui.out(&format!("{}\n", checked.report.summary()))?;
    }
    Ok(if checked.report.passed() {
        Exit::Success
    } else {
        Exit::CheckFailed
    })
}

/// The unstripped files that may be `path`'s twin: `PATH.full`, and the
/// `bootstrap.full` of the output directory `path` is in (for a function.zip
/// or a shipped `bootstrap`). The CPU audit takes the one whose build-id is the
/// checked executable's; a file that cannot be read is no twin.
fn unstripped_beside(path: &Path) -> Vec<Vec<u8>> {
    let mut candidates = Vec::new();
    if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
        if !name.ends_with(UNSTRIPPED_SUFFIX) {
            candidates.push(path.with_file_name(format!("{name}{UNSTRIPPED_SUFFIX}")));
        }
    }
    if let Some(dir) = OutputDir::beside(path) {
        let full = dir.unlocked(OutputFile::Unstripped);
        if !candidates.contains(&full) && full != path {
            candidates.push(full);
        }
    }
    candidates
        .into_iter()
        .filter(|c| c.is_file())
        .filter_map(|c| {
            crate::artifact::file::read_regular(&c, crate::artifact::file::FILE_LIMIT, "").ok()
        })
        .collect()
}
