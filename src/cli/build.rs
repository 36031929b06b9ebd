//! Options of `cargo slim build` (shared with `run` and `bench`, which build
//! first), and the typed build options they become.

use anyhow::Result;
use clap::Args;

use super::budget::BudgetArgs;
use super::select::SelectArgs;
use super::settings::SettingArgs;
use crate::model::options::{check_flags, RequestedOptions};

/// Options of `cargo slim build` (also recorded in the manifest for `verify`).
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub opts: BuildOptions,
}

/// The build options of the settings table, one flag each, and the two flags
/// of a build that are not settings of one target (`--multi-arch`, `--budget`).
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct BuildOptions {
    #[command(flatten)]
    pub settings: SettingArgs,
    /// With --image: also one image index over every target's image, for
    /// registries serving Kubernetes or Cloud Run. Lambda does not accept an index.
    #[arg(long, requires = "image", help_heading = "Package")]
    pub multi_arch: bool,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

impl BuildOptions {
    /// The typed build options as asked on the command line: each value
    /// checked by its setting's parser now, before anything runs.
    pub(crate) fn to_requested(&self) -> Result<RequestedOptions> {
        check_flags(&self.settings.given)?;
        Ok(RequestedOptions {
            given: self.settings.given.clone(),
            multi_arch: self.multi_arch,
            budgets: self.budget.rules()?,
        })
    }
}
