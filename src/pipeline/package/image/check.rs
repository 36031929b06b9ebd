//! The image files on disk against the manifest's record of them, for
//! `cargo slim verify`. The record is untrusted input (it may come from
//! `verify --manifest PATH`): it chooses no path, and reads are bounded.

use std::fs;
use std::path::{Path, PathBuf};

use crate::model::image::ImageRecord;
use crate::output::{OutputDir, OutputFile};
use crate::util::{confined, hash};

/// One image file on disk that does not match the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mismatch {
    pub name: String,
    pub recorded: String,
    pub found: String,
}

/// The image files in `out_dir` against the record: `image.tar`, the
/// manifest, config and layer blobs of the layout directory, and its
/// `index.json` (which names the manifest `skopeo copy oci:…` pushes).
///
/// The record is untrusted input: the paths read are our own names (never the
/// recorded ones), a blob is looked up only by a well-formed sha256 digest, and
/// each read is of a regular file, bounded by the recorded size.
pub(crate) fn check_artifact(dir: &OutputDir, record: &ImageRecord) -> Vec<Mismatch> {
    let archive = OutputFile::ImageArchive;
    let layout = dir.unlocked(OutputFile::ImageLayout);
    let layout_name = OutputFile::ImageLayout.name();
    let mut out = Vec::new();
    let mut check = |name: String, path: Option<PathBuf>, want: &str, size: u64, prefix: &str| {
        let found = match path {
            None => "not a sha256 digest in the manifest".to_string(),
            Some(path) => match read_bounded(&path, size) {
                Ok(data) => format!("{prefix}{}", hash::sha256_hex(&data)),
                Err(why) => why,
            },
        };
        if found != want {
            out.push(Mismatch {
                name,
                recorded: want.to_string(),
                found,
            });
        }
    };
    check(
        archive.name().to_string(),
        Some(dir.unlocked(archive)),
        &record.archive.sha256,
        record.archive.size,
        "",
    );
    let blobs = layout.join("blobs/sha256");
    for (what, blob) in [
        ("image manifest", &record.manifest),
        ("image config", &record.config),
        ("image layer", &record.layer),
    ] {
        let hex = blob
            .digest
            .strip_prefix("sha256:")
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        check(
            format!("{what} blob in {layout_name}/blobs/sha256/"),
            hex.map(|h| blobs.join(h)),
            &blob.digest,
            blob.size,
            "sha256:",
        );
    }
    let named = read_bounded(&layout.join("index.json"), INDEX_LIMIT)
        .and_then(|data| index_names(&data).ok_or_else(|| "not an OCI index".to_string()));
    if named.as_deref() != Ok(record.manifest.digest.as_str()) {
        out.push(Mismatch {
            name: format!("{layout_name}/index.json"),
            recorded: format!("names {}", record.manifest.digest),
            found: match named {
                Ok(digest) => format!("names {digest}"),
                Err(why) => why,
            },
        });
    }
    out
}

/// `index.json` is ours when a few hundred bytes; anything much larger is not.
const INDEX_LIMIT: u64 = 64 * 1024;

/// The digest of the one manifest an `index.json` names.
fn index_names(data: &[u8]) -> Option<String> {
    let index: serde_json::Value = serde_json::from_slice(data).ok()?;
    match index.get("manifests")?.as_array()?.as_slice() {
        [one] => Some(one.get("digest")?.as_str()?.to_string()),
        _ => None,
    }
}

/// A regular file's bytes, at most `limit` (a FIFO or device in its place
/// would block or never end); why not, in a word the verdict can show.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    if fs::symlink_metadata(path).is_err() {
        return Err("missing".into());
    }
    confined::read_bounded(path, path, limit).map_err(|e| format!("{e:#}"))
}
