//! The `bootstrap` entry of a function.zip: Lambda extracts the zip into /var/task
//! and executes /var/task/bootstrap, so the entry must be at the root, a regular
//! file, and executable by the (non-owner) user the function runs as; and the zip
//! must be extractable at all (no file and directory of one name). The zip is
//! read by `crate::artifact::zip`.

use crate::artifact::zip::{Kind, Zip};
use crate::output::BOOTSTRAP;

use super::CheckResult;

/// What the zip holds: the result of the entry check and, when there is a
/// `bootstrap` file to read, its bytes.
#[derive(Debug)]
pub(crate) struct ZipBootstrap {
    pub check: CheckResult,
    pub elf: Option<Vec<u8>>,
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

fn failed(detail: impl Into<String>, fix: &str) -> ZipBootstrap {
    ZipBootstrap {
        check: CheckResult::fail("zip-entry", detail, fix),
        elf: None,
    }
}

/// Check the zip's layout and its `bootstrap` entry, and read it. An archive that
/// cannot be read, or a `bootstrap` past Lambda's unzipped limit, is an error
/// (the zip reader's, the same for every command).
pub(crate) fn read_bootstrap(data: &[u8]) -> anyhow::Result<ZipBootstrap> {
    let mut zip = Zip::open(data)?;
    let Some(entry) = zip.entry(BOOTSTRAP)? else {
        return Ok(failed(
            missing_detail(zip.names()),
            "put the executable at the root of the zip under the name bootstrap \
             (zip -j function.zip path/to/bootstrap), or let `cargo slim build` package it",
        ));
    };
    let kind = match entry.kind {
        Kind::File => None,
        Kind::Directory => Some("a directory".to_string()),
        Kind::Symlink => Some("a symbolic link".to_string()),
        Kind::Special(bits) => Some(format!("not a regular file (type bits {bits:o})")),
    };
    if let Some(kind) = kind {
        return Ok(failed(
            format!("`bootstrap` in the zip is {kind}; Lambda needs the executable itself"),
            "zip the executable file itself as bootstrap (zip -j, no -y/--symlinks)",
        ));
    }
    // Like a wrong mode, a clash fails the entry check but the ELF is still checked.
    let check = match zip.file_directory_clashes().into_iter().next() {
        Some((file, below)) => CheckResult::fail(
            "zip-entry",
            format!(
                "`{file}` is both a file and a directory (`{below}`) in the zip: it cannot \
                 be extracted (unzip fails, and so would Lambda)"
            ),
            "give the file or the directory another name in --include, or rebuild \
             function.zip with `cargo slim build`",
        ),
        None => mode_check(entry.mode, entry.data.len() as u64),
    };
    Ok(ZipBootstrap {
        check,
        elf: Some(entry.data),
    })
}

fn missing_detail(names: &[String]) -> String {
    let elsewhere = names
        .iter()
        .find(|n| n.rsplit('/').next() == Some(BOOTSTRAP));
    match elsewhere {
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
    }
}

fn mode_check(mode: Option<u32>, size: u64) -> CheckResult {
    let Some(mode) = mode else {
        return CheckResult::fail(
            "zip-entry",
            "`bootstrap` has no Unix permissions recorded (a zip made on Windows?): \
             Lambda extracts it without the executable bit",
            "package it on Linux or macOS with mode 0755, or with `cargo slim build`",
        );
    };
    let perms = mode & 0o7777;
    let described = format!("mode {perms:04o} ({})", rwx(perms));
    // The function runs as a user that does not own the file: it needs the read
    // and execute bits for everyone, as 0755 gives.
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
                "`bootstrap` has {described}: not readable and executable by everyone, so \
                 Lambda cannot exec it (Runtime.InvalidEntrypoint: permission denied)"
            ),
            CHMOD_FIX,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::zip::test_support::zip_with;

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
