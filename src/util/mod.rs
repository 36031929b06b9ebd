//! Small helpers every layer may use: errors, hashes, atomic writes, locks.

pub(crate) mod atomic;
pub(crate) mod confined;
pub(crate) mod error;
pub(crate) mod file_bytes;
pub(crate) mod hash;
pub(crate) mod lock;
pub(crate) mod process;
pub(crate) mod regular_file;
pub(crate) mod shell;
pub(crate) mod sigbus;
