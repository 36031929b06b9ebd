//! The supply-chain outputs under verification: `function.cdx.json` and
//! `function.intoto.json` on disk against the manifest, and the rebuild's list
//! and SBOM against the recorded ones. (The `.dep-v0` section itself is also
//! covered by the bootstrap and section hashes.)

use crate::model::manifest::Manifest;
use crate::model::supply_chain::AuditData;
use crate::output::{OutputDir, OutputFile};
use crate::util::hash;

use super::difference::{Difference, DifferenceKind};

/// The SBOM and provenance files in `out_dir` (beside the zip) against their
/// recorded hashes. Nothing to check for a manifest written before they existed.
/// The file names are ours, not the manifest's: a recorded value never becomes
/// a path.
pub(super) fn check_artifact(dir: &OutputDir, recorded: &Manifest) -> Vec<Difference> {
    let Some(sc) = &recorded.supply_chain else {
        return Vec::new();
    };
    [
        (OutputFile::Sbom, &sc.sbom),
        (OutputFile::Provenance, &sc.provenance),
    ]
    .into_iter()
    .filter_map(|(file, doc)| {
        let name = file.name();
        let found = match std::fs::read(dir.unlocked(file)) {
            Ok(bytes) => hash::sha256_hex(&bytes),
            Err(_) => "missing".to_string(),
        };
        (found != doc.sha256)
            .then(|| Difference::new(DifferenceKind::Artifact, name, &doc.sha256, &found))
    })
    .collect()
}

/// The rebuild's dependency list and SBOM against the record.
///
/// The provenance is not compared byte for byte: besides the outputs it names
/// the invocation (the cargo command with `--locked` or `--quiet`, the order of
/// the path remaps, which follows where the target directory is), which a
/// rebuild need not repeat and which the recorded settings already explain.
/// What it attests (the zip, its subject; bootstrap and the SBOM, its
/// byproducts) is compared here and by the caller; the provenance file itself is
/// checked against the manifest like every other artifact.
pub(super) fn compare(recorded: &Manifest, rebuilt: &Manifest) -> Vec<Difference> {
    let (Some(r), Some(n)) = (&recorded.supply_chain, &rebuilt.supply_chain) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if r.sbom.sha256 != n.sbom.sha256 {
        out.push(Difference::new(
            DifferenceKind::SupplyChain,
            &r.sbom.name,
            &r.sbom.sha256,
            &n.sbom.sha256,
        ));
    }
    let audit = |a: Option<&AuditData>| a.map_or_else(|| "none".to_string(), |a| a.sha256.clone());
    let (ra, na) = (audit(r.audit_data.as_ref()), audit(n.audit_data.as_ref()));
    if ra != na {
        out.push(Difference::new(
            DifferenceKind::SupplyChain,
            ".dep-v0 (embedded dependency list)",
            &ra,
            &na,
        ));
    }
    out
}
