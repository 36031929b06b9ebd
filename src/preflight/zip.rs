//! The `bootstrap` entry of a function.zip: Lambda extracts the zip into /var/task
//! and executes /var/task/bootstrap, so the entry must be at the root, a regular
//! file, and executable by the (non-owner) user the function runs as.

use std::io::{Cursor, Read};

use crate::util::error::SlimError;

use super::CheckResult;

/// Lambda's limit on a function's unzipped deployment package (250 MB, "Lambda
/// quotas"); reading stops there so a zip bomb cannot exhaust memory.
pub const UNZIPPED_LIMIT: u64 = 262_144_000;

/// The name Lambda looks for at the root of the zip.
const BOOTSTRAP: &str = "bootstrap";

/// What the zip holds: the result of the entry check and, when there is a
/// `bootstrap` file to read, its bytes.
#[derive(Debug)]
pub struct ZipBootstrap {
    pub check: CheckResult,
    pub elf: Option<Vec<u8>>,
}

/// True when `data` starts like a zip archive (a local file header, or the end
/// record of an empty archive).
pub fn looks_like_zip(data: &[u8]) -> bool {
    data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06")
}

fn unreadable(what: impl std::fmt::Display) -> anyhow::Error {
    SlimError::new(format!("cannot read the zip archive: {what}"))
        .hint("the file is damaged or not a zip; rebuild function.zip (`cargo slim build`)")
        .into()
}

/// `rwxr-xr-x` for 0o755.
fn rwx(mode: u32) -> String {
    (0..9)
        .map(|bit| {
            let set = mode & (0o400 >> bit) != 0;
            match (set, bit % 3) {
                (false, _) => '-',
                (true, 0) => 'r',
                (true, 1) => 'w',
                (true, _) => 'x',
            }
        })
        .collect()
}

const CHMOD_FIX: &str = "make it 0755 before zipping (chmod 755 bootstrap; zip keeps the mode), \
     or let `cargo slim build` package it: it always writes bootstrap as 0755";

/// Check the `bootstrap` entry of a zip archive and read it.
pub fn read_bootstrap(data: &[u8]) -> anyhow::Result<ZipBootstrap> {
    let mut archive = zip::ZipArchive::new(Cursor::new(data)).map_err(unreadable)?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|name| name.ok().map(|n| n.into_owned()))
        .collect();
    if !names.iter().any(|n| n == BOOTSTRAP) {
        let elsewhere: Vec<&String> = names
            .iter()
            .filter(|n| n.rsplit('/').next() == Some(BOOTSTRAP))
            .collect();
        let detail = match elsewhere.first() {
            Some(path) => format!(
                "no `bootstrap` at the root of the zip (found `{path}`): Lambda runs \
                 /var/task/bootstrap only"
            ),
            None => format!(
                "no `bootstrap` in the zip ({} entries{})",
                names.len(),
                match names.first() {
                    Some(first) => format!(", e.g. `{first}`"),
                    None => String::new(),
                }
            ),
        };
        let check = CheckResult::fail(
            "zip-entry",
            detail,
            "put the executable at the root of the zip under the name bootstrap \
             (zip -j function.zip path/to/bootstrap), or let `cargo slim build` package it",
        );
        return Ok(ZipBootstrap { check, elf: None });
    }

    let mut entry = archive.by_name(BOOTSTRAP).map_err(unreadable)?;
    let mode = entry.unix_mode();
    let kind_problem = if entry.is_dir() {
        Some("a directory".to_string())
    } else if entry.is_symlink() {
        Some("a symbolic link".to_string())
    } else {
        // Some tools record permission bits only; no type bits means a plain file.
        match mode.map(|m| m & 0o170000) {
            Some(0) | Some(0o100000) | None => None,
            Some(other) => Some(format!("not a regular file (type bits {other:o})")),
        }
    };
    if let Some(kind) = kind_problem {
        let check = CheckResult::fail(
            "zip-entry",
            format!("`bootstrap` in the zip is {kind}; Lambda needs the executable itself"),
            "zip the executable file itself as bootstrap (zip -j, no -y/--symlinks)",
        );
        return Ok(ZipBootstrap { check, elf: None });
    }

    let size = entry.size();
    let mut elf = Vec::new();
    (&mut entry)
        .take(UNZIPPED_LIMIT + 1)
        .read_to_end(&mut elf)
        .map_err(|e| unreadable(format!("`bootstrap`: {e}")))?;
    if elf.len() as u64 > UNZIPPED_LIMIT {
        let check = CheckResult::fail(
            "zip-entry",
            format!(
                "`bootstrap` is larger than {} bytes unzipped, Lambda's limit for a \
                 function's unzipped package",
                crate::ui::table::bytes(UNZIPPED_LIMIT)
            ),
            "build with `cargo slim build` (size profile, stripped) and see `cargo slim size`",
        );
        return Ok(ZipBootstrap { check, elf: None });
    }

    let check = match mode {
        None => CheckResult::fail(
            "zip-entry",
            "`bootstrap` has no Unix permissions recorded (a zip made on Windows?): \
             Lambda extracts it without the executable bit",
            "package it on Linux or macOS with mode 0755, or with `cargo slim build`",
        ),
        Some(mode) => {
            let perms = mode & 0o7777;
            let described = format!("mode {perms:04o} ({})", rwx(perms));
            // The function runs as a user that does not own the file: it needs the
            // read and execute bits for everyone, as 0755 gives.
            if perms & 0o555 == 0o555 {
                CheckResult::pass(
                    "zip-entry",
                    format!(
                        "`bootstrap` at the root: regular file, {described}, {} bytes",
                        crate::ui::table::bytes(size)
                    ),
                )
            } else {
                CheckResult::fail(
                    "zip-entry",
                    format!(
                        "`bootstrap` has {described}: not readable and executable by \
                         everyone, so Lambda cannot exec it (Runtime.InvalidEntrypoint: \
                         permission denied)"
                    ),
                    CHMOD_FIX,
                )
            }
        }
    };
    Ok(ZipBootstrap {
        check,
        elf: Some(elf),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_with(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, mode, data) in entries {
            let options = SimpleFileOptions::default().unix_permissions(*mode);
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn modes_are_checked() {
        let ok = read_bootstrap(&zip_with(&[("bootstrap", 0o755, b"\x7fELF")])).unwrap();
        assert!(ok.check.passed, "{}", ok.check.detail);
        assert_eq!(ok.elf.as_deref(), Some(&b"\x7fELF"[..]));

        let bad = read_bootstrap(&zip_with(&[("bootstrap", 0o644, b"x")])).unwrap();
        assert!(!bad.check.passed);
        assert!(
            bad.check.detail.contains("mode 0644 (rw-r--r--)"),
            "{}",
            bad.check.detail
        );
    }

    #[test]
    fn bootstrap_must_be_at_the_root() {
        let nested = read_bootstrap(&zip_with(&[("target/bootstrap", 0o755, b"x")])).unwrap();
        assert!(!nested.check.passed);
        assert!(nested.check.detail.contains("found `target/bootstrap`"));
        assert!(nested.elf.is_none());
    }

    #[test]
    fn garbage_is_a_clean_error() {
        assert!(read_bootstrap(b"PK\x03\x04 not really").is_err());
        assert_eq!(rwx(0o755), "rwxr-xr-x");
    }
}
