//! `function.cdx.json`: a CycloneDX 1.5 SBOM of one target's build.
//!
//! The function's package is the root component (`metadata.component`); every
//! other crate linked into `bootstrap` is a `library` component with its version,
//! purl, Cargo.lock checksum (SHA-256 of the `.crate`) and license; `bootstrap`
//! and `function.zip` are `file` components with their SHA-256; `dependencies`
//! carries the edges between crates. The crates are exactly those of the embedded
//! `.dep-v0` list: both are written from one [`LinkedCrates`].
//!
//! Deterministic: the timestamp is the zip's (SOURCE_DATE_EPOCH or 1980-01-01),
//! and the serial number is a name-based UUID (version 5, RFC 9562) of the
//! document's own bytes written without it.
//!
//! Plain serde structs rather than the `cyclonedx-bom` crate: we write one
//! fixed shape, need byte-for-byte control of the output, and that crate would
//! bring its own UUID, time, SPDX and XML dependencies to do it.

use anyhow::Result;
use serde::Serialize;
use sha1::{Digest as _, Sha1};

use crate::model::linked_crates::{LinkedCrate, LinkedCrates};
use crate::model::timestamp::Timestamp;
use crate::util::error::SlimError;
use crate::util::hash;

/// What the SBOM describes besides the crates.
#[derive(Debug, Clone)]
pub(crate) struct Subject<'a> {
    pub crates: &'a LinkedCrates,
    pub triple: &'a str,
    pub runtime: &'a str,
    /// `bootstrap`, `function.zip`: name and bytes' SHA-256.
    pub files: Vec<(&'a str, String)>,
    pub timestamp: Timestamp,
    /// Whether `bootstrap` carries the `.dep-v0` list.
    pub audit_data: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: &'static str,
    spec_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial_number: Option<String>,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct Metadata {
    timestamp: String,
    tools: Tools,
    component: Component,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Serialize, Default)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

#[derive(Serialize)]
struct License {
    expression: String,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    depends_on: Vec<String>,
}

/// The SBOM's bytes (pretty JSON, final newline).
pub(crate) fn document(subject: &Subject) -> Result<Vec<u8>> {
    let crates = &subject.crates.crates;
    let root = subject
        .crates
        .root()
        .ok_or_else(|| SlimError::BadDependencyList {
            detail: "the linked-crate list has no root package".into(),
        })?;
    let refs = bom_refs(crates);
    let mut components: Vec<Component> = crates
        .iter()
        .zip(&refs)
        .filter(|(c, _)| !c.root)
        .map(|(c, r)| crate_component(c, r, "library"))
        .collect();
    components.extend(
        subject
            .files
            .iter()
            .map(|(name, sha)| file_component(name, sha)),
    );
    let root_ref = crates
        .iter()
        .zip(&refs)
        .find(|(c, _)| c.root)
        .map(|(_, r)| r.clone())
        .unwrap_or_default();
    let mut bom = Bom {
        bom_format: "CycloneDX",
        spec_version: "1.5",
        serial_number: None,
        version: 1,
        metadata: metadata(subject, crate_component(root, &root_ref, "application")),
        components,
        dependencies: dependencies(crates, &refs),
    };
    let unnumbered = to_json(&bom)?;
    bom.serial_number = Some(format!(
        "urn:uuid:{}",
        uuid_v5(&format!("urn:sha256:{}", hash::sha256_hex(&unnumbered)))
    ));
    to_json(&bom)
}

/// A crate as a component: its version, purl, checksum and license.
fn crate_component(c: &LinkedCrate, bom_ref: &str, kind: &'static str) -> Component {
    Component {
        kind,
        bom_ref: Some(bom_ref.to_string()),
        name: c.name.clone(),
        version: Some(c.version.clone()),
        hashes: c
            .checksum
            .iter()
            .map(|sum| Hash {
                alg: "SHA-256",
                content: sum.clone(),
            })
            .collect(),
        licenses: c
            .license
            .iter()
            .map(|l| License {
                expression: l.clone(),
            })
            .collect(),
        purl: Some(c.purl()),
    }
}

/// A shipped file (`bootstrap`, `function.zip`) as a component, with its SHA-256.
fn file_component(name: &str, sha256: &str) -> Component {
    Component {
        kind: "file",
        bom_ref: Some(format!("file:{name}")),
        name: name.to_string(),
        hashes: vec![Hash {
            alg: "SHA-256",
            content: sha256.to_string(),
        }],
        ..Component::default()
    }
}

/// The edges between crates, by `bom-ref`.
fn dependencies(crates: &[LinkedCrate], refs: &[String]) -> Vec<Dependency> {
    crates
        .iter()
        .zip(refs)
        .map(|(c, r)| Dependency {
            reference: r.clone(),
            depends_on: c
                .dependencies
                .iter()
                .filter_map(|&i| refs.get(i).cloned())
                .collect(),
        })
        .collect()
}

/// When, by which tool, of what (`root`), and for which target and runtime.
fn metadata(subject: &Subject, root: Component) -> Metadata {
    Metadata {
        timestamp: subject.timestamp.rfc3339(),
        tools: Tools {
            components: vec![Component {
                kind: "application",
                name: env!("CARGO_PKG_NAME").into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
                ..Component::default()
            }],
        },
        component: root,
        properties: vec![
            Property {
                name: "cargo-slim:target",
                value: subject.triple.into(),
            },
            Property {
                name: "cargo-slim:runtime",
                value: subject.runtime.into(),
            },
            Property {
                name: "cargo-slim:embedded-dependency-list",
                value: if subject.audit_data {
                    crate::pipeline::package::audit_data::SECTION.into()
                } else {
                    "none".into()
                },
            },
        ],
    }
}

fn to_json(bom: &Bom) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(bom)?;
    out.push(b'\n');
    Ok(out)
}

/// A `bom-ref` per crate: its purl, made unique with `#N` in the (unlikely)
/// case of two crates with the same purl (e.g. two local crates of one name).
fn bom_refs(crates: &[LinkedCrate]) -> Vec<String> {
    let purls: Vec<String> = crates.iter().map(LinkedCrate::purl).collect();
    purls
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if purls.iter().filter(|q| *q == p).count() > 1 {
                format!("{p}#{i}")
            } else {
                p.clone()
            }
        })
        .collect()
}

/// RFC 9562 UUID version 5 (SHA-1, name-based) of `name` in the URL namespace.
fn uuid_v5(name: &str) -> String {
    const NAMESPACE_URL: [u8; 16] = [
        0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30,
        0xc8,
    ];
    let mut sha = Sha1::new();
    sha.update(NAMESPACE_URL);
    sha.update(name.as_bytes());
    let digest = sha.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hash::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v5_matches_the_rfc() {
        // Python: uuid.uuid5(uuid.NAMESPACE_URL, "https://example.com")
        assert_eq!(
            uuid_v5("https://example.com"),
            "4fd35a71-71ef-5a55-a9d9-aa75c889a6d0"
        );
    }
}
