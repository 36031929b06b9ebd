//! Runtime preflight: can a Lambda runtime start this `bootstrap`? (Being written.)

use clap::Args;

use crate::error::Exit;
use crate::ui::Ui;

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// The ELF file or function.zip to check.
    pub path: std::path::PathBuf,
}

pub fn run(_ui: &Ui, _args: &CheckArgs) -> anyhow::Result<Exit> {
    crate::bail_user!("`cargo slim check` is not written yet")
}

/// The outcome of every preflight check on one ELF.
#[derive(Debug, Clone, serde::Serialize, Default)]
pub struct PreflightReport {
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckResult {
    /// Stable identifier, e.g. `machine`, `glibc`, `needed`, `interpreter`.
    pub name: String,
    pub passed: bool,
    /// What was found (always set).
    pub detail: String,
    /// How to fix it (set when failed).
    pub fix: Option<String>,
}

impl PreflightReport {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

/// Run every check on an ELF image for `arch` (None: don't check the machine) and
/// `runtime`.
pub fn check_elf(
    _elf: &[u8],
    _arch: Option<crate::target::Arch>,
    _runtime: crate::target::Runtime,
) -> anyhow::Result<PreflightReport> {
    Ok(PreflightReport::default())
}

/// The failed checks as text (placeholder until the preflight lands).
pub fn render_human(report: &PreflightReport) -> String {
    report
        .checks
        .iter()
        .map(|c| format!("{}: {}\n", c.name, c.detail))
        .collect()
}
