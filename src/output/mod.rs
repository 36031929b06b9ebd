//! Every file a build writes, and where: the one owner of the output layout.
//! No file name of ours is spelled outside this folder.
//!
//! ```text
//! <target-dir>/                       cargo's, or --target-dir (TargetDir, canonical)
//!   cargo-slim/                       everything of ours
//!     .toolchain/                     what rustc and cargo said about themselves
//!     <bin>/                          one function
//!       <triple>/                     one function × target: an OutputDir
//!         .cargo-slim-lock            held while a run writes here
//!         bootstrap.full              the link with its symbols (for `size`), 0755
//!         bootstrap                   the stripped executable that ships, 0755
//!         function.zip                bootstrap at the root (+ --include files)
//!         function.cdx.json           CycloneDX SBOM
//!         function.intoto.json        SLSA provenance statement
//!         image.tar  image/           with --image: oci-archive and OCI layout
//!         size.json                   sections and crates (`size --diff` in CI)
//!         function.zip.sha256         "<hex>  function.zip" (`sha256sum -c`)
//!         slim-manifest.json          what was built, how, and every hash
//!       image-multi-arch/             with --multi-arch: image.tar and image/
//!                                     over every target's image
//! ```
//!
//! [`TargetDir`] spells the target directory once; [`OutputDir`] is one
//! directory of the tree; [`OutputFile`] names its files, in the order a build
//! writes them; [`Locked`] (its lock held) is the only way to a path to write,
//! and [`OutputSet`] the only way to write: one build's files as one set, a
//! stale file of an earlier build removed because the owner knows them all.
//! Adding an artifact is a variant of [`OutputFile`] and a `put` where it is
//! made.

mod checksum;
mod dir;
mod file;
mod set;
mod target_dir;
mod tree;

pub(crate) use checksum::line as checksum_line;
pub(crate) use dir::{Locked, OutputDir};
pub(crate) use file::{OutputFile, BOOTSTRAP, EXECUTABLES, UNSTRIPPED_SUFFIX};
pub(crate) use set::OutputSet;
pub(crate) use target_dir::{function_dir, TargetDir};
