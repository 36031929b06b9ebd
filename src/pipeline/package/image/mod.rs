//! `cargo slim build --image`: the same `bootstrap` (and `--include` files) as a
//! single-architecture OCI container image Lambda accepts, with no Docker and no
//! base image (FROM scratch), byte-reproducible like the zip.
//!
//! Per target, beside `function.zip`: `image/` (an OCI image layout) and
//! `image.tar` (the same files as an `oci-archive`). One gzip layer
//! ([`layer`]), a config ([`config`]), a plain image manifest ([`layout`]).
//! Every byte follows from the zip's entries, the target, the build's one
//! timestamp and the labels (package version, repository, git commit).
//!
//! Only static (musl) builds: a dynamically linked gnu `bootstrap` needs the
//! Amazon Linux base image's glibc, which is not something we can fetch and
//! pin here.

mod check;
mod config;
mod layer;
mod layout;
mod tar;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use oci_spec::image::MediaType;
use serde::Serialize;

use crate::model::image::{ArchiveRecord, BlobRecord, ImageRecord};
use crate::model::target::{Arch, Libc, Target};
use crate::model::timestamp::{civil_from_days, Timestamp};
use crate::output::{Locked, OutputFile, OutputSet};
use crate::pipeline::package::Entry;
use crate::util::error::SlimError;
use crate::util::hash;

pub(crate) use check::check_artifact;
pub(crate) use layer::COMPRESSION;
pub(crate) use layout::REF_NAME;

/// An image is asked for (`--image`, or a verify of a build that made one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Request {
    /// Labels to use instead of the current ones: verify reuses the recorded
    /// labels (as it reuses the recorded timestamp), so a rebuild from another
    /// commit with the same sources can still reproduce the recorded image.
    pub labels: Option<BTreeMap<String, String>>,
}

/// What to build an image from.
#[derive(Debug, Clone)]
pub(crate) struct Input<'a> {
    pub target: &'a Target,
    /// The zip's entries: `bootstrap` and the `--include` files.
    pub entries: &'a [Entry],
    pub timestamp: Timestamp,
    pub labels: BTreeMap<String, String>,
}

/// One target's image, in memory.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub arch: Arch,
    labels: BTreeMap<String, String>,
    layer: layout::Blob,
    config: layout::Blob,
    manifest: layout::Blob,
    diff_id: String,
    files: Vec<(String, Vec<u8>)>,
    archive: Vec<u8>,
}

/// The OCI labels: version and title always, source when the package names its
/// repository, revision when the workspace is a git checkout.
pub(crate) fn labels(
    version: &str,
    title: &str,
    source: Option<&str>,
    revision: Option<&str>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        out.insert(format!("org.opencontainers.image.{k}"), v.to_string());
    };
    put("version", version);
    put("title", title);
    if let Some(s) = source {
        put("source", s);
    }
    if let Some(r) = revision {
        put("revision", r);
    }
    out
}

/// A clear error, before compiling, for a target an image cannot be made for.
pub(crate) fn check_target(target: &Target) -> Result<()> {
    if target.libc == Libc::Gnu {
        return Err(SlimError::ImageNeedsMusl {
            target: target.triple.clone(),
            arch: target.arch.to_string(),
        }
        .into());
    }
    Ok(())
}

/// Every file's path in the image fits the layer's plain ustar headers: checked
/// with the include files' names before compiling, not after.
pub(crate) fn check_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<()> {
    for name in names {
        tar::fits(&format!("{}/{name}", layer::TASK_DIR))?;
    }
    Ok(())
}

/// Build the image in memory.
pub(crate) fn build(input: &Input<'_>) -> Result<Image> {
    check_target(input.target)?;
    let mtime = input.timestamp.unix;
    let layer = layer::build(input.entries, mtime)?;
    let diff_id = format!("sha256:{}", hash::sha256_hex(&layer.tar));
    let config = layout::Blob {
        media_type: MediaType::ImageConfig,
        data: config::build(&config::ConfigInput {
            arch: input.target.arch,
            created: rfc3339(mtime),
            labels: input.labels.clone(),
            diff_id: diff_id.clone(),
        })?,
    };
    let layer = layout::Blob {
        media_type: MediaType::ImageLayerGzip,
        data: layer.gzip,
    };
    let manifest = layout::manifest(&config, &layer)?;
    let files = layout::files(&manifest, &[&config, &layer])?;
    let archive = layout::archive(&files, mtime)?;
    Ok(Image {
        arch: input.target.arch,
        labels: input.labels.clone(),
        layer,
        config,
        manifest,
        diff_id,
        files,
        archive,
    })
}

impl Image {
    /// What the manifest records about it.
    pub(crate) fn record(&self) -> ImageRecord {
        let blob = |b: &layout::Blob| BlobRecord {
            media_type: b.media_type.to_string(),
            digest: b.digest(),
            size: b.data.len() as u64,
        };
        ImageRecord {
            layout: OutputFile::ImageLayout.name().into(),
            archive: ArchiveRecord {
                name: OutputFile::ImageArchive.name().into(),
                size: self.archive.len() as u64,
                sha256: hash::sha256_hex(&self.archive),
            },
            reference: REF_NAME.into(),
            manifest: blob(&self.manifest),
            config: blob(&self.config),
            layer: blob(&self.layer),
            layer_diff_id: self.diff_id.clone(),
            labels: self.labels.clone(),
            compression: COMPRESSION.into(),
        }
    }

    /// `image.tar` and the `image/` layout, among the files a build writes.
    pub(crate) fn put_into<'a>(&'a self, set: &mut OutputSet<'a>) {
        set.put(OutputFile::ImageArchive, &self.archive)
            .put_tree(OutputFile::ImageLayout, &self.files);
    }
}

/// `--multi-arch`: one layout (and archive) holding every target's image and
/// an image index over them, for registries serving Kubernetes or Cloud Run.
/// Lambda does not accept an index: deploy a per-target image to it.
pub(crate) fn write_multi_arch(
    locked: &Locked<'_>,
    images: &[&Image],
    mtime: i64,
) -> Result<MultiArch> {
    let manifests: Vec<(layout::Blob, Arch)> = images
        .iter()
        .map(|i| (i.manifest.clone(), i.arch))
        .collect();
    let index = layout::index_blob(&manifests)?;
    let mut blobs: Vec<&layout::Blob> = Vec::new();
    for image in images {
        blobs.extend([&image.config, &image.layer, &image.manifest]);
    }
    let files = layout::files(&index, &blobs)?;
    let archive = layout::archive(&files, mtime)?;
    let mut set = OutputSet::default();
    set.put(OutputFile::ImageArchive, &archive)
        .put_tree(OutputFile::ImageLayout, &files);
    locked.write(&set)?;
    Ok(MultiArch {
        index_digest: index.digest(),
        layout: locked.path(OutputFile::ImageLayout),
        archive: locked.path(OutputFile::ImageArchive),
        archive_bytes: archive.len() as u64,
    })
}

/// Where `--multi-arch` wrote the index.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MultiArch {
    pub index_digest: String,
    pub layout: PathBuf,
    pub archive: PathBuf,
    pub archive_bytes: u64,
}

/// JSON with every object's keys sorted and no white space: the one
/// serialization whose digest we publish. oci-spec keeps labels and
/// annotations in HashMaps; sorting here keeps their random order out.
fn canonical_json(value: &impl Serialize) -> Result<Vec<u8>> {
    fn sort(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let sorted: BTreeMap<String, serde_json::Value> =
                    map.into_iter().map(|(k, v)| (k, sort(v))).collect();
                serde_json::Value::Object(sorted.into_iter().collect())
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.into_iter().map(sort).collect())
            }
            other => other,
        }
    }
    let value = serde_json::to_value(value).context("cannot serialize image metadata")?;
    serde_json::to_vec(&sort(value)).context("cannot serialize image metadata")
}

/// Seconds since the epoch → `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::OutputDir;
    use std::fs;

    fn input_entries() -> Vec<Entry> {
        vec![Entry {
            name: "bootstrap".into(),
            mode: 0o755,
            data: b"\x7fELF not really".to_vec(),
        }]
    }

    #[test]
    fn times_format_as_rfc3339() {
        assert_eq!(rfc3339(315_532_800), "1980-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn gnu_is_refused_with_a_hint() {
        let t = Target::new(Arch::Arm64, Libc::Gnu);
        let err = check_target(&t).unwrap_err();
        let slim = err.downcast_ref::<SlimError>().unwrap();
        assert!(slim.help().unwrap().contains("--libc musl"));
    }

    #[test]
    fn same_input_same_image_and_a_consistent_record() {
        let t = Target::new(Arch::Arm64, Libc::Musl);
        let entries = input_entries();
        let input = Input {
            target: &t,
            entries: &entries,
            timestamp: Timestamp {
                unix: 315_532_800,
                from_source_date_epoch: false,
            },
            labels: labels("0.1.0", "hello", None, Some("abc")),
        };
        let one = build(&input).unwrap();
        let two = build(&input).unwrap();
        assert_eq!(one.archive, two.archive);
        assert_eq!(one.record(), two.record());
        let r = one.record();
        assert_eq!(
            r.layer.media_type,
            "application/vnd.oci.image.layer.v1.tar+gzip"
        );
        assert_eq!(r.manifest.digest, one.manifest.digest());

        let tmp = tempfile::tempdir().unwrap();
        let dir = OutputDir::given(tmp.path());
        let ui = crate::ui::Ui::new(0, true, crate::ui::Format::Human, crate::ui::Color::Never);
        let locked = dir.lock(&ui).unwrap();
        let mut set = OutputSet::default();
        one.put_into(&mut set);
        locked.write(&set).unwrap();
        assert!(check_artifact(&dir, &r).is_empty());
        fs::write(tmp.path().join("image.tar"), b"edited").unwrap();
        let bad = check_artifact(&dir, &r);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].name, "image.tar");
        let mut hostile = r.clone();
        hostile.layer.digest = "sha256:../../../../etc/passwd".into();
        hostile.layout = "/etc".into();
        let bad = check_artifact(&dir, &hostile);
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert_eq!(bad[1].found, "not a sha256 digest in the manifest");
        fs::write(tmp.path().join("image/index.json"), b"{}").unwrap();
        let bad = check_artifact(&dir, &r);
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert_eq!(bad[1].name, "image/index.json");
        // A build without --image removes the image an earlier one left.
        locked.write(&OutputSet::default()).unwrap();
        let left: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, [".cargo-slim-lock"]);
    }
}
