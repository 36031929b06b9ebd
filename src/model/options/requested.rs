//! The build options as asked on the command line, before `[*.metadata.slim]`
//! fills the gaps.

use super::{CpuName, LinkerChoice, OptLevel, PanicStrategy};

/// The build options as asked on the command line, before `[*.metadata.slim]`
/// fills the gaps. Include specs stay as written: they are resolved against the
/// working directory when the plan is made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RequestedOptions {
    pub opt_level: Option<OptLevel>,
    pub cpu: Option<CpuName>,
    pub build_std: bool,
    pub panic: Option<PanicStrategy>,
    pub linker: Option<LinkerChoice>,
    pub include: Vec<crate::model::include::IncludeSpec>,
    pub no_preflight: bool,
    pub no_audit_data: bool,
    pub image: bool,
    /// An image index over every target's image (`--multi-arch`); not recorded:
    /// it is an output of the whole invocation, not of one target's build.
    pub multi_arch: bool,
    /// `--budget` rules (the metadata's are added when planning).
    pub budgets: Vec<crate::model::budget::BudgetRule>,
}
