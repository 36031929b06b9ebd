//! The linker a target was built with, as the manifest records it. Choosing one
//! (probing PATH for rust-lld, zig, a cross gcc) and telling cargo to use it are
//! the pipeline's (pipeline/compile/linker.rs).

/// How a target gets linked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LinkerKind {
    /// The toolchain's `rust-lld`, driven directly (flavor ld.lld).
    Lld,
    /// `cargo-zigbuild`: zig cc as linker and C compiler.
    Zig,
    /// A gcc driver: a cross gcc, or the host's `cc`.
    Gcc,
    /// What the user's cargo configuration names; we pass nothing.
    Config,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub(crate) struct Linker {
    pub kind: LinkerKind,
    /// The program: `rust-lld`, `cargo-zigbuild`, `aarch64-linux-gnu-gcc`, …
    pub program: String,
    /// Its `--version` line, for the manifest (zig's version for zig).
    pub version: Option<String>,
    /// The `--target` cargo gets: the triple, or `<triple>.<glibc>` for zig.
    pub cargo_target: String,
    /// Why auto chose it (shown with -v).
    #[serde(skip)]
    pub reason: String,
}
