//! `function.zip`, byte for byte the same for the same inputs: entries sorted by
//! name; one fixed timestamp (SOURCE_DATE_EPOCH when set, clamped to the zip range,
//! else 1980-01-01 00:00:00 UTC); modes from content, never the umask (`bootstrap`
//! 0755, other files 0755 when executable in the source, else 0644); host system
//! Unix; no extra fields (no UT/ux timestamps or uid/gid); deflate at level 9 by a
//! pinned implementation; sizes in the local headers (no data descriptors).

use std::io::{Cursor, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use crate::util::error::SlimError;

/// The compression, as recorded in the manifest.
pub const COMPRESSION: &str = "deflate level 9 (zip crate, flate2/zlib-rs)";

/// One file to put in the zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Name inside the zip: relative, `/`-separated.
    pub name: String,
    pub mode: u32,
    pub data: Vec<u8>,
}

/// The zip's fixed timestamp, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Timestamp {
    /// Seconds since the Unix epoch actually written (after clamping and the zip
    /// format's 2-second rounding).
    pub unix: i64,
    pub from_source_date_epoch: bool,
}

const ZIP_MIN: i64 = 315_532_800; // 1980-01-01T00:00:00Z
const ZIP_MAX: i64 = 4_354_819_198; // 2107-12-31T23:59:58Z

impl Timestamp {
    /// From `SOURCE_DATE_EPOCH` (reproducible-builds.org) when set, else the zip
    /// epoch. A value that is not a number is an error, not silently ignored.
    pub fn from_env() -> Result<Timestamp> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(text) if !text.trim().is_empty() => {
                let secs: i64 = text.trim().parse().map_err(|_| {
                    SlimError::new(format!(
                        "SOURCE_DATE_EPOCH is `{text}`, not a number of seconds"
                    ))
                    .hint("set it to e.g. $(git log -1 --format=%ct), or unset it")
                })?;
                let clamped = secs.clamp(ZIP_MIN, ZIP_MAX);
                Ok(Timestamp {
                    unix: clamped - clamped % 2,
                    from_source_date_epoch: true,
                })
            }
            _ => Ok(Timestamp {
                unix: ZIP_MIN,
                from_source_date_epoch: false,
            }),
        }
    }

    fn dos(self) -> Result<DateTime> {
        let days = self.unix.div_euclid(86_400);
        let secs = self.unix.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        DateTime::from_date_and_time(
            u16::try_from(y).context("year out of range")?,
            m,
            d,
            (secs / 3600) as u8,
            (secs % 3600 / 60) as u8,
            (secs % 60) as u8,
        )
        .map_err(|_| anyhow::anyhow!("timestamp {} is outside the zip range", self.unix))
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Build the zip in memory.
pub fn zip(entries: &[Entry], time: Timestamp) -> Result<Vec<u8>> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let stamp = time.dos()?;
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for entry in sorted {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(9))
            .last_modified_time(stamp)
            .unix_permissions(entry.mode)
            .system(System::Unix)
            .large_file(false);
        writer
            .start_file(entry.name.as_str(), options)
            .with_context(|| format!("cannot add {} to the zip", entry.name))?;
        writer.write_all(&entry.data)?;
    }
    Ok(writer.finish()?.into_inner())
}

/// Parse `--include PATH[:NAME]` values into zip entries. A directory is added
/// recursively (sorted, under NAME or its own name). Names must be relative,
/// without `..`, and unique; `bootstrap` is reserved.
pub fn includes(specs: &[String], base: &Path) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for spec in specs {
        let (path, name) = match spec.rsplit_once(':') {
            Some((p, n)) if !n.is_empty() && !p.is_empty() => (PathBuf::from(p), n.to_string()),
            _ => (PathBuf::from(spec), String::new()),
        };
        let path = if path.is_absolute() {
            path
        } else {
            base.join(path)
        };
        let name = if name.is_empty() {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            name
        };
        collect(&path, &name, &mut out).with_context(|| format!("cannot include `{spec}`"))?;
    }
    let mut names: Vec<&str> = out.iter().map(|e| e.name.as_str()).collect();
    names.sort();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(SlimError::new(format!(
            "two included files are both named `{}` in the zip",
            pair[0]
        ))
        .hint("give one of them another name with --include PATH:NAME")
        .into());
    }
    Ok(out)
}

fn collect(path: &Path, name: &str, out: &mut Vec<Entry>) -> Result<()> {
    check_name(name)?;
    let meta = std::fs::metadata(path)
        .map_err(|e| SlimError::new(format!("cannot read `{}`: {e}", path.display())))?;
    if meta.is_dir() {
        let mut children: Vec<_> = std::fs::read_dir(path)?.collect::<std::io::Result<Vec<_>>>()?;
        children.sort_by_key(|e| e.file_name());
        for child in children {
            let child_name = format!("{name}/{}", child.file_name().to_string_lossy());
            collect(&child.path(), &child_name, out)?;
        }
        return Ok(());
    }
    let data = std::fs::read(path)?;
    let executable = meta.permissions().mode() & 0o111 != 0;
    out.push(Entry {
        name: name.to_string(),
        mode: if executable { 0o755 } else { 0o644 },
        data,
    });
    Ok(())
}

fn check_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name.starts_with('/')
        || name
            .split('/')
            .any(|part| part == ".." || part == "." || part.is_empty())
        || name == "bootstrap";
    if bad {
        return Err(
            SlimError::new(format!("`{name}` cannot be a name in function.zip"))
                .hint(
                    "names are relative paths without `..`, and `bootstrap` is the function itself",
                )
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(3652), (1980, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn same_input_same_bytes_in_any_order() {
        let a = Entry {
            name: "bootstrap".into(),
            mode: 0o755,
            data: vec![1, 2, 3],
        };
        let b = Entry {
            name: "config/x.json".into(),
            mode: 0o644,
            data: b"{}".to_vec(),
        };
        let t = Timestamp {
            unix: ZIP_MIN,
            from_source_date_epoch: false,
        };
        let one = zip(&[a.clone(), b.clone()], t).unwrap();
        let two = zip(&[b, a], t).unwrap();
        assert_eq!(one, two);
        let mut archive = zip::ZipArchive::new(Cursor::new(one)).unwrap();
        let first = archive.by_index(0).unwrap();
        assert_eq!(first.name().unwrap(), "bootstrap");
        assert_eq!(first.unix_mode(), Some(0o100755));
        assert!(first.extra_data().is_none_or(|e| e.is_empty()));
    }

    #[test]
    fn bad_include_names_are_refused() {
        for name in ["../x", "/etc/passwd", "a//b", "bootstrap", ""] {
            assert!(check_name(name).is_err(), "{name}");
        }
        assert!(check_name("config/app.toml").is_ok());
    }
}
