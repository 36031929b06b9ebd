//! Writing one target's outputs as one consistent set.

use anyhow::Result;

use crate::model::manifest::Manifest;
use crate::pipeline::build::Built;
use crate::pipeline::image;
use crate::pipeline::supply_chain;
use crate::size::size_report;
use crate::util::atomic;

/// Everything one target's build writes besides its manifest and checksum.
pub(crate) struct Outputs<'a> {
    pub(crate) full: &'a [u8],
    pub(crate) bootstrap: &'a [u8],
    pub(crate) zip: &'a [u8],
    pub(crate) docs: &'a supply_chain::Documents,
    pub(crate) image: Option<&'a image::Image>,
    pub(crate) size_json: Option<&'a str>,
}

/// Write the outputs so that at no moment does a manifest or checksum describe a
/// zip that is not there: the old manifest and checksum go first, then the new
/// files (each atomically), then the new checksum, then the new manifest.
pub(crate) fn write_outputs(built: &Built, out: &Outputs<'_>, manifest: &Manifest) -> Result<()> {
    let Outputs {
        full,
        bootstrap,
        zip,
        docs,
        image,
        size_json,
    } = *out;
    let sha_path = built.out_dir.join("function.zip.sha256");
    let size_path = built.out_dir.join(size_report::FILE_NAME);
    atomic::remove_if_exists(&built.manifest)?;
    atomic::remove_if_exists(&sha_path)?;
    atomic::write(&built.full, full, 0o755)?;
    atomic::write(&built.bootstrap, bootstrap, 0o755)?;
    atomic::write(&built.zip, zip, 0o644)?;
    atomic::write(&built.sbom, &docs.sbom, 0o644)?;
    atomic::write(&built.provenance, &docs.provenance, 0o644)?;
    match image {
        Some(image) => image::write(&built.out_dir, image)?,
        None => image::remove(&built.out_dir)?,
    }
    match size_json {
        Some(text) => atomic::write(&size_path, text.as_bytes(), 0o644)?,
        None => atomic::remove_if_exists(&size_path)?,
    }
    let line = format!("{}  function.zip\n", manifest.zip.sha256);
    atomic::write(&sha_path, line.as_bytes(), 0o644)?;
    atomic::write(&built.manifest, manifest.to_json()?.as_bytes(), 0o644)?;
    Ok(())
}
