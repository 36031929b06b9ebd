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
