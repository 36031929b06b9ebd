//! A source file a build read, by path and content hash.

use serde::{Deserialize, Serialize};

use crate::model::include::RelPath;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SourceFile {
    /// Relative to the workspace root (or, for a path dependency outside it, to
    /// the dependency's directory).
    pub path: RelPath,
    pub sha256: String,
}
