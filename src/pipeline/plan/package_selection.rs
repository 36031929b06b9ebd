//! Which package of the workspace, and which of its binaries, ship as `bootstrap`.

use anyhow::Result;
use cargo_metadata::{Metadata, Package, TargetKind};

use crate::model::options::{BinName, Selection};
use crate::util::error::SlimError;

/// The package to build: `-p`, else the package of the manifest, else the only
/// workspace member with a binary.
pub(crate) fn select_package<'m>(
    metadata: &'m Metadata,
    select: &Selection,
) -> Result<&'m Package> {
    let members = metadata.workspace_packages();
    if let Some(spec) = &select.package {
        let (name, version) = spec.split_once('@').unwrap_or((spec.as_str(), ""));
        return members
            .into_iter()
            .find(|p| {
                p.name.as_str() == name && (version.is_empty() || p.version.to_string() == version)
            })
            .ok_or_else(|| {
                SlimError::NotAMember {
                    spec: spec.to_string(),
                    members: names(&metadata.workspace_packages()),
                }
                .into()
            });
    }
    if let Some(root) = metadata.root_package() {
        return Ok(root);
    }
    let with_bins: Vec<&Package> = metadata
        .workspace_default_packages()
        .into_iter()
        .filter(|p| p.targets.iter().any(|t| t.is_kind(TargetKind::Bin)))
        .collect();
    match with_bins.as_slice() {
        [one] => Ok(one),
        [] => Err(no_binary(metadata.workspace_root.as_str())),
        many => Err(SlimError::SeveralPackages { names: names(many) }.into()),
    }
}

fn names(packages: &[&Package]) -> Vec<String> {
    packages.iter().map(|p| p.name.to_string()).collect()
}

/// The binary to ship as `bootstrap`: `--bin`, else the only one, else `default-run`.
/// Its name must also pass [`BinName`]'s grammar: it becomes a directory name.
pub(crate) fn select_bin(package: &Package, wanted: Option<&str>) -> Result<BinName> {
    let name = select_bin_name(package, wanted)?;
    name.parse::<BinName>().map_err(|e| {
        SlimError::UnshippableBin {
            package: package.name.to_string(),
            reason: e.to_string(),
        }
        .into()
    })
}

fn select_bin_name(package: &Package, wanted: Option<&str>) -> Result<String> {
    let bins: Vec<&str> = package
        .targets
        .iter()
        .filter(|t| t.is_kind(TargetKind::Bin))
        .map(|t| t.name.as_str())
        .collect();
    if let Some(name) = wanted {
        if bins.contains(&name) {
            return Ok(name.to_string());
        }
        return Err(SlimError::NoSuchBin {
            package: package.name.to_string(),
            name: name.into(),
            bins: bins.iter().map(|b| b.to_string()).collect(),
        }
        .into());
    }
    match bins.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(no_binary(package.name.as_str())),
        many => match &package.default_run {
            Some(default) if many.contains(&default.as_str()) => Ok(default.clone()),
            _ => Err(SlimError::SeveralBins {
                package: package.name.to_string(),
                bins: many.iter().map(|b| b.to_string()).collect(),
            }
            .into()),
        },
    }
}

fn no_binary(what: &str) -> anyhow::Error {
    SlimError::NoBinary { what: what.into() }.into()
}
