//! Which extra files go in the zip: include specs from the command line or the
//! metadata tables, resolved against the right base directory.

use anyhow::{Context, Result};
use cargo_metadata::{Metadata, Package};

use crate::model::include::{Include, IncludeSpec};
use crate::model::options::RequestedOptions;
use crate::pipeline::slim_metadata::{metadata_error, MetadataTables};
use crate::util::error::SlimError;

/// Include specs, from the command line (relative to the working directory), else
/// `[package.metadata.slim]` (relative to the package), else
/// `[workspace.metadata.slim]` (relative to the workspace root), resolved to
/// paths relative to the workspace root: the manifest records no absolute path
/// and `verify` does not depend on where the command ran.
pub(crate) fn resolve_includes(
    opts: &RequestedOptions,
    meta: &MetadataTables,
    metadata: &Metadata,
    package: &Package,
) -> Result<Vec<Include>> {
    let ws_root = metadata.workspace_root.as_std_path();
    let (specs, base, place) = if !opts.include.is_empty() {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        (opts.include.clone(), cwd, "--include".to_string())
    } else if let Some((place, list)) = meta.pick(|m| m.include.clone()) {
        let base = if place == "package.metadata.slim" {
            package
                .manifest_path
                .parent()
                .map_or(ws_root, |p| p.as_std_path())
        } else {
            ws_root
        };
        let specs = list
            .iter()
            .map(|s| s.parse::<IncludeSpec>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| metadata_error(place, "include", e))?;
        (specs, base.to_path_buf(), format!("[{place}] include"))
    } else {
        return Ok(Vec::new());
    };
    specs
        .iter()
        .map(|s| {
            s.resolve(&base, ws_root).map_err(|e| {
                SlimError::InvalidSetting {
                    setting: place.clone(),
                    reason: e.to_string(),
                }
                .into()
            })
        })
        .collect()
}
