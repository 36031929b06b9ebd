//! Small helpers every layer may use: errors, hashes, atomic writes.

pub mod atomic;
pub mod error;
pub mod hash;
pub mod shell;
