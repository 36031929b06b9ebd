//! The image's one layer: `bootstrap` at `/var/runtime/bootstrap` and the
//! `--include` files under `/var/task`, as Lambda's base images lay them out;
//! every parent directory present (Lambda refuses layers without them), entries
//! sorted by path, written by [`super::tar`] and gzip-compressed with a fixed
//! header: no file name, mtime 0, OS "unknown", level 9, one pinned deflate
//! implementation (flate2 on zlib-rs, the zip's too). The layer's digest is
//! therefore a function of its files and the timestamp only.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Context, Result};
use flate2::{Compression, GzBuilder};

use super::tar::{self, TarEntry};
use crate::output::BOOTSTRAP;
use crate::pipeline::package::Entry;

/// How the layer is compressed, as recorded in the manifest.
pub(crate) const COMPRESSION: &str = "gzip level 9, no name, mtime 0 (flate2/zlib-rs)";

pub(super) const RUNTIME_DIR: &str = "var/runtime";
pub(super) const TASK_DIR: &str = "var/task";

/// The layer, uncompressed and compressed.
#[derive(Debug, Clone)]
pub(super) struct Layer {
    /// The tar: its sha256 is the layer's DiffID in the config.
    pub tar: Vec<u8>,
    /// The gzip of it: its sha256 is the layer's digest in the manifest.
    pub gzip: Vec<u8>,
}

/// Build the layer from the zip's entries: `bootstrap` goes to the runtime
/// directory, everything else to the task directory under its zip name.
pub(super) fn build(entries: &[Entry], mtime: i64) -> Result<Layer> {
    let tar = tar::write(&tar_entries(entries), mtime)?;
    let gzip = gzip(&tar)?;
    Ok(Layer { tar, gzip })
}

/// Files at their image paths, with every parent directory, sorted by path. A
/// directory sorts before its contents because its path (ending in `/`) is a
/// prefix of theirs.
fn tar_entries(entries: &[Entry]) -> Vec<TarEntry> {
    let mut all: BTreeMap<String, TarEntry> = BTreeMap::new();
    for dir in ["var/", "var/runtime/", "var/task/"] {
        all.insert(dir.to_string(), TarEntry::dir(dir));
    }
    for entry in entries {
        let path = if entry.name == BOOTSTRAP {
            format!("{RUNTIME_DIR}/{BOOTSTRAP}")
        } else {
            format!("{TASK_DIR}/{}", entry.name)
        };
        let mut parent = String::new();
        let parts: Vec<&str> = path.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            parent.push_str(part);
            parent.push('/');
            all.entry(parent.clone())
                .or_insert_with(|| TarEntry::dir(parent.clone()));
        }
        all.insert(
            path.clone(),
            TarEntry::file(path, entry.mode, entry.data.clone()),
        );
    }
    all.into_values().collect()
}

fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::best());
    encoder
        .write_all(data)
        .context("cannot compress the layer")?;
    encoder.finish().context("cannot compress the layer")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, mode: u32) -> Entry {
        Entry {
            name: name.into(),
            mode,
            data: name.as_bytes().to_vec(),
        }
    }

    #[test]
    fn paths_parents_and_order() {
        let got: Vec<(String, u32, bool)> = tar_entries(&[
            entry("conf/app.json", 0o644),
            entry("bootstrap", 0o755),
            entry("a-b", 0o644),
        ])
        .into_iter()
        .map(|e| (e.path, e.mode, e.data.is_some()))
        .collect();
        let want = [
            ("var/", 0o755, false),
            ("var/runtime/", 0o755, false),
            ("var/runtime/bootstrap", 0o755, true),
            ("var/task/", 0o755, false),
            ("var/task/a-b", 0o644, true),
            ("var/task/conf/", 0o755, false),
            ("var/task/conf/app.json", 0o644, true),
        ];
        let want: Vec<(String, u32, bool)> = want
            .iter()
            .map(|(p, m, f)| (p.to_string(), *m, *f))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn gzip_header_is_fixed() {
        let layer = build(&[entry("bootstrap", 0o755)], 315_532_800).unwrap();
        let g = &layer.gzip;
        // magic, deflate, no flags (no name/comment/extra), mtime 0, XFL 2 (best), OS 255
        assert_eq!(&g[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
        let again = build(&[entry("bootstrap", 0o755)], 315_532_800).unwrap();
        assert_eq!(layer.gzip, again.gzip);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&g[..]), &mut out).unwrap();
        assert_eq!(out, layer.tar);
    }
}
