//! `slim-manifest.json`: what was built, how, and the hashes of what came out.
//!
//! It holds everything `cargo slim verify` needs to rebuild the same way and
//! nothing machine-specific: paths are recorded relative to the workspace, or as
//! what the path map writes them as (`/build`, `/cargo/…`, `/target`,
//! `/rustc/…`; pipeline/compile/path_map.rs), its rules as placeholders; no
//! user names, no wall-clock time (only the SOURCE_DATE_EPOCH-derived zip time).
//! Built from the same inputs, the manifest itself is byte-identical.

use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::model::invalid_value::shown;
use crate::model::linker::Linker;
use crate::model::local_dependency::LocalDependency;
use crate::model::options::{BinName, FeatureName, Options};
use crate::model::profile_plan::ProfilePlan;
pub(crate) use crate::model::source_file::SourceFile;
use crate::model::supply_chain::{Document, SupplyChain};
use crate::model::target::{Runtime, Target};
use crate::model::timestamp::Timestamp;
use crate::model::toolchain::Toolchain;
use crate::util::error::SlimError;

pub(crate) const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Manifest {
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
    /// The embedded dependency list, SBOM and provenance (docs/supply-chain.md);
    /// absent in manifests written before they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply_chain: Option<SupplyChain>,
    /// The container image, for builds made with `--image`; absent otherwise, so
    /// a zip-only manifest is unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<crate::model::image::ImageRecord>,
    /// The size report written beside the zip (`size.json`). Absent in manifests
    /// written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_report: Option<Document>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct PackageInfo {
    pub name: String,
    pub version: String,
    pub bin: BinName,
    /// Manifest path relative to the workspace root.
    pub manifest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct BuildInfo {
    pub options: Options,
    pub features: Vec<FeatureName>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub profile: ProfilePlan,
    /// Our rustflags: the path map's rules as placeholders
    /// (`--remap-path-prefix={package}=/cargo/registry/itoa-1.0.19`, sorted by
    /// what they map to, the same on every machine), then our other flags. Like
    /// `user_rustflags` and `command`, a record for people and for comparison
    /// only: `verify` never passes a recorded flag or argument on; it derives
    /// them again from the typed `options`, `features` and target.
    pub rustflags: Vec<String>,
    /// Rustflags the user set in the environment (RUSTFLAGS / CARGO_ENCODED_RUSTFLAGS).
    pub user_rustflags: Vec<String>,
    /// The cargo command, paths relative to the workspace or as placeholders.
    pub command: Vec<String>,
    pub compression: String,
    pub timestamp: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub(crate) struct Inputs {
    /// sha256 of Cargo.lock; `None` when there is none (not reproducible).
    pub cargo_lock_sha256: Option<String>,
    pub git: Option<Git>,
    /// The workspace source files rustc read (from cargo's dep-info), relative to
    /// the workspace, so `verify` can name the one that changed. Empty in
    /// manifests written before it was recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceFile>,
    /// Dependencies read from somewhere other than cargo's download cache:
    /// vendored copies, path dependencies outside the workspace (with their
    /// files). Empty in most builds, and in manifests written before it was
    /// recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_dependencies: Vec<LocalDependency>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Git {
    pub commit: String,
    /// Uncommitted changes to tracked files, or untracked files, were present.
    pub dirty: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct FileEntry {
    pub name: String,
    /// Octal, e.g. "0755".
    pub mode: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SectionHash {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Digest {
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ZipInfo {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// base64 of the raw SHA-256: what AWS shows as CodeSha256.
    pub code_sha256: String,
}

impl Manifest {
    pub(crate) fn to_json(&self) -> Result<String> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }

    /// Read and check a manifest. It may come from anywhere (it travels with an
    /// artifact), so everything in it is untrusted until parsed: the file must be
    /// a regular file of bounded size, every string short and free of control
    /// characters, and every setting a rebuild uses is parsed into the same
    /// typed options as the command line. Anything else is refused (exit 2)
    /// naming the field, e.g. `build.options.cpu`.
    pub(crate) fn read(path: &Path) -> Result<Manifest> {
        if !path.exists() {
            return Err(SlimError::ManifestMissing {
                path: path.to_path_buf(),
            }
            .into());
        }
        let bytes = crate::util::confined::read_bounded(path, path, MAX_BYTES).map_err(|e| {
            SlimError::ManifestUnreadable {
                detail: e.to_string(),
            }
        })?;
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| SlimError::ManifestNotJson {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
        let schema = value.get("schema").and_then(|s| s.as_u64());
        if schema != Some(u64::from(SCHEMA)) {
            let found = value
                .get("schema")
                .map_or("missing".into(), |s| shown(&s.to_string()));
            return Err(SlimError::ManifestSchema {
                path: path.to_path_buf(),
                found,
                expected: SCHEMA,
            }
            .into());
        }
        let refused = |field: String, reason: String| -> anyhow::Error {
            // The root of the document (a missing top-level field) has the path ".".
            let what = match field.as_str() {
                "." | "" => "the manifest".to_string(),
                _ => format!("`{field}`"),
            };
            SlimError::ManifestField {
                path: path.to_path_buf(),
                field: what,
                reason,
            }
            .into()
        };
        if let Some((field, reason)) = bad_string(&value, &mut String::new()) {
            return Err(refused(field, reason));
        }
        let mut value = value;
        upgrade(&mut value);
        let manifest: Manifest = serde_path_to_error::deserialize(value)
            .map_err(|e| refused(e.path().to_string(), e.inner().to_string()))?;
        // The options are checked against each other like a command line's.
        manifest
            .build
            .options
            .check()
            .map_err(|e| refused("build.options".into(), e.to_string()))?;
        let timestamp = manifest.build.timestamp;
        if !timestamp.is_zip_time() {
            return Err(refused(
                "build.timestamp.unix".into(),
                format!(
                    "{} is not an even time between 1980 and 2107, as a zip stores it",
                    timestamp.unix
                ),
            ));
        }
        Ok(manifest)
    }
}

/// What a manifest written by an older cargo-slim means, said the way this one
/// says it: `build.options.panic` was added later, and a record without it was
/// made when `--build-std` always meant immediate-abort panics.
fn upgrade(value: &mut serde_json::Value) {
    let Some(options) = value
        .pointer_mut("/build/options")
        .and_then(|o| o.as_object_mut())
    else {
        return;
    };
    if !options.contains_key("panic") {
        let build_std = options.get("build_std") == Some(&serde_json::Value::Bool(true));
        let panic = if build_std {
            "immediate-abort"
        } else {
            "abort"
        };
        options.insert("panic".into(), panic.into());
    }
}

/// A manifest is a few hundred KiB at most (one line per section and source file).
const MAX_BYTES: u64 = 16 << 20;
/// The longest string a manifest holds legitimately is a cargo `--config`
/// argument with our rustflags: far below this.
const MAX_STRING: usize = 16 << 10;

/// The first string (or object key) that is too long or holds a control
/// character, with its field path (`build.options.cpu`, `files[2].name`).
fn bad_string(value: &serde_json::Value, at: &mut String) -> Option<(String, String)> {
    use serde_json::Value;
    let check = |text: &str, at: &str| {
        if text.len() > MAX_STRING {
            Some((at.to_string(), format!("a string of {} bytes", text.len())))
        } else if text.chars().any(char::is_control) {
            Some((
                at.to_string(),
                format!("`{}` contains a control character", shown(text)),
            ))
        } else {
            None
        }
    };
    match value {
        Value::String(s) => check(s, at),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            let len = at.len();
            at.push_str(&format!("[{i}]"));
            let found = bad_string(v, at);
            at.truncate(len);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let len = at.len();
            if !at.is_empty() {
                at.push('.');
            }
            at.push_str(&shown(k));
            let found = check(k, at).or_else(|| bad_string(v, at));
            at.truncate(len);
            found
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::options::PanicStrategy;

    #[test]
    fn recorded_options_are_checked_and_old_records_keep_their_meaning() {
        let record = |extra: &str| -> Result<Options, String> {
            let mut value: serde_json::Value = serde_json::from_str(&format!(
                r#"{{"build":{{"options":{{"opt_level":null,"cpu":null,"linker":"auto","include":[],"preflight":true,{extra}}}}}}}"#
            ))
            .unwrap();
            upgrade(&mut value);
            let o: Options = serde_json::from_value(value["build"]["options"].take())
                .map_err(|e| e.to_string())?;
            o.check().map_err(|e| e.to_string())?;
            Ok(o)
        };
        let o = record(r#""build_std":true,"panic":"abort""#).unwrap();
        assert_eq!((o.build_std, o.panic), (true, PanicStrategy::Abort));
        // Before `panic` was recorded, --build-std meant immediate-abort.
        let o = record(r#""build_std":true"#).unwrap();
        assert_eq!(o.panic, PanicStrategy::ImmediateAbort);
        let o = record(r#""build_std":false"#).unwrap();
        assert_eq!(o.panic, PanicStrategy::Abort);
        let err = record(r#""build_std":false,"panic":"immediate-abort""#).unwrap_err();
        assert!(err.contains("needs build-std"), "{err}");
        assert!(record(r#""build_std":true,"panic":"unwind""#).is_err());
        assert!(record(r#""build_std":true,"panic":"abort","x":1"#).is_err());
        // Manifests written before the dependency list and the image: neither.
        let o = record(r#""build_std":false"#).unwrap();
        assert!(!o.audit_data && !o.image);
        // What is written reads back the same.
        let o = Options {
            build_std: true,
            panic: PanicStrategy::ImmediateAbort,
            ..Options::default()
        };
        let text = serde_json::to_string(&o).unwrap();
        assert_eq!(serde_json::from_str::<Options>(&text).unwrap(), o);
    }
}
