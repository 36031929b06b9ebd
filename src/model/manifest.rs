//! `slim-manifest.json`: what was built, how, and the hashes of what came out.
//!
//! It holds everything `cargo slim verify` needs to rebuild the same way and
//! nothing machine-specific: paths are recorded relative to the workspace, or as
//! the placeholders our path remapping uses (`/build`, `/cargo`, `/target`); no
//! user names, no wall-clock time (only the SOURCE_DATE_EPOCH-derived zip time).
//! Built from the same inputs, the manifest itself is byte-identical.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::model::target::{Runtime, Target};
use crate::pipeline::linker::Linker;
use crate::pipeline::package::Timestamp;
use crate::pipeline::plan::Options;
use crate::pipeline::profile::ProfilePlan;
use crate::pipeline::toolchain::Toolchain;
use crate::util::error::SlimError;

pub const FILE_NAME: &str = "slim-manifest.json";
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub schema: u32,
    pub tool: Tool,
    pub package: PackageInfo,
    pub target: Target,
    pub runtime: Runtime,
    pub toolchain: Toolchain,
    pub linker: Linker,
    pub build: BuildInfo,
    pub inputs: Inputs,
    /// Every file in the zip, sorted by name.
    pub files: Vec<FileEntry>,
    /// The shipped executable's ELF sections, for pinpointing a difference.
    pub sections: Vec<SectionHash>,
    pub unstripped: Digest,
    pub zip: ZipInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PackageInfo {
    pub name: String,
    pub version: String,
    pub bin: String,
    /// Manifest path relative to the workspace root.
    pub manifest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BuildInfo {
    pub options: Options,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub profile: ProfilePlan,
    /// Our rustflags, with paths shown as their remapped placeholders.
    pub rustflags: Vec<String>,
    /// Rustflags the user set in the environment (RUSTFLAGS / CARGO_ENCODED_RUSTFLAGS).
    pub user_rustflags: Vec<String>,
    /// The cargo command, paths relative to the workspace or as placeholders.
    pub command: Vec<String>,
    pub compression: String,
    pub timestamp: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Inputs {
    /// sha256 of Cargo.lock; `None` when there is none (not reproducible).
    pub cargo_lock_sha256: Option<String>,
    pub git: Option<Git>,
    /// The workspace source files rustc read (from cargo's dep-info), relative to
    /// the workspace, so `verify` can name the one that changed. Empty in
    /// manifests written before it was recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceFile {
    /// Relative to the workspace root.
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Git {
    pub commit: String,
    /// Uncommitted changes to tracked files, or untracked files, were present.
    pub dirty: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    pub name: String,
    /// Octal, e.g. "0755".
    pub mode: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SectionHash {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Digest {
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ZipInfo {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// base64 of the raw SHA-256: what AWS shows as CodeSha256.
    pub code_sha256: String,
}

impl Manifest {
    pub fn to_json(&self) -> Result<String> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }

    pub fn read(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            SlimError::new(format!("cannot read {}: {e}", path.display()))
                .hint("run `cargo slim build` first")
        })?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| SlimError::new(format!("{} is not valid JSON: {e}", path.display())))?;
        let schema = value.get("schema").and_then(|s| s.as_u64());
        if schema != Some(u64::from(SCHEMA)) {
            return Err(SlimError::new(format!(
                "{} has manifest schema {:?}; this cargo-slim reads schema {SCHEMA}",
                path.display(),
                schema
            ))
            .hint("rebuild with this version of cargo-slim")
            .into());
        }
        serde_json::from_value(value)
            .with_context(|| format!("{} is not a cargo-slim manifest", path.display()))
    }
}

/// Section name → sha256 of its bytes in the file, for every section with file
/// content (SHT_NOBITS sections have none), as `crate::artifact::elf` reads them.
pub fn section_hashes(elf: &[u8]) -> Result<Vec<SectionHash>> {
    Ok(crate::artifact::elf::section_hashes(elf)?
        .into_iter()
        .map(|d| SectionHash {
            name: d.name,
            size: d.size,
            sha256: d.sha256,
        })
        .collect())
}

/// The commit and dirtiness of the git work tree holding `dir`, if any.
pub fn git_state(dir: &Path) -> Option<Git> {
    let run = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let commit = run(&["rev-parse", "HEAD"])?;
    let status = run(&["status", "--porcelain", "--", "."])?;
    Some(Git {
        commit,
        dirty: !status.is_empty(),
    })
}
