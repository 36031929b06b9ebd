//! `cargo slim verify`: prove that the recorded `function.zip` is what this
//! checkout builds.
//!
//! Full verify rebuilds every selected target from scratch, into a fresh temporary
//! target directory, with the settings recorded in `slim-manifest.json` (options,
//! features, runtime, zip timestamp; always `--locked`), then compares every hash
//! the manifest records: the zip, each file in it, each ELF section of the shipped
//! bootstrap, and the unstripped link. It also checks the artifact on disk against
//! the manifest. `--artifact-only` does only that last part: no compiler needed.
//! When something differs it names the file and sections and lists the recorded
//! inputs that differ now (toolchain, linker, Cargo.lock, git state, settings).

mod artifact;
mod cause;
mod compare;
mod diagnosis;
mod difference;
mod host_paths;
mod image;
mod local_dependencies;
mod rebuild;
mod settings;
mod supply_chain;

use std::path::PathBuf;

use serde::Serialize;

use crate::pipeline::plan::Plan;
use crate::util::hash;

pub(crate) use artifact::artifact_verdict;
pub(crate) use cause::Cause;
pub(crate) use difference::Difference;
pub(crate) use rebuild::rebuild_verdict;

/// How a target was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Mode {
    /// `--artifact-only`: the files on disk against the manifest.
    Artifact,
    /// A rebuild from scratch with the recorded settings, and the files on disk.
    Rebuild,
}

/// The verdict for one target.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TargetVerdict {
    pub target: String,
    pub reproducible: bool,
    /// `artifact` (--artifact-only) or `rebuild`.
    pub mode: Mode,
    /// The recorded function.zip sha256.
    pub sha256: String,
    /// The recorded image digest, for builds made with `--image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    /// The rebuilt function.zip sha256 (full verify only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt_sha256: Option<String>,
    /// The artifact on disk against the manifest.
    pub artifact_differences: Vec<Difference>,
    /// The rebuild against the manifest (empty for --artifact-only).
    pub differences: Vec<Difference>,
    /// Recorded inputs and settings that differ now: the likely causes.
    pub causes: Vec<Cause>,
    /// Where the rebuild is, with --keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct VerifyReport {
    pub reproducible: bool,
    pub targets: Vec<TargetVerdict>,
}

/// The workspace's Cargo.lock hash now.
fn lock_sha256(plan: &Plan) -> Option<String> {
    std::fs::read(plan.workspace_root().join("Cargo.lock"))
        .ok()
        .map(|b| hash::sha256_hex(&b))
}
