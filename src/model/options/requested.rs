//! The build options as asked on the command line, before `[*.metadata.slim]`
//! fills the gaps.

use super::setting::GivenValue;
use crate::model::budget::BudgetRule;

/// The build options as asked on the command line: the settings given as
/// flags (by [`super::Setting::field`], each already checked by its parser;
/// paths are resolved when planning), and the two flags of `build` that are
/// not settings of one target's build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RequestedOptions {
    pub given: Vec<(&'static str, GivenValue)>,
    /// An image index over every target's image (`--multi-arch`); not recorded:
    /// it is an output of the whole invocation, not of one target's build.
    pub multi_arch: bool,
    /// `--budget` rules (the metadata's are added when planning): they judge a
    /// build, they do not shape it.
    pub budgets: Vec<BudgetRule>,
}
