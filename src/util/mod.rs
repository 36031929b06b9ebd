//! Small helpers every layer may use: errors, hashes, atomic writes, locks.

pub mod atomic;
pub mod confined;
pub mod error;
pub mod file_bytes;
pub mod hash;
pub mod lock;
pub mod regular_file;
pub mod shell;
pub mod sigbus;
