//! The oldest CPU a function may run on, per architecture: what the build
//! refuses to exceed and what `check` audits the machine code against.
//!
//! Lambda documents the arm64 CPU (Graviton2, Neoverse N1) and promises no x86
//! model, so the defaults are the Neoverse N1 feature set and x86-64-v2 (see
//! docs/preflight.md for the sources). A user who deploys only where a newer CPU
//! is certain declares that baseline on purpose; the table below is every
//! baseline that can be declared. Feature names are rustc's (`rustc --print cfg
//! -C target-cpu=NAME`, Rust 1.95), the vocabulary of `-C target-feature` and of
//! the instruction audit (`crate::artifact::code::names`).

use serde::Serialize;

use super::target::Arch;

/// A baseline declared by name (`--cpu-baseline x86-64-v3`): recorded in the
/// manifest's `build.options` as its name, and read back through the same
/// parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeclaredBaseline(pub &'static CpuBaseline);

impl std::fmt::Display for DeclaredBaseline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Serialize for DeclaredBaseline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

impl<'de> serde::Deserialize<'de> for DeclaredBaseline {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for DeclaredBaseline {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CpuBaseline::named(s).map(DeclaredBaseline).ok_or_else(|| {
            let names: Vec<&str> = BASELINES.iter().map(|b| b.name).collect();
            format!(
                "`{}` is not a CPU baseline: one of {}",
                super::invalid_value::shown(s),
                names.join(", ")
            )
        })
    }
}

/// A CPU baseline: the features every CPU the function may meet has.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub(crate) struct CpuBaseline {
    /// The name it is declared with: an LLVM CPU name.
    pub name: &'static str,
    #[serde(skip)]
    pub arch: Arch,
    /// Which real CPUs this is, for messages.
    pub describes: &'static str,
    /// rustc's target features of the CPU name.
    #[serde(skip)]
    pub features: &'static [&'static str],
    /// The qemu CPU model with the same features, for running under the
    /// baseline (`None`: qemu 7.2 has no such model).
    #[serde(skip)]
    pub qemu_model: Option<&'static str>,
}

const N1: &[&str] = &[
    "aes", "crc", "dotprod", "dpb", "fp16", "lor", "lse", "neon", "pan", "pmuv3", "ras", "rcpc",
    "rdm", "sha2", "spe", "ssbs", "vh",
];
const V1: &[&str] = &[
    "aes", "bf16", "crc", "dit", "dotprod", "dpb", "dpb2", "fcma", "fhm", "flagm", "fp16", "i8mm",
    "jsconv", "lor", "lse", "neon", "paca", "pacg", "pan", "pmuv3", "rand", "ras", "rcpc", "rcpc2",
    "rdm", "sha2", "sha3", "sm4", "spe", "ssbs", "sve", "vh",
];
const V2: &[&str] = &[
    "bf16", "bti", "crc", "dit", "dotprod", "dpb", "dpb2", "fcma", "fhm", "flagm", "fp16",
    "frintts", "i8mm", "jsconv", "lor", "lse", "mte", "neon", "paca", "pacg", "pan", "pmuv3",
    "rand", "ras", "rcpc", "rcpc2", "rdm", "sb", "spe", "ssbs", "sve", "sve2", "vh",
];
const X86_64_V1: &[&str] = &["fxsr", "sse", "sse2"];
const X86_64_V2: &[&str] = &[
    "cmpxchg16b",
    "fxsr",
    "popcnt",
    "sse",
    "sse2",
    "sse3",
    "sse4.1",
    "sse4.2",
    "ssse3",
];
const X86_64_V3: &[&str] = &[
    "avx",
    "avx2",
    "bmi1",
    "bmi2",
    "cmpxchg16b",
    "f16c",
    "fma",
    "fxsr",
    "lzcnt",
    "movbe",
    "popcnt",
    "sse",
    "sse2",
    "sse3",
    "sse4.1",
    "sse4.2",
    "ssse3",
    "xsave",
];
const X86_64_V4: &[&str] = &[
    "avx",
    "avx2",
    "avx512bw",
    "avx512cd",
    "avx512dq",
    "avx512f",
    "avx512vl",
    "bmi1",
    "bmi2",
    "cmpxchg16b",
    "f16c",
    "fma",
    "fxsr",
    "lzcnt",
    "movbe",
    "popcnt",
    "sse",
    "sse2",
    "sse3",
    "sse4.1",
    "sse4.2",
    "ssse3",
    "xsave",
];

/// Every baseline that can be declared, the Lambda defaults first.
pub(crate) const BASELINES: &[CpuBaseline] = &[
    CpuBaseline {
        name: "neoverse-n1",
        arch: Arch::Arm64,
        describes: "Graviton2 (Neoverse N1), Lambda's arm64 CPU",
        features: N1,
        qemu_model: Some("neoverse-n1"),
    },
    CpuBaseline {
        name: "x86-64-v2",
        arch: Arch::X86_64,
        describes: "x86-64-v2 (SSE4.2, POPCNT, CMPXCHG16B), the oldest x86_64 Lambda may give",
        features: X86_64_V2,
        qemu_model: Some("Nehalem"),
    },
    CpuBaseline {
        name: "neoverse-v1",
        arch: Arch::Arm64,
        describes: "Graviton3 (Neoverse V1)",
        features: V1,
        qemu_model: None,
    },
    CpuBaseline {
        name: "neoverse-v2",
        arch: Arch::Arm64,
        describes: "Graviton4 (Neoverse V2)",
        features: V2,
        qemu_model: None,
    },
    CpuBaseline {
        name: "x86-64",
        arch: Arch::X86_64,
        describes: "x86-64 (SSE2), every x86_64 CPU",
        features: X86_64_V1,
        qemu_model: Some("qemu64"),
    },
    CpuBaseline {
        name: "x86-64-v3",
        arch: Arch::X86_64,
        describes: "x86-64-v3 (AVX2, BMI2, FMA), Haswell and later",
        features: X86_64_V3,
        qemu_model: Some("Haswell-noTSX"),
    },
    CpuBaseline {
        name: "x86-64-v4",
        arch: Arch::X86_64,
        describes: "x86-64-v4 (AVX-512), Skylake-SP and later",
        features: X86_64_V4,
        qemu_model: None,
    },
];

impl CpuBaseline {
    /// The baseline a build for `arch` is held to: the declared one when it is
    /// for `arch`, else Lambda's.
    pub(crate) fn for_build(
        declared: Option<DeclaredBaseline>,
        arch: Arch,
    ) -> &'static CpuBaseline {
        declared
            .map(|d| d.0)
            .filter(|b| b.arch == arch)
            .unwrap_or_else(|| CpuBaseline::lambda(arch))
    }

    /// The baseline Lambda guarantees for `arch`.
    pub(crate) fn lambda(arch: Arch) -> &'static CpuBaseline {
        match arch {
            Arch::Arm64 => &BASELINES[0],
            Arch::X86_64 => &BASELINES[1],
        }
    }

    /// A declarable baseline by name (each names one architecture's CPUs).
    pub(crate) fn named(name: &str) -> Option<&'static CpuBaseline> {
        BASELINES.iter().find(|b| b.name == name)
    }

    /// Whether every CPU of this baseline has `feature` (rustc's name).
    pub(crate) fn has(&self, feature: &str) -> bool {
        self.features.contains(&feature)
    }

    /// The names that can be declared for `arch`, for messages.
    pub(crate) fn names(arch: Arch) -> Vec<&'static str> {
        BASELINES
            .iter()
            .filter(|b| b.arch == arch)
            .map(|b| b.name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_lambdas() {
        assert_eq!(CpuBaseline::lambda(Arch::Arm64).name, "neoverse-n1");
        assert_eq!(CpuBaseline::lambda(Arch::X86_64).name, "x86-64-v2");
        assert!(CpuBaseline::lambda(Arch::Arm64).has("lse"));
        assert!(!CpuBaseline::lambda(Arch::Arm64).has("sha3"));
        assert!(!CpuBaseline::lambda(Arch::X86_64).has("avx2"));
        let v3: DeclaredBaseline = "x86-64-v3".parse().unwrap();
        assert!(v3.0.has("avx2") && v3.0.arch == Arch::X86_64);
        let json = serde_json::to_string(&v3).unwrap();
        assert_eq!(json, r#""x86-64-v3""#);
        assert_eq!(serde_json::from_str::<DeclaredBaseline>(&json).unwrap(), v3);
        assert!(serde_json::from_str::<DeclaredBaseline>(r#""haswell""#).is_err());
        assert_eq!(
            CpuBaseline::for_build(Some(v3), Arch::Arm64).name,
            "neoverse-n1"
        );
        assert_eq!(
            CpuBaseline::for_build(Some(v3), Arch::X86_64).name,
            "x86-64-v3"
        );
        let err = "native".parse::<DeclaredBaseline>().unwrap_err();
        assert!(err.starts_with("`native` is not a CPU baseline: one of neoverse-n1, x86-64-v2"));
    }
}
