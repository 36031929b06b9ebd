//! The flags of C and C++ compilers that choose the instruction set, and the
//! variables the `cc` crate reads them from.

use crate::model::target::Arch;
use crate::pipeline::compile::cargo_config::CargoConfig;

use super::CpuFlag;

/// The ISA flags of a C compiler command line: `-march=`, `-mcpu=` (with Arm
/// `+extension`s), `-mtune=` (see below) and x86 `-m<feature>`.
pub(crate) fn c_flags(flags: &[String], origin: &str, arch: Arch) -> Vec<CpuFlag> {
    let mut out = Vec::new();
    for flag in flags {
        let mut request = |cpu: Option<String>, features: Vec<String>| {
            out.push(CpuFlag {
                flag: flag.clone(),
                origin: origin.to_string(),
                cpu,
                features,
            })
        };
        // `-mtune` only schedules for a CPU in GCC and Clang, but through
        // cargo-zigbuild's `zig cc` (cargo-zigbuild 0.24, zig 0.17)
        // `-mtune=haswell` defines `__AVX2__` and emits AVX2: counted as a CPU.
        if let Some(value) = flag
            .strip_prefix("-march=")
            .or_else(|| flag.strip_prefix("-mcpu="))
            .or_else(|| flag.strip_prefix("-mtune="))
        {
            let mut parts = value.split('+');
            let base = parts.next().unwrap_or_default().to_ascii_lowercase();
            let extensions: Vec<String> = parts
                .filter(|e| !e.starts_with("no"))
                .flat_map(arm_extension)
                .collect();
            match arm_version(&base) {
                Some(version) if arch == Arch::Arm64 => {
                    request(None, std::iter::once(version).chain(extensions).collect())
                }
                _ => request(Some(base), extensions),
            }
        } else if arch == Arch::X86_64 {
            if let Some(feature) = flag.strip_prefix("-m").and_then(x86_feature) {
                request(None, vec![feature.to_string()]);
            }
        }
    }
    out
}

/// `armv8.4-a` → `v8.4a`, `armv9-a` → `v9a`.
fn arm_version(base: &str) -> Option<String> {
    let version = base.strip_prefix("armv")?.strip_suffix("-a")?;
    Some(format!("v{version}a"))
}

/// GCC/Clang `+extension` names as rustc features.
fn arm_extension(ext: &str) -> Vec<String> {
    let names: &[&str] = match ext {
        "crypto" => &["aes", "sha2"],
        "fp16fml" => &["fhm"],
        "rng" => &["rand"],
        "memtag" => &["mte"],
        "profile" => &["spe"],
        "pauth" => &["paca"],
        "rdma" => &["rdm"],
        "simd" => &["neon"],
        other => return vec![other.to_string()],
    };
    names.iter().map(|n| n.to_string()).collect()
}

/// GCC's x86 `-m<feature>` names that enable instructions, as rustc's features.
fn x86_feature(name: &str) -> Option<&'static str> {
    Some(match name {
        "sse3" => "sse3",
        "ssse3" => "ssse3",
        "sse4.1" => "sse4.1",
        "sse4.2" | "sse4" => "sse4.2",
        "popcnt" => "popcnt",
        "avx" => "avx",
        "avx2" => "avx2",
        "fma" => "fma",
        "f16c" => "f16c",
        "bmi" => "bmi1",
        "bmi2" => "bmi2",
        "lzcnt" => "lzcnt",
        "movbe" => "movbe",
        "aes" => "aes",
        "pclmul" => "pclmulqdq",
        "sha" => "sha",
        "vaes" => "vaes",
        "vpclmulqdq" => "vpclmulqdq",
        "gfni" => "gfni",
        "adx" => "adx",
        "rdrnd" => "rdrand",
        "rdseed" => "rdseed",
        "xsave" => "xsave",
        "avx512f" => "avx512f",
        "avx512bw" => "avx512bw",
        "avx512cd" => "avx512cd",
        "avx512dq" => "avx512dq",
        "avx512vl" => "avx512vl",
        "avx512vbmi" => "avx512vbmi",
        "avx512vnni" => "avx512vnni",
        "avxvnni" => "avxvnni",
        _ => return None,
    })
}

/// The variables the `cc` crate reads C and C++ flags from, for `triple`, with
/// their values: from the environment, else from cargo config's `[env]`.
pub(crate) fn c_flag_variables(triple: &str, config: &CargoConfig) -> Vec<(String, String)> {
    let underscored = triple.replace(['-', '.'], "_");
    let mut out = Vec::new();
    for family in ["CFLAGS", "CXXFLAGS"] {
        for name in [
            format!("{family}_{triple}"),
            format!("{family}_{underscored}"),
            format!("TARGET_{family}"),
            family.to_string(),
        ] {
            let value = std::env::var(&name)
                .ok()
                .or_else(|| config.env_value(&name));
            if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
                out.push((name, value));
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
    fn c_flags_per_arch() {
        let arm = c_flags(
            &s(&[
                "-O2",
                "-march=armv8.4-a+sha3+nosve",
                "-mcpu=neoverse-v1+crypto",
            ]),
            "CFLAGS",
            Arch::Arm64,
        );
        assert_eq!(arm[0].features, ["v8.4a", "sha3"]);
        assert_eq!(arm[1].cpu.as_deref(), Some("neoverse-v1"));
        assert_eq!(arm[1].features, ["aes", "sha2"]);
        let x86 = c_flags(
            &s(&[
                "-mavx2",
                "-mno-avx",
                "-mtune=haswell",
                "-march=native",
                "-m64",
            ]),
            "CFLAGS",
            Arch::X86_64,
        );
        assert_eq!(x86.len(), 3);
        assert_eq!(x86[0].features, ["avx2"]);
        assert_eq!(x86[1].cpu.as_deref(), Some("haswell"));
        assert_eq!(x86[2].cpu.as_deref(), Some("native"));
    }
}
