//! What ships, from the linked executable: [`strip`] (with the
//! [`audit_data`] section and the [`build_id`] stamp), [`zip`]
//! (function.zip, deterministic, with the `--include` files) and, with
//! `--image`, the OCI [`image`].

pub(crate) mod audit_data;
pub(crate) mod build_id;
pub(crate) mod image;
pub(crate) mod strip;
pub(crate) mod zip;

pub(crate) use zip::{includes, zip, Entry, COMPRESSION};
