//! The container image part of `slim-manifest.json` (present only for builds
//! made with `--image`): the digests a registry and Lambda show, and the sizes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One content-addressed blob of the image.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct BlobRecord {
    pub media_type: String,
    /// `sha256:<hex>`.
    pub digest: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ImageRecord {
    /// The OCI layout directory, relative to the output directory.
    pub layout: String,
    /// The same layout as an `oci-archive` tarball.
    pub archive: ArchiveRecord,
    /// The tag `index.json` gives the image.
    pub reference: String,
    /// The image manifest: its digest is the image digest (what `docker pull
    /// …@sha256:` and Lambda's `ImageUri` pin).
    pub manifest: BlobRecord,
    pub config: BlobRecord,
    pub layer: BlobRecord,
    /// `sha256:<hex>` of the uncompressed layer (the config's DiffID).
    pub layer_diff_id: String,
    /// The config's labels (version, title, source, revision): `verify` builds
    /// the image again with these.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub compression: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ArchiveRecord {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}
