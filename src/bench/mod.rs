//! `cargo slim bench`'s measurements: what a build's bytes buy at run time.
//!
//! [`subject`] is one build under test (its unpacked task root, how it runs, its
//! sizes) → [`schedule`] runs cold starts and warm invocations of every build,
//! interleaved (A B A B …) so a noisy machine weighs on all alike, collecting
//! [`samples`] (and, under Managed Instances, a [`load`] per build) → [`report`] reduces them to figures (percentiles, ratios to the
//! first build) → [`render`] prints the table; the report is also the JSON.
//!
//! Nothing here knows about the command line: callers hand in a
//! [`schedule::Plan`].

pub(crate) mod load;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod samples;
pub(crate) mod schedule;
pub(crate) mod subject;

pub(crate) use report::BenchReport;
pub(crate) use subject::Subject;
