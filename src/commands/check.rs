//! `cargo slim check PATH`: the runtime preflight alone, on any ELF or function.zip.

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::model::target::{Arch, Runtime};
use crate::preflight::{check_file, linkage_beside, CheckOutput};
use crate::ui::Ui;
use crate::util::error::Exit;

/// `cargo slim check PATH`: run the preflight on an ELF or a function.zip, print
/// the result, and exit 1 when a check fails (2 when the file cannot be read).
pub(crate) fn run(
    ui: &Ui,
    path: &Path,
    arch: Option<Arch>,
    runtime: Option<Runtime>,
) -> Result<Exit> {
    let runtime = runtime.unwrap_or_default();
    let data = crate::artifact::file::read_regular(
        path,
        crate::artifact::file::FILE_LIMIT,
        "give the path of a built executable or of a function.zip",
    )?;
    let linkage = linkage_beside(path, &data);
    let checked = check_file(&data, arch, runtime, &linkage)
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
