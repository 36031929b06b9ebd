//! Options of `cargo slim check`.

use std::path::PathBuf;

use clap::Args;

use crate::model::cpu_baseline::DeclaredBaseline;
use crate::model::target::{Arch, Runtime};

/// Options of `cargo slim check`.
#[derive(Debug, Args, Clone)]
pub(crate) struct CheckArgs {
    /// The ELF file or function.zip to check.
    pub path: PathBuf,
    /// Lambda runtime the function must start on: provided.al2023 (glibc 2.34) or
    /// provided.al2 (glibc 2.26) [default: provided.al2023]
    #[arg(long, value_name = "RUNTIME")]
    pub runtime: Option<Runtime>,
    /// The function's architecture: arm64 or x86_64 [default: accept either].
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<Arch>,
    /// The oldest CPU the function may run on, for the `cpu` check: neoverse-n1,
    /// neoverse-v1, neoverse-v2 (arm64), x86-64, x86-64-v2, x86-64-v3, x86-64-v4
    /// [default: Lambda's: neoverse-n1 (Graviton2) for arm64, x86-64-v2 for x86_64].
    #[arg(long, value_name = "CPU")]
    pub cpu_baseline: Option<DeclaredBaseline>,
}
