//! What to do next after each failure: the `help:` line under the message.

use super::SlimError;

const RUSTUP: &str = "install Rust with rustup (https://rustup.rs) or set RUSTC/CARGO";
const RECORD: &str = "the manifest was edited or damaged: use the slim-manifest.json that \
                      `cargo slim build` wrote, or build again";

/// Whether a command line runs rustc, cargo or rustup (their absence is a
/// toolchain to install).
fn is_rust_tool(command: &str) -> bool {
    let program = command.split(' ').next().unwrap_or("");
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(name, "rustc" | "cargo" | "rustup" | "cargo-zigbuild")
}

impl SlimError {
    /// What to do next, printed as `help:` under the message.
    //
    // Long on purpose: one arm per variant, a table looked up by variant. Split
    // by group it would be a second list of the variants to keep in step with
    // the enum, and the compiler's exhaustiveness check would no longer see them
    // all in one match.
    pub(crate) fn help(&self) -> Option<String> {
        use SlimError::*;
        let text = match self {
            CannotRun { command, .. } if is_rust_tool(command) => RUSTUP.into(),
            CannotRun { .. } => "check that it is installed and on PATH".into(),
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
            InvalidMetadataTable { known, .. } => format!("known keys: {known}"),
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
            ImagePathTooLong { .. } => "the image layer's plain ustar headers hold a path \
                                        split at a `/` into at most 155 bytes and at most \
                                        100 after it: give the --include file a shorter NAME"
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
            CpuFlagAboveBaseline {
                origin, baseline, ..
            } => {
                let march = if baseline.starts_with("neoverse") {
                    "-mcpu"
                } else {
                    "-march"
                };
                format!(
                    "remove it from {origin}, or name a CPU within the baseline (`--cpu \
                     {baseline}`, `{march}={baseline}`): Lambda promises Graviton2 (Neoverse \
                     N1) for arm64 and no CPU model at all for x86_64. If the function only \
                     ever runs on newer CPUs, declare that: --cpu-baseline (or `cpu-baseline` \
                     in [package.metadata.slim])"
                )
            }
            InvocationsFailed { .. } => {
                "run one invocation with `cargo slim run` to see why".into()
            }
            NotConcurrent { .. } => "serve invocations concurrently: with lambda_runtime, enable \
                                     its `concurrency-tokio` feature and start with \
                                     `lambda_runtime::run_concurrent`; or run without \
                                     --concurrency (Lambda's default, one at a time)"
                .into(),
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
            ScaffoldBlocked { .. } => {
                "move it away first, or use an empty directory: nothing was written".into()
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
            | Interrupted { .. }
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
}
