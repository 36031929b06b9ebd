//! The decoders' feature names in rustc's `target_feature` vocabulary (what
//! `rustc --print cfg -C target-cpu=…` lists and `-C target-feature=+…` takes).
//! `None`: part of every CPU of the architecture, never reported.

use std::borrow::Cow;

use disarm64_defn::InsnFeatureSet as A;
use iced_x86::CpuidFeature as X;

/// An x86 CPUID feature. The base is what every x86-64 CPU has (AMD64 as
/// first defined: x87, MMX, SSE, SSE2, CMOV, CMPXCHG8B, FXSR, SYSCALL, …).
pub(crate) fn x86(feature: X) -> Option<Cow<'static, str>> {
    let name = match feature {
        X::INTEL8086
        | X::INTEL186
        | X::INTEL286
        | X::INTEL386
        | X::INTEL486
        | X::X64
        | X::CMOV
        | X::CPUID
        | X::CX8
        | X::FPU
        | X::FPU287
        | X::FPU387
        | X::FXSR
        | X::MMX
        | X::MSR
        | X::MULTIBYTENOP
        | X::PAUSE
        | X::SSE
        | X::SSE2
        | X::SYSCALL
        | X::TSC
        | X::CLFSH
        | X::SEP => return None,
        X::SSE4_1 => "sse4.1",
        X::SSE4_2 => "sse4.2",
        X::AVX_VNNI => "avxvnni",
        other => return Some(from_debug(other, "")),
    };
    Some(Cow::Borrowed(name))
}

/// An AArch64 feature as binutils' opcode table names it. The base is Armv8.0-A
/// with FP and Advanced SIMD (rustc's `neon`, on by default for every AArch64
/// Linux target).
pub(crate) fn aarch64(feature: A) -> Option<Cow<'static, str>> {
    let name = match feature {
        A::V8 | A::SIMD | A::FP => return None,
        A::AES => "aes",
        A::SHA2 => "sha2",
        A::SHA3 => "sha3",
        A::SM4 => "sm4",
        A::CRC => "crc",
        A::LSE => "lse",
        A::LOR => "lor",
        A::RDMA => "rdm",
        A::DOTPROD => "dotprod",
        A::FP_F16 | A::SIMD_F16 => "fp16",
        A::FP_16_V8_2A => "fhm",
        A::RCPC => "rcpc",
        A::RCPC2 => "rcpc2",
        A::RCPC3 => "rcpc3",
        A::JSCVT => "jsconv",
        A::COMPNUM => "fcma",
        A::FLAGM => "flagm",
        A::FLAGMANIP => "flagm2",
        A::FRINTTS => "frintts",
        A::SB => "sb",
        A::PREDRES => "predres",
        A::BFLOAT16 => "bf16",
        A::I8MM => "i8mm",
        A::MEMTAG => "mte",
        A::PAUTH => "paca",
        A::SVE => "sve",
        A::SVE2 => "sve2",
        A::SVE2AES => "sve2-aes",
        A::SVE2BITPERM => "sve2-bitperm",
        A::SVE2SHA3 => "sve2-sha3",
        A::SVE2SM4 => "sve2-sm4",
        A::MOPS => "mops",
        A::CSSC => "cssc",
        A::LSE128 => "lse128",
        A::TME => "tme",
        A::WFXT => "wfxt",
        A::HBC => "hbc",
        A::LS64 => "ls64",
        A::SME => "sme",
        A::SME2 => "sme2",
        other => return Some(from_debug(other, "-")),
    };
    Some(Cow::Borrowed(name))
}

/// A decoder's name for a feature rustc has no spelling for here: its enum
/// variant, lower case, `_` replaced by `separator`.
fn from_debug(feature: impl std::fmt::Debug, separator: &str) -> Cow<'static, str> {
    Cow::Owned(
        format!("{feature:?}")
            .to_lowercase()
            .replace('_', separator),
    )
}
