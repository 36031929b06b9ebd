//! The hashes of two manifests (or an artifact and its manifest) compared: the
//! zip, each file in it, each section of the bootstrap, the unstripped link.

use std::collections::BTreeMap;

use super::difference::{Difference, DifferenceKind};
use crate::model::manifest::{FileEntry, Manifest, SectionHash};
use crate::output::OutputFile;

/// The zip, every file in it, every section of the shipped bootstrap and the
/// unstripped link: recorded vs rebuilt.
pub(super) fn outputs(recorded: &Manifest, rebuilt: &Manifest) -> Vec<Difference> {
    let mut out = Vec::new();
    if recorded.zip.sha256 != rebuilt.zip.sha256 {
        out.push(Difference::new(
            DifferenceKind::Zip,
            &recorded.zip.name,
            &recorded.zip.sha256,
            &rebuilt.zip.sha256,
        ));
    }
    out.extend(files(&recorded.files, &rebuilt.files));
    out.extend(sections(&recorded.sections, &rebuilt.sections));
    if recorded.unstripped.sha256 != rebuilt.unstripped.sha256 {
        out.push(Difference::new(
            DifferenceKind::Unstripped,
            OutputFile::Unstripped.name(),
            &recorded.unstripped.sha256,
            &rebuilt.unstripped.sha256,
        ));
    }
    out
}

pub(super) fn files(recorded: &[FileEntry], found: &[FileEntry]) -> Vec<Difference> {
    let describe = |f: &FileEntry| format!("{} mode {} {} bytes", f.sha256, f.mode, f.size);
    let rec: BTreeMap<&str, &FileEntry> = recorded.iter().map(|f| (f.name.as_str(), f)).collect();
    let got: BTreeMap<&str, &FileEntry> = found.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut out = Vec::new();
    for (name, r) in &rec {
        match got.get(name) {
            None => out.push(Difference::new(
                DifferenceKind::File,
                name,
                &r.sha256,
                "missing",
            )),
            Some(g) if g.sha256 != r.sha256 => out.push(Difference::new(
                DifferenceKind::File,
                name,
                &r.sha256,
                &g.sha256,
            )),
            Some(g) if g.mode != r.mode => out.push(Difference::new(
                DifferenceKind::File,
                name,
                describe(r),
                describe(g),
            )),
            Some(_) => {}
        }
    }
    for (name, g) in &got {
        if !rec.contains_key(name) {
            out.push(Difference::new(
                DifferenceKind::File,
                name,
                "absent",
                &g.sha256,
            ));
        }
    }
    out
}

pub(super) fn sections(recorded: &[SectionHash], found: &[SectionHash]) -> Vec<Difference> {
    let rec: BTreeMap<&str, &SectionHash> = recorded.iter().map(|s| (s.name.as_str(), s)).collect();
    let got: BTreeMap<&str, &SectionHash> = found.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut out = Vec::new();
    // In the recorded file order, which is the order people read in `readelf -S`.
    for r in recorded {
        match got.get(r.name.as_str()) {
            None => out.push(Difference::new(
                DifferenceKind::Section,
                &r.name,
                &r.sha256,
                "missing",
            )),
            Some(g) if g.sha256 != r.sha256 => out.push(Difference::new(
                DifferenceKind::Section,
                &r.name,
                format!("{} ({} bytes)", r.sha256, r.size),
                format!("{} ({} bytes)", g.sha256, g.size),
            )),
            Some(_) => {}
        }
    }
    for g in found {
        if !rec.contains_key(g.name.as_str()) {
            out.push(Difference::new(
                DifferenceKind::Section,
                &g.name,
                "absent",
                &g.sha256,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sec(name: &str, sha: &str) -> SectionHash {
        SectionHash {
            name: name.into(),
            size: 1,
            sha256: sha.into(),
        }
    }

    #[test]
    fn sections_lists_only_the_ones_that_differ() {
        let rec = [sec(".text", "a"), sec(".rodata", "b"), sec(".data", "c")];
        let got = [sec(".text", "a"), sec(".rodata", "x"), sec(".bss2", "d")];
        let d = sections(&rec, &got);
        let names: Vec<_> = d
            .iter()
            .map(|d| (d.name.as_str(), d.found.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (".rodata", "x (1 bytes)"),
                (".data", "missing"),
                (".bss2", "d")
            ]
        );
    }
}
