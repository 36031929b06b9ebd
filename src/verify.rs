//! `cargo slim verify`. (Being written.)

use clap::Args;

use crate::error::Exit;
use crate::ui::Ui;

#[derive(Debug, Args, Clone)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub select: crate::cli::SelectArgs,
}

pub fn run(_ui: &Ui, _args: &VerifyArgs) -> anyhow::Result<Exit> {
    crate::bail_user!("`cargo slim verify` is not written yet")
}
