//! Options of `cargo slim verify`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::select::SelectArgs;

/// Options of `cargo slim verify`.
#[derive(Debug, Args, Clone)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Do not rebuild: only check function.zip, bootstrap and function.zip.sha256
    /// against the manifest (the fast check for a deploy step).
    #[arg(long)]
    pub artifact_only: bool,
    /// Verify against this manifest (e.g. one published with a release) instead of
    /// the one beside the build output; its target is the one verified.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// Keep the rebuild's temporary target directory, to compare with diffoscope.
    #[arg(long)]
    pub keep: bool,
}

impl VerifyArgs {
    /// The typed request.
    pub(crate) fn to_request(&self) -> Result<crate::commands::verify::VerifyRequest> {
        Ok(crate::commands::verify::VerifyRequest {
            selection: self.select.to_selection()?,
            artifact_only: self.artifact_only,
            manifest: self.manifest.clone(),
            keep: self.keep,
        })
    }
}
