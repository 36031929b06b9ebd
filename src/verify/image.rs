//! The container image part of a verification: the recorded digests against a
//! rebuild's, and the image files on disk against the record.

use crate::output::OutputDir;

use super::difference::{Difference, DifferenceKind};
use crate::model::image::{BlobRecord, ImageRecord};
use crate::pipeline::package::image;

/// Recorded vs rebuilt: the archive, the manifest (the image digest), the
/// config and the layer (compressed and not).
pub(super) fn outputs(
    recorded: Option<&ImageRecord>,
    rebuilt: Option<&ImageRecord>,
) -> Vec<Difference> {
    let (r, b) = match (recorded, rebuilt) {
        (None, None) => return Vec::new(),
        (Some(r), Some(b)) => (r, b),
        (r, b) => {
            let say = |i: Option<&ImageRecord>| {
                i.map_or("absent".to_string(), |i| i.manifest.digest.clone())
            };
            return vec![diff(DifferenceKind::Image, "image", say(r), say(b))];
        }
    };
    let mut out = Vec::new();
    let mut blob = |what: &str, r: &BlobRecord, b: &BlobRecord| {
        if r.digest != b.digest || r.size != b.size {
            out.push(diff(
                DifferenceKind::Image,
                what,
                format!("{} ({} bytes)", r.digest, r.size),
                format!("{} ({} bytes)", b.digest, b.size),
            ));
        }
    };
    blob(
        "image manifest (the image digest)",
        &r.manifest,
        &b.manifest,
    );
    blob("image config", &r.config, &b.config);
    blob("image layer", &r.layer, &b.layer);
    if r.layer_diff_id != b.layer_diff_id {
        out.push(diff(
            DifferenceKind::Image,
            "image layer, uncompressed (DiffID)",
            r.layer_diff_id.clone(),
            b.layer_diff_id.clone(),
        ));
    }
    if r.archive.sha256 != b.archive.sha256 {
        out.push(diff(
            DifferenceKind::Image,
            &r.archive.name,
            r.archive.sha256.clone(),
            b.archive.sha256.clone(),
        ));
    }
    out
}

/// The image files in `out_dir` against the record (nothing when the record
/// has no image).
pub(super) fn artifact(dir: &OutputDir, recorded: Option<&ImageRecord>) -> Vec<Difference> {
    let Some(record) = recorded else {
        return Vec::new();
    };
    image::check_artifact(dir, record)
        .into_iter()
        .map(|m| diff(DifferenceKind::Artifact, &m.name, m.recorded, m.found))
        .collect()
}

fn diff(kind: DifferenceKind, name: &str, recorded: String, found: String) -> Difference {
    Difference::new(kind, name, recorded, found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::image::ArchiveRecord;

    fn record(layer: &str) -> ImageRecord {
        let blob = |d: &str| BlobRecord {
            media_type: "m".into(),
            digest: format!("sha256:{d}"),
            size: 1,
        };
        ImageRecord {
            layout: "image".into(),
            archive: ArchiveRecord {
                name: "image.tar".into(),
                size: 1,
                sha256: layer.into(),
            },
            reference: "latest".into(),
            manifest: blob(layer),
            config: blob("c"),
            layer: blob(layer),
            layer_diff_id: "sha256:d".into(),
            labels: Default::default(),
            compression: "gzip".into(),
        }
    }

    #[test]
    fn names_what_differs() {
        assert!(outputs(Some(&record("a")), Some(&record("a"))).is_empty());
        let d = outputs(Some(&record("a")), Some(&record("b")));
        let names: Vec<&str> = d.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "image manifest (the image digest)",
                "image layer",
                "image.tar"
            ]
        );
        let gone = outputs(Some(&record("a")), None);
        assert_eq!(gone[0].found, "absent");
    }
}
