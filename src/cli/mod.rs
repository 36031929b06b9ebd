//! The command line: `cargo slim <command> …`. One file per command's options
//! (`build.rs`, `size.rs`, …) and per option group they share (`global.rs`,
//! `select.rs`, `budget.rs`); each is turned at once into the typed options of
//! model/ or the command's request.

pub(crate) mod bench;
mod budget;
mod build;
mod check;
mod flag;
pub(crate) mod generate;
mod global;
pub(crate) mod new;
pub(crate) mod run;
mod select;
mod settings;
mod size;
mod verify;

use clap::{Parser, Subcommand};

use bench::BenchArgs;
use build::BuildArgs;
use check::CheckArgs;
use global::GlobalArgs;
use run::RunArgs;
use size::SizeArgs;
use verify::VerifyArgs;

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
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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

/// Parse the process arguments, accepting both `cargo slim …` (cargo passes `slim`
/// as the first argument) and `cargo-slim …`. A value its type refuses is the
/// error every option value gets (`invalid --arch: …`, as a settings table
/// value's and a metadata value's), printed by `main_entry` with the others;
/// clap's own errors (an unknown flag, a missing value) and `--help` end here.
pub(crate) fn parse_from_env() -> anyhow::Result<Cli> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "slim") {
        args.remove(1);
    }
    Cli::try_parse_from(args).or_else(|e| match flag::invalid_value(&e) {
        Some(err) => Err(err),
        None => e.exit(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::target::Arch;
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
