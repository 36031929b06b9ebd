//! The OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) as a
//! list of files, written once as a directory and once as an `oci-archive` tar
//! of the same files, so the two hold the same bytes.
//!
//! `index.json` is the layout's table of contents, required by the layout spec;
//! it points at a plain image manifest, which is what `skopeo copy` pushes.
//! Lambda refuses image indexes (manifest lists), so no index *blob* is written
//! unless asked for with `--multi-arch`.

use std::collections::BTreeMap;

use anyhow::Result;
use oci_spec::image::{
    Descriptor, DescriptorBuilder, ImageIndexBuilder, ImageManifestBuilder, MediaType,
    OciLayoutBuilder, PlatformBuilder, Sha256Digest, ANNOTATION_REF_NAME,
};

use super::tar::{self, TarEntry};
use crate::model::target::Arch;
use crate::util::hash;

/// The tag `index.json` gives the image: `oci:DIR:latest`, `oci-archive:FILE:latest`.
pub(crate) const REF_NAME: &str = "latest";

/// A content-addressed blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Blob {
    pub media_type: MediaType,
    pub data: Vec<u8>,
}

impl Blob {
    pub(super) fn hex(&self) -> String {
        hash::sha256_hex(&self.data)
    }

    /// `sha256:<hex>`.
    pub(super) fn digest(&self) -> String {
        format!("sha256:{}", self.hex())
    }

    pub(super) fn descriptor(&self) -> Result<Descriptor> {
        let digest: Sha256Digest = self.hex().parse()?;
        Ok(Descriptor::new(
            self.media_type.clone(),
            self.data.len() as u64,
            digest,
        ))
    }
}

/// The image manifest for one config and one layer, as canonical JSON.
pub(super) fn manifest(config: &Blob, layer: &Blob) -> Result<Blob> {
    let manifest = ImageManifestBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageManifest)
        .config(config.descriptor()?)
        .layers(vec![layer.descriptor()?])
        .build()?;
    Ok(Blob {
        media_type: MediaType::ImageManifest,
        data: super::canonical_json(&manifest)?,
    })
}

/// An image index over several single-platform manifests (`--multi-arch`).
pub(super) fn index_blob(manifests: &[(Blob, Arch)]) -> Result<Blob> {
    let mut descriptors = Vec::new();
    for (blob, arch) in manifests {
        let (architecture, variant) = super::config::platform(*arch);
        let mut p = PlatformBuilder::default()
            .architecture(architecture)
            .os(oci_spec::image::Os::Linux);
        if let Some(v) = variant {
            p = p.variant(v.to_string());
        }
        descriptors.push(
            DescriptorBuilder::default()
                .media_type(MediaType::ImageManifest)
                .digest(blob.hex().parse::<Sha256Digest>()?)
                .size(blob.data.len() as u64)
                .platform(p.build()?)
                .build()?,
        );
    }
    let index = ImageIndexBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageIndex)
        .manifests(descriptors)
        .build()?;
    Ok(Blob {
        media_type: MediaType::ImageIndex,
        data: super::canonical_json(&index)?,
    })
}

/// The files of a layout holding `blobs`, whose `index.json` names `top` (an
/// image manifest, or an image index) as [`REF_NAME`]. Sorted by path.
pub(super) fn files(top: &Blob, blobs: &[&Blob]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut descriptor = top.descriptor()?;
    descriptor.set_annotations(Some(
        [(ANNOTATION_REF_NAME.to_string(), REF_NAME.to_string())]
            .into_iter()
            .collect(),
    ));
    let index = ImageIndexBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageIndex)
        .manifests(vec![descriptor])
        .build()?;
    let layout = OciLayoutBuilder::default()
        .image_layout_version("1.0.0")
        .build()?;
    let mut out: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for blob in blobs.iter().copied().chain(std::iter::once(top)) {
        out.insert(format!("blobs/sha256/{}", blob.hex()), blob.data.clone());
    }
    out.insert("index.json".into(), super::canonical_json(&index)?);
    out.insert("oci-layout".into(), super::canonical_json(&layout)?);
    Ok(out.into_iter().collect())
}

/// The `oci-archive` form: a tar of the layout's files (and its two directories),
/// every entry 0644/0755, owned by root, at `mtime`.
pub(super) fn archive(files: &[(String, Vec<u8>)], mtime: i64) -> Result<Vec<u8>> {
    let mut entries = vec![TarEntry::dir("blobs/"), TarEntry::dir("blobs/sha256/")];
    entries.extend(
        files
            .iter()
            .map(|(path, data)| TarEntry::file(path.clone(), 0o644, data.clone())),
    );
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    tar::write(&entries, mtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(media_type: MediaType, data: &[u8]) -> Blob {
        Blob {
            media_type,
            data: data.to_vec(),
        }
    }

    #[test]
    fn layout_names_the_manifest_and_holds_every_blob() {
        let config = blob(MediaType::ImageConfig, b"{}");
        let layer = blob(MediaType::ImageLayerGzip, b"layer");
        let m = manifest(&config, &layer).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&m.data).unwrap();
        assert_eq!(v["schemaVersion"], 2);
        assert_eq!(v["mediaType"], "application/vnd.oci.image.manifest.v1+json");
        assert_eq!(v["config"]["digest"], config.digest());
        assert_eq!(
            v["layers"][0]["mediaType"],
            "application/vnd.oci.image.layer.v1.tar+gzip"
        );
        assert_eq!(v["layers"][0]["size"], 5);
        let files = files(&m, &[&config, &layer]).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.len(), 5);
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        let index = &files.iter().find(|(n, _)| n == "index.json").unwrap().1;
        let index: serde_json::Value = serde_json::from_slice(index).unwrap();
        assert_eq!(index["manifests"][0]["digest"], m.digest());
        assert_eq!(
            index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
            "latest"
        );
    }
}
