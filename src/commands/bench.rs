//! `cargo slim bench` (filled in below).
use anyhow::Result;

use crate::cli::BenchArgs;
use crate::error::Exit;
use crate::ui::Ui;

pub fn run(_ui: &Ui, _args: &BenchArgs) -> Result<Exit> {
    anyhow::bail!("not yet")
}
