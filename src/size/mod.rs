//! `cargo slim size`: where the bytes of a build go. (Being written.)

use clap::Args;

use crate::error::Exit;
use crate::ui::Ui;

#[derive(Debug, Args, Clone)]
pub struct SizeArgs {
    /// An ELF file to analyse [default: the last build's bootstrap.full].
    pub path: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub select: crate::cli::SelectArgs,
}

pub fn run(_ui: &Ui, _args: &SizeArgs) -> anyhow::Result<Exit> {
    crate::bail_user!("`cargo slim size` is not written yet")
}

/// One row of the per-crate view, as the build summary shows the top few.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CrateSize {
    pub name: String,
    pub bytes: u64,
}

/// The `n` largest crates of an unstripped ELF (for the build summary).
pub fn top_crates(_elf: &[u8], _n: usize) -> anyhow::Result<Vec<CrateSize>> {
    Ok(Vec::new())
}
