//! Errors a user can meet, each with what to do next: the [`SlimError`] enum here,
//! what to do next in `help.rs`, the exit code in `exit.rs`, the rendering for
//! the terminal in `render.rs`.
//!
//! Code returns `anyhow::Result` and adds context as it goes; where the failure is
//! one a user can act on, the root cause is a [`SlimError`]: one variant per kind
//! of failure, whose `Display` is the message, [`SlimError::help`] what to do next
//! and [`SlimError::exit`] the process exit code. No error text is matched on
//! later: code that needs to tell failures apart matches variants.

use std::path::PathBuf;

mod exit;
mod help;
mod render;

pub(crate) use exit::Exit;
pub(crate) use render::{is_broken_pipe, render};

/// A failure the user can act on.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SlimError {
    // --- the toolchain and other programs
    #[error("cannot run `{command}`: {detail}")]
    CannotRun { command: String, detail: String },
    #[error("`{command}` failed: {stderr}")]
    ToolFailed { command: String, stderr: String },
    #[error("`{tool}` was not found")]
    ToolMissing { tool: String, install: String },
    #[error("the standard library for `{triple}` is not installed in {}", sysroot.display())]
    TargetStdMissing { triple: String, sysroot: PathBuf },
    #[error("`rustup target add {triple} --toolchain {toolchain}` failed")]
    RustupTargetAdd { triple: String, toolchain: String },
    /// rust-src is missing and could not be installed: `toolchain` is the rustup
    /// toolchain it was tried for, `None` when rustup does not manage this one.
    #[error("--build-std needs the standard library's source (rust-src), which is not in {}", sysroot.display())]
    BuildStdNeedsRustSrc {
        sysroot: PathBuf,
        toolchain: Option<String>,
    },

    // --- linkers
    #[error("{} build C code, and there is no C compiler for {triple}", crates.join(", "))]
    NoCCompiler {
        crates: Vec<String>,
        triple: String,
        install: String,
    },
    #[error("no linker found for {triple}: rust-lld is missing from the toolchain")]
    NoRustLld { triple: String },
    #[error("no linker found for {triple}")]
    NoGnuLinker { triple: String, install: String },

    // --- cargo
    #[error("cargo could not read the package:\n{stderr}")]
    CargoMetadata { stderr: String },
    #[error("cargo build failed for {label} ({status}); its messages are above")]
    CargoBuildFailed { label: String, status: String },
    #[error("cargo reported no executable for bin `{bin}` of {label}")]
    NoExecutable { bin: String, label: String },

    // --- what to build
    #[error("manifest path `{}` does not exist", path.display())]
    ManifestPathMissing { path: PathBuf },
    #[error("could not find `Cargo.toml` in `{}` or any parent directory", cwd.display())]
    NoCargoToml { cwd: PathBuf },
    #[error("package `{spec}` is not a member of this workspace")]
    NotAMember { spec: String, members: Vec<String> },
    #[error("this workspace has several packages with binaries")]
    SeveralPackages { names: Vec<String> },
    #[error("package `{package}` has no binary named `{name}`")]
    NoSuchBin {
        package: String,
        name: String,
        bins: Vec<String>,
    },
    #[error("package `{package}` has several binaries: {}", bins.join(", "))]
    SeveralBins { package: String, bins: Vec<String> },
    #[error("`{what}` has no binary target to ship as `bootstrap`")]
    NoBinary { what: String },
    #[error("cannot ship the binary of `{package}`: {reason}")]
    UnshippableBin { package: String, reason: String },
    #[error("no build of `{bin}` for {target} in {}", dir.display())]
    NotBuilt {
        bin: String,
        target: String,
        dir: PathBuf,
    },

    // --- options: the command line, [*.metadata.slim], the environment
    /// A flag's value, or a setting named like one (`[package.metadata.slim] include`).
    #[error("invalid {setting}: {reason}")]
    InvalidSetting { setting: String, reason: String },
    #[error("invalid [{place}] {key}: {reason}")]
    InvalidMetadataValue {
        place: String,
        key: String,
        reason: String,
    },
    #[error("invalid [{place}]: {reason}")]
    InvalidMetadataTable {
        place: String,
        reason: String,
        /// Every key a table may set.
        known: String,
    },
    /// `--panic immediate-abort` (flag or metadata) without `--build-std`.
    #[error("cannot build as asked: {reason}")]
    ImmediateAbortNeedsBuildStd { reason: String },
    #[error("SOURCE_DATE_EPOCH is `{value}`, not a number of seconds")]
    BadSourceDateEpoch { value: String },
    #[error("--filter `{text}` is neither a crate in this binary nor a valid regular expression: {reason}")]
    BadFilter { text: String, reason: String },

    // --- files read from disk (untrusted)
    #[error("cannot read {}: {detail}", path.display())]
    Unreadable {
        path: PathBuf,
        detail: String,
        /// What to do when the file is missing.
        if_missing: Option<String>,
    },
    #[error("{} is {kind}, not a regular file", path.display())]
    NotRegularFile { path: PathBuf, kind: &'static str },
    #[error("`{}` is {size} bytes, more than the {limit} this file may hold", path.display())]
    FileTooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("`{}` leads outside the workspace (to {})", path.display(), real.display())]
    OutsideWorkspace { path: PathBuf, real: PathBuf },
    #[error("`{}` is nested more than {depth} directories deep (a symbolic link loop?)", path.display())]
    NestedTooDeep { path: PathBuf, depth: usize },

    // --- artifacts: ELF and zip
    #[error("not an ELF file: {what}")]
    NotElf { what: String, is_zip: bool },
    #[error("malformed ELF file: {what}")]
    MalformedElf { what: String },
    #[error(
        "the ELF file has no section headers, so its library and symbol version needs cannot be read"
    )]
    NoSectionHeaders,
    #[error("cannot read the linked executable as ELF: {detail}")]
    CannotStrip { detail: String },
    #[error("cannot read the zip archive: {what}")]
    BadZip { what: String },
    #[error(
        "`{name}` in the zip inflates to more than {limit} bytes, Lambda's limit for a \
         function's unzipped code: not a deployable function package (reading stopped there)"
    )]
    ZipEntryTooLarge { name: String, limit: String },
    #[error("{} has no `bootstrap` file at its root", path.display())]
    NoBootstrapInZip { path: PathBuf },
    #[error("no bootstrap.full, size.json or bootstrap in {}", dir.display())]
    NoExecutableInDir { dir: PathBuf },

    // --- size reports and dependency graphs
    #[error("{} is not a usable cargo-slim size report: {reason}", path.display())]
    BadSizeReport { path: PathBuf, reason: String },
    #[error(
        "{} is not the size report its manifest recorded (sha256 {sha256}, recorded {recorded})",
        path.display()
    )]
    SizeReportMismatch {
        path: PathBuf,
        sha256: String,
        recorded: String,
    },
    #[error("`{krate}` is not a dependency of {package} for {target}")]
    NotADependency {
        krate: String,
        package: String,
        target: String,
    },

    // --- packaging
    #[error(
        "the included files add up to {total} bytes, more than the {limit} Lambda allows \
         for a whole unzipped function"
    )]
    IncludesTooLarge { total: u64, limit: u64 },
    #[error("two included files are both named `{name}` in the zip (from `{}`)", specs.join("` and `"))]
    DuplicateZipName { name: String, specs: Vec<String> },
    #[error(
        "include `{file_spec}` makes `{file}` a file in the zip, and include `{dir_spec}` \
         puts `{under}` under it as if it were a directory: unzip cannot extract that"
    )]
    FileDirClash {
        file_spec: String,
        file: String,
        dir_spec: String,
        under: String,
    },
    #[error("`{name}` in `{}` cannot be a name in function.zip (not UTF-8, or a control character)", dir.display())]
    BadZipName { name: String, dir: PathBuf },
    #[error("cannot write to the output directory {}: {detail}", dir.display())]
    OutputDirUnwritable {
        dir: PathBuf,
        detail: String,
        /// A file standing where a directory of the path should be.
        blocker: Option<PathBuf>,
    },

    // --- container images (--image)
    #[error(
        "--image builds FROM scratch, so it needs a static (musl) bootstrap; {target} links \
         glibc dynamically and would need the Amazon Linux base image, which cargo-slim does \
         not fetch"
    )]
    ImageNeedsMusl { target: String, arch: String },
    #[error("cannot write the image: {} is in the way and is not an image cargo-slim wrote", blocker.display())]
    ImageOutputInTheWay { blocker: PathBuf },
    #[error("`{path}` cannot be stored in the image layer: {detail}")]
    ImagePathTooLong { path: String, detail: String },
    // --- run and bench
    #[error("cannot read {origin}: {detail}")]
    EventUnreadable { origin: String, detail: String },
    #[error("{origin} is not valid JSON: {detail}")]
    EventNotJson { origin: String, detail: String },
    #[error("{origin} is over Lambda's 6 MB request payload limit ({limit} bytes)")]
    EventTooLarge { origin: String, limit: usize },
    #[error("no sample event named `{name}`")]
    NoSuchSample { name: String, known: String },
    #[error("{} does not exist", path.display())]
    NothingAt { path: PathBuf },
    #[error("no function.zip or bootstrap in {}", dir.display())]
    NothingToRun { dir: PathBuf },
    #[error(
        "this bootstrap is for {arch} and this machine is {host}: running it needs {qemu}, \
         which was not found"
    )]
    QemuMissing {
        arch: String,
        host: String,
        qemu: String,
        install: String,
    },
    #[error("{variable}={value} is not an executable")]
    QemuNotExecutable {
        variable: String,
        value: String,
        install: String,
    },
    #[error("this runs one target at a time, and {} are selected ({})", targets.len(), targets.join(", "))]
    SeveralTargets { targets: Vec<String> },
    #[error(
        "{flag} asks for CPU features beyond the baseline {baseline}: {features}; on a CPU \
         of the baseline ({describes}) they stop the function with SIGILL"
    )]
    CpuFlagAboveBaseline {
        /// `<target>: \`-mavx2\` (CFLAGS_…)`.
        flag: String,
        /// Where the flag was set: `CFLAGS_…`, `RUSTFLAGS`, `--cpu`, …
        origin: String,
        features: String,
        baseline: String,
        describes: String,
    },
    #[error("the preflight refused the {target} bootstrap: it would not start on Lambda")]
    PreflightRefused { target: String },
    #[error("cannot set up the local Lambda runtime: {detail}")]
    LocalRuntime { detail: String },
    #[error("{count} invocation(s) failed ({}): the figures leave them out", kinds.join(", "))]
    InvocationsFailed { count: usize, kinds: Vec<String> },
    #[error(
        "the function takes one invocation at a time: with AWS_LAMBDA_MAX_CONCURRENCY={concurrency} \
         it never had a second GET /runtime/invocation/next outstanding within {grace_s} s of its \
         first, so Lambda Managed Instances would queue its invocations behind each other"
    )]
    NotConcurrent { concurrency: usize, grace_s: u64 },
    #[error("interrupted by {signal}")]
    Interrupted { signal: String },

    // --- the manifest (untrusted)
    #[error("cannot read {}: no such file", path.display())]
    ManifestMissing { path: PathBuf },
    #[error("{detail}")]
    ManifestUnreadable { detail: String },
    #[error("{} is not valid JSON: {detail}", path.display())]
    ManifestNotJson { path: PathBuf, detail: String },
    #[error("{}: `schema` is {found}; this cargo-slim reads schema {expected}", path.display())]
    ManifestSchema {
        path: PathBuf,
        found: String,
        expected: u32,
    },
    #[error("{}: {field} is refused: {reason}", path.display())]
    ManifestField {
        path: PathBuf,
        field: String,
        reason: String,
    },

    // --- the dependency list, SBOM and provenance
    #[error("cannot list the crates linked for {triple}: {detail}")]
    LinkedCrates { triple: String, detail: String },
    #[error("{} is not a valid Cargo.lock: {detail}", path.display())]
    BadLockfile { path: PathBuf, detail: String },
    #[error("the dependency list cannot be written or read: {detail}")]
    BadDependencyList { detail: String },

    // --- new function crates (`cargo slim new` / `init`)
    #[error("`{name}` is not a valid crate name: {reason}")]
    BadCrateName { name: String, reason: String },
    #[error("destination `{}` already exists", path.display())]
    DestinationExists { path: PathBuf },
    #[error("`{}` is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    #[error("{} already has {}; cargo slim never overwrites a file", dir.display(), files.join(", "))]
    WouldOverwrite { dir: PathBuf, files: Vec<String> },
    /// A directory the new crate needs is in the way: a file, or a symbolic link
    /// (which would make it write outside the crate).
    #[error("cannot create the crate in {}: `{path}` {reason}", dir.display())]
    ScaffoldBlocked {
        dir: PathBuf,
        path: String,
        reason: String,
    },
    #[error("`{value}` is not a Rust release number like 1.95.0")]
    BadToolchainRelease { value: String },
    #[error("cannot find an installed stable Rust toolchain to pin")]
    NoStableToolchain,

    // --- generated deployment and CI files (`cargo slim generate`)
    #[error("invalid {place}: {reason}")]
    InvalidDeploySetting {
        place: String,
        reason: String,
        help: String,
    },
    #[error("{what} `{value}` cannot go into a generated file: it must be {grammar}")]
    UnsafeForGenerated {
        what: String,
        value: String,
        grammar: String,
        /// A path of the workspace rather than a manifest value.
        is_path: bool,
    },
    #[error("{}: {reason}", path.display())]
    BuildDoesNotMatch { path: PathBuf, reason: String },
    #[error("no build to describe: no slim-manifest.json under {}", dir.display())]
    NothingBuilt { dir: PathBuf },
    #[error(
        "the build output {} is outside the workspace {}: the generated files refer to \
         the zip by a path relative to it",
        dir.display(),
        workspace.display()
    )]
    BuildOutsideWorkspace { dir: PathBuf, workspace: PathBuf },
    #[error("two functions would both be called `{name}` in the generated files")]
    DuplicateFunctionName { name: String },
    #[error("not overwritten, changed since generated: {}", files.join(", "))]
    GeneratedFileChanged { files: Vec<String> },

    // --- reproducibility
    #[error(
        "Cargo.lock is out of date with Cargo.toml, so the recorded build cannot be \
         reproduced (verify always builds with --locked):\n{detail}"
    )]
    LockfileOutdated { detail: String },
    #[error(
        "{}no Cargo.lock {missing}, so the dependency versions are not pinned and the build \
         cannot be reproduced",
        target.as_ref().map(|t| format!("{t}: ")).unwrap_or_default()
    )]
    NoLockfile {
        target: Option<String>,
        /// `in <dir>`, or `was recorded`.
        missing: String,
    },
}
