//! Compiling one target: which [`toolchain`] (its answers kept by
//! [`toolchain_cache`]), which [`linker`], the `slim` [`profile`], our
//! [`rustflags`] merged with the user's and their [`cargo_config`] (whose
//! `cfg(…)` tables [`target_cfg`] decides), the path remapping of
//! [`path_map`] and [`anchor`], the CPU baseline's checks of [`cpu_flags`],
//! and the one [`cargo_build`] run.

pub(crate) mod anchor;
pub(crate) mod cargo_build;
pub(crate) mod cargo_config;
pub(crate) mod cpu_flags;
pub(crate) mod linker;
pub(crate) mod path_map;
pub(crate) mod profile;
pub(crate) mod rustflags;
pub(crate) mod target_cfg;
pub(crate) mod toolchain;
pub(crate) mod toolchain_cache;
