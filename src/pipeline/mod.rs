//! The stages of a build, top to bottom: [`plan`] (what to build, with the
//! defaults of [`slim_metadata`]) → [`toolchain`]
//! (rustc, target std; remembered by [`toolchain_cache`]) and [`linker`] → [`profile`], [`rustflags`] and
//! [`cargo_config`] (how cargo is told) → [`cargo_build`] (one cargo invocation
//! per target) → [`linked_crates`] → [`strip`] (adding the [`audit_data`] section) →
//! [`package`] (function.zip) → [`sbom`] and [`provenance`] → [`report`] (the summary).

pub mod audit_data;
pub mod build;
pub mod cargo_build;
pub mod cargo_config;
pub mod image;
pub mod linked_crates;
pub mod linker;
pub mod package;
pub mod plan;
pub mod profile;
pub mod provenance;
pub mod report;
pub mod rustflags;
pub mod sbom;

pub mod slim_metadata;
pub mod sources;
pub mod strip;
pub mod supply_chain;
pub mod toolchain;
pub mod toolchain_cache;
