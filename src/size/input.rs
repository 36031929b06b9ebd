//! Which files `cargo slim size` reads: the last build's `bootstrap.full`, a path
//! the user gave, or the `bootstrap` inside a function.zip; and, beside an
//! unstripped file, its stripped twin (or the other way round) to report what
//! stripping saved. Files and zips are read by `crate::artifact` (regular files
//! only, bounded): a file is mapped, not copied, so a large debug build costs the
//! pages of its symbol table rather than its whole size; a zip is mapped and only
//! its `bootstrap` is inflated into memory.

use std::path::{Path, PathBuf};

use crate::artifact::{file, zip};
use crate::output::{OutputDir, OutputFile, BOOTSTRAP, UNSTRIPPED_SUFFIX};
use crate::util::error::SlimError;
use crate::util::file_bytes::FileBytes;

/// A file to analyse: mapped, or for a zip its `bootstrap` inflated.
#[derive(Debug)]
pub(crate) struct Input {
    /// As shown to the user (for a zip: `function.zip!bootstrap`).
    pub path: PathBuf,
    pub data: FileBytes,
    /// A heading when several targets are analysed (`x86_64-unknown-linux-musl`).
    pub label: Option<String>,
    /// The unstripped and shipped files of the same link, when both exist.
    pub pair: Option<StripPair>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct StripPair {
    pub unstripped_path: PathBuf,
    pub unstripped_bytes: u64,
    pub stripped_path: PathBuf,
    pub stripped_bytes: u64,
}

/// The last build in an output directory: its `bootstrap.full` with the shipped
/// `bootstrap` as its pair; else the `bootstrap`; else the zip's.
pub(crate) fn load_build(dir: &OutputDir) -> anyhow::Result<Input> {
    let full = dir.unlocked(OutputFile::Unstripped);
    let bootstrap = dir.unlocked(OutputFile::Bootstrap);
    let zip = dir.unlocked(OutputFile::Zip);
    if full.is_file() {
        let mut input = read_file(&full)?;
        input.pair = pair_of(&full, &bootstrap);
        return Ok(input);
    }
    if bootstrap.is_file() || !zip.is_file() {
        return load(&bootstrap);
    }
    load(&zip)
}

/// Read one file given on the command line (a zip yields its `bootstrap`).
pub(crate) fn load(path: &Path) -> anyhow::Result<Input> {
    let mut input = read_file(path)?;
    if zip::looks_like_zip(&input.data) {
        input.data = unzip_bootstrap(path, &input.data)?.into();
        input.path = PathBuf::from(format!("{}!{BOOTSTRAP}", path.display()));
        return Ok(input);
    }
    input.pair = twin(path);
    Ok(input)
}

fn read_file(path: &Path) -> anyhow::Result<Input> {
    let data = file::map_regular(
        path,
        file::FILE_LIMIT,
        "build first with `cargo slim build`, or pass the path of an ELF file",
    )?;
    Ok(Input {
        path: path.to_path_buf(),
        data,
        label: None,
        pair: None,
    })
}

fn unzip_bootstrap(path: &Path, data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let context = || format!("cannot read {}", path.display());
    let mut archive = zip::Zip::open(data).map_err(|e| e.context(context()))?;
    let entry = archive
        .entry(BOOTSTRAP)
        .map_err(|e| e.context(context()))?
        .filter(|e| e.kind == zip::Kind::File)
        .ok_or_else(|| SlimError::NoBootstrapInZip {
            path: path.to_path_buf(),
        })?;
    Ok(entry.data)
}

/// `bootstrap.full` ↔ `bootstrap`: the other file of the pair, when it exists.
fn twin(path: &Path) -> Option<StripPair> {
    let name = path.file_name()?.to_str()?;
    match name.strip_suffix(UNSTRIPPED_SUFFIX) {
        Some(stripped) => pair_of(path, &path.with_file_name(stripped)),
        None => pair_of(
            &path.with_file_name(format!("{name}{UNSTRIPPED_SUFFIX}")),
            path,
        ),
    }
}

fn pair_of(full: &Path, stripped: &Path) -> Option<StripPair> {
    let full_meta = std::fs::metadata(full).ok()?;
    let stripped_meta = std::fs::metadata(stripped).ok()?;
    (full_meta.is_file() && stripped_meta.is_file()).then(|| StripPair {
        unstripped_path: full.to_path_buf(),
        unstripped_bytes: full_meta.len(),
        stripped_path: stripped.to_path_buf(),
        stripped_bytes: stripped_meta.len(),
    })
}

impl Input {
    /// The note for a file without symbols.
    pub(crate) fn stripped_note(&self) -> String {
        let mut note = "symbols are gone: this file is stripped, so only its sections can be \
                        shown"
            .to_string();
        if let Some(pair) = &self.pair {
            if pair.stripped_path == self.path {
                note.push_str(&format!(
                    "; the unstripped build is next to it: {}",
                    pair.unstripped_path.display()
                ));
            }
        }
        note
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_twin_either_way() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::given(dir.path());
        let full = out.unlocked(OutputFile::Unstripped);
        let shipped = out.unlocked(OutputFile::Bootstrap);
        std::fs::write(&full, vec![0u8; 300]).unwrap();
        assert!(twin(&full).is_none());
        std::fs::write(&shipped, vec![0u8; 100]).unwrap();
        for p in [&full, &shipped] {
            let pair = twin(p).unwrap();
            assert_eq!((pair.unstripped_bytes, pair.stripped_bytes), (300, 100));
        }
    }
}
