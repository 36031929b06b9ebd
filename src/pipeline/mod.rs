//! The stages of a build, top to bottom: [`plan`] (what to build, with the
//! defaults of [`slim_metadata`]) → [`toolchain`]
//! (rustc, target std) and [`linker`] → [`profile`], [`rustflags`] and
//! [`cargo_config`] (how cargo is told) → [`cargo_build`] (one cargo invocation
//! per target) → [`strip`] → [`package`] (function.zip) → [`report`] (the summary).

pub mod cargo_build;
pub mod cargo_config;
pub mod linker;
pub mod package;
pub mod plan;
pub mod profile;
pub mod report;
pub mod rustflags;
pub mod slim_metadata;
pub mod strip;
pub mod toolchain;
