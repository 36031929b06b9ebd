//! `cargo slim build`. (Being written.)
use crate::cli::BuildArgs;
use crate::error::Exit;
use crate::ui::Ui;

pub fn run(_ui: &Ui, _args: &BuildArgs) -> anyhow::Result<Exit> {
    crate::bail_user!("not yet")
}
