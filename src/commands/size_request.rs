//! What `cargo slim size` is asked to do, typed: the command line builds one, and
//! `size` and `size --why` (commands/why.rs) both read it.

use std::path::PathBuf;

use crate::model::budget::BudgetRule;
use crate::model::options::Selection;
use crate::size::View;

/// What `cargo slim size` is asked to do.
#[derive(Debug, Clone)]
pub(crate) struct SizeRequest {
    /// A file to analyse instead of the selection's last build.
    pub path: Option<PathBuf>,
    pub selection: Selection,
    /// `--budget` rules.
    pub budgets: Vec<BudgetRule>,
    /// `--why CRATE`.
    pub why: Option<String>,
    pub view: View,
}
