//! The `cargo metadata` call every command starts from, with the selection's
//! features and lock-file flags, optionally cut to one target's platform.

use std::path::PathBuf;

use anyhow::{Context, Result};
use cargo_metadata::{CargoOpt, Metadata, MetadataCommand};

use crate::model::options::{Features, Selection};
use crate::util::error::SlimError;
use crate::util::process::{self, Program};

/// The `cargo metadata` call every command starts from.
pub(crate) fn metadata(select: &Selection) -> Result<Metadata> {
    metadata_filtered(select, None)
}

/// The same, with the resolve graph cut to the dependencies cargo builds for
/// `triple` (`--filter-platform`): a wasm32-only or Windows-only dependency is not
/// in an x86_64 Linux build. (A build gets its target's resolve once, with the
/// build's own selection, from `linked_crates::target_metadata`.)
pub(crate) fn metadata_for_target(select: &Selection, triple: &str) -> Result<Metadata> {
    metadata_filtered(select, Some(triple))
}

fn metadata_filtered(select: &Selection, triple: Option<&str>) -> Result<Metadata> {
    let mut cmd = MetadataCommand::new();
    if let Some(path) = &select.manifest_path {
        if !path.is_file() {
            return Err(SlimError::ManifestPathMissing { path: path.clone() }.into());
        }
        cmd.manifest_path(path);
    } else {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        if !cwd.ancestors().any(|d| d.join("Cargo.toml").is_file()) {
            return Err(SlimError::NoCargoToml { cwd }.into());
        }
    }
    if select.features.all {
        cmd.features(CargoOpt::AllFeatures);
    }
    if select.features.no_default {
        cmd.features(CargoOpt::NoDefaultFeatures);
    }
    let features = feature_args(&select.features);
    if !features.is_empty() {
        cmd.features(CargoOpt::SomeFeatures(features));
    }
    let mut other = Vec::new();
    for (flag, on) in [
        ("--locked", select.locked),
        ("--frozen", select.frozen),
        ("--offline", select.offline),
    ] {
        if on {
            other.push(flag.to_string());
        }
    }
    if let Some(triple) = triple {
        other.extend(["--filter-platform".to_string(), triple.to_string()]);
    }
    cmd.other_options(other);
    // Where the build will go, so cargo finds its cached `rustc -vV` answers
    // there (`.rustc_info.json`) instead of running rustc twice every time.
    if let Some(dir) = &select.target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    run(&cmd).map_err(|e| match e {
        Failure::Refused(stderr) => SlimError::CargoMetadata { stderr }.into(),
        Failure::Other(e) => e.context("cannot run `cargo metadata`"),
    })
}

/// Why `cargo metadata` gave no metadata.
pub(crate) enum Failure {
    /// It ran and refused, saying this on stderr.
    Refused(String),
    /// It did not run, or printed no metadata.
    Other(anyhow::Error),
}

/// Run `cmd` (through `util::process`, as every program) and read its JSON.
pub(crate) fn run(cmd: &MetadataCommand) -> Result<Metadata, Failure> {
    let out = Program::from(cmd.cargo_command())
        .output()
        .map_err(Failure::Other)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
        return Err(Failure::Refused(stderr));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = stdout
        .lines()
        .find(|line| line.starts_with('{'))
        .ok_or_else(|| Failure::Other(anyhow::anyhow!("`cargo metadata` printed no metadata")))?;
    MetadataCommand::parse(json).map_err(|e| Failure::Other(e.into()))
}

/// The workspace's Cargo.toml, as `cargo locate-project --workspace` finds it
/// (without resolving anything: nothing is written, not even a Cargo.lock);
/// `None` when cargo cannot say.
pub(crate) fn workspace_manifest(select: &Selection) -> Option<PathBuf> {
    let mut cmd = process::program(crate::pipeline::compile::toolchain::cargo_program()).args([
        "locate-project",
        "--workspace",
        "--message-format",
        "plain",
    ]);
    if let Some(path) = &select.manifest_path {
        cmd = cmd.arg("--manifest-path").arg(path);
    }
    cmd.ask().map(|text| PathBuf::from(text.trim()))
}

/// The `--features` value cargo gets (empty: none).
pub(crate) fn feature_args(features: &Features) -> Vec<String> {
    features.list.iter().map(|f| f.to_string()).collect()
}
