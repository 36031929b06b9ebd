//! s3-default's function, compiled against the SDK without its default features.
include!("../../s3-default/src/main.rs");
