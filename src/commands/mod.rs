//! The commands: the only place where the pipeline and the analyses are composed.

pub mod bench;
pub mod build;
pub mod check;
pub mod generate;
pub mod new;
pub mod run;
pub mod size;
pub mod size_request;
pub mod verify;
pub mod why;
