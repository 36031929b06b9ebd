//! Errors a user can meet, each with what to do next.
//!
//! Code returns `anyhow::Result` and adds context as it goes; where the failure is
//! one a user can act on, the root cause is a [`SlimError`]: one variant per kind
//! of failure, whose `Display` is the message, [`SlimError::help`] what to do next
//! and [`SlimError::exit`] the process exit code. No error text is matched on
//! later: code that needs to tell failures apart matches variants.

use std::path::PathBuf;

/// The process exit codes, as documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done and every check passed.
    Success = 0,
    /// The command ran, but what it checked failed: a preflight check, a
    /// reproducibility verification, a size budget.
    CheckFailed = 1,
    /// The command could not do its job: bad input, missing tool, build failure.
    Error = 2,
}

const RUSTUP: &str = "install Rust with rustup (https://rustup.rs) or set RUSTC/CARGO";
const RECORD: &str = "the manifest was edited or damaged: use the slim-manifest.json that \
                      `cargo slim build` wrote, or build again";

/// A failure the user can act on.
#[derive(Debug, thiserror::Error)]
pub enum SlimError {
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
    InvalidMetadataTable { place: String, reason: String },
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
    #[error("the preflight refused the {target} bootstrap: it would not start on Lambda")]
    PreflightRefused { target: String },
    #[error("cannot set up the local Lambda runtime: {detail}")]
    LocalRuntime { detail: String },
    #[error("{count} invocation(s) failed ({}): the figures leave them out", kinds.join(", "))]
    InvocationsFailed { count: usize, kinds: Vec<String> },
    #[error("interrupted")]
    Interrupted,

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

impl SlimError {
    /// What to do next, printed as `help:` under the message.
    pub fn help(&self) -> Option<String> {
        use SlimError::*;
        let text = match self {
            CannotRun { .. } => RUSTUP.into(),
            ToolMissing { install, .. } => install.clone(),
            TargetStdMissing { triple, .. } => format!(
                "with rustup: `rustup target add {triple}`; otherwise install your \
                 distribution's rust-std package for {triple}, or use --build-std"
            ),
            RustupTargetAdd { .. } => {
                "check your network connection and retry, or install the target by hand".into()
            }
            BuildStdNeedsRustSrc {
                toolchain: Some(name),
                ..
            } => format!(
                "`rustup component add rust-src --toolchain {name}` failed: check your network \
                 connection and retry, or install it by hand"
            ),
            BuildStdNeedsRustSrc {
                toolchain: None, ..
            } => "this toolchain is not managed by rustup: install its source package (on \
                 Debian, rust-src or rust-web-src), or use a rustup toolchain"
                .into(),
            ImmediateAbortNeedsBuildStd { .. } => {
                "add --build-std (or `build-std = true` in [package.metadata.slim])".into()
            }
            NoCCompiler { install, .. } => install.clone(),
            NoRustLld { .. } => "reinstall the toolchain with rustup, or install zig: pip \
                                 install ziglang cargo-zigbuild"
                .into(),
            NoGnuLinker { install, .. } => install.clone(),
            ManifestPathMissing { .. } => "pass the path of a Cargo.toml to --manifest-path".into(),
            NoCargoToml { .. } => {
                "run cargo slim inside a function crate, or pass --manifest-path".into()
            }
            NotAMember { members, .. } => format!("members: {}", members.join(", ")),
            SeveralPackages { names } => format!("choose one with -p: {}", names.join(", ")),
            NoSuchBin { bins, .. } if bins.is_empty() => {
                "it has no binaries at all: add src/main.rs or a [[bin]] target".into()
            }
            NoSuchBin { bins, .. } => format!("its binaries: {}", bins.join(", ")),
            SeveralBins { bins, .. } => format!(
                "choose the one to ship as bootstrap with --bin {}",
                bins.first().map_or("NAME", String::as_str)
            ),
            NoBinary { .. } => "a Lambda function is an executable: add src/main.rs (or a \
                                [[bin]] section)"
                .into(),
            UnshippableBin { .. } => "rename the [[bin]] target".into(),
            NotBuilt { .. } | ManifestMissing { .. } => "run `cargo slim build` first".into(),
            InvalidMetadataTable { .. } => "known keys: arch, libc, target, runtime, opt-level, \
                                            cpu, build-std, panic, linker, include, \
                                            preflight, audit-data, budget, deploy, image, \
                                            memory, timeout"
                .into(),
            BadSourceDateEpoch { .. } => {
                "set it to e.g. $(git log -1 --format=%ct), or unset it".into()
            }
            Unreadable { if_missing, .. } => return if_missing.clone(),
            NotRegularFile { .. } => "point at the file itself: cargo-slim reads only regular \
                                      files (no FIFO, device, socket or directory)"
                .into(),
            OutsideWorkspace { .. } => {
                "only files inside the workspace can be included or checked".into()
            }
            NotElf { is_zip: true, .. } => "pass the zip itself to `cargo slim size` or `cargo \
                                            slim check`, or the bootstrap next to it"
                .into(),
            NotElf { .. } => "pass a Linux executable (ELF) such as bootstrap or \
                              bootstrap.full, or a function.zip"
                .into(),
            MalformedElf { .. } => "the file is damaged or truncated; rebuild it, or point at \
                                    the built executable"
                .into(),
            NoSectionHeaders => {
                "check the executable before removing its section headers (sstrip)".into()
            }
            BadZip { .. } => "the file is damaged or not a zip; rebuild function.zip (`cargo \
                              slim build`)"
                .into(),
            ZipEntryTooLarge { .. } => "build with `cargo slim build` (size profile, stripped) \
                                        and see `cargo slim size`"
                .into(),
            NoBootstrapInZip { .. } => {
                "a Lambda function.zip for an OS-only runtime holds `bootstrap`".into()
            }
            NoExecutableInDir { .. } => "--diff takes an ELF file, a function.zip, a size.json, \
                                         or a `cargo slim build` output directory or its \
                                         slim-manifest.json"
                .into(),
            BadSizeReport { .. } => {
                "pass the size.json a `cargo slim build` wrote, or rebuild the base".into()
            }
            SizeReportMismatch { .. } => {
                "the directory mixes files of two builds: rebuild the base".into()
            }
            NotADependency { .. } => "`cargo tree --target <triple>` lists what is; names are \
                                      those of Cargo.toml"
                .into(),
            IncludesTooLarge { .. } => "ship large files another way (a layer, S3)".into(),
            DuplicateZipName { .. } | FileDirClash { .. } => {
                "give one of them another name with --include PATH:NAME".into()
            }
            OutputDirUnwritable {
                blocker: Some(file),
                ..
            } => format!(
                "{} is a file where a directory is needed; move it away, or choose another \
                 directory with --target-dir",
                file.display()
            ),
            OutputDirUnwritable { .. } => {
                "make it writable, or choose another with --target-dir".into()
            }
            ImageNeedsMusl { arch, .. } => format!(
                "build the image with `--libc musl` (--arch {arch}), or deploy the gnu build \
                 as function.zip"
            ),
            ImageOutputInTheWay { .. } => {
                "move it away, or choose another output with --target-dir".into()
            }
            ImagePathTooLong { .. } => "image paths are limited to 255 bytes: give the \
                                        --include file a shorter NAME"
                .into(),
            ManifestUnreadable { .. } => "give the path of a slim-manifest.json as `cargo slim \
                                          build` writes it (a regular file of at most 16 MiB)"
                .into(),
            ManifestNotJson { .. } | ManifestField { .. } => RECORD.into(),
            ManifestSchema { .. } => "rebuild with this version of cargo-slim".into(),
            LinkedCrates { triple, .. } => format!(
                "run `cargo metadata --filter-platform {triple}` in the package to see why; \
                 add --offline when the registry cannot be reached"
            ),
            BadLockfile { .. } => "regenerate it with `cargo generate-lockfile`".into(),
            BadDependencyList { .. } => "this is a cargo-slim bug: please report it with the \
                                         output of `cargo metadata`; --no-audit-data leaves \
                                         the list out of bootstrap"
                .into(),
            LockfileOutdated { .. } => {
                "commit an up-to-date Cargo.lock (`cargo update -w`), build, then verify".into()
            }
            NoLockfile { .. } => {
                "run `cargo generate-lockfile`, commit Cargo.lock, and build again".into()
            }
            EventUnreadable { .. } => "--event takes a JSON file, or `-` for stdin; --sample \
                                       NAME gives a built-in one"
                .into(),
            EventNotJson { .. } => {
                "a Lambda event is one JSON document; try --sample NAME for an example".into()
            }
            EventTooLarge { .. } => "Lambda rejects such an invocation (RequestEntityTooLarge); \
                                     pass large data by reference, e.g. an S3 key"
                .into(),
            NoSuchSample { known, .. } => format!("samples: {known}"),
            NothingAt { .. } => "pass a function.zip, a `cargo slim build` output directory, \
                                 its slim-manifest.json, or a bootstrap"
                .into(),
            NothingToRun { .. } => {
                "build it first with `cargo slim build`, or pass the zip or bootstrap itself".into()
            }
            QemuMissing { install, .. } | QemuNotExecutable { install, .. } => install.clone(),
            SeveralTargets { .. } => "pick one with --arch or --target".into(),
            PreflightRefused { .. } => "see `cargo slim check` for the details".into(),
            InvocationsFailed { .. } => {
                "run one invocation with `cargo slim run` to see why".into()
            }
            BadCrateName { .. } => "use ASCII letters, digits, `-` and `_`, starting with a \
                                    letter, e.g. `my-function` (init: pass one with --name)"
                .into(),
            DestinationExists { path } => format!(
                "use `cargo slim init {}` to add a function crate to an existing directory",
                path.display()
            ),
            NotADirectory { .. } => "create it first, or use `cargo slim new NAME`".into(),
            WouldOverwrite { .. } => {
                "use an empty directory, or move those files away first".into()
            }
            BadToolchainRelease { .. } => {
                "pass the exact stable release to pin, e.g. --toolchain 1.95.0".into()
            }
            NoStableToolchain => "install one (`rustup toolchain install stable`) or pass \
                                  --toolchain 1.95.0"
                .into(),
            InvalidDeploySetting { help, .. } => help.clone(),
            UnsafeForGenerated { is_path: true, .. } => "keep the workspace and its target \
                                                         directory on such paths (or pass \
                                                         --target-dir), then generate again"
                .into(),
            UnsafeForGenerated { .. } | BuildDoesNotMatch { .. } => {
                "rebuild with `cargo slim build`, then generate again".into()
            }
            NothingBuilt { .. } => {
                "run `cargo slim build` first: the generated files describe what was built".into()
            }
            BuildOutsideWorkspace { .. } => "build with the default target directory (or a \
                                             --target-dir inside the workspace), then \
                                             generate again"
                .into(),
            DuplicateFunctionName { .. } => "generate for one package at a time (-p) or give \
                                             the binaries distinct names"
                .into(),
            GeneratedFileChanged { .. } => {
                "keep your version, or pass --force to replace it with the generated one".into()
            }
            ToolFailed { .. }
            | LocalRuntime { .. }
            | Interrupted
            | CargoMetadata { .. }
            | CargoBuildFailed { .. }
            | NoExecutable { .. }
            | InvalidSetting { .. }
            | InvalidMetadataValue { .. }
            | BadFilter { .. }
            | FileTooLarge { .. }
            | NestedTooDeep { .. }
            | CannotStrip { .. }
            | BadZipName { .. } => return None,
        };
        Some(text)
    }

    /// The exit code this failure ends the process with: 2, a failure to do the
    /// job, but for the outcomes that stop a command after a check said no or the
    /// function under test failed (1).
    pub fn exit(&self) -> Exit {
        match self {
            SlimError::PreflightRefused { .. } | SlimError::InvocationsFailed { .. } => {
                Exit::CheckFailed
            }
            _ => Exit::Error,
        }
    }
}

/// True when an error chain ends in a broken pipe: `cargo slim size | head` closing
/// early is not a failure worth reporting.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Render an error chain for the terminal: `error: outer`, then each cause on a
/// `caused by:` line, then the help of the first [`SlimError`] in the chain.
pub fn render(err: &anyhow::Error) -> (String, Exit) {
    let mut out = format!("error: {err}");
    let mut last = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        // anyhow's context often repeats the cause verbatim; say each thing once.
        if !last.contains(&text) {
            out.push_str(&format!("\n  caused by: {text}"));
        }
        last = text;
    }
    let slim = err.chain().find_map(|c| c.downcast_ref::<SlimError>());
    if let Some(help) = slim.and_then(SlimError::help) {
        out.push_str(&format!("\n  help: {help}"));
    }
    let exit = slim.map_or(Exit::Error, SlimError::exit);
    (out, exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_with_cause_and_help_once() {
        let err = anyhow::Error::new(SlimError::NotBuilt {
            bin: "f".into(),
            target: "x86_64-unknown-linux-musl".into(),
            dir: "/t".into(),
        })
        .context("cannot verify");
        let (text, exit) = render(&err);
        assert_eq!(
            text,
            "error: cannot verify\n  caused by: no build of `f` for x86_64-unknown-linux-musl \
             in /t\n  help: run `cargo slim build` first"
        );
        assert_eq!(exit, Exit::Error);
    }
}
