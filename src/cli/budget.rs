//! `--budget`, shared by `build` and `size`.

use anyhow::Result;
use clap::Args;

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct BudgetArgs {
    /// Size budget, as [TARGET:]bootstrap=SIZE or [TARGET:]zip=SIZE (a bare SIZE is
    /// the bootstrap's); units B, KB, KiB, MB, MiB; TARGET is arm64, x86_64 or a
    /// triple. Over budget: exit 1. Repeatable; wins over [package.metadata.slim] budget.
    #[arg(
        long,
        value_name = "BUDGET",
        value_delimiter = ',',
        help_heading = "Budget"
    )]
    pub budget: Vec<String>,
}

impl BudgetArgs {
    /// The typed rules; a bad value is an input error naming `--budget`.
    pub(crate) fn rules(&self) -> Result<Vec<crate::model::budget::BudgetRule>> {
        crate::model::budget::parse_flags(&self.budget)
    }
}
