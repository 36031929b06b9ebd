//! The Rust toolchain a build used, as the manifest records it: rustc's and
//! cargo's versions and host, plus what this run found out about it (its sysroot,
//! its rust-lld). Asking rustc and cargo, and installing targets, is the
//! pipeline's (pipeline/compile/toolchain.rs).

use std::path::PathBuf;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub(crate) struct Toolchain {
    /// First line of `rustc -vV`, e.g. `rustc 1.95.0 (59807616e 2026-04-14)`.
    pub rustc: String,
    /// `release:` of `rustc -vV`, e.g. `1.95.0`.
    pub release: String,
    pub commit_hash: String,
    pub host: String,
    pub llvm: String,
    /// `cargo -V`.
    pub cargo: String,
    #[serde(skip)]
    pub sysroot: PathBuf,
    /// `rust-lld --version` of the toolchain's own rust-lld, when it has one
    /// (the manifest records it as the linker's version when rust-lld links).
    #[serde(skip)]
    pub lld_version: Option<String>,
}

impl Toolchain {
    pub(crate) fn is_nightly(&self) -> bool {
        self.release.contains("nightly") || self.release.contains("dev")
    }

    /// Does cargo accept `-Z` flags as it is? Only when both cargo and rustc are
    /// nightly (or locally built) ones.
    pub(crate) fn allows_unstable(&self) -> bool {
        let nightly = |version: &str| version.contains("nightly") || version.contains("-dev");
        self.is_nightly() && nightly(&self.cargo)
    }

    /// What rustc's own std paths are named after (`/rustc/<this>/library/…`):
    /// the commit it was built from, or its release when it does not know it.
    pub(crate) fn source_commit(&self) -> &str {
        match self.commit_hash.as_str() {
            "" | "unknown" => &self.release,
            commit => commit,
        }
    }

    /// The toolchain's own rust-lld (`lib/rustlib/<host>/bin/rust-lld`).
    pub(crate) fn rust_lld(&self) -> PathBuf {
        self.sysroot
            .join("lib/rustlib")
            .join(&self.host)
            .join("bin/rust-lld")
    }
}
