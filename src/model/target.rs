//! Architectures, C libraries, Lambda runtimes and the target triples they map to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A Lambda instruction set architecture, named as Lambda names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    #[serde(rename = "arm64")]
    Arm64,
    #[serde(rename = "x86_64")]
    X86_64,
}

impl Arch {
    /// The first component of a Rust target triple.
    pub fn triple_prefix(self) -> &'static str {
        match self {
            Arch::Arm64 => "aarch64",
            Arch::X86_64 => "x86_64",
        }
    }

    pub fn from_triple(triple: &str) -> Option<Arch> {
        match triple.split('-').next()? {
            "aarch64" => Some(Arch::Arm64),
            "x86_64" => Some(Arch::X86_64),
            _ => None,
        }
    }

    /// The ELF `e_machine` value of an executable for this architecture.
    pub fn elf_machine(self) -> u16 {
        match self {
            Arch::Arm64 => object::elf::EM_AARCH64.0,
            Arch::X86_64 => object::elf::EM_X86_64.0,
        }
    }

    pub fn from_elf_machine(machine: u16) -> Option<Arch> {
        match machine {
            m if m == object::elf::EM_AARCH64.0 => Some(Arch::Arm64),
            m if m == object::elf::EM_X86_64.0 => Some(Arch::X86_64),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Arch::Arm64 => "arm64",
            Arch::X86_64 => "x86_64",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Arch {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "arm64" | "aarch64" | "graviton" => Ok(Arch::Arm64),
            "x86_64" | "x86-64" | "amd64" | "x64" => Ok(Arch::X86_64),
            other => Err(format!(
                "unknown architecture `{other}`: Lambda supports `arm64` and `x86_64`"
            )),
        }
    }
}

/// The C library a build links against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Libc {
    /// Static musl: no glibc version to match, runs on every Lambda runtime.
    #[default]
    Musl,
    /// Dynamic glibc, pinned to the runtime's glibc where the linker can.
    Gnu,
}

impl Libc {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Libc::Musl => "musl",
            Libc::Gnu => "gnu",
        }
    }

    pub(crate) fn from_triple(triple: &str) -> Option<Libc> {
        let env = triple.rsplit('-').next()?;
        if env.starts_with("musl") {
            Some(Libc::Musl)
        } else if env.starts_with("gnu") {
            Some(Libc::Gnu)
        } else {
            None
        }
    }
}

impl fmt::Display for Libc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Libc {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "musl" => Ok(Libc::Musl),
            "gnu" | "glibc" => Ok(Libc::Gnu),
            other => Err(format!("unknown libc `{other}`: use `musl` or `gnu`")),
        }
    }
}

/// An AWS Lambda OS-only runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Runtime {
    #[default]
    #[serde(rename = "provided.al2023")]
    Al2023,
    #[serde(rename = "provided.al2")]
    Al2,
}

impl Runtime {
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Al2023 => "provided.al2023",
            Runtime::Al2 => "provided.al2",
        }
    }

    /// The glibc version the runtime ships (Amazon Linux 2023: 2.34, Amazon Linux 2:
    /// 2.26; see docs/preflight.md for the sources).
    pub fn glibc(self) -> (u32, u32) {
        match self {
            Runtime::Al2023 => (2, 34),
            Runtime::Al2 => (2, 26),
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Runtime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "provided.al2023" | "al2023" => Ok(Runtime::Al2023),
            "provided.al2" | "al2" => Ok(Runtime::Al2),
            other => Err(format!(
                "unknown runtime `{other}`: use `provided.al2023` or `provided.al2`"
            )),
        }
    }
}

/// One thing to build for: a Rust target triple and what it means for Lambda.
/// Only [`Target::new`] and [`Target::from_triple`] make one, so the triple has
/// always passed the grammar check; a recorded target is read through
/// `from_triple` too (and its `arch`/`libc` must agree with the triple).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RecordedTarget")]
pub(crate) struct Target {
    /// The triple as passed to rustc, e.g. `aarch64-unknown-linux-musl`.
    pub triple: String,
    pub arch: Arch,
    pub libc: Libc,
}

impl Target {
    pub(crate) fn new(arch: Arch, libc: Libc) -> Target {
        Target {
            triple: format!("{}-unknown-linux-{}", arch.triple_prefix(), libc.as_str()),
            arch,
            libc,
        }
    }

    /// Parse an explicit `--target` triple. Only Linux triples of a Lambda
    /// architecture can produce a `bootstrap` Lambda can run. The triple becomes
    /// a directory name and a `rustup`/cargo argument, so its grammar is strict:
    /// 3 to 5 `-`-separated parts of lowercase letters, digits and `_` (no `.`,
    /// `/`, leading `-`), at most 64 bytes.
    pub(crate) fn from_triple(triple: &str) -> Result<Target, String> {
        let parts: Vec<&str> = triple.split('-').collect();
        let grammar = triple.len() <= 64
            && (3..=5).contains(&parts.len())
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            });
        if !grammar {
            return Err(format!(
                "`{}` is not a target triple: use e.g. `aarch64-unknown-linux-musl` \
                 (lowercase letters, digits and `_` in 3 to 5 `-`-separated parts)",
                crate::model::invalid_value::shown(triple)
            ));
        }
        let arch = Arch::from_triple(triple);
        let libc = Libc::from_triple(triple);
        match (arch, libc) {
            (Some(arch), Some(libc)) if parts.len() >= 3 && parts.contains(&"linux") => {
                Ok(Target {
                    triple: triple.to_string(),
                    arch,
                    libc,
                })
            }
            _ => Err(format!(
                "target `{triple}` cannot run on Lambda: use an `aarch64` or `x86_64` \
                 `-unknown-linux-musl` or `-unknown-linux-gnu` triple"
            )),
        }
    }

    /// True when this target is the machine we are running on, so its output can be
    /// executed directly and the host's `cc` can link it.
    pub(crate) fn is_host_arch(&self) -> bool {
        Some(self.arch) == host_arch()
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.triple)
    }
}

/// A target as a manifest records it, before it is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedTarget {
    #[serde(deserialize_with = "checked_triple")]
    triple: Target,
    arch: Arch,
    libc: Libc,
}

/// A recorded triple through [`Target::from_triple`], so an error names
/// `target.triple`.
fn checked_triple<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
    let text = String::deserialize(d)?;
    Target::from_triple(&text).map_err(serde::de::Error::custom)
}

impl TryFrom<RecordedTarget> for Target {
    type Error = String;
    fn try_from(r: RecordedTarget) -> Result<Self, Self::Error> {
        let target = r.triple;
        if (target.arch, target.libc) != (r.arch, r.libc) {
            return Err(format!(
                "arch `{}` and libc `{}` do not match the triple `{}`",
                r.arch, r.libc, target.triple
            ));
        }
        Ok(target)
    }
}

/// The architecture of the machine running cargo-slim, if Lambda has it.
pub fn host_arch() -> Option<Arch> {
    match std::env::consts::ARCH {
        "aarch64" => Some(Arch::Arm64),
        "x86_64" => Some(Arch::X86_64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_and_libc_map_to_triples() {
        assert_eq!(
            Target::new(Arch::Arm64, Libc::Musl).triple,
            "aarch64-unknown-linux-musl"
        );
        assert_eq!(
            Target::new(Arch::X86_64, Libc::Gnu).triple,
            "x86_64-unknown-linux-gnu"
        );
    }

    #[test]
    fn explicit_triples_are_checked() {
        let t = Target::from_triple("aarch64-unknown-linux-gnu").unwrap();
        assert_eq!((t.arch, t.libc), (Arch::Arm64, Libc::Gnu));
        assert!(Target::from_triple("x86_64-apple-darwin").is_err());
        assert!(Target::from_triple("riscv64gc-unknown-linux-gnu").is_err());
        assert!(Target::from_triple("wasm32-wasi").is_err());
        for bad in [
            "--help",
            "x86_64-unknown-linux-musl/../../x",
            "x86_64-../../linux-musl",
            "x86_64-unknown-linux-gnu.2.34",
            "x86_64-unknown-linux-musl\n",
            "x86_64--linux-musl",
            "X86_64-unknown-linux-musl",
        ] {
            assert!(Target::from_triple(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_parse_leniently() {
        assert_eq!("aarch64".parse::<Arch>().unwrap(), Arch::Arm64);
        assert_eq!("AMD64".parse::<Arch>().unwrap(), Arch::X86_64);
        assert!("mips".parse::<Arch>().is_err());
        assert_eq!("al2".parse::<Runtime>().unwrap(), Runtime::Al2);
    }
}
