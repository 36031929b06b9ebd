//! Which package, binary and targets: the options `build`, `size`, `verify`,
//! `run`, `bench` and `generate` share, and the typed selection they become.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::flag::{bad_flag, parse_flag};
use crate::model::options::{BinName, FeatureName, Features, Selection};
use crate::model::target::{Arch, Libc, Runtime, Target};

/// Which package, binary and targets: shared by `build`, `size` and `verify`.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct SelectArgs {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH", help_heading = "Package selection")]
    pub manifest_path: Option<PathBuf>,
    /// Package to build (in a workspace).
    #[arg(short, long, value_name = "SPEC", help_heading = "Package selection")]
    pub package: Option<String>,
    /// Binary to build, when the package has several.
    #[arg(long, value_name = "NAME", help_heading = "Package selection")]
    pub bin: Option<String>,

    /// Lambda architecture(s): arm64, x86_64 (repeat or comma-separate for both)
    /// [default: x86_64, as Lambda's own default, or [package.metadata.slim] arch]
    #[arg(
        long,
        value_name = "ARCH",
        value_delimiter = ',',
        help_heading = "Target"
    )]
    pub arch: Vec<Arch>,
    /// C library: musl (static, runs everywhere) or gnu (dynamic, glibc pinned to
    /// the runtime's) [default: musl]
    #[arg(long, value_name = "LIBC", help_heading = "Target")]
    pub libc: Option<Libc>,
    /// Explicit target triple(s); overrides --arch/--libc.
    #[arg(
        long,
        value_name = "TRIPLE",
        value_delimiter = ',',
        help_heading = "Target"
    )]
    pub target: Vec<String>,
    /// Lambda runtime the function must start on: provided.al2023 (glibc 2.34) or
    /// provided.al2 (glibc 2.26) [default: provided.al2023]
    #[arg(long, value_name = "RUNTIME", help_heading = "Target")]
    pub runtime: Option<Runtime>,

    /// Space or comma separated list of features to activate.
    #[arg(
        short = 'F',
        long,
        value_name = "FEATURES",
        help_heading = "Feature selection"
    )]
    pub features: Vec<String>,
    /// Activate all available features.
    #[arg(long, help_heading = "Feature selection")]
    pub all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long, help_heading = "Feature selection")]
    pub no_default_features: bool,

    /// Directory for all generated artifacts [default: cargo's target directory].
    #[arg(long, value_name = "DIR", help_heading = "Manifest options")]
    pub target_dir: Option<PathBuf>,
    /// Require Cargo.lock to be up to date.
    #[arg(long, help_heading = "Manifest options")]
    pub locked: bool,
    /// Require Cargo.lock and the cache to be up to date.
    #[arg(long, help_heading = "Manifest options")]
    pub frozen: bool,
    /// Run without accessing the network.
    #[arg(long, help_heading = "Manifest options")]
    pub offline: bool,
}

impl SelectArgs {
    /// The typed selection: every name checked before it can become a cargo
    /// argument or a path.
    pub(crate) fn to_selection(&self) -> Result<Selection> {
        let bin = parse_flag::<BinName>("--bin", self.bin.as_deref())?;
        let targets = self
            .target
            .iter()
            .map(|t| Target::from_triple(t).map_err(|e| bad_flag("--target", e)))
            .collect::<Result<_>>()?;
        let list =
            FeatureName::parse_list(&self.features).map_err(|e| bad_flag("--features", e))?;
        Ok(Selection {
            manifest_path: self.manifest_path.clone(),
            package: self.package.clone(),
            bin,
            arch: self.arch.clone(),
            libc: self.libc,
            targets,
            runtime: self.runtime,
            features: Features {
                list,
                all: self.all_features,
                no_default: self.no_default_features,
            },
            target_dir: self.target_dir.clone(),
            locked: self.locked,
            frozen: self.frozen,
            offline: self.offline,
        })
    }
}
