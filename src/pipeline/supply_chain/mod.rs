//! The supply-chain documents of a build: strip with the `.dep-v0` dependency
//! list added ([`strip_with_audit_data`]), then, once the zip and the
//! manifest's hashes are final, the [`sbom`] and [`provenance`]
//! ([`documents`]), all from one [`LinkedCrates`]; the workspace's [`sources`]
//! rustc read, the [`local_dependencies`] and the [`git`] state, recorded for
//! `verify`.

pub(crate) mod git;
pub(crate) mod local_dependencies;
pub(crate) mod provenance;
pub(crate) mod sbom;
pub(crate) mod sources;

use anyhow::Result;

use crate::model::linked_crates::LinkedCrates;
use crate::model::manifest::Manifest;
use crate::model::options::Options;
use crate::model::supply_chain::{AuditData, Document, SupplyChain};
use crate::output::{OutputFile, BOOTSTRAP};
use crate::pipeline::package::strip::{self, ExtraSection};
use crate::pipeline::package::{audit_data, build_id};
use crate::util::hash;

/// The SBOM and provenance to write beside the zip, and the manifest's record.
#[derive(Debug, Clone)]
pub(crate) struct Documents {
    pub sbom: Vec<u8>,
    pub provenance: Vec<u8>,
    pub record: SupplyChain,
}

/// Strip `full`, adding the dependency list unless the options say not to,
/// and set the build-id of both files to a hash of the shipped one
/// ([`build_id::stamp`]); returns `bootstrap` and what the list is and costs.
pub(crate) fn strip_with_audit_data(
    full: &mut [u8],
    crates: &LinkedCrates,
    options: &Options,
) -> Result<(Vec<u8>, Option<AuditData>)> {
    let mut without = strip::strip(full, &[])?;
    if !options.audit_data {
        build_id::stamp(&mut without, full)?;
        return Ok((without, None));
    }
    let data = audit_data::encode(crates)?;
    let section = ExtraSection {
        name: audit_data::SECTION,
        data: &data,
    };
    let mut with = strip::strip(full, &[section])?;
    build_id::stamp(&mut with, full)?;
    let audit = AuditData {
        section: audit_data::SECTION.into(),
        size: data.len() as u64,
        sha256: hash::sha256_hex(&data),
        bootstrap_bytes: (with.len() as u64).saturating_sub(without.len() as u64),
    };
    Ok((with, Some(audit)))
}

/// The SBOM and the provenance for the build `manifest` describes (its files and
/// zip hashes must be final).
pub(crate) fn documents(
    manifest: &Manifest,
    crates: &LinkedCrates,
    audit: Option<AuditData>,
) -> Result<Documents> {
    let bootstrap_sha = manifest
        .files
        .iter()
        .find(|f| f.name == BOOTSTRAP)
        .map(|f| f.sha256.clone())
        .unwrap_or_default();
    let runtime = manifest.runtime.to_string();
    let sbom = sbom::document(&sbom::Subject {
        crates,
        triple: &manifest.target.triple,
        runtime: &runtime,
        files: vec![
            (BOOTSTRAP, bootstrap_sha),
            (manifest.zip.name.as_str(), manifest.zip.sha256.clone()),
        ],
        timestamp: manifest.build.timestamp,
        audit_data: audit.is_some(),
    })?;
    let sbom_record = Document::of(OutputFile::Sbom.name(), &sbom);
    let provenance = provenance::statement(&provenance::Inputs {
        manifest,
        crates,
        sbom_sha256: &sbom_record.sha256,
    })?;
    Ok(Documents {
        record: SupplyChain {
            crates: crates.crates.len() as u64,
            audit_data: audit,
            sbom: sbom_record,
            provenance: Document::of(OutputFile::Provenance.name(), &provenance),
        },
        sbom,
        provenance,
    })
}
