//! `cargo slim build`. (Being written.)
use std::path::PathBuf;

use crate::cli::{BuildArgs, SelectArgs};
use crate::error::Exit;
use crate::target::Target;
use crate::ui::Ui;

/// The files one target's build left in `target/slim/<bin>/<triple>/`.
#[derive(Debug, Clone)]
pub struct Built {
    pub target: Target,
    pub bin: String,
    pub out_dir: PathBuf,
    /// Stripped, shipped executable.
    pub bootstrap: PathBuf,
    /// The same link with symbols kept, for `cargo slim size`.
    pub full: PathBuf,
    pub zip: PathBuf,
    pub manifest: PathBuf,
}

pub fn run(_ui: &Ui, _args: &BuildArgs) -> anyhow::Result<Exit> {
    crate::bail_user!("not yet")
}

/// Make sure the selected package/bin/targets have an up-to-date build and return
/// where it is. Reuses the options recorded in an existing manifest (so a build
/// made with `--opt-level z` is not replaced by a default one); cargo makes this a
/// no-op when nothing changed.
pub fn build_selected(_ui: &Ui, _select: &SelectArgs) -> anyhow::Result<Vec<Built>> {
    crate::bail_user!("not yet")
}
