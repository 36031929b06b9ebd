//! The commands: the only place where the pipeline and the analyses are composed.

pub(crate) mod bench;
pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod function_settings;
pub(crate) mod generate;
pub(crate) mod new;
pub(crate) mod run;
pub(crate) mod size;
pub(crate) mod size_request;
pub(crate) mod verify;
pub(crate) mod why;
