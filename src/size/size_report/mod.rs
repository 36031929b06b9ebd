//! `size.json`: the small size report every build writes beside function.zip —
//! sections and crates of the unstripped link, and the shipped sizes — so a CI job
//! can diff against the base branch's artifact without the base's ELF
//! (`cargo slim size --diff base/size.json`).
//!
//! Written deterministically (no paths, no times, no floats): built twice from the
//! same sources it is byte-identical, like the zip it describes. Read back as
//! untrusted input: the read is bounded, and the numbers must add up (section rows
//! to the file size, crate rows to the covered bytes) before anything uses them.
//! The schema and its writer are here, the checking reader in [`reader`].

mod reader;

use serde::{Deserialize, Serialize};

use super::analysis::Analysis;
use super::budget::Figures;
use super::crates::{CrateRow, CratesView};
use super::sections::{share, SectionRow, SectionsView};
use crate::artifact::elf::Format;

pub(crate) use reader::{looks_like_report, read, read_bounded};

pub(crate) const KIND: &str = "size-report";
pub(crate) const SCHEMA: u32 = 1;

/// Larger than any honest report (a few hundred rows), small enough to read whole.
const MAX_BYTES: u64 = 8 << 20;
/// Rows per table accepted from a file.
const MAX_ROWS: usize = 100_000;
const MAX_NAME: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SizeFile {
    /// Always `size-report`: tells this file from a manifest.
    pub kind: String,
    pub schema: u32,
    /// `cargo-slim <version>`.
    pub tool: String,
    /// The target triple.
    pub target: Option<String>,
    pub format: FileFormat,
    /// The unstripped link (`bootstrap.full`) the views describe.
    pub file_bytes: u64,
    /// The shipped, stripped bootstrap.
    pub bootstrap_bytes: Option<u64>,
    pub zip_bytes: Option<u64>,
    /// Every file of the zip, uncompressed.
    pub unzipped_bytes: Option<u64>,
    pub sections: FileSections,
    /// Null when the link had no symbols.
    pub crates: Option<FileCrates>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileFormat {
    pub bits: u8,
    pub endian: String,
    pub machine: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileSections {
    pub rows: Vec<FileSection>,
    pub elf_header: u64,
    pub program_headers: u64,
    pub section_headers: u64,
    pub padding: u64,
    pub overlap: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileSection {
    pub name: String,
    pub file_bytes: u64,
    pub vm_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileCrates {
    pub sections: Vec<String>,
    pub covered_bytes: u64,
    pub rows: Vec<FileCrate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileCrate {
    pub name: String,
    pub bytes: u64,
    pub symbols: u64,
}

impl SizeFile {
    /// The report of an analysis made with the default options (std folded, every
    /// section with symbols covered).
    pub(crate) fn new(target: Option<&str>, analysis: &Analysis, shipped: Figures) -> SizeFile {
        let s = &analysis.sections;
        SizeFile {
            kind: KIND.into(),
            schema: SCHEMA,
            tool: format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
            target: target.map(str::to_string),
            format: FileFormat {
                bits: analysis.format.bits,
                endian: analysis.format.endian.into(),
                machine: analysis.format.machine.clone(),
            },
            file_bytes: analysis.file_bytes,
            bootstrap_bytes: shipped.bootstrap,
            zip_bytes: shipped.zip,
            unzipped_bytes: shipped.unzipped,
            sections: FileSections {
                rows: s
                    .rows
                    .iter()
                    .map(|r| FileSection {
                        name: r.name.clone(),
                        file_bytes: r.file_bytes,
                        vm_bytes: r.vm_bytes,
                    })
                    .collect(),
                elf_header: s.elf_header,
                program_headers: s.program_headers,
                section_headers: s.section_headers,
                padding: s.padding,
                overlap: s.overlap,
            },
            crates: analysis.crates.as_ref().map(|c| FileCrates {
                sections: c.sections.clone(),
                covered_bytes: c.covered_bytes,
                rows: c
                    .rows
                    .iter()
                    .map(|r| FileCrate {
                        name: r.name.clone(),
                        bytes: r.bytes,
                        symbols: r.symbols,
                    })
                    .collect(),
            }),
        }
    }

    pub(crate) fn to_json(&self) -> anyhow::Result<String> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }

    /// The analysis of a build's unstripped link, with what was shipped (the
    /// shipped `bootstrap`'s dependency list tells std's crates from the user's).
    pub(crate) fn for_build(
        full: &[u8],
        bootstrap: Option<&[u8]>,
        target: &str,
        shipped: Figures,
    ) -> anyhow::Result<SizeFile> {
        let options = super::Options {
            linked: bootstrap.and_then(crate::artifact::elf::dep_list::crate_names_of),
            ..super::Options::default()
        };
        let analysis = super::analyze(full, &options)?;
        Ok(SizeFile::new(Some(target), &analysis, shipped))
    }

    /// The `n` largest crates, for the build summary (`[unattributed]` and
    /// `[non-rust]` left out: the summary names crates).
    pub(crate) fn top_crates(&self, n: usize) -> Vec<super::CrateSize> {
        self.crates
            .iter()
            .flat_map(|c| c.rows.iter())
            .filter(|r| !r.name.starts_with('['))
            .take(n)
            .map(|r| super::CrateSize {
                name: r.name.clone(),
                bytes: r.bytes,
            })
            .collect()
    }

    /// Crate rows as (name, bytes), for growth against a baseline.
    pub(crate) fn crate_sizes(&self) -> Vec<(String, u64)> {
        self.crates
            .iter()
            .flat_map(|c| c.rows.iter().map(|r| (r.name.clone(), r.bytes)))
            .collect()
    }

    /// The analysis this report records, for the diff: sections and crates, no
    /// symbols (the diff leaves the symbol view out and says so).
    pub(crate) fn to_analysis(&self) -> Analysis {
        let s = &self.sections;
        let file = self.file_bytes;
        Analysis {
            format: Format {
                bits: self.format.bits,
                endian: if self.format.endian == "big" {
                    "big"
                } else {
                    "little"
                },
                machine: self.format.machine.clone(),
            },
            file_bytes: file,
            stripped: self.crates.is_none(),
            sections: SectionsView {
                file_bytes: file,
                rows: s
                    .rows
                    .iter()
                    .map(|r| SectionRow {
                        name: r.name.clone(),
                        file_bytes: r.file_bytes,
                        vm_bytes: r.vm_bytes,
                        share: share(r.file_bytes, file),
                    })
                    .collect(),
                elf_header: s.elf_header,
                program_headers: s.program_headers,
                section_headers: s.section_headers,
                padding: s.padding,
                overlap: s.overlap,
            },
            crates: self.crates.as_ref().map(|c| CratesView {
                sections: c.sections.clone(),
                covered_bytes: c.covered_bytes,
                file_share: share(c.covered_bytes, file),
                split_std: false,
                rows: c
                    .rows
                    .iter()
                    .map(|r| CrateRow {
                        name: r.name.clone(),
                        bytes: r.bytes,
                        share: share(r.bytes, c.covered_bytes),
                        symbols: r.symbols,
                    })
                    .collect(),
                ..CratesView::default()
            }),
            symbols: Vec::new(),
            section_names: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn sample() -> SizeFile {
        SizeFile {
            kind: KIND.into(),
            schema: SCHEMA,
            tool: "cargo-slim 0".into(),
            target: Some("x86_64-unknown-linux-musl".into()),
            format: FileFormat {
                bits: 64,
                endian: "little".into(),
                machine: "x86_64".into(),
            },
            file_bytes: 1000,
            bootstrap_bytes: Some(600),
            zip_bytes: Some(300),
            unzipped_bytes: Some(600),
            sections: FileSections {
                rows: vec![FileSection {
                    name: ".text".into(),
                    file_bytes: 800,
                    vm_bytes: 800,
                }],
                elf_header: 64,
                program_headers: 56,
                section_headers: 64,
                padding: 16,
                overlap: 0,
            },
            crates: Some(FileCrates {
                sections: vec![".text".into()],
                covered_bytes: 800,
                rows: vec![
                    FileCrate {
                        name: "std".into(),
                        bytes: 700,
                        symbols: 3,
                    },
                    FileCrate {
                        name: "[unattributed]".into(),
                        bytes: 100,
                        symbols: 0,
                    },
                ],
            }),
        }
    }

    #[test]
    fn round_trip_and_validation() {
        let path = Path::new("size.json");
        let good = sample();
        let text = good.to_json().unwrap();
        assert!(looks_like_report(text.as_bytes()));
        assert_eq!(SizeFile::parse(text.as_bytes(), path).unwrap(), good);
        let analysis = good.to_analysis();
        assert_eq!(analysis.sections.accounted_bytes(), 1000);

        let mut lying = good.clone();
        lying.crates.as_mut().unwrap().rows[0].bytes = 10;
        let err = SizeFile::parse(lying.to_json().unwrap().as_bytes(), path).unwrap_err();
        assert!(err.to_string().contains("do not add up"), "{err}");

        let mut overflow = good.clone();
        overflow.sections.padding = u64::MAX;
        assert!(SizeFile::parse(overflow.to_json().unwrap().as_bytes(), path).is_err());

        for junk in [
            &b"{}"[..],
            b"[1,2]",
            b"\xff\xfe",
            b"{\"kind\":\"size-report\"}",
        ] {
            assert!(SizeFile::parse(junk, path).is_err());
        }
    }
}
