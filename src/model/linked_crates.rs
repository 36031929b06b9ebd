//! The crates linked into one target's `bootstrap`: the one list the embedded
//! `.dep-v0` audit data, the CycloneDX SBOM and the SLSA provenance are all
//! written from, so the three cannot disagree.
//!
//! "Linked" means: reachable from the function's package through normal
//! dependencies that apply to the target triple, with the selected features; not
//! dev-dependencies, not build-dependencies, not proc-macros (they run in the
//! compiler on the host) and nothing reached only through those.

use serde::{Deserialize, Serialize};

/// The linked crates, sorted by name, version and source; exactly one is the
/// root (the function's own package). `dependencies` are indices into `crates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LinkedCrates {
    pub crates: Vec<LinkedCrate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LinkedCrate {
    pub name: String,
    /// A semantic version, as in Cargo.toml.
    pub version: String,
    pub source: CrateSource,
    /// Cargo.lock's `checksum`: the SHA-256 of the `.crate` file (registry crates
    /// only).
    pub checksum: Option<String>,
    /// The package's `license` field, an SPDX expression (legacy `A/B` is
    /// written `A OR B`).
    pub license: Option<String>,
    /// Indices of the linked crates this one depends on, ascending.
    pub dependencies: Vec<usize>,
    pub root: bool,
}

/// Where a crate's source came from. Local paths are not recorded: they are
/// machine-specific, and the workspace is identified by its git commit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub(crate) enum CrateSource {
    CratesIo,
    /// Another registry, by its index URL (without cargo's `registry+`/`sparse+`).
    Registry {
        url: String,
    },
    /// A git repository and the commit cargo resolved.
    Git {
        url: String,
        commit: Option<String>,
    },
    /// A path dependency or a workspace member.
    Local,
}

impl LinkedCrates {
    pub(crate) fn root(&self) -> Option<&LinkedCrate> {
        self.crates.iter().find(|c| c.root)
    }
}

impl LinkedCrate {
    /// The package URL (purl-spec's `cargo` type): `pkg:cargo/NAME@VERSION`, with
    /// `repository_url` for another registry and `vcs_url` for git.
    pub(crate) fn purl(&self) -> String {
        let base = format!("pkg:cargo/{}@{}", self.name, encode(&self.version));
        match &self.source {
            CrateSource::CratesIo | CrateSource::Local => base,
            CrateSource::Registry { url } => format!("{base}?repository_url={}", encode(url)),
            CrateSource::Git { url, commit } => {
                let vcs = match commit {
                    Some(c) => format!("git+{url}@{c}"),
                    None => format!("git+{url}"),
                };
                format!("{base}?vcs_url={}", encode(&vcs))
            }
        }
    }
}

/// Percent-encode a purl component: everything but unreserved characters and
/// the `:` and `/` of URLs.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn krate(source: CrateSource) -> LinkedCrate {
        LinkedCrate {
            name: "serde".into(),
            version: "1.0.0+build".into(),
            source,
            checksum: None,
            license: None,
            dependencies: Vec::new(),
            root: false,
        }
    }

    #[test]
    fn purls() {
        assert_eq!(
            krate(CrateSource::CratesIo).purl(),
            "pkg:cargo/serde@1.0.0%2Bbuild"
        );
        let git = CrateSource::Git {
            url: "https://github.com/serde-rs/serde".into(),
            commit: Some("abc123".into()),
        };
        assert_eq!(
            krate(git).purl(),
            "pkg:cargo/serde@1.0.0%2Bbuild?vcs_url=git%2Bhttps://github.com/serde-rs/serde%40abc123"
        );
    }
}
