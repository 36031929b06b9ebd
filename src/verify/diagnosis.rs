//! Finding the causes: what the artifact's own differences say, and which
//! recorded inputs and settings differ from now, most likely culprit first.

use super::cause::{differs, Cause};
use super::difference::{Difference, DifferenceKind};
use super::settings;
use crate::model::manifest::{Git, Manifest};
use crate::output::OutputFile;

/// What the environment looks like now, beside the rebuilt (or local) manifest.
pub(crate) struct Current<'a> {
    /// The manifest describing how the compared bytes were made.
    pub(crate) manifest: Option<&'a Manifest>,
    /// sha256 of the workspace's Cargo.lock now (None: there is none).
    pub(crate) cargo_lock_sha256: Option<String>,
    pub(crate) git: Option<Git>,
}

/// What the artifact's own differences say about themselves.
pub(crate) fn artifact_causes(diffs: &[Difference]) -> Vec<Cause> {
    let zip = diffs
        .iter()
        .any(|d| d.kind == DifferenceKind::Artifact && d.name == OutputFile::Zip.name());
    let sum = diffs.iter().any(|d| d.kind == DifferenceKind::ChecksumFile);
    let mut out = Vec::new();
    if zip && !sum {
        out.push(Cause::ZipEdited);
    }
    if diffs.iter().any(|d| d.found == "missing") {
        out.push(Cause::FileMissing);
    }
    out
}

/// Source files that changed, appeared or went since the record.
pub(crate) fn sources(sentences: Vec<String>) -> impl Iterator<Item = Cause> {
    sentences.into_iter().map(Cause::Source)
}

/// Recorded inputs and settings that differ from `now`, most likely culprit
/// first.
pub(crate) fn causes(recorded: &Manifest, now: &Current) -> Vec<Cause> {
    let mut out = Vec::new();
    if let Some(m) = now.manifest {
        for ((what, rec), (_, found)) in tools(recorded).into_iter().zip(tools(m)) {
            differs(&mut out, what, rec, found);
        }
    }
    differs(
        &mut out,
        "Cargo.lock",
        or_none(&recorded.inputs.cargo_lock_sha256),
        or_none(&now.cargo_lock_sha256),
    );
    match (&recorded.inputs.git, &now.git) {
        (Some(r), Some(n)) => {
            if r.commit != n.commit {
                out.push(Cause::GitCommit {
                    recorded: r.commit.clone(),
                    now: n.commit.clone(),
                });
            }
            if n.dirty {
                out.push(Cause::GitDirty);
            }
        }
        (Some(r), None) => out.push(Cause::NotACheckout {
            commit: r.commit.clone(),
        }),
        _ => {}
    }
    if recorded.inputs.git.as_ref().is_some_and(|g| g.dirty) {
        out.push(Cause::RecordedDirty);
    }
    if let Some(m) = now.manifest {
        settings::compare(recorded, m, &mut out);
    }
    out
}

/// The programs that made the bytes, named and versioned: the same list for the
/// record and for now, compared pairwise.
fn tools(m: &Manifest) -> [(&'static str, String); 6] {
    let t = &m.toolchain;
    [
        ("rustc", t.rustc.clone()),
        ("cargo", t.cargo.clone()),
        ("LLVM", t.llvm.clone()),
        ("linker", m.linker.program.clone()),
        ("linker version", or_none(&m.linker.version)),
        ("cargo-slim", m.tool.version.clone()),
    ]
}

fn or_none(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "none".into())
}
