//! What a build produced, read back: the one ELF reader ([`elf`]), the one zip
//! reader ([`zip`]) and the bounded read of a file from disk ([`file`]).
//!
//! `size`, the preflight, `verify` and the manifest code all read artifacts
//! through here, so each bound and each validation exists once. This layer sits
//! below the analyses: it imports only `model`, `ui` and `util` (tests/suite/layers.rs
//! checks it).

pub(crate) mod code;
pub(crate) mod demangle;
pub(crate) mod elf;
pub(crate) mod file;
pub(crate) mod zip;
