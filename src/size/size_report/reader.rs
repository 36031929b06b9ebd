//! Reading a size.json back as untrusted input: bounded, its kind and schema
//! checked, its tables bounded, and its rows adding up before anything uses them.

use std::path::Path;

use serde::Deserialize;

use super::{SizeFile, KIND, MAX_BYTES, MAX_NAME, MAX_ROWS, SCHEMA};
use crate::model::budget::LARGEST_FILE;
use crate::model::invalid_value::shown;
use crate::model::target::Target;
use crate::util::error::SlimError;

impl SizeFile {
    /// Parse and validate a report read from disk. `origin` names it in errors.
    pub(crate) fn parse(text: &[u8], origin: &Path) -> anyhow::Result<SizeFile> {
        let bad = |reason: String| -> anyhow::Error {
            SlimError::BadSizeReport {
                path: origin.to_path_buf(),
                reason,
            }
            .into()
        };
        let file: SizeFile = serde_json::from_slice(text).map_err(|e| bad(e.to_string()))?;
        file.validate().map_err(bad)?;
        Ok(file)
    }

    /// The checks a file from elsewhere must pass: its kind and schema, bounded
    /// tables, and rows that add up.
    fn validate(&self) -> Result<(), String> {
        if self.kind != KIND {
            return Err(format!("its kind is `{}`, not `{KIND}`", shown(&self.kind)));
        }
        if self.schema != SCHEMA {
            return Err(format!(
                "schema {}; this cargo-slim reads schema {SCHEMA}",
                self.schema
            ));
        }
        if let Some(target) = &self.target {
            // The same grammar as `--target`: the triple is printed, and nothing
            // in it may reach a terminal as an escape sequence.
            Target::from_triple(target).map_err(|e| format!("its target: {e}"))?;
        }
        if let Some(figure) = self.figures().find(|&f| f > LARGEST_FILE) {
            return Err(format!(
                "it counts {figure} bytes, more than any file can hold ({LARGEST_FILE})"
            ));
        }
        if !matches!(self.format.bits, 32 | 64)
            || !matches!(self.format.endian.as_str(), "little" | "big")
        {
            return Err("its format is not a 32/64-bit little/big-endian ELF".into());
        }
        let s = &self.sections;
        let crate_rows = self.crates.as_ref().map_or(0, |c| c.rows.len());
        if s.rows.len() > MAX_ROWS || crate_rows > MAX_ROWS {
            return Err(format!("more than {MAX_ROWS} rows"));
        }
        let names = s
            .rows
            .iter()
            .map(|r| &r.name)
            .chain(
                self.crates
                    .iter()
                    .flat_map(|c| c.rows.iter().map(|r| &r.name)),
            )
            .chain(self.crates.iter().flat_map(|c| c.sections.iter()))
            .chain([&self.format.machine, &self.tool]);
        for name in names {
            if name.len() > MAX_NAME || name.chars().any(char::is_control) {
                return Err(format!(
                    "a name is too long or has control characters: `{}`",
                    shown(name)
                ));
            }
        }
        let accounted = checked_sum(s.rows.iter().map(|r| r.file_bytes).chain([
            s.elf_header,
            s.program_headers,
            s.section_headers,
            s.padding,
        ]))
        .and_then(|total| total.checked_sub(s.overlap));
        if accounted != Some(self.file_bytes) {
            return Err(format!(
                "its section rows do not add up to file_bytes ({})",
                self.file_bytes
            ));
        }
        if let Some(c) = &self.crates {
            if checked_sum(c.rows.iter().map(|r| r.bytes)) != Some(c.covered_bytes) {
                return Err(format!(
                    "its crate rows do not add up to covered_bytes ({})",
                    c.covered_bytes
                ));
            }
            if c.covered_bytes > self.file_bytes {
                return Err("its crates cover more bytes than the file has".into());
            }
        }
        Ok(())
    }
}

impl SizeFile {
    /// Every byte count the report holds.
    fn figures(&self) -> impl Iterator<Item = u64> + '_ {
        let s = &self.sections;
        let shipped = [self.bootstrap_bytes, self.zip_bytes, self.unzipped_bytes];
        let crates = self
            .crates
            .iter()
            .flat_map(|c| std::iter::once(c.covered_bytes).chain(c.rows.iter().map(|r| r.bytes)));
        [
            self.file_bytes,
            s.elf_header,
            s.program_headers,
            s.section_headers,
            s.padding,
            s.overlap,
        ]
        .into_iter()
        .chain(shipped.into_iter().flatten())
        .chain(s.rows.iter().flat_map(|r| [r.file_bytes, r.vm_bytes]))
        .chain(crates)
    }
}

/// A sum that overflows is a lie, not a wrap-around.
fn checked_sum(mut values: impl Iterator<Item = u64>) -> Option<u64> {
    values.try_fold(0u64, |acc, v| acc.checked_add(v))
}

/// Read at most `MAX_BYTES` of a regular file.
pub(crate) fn read_bounded(path: &Path) -> anyhow::Result<Vec<u8>> {
    crate::util::regular_file::read(path, path, MAX_BYTES, None)
}

/// Read and validate a size.json.
pub(crate) fn read(path: &Path) -> anyhow::Result<SizeFile> {
    SizeFile::parse(&read_bounded(path)?, path)
}

/// True when these bytes look like a size report rather than another JSON file
/// (a manifest): a cheap look at the `kind` field.
pub(crate) fn looks_like_report(data: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Kind {
        kind: Option<String>,
    }
    serde_json::from_slice::<Kind>(data).is_ok_and(|k| k.kind.as_deref() == Some(KIND))
}
