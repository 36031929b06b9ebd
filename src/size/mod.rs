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
