//! The dependencies a build read from somewhere other than cargo's own download
//! cache: vendored copies (a directory source replacing crates.io or a git
//! repository) and path dependencies outside the workspace. Cargo.lock pins
//! what a registry or git dependency is, not where its files come from, and
//! pins nothing of a path dependency's contents; the manifest records these so
//! `verify` can name them when a rebuild differs. Paths are relative to the
//! workspace root, never absolute.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::source_file::SourceFile;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct LocalDependency {
    pub name: String,
    pub version: String,
    pub kind: LocalKind,
    /// The package's directory relative to the workspace root (`vendor/itoa`,
    /// `../shared`).
    pub path: String,
    /// For a path dependency: each of its files rustc read, relative to the
    /// package's directory, with its sha256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<SourceFile>,
    /// Where the package is on this machine (not recorded).
    #[serde(skip)]
    pub root: PathBuf,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum LocalKind {
    /// A registry or git package read from a directory source (`cargo vendor`).
    Vendored,
    /// A path dependency outside the workspace.
    Path,
}
