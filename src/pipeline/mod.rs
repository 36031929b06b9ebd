//! Building one function, by concern: [`plan`] (what to build: cargo's
//! metadata, the package, bin and targets, the `[*.metadata.slim]` tables and
//! the crates linked for a target) → [`compile`] (the toolchain, the linker,
//! the profile, rustflags and cargo config, one `cargo build`) → [`package`]
//! (strip, the embedded dependency list, function.zip, the image) →
//! [`supply_chain`] (SBOM, provenance, the sources read, the git state) —
//! put in sequence for one target by [`build`], which writes the outputs and
//! gives the summary. Nothing here prints a result: the commands do, once,
//! through `ui`.

pub(crate) mod build;
pub(crate) mod compile;
pub(crate) mod package;
pub(crate) mod plan;
pub(crate) mod supply_chain;
