//! The dependency list embedded in `bootstrap`, in cargo-auditable's format, so
//! `cargo audit bin`, `rust-audit-info`, Trivy, Grype and Syft can read it: a
//! non-loaded ELF section `.dep-v0` holding zlib-compressed JSON
//! (`auditable-serde`'s `VersionInfo`). We add the section while stripping (see
//! [`crate::pipeline::package::strip`]) instead of through the linker as cargo-auditable
//! does, so it needs no rustc wrapper and survives our strip by construction.
//!
//! Only runtime crates are listed (the build-dependencies and proc-macros that
//! cargo-auditable marks `"kind": "build"` are not linked and are left out), so
//! the format revision is 1: no proc-macro is recorded as a runtime dependency.
//! Both the JSON (sorted packages, serde's field order) and the compression (one
//! pinned zlib implementation and level, through Cargo.lock) are deterministic.

use std::io::Write;

use anyhow::{Context, Result};
use auditable_serde::{DependencyKind, Package, Source, VersionInfo};
use flate2::{write::ZlibEncoder, Compression};

use crate::model::linked_crates::{CrateSource, LinkedCrates};
use crate::util::error::SlimError;

/// The section name readers look for.
pub(crate) const SECTION: &str = ".dep-v0";

/// cargo-auditable's format revision: dependency data from `cargo metadata`,
/// proc-macros not recorded as runtime dependencies.
const FORMAT: u32 = 1;

/// The `VersionInfo` for the linked crates.
pub(crate) fn version_info(crates: &LinkedCrates) -> Result<VersionInfo> {
    let packages = crates
        .crates
        .iter()
        .map(|c| {
            let version = c
                .version
                .parse()
                .map_err(|e| SlimError::BadDependencyList {
                    detail: format!(
                        "crate {} has version `{}`, which is not a semantic version: {e}",
                        c.name, c.version
                    ),
                })?;
            Ok(Package {
                name: c.name.clone(),
                version,
                source: match &c.source {
                    CrateSource::CratesIo => Source::CratesIo,
                    CrateSource::Registry { .. } => Source::Registry,
                    CrateSource::Git { .. } => Source::Git,
                    CrateSource::Local => Source::Local,
                },
                kind: DependencyKind::Runtime,
                dependencies: c.dependencies.clone(),
                root: c.root,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(VersionInfo {
        packages,
        format: FORMAT,
    })
}

/// The bytes of the `.dep-v0` section: zlib-compressed JSON.
pub(crate) fn encode(crates: &LinkedCrates) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(&version_info(crates)?)?;
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(&json)
        .and_then(|()| encoder.finish())
        .context("cannot compress the dependency list")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::linked_crates::LinkedCrate;
    use flate2::read::ZlibDecoder;
    use std::io::Read;

    /// The most decompressed data read back (the limit cargo-auditable's
    /// readers use).
    const READ_LIMIT: u64 = 8 * 1024 * 1024;

    /// Read a `.dep-v0` section's bytes back (bounded), validated by
    /// `auditable-serde` (one root, no cycles).
    fn decode(section: &[u8]) -> Result<VersionInfo> {
        let mut json = Vec::new();
        ZlibDecoder::new(section)
            .take(READ_LIMIT)
            .read_to_end(&mut json)
            .map_err(|e| SlimError::BadDependencyList {
                detail: format!("the {SECTION} section is not zlib data: {e}"),
            })?;
        serde_json::from_slice(&json).map_err(|e| {
            SlimError::BadDependencyList {
                detail: format!("the {SECTION} section is not a dependency list: {e}"),
            }
            .into()
        })
    }

    fn sample() -> LinkedCrates {
        let krate = |name: &str, deps: Vec<usize>, root: bool, source| LinkedCrate {
            name: name.into(),
            version: "1.2.3".into(),
            source,
            checksum: None,
            license: None,
            dependencies: deps,
            root,
        };
        LinkedCrates {
            crates: vec![
                krate("fn", vec![1], true, CrateSource::Local),
                krate("serde", vec![], false, CrateSource::CratesIo),
            ],
        }
    }

    #[test]
    fn round_trips_and_is_stable() {
        let bytes = encode(&sample()).unwrap();
        assert_eq!(bytes, encode(&sample()).unwrap(), "deterministic");
        let info = decode(&bytes).unwrap();
        assert_eq!(info, version_info(&sample()).unwrap());
        let json = serde_json::to_string(&info).unwrap();
        assert_eq!(
            json,
            r#"{"packages":[{"name":"fn","version":"1.2.3","source":"local","dependencies":[1],"root":true},{"name":"serde","version":"1.2.3","source":"crates.io"}],"format":1}"#
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(decode(b"not zlib").is_err());
    }
}
