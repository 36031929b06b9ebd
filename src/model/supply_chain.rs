//! What the manifest records about the supply-chain outputs of a build: the
//! dependency list embedded in `bootstrap`, the SBOM and the provenance
//! statement, each by size and SHA-256, so `cargo slim verify` can check them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SupplyChain {
    /// How many crates are linked (the function's own package included): the
    /// length of the embedded list and of the SBOM's crate components.
    pub crates: u64,
    /// The `.dep-v0` section in `bootstrap`; `None` with `--no-audit-data`.
    pub audit_data: Option<AuditData>,
    /// `function.cdx.json`.
    pub sbom: Document,
    /// `function.intoto.json`.
    pub provenance: Document,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct AuditData {
    /// `.dep-v0`.
    pub section: String,
    /// The section's size (compressed JSON).
    pub size: u64,
    pub sha256: String,
    /// What it costs: `bootstrap` with the section minus without it.
    pub bootstrap_bytes: u64,
}

/// A file written beside `function.zip`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Document {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

impl Document {
    pub(crate) fn of(name: &str, bytes: &[u8]) -> Document {
        Document {
            name: name.into(),
            size: bytes.len() as u64,
            sha256: crate::util::hash::sha256_hex(bytes),
        }
    }
}
