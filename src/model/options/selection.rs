//! Which package, binary, targets and features: the typed form of the selection
//! flags several commands share.

use super::{BinName, FeatureName};
use crate::model::target::{Arch, Libc, Runtime, Target};

/// Feature selection, as cargo takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Features {
    pub list: Vec<FeatureName>,
    pub all: bool,
    pub no_default: bool,
}

/// Which package, binary and targets: the typed form of the selection flags
/// `build`, `size` and `verify` share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Selection {
    pub manifest_path: Option<std::path::PathBuf>,
    /// `-p NAME[@VERSION]`, matched against the workspace members (never passed on).
    pub package: Option<String>,
    pub bin: Option<BinName>,
    pub arch: Vec<Arch>,
    pub libc: Option<Libc>,
    pub targets: Vec<Target>,
    pub runtime: Option<Runtime>,
    pub features: Features,
    pub target_dir: Option<std::path::PathBuf>,
    pub locked: bool,
    pub frozen: bool,
    pub offline: bool,
}
