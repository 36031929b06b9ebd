//! AArch64 code: each word through `disarm64` for its feature, and the few
//! encodings that name an address decoded here by hand (their fields are fixed
//! by the architecture): `bl`, `b`, `adr`, `adrp` paired with the `add` or
//! `ldr`/`str` that completes it, and literal loads.
//!
//! `adrp` sets a register to a 4 KiB page; the instruction that adds the low 12
//! bits may come several instructions later. A page is kept per register until
//! something else writes that register, a call clobbers it (x0–x18, x30), or
//! the range ends (a new function).

use disarm64::InsnOpcode as _;

use super::{names, CodeRange, Decoded, FeatureUse, Mnemonic, RefKind, Reference};

pub(super) fn decode(range: &CodeRange<'_>, out: &mut Decoded) {
    let mut pages: [Option<u64>; 32] = [None; 32];
    for (i, word) in range.bytes.chunks_exact(4).enumerate() {
        let insn = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        let at = range.addr.wrapping_add(4 * i as u64);
        features(insn, at, out);
        addresses(insn, at, &mut pages, out);
    }
}

/// The hint space (`hint #imm`: `nop`, `bti`, `paciasp`, `autiasp`, …):
/// architecturally a no-op on a CPU without the feature, so never above any
/// baseline.
fn is_hint(insn: u32) -> bool {
    insn & 0xffff_f01f == 0xd503_201f
}

fn features(insn: u32, at: u64, out: &mut Decoded) {
    // mrs Xt, <op0=3, op1=0, CRn=0>: MIDR_EL1 and the ID_AA64*_EL1 registers.
    if insn & 0xffff_f000 == 0xd538_0000 {
        out.probes.push(at);
    }
    let Some(op) = disarm64::decoder::decode(insn) else {
        out.undecodable += 1;
        return;
    };
    out.instructions += 1;
    if is_hint(insn) {
        return;
    }
    let def = op.definition();
    if let Some(feature) = names::aarch64(def.feature_set) {
        out.uses.push(FeatureUse {
            at,
            feature,
            mnemonic: Mnemonic::A64(def.mnemonic),
        });
    }
}

/// Sign-extend the low `bits` bits of `value`.
fn sext(value: u32, bits: u32) -> i64 {
    let shift = 64 - bits;
    (i64::from(value) << shift) >> shift
}

fn addresses(insn: u32, at: u64, pages: &mut [Option<u64>; 32], out: &mut Decoded) {
    let rd = (insn & 0x1f) as usize;
    let rn = ((insn >> 5) & 0x1f) as usize;
    let mut push = |to: u64, kind| out.references.push(Reference { at, to, kind });
    match insn {
        // bl / b imm26
        _ if insn & 0xfc00_0000 == 0x9400_0000 || insn & 0xfc00_0000 == 0x1400_0000 => {
            let to = at.wrapping_add_signed(sext(insn & 0x03ff_ffff, 26) * 4);
            let call = insn & 0x8000_0000 != 0;
            push(to, if call { RefKind::Call } else { RefKind::Jump });
            if call {
                clobber(pages);
            }
            return;
        }
        // blr: an indirect call clobbers the same registers.
        _ if insn & 0xffff_fc1f == 0xd63f_0000 => {
            clobber(pages);
            return;
        }
        // adr / adrp
        _ if insn & 0x1f00_0000 == 0x1000_0000 => {
            let imm = sext(((insn >> 29) & 0x3) | (((insn >> 5) & 0x7_ffff) << 2), 21);
            if insn & 0x8000_0000 == 0 {
                push(at.wrapping_add_signed(imm), RefKind::Address);
                pages[rd] = None;
            } else {
                pages[rd] = Some((at & !0xfff).wrapping_add_signed(imm << 12));
            }
            return;
        }
        // add Xd, Xn, #imm{, lsl #12} (64-bit)
        _ if insn & 0xff80_0000 == 0x9100_0000 => {
            if let Some(page) = pages[rn] {
                let imm = u64::from((insn >> 10) & 0xfff) << (12 * ((insn >> 22) & 1));
                push(page.wrapping_add(imm), RefKind::Address);
            }
        }
        // ldr/str (immediate, unsigned offset), integer and SIMD&FP
        _ if insn & 0x3b00_0000 == 0x3900_0000 => {
            if let Some(page) = pages[rn] {
                let size = insn >> 30;
                let vector = insn & (1 << 26) != 0;
                let opc = (insn >> 22) & 3;
                let scale = if vector && opc >= 2 && size == 0 {
                    4
                } else {
                    size
                };
                let imm = u64::from((insn >> 10) & 0xfff) << scale;
                push(page.wrapping_add(imm), RefKind::Address);
            }
            let load = (insn >> 22) & 3 != 0;
            if !load || insn & (1 << 26) != 0 {
                return; // a store, or a load into a vector register
            }
        }
        // ldr (literal)
        _ if insn & 0x3b00_0000 == 0x1800_0000 => {
            push(
                at.wrapping_add_signed(sext((insn >> 5) & 0x7_ffff, 19) * 4),
                RefKind::Address,
            );
        }
        // Other loads and stores: bit 22 clear is a store (of one register or a
        // pair), which writes no register.
        _ if insn & 0x0a00_0000 == 0x0800_0000 && insn & (1 << 22) == 0 => return,
        // b.cond, cbz/cbnz, tbz/tbnz: field 4:0 is read, not written.
        _ if insn & 0xff00_0010 == 0x5400_0000 || insn & 0x7c00_0000 == 0x3400_0000 => return,
        _ => {}
    }
    pages[rd] = None;
}

/// The registers a call may change (AAPCS64 caller-saved, and the link register).
fn clobber(pages: &mut [Option<u64>; 32]) {
    for page in pages.iter_mut().take(19) {
        *page = None;
    }
    pages[30] = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(words: &[u32], addr: u64) -> Decoded {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let mut out = Decoded::default();
        decode(
            &CodeRange {
                addr,
                bytes: &bytes,
            },
            &mut out,
        );
        out
    }

    #[test]
    fn adrp_pairs_with_add_and_ldr() {
        // adrp x8, 0x18000 (from 0x10000); add x8, x8, #0x345;
        // adrp x9, 0x18000; ldr x0, [x9, #0x10]
        // (immhi 2, immlo 0: 8 pages on)
        let out = run(
            &[
                0x9000_0008 | (2 << 5),
                0x9100_0000 | (0x345 << 10) | (8 << 5) | 8,
                0x9000_0009 | (2 << 5),
                0xf940_0000 | (2 << 10) | (9 << 5),
            ],
            0x10000,
        );
        let to: Vec<u64> = out.references.iter().map(|r| r.to).collect();
        assert_eq!(to, vec![0x18345, 0x18010]);
    }

    #[test]
    fn a_call_clobbers_pages_and_is_a_reference() {
        // adrp x0, +1 page; bl +8; add x0, x0, #8
        let out = run(
            &[0x9000_0000 | (1 << 5), 0x9400_0002, 0x9100_0000 | (8 << 10)],
            0x4000,
        );
        assert_eq!(out.references.len(), 1);
        assert_eq!(out.references[0].to, 0x4004 + 8);
        assert_eq!(out.references[0].kind, RefKind::Call);
    }

    #[test]
    fn features_and_hints() {
        // eor3 v0.16b, v1.16b, v2.16b, v3.16b (SHA3); paciasp (hint); ldaddal w1, w0, [x2] (LSE);
        // mrs x0, ID_AA64ISAR0_EL1
        let out = run(&[0xce02_0c20, 0xd503_233f, 0xb8e1_0040, 0xd538_0600], 0);
        let found: Vec<&str> = out.uses.iter().map(|u| u.feature.as_ref()).collect();
        assert_eq!(found, vec!["sha3", "lse"]);
        assert_eq!(out.uses[0].mnemonic.to_string(), "eor3");
        assert_eq!(out.probes, vec![12]);
    }
}
