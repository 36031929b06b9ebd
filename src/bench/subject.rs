//! One build under test: unpacked once, run many times.

use std::path::PathBuf;

use serde::Serialize;

use crate::runtime::emulation::Runner;
use crate::runtime::TaskRoot;

pub(crate) struct Subject {
    /// How tables name it (a path, or what the caller chose).
    pub label: String,
    pub task_root: TaskRoot,
    pub runner: Runner,
    pub sizes: Sizes,
}

/// The static figures of a build.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Sizes {
    pub path: PathBuf,
    pub bootstrap_bytes: Option<u64>,
    pub zip_bytes: Option<u64>,
    /// Crates with code in the binary (from its symbols: `None` when only a
    /// stripped binary is at hand).
    pub crates: Option<usize>,
}
