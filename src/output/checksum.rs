//! `function.zip.sha256`: one line `<hex>  function.zip`, the format
//! `sha256sum -c` checks. Written with the build's other files
//! ([`super::OutputSet::put_checksum`]) and read back by `verify`.

use anyhow::Result;

use crate::artifact::file;
use crate::output::dir::OutputDir;
use crate::output::file::OutputFile;

/// Anything much longer than one line is not a checksum file.
const LIMIT: u64 = 4096;

/// The line for a zip of this sha256 (newline-terminated).
pub(crate) fn line(zip_sha256: &str) -> String {
    format!("{zip_sha256}  {}\n", OutputFile::Zip.name())
}

/// The checksum file as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChecksumFile {
    Missing,
    /// Its text, trailing white space removed.
    Found(String),
}

impl ChecksumFile {
    /// Whether it says `function.zip` has this sha256 (`*` marks binary mode
    /// in sha256sum's format).
    pub(crate) fn states(&self, zip_sha256: &str) -> bool {
        let ChecksumFile::Found(text) = self else {
            return false;
        };
        let mut words = text.split_whitespace();
        let (sum, name) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        sum == zip_sha256 && name.trim_start_matches('*') == OutputFile::Zip.name()
    }

    /// As a verdict shows it: the line, or `missing`.
    pub(crate) fn shown(&self) -> String {
        match self {
            ChecksumFile::Missing => "missing".into(),
            ChecksumFile::Found(text) => text.clone(),
        }
    }
}

impl OutputDir {
    /// The checksum file beside the zip; a special file or an oversized one
    /// in its place is an error.
    pub(crate) fn checksum(&self) -> Result<ChecksumFile> {
        let path = self.unlocked(OutputFile::Checksum);
        if !path.exists() {
            return Ok(ChecksumFile::Missing);
        }
        let data = file::read_regular(&path, LIMIT, "run `cargo slim build` first")?;
        let text = String::from_utf8_lossy(&data).trim_end().to_string();
        Ok(if text.is_empty() {
            ChecksumFile::Missing
        } else {
            ChecksumFile::Found(text)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_as_stating_the_hash() {
        let sha = "ab".repeat(32);
        let written = ChecksumFile::Found(line(&sha).trim_end().to_string());
        assert!(written.states(&sha));
        assert!(ChecksumFile::Found(format!("{sha} *function.zip")).states(&sha));
        assert!(!written.states(&"cd".repeat(32)));
        assert!(!ChecksumFile::Found(format!("{sha}  other.zip")).states(&sha));
        assert!(!ChecksumFile::Missing.states(&sha));
        assert_eq!(ChecksumFile::Missing.shown(), "missing");
    }
}
