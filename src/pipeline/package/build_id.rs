//! The build-id `bootstrap` ships with: a hash of the shipped bytes alone.
//!
//! The linker's `--build-id=sha1` hashes everything it writes, the symbol table
//! included. Symbol names carry cargo's hash of each crate, and cargo derives
//! that hash from the absolute path of a path dependency outside the workspace,
//! so the linker's id, the one section of the stripped file that still depended
//! on it, made `bootstrap` depend on where such a dependency was checked out.
//! After stripping, the id is set to the first bytes of the SHA-256 of the
//! stripped file (with the id zeroed), in both `bootstrap` and
//! `bootstrap.full`: reproducible from the shipped bytes, and it still ties the
//! two files together for symbolising a crash address.

use anyhow::Result;

use crate::artifact::elf::build_id;
use crate::util::hash;

/// Set the build-id of `bootstrap` and `full` (the same link, stripped and
/// not) to a hash of `bootstrap`. A file without a GNU build-id note (the
/// user linked with `--build-id=none`) is left as it is.
pub(crate) fn stamp(bootstrap: &mut [u8], full: &mut [u8]) -> Result<()> {
    let (Some(shipped), Some(kept)) = (build_id::range(bootstrap)?, build_id::range(full)?) else {
        return Ok(());
    };
    // An id longer than a SHA-256 (`--build-id=0x…` of the user's) stays.
    if shipped.len() != kept.len() || shipped.len() > 32 {
        return Ok(());
    }
    bootstrap[shipped.clone()].fill(0);
    let digest = hash::sha256(bootstrap);
    let id = &digest[..shipped.len()];
    bootstrap[shipped].copy_from_slice(id);
    full[kept].copy_from_slice(id);
    Ok(())
}
