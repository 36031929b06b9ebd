//! Writing one target's outputs as one consistent set, through the output
//! directory's owner (`crate::output`), which decides the order and removes
//! what an earlier build left that this one does not write.

use anyhow::Result;

use crate::model::manifest::Manifest;
use crate::output::{Locked, OutputFile, OutputSet};
use crate::pipeline::package::image;
use crate::pipeline::supply_chain;

/// Everything one target's build writes besides its manifest and checksum.
pub(crate) struct Outputs<'a> {
    pub(crate) full: &'a [u8],
    pub(crate) bootstrap: &'a [u8],
    pub(crate) zip: &'a [u8],
    pub(crate) docs: &'a supply_chain::Documents,
    pub(crate) image: Option<&'a image::Image>,
    pub(crate) size_json: Option<&'a str>,
}

/// Write the outputs, the checksum of the zip and the manifest.
pub(crate) fn write_outputs(
    locked: &Locked<'_>,
    out: &Outputs<'_>,
    manifest: &Manifest,
) -> Result<()> {
    let manifest_json = manifest.to_json()?;
    let mut set = OutputSet::default();
    set.put(OutputFile::Unstripped, out.full)
        .put(OutputFile::Bootstrap, out.bootstrap)
        .put(OutputFile::Zip, out.zip)
        .put(OutputFile::Sbom, &out.docs.sbom)
        .put(OutputFile::Provenance, &out.docs.provenance)
        .put_checksum(&manifest.zip.sha256)
        .put(OutputFile::Manifest, manifest_json.as_bytes());
    if let Some(image) = out.image {
        image.put_into(&mut set);
    }
    if let Some(text) = out.size_json {
        set.put(OutputFile::SizeReport, text.as_bytes());
    }
    locked.write(&set)
}
