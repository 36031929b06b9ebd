//! The OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) as a
//! list of files, written once as a directory and once as an `oci-archive` tar
//! of the same files, so the two hold the same bytes.
//!
//! `index.json` is the layout's table of contents, required by the layout spec;
//! it points at a plain image manifest, which is what `skopeo copy` pushes.
//! Lambda refuses image indexes (manifest lists), so no index *blob* is written
//! unless asked for with `--multi-arch`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use oci_spec::image::{
    Descriptor, DescriptorBuilder, ImageIndexBuilder, ImageManifestBuilder, MediaType,
    OciLayoutBuilder, PlatformBuilder, Sha256Digest, ANNOTATION_REF_NAME,
};

use super::tar::{self, TarEntry};
use crate::model::target::Arch;
use crate::util::error::SlimError;
use crate::util::{atomic, hash};

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

/// Write the layout directory `dir`: built beside it under a temporary name,
/// then swapped in. An interrupted run leaves the old layout or none, never a
/// torn one (a directory cannot be renamed over a non-empty one, so the old is
/// moved aside first).
pub(super) fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let parent = dir
        .parent()
        .context("the image directory has no parent directory")?;
    remove_stale_staging(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".slim-tmp-image-")
        .tempdir_in(parent)
        .map_err(|e| unwritable(parent, e))?;
    for (path, data) in files {
        let dest = staging.path().join(path);
        if let Some(p) = dest.parent() {
            fs::create_dir_all(p).map_err(|e| unwritable(p, e))?;
        }
        atomic::write(&dest, data, 0o644)?;
    }
    // tempdir() makes 0700; a layout is read by other users' tools too.
    for sub in ["", "blobs", "blobs/sha256"] {
        let d = staging.path().join(sub);
        if d.is_dir() {
            set_dir_mode(&d)?;
        }
    }
    let old = parent.join(format!(
        ".slim-old-{}",
        dir.file_name()
            .map_or_else(|| "image".into(), |n| n.to_string_lossy().into_owned())
    ));
    remove_dir_if_exists(&old)?;
    if dir.exists() {
        fs::rename(dir, &old).with_context(|| format!("cannot move {} aside", dir.display()))?;
    }
    let staged = staging.keep();
    fs::rename(&staged, dir).with_context(|| format!("cannot create {}", dir.display()))?;
    remove_dir_if_exists(&old)
}

/// Remove a layout directory we wrote, if there is one (only a directory with an
/// `oci-layout` file is ours to remove).
pub(super) fn remove_dir(dir: &Path) -> Result<()> {
    if dir.join("oci-layout").is_file() {
        fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    Ok(())
}

/// Staging and moved-aside directories a killed run left (the caller holds the
/// output directory's lock, so no live run of ours is using them).
fn remove_stale_staging(parent: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = name
            .to_str()
            .is_some_and(|n| n.starts_with(".slim-tmp-image-") || n.starts_with(".slim-old-"));
        if ours && entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_dir_if_exists(&entry.path())?;
        }
    }
    Ok(())
}

fn remove_dir_if_exists(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", dir.display())),
    }
}

fn set_dir_mode(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot set the mode of {}", dir.display()))
}

fn unwritable(dir: &Path, err: std::io::Error) -> anyhow::Error {
    SlimError::OutputDirUnwritable {
        dir: dir.to_path_buf(),
        detail: err.to_string(),
        blocker: None,
    }
    .into()
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

    #[test]
    fn write_dir_replaces_the_old_layout() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("image");
        let one = vec![("oci-layout".to_string(), b"1".to_vec())];
        let two = vec![
            ("blobs/sha256/ab".to_string(), b"2".to_vec()),
            ("oci-layout".to_string(), b"2".to_vec()),
        ];
        write_dir(&dir, &one).unwrap();
        // What a run killed between staging and swapping leaves behind.
        fs::create_dir_all(tmp.path().join(".slim-tmp-image-dead/blobs")).unwrap();
        fs::create_dir_all(tmp.path().join(".slim-old-image")).unwrap();
        write_dir(&dir, &two).unwrap();
        assert_eq!(fs::read(dir.join("oci-layout")).unwrap(), b"2");
        assert_eq!(fs::read(dir.join("blobs/sha256/ab")).unwrap(), b"2");
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no staging or old directories left");
        remove_dir(&dir).unwrap();
        assert!(!dir.exists());
    }
}
