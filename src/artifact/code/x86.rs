//! x86_64 code through `iced-x86`: each instruction's CPUID features, its
//! RIP-relative address and its direct branch target.

use iced_x86::{
    Code, CpuidFeature, Decoder, DecoderOptions, FlowControl, Instruction, Mnemonic, OpKind,
};

use super::{names, CodeRange, Decoded, FeatureUse, RefKind, Reference};

pub(super) fn decode(range: &CodeRange<'_>, out: &mut Decoded) {
    let mut decoder = Decoder::with_ip(64, range.bytes, range.addr, DecoderOptions::NONE);
    let mut instr = Instruction::default();
    while decoder.can_decode() {
        decoder.decode_out(&mut instr);
        if instr.code() == Code::INVALID {
            out.undecodable += 1;
            continue;
        }
        out.instructions += 1;
        let at = instr.ip();
        // `tzcnt` is `rep bsf`: a CPU without BMI1 runs it as `bsf` (LLVM emits it
        // where the two agree), and `endbr64`, the shadow-stack and HLE prefixes
        // are no-ops there. None of them can fault.
        let compatible = matches!(instr.mnemonic(), Mnemonic::Tzcnt)
            || instr.cpuid_features().iter().any(|f| {
                matches!(
                    f,
                    CpuidFeature::CET_IBT | CpuidFeature::CET_SS | CpuidFeature::HLE
                )
            });
        for &feature in instr.cpuid_features().iter().filter(|_| !compatible) {
            if let Some(name) = names::x86(feature) {
                out.uses.push(FeatureUse {
                    at,
                    feature: name,
                    mnemonic: super::Mnemonic::X86(instr.mnemonic()),
                });
            }
        }
        if instr.mnemonic() == Mnemonic::Cpuid {
            out.probes.push(at);
        }
        if instr.is_ip_rel_memory_operand() {
            out.references.push(Reference {
                at,
                to: instr.ip_rel_memory_address(),
                kind: RefKind::Address,
            });
        }
        // Position-dependent code names addresses as immediates (`mov $main,
        // %rdi`) and absolute displacements (`jmp *table(,%rax,8)`); a value
        // that is no address matches nothing the readers look up.
        for address in absolute_addresses(&instr) {
            out.references.push(Reference {
                at,
                to: address,
                kind: RefKind::Address,
            });
        }
        if instr.op0_kind() == OpKind::NearBranch64 {
            let kind = match instr.flow_control() {
                FlowControl::Call => RefKind::Call,
                _ => RefKind::Jump,
            };
            out.references.push(Reference {
                at,
                to: instr.near_branch_target(),
                kind,
            });
        }
    }
}

/// Immediates and absolute memory displacements large enough to be addresses.
fn absolute_addresses(instr: &Instruction) -> impl Iterator<Item = u64> + '_ {
    let immediates = (0..instr.op_count()).filter_map(move |i| match instr.op_kind(i) {
        OpKind::Immediate32 | OpKind::Immediate32to64 | OpKind::Immediate64 => {
            Some(instr.immediate(i))
        }
        _ => None,
    });
    let displacement = (instr.op_count() > 0
        && (0..instr.op_count()).any(|i| instr.op_kind(i) == OpKind::Memory)
        && instr.memory_base() == iced_x86::Register::None
        && !instr.is_ip_rel_memory_operand())
    .then(|| instr.memory_displacement64());
    immediates
        .chain(displacement)
        .filter(|v| (0x1000..1 << 47).contains(v))
}
