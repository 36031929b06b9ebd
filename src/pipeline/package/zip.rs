//! `function.zip`, byte for byte the same for the same inputs: entries sorted by
//! name; one fixed timestamp (SOURCE_DATE_EPOCH when set, clamped to the zip range,
//! else 1980-01-01 00:00:00 UTC); modes from content, never the umask (`bootstrap`
//! 0755, other files 0755 when executable in the source, else 0644); host system
//! Unix; no extra fields (no UT/ux timestamps or uid/gid); deflate at level 9 by a
//! pinned implementation; sizes in the local headers (no data descriptors).

use std::io::{Cursor, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::{Context, Result};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use crate::model::include::{file_dir_conflict, Include};
// Re-exported while commands/build.rs still names it here (another branch owns
// that file); new code imports it from model/.
use crate::model::timestamp::civil_from_days;
use crate::model::timestamp::Timestamp;
use crate::util::confined;
use crate::util::error::SlimError;

/// The compression, as recorded in the manifest.
pub(crate) const COMPRESSION: &str = "deflate level 9 (zip crate, flate2/zlib-rs)";

/// One file to put in the zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Name inside the zip: relative, `/`-separated.
    pub name: String,
    pub mode: u32,
    pub data: Vec<u8>,
}

/// The timestamp in the zip's own (MS-DOS) form.
fn dos(time: Timestamp) -> Result<DateTime> {
    let days = time.unix.div_euclid(86_400);
    let secs = time.unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    DateTime::from_date_and_time(
        u16::try_from(y).context("year out of range")?,
        m,
        d,
        (secs / 3600) as u8,
        (secs % 3600 / 60) as u8,
        (secs % 60) as u8,
    )
    .map_err(|_| anyhow::anyhow!("timestamp {} is outside the zip range", time.unix))
}

/// Build the zip in memory.
pub(crate) fn zip(entries: &[Entry], time: Timestamp) -> Result<Vec<u8>> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let stamp = dos(time)?;
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

/// The zip entries of the `--include` files. A directory is added recursively
/// (sorted, under its NAME). Every file is read through [`confined`]: inside
/// the workspace (no symbolic link out of it), regular files only, bounded.
/// Names must be unique, and no name may be both a file and a directory
/// (`a:conf` with `b:conf/x`): `unzip` could not extract such a zip. Errors show
/// the spec as the user wrote it.
pub(crate) fn includes(includes: &[Include], workspace: &Path) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    let mut owner = Vec::new();
    let mut total = 0u64;
    for (i, include) in includes.iter().enumerate() {
        let start = out.len();
        collect(
            workspace,
            include.path.as_path(),
            include.name.as_str(),
            0,
            &mut out,
        )
        .with_context(|| format!("cannot include `{}`", include.spec))?;
        owner.resize(out.len(), i);
        total += out[start..]
            .iter()
            .map(|e| e.data.len() as u64)
            .sum::<u64>();
        if total > confined::MAX_FILE_BYTES {
            return Err(SlimError::IncludesTooLarge {
                total,
                limit: confined::MAX_FILE_BYTES,
            }
            .into());
        }
    }
    let spec_of = |name: &str| -> &str {
        out.iter()
            .position(|e| e.name == name)
            .map_or("", |at| includes[owner[at]].spec.as_str())
    };
    let mut names: Vec<&str> = out.iter().map(|e| e.name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        let specs = out
            .iter()
            .zip(&owner)
            .filter(|(e, _)| e.name == pair[0])
            .map(|(_, &i)| includes[i].spec.to_string())
            .collect();
        return Err(SlimError::DuplicateZipName {
            name: pair[0].into(),
            specs,
        }
        .into());
    }
    if let Some((file, under)) = file_dir_conflict(names.iter().copied()) {
        return Err(SlimError::FileDirClash {
            file_spec: spec_of(file).into(),
            file: file.into(),
            dir_spec: spec_of(under).into(),
            under: under.into(),
        }
        .into());
    }
    Ok(out)
}

/// Deeper than this, an include directory is taken for a symbolic link loop.
const MAX_DEPTH: usize = 32;

fn collect(
    workspace: &Path,
    rel: &Path,
    name: &str,
    depth: usize,
    out: &mut Vec<Entry>,
) -> Result<()> {
    let resolved = confined::resolve(workspace, rel)?;
    if resolved.meta.is_dir() {
        if depth >= MAX_DEPTH {
            return Err(SlimError::NestedTooDeep {
                path: rel.to_path_buf(),
                depth: MAX_DEPTH,
            }
            .into());
        }
        let mut children: Vec<_> =
            std::fs::read_dir(&resolved.real)?.collect::<std::io::Result<Vec<_>>>()?;
        children.sort_by_key(|e| e.file_name());
        for child in children {
            let file_name = child.file_name();
            let child_text = file_name
                .to_str()
                .filter(|n| !n.chars().any(char::is_control))
                .ok_or_else(|| SlimError::BadZipName {
                    name: file_name.to_string_lossy().into_owned(),
                    dir: rel.to_path_buf(),
                })?;
            let child_name = format!("{name}/{child_text}");
            collect(
                workspace,
                &rel.join(child_text),
                &child_name,
                depth + 1,
                out,
            )?;
        }
        return Ok(());
    }
    let data = confined::read_bounded(
        &resolved.real,
        &workspace.join(rel),
        confined::MAX_FILE_BYTES,
    )?;
    let executable = resolved.meta.permissions().mode() & 0o111 != 0;
    out.push(Entry {
        name: name.to_string(),
        mode: if executable { 0o755 } else { 0o644 },
        data,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timestamp::ZIP_MIN;

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

    fn include(spec: &str, ws: &Path) -> Include {
        spec.parse::<crate::model::include::IncludeSpec>()
            .unwrap()
            .resolve(ws, ws)
            .unwrap()
    }

    #[test]
    fn a_name_both_file_and_directory_is_refused_naming_the_specs() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path();
        std::fs::write(ws.join("a"), b"a").unwrap();
        std::fs::write(ws.join("b"), b"b").unwrap();
        let err = includes(&[include("a:conf", ws), include("b:conf/x", ws)], ws)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("include `a:conf` makes `conf` a file")
                && err.contains("include `b:conf/x` puts `conf/x` under it"),
            "{err}"
        );
        let err = includes(&[include("a:x", ws), include("b:x", ws)], ws)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("both named `x` in the zip (from `a:x` and `b:x`)"),
            "{err}"
        );
        assert_eq!(
            includes(&[include("a:conf/a", ws), include("b:conf/b", ws)], ws)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn includes_stay_in_the_workspace_and_refuse_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        std::fs::create_dir_all(ws.join("d")).unwrap();
        std::fs::write(dir.path().join("secret"), b"s").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), ws.join("d/leak")).unwrap();
        let err = format!(
            "{:#}",
            includes(&[include("d:conf", &ws)], &ws).unwrap_err()
        );
        assert!(
            err.contains("cannot include `d:conf`") && err.contains("leads outside"),
            "{err}"
        );
        let status = std::process::Command::new("mkfifo")
            .arg(ws.join("fifo"))
            .status()
            .unwrap();
        assert!(status.success());
        let err = format!("{:#}", includes(&[include("fifo", &ws)], &ws).unwrap_err());
        assert!(err.contains("not a regular file"), "{err}");
    }
}
