//! What the program talks about: targets and the recorded manifest.

pub mod manifest;
pub mod target;
