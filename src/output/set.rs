//! What one build writes into its output directory, and writing it as one
//! consistent set: the files describing the others (checksum, manifest) go
//! first, then every file of the set is written (each atomically) and every
//! file of ours the set lacks is removed, so nothing an earlier build wrote is
//! left beside a manifest that does not describe it; the checksum and the
//! manifest come last.

use std::collections::BTreeMap;
use std::fs;

use anyhow::{Context, Result};

use crate::output::checksum;
use crate::output::dir::Locked;
use crate::output::file::{Kind, OutputFile};
use crate::output::tree;
use crate::util::atomic;

/// The contents of one output file.
#[derive(Debug, Clone, Copy)]
enum Content<'a> {
    File(&'a [u8]),
    /// A directory's files, by relative path.
    Tree(&'a [(String, Vec<u8>)]),
}

/// The files one build writes, by name.
#[derive(Debug, Default)]
pub(crate) struct OutputSet<'a> {
    files: BTreeMap<OutputFile, Content<'a>>,
    checksum: Option<String>,
}

impl<'a> OutputSet<'a> {
    /// Write `file` with these bytes.
    pub(crate) fn put(&mut self, file: OutputFile, bytes: &'a [u8]) -> &mut Self {
        self.files.insert(file, Content::File(bytes));
        self
    }

    /// Write the directory `file` with these files (paths relative to it).
    pub(crate) fn put_tree(
        &mut self,
        file: OutputFile,
        files: &'a [(String, Vec<u8>)],
    ) -> &mut Self {
        self.files.insert(file, Content::Tree(files));
        self
    }

    /// The checksum file for a zip of this sha256.
    pub(crate) fn put_checksum(&mut self, zip_sha256: &str) -> &mut Self {
        self.checksum = Some(checksum::line(zip_sha256));
        self
    }

    fn get(&self, file: OutputFile) -> Option<Content<'_>> {
        match file {
            OutputFile::Checksum => self
                .checksum
                .as_deref()
                .map(|l| Content::File(l.as_bytes())),
            _ => self.files.get(&file).copied(),
        }
    }
}

impl Locked<'_> {
    /// Write `set` as this directory's files (see the module's doc for the order).
    pub(crate) fn write(&self, set: &OutputSet<'_>) -> Result<()> {
        let files = self.dir().kind().files();
        let (describing, described): (Vec<OutputFile>, Vec<OutputFile>) =
            files.iter().partition(|f| f.describes_others());
        for &file in &describing {
            self.remove(file)?;
        }
        for &file in described.iter().chain(&describing) {
            match set.get(file) {
                Some(content) => self.put(file, content)?,
                None => self.remove(file)?,
            }
        }
        Ok(())
    }

    fn put(&self, file: OutputFile, content: Content<'_>) -> Result<()> {
        let path = self.path(file);
        match (file.kind(), content) {
            (Kind::File { mode }, Content::File(bytes)) => atomic::write(&path, bytes, mode),
            (Kind::Tree { .. }, Content::Tree(files)) => tree::write(&path, files),
            _ => anyhow::bail!("{} is put as the wrong kind of file", file.name()),
        }
    }

    /// Remove what an earlier build wrote under `file`'s name; anything else
    /// there (a directory where a file goes, a tree without its marker) is not
    /// ours and is left alone.
    fn remove(&self, file: OutputFile) -> Result<()> {
        let path = self.path(file);
        match file.kind() {
            Kind::Tree { marker } => tree::remove(&path, marker),
            Kind::File { .. } => match fs::symlink_metadata(&path) {
                Ok(meta) if !meta.is_dir() => fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display())),
                _ => Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::OutputDir;
    use crate::ui::{Color, Format, Ui};
    use std::path::Path;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A file an earlier build wrote and this one does not is removed; what is
    /// not ours (a directory under a file's name, a tree without its marker,
    /// any other name) is left alone; the checksum states the zip's hash.
    #[test]
    fn a_set_replaces_the_last_one_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = OutputDir::given(tmp.path());
        let ui = Ui::new(0, true, Format::Human, Color::Never);
        let locked = dir.lock(&ui).unwrap();
        let tree = vec![("oci-layout".to_string(), b"{}".to_vec())];
        let mut full = OutputSet::default();
        full.put(OutputFile::Zip, b"zip")
            .put(OutputFile::SizeReport, b"{}")
            .put(OutputFile::ImageArchive, b"tar")
            .put_tree(OutputFile::ImageLayout, &tree)
            .put_checksum(&"ab".repeat(32))
            .put(OutputFile::Manifest, b"{}");
        locked.write(&full).unwrap();
        fs::write(tmp.path().join("notes.txt"), b"mine").unwrap();
        assert!(dir.checksum().unwrap().states(&"ab".repeat(32)));

        let mut smaller = OutputSet::default();
        smaller
            .put(OutputFile::Zip, b"zip2")
            .put(OutputFile::Manifest, b"{}");
        locked.write(&smaller).unwrap();
        assert_eq!(
            names(tmp.path()),
            [
                ".cargo-slim-lock",
                "function.zip",
                "notes.txt",
                "slim-manifest.json"
            ]
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = |f| fs::metadata(dir.unlocked(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(OutputFile::Zip), 0o644);

        fs::create_dir(tmp.path().join("size.json")).unwrap();
        fs::create_dir(tmp.path().join("image")).unwrap();
        fs::write(tmp.path().join("image/x"), b"not a layout").unwrap();
        locked.write(&smaller).unwrap();
        assert!(tmp.path().join("size.json").is_dir());
        assert!(tmp.path().join("image/x").is_file());
    }
}
