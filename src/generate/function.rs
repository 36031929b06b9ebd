//! One function to deploy, taken from one `slim-manifest.json`. The manifest is
//! untrusted input (it is a file anyone can edit or hand over): every value that
//! reaches a generated file is checked here against a grammar first.

use crate::model::manifest::Manifest;
use crate::model::options::SETTINGS;
use crate::model::target::{Arch, Runtime, Target};
use crate::util::error::SlimError;

use super::deploy::Deploy;
use super::name::{check_code_sha256, check_name, check_rel_path, check_word};

/// What the caller found on disk for one manifest, before validation.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub manifest: Manifest,
    /// The build output directory, relative to the workspace root, `/`-separated.
    pub out_dir: String,
    /// The same directory in a fresh checkout built with `--target-dir target`.
    pub ci_out_dir: String,
    pub deploy: Deploy,
    /// The SBOM and provenance file names beside the zip, when the build wrote
    /// them (the manifest records them and both files are there).
    pub supply_chain: Option<SupplyChainFiles>,
}

/// File names of a build's CycloneDX SBOM and in-toto provenance statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SupplyChainFiles {
    pub sbom: String,
    pub provenance: String,
}

/// The `cargo slim build` options a CI job needs to rebuild this function the
/// same way, each a validated word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BuildFlags {
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// The recorded build options as flags (the settings table's own words;
    /// none for a default), each value checked.
    pub options: Vec<String>,
}

impl BuildFlags {
    /// The flags as `cargo slim build` arguments (without the selection).
    pub(crate) fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if !self.features.is_empty() {
            args.push("--features".into());
            args.push(self.features.join(","));
        }
        if self.all_features {
            args.push("--all-features".into());
        }
        if self.no_default_features {
            args.push("--no-default-features".into());
        }
        args.extend(self.options.iter().cloned());
        args
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Function {
    pub package: String,
    pub bin: String,
    pub target: Target,
    pub runtime: Runtime,
    /// CloudFormation logical id stem, e.g. `HelloLambdaArm64`.
    pub logical_id: String,
    /// Terraform resource name, e.g. `hello_lambda_arm64`.
    pub tf_id: String,
    /// Lambda function name, e.g. `hello-lambda-arm64`.
    pub function_name: String,
    pub out_dir: String,
    pub ci_out_dir: String,
    /// The zip's file name in `out_dir` (`function.zip`).
    pub zip_name: String,
    pub code_sha256: String,
    pub build: BuildFlags,
    /// Linked with cargo-zigbuild: CI needs zig too.
    pub zig: bool,
    /// rustc's release, e.g. `1.95.0`.
    pub rustc_release: String,
    pub supply_chain: Option<SupplyChainFiles>,
    pub deploy: Deploy,
}

impl Function {
    pub(crate) fn zip_path(&self) -> String {
        format!("{}/{}", self.out_dir, self.zip_name)
    }

    pub(crate) fn arch(&self) -> &'static str {
        match self.target.arch {
            Arch::Arm64 => "arm64",
            Arch::X86_64 => "x86_64",
        }
    }
}

/// Validate every found manifest and name each function uniquely: the binary's
/// name, with the architecture (and C library) appended when one binary was
/// built for several targets.
pub(crate) fn functions(found: Vec<Found>) -> Result<Vec<Function>, SlimError> {
    let mut out: Vec<Function> = found.into_iter().map(validate).collect::<Result<_, _>>()?;
    out.sort_by(|a, b| {
        (&a.package, &a.bin, &a.target.triple).cmp(&(&b.package, &b.bin, &b.target.triple))
    });
    let count = |f: &dyn Fn(&Function) -> bool| out.iter().filter(|g| f(g)).count();
    let suffixes: Vec<String> = out
        .iter()
        .map(|f| {
            let same_bin = count(&|g| g.bin == f.bin);
            let same_arch = count(&|g| g.bin == f.bin && g.target.arch == f.target.arch);
            match (same_bin, same_arch) {
                (1, _) => String::new(),
                (_, 1) => format!("-{}", f.arch().replace('_', "-")),
                _ => format!("-{}-{}", f.arch().replace('_', "-"), f.target.libc.as_str()),
            }
        })
        .collect();
    for (f, suffix) in out.iter_mut().zip(suffixes) {
        let name = format!("{}{suffix}", f.bin);
        f.function_name = check_name("function name", &name)?;
        f.tf_id = name.replace('-', "_");
        f.logical_id = name
            .split(['-', '_'])
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect();
    }
    for (i, f) in out.iter().enumerate() {
        if out[..i]
            .iter()
            .any(|g| g.logical_id == f.logical_id || g.tf_id == f.tf_id)
        {
            return Err(SlimError::DuplicateFunctionName {
                name: f.function_name.clone(),
            });
        }
    }
    Ok(out)
}

/// One found manifest checked, field by field, against the grammar each value
/// needs before it goes into a generated file.
fn validate(found: Found) -> Result<Function, SlimError> {
    let m = &found.manifest;
    let package = check_name("package.name", &m.package.name)?;
    let bin = check_name("package.bin", m.package.bin.as_str())?;
    let target = target(m)?;
    let zip_name = check_name("zip.name", &m.zip.name.replace('.', "_"))
        .and_then(|_| check_rel_path("zip.name", &m.zip.name))?;
    let build = build_flags(m)?;
    let rustc_release = rustc_release(&m.toolchain.release)?;
    Ok(Function {
        package,
        bin,
        runtime: m.runtime,
        logical_id: String::new(),
        tf_id: String::new(),
        function_name: String::new(),
        out_dir: check_rel_path("build output directory", &found.out_dir)?,
        ci_out_dir: check_rel_path("build output directory", &found.ci_out_dir)?,
        zip_name,
        code_sha256: check_code_sha256(&m.zip.code_sha256)?,
        build,
        zig: m.linker.program.contains("zigbuild"),
        rustc_release,
        deploy: found.deploy,
        supply_chain: found
            .supply_chain
            .map(|files| -> Result<_, SlimError> {
                Ok(SupplyChainFiles {
                    sbom: check_rel_path("SBOM file name", &files.sbom)?,
                    provenance: check_rel_path("provenance file name", &files.provenance)?,
                })
            })
            .transpose()?,
        target,
    })
}

/// The recorded target: a Lambda triple that agrees with the recorded arch and
/// libc.
fn target(m: &Manifest) -> Result<Target, SlimError> {
    let bad_target = || SlimError::UnsafeForGenerated {
        what: "target.triple".into(),
        value: m.target.triple.escape_debug().to_string(),
        grammar: "a Lambda target (aarch64 or x86_64, linux, musl or gnu) agreeing with \
                  target.arch and target.libc"
            .into(),
        is_path: false,
    };
    let target = Target::from_triple(&m.target.triple).map_err(|_| bad_target())?;
    if target.arch != m.target.arch || target.libc != m.target.libc {
        return Err(bad_target());
    }
    Ok(target)
}

/// The recorded build flags, each checked against the grammar of its flag, to
/// repeat them in generated commands.
fn build_flags(m: &Manifest) -> Result<BuildFlags, SlimError> {
    let mut options = Vec::new();
    for row in SETTINGS {
        let what = format!("build.options.{}", row.field);
        let flag = row.flag.spelled();
        for word in (row.args)(&m.build.options) {
            if word != flag {
                // A value: a word, or `PATH:NAME` of two relative paths, alone or
                // joined to its flag (`--include=PATH:NAME`).
                let value = word
                    .strip_prefix(&flag)
                    .and_then(|rest| rest.strip_prefix('='))
                    .unwrap_or(&word);
                for part in value.split(':') {
                    check_rel_path(&what, part)?;
                }
            }
            options.push(word);
        }
    }
    Ok(BuildFlags {
        features: m
            .build
            .features
            .iter()
            .map(|f| check_word("build.features", f.as_str()))
            .collect::<Result<_, _>>()?,
        all_features: m.build.all_features,
        no_default_features: m.build.no_default_features,
        options,
    })
}

/// The recorded Rust release, for `rustup toolchain install`.
fn rustc_release(release: &str) -> Result<String, SlimError> {
    if release
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        && !release.is_empty()
    {
        Ok(release.to_string())
    } else {
        Err(SlimError::UnsafeForGenerated {
            what: "toolchain.release".into(),
            value: release.escape_debug().to_string(),
            grammar: "a Rust release such as 1.95.0".into(),
            is_path: false,
        })
    }
}
