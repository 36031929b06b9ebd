//! Options of `cargo slim build` (shared with `run` and `bench`, which build
//! first), and the typed build options they become.

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::budget::BudgetArgs;
use super::flag::{bad_flag, parse_flag};
use super::select::SelectArgs;
use crate::model::include::IncludeSpec;
use crate::model::options::{CpuName, LinkerChoice, OptLevel, PanicStrategy, RequestedOptions};

/// Options of `cargo slim build` (also recorded in the manifest for `verify`).
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub opts: BuildOptions,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct BuildOptions {
    /// Optimization level of the slim profile: z (default: smallest), s, 3, 2, 1, 0.
    #[arg(long, value_name = "LEVEL", help_heading = "Build")]
    pub opt_level: Option<String>,
    /// CPU to tune for, e.g. neoverse-n1 (Graviton2), neoverse-v1 (Graviton3),
    /// x86-64-v3 [default: the target's baseline].
    #[arg(long, value_name = "CPU", help_heading = "Build")]
    pub cpu: Option<String>,
    /// Rebuild the standard library for size (-Zbuild-std, optimize_for_size;
    /// rust-src is installed on demand). On a stable toolchain this build runs
    /// with RUSTC_BOOTSTRAP=1. Panic messages are kept.
    #[arg(long, help_heading = "Build")]
    pub build_std: bool,
    /// What a panic does: abort (default: print the message, then abort) or
    /// immediate-abort (print nothing; smallest; needs --build-std).
    #[arg(long, value_name = "STRATEGY", help_heading = "Build")]
    pub panic: Option<PanicArg>,
    /// Linker: auto, lld (rust-lld), zig (cargo-zigbuild), gcc (a cross gcc).
    #[arg(long, value_name = "LINKER", help_heading = "Build")]
    pub linker: Option<LinkerArg>,
    /// Extra file to put in function.zip, as PATH or PATH:NAME (repeatable).
    #[arg(long, value_name = "PATH[:NAME]", help_heading = "Package")]
    pub include: Vec<String>,
    /// Also write an OCI container image of the function: image/ (OCI layout) and
    /// image.tar (oci-archive) beside function.zip. Static (musl) targets only.
    #[arg(long, help_heading = "Package")]
    pub image: bool,
    /// With --image: also one image index over every target's image, for
    /// registries serving Kubernetes or Cloud Run. Lambda does not accept an index.
    #[arg(long, requires = "image", help_heading = "Package")]
    pub multi_arch: bool,
    /// Skip the runtime preflight checks (not recommended).
    #[arg(long, help_heading = "Build")]
    pub no_preflight: bool,
    /// Do not embed the dependency list (cargo-auditable's `.dep-v0` section) in
    /// bootstrap; the SBOM and provenance are still written.
    #[arg(long, help_heading = "Package")]
    pub no_audit_data: bool,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// `--panic`, as clap parses it; the program uses [`PanicStrategy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PanicArg {
    Abort,
    ImmediateAbort,
}

impl From<PanicArg> for PanicStrategy {
    fn from(arg: PanicArg) -> Self {
        match arg {
            PanicArg::Abort => PanicStrategy::Abort,
            PanicArg::ImmediateAbort => PanicStrategy::ImmediateAbort,
        }
    }
}

/// `--linker`, as clap parses it; the program uses [`LinkerChoice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LinkerArg {
    Auto,
    Lld,
    Zig,
    Gcc,
}

impl From<LinkerArg> for LinkerChoice {
    fn from(arg: LinkerArg) -> Self {
        match arg {
            LinkerArg::Auto => LinkerChoice::Auto,
            LinkerArg::Lld => LinkerChoice::Lld,
            LinkerArg::Zig => LinkerChoice::Zig,
            LinkerArg::Gcc => LinkerChoice::Gcc,
        }
    }
}

impl BuildOptions {
    /// The typed build options as asked on the command line.
    pub(crate) fn to_requested(&self) -> Result<RequestedOptions> {
        Ok(RequestedOptions {
            opt_level: parse_flag::<OptLevel>("--opt-level", self.opt_level.as_deref())?,
            cpu: parse_flag::<CpuName>("--cpu", self.cpu.as_deref())?,
            build_std: self.build_std,
            panic: self.panic.map(PanicStrategy::from),
            linker: self.linker.map(LinkerChoice::from),
            include: self
                .include
                .iter()
                .map(|s| s.parse::<IncludeSpec>())
                .collect::<Result<_, _>>()
                .map_err(|e| bad_flag("--include", e))?,
            no_preflight: self.no_preflight,
            no_audit_data: self.no_audit_data,
            image: self.image,
            multi_arch: self.multi_arch,
            budgets: self.budget.rules()?,
        })
    }
}
