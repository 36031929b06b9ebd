//! The stages of a build, top to bottom: [`plan`] (what to build, with the
//! defaults of [`slim_metadata`]) → [`toolchain`]
//! (rustc, target std; remembered by [`toolchain_cache`]) and [`linker`] → [`profile`], [`rustflags`] and
//! [`cargo_config`] (how cargo is told) → [`cargo_build`] (one cargo invocation
//! per target) → [`linked_crates`] → [`strip`] (adding the [`audit_data`] section) →
//! [`package`] (function.zip) → [`sbom`] and [`provenance`] → [`report`] (the summary).

pub(crate) mod anchor;
pub(crate) mod audit_data;
pub(crate) mod build;
pub(crate) mod build_id;
pub(crate) mod cargo_build;
pub(crate) mod cargo_config;
pub(crate) mod cpu_flags;
pub(crate) mod git;
pub(crate) mod image;
pub(crate) mod linked_crates;
pub(crate) mod linker;
pub(crate) mod local_dependencies;
pub(crate) mod package;
pub(crate) mod path_map;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod provenance;
pub(crate) mod report;
pub(crate) mod rustflags;
pub(crate) mod sbom;

pub(crate) mod slim_metadata;
pub(crate) mod sources;
pub(crate) mod strip;
pub(crate) mod supply_chain;
pub(crate) mod target_cfg;
pub(crate) mod toolchain;
pub(crate) mod toolchain_cache;
