//! A file to compare, analysed: the old side of `--diff BASE` (an ELF file, a
//! function.zip, a `cargo slim build` output directory, its
//! `slim-manifest.json`, or a `size.json` — the last is all a CI job needs to
//! keep from the base branch), or a size.json given as the new side.
//!
//! In a directory (or beside a manifest) the unstripped `bootstrap.full` is taken
//! when it is there (it has symbols), else `size.json` (sections and crates),
//! else the shipped `bootstrap` (sections only). A size.json found through a
//! manifest must have the size and hash the manifest recorded.

use std::path::Path;

use crate::artifact::elf::dep_list;
use crate::artifact::file;
use crate::model::manifest::Manifest;
use crate::output::{OutputDir, OutputFile};
use crate::util::error::SlimError;
use crate::util::hash;

use super::analysis::{analyze, Analysis, Options};
use super::input::{self, Input};
use super::size_report::{self, SizeFile};

/// A file, analysed.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The file read (for a size.json: the report, with no ELF bytes).
    pub input: Input,
    pub analysis: Analysis,
    /// Set when the base is a size.json: it has no symbols to compare.
    pub report: Option<SizeFile>,
}

impl Loaded {
    /// Crate rows as (name, bytes), for the budget's growth line.
    pub(crate) fn crate_sizes(&self) -> Vec<(String, u64)> {
        self.analysis
            .crates
            .iter()
            .flat_map(|c| c.rows.iter().map(|r| (r.name.clone(), r.bytes)))
            .collect()
    }
}

pub(crate) fn load(path: &Path, options: &Options) -> anyhow::Result<Loaded> {
    if path.is_dir() {
        return from_dir(path, None, options);
    }
    if path.extension().is_some_and(|e| e == "json") {
        let data = size_report::read_bounded(path)?;
        if size_report::looks_like_report(&data) {
            return from_report(path, SizeFile::parse(&data, path)?);
        }
        let manifest = Manifest::read(path).map_err(|e| {
            e.context(format!(
                "{} is neither a size.json nor a slim-manifest.json",
                path.display()
            ))
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        return from_dir(dir, Some(&manifest), options);
    }
    from_elf(input::load(path)?, options)
}

pub(crate) fn from_elf(input: Input, options: &Options) -> anyhow::Result<Loaded> {
    let mut options = options.clone();
    if options.linked.is_none() {
        options.linked = twins_dependency_list(&input);
    }
    let analysis = analyze(&input.data, &options)
        .map_err(|e| e.context(format!("cannot analyse {}", input.path.display())))?;
    Ok(Loaded {
        input,
        analysis,
        report: None,
    })
}

/// The dependency list of a `bootstrap.full`'s shipped twin (the list is added
/// while stripping, so the unstripped link has none).
fn twins_dependency_list(input: &Input) -> Option<Vec<String>> {
    let pair = input.pair.as_ref()?;
    if pair.stripped_path == input.path {
        return None;
    }
    let data = file::map_regular(&pair.stripped_path, file::FILE_LIMIT, "").ok()?;
    dep_list::crate_names_of(&data)
}

fn from_report(path: &Path, report: SizeFile) -> anyhow::Result<Loaded> {
    Ok(Loaded {
        input: Input {
            path: path.to_path_buf(),
            data: Default::default(),
            label: None,
            pair: None,
        },
        analysis: report.to_analysis(),
        report: Some(report),
    })
}

fn from_dir(dir: &Path, manifest: Option<&Manifest>, options: &Options) -> anyhow::Result<Loaded> {
    let found = OutputDir::given(dir).first_of(&[
        OutputFile::Unstripped,
        OutputFile::SizeReport,
        OutputFile::Bootstrap,
    ]);
    match found {
        Some((OutputFile::SizeReport, path)) => from_dir_report(&path, manifest),
        Some((_, elf)) => from_elf(input::load(&elf)?, options),
        None => Err(SlimError::NoExecutableInDir {
            dir: dir.to_path_buf(),
        }
        .into()),
    }
}

/// A directory's size.json, which must be the one its manifest recorded.
fn from_dir_report(report_path: &Path, manifest: Option<&Manifest>) -> anyhow::Result<Loaded> {
    let data = size_report::read_bounded(report_path)?;
    if let Some(recorded) = manifest.and_then(|m| m.size_report.as_ref()) {
        let sha = hash::sha256_hex(&data);
        if recorded.size != data.len() as u64 || recorded.sha256 != sha {
            return Err(SlimError::SizeReportMismatch {
                path: report_path.to_path_buf(),
                sha256: sha,
                recorded: recorded.sha256.clone(),
            }
            .into());
        }
    }
    from_report(report_path, SizeFile::parse(&data, report_path)?)
}

/// The note a diff against a size.json carries instead of a symbol table.
pub(crate) fn no_symbols_note(path: &Path) -> String {
    format!(
        "{} is a size report: it holds sections and crates, not symbols, so the \
         symbol view is left out",
        path.display()
    )
}
