//! The artifact on disk against its manifest: function.zip (each file in it,
//! each section of its bootstrap), bootstrap, function.zip.sha256, the image and
//! the supply-chain files. All of `--artifact-only`, and the first half of a
//! full verify.

use std::path::Path;

use anyhow::Result;

use super::cause::Cause;
use super::diagnosis::{self, Current};
use super::difference::{Difference, DifferenceKind};
use super::{compare, image, lock_sha256, supply_chain, Mode, TargetVerdict};
use crate::artifact::file;
use crate::artifact::zip::Zip;
use crate::model::manifest::{FileEntry, Manifest};
use crate::output::{OutputDir, OutputFile, BOOTSTRAP};
use crate::pipeline::plan::Plan;
use crate::pipeline::supply_chain::{git, sources};
use crate::util::hash;

/// `--artifact-only`: the files on disk against the manifest.
pub(crate) fn artifact_verdict(
    plan: &Plan,
    dir: &OutputDir,
    recorded: &Manifest,
) -> Result<TargetVerdict> {
    let artifact_differences = check_artifact(dir, recorded)?;
    let local = local_manifest(dir, recorded);
    let mut causes: Vec<Cause> = diagnosis::artifact_causes(&artifact_differences);
    if !artifact_differences.is_empty() {
        let disk = sources::on_disk(&recorded.inputs.sources, plan.workspace_root());
        causes.extend(diagnosis::sources(sources::changes(
            &recorded.inputs.sources,
            &disk,
        )));
        causes.extend(diagnosis::causes(
            recorded,
            &Current {
                manifest: local.as_ref(),
                cargo_lock_sha256: lock_sha256(plan),
                git: git::git_state(plan.workspace_root()),
            },
        ));
    }
    Ok(TargetVerdict {
        target: recorded.target.triple.clone(),
        reproducible: artifact_differences.is_empty(),
        mode: Mode::Artifact,
        sha256: recorded.zip.sha256.clone(),
        image_digest: recorded.image.as_ref().map(|i| i.manifest.digest.clone()),
        rebuilt_sha256: None,
        artifact_differences,
        differences: Vec::new(),
        causes,
        rebuilt_dir: None,
    })
}

/// The manifest beside the artifact when it is not the recorded one (verify
/// --manifest): it says how the artifact on disk was made.
pub(crate) fn local_manifest(dir: &OutputDir, recorded: &Manifest) -> Option<Manifest> {
    Manifest::read(&dir.unlocked(OutputFile::Manifest))
        .ok()
        .filter(|m| m != recorded)
}

/// function.zip (and each file in it, and each section of its bootstrap),
/// bootstrap and function.zip.sha256 against the manifest.
pub(crate) fn check_artifact(dir: &OutputDir, recorded: &Manifest) -> Result<Vec<Difference>> {
    let mut out = Vec::new();
    let missing =
        |name: &str, sha: &str| Difference::new(DifferenceKind::Artifact, name, sha, "missing");
    let zip_name = OutputFile::Zip.name();
    let zip_path = dir.unlocked(OutputFile::Zip);
    match hash_artifact(&zip_path)? {
        Some(sha) => {
            if sha != recorded.zip.sha256 {
                out.push(Difference::new(
                    DifferenceKind::Artifact,
                    zip_name,
                    &recorded.zip.sha256,
                    sha,
                ));
                // Only a zip that differs is opened, mapped rather than read.
                let zip = file::map_regular(&zip_path, file::FILE_LIMIT, RUN_BUILD)?;
                out.extend(zip_contents(&zip, recorded));
            }
        }
        None => out.push(missing(zip_name, &recorded.zip.sha256)),
    }
    let want = recorded
        .files
        .iter()
        .find(|f| f.name == BOOTSTRAP)
        .map(|f| f.sha256.clone())
        .unwrap_or_default();
    match hash_artifact(&dir.unlocked(OutputFile::Bootstrap))? {
        Some(sha) => {
            if sha != want {
                out.push(Difference::new(
                    DifferenceKind::Artifact,
                    BOOTSTRAP,
                    want,
                    sha,
                ));
            }
        }
        None => out.push(missing(BOOTSTRAP, &want)),
    }
    out.extend(image::artifact(dir, recorded.image.as_ref()));
    out.extend(checksum_file(dir, recorded)?);
    out.extend(supply_chain::check_artifact(dir, recorded));
    Ok(out)
}

/// function.zip.sha256 beside the zip against the recorded zip hash.
fn checksum_file(dir: &OutputDir, recorded: &Manifest) -> Result<Option<Difference>> {
    let found = dir.checksum()?;
    if found.states(&recorded.zip.sha256) {
        return Ok(None);
    }
    let expected = crate::output::checksum_line(&recorded.zip.sha256);
    Ok(Some(Difference::new(
        DifferenceKind::ChecksumFile,
        OutputFile::Checksum.name(),
        expected.trim_end(),
        found.shown(),
    )))
}

/// A zip that differs: which entries differ, and for the bootstrap which sections.
/// Read by the one zip reader, so every entry is bounded by Lambda's unzipped
/// limit (an entry past it, or corrupt, is reported as unreadable).
fn zip_contents(zip: &[u8], recorded: &Manifest) -> Vec<Difference> {
    let Ok(mut archive) = Zip::open(zip) else {
        return vec![Difference::new(
            DifferenceKind::File,
            OutputFile::Zip.name(),
            "a readable zip",
            "not a readable zip",
        )];
    };
    let mut found = Vec::new();
    let mut bootstrap = None;
    for (name, entry) in archive.entries() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                // Say so rather than hash a prefix.
                found.push(FileEntry {
                    name,
                    mode: String::new(),
                    size: 0,
                    sha256: format!("unreadable ({e})"),
                });
                continue;
            }
        };
        let mode = entry.mode.unwrap_or(0) & 0o7777;
        found.push(FileEntry {
            name: name.clone(),
            mode: format!("{mode:04o}"),
            size: entry.data.len() as u64,
            sha256: hash::sha256_hex(&entry.data),
        });
        if name == BOOTSTRAP {
            bootstrap = Some(entry.data);
        }
    }
    let mut out = compare::files(&recorded.files, &found);
    if out.iter().any(|d| d.name == BOOTSTRAP) {
        if let Some(sections) =
            bootstrap.and_then(|b| crate::artifact::elf::section_hashes(&b).ok())
        {
            out.extend(compare::sections(&recorded.sections, &sections));
        }
    }
    out
}

/// An artifact file's sha256, hashed in blocks (never held whole); `None` when it
/// is not there. Anything but a regular file (a FIFO, a device) is an error.
fn hash_artifact(path: &Path) -> Result<Option<String>> {
    if !path.exists() {
        return Ok(None);
    }
    let (_, sha) = file::sha256_regular(path, file::FILE_LIMIT, RUN_BUILD)?;
    Ok(Some(sha))
}

const RUN_BUILD: &str = "run `cargo slim build` first";
