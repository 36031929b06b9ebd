//! Options of `cargo slim bench`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::build::BuildOptions;
use super::run::{EventArgs, FunctionArgs};
use super::select::SelectArgs;
use crate::model::run_options::BenchRequest;
use crate::util::error::SlimError;

const BENCH_AFTER_HELP: &str = "\
Measures what the bytes buy, on this machine: init (exec to the first GET /next)
over --cold fresh processes, the first invocation after each, warm invocations
in one process, peak memory (the cgroup's, else the kernel's rusage), page faults,
bootstrap and zip bytes, and the crates linked. With --compare, the builds run
interleaved (A B A B …) in one session, so a noisy machine affects all alike.
Figures under qemu emulation are marked as such.

Examples:
  cargo slim bench --cold 20 --warm 200
  cargo slim bench --compare old/function.zip --sample apigw-http
  cargo slim bench --message-format json | jq .builds[0].init_ms";

/// Options of `cargo slim bench`.
#[derive(Debug, Args, Clone)]
#[command(after_help = BENCH_AFTER_HELP)]
pub(crate) struct BenchArgs {
    /// A function.zip, build output directory, slim-manifest.json or bootstrap
    /// [default: the selected package's build, built first when needed].
    pub path: Option<PathBuf>,
    /// Other builds to compare with (zip, output directory or manifest).
    #[arg(long, value_name = "OTHER", num_args = 1.., help_heading = "Benchmark")]
    pub compare: Vec<PathBuf>,
    /// Cold starts to measure (a fresh process each).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 20,
        help_heading = "Benchmark"
    )]
    pub cold: u32,
    /// Warm invocations to measure (one process).
    #[arg(
        long,
        value_name = "M",
        default_value_t = 200,
        help_heading = "Benchmark"
    )]
    pub warm: u32,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub build: BuildOptions,
    #[command(flatten)]
    pub event: EventArgs,
    #[command(flatten)]
    pub function: FunctionArgs,
}

impl BenchArgs {
    /// The typed request: every flag checked before anything runs.
    pub(crate) fn to_request(&self) -> Result<BenchRequest> {
        if self.cold == 0 && self.warm == 0 {
            return Err(SlimError::InvalidSetting {
                setting: "--cold/--warm".into(),
                reason: "both are 0: nothing to measure".into(),
            }
            .into());
        }
        Ok(BenchRequest {
            path: self.path.clone(),
            compare: self.compare.clone(),
            cold: self.cold,
            warm: self.warm,
            selection: self.select.to_selection()?,
            build: self.build.to_requested()?,
            event: self.event.to_source(),
            function: self.function.to_request()?,
        })
    }
}
