//! The host-path audit in verify's diagnosis: when the bytes differ, does the
//! recorded bootstrap (the one on disk, when it is the recorded one) or the
//! rebuilt one hold paths of the machine that built it? Such a path is the
//! likeliest cause of all: it differs from machine to machine.

use std::path::Path;

use super::cause::Cause;
use crate::model::manifest::Manifest;
use crate::output::{OutputDir, OutputFile, BOOTSTRAP};
use crate::pipeline::plan::Plan;
use crate::preflight::host_paths::{self, HostPrefix};
use crate::util::hash;

/// This machine's directories verify knows of: the environment's homes, the
/// workspace and the target directory.
pub(crate) fn prefixes(plan: &Plan) -> Vec<HostPrefix> {
    let mut out = host_paths::environment_prefixes();
    out.extend(HostPrefix::new("the workspace", plan.workspace_root()));
    out.extend(HostPrefix::new(
        "the target directory",
        plan.target_dir.path(),
    ));
    out
}

/// The cause, when `bytes` (the `whose` bootstrap) holds any such path.
pub(crate) fn cause(whose: &'static str, bytes: &[u8], prefixes: &[HostPrefix]) -> Option<Cause> {
    let found = host_paths::audit(bytes, prefixes);
    (!found.is_empty()).then(|| Cause::HostPaths {
        whose,
        detail: host_paths::describe(&found),
    })
}

/// The audit of the bootstrap in `dir`, when it is the one `recorded` describes.
pub(crate) fn recorded_cause(
    dir: &OutputDir,
    recorded: &Manifest,
    prefixes: &[HostPrefix],
) -> Option<Cause> {
    let bytes = read(&dir.unlocked(OutputFile::Bootstrap))?;
    let sha = hash::sha256_hex(&bytes);
    recorded
        .files
        .iter()
        .any(|f| f.name == BOOTSTRAP && f.sha256 == sha)
        .then(|| cause("recorded", &bytes, prefixes))
        .flatten()
}

fn read(path: &Path) -> Option<Vec<u8>> {
    crate::artifact::file::read_regular(path, crate::artifact::file::FILE_LIMIT, "").ok()
}
