//! `cargo slim bench`'s measurements: what a build's bytes buy at run time.
//!
//! [`subject`] is one build under test (its unpacked task root, how it runs, its
//! sizes) → [`schedule`] runs cold starts and warm invocations of every build,
//! interleaved (A B A B …) so a noisy machine weighs on all alike, collecting
//! [`samples`] → [`report`] reduces them to figures (percentiles, ratios to the
//! first build) → [`render`] prints the table; the report is also the JSON.
//!
//! Nothing here knows about the command line: callers hand in a
//! [`schedule::Plan`].

pub mod render;
pub mod report;
pub mod samples;
pub mod schedule;
pub mod subject;

pub use report::BenchReport;
pub use schedule::Plan;
pub use subject::Subject;
