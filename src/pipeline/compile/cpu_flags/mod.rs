//! Flags that would make the compilers emit instructions the CPU baseline does
//! not have, refused before anything is compiled.
//!
//! Rust code takes them from `--cpu`, `-C target-cpu`/`-C target-feature` in
//! the user's rustflags (environment or cargo config; cargo-zigbuild also hands
//! `target-cpu` to zig as `-mcpu`, how the SIGILL of cargo-lambda #934 got into
//! C code). C and C++ code built by the `cc` crate takes them from `CFLAGS`,
//! `CFLAGS_<target>` (both spellings), `TARGET_CFLAGS` and the `CXXFLAGS`
//! family, from the environment or cargo config's `[env]`. What each flag
//! enables is rustc's answer (`rustc --print cfg --target T -C target-cpu=…
//! -C target-feature=…`), compared with the baseline's features; a flag whose
//! effect rustc cannot tell (an unknown CPU or feature name) is refused too,
//! and `native` always (it means the build machine, whatever it is).

use std::ffi::OsString;

use crate::model::cpu_baseline::CpuBaseline;
use crate::model::options::by_key;
use crate::pipeline::compile::cargo_config::CargoConfig;
use crate::util::error::SlimError;
use crate::util::process;

mod c_flags;

pub(crate) use c_flags::{c_flag_variables, c_flags};

/// A flag that asks for a CPU or features, and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CpuFlag {
    /// As written: `-mavx2`, `-Ctarget-cpu=native`, `--cpu neoverse-v1`.
    pub flag: String,
    /// `CFLAGS_x86_64_unknown_linux_musl`, `RUSTFLAGS`, `--cpu`, …
    pub origin: String,
    pub cpu: Option<String>,
    /// rustc feature names (`avx2`, `v8.4a`, `sha3`).
    pub features: Vec<String>,
}

/// Refuse the first flag that goes above `baseline` for `triple`.
pub(crate) fn refuse_above(
    baseline: &CpuBaseline,
    triple: &str,
    cpu_option: Option<&str>,
    user_rustflags: &[(String, Vec<String>)],
    config: &CargoConfig,
) -> anyhow::Result<()> {
    let mut flags = Vec::new();
    if let Some(cpu) = cpu_option {
        // The option's own spelling, from the settings table.
        let option = by_key("cpu").map_or_else(String::new, |s| s.flag.spelled());
        flags.push(CpuFlag {
            flag: format!("{option} {cpu}"),
            origin: option,
            cpu: Some(cpu.to_string()),
            features: Vec::new(),
        });
    }
    for (origin, list) in user_rustflags {
        flags.extend(rust_flags(list, origin));
    }
    for (origin, value) in c_flag_variables(triple, config) {
        let list: Vec<String> = value.split_whitespace().map(str::to_string).collect();
        flags.extend(c_flags(&list, &origin, baseline.arch));
    }
    for flag in flags {
        let above = above_baseline(&flag, baseline, triple)?;
        if !above.is_empty() {
            return Err(SlimError::CpuFlagAboveBaseline {
                flag: format!("{triple}: `{}` ({})", flag.flag, flag.origin),
                origin: flag.origin,
                features: above.join(", "),
                baseline: baseline.name.to_string(),
                describes: baseline.describes.to_string(),
            }
            .into());
        }
    }
    Ok(())
}

/// The features `flag` enables that `baseline` lacks (`["native"]` for native,
/// `["?NAME"]`-style entries for what rustc does not know).
fn above_baseline(
    flag: &CpuFlag,
    baseline: &CpuBaseline,
    triple: &str,
) -> anyhow::Result<Vec<String>> {
    if flag.cpu.as_deref() == Some("native") {
        return Ok(vec!["whatever the build machine has (native)".into()]);
    }
    let enabled = rustc_features(triple, flag.cpu.as_deref(), &flag.features)?;
    let mut above: Vec<String> = enabled
        .into_iter()
        .filter(|f| f != "crt-static" && !baseline.has(f) && !is_version_marker(f))
        .collect();
    above.sort();
    above.dedup();
    Ok(above)
}

/// Arm architecture versions (`v8.4a`) are sets of features, not features: the
/// features they imply are what counts.
fn is_version_marker(feature: &str) -> bool {
    feature.len() >= 3
        && feature.starts_with('v')
        && feature.ends_with('a')
        && feature.as_bytes()[1].is_ascii_digit()
}

/// rustc's target features for `triple` with `cpu` and `+features`; an unknown
/// CPU or feature name is an error naming it.
fn rustc_features(
    triple: &str,
    cpu: Option<&str>,
    features: &[String],
) -> anyhow::Result<Vec<String>> {
    let mut args: Vec<String> = vec![
        "--print".into(),
        "cfg".into(),
        "--target".into(),
        triple.into(),
    ];
    if let Some(cpu) = cpu {
        args.push(format!("-Ctarget-cpu={cpu}"));
    }
    if !features.is_empty() {
        let list: Vec<String> = features.iter().map(|f| format!("+{f}")).collect();
        args.push(format!("-Ctarget-feature={}", list.join(",")));
    }
    let program: OsString = crate::pipeline::compile::toolchain::rustc_program();
    let out = process::program(&program).args(&args).output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let unknown = stderr.contains("is not a recognized processor")
        || stderr.contains("unknown and unstable feature")
        || stderr.contains("unknown feature");
    if !out.status.success() || unknown {
        let what = match cpu {
            Some(cpu) if stderr.contains("processor") => format!("CPU `{cpu}`"),
            _ => format!("features {}", features.join(", ")),
        };
        return Ok(vec![format!(
            "unknown to rustc ({what}): its instructions cannot be checked"
        )]);
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("target_feature=\""))
        .filter_map(|l| l.strip_suffix('"'))
        .map(str::to_string)
        .collect())
}

/// The rustflags cargo will use for `triple` that the user set, with where they
/// come from: the environment's, else the config's (cargo never merges them).
pub(crate) fn user_rustflags(triple: &str, config: &CargoConfig) -> Vec<(String, Vec<String>)> {
    if std::env::var("CARGO_ENCODED_RUSTFLAGS").is_ok_and(|v| !v.is_empty()) {
        let flags = crate::pipeline::compile::rustflags::user_env_flags().unwrap_or_default();
        return vec![("CARGO_ENCODED_RUSTFLAGS".into(), flags)];
    }
    if let Some(flags) = crate::pipeline::compile::rustflags::user_env_flags() {
        return vec![("RUSTFLAGS".into(), flags)];
    }
    vec![(
        "rustflags in cargo config".into(),
        config.user_rustflags(triple),
    )]
}

/// `-C target-cpu=X` and `-C target-feature=+a,+b` in rustflags (one argument
/// or two; `-`-prefixed features only take away).
pub(crate) fn rust_flags(flags: &[String], origin: &str) -> Vec<CpuFlag> {
    let mut out = Vec::new();
    let mut iter = flags.iter().peekable();
    while let Some(flag) = iter.next() {
        let value = match flag.strip_prefix("-C") {
            Some("") => iter.next().cloned().unwrap_or_default(),
            Some(v) => v.to_string(),
            None => continue,
        };
        let shown = if flag == "-C" {
            format!("-C {value}")
        } else {
            flag.clone()
        };
        if let Some(cpu) = value.strip_prefix("target-cpu=") {
            out.push(CpuFlag {
                flag: shown,
                origin: origin.to_string(),
                cpu: Some(cpu.to_string()),
                features: Vec::new(),
            });
        } else if let Some(list) = value.strip_prefix("target-feature=") {
            let features: Vec<String> = list
                .split(',')
                .filter_map(|f| f.strip_prefix('+'))
                .map(str::to_string)
                .collect();
            if !features.is_empty() {
                out.push(CpuFlag {
                    flag: shown,
                    origin: origin.to_string(),
                    cpu: None,
                    features,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn rust_flags_in_one_or_two_arguments() {
        let found = rust_flags(
            &s(&[
                "-C",
                "target-cpu=native",
                "-Ctarget-feature=+avx2,-sse",
                "-Copt-level=3",
            ]),
            "RUSTFLAGS",
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].flag, "-C target-cpu=native");
        assert_eq!(found[0].cpu.as_deref(), Some("native"));
        assert_eq!(found[1].features, ["avx2"]);
    }

    #[test]
    fn version_markers() {
        assert!(is_version_marker("v8.4a") && is_version_marker("v9a"));
        assert!(!is_version_marker("vh") && !is_version_marker("vaes"));
    }
}
