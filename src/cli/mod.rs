//! The command line: `cargo slim <command> …`. Shared option groups live here; each
//! command's own options live beside the command's code.

pub mod generate;
pub mod new;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::include::IncludeSpec;
use crate::model::options::{
    BinName, CpuName, FeatureName, Features, LinkerChoice, OptLevel, PanicStrategy,
    RequestedOptions, Selection,
};
use crate::model::target::{Arch, Libc, Runtime, Target};
use crate::ui::{Color, Format, Ui};
use crate::util::error::SlimError;

pub mod bench;
pub mod run;

pub use bench::BenchArgs;
pub use run::{EventArgs, FunctionArgs, RunArgs};

const AFTER_HELP: &str = "\
Exit status: 0 success; 1 a check failed (preflight, verify, size budget); 2 error.

Typical use:
  cargo slim build --arch arm64        build, check and package for Graviton
  cargo slim size --crates             where the bytes of that build went
  cargo slim verify --artifact-only    check function.zip against its manifest
  cargo slim new my-fn --template http a new function crate
  cargo slim generate --all            SAM, Terraform and CI files from the build";

/// Build, audit and package the smallest reproducible AWS Lambda `bootstrap`.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-slim",
    bin_name = "cargo slim",
    version,
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Cross-compile a function with the slim profile, check it, strip it and
    /// package function.zip with a sha256 manifest.
    Build(BuildArgs),
    /// Show where the bytes of a build go: sections, crates and symbols.
    Size(SizeArgs),
    /// Rebuild and prove the artifact is byte-identical to its manifest, or just
    /// check function.zip against it (--artifact-only).
    Verify(VerifyArgs),
    /// Check that an ELF (or a function.zip) can start on a Lambda runtime.
    Check(CheckArgs),
    /// Run the shipped bootstrap under a local Lambda runtime (Runtime API,
    /// environment, memory and CPU limits) and print its response.
    Run(RunArgs),
    /// Measure cold starts, warm latency and memory of a build, or compare builds.
    Bench(BenchArgs),
    /// Create a new function crate from a template: `cargo slim new NAME`.
    New(new::NewArgs),
    /// Create a function crate in an existing directory.
    Init(new::InitArgs),
    /// Write a SAM template, Terraform and a GitHub Actions workflow from the
    /// last build's manifests.
    Generate(generate::GenerateArgs),
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Say more: the linker choice, the exact cargo command (-vv: cargo's own -v).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Say nothing but errors and the result.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Coloring: auto, always, never (passed on to cargo).
    #[arg(long, value_name = "WHEN", global = true, default_value = "auto")]
    pub color: ColorChoice,
    /// `human` tables on stderr/stdout, one `json` document on stdout, or (size)
    /// `markdown` for a pull-request comment.
    #[arg(long, value_name = "FMT", global = true, default_value = "human")]
    pub message_format: MessageFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl GlobalArgs {
    /// What the user sees, as these options ask.
    pub fn ui(&self) -> Ui {
        let color = match self.color {
            ColorChoice::Auto => Color::Auto,
            ColorChoice::Always => Color::Always,
            ColorChoice::Never => Color::Never,
        };
        let format = match self.message_format {
            MessageFormat::Human => Format::Human,
            MessageFormat::Json => Format::Json,
            MessageFormat::Markdown => Format::Markdown,
        };
        Ui::new(self.verbose, self.quiet, format, color)
    }
}

/// Options of `cargo slim check`.
#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// The ELF file or function.zip to check.
    pub path: PathBuf,
    /// Lambda runtime the function must start on: provided.al2023 (glibc 2.34) or
    /// provided.al2 (glibc 2.26) [default: provided.al2023]
    #[arg(long, value_name = "RUNTIME")]
    pub runtime: Option<Runtime>,
    /// The function's architecture: arm64 or x86_64 [default: accept either].
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<Arch>,
}

/// Options of `cargo slim verify`.
#[derive(Debug, Args, Clone)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Do not rebuild: only check function.zip, bootstrap and function.zip.sha256
    /// against the manifest (the fast check for a deploy step).
    #[arg(long)]
    pub artifact_only: bool,
    /// Verify against this manifest (e.g. one published with a release) instead of
    /// the one beside the build output; its target is the one verified.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// Keep the rebuild's temporary target directory, to compare with diffoscope.
    #[arg(long)]
    pub keep: bool,
}

impl VerifyArgs {
    /// The typed request.
    pub fn to_request(&self) -> Result<crate::commands::verify::VerifyRequest> {
        Ok(crate::commands::verify::VerifyRequest {
            selection: self.select.to_selection()?,
            artifact_only: self.artifact_only,
            manifest: self.manifest.clone(),
            keep: self.keep,
        })
    }
}

const SIZE_AFTER_HELP: &str = "\
Views: the sections view is the default; --crates and --symbols add theirs (any
combination). With --diff every view is shown unless some are picked.

How crates are counted: each function and data symbol is demangled (Rust legacy
and v0 manglings) and charged to the first crate its name mentions that is not
part of the standard library, reading left to right; names that mention only
standard-library crates count as `std`. So a generic instantiation such as
`core::ptr::drop_in_place::<tokio::Runtime>` counts for tokio: `cargo slim build`
mangles v0, whose names carry every type argument (unless your RUSTFLAGS or
cargo config choose a mangling). The standard library is std, core, alloc,
compiler_builtins, … and std's private dependencies (addr2line, gimli,
hashbrown, memchr, miniz_oxide, rustc_demangle, …) unless your dependency
graph (the shipped bootstrap's .dep-v0 list) has a crate of that name;
--split-std shows them all apart. Symbols without Rust mangling (C library, C
code) form `[non-rust]`; bytes no symbol covers form `[unattributed]`, so the
rows add up exactly to the sections covered. Details and the JSON fields:
docs/size.md.";

/// Options of `cargo slim size`.
#[derive(Debug, Args, Clone)]
#[command(after_help = SIZE_AFTER_HELP)]
pub struct SizeArgs {
    /// An ELF file (or a function.zip) to analyse [default: the last build's
    /// bootstrap.full as it is, building first only when there is none].
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub select: SelectArgs,

    /// Show the sections view (the default when no view is picked).
    #[arg(long, help_heading = "Views")]
    pub sections: bool,
    /// Show bytes per crate (rule below).
    #[arg(long, help_heading = "Views")]
    pub crates: bool,
    /// Show the largest symbols.
    #[arg(long, help_heading = "Views")]
    pub symbols: bool,
    /// Compare with an older build: an ELF file, a function.zip, a size.json, a
    /// build directory or its slim-manifest.json.
    #[arg(long, value_name = "OLD", help_heading = "Views")]
    pub diff: Option<PathBuf>,

    /// Rows to show in the symbol and crate tables (0: all).
    #[arg(
        short = 'n',
        value_name = "N",
        default_value_t = 20,
        help_heading = "Rows"
    )]
    pub n: usize,
    /// Only symbols of this crate, or whose demangled name matches this regex.
    #[arg(long, value_name = "CRATE|REGEX", help_heading = "Rows")]
    pub filter: Option<String>,
    /// Show core, alloc, std's private dependencies (gimli, …) and the other
    /// standard-library crates apart from std.
    #[arg(long, help_heading = "Rows")]
    pub split_std: bool,
    /// Only count these sections in the crate and symbol views (e.g. .text, to
    /// compare with cargo-bloat) [default: every section with symbols].
    #[arg(
        long = "section",
        value_name = "NAME",
        value_delimiter = ',',
        help_heading = "Rows"
    )]
    pub only_sections: Vec<String>,
    /// Print symbol names in full instead of shortening nested generics.
    #[arg(long, help_heading = "Output")]
    pub full_names: bool,
    /// Do not fit tables to the terminal width.
    #[arg(long, help_heading = "Output")]
    pub wide: bool,

    #[command(flatten)]
    pub budget: BudgetArgs,
    /// How CRATE got into the function: every dependency path from the package
    /// to it for the target, the features that enable each edge, and its bytes.
    #[arg(
        long,
        value_name = "CRATE",
        help_heading = "Views",
        conflicts_with = "diff"
    )]
    pub why: Option<String>,
}

impl SizeArgs {
    /// The typed request.
    pub fn to_request(&self) -> Result<crate::commands::size::SizeRequest> {
        Ok(crate::commands::size::SizeRequest {
            path: self.path.clone(),
            selection: self.select.to_selection()?,
            budgets: self.budget.rules()?,
            why: self.why.clone(),
            view: crate::size::View {
                sections: self.sections,
                crates: self.crates,
                symbols: self.symbols,
                diff: self.diff.clone(),
                n: self.n,
                filter: self.filter.clone(),
                split_std: self.split_std,
                only_sections: self.only_sections.clone(),
                full_names: self.full_names,
                wide: self.wide,
            },
        })
    }
}

/// Which package, binary and targets: shared by `build`, `size` and `verify`.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectArgs {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH", help_heading = "Package selection")]
    pub manifest_path: Option<PathBuf>,
    /// Package to build (in a workspace).
    #[arg(short, long, value_name = "SPEC", help_heading = "Package selection")]
    pub package: Option<String>,
    /// Binary to build, when the package has several.
    #[arg(long, value_name = "NAME", help_heading = "Package selection")]
    pub bin: Option<String>,

    /// Lambda architecture(s): arm64, x86_64 (repeat or comma-separate for both)
    /// [default: x86_64, as Lambda's own default, or [package.metadata.slim] arch]
    #[arg(
        long,
        value_name = "ARCH",
        value_delimiter = ',',
        help_heading = "Target"
    )]
    pub arch: Vec<Arch>,
    /// C library: musl (static, runs everywhere) or gnu (dynamic, glibc pinned to
    /// the runtime's) [default: musl]
    #[arg(long, value_name = "LIBC", help_heading = "Target")]
    pub libc: Option<Libc>,
    /// Explicit target triple(s); overrides --arch/--libc.
    #[arg(
        long,
        value_name = "TRIPLE",
        value_delimiter = ',',
        help_heading = "Target"
    )]
    pub target: Vec<String>,
    /// Lambda runtime the function must start on: provided.al2023 (glibc 2.34) or
    /// provided.al2 (glibc 2.26) [default: provided.al2023]
    #[arg(long, value_name = "RUNTIME", help_heading = "Target")]
    pub runtime: Option<Runtime>,

    /// Space or comma separated list of features to activate.
    #[arg(
        short = 'F',
        long,
        value_name = "FEATURES",
        help_heading = "Feature selection"
    )]
    pub features: Vec<String>,
    /// Activate all available features.
    #[arg(long, help_heading = "Feature selection")]
    pub all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long, help_heading = "Feature selection")]
    pub no_default_features: bool,

    /// Directory for all generated artifacts [default: cargo's target directory].
    #[arg(long, value_name = "DIR", help_heading = "Manifest options")]
    pub target_dir: Option<PathBuf>,
    /// Require Cargo.lock to be up to date.
    #[arg(long, help_heading = "Manifest options")]
    pub locked: bool,
    /// Require Cargo.lock and the cache to be up to date.
    #[arg(long, help_heading = "Manifest options")]
    pub frozen: bool,
    /// Run without accessing the network.
    #[arg(long, help_heading = "Manifest options")]
    pub offline: bool,
}

/// Options of `cargo slim build` (also recorded in the manifest for `verify`).
#[derive(Debug, Args, Clone, Default)]
pub struct BuildArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub opts: BuildOptions,
}

#[derive(Debug, Args, Clone, Default)]
pub struct BuildOptions {
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

/// `--budget`, shared by `build` and `size`.
#[derive(Debug, Args, Clone, Default)]
pub struct BudgetArgs {
    /// Size budget, as [TARGET:]bootstrap=SIZE or [TARGET:]zip=SIZE (a bare SIZE is
    /// the bootstrap's); units B, KB, KiB, MB, MiB; TARGET is arm64, x86_64 or a
    /// triple. Over budget: exit 1. Repeatable; wins over [package.metadata.slim] budget.
    #[arg(
        long,
        value_name = "BUDGET",
        value_delimiter = ',',
        help_heading = "Budget"
    )]
    pub budget: Vec<String>,
}

impl BudgetArgs {
    /// The typed rules; a bad value is an input error naming `--budget`.
    pub fn rules(&self) -> Result<Vec<crate::model::budget::BudgetRule>> {
        crate::model::budget::parse_flags(&self.budget)
    }
}

/// `--panic`, as clap parses it; the program uses [`PanicStrategy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PanicArg {
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
pub enum LinkerArg {
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

/// A value of `flag` that does not parse: exit 2, the flag named.
fn bad_flag(flag: &str, err: impl std::fmt::Display) -> anyhow::Error {
    SlimError::InvalidSetting {
        setting: flag.into(),
        reason: err.to_string(),
    }
    .into()
}

/// An optional flag's value through its type's `FromStr`.
fn parse_flag<T: std::str::FromStr>(flag: &str, value: Option<&str>) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    value
        .map(str::parse::<T>)
        .transpose()
        .map_err(|e| bad_flag(flag, e))
}

impl SelectArgs {
    /// The typed selection: every name checked before it can become a cargo
    /// argument or a path.
    pub fn to_selection(&self) -> Result<Selection> {
        let bin = parse_flag::<BinName>("--bin", self.bin.as_deref())?;
        let targets = self
            .target
            .iter()
            .map(|t| Target::from_triple(t).map_err(|e| bad_flag("--target", e)))
            .collect::<Result<_>>()?;
        let list =
            FeatureName::parse_list(&self.features).map_err(|e| bad_flag("--features", e))?;
        Ok(Selection {
            manifest_path: self.manifest_path.clone(),
            package: self.package.clone(),
            bin,
            arch: self.arch.clone(),
            libc: self.libc,
            targets,
            runtime: self.runtime,
            features: Features {
                list,
                all: self.all_features,
                no_default: self.no_default_features,
            },
            target_dir: self.target_dir.clone(),
            locked: self.locked,
            frozen: self.frozen,
            offline: self.offline,
        })
    }
}

impl BuildOptions {
    /// The typed build options as asked on the command line.
    pub fn to_requested(&self) -> Result<RequestedOptions> {
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

/// Parse the process arguments, accepting both `cargo slim …` (cargo passes `slim`
/// as the first argument) and `cargo-slim …`.
pub fn parse_from_env() -> Cli {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "slim") {
        args.remove(1);
    }
    Cli::parse_from(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn arch_accepts_lists() {
        let cli = Cli::try_parse_from(["cargo-slim", "build", "--arch", "arm64,x86_64"]).unwrap();
        let Command::Build(b) = cli.command else {
            panic!("not build")
        };
        assert_eq!(b.select.arch, vec![Arch::Arm64, Arch::X86_64]);
    }
}
