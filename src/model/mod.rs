//! What the program talks about: targets, typed build options, include specs and
//! the recorded manifest.

pub mod include;
pub mod manifest;
pub mod options;
pub mod target;
