//! `cargo slim verify`: prove that the recorded `function.zip` is what this
//! checkout builds.
//!
//! Full verify rebuilds every selected target from scratch, into a fresh temporary
//! target directory, with the settings recorded in `slim-manifest.json` (options,
//! features, runtime, zip timestamp; always `--locked`), then compares every hash
//! the manifest records: the zip, each file in it, each ELF section of the shipped
//! bootstrap, and the unstripped link. It also checks the artifact on disk against
//! the manifest. `--artifact-only` does only that last part: no compiler needed.
//! When something differs it names the file and sections and lists the recorded
//! inputs that differ now (toolchain, linker, Cargo.lock, git state, settings).

mod compare;
mod image;
mod supply_chain;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::artifact::file;
use crate::artifact::zip::Zip;
use crate::model::manifest::{self, FileEntry, Manifest};
use crate::pipeline::build::{self, Built, Context};
use crate::pipeline::plan::{self, Plan};
use crate::pipeline::sources;
use crate::ui::Ui;
use crate::util::error::SlimError;
use crate::util::hash;

pub use compare::Difference;

/// The verdict for one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetVerdict {
    pub target: String,
    pub reproducible: bool,
    /// `artifact` (--artifact-only) or `rebuild`.
    pub mode: String,
    /// The recorded function.zip sha256.
    pub sha256: String,
    /// The recorded image digest, for builds made with `--image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    /// The rebuilt function.zip sha256 (full verify only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt_sha256: Option<String>,
    /// The artifact on disk against the manifest.
    pub artifact_differences: Vec<Difference>,
    /// The rebuild against the manifest (empty for --artifact-only).
    pub differences: Vec<Difference>,
    /// Recorded inputs and settings that differ now: the likely causes.
    pub causes: Vec<String>,
    /// Where the rebuild is, with --keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub reproducible: bool,
    pub targets: Vec<TargetVerdict>,
}

/// The workspace's Cargo.lock hash now.
fn lock_sha256(plan: &Plan) -> Option<String> {
    std::fs::read(plan.workspace_root().join("Cargo.lock"))
        .ok()
        .map(|b| hash::sha256_hex(&b))
}

/// `--artifact-only`: the files on disk against the manifest.
pub(crate) fn artifact_verdict(
    plan: &Plan,
    built: &Built,
    recorded: &Manifest,
) -> Result<TargetVerdict> {
    let artifact_differences = check_artifact(built, recorded)?;
    let local = local_manifest(built, recorded);
    let mut causes = compare::artifact_causes(&artifact_differences);
    if !artifact_differences.is_empty() {
        let disk = sources::on_disk(&recorded.inputs.sources, plan.workspace_root());
        causes.extend(sources::changes(&recorded.inputs.sources, &disk));
        causes.extend(compare::causes(
            recorded,
            &compare::Current {
                manifest: local.as_ref(),
                cargo_lock_sha256: lock_sha256(plan),
                git: manifest::git_state(plan.workspace_root()),
            },
        ));
    }
    Ok(TargetVerdict {
        target: recorded.target.triple.clone(),
        reproducible: artifact_differences.is_empty(),
        mode: "artifact".into(),
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
fn local_manifest(built: &Built, recorded: &Manifest) -> Option<Manifest> {
    Manifest::read(&built.manifest)
        .ok()
        .filter(|m| m != recorded)
}

/// function.zip (and each file in it, and each section of its bootstrap),
/// bootstrap and function.zip.sha256 against the manifest.
pub fn check_artifact(built: &Built, recorded: &Manifest) -> Result<Vec<Difference>> {
    let mut out = Vec::new();
    let missing = |name: &str, sha: &str| Difference {
        kind: "artifact".into(),
        name: name.into(),
        recorded: sha.into(),
        found: "missing".into(),
    };
    match hash_artifact(&built.zip)? {
        Some(sha) => {
            if sha != recorded.zip.sha256 {
                out.push(Difference {
                    kind: "artifact".into(),
                    name: "function.zip".into(),
                    recorded: recorded.zip.sha256.clone(),
                    found: sha,
                });
                // Only a zip that differs is opened, mapped rather than read.
                let zip = file::map_regular(&built.zip, file::FILE_LIMIT, RUN_BUILD)?;
                out.extend(zip_contents(&zip, recorded));
            }
        }
        None => out.push(missing("function.zip", &recorded.zip.sha256)),
    }
    let want = recorded
        .files
        .iter()
        .find(|f| f.name == "bootstrap")
        .map(|f| f.sha256.clone())
        .unwrap_or_default();
    match hash_artifact(&built.bootstrap)? {
        Some(sha) => {
            if sha != want {
                out.push(Difference {
                    kind: "artifact".into(),
                    name: "bootstrap".into(),
                    recorded: want,
                    found: sha,
                });
            }
        }
        None => out.push(missing("bootstrap", &want)),
    }
    out.extend(image::artifact(&built.out_dir, recorded.image.as_ref()));
    let sha_file = built.out_dir.join("function.zip.sha256");
    // "<64 hex>  function.zip\n": anything much longer is not a checksum file.
    let line = read_artifact(&sha_file, 4096)?
        .map(|d| String::from_utf8_lossy(&d).into_owned())
        .unwrap_or_default();
    let mut words = line.split_whitespace();
    let (sum, name) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if sum != recorded.zip.sha256 || name.trim_start_matches('*') != "function.zip" {
        out.push(Difference {
            kind: "checksum-file".into(),
            name: "function.zip.sha256".into(),
            recorded: format!("{}  function.zip", recorded.zip.sha256),
            found: if line.is_empty() {
                "missing".into()
            } else {
                line.trim_end().to_string()
            },
        });
    }
    out.extend(supply_chain::check_artifact(&built.out_dir, recorded));
    Ok(out)
}

/// A zip that differs: which entries differ, and for the bootstrap which sections.
/// Read by the one zip reader, so every entry is bounded by Lambda's unzipped
/// limit (an entry past it, or corrupt, is reported as unreadable).
fn zip_contents(zip: &[u8], recorded: &Manifest) -> Vec<Difference> {
    let Ok(mut archive) = Zip::open(zip) else {
        return vec![Difference {
            kind: "file".into(),
            name: "function.zip".into(),
            recorded: "a readable zip".into(),
            found: "not a readable zip".into(),
        }];
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
        if name == "bootstrap" {
            bootstrap = Some(entry.data);
        }
    }
    let mut out = compare::files(&recorded.files, &found);
    if out.iter().any(|d| d.name == "bootstrap") {
        if let Some(sections) =
            bootstrap.and_then(|b| crate::artifact::elf::section_hashes(&b).ok())
        {
            out.extend(compare::sections(&recorded.sections, &sections));
        }
    }
    out
}

/// An artifact file's bytes; `None` when it is not there. Anything but a regular
/// file (a FIFO, a device) is an error, and reads are bounded.
fn read_artifact(path: &Path, limit: u64) -> Result<Option<Vec<u8>>> {
    if !path.exists() {
        return Ok(None);
    }
    file::read_regular(path, limit, RUN_BUILD).map(Some)
}

/// An artifact file's sha256, hashed in blocks (never held whole); `None` when it
/// is not there. Checked and bounded like [`read_artifact`].
fn hash_artifact(path: &Path) -> Result<Option<String>> {
    if !path.exists() {
        return Ok(None);
    }
    let (_, sha) = file::sha256_regular(path, file::FILE_LIMIT, RUN_BUILD)?;
    Ok(Some(sha))
}

const RUN_BUILD: &str = "run `cargo slim build` first";

/// Full verify of one target: refuse what cannot reproduce, rebuild in a fresh
/// target dir with the recorded settings, compare.
pub(crate) fn rebuild_verdict(
    ui: &Ui,
    plan: &Plan,
    built: &Built,
    recorded: &Manifest,
    keep: bool,
) -> Result<TargetVerdict> {
    let target = &recorded.target;
    let lock = lock_sha256(plan);
    if lock.is_none() || recorded.inputs.cargo_lock_sha256.is_none() {
        return Err(SlimError::NoLockfile {
            target: Some(target.to_string()),
            missing: if lock.is_none() {
                format!("in {}", plan.workspace_root().display())
            } else {
                "was recorded".to_string()
            },
        }
        .into());
    }
    let artifact_differences = check_artifact(built, recorded)?;

    let dir = tempfile::Builder::new()
        .prefix("cargo-slim-verify-")
        .tempdir()
        .context("cannot create a temporary target directory")?;
    let p = plan.from_manifest(recorded, plan::canonical(dir.path()))?;

    crate::util::atomic::ensure_writable_dir(&p.out_dir(target))?;
    let mut ctx = Context::new(ui, &p)?;
    // The zip time the record used, whatever SOURCE_DATE_EPOCH says now.
    ctx.timestamp = recorded.build.timestamp;
    // An image with the recorded labels (its git revision among them).
    ctx.image = recorded
        .image
        .as_ref()
        .map(|i| crate::pipeline::image::Request {
            labels: Some(i.labels.clone()),
        });
    warn_before(ui, recorded, &ctx, plan);

    ui.status(
        "Verifying",
        format!(
            "{target}: rebuilding from scratch in {} with the recorded settings",
            dir.path().display()
        ),
    );
    let outcome = build::build_target(ui, &p, &ctx, target).with_context(|| {
        format!("the verification rebuild for {target} failed (verify builds with --locked)")
    })?;
    let rebuilt_dir = keep.then(|| dir.keep());
    let rebuilt_dir = rebuilt_dir.map(|d| plan::out_dir(&d, &p.bin, target));
    let Some(rebuilt) = outcome.manifest else {
        return Ok(TargetVerdict {
            target: target.triple.clone(),
            reproducible: false,
            mode: "rebuild".into(),
            sha256: recorded.zip.sha256.clone(),
            image_digest: recorded.image.as_ref().map(|i| i.manifest.digest.clone()),
            rebuilt_sha256: None,
            artifact_differences,
            differences: vec![Difference {
                kind: "preflight".into(),
                name: "bootstrap".into(),
                recorded: "passed".into(),
                found: "the rebuilt binary failed the preflight".into(),
            }],
            causes: Vec::new(),
            rebuilt_dir,
        });
    };
    let mut differences = compare::outputs(recorded, &rebuilt);
    differences.extend(supply_chain::compare(recorded, &rebuilt));
    differences.extend(image::outputs(
        recorded.image.as_ref(),
        rebuilt.image.as_ref(),
    ));
    // The artifact on disk may have been made with other settings: its own
    // manifest (when it is not the recorded one) says how.
    let local = local_manifest(built, recorded);
    let now = if !artifact_differences.is_empty() && differences.is_empty() {
        local.as_ref()
    } else {
        Some(&rebuilt)
    };
    let mut causes = compare::artifact_causes(&artifact_differences);
    if !recorded.inputs.sources.is_empty() {
        causes.extend(sources::changes(
            &recorded.inputs.sources,
            &rebuilt.inputs.sources,
        ));
    }
    causes.extend(compare::causes(
        recorded,
        &compare::Current {
            manifest: now,
            cargo_lock_sha256: lock,
            git: manifest::git_state(plan.workspace_root()),
        },
    ));
    let reproducible = differences.is_empty() && artifact_differences.is_empty();
    if reproducible {
        // Inputs that differ but did not change the bytes are worth a warning
        // only when they are real inputs, not the checkout state or a comment.
        causes.retain(|c| {
            !c.starts_with("git") && !c.contains("git work tree") && !c.starts_with("source file")
        });
    }
    Ok(TargetVerdict {
        target: target.triple.clone(),
        reproducible,
        mode: "rebuild".into(),
        sha256: recorded.zip.sha256.clone(),
        image_digest: recorded.image.as_ref().map(|i| i.manifest.digest.clone()),
        rebuilt_sha256: Some(rebuilt.zip.sha256.clone()),
        artifact_differences,
        differences,
        causes,
        rebuilt_dir,
    })
}

/// Say before minutes of compiling when the result cannot be expected to match.
fn warn_before(ui: &Ui, recorded: &Manifest, ctx: &Context, plan: &Plan) {
    let (r, n) = (&recorded.toolchain, &ctx.toolchain);
    if r.rustc != n.rustc || r.cargo != n.cargo {
        ui.warn(format!(
            "the toolchain differs from the recorded one ({} / {}; now {} / {}): the rebuild \
             is not expected to match; pin it in rust-toolchain.toml",
            r.rustc, r.cargo, n.rustc, n.cargo
        ));
    }
    if recorded.inputs.git.as_ref().is_some_and(|g| g.dirty) {
        ui.warn("the recorded build was made from a dirty git tree");
    }
    if manifest::git_state(plan.workspace_root()).is_some_and(|g| g.dirty) {
        ui.warn("the git work tree is dirty: uncommitted changes are in the rebuild");
    }
}
