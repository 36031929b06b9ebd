//! Facts about the analysis on small ELF files written here (both classes, both
//! byte orders), and robustness against a corpus of damaged ones.

use object::write::{Object, Symbol as WSymbol, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, SectionKind, SymbolFlags, SymbolKind, SymbolScope,
};

use super::analysis::{analyze, Options};
use super::crates::UNATTRIBUTED;
use crate::artifact::demangle::NON_RUST;

const LEGACY_HELLO: &str = "_ZN5hello4main17h0123456789abcdefE";
const LEGACY_CORE: &str = "_ZN4core3fmt5write17h0123456789abcdefE";
const LEGACY_DROP_TOKIO: &str =
    "_ZN4core3ptr44drop_in_place$LT$tokio..runtime..Runtime$GT$17h0123456789abcdefE";

/// An ELF relocatable file: a `.text` of 1000 bytes with Rust and C symbols (one
/// alias, one overlap, a gap) and a `.rodata` of 64 bytes with one object.
fn tiny_elf(arch: Architecture, endian: Endianness, symbols: bool) -> Vec<u8> {
    let mut obj = Object::new(BinaryFormat::Elf, arch, endian);
    let text = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(text, &[0x90; 1000], 16);
    let rodata = obj.add_section(Vec::new(), b".rodata".to_vec(), SectionKind::ReadOnlyData);
    obj.append_section_data(rodata, &[7; 64], 8);
    if symbols {
        let mut add = |name: &str, section, value, size, kind| {
            obj.add_symbol(WSymbol {
                name: name.as_bytes().to_vec(),
                value,
                size,
                kind,
                scope: SymbolScope::Linkage,
                weak: false,
                section: SymbolSection::Section(section),
                flags: SymbolFlags::None,
            });
        };
        add(LEGACY_HELLO, text, 0, 300, SymbolKind::Text);
        // An alias of hello::main: must not be counted twice.
        add("hello_main_alias", text, 0, 300, SymbolKind::Text);
        add(LEGACY_CORE, text, 300, 200, SymbolKind::Text);
        // Overlaps core::fmt::write by 50 bytes.
        add(LEGACY_DROP_TOKIO, text, 450, 150, SymbolKind::Text);
        add("memcpy", text, 600, 100, SymbolKind::Text);
        // 700..1000 is covered by no symbol.
        add(
            "_ZN5hello5TABLE17h0123456789abcdefE",
            rodata,
            0,
            48,
            SymbolKind::Data,
        );
    }
    obj.write().expect("write test ELF")
}

fn all_kinds(symbols: bool) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "x86_64 LE 64",
            tiny_elf(Architecture::X86_64, Endianness::Little, symbols),
        ),
        (
            "aarch64 LE 64",
            tiny_elf(Architecture::Aarch64, Endianness::Little, symbols),
        ),
        (
            "ppc64 BE 64",
            tiny_elf(Architecture::PowerPc64, Endianness::Big, symbols),
        ),
        (
            "i386 LE 32",
            tiny_elf(Architecture::I386, Endianness::Little, symbols),
        ),
        (
            "mips BE 32",
            tiny_elf(Architecture::Mips, Endianness::Big, symbols),
        ),
    ]
}

#[test]
fn section_rows_add_up_to_the_file_for_every_class_and_byte_order() {
    for (what, data) in all_kinds(true) {
        let a = analyze(&data, &Options::default()).expect(what);
        let v = &a.sections;
        let sum = v.accounted_bytes();
        assert_eq!(sum, data.len() as u64, "{what}");
        assert_eq!(a.file_bytes, data.len() as u64);
        let text = v.rows.iter().find(|r| r.name == ".text").expect(what);
        assert_eq!(text.file_bytes, 1000, "{what}");
    }
}

#[test]
fn crate_rows_add_up_to_the_covered_sections() {
    for (what, data) in all_kinds(true) {
        let a = analyze(&data, &Options::default()).expect(what);
        let crates = a.crates.as_ref().expect("has symbols");
        assert_eq!(crates.sections, [".text", ".rodata"], "{what}");
        assert_eq!(crates.covered_bytes, 1064, "{what}");
        let sum: u64 = crates.rows.iter().map(|r| r.bytes).sum();
        assert_eq!(sum, crates.covered_bytes, "{what}");
        let bytes = |name: &str| crates.rows.iter().find(|r| r.name == name).map(|r| r.bytes);
        // hello::main (its alias adds nothing) + hello::TABLE.
        assert_eq!(bytes("hello"), Some(300 + 48), "{what}");
        assert_eq!(bytes("std"), Some(200), "{what}");
        // drop_in_place<tokio::…> is tokio's; the 50 bytes it shares with
        // core::fmt::write stay with the symbol that starts first.
        assert_eq!(bytes("tokio"), Some(100), "{what}");
        assert_eq!(bytes(NON_RUST), Some(100), "{what}");
        assert_eq!(bytes(UNATTRIBUTED), Some(300 + 16), "{what}");
    }
}

#[test]
fn split_std_and_section_choice() {
    let data = tiny_elf(Architecture::X86_64, Endianness::Little, true);
    let options = Options {
        split_std: true,
        sections: vec![".text".into()],
        linked: None,
    };
    let a = analyze(&data, &options).unwrap();
    let crates = a.crates.unwrap();
    assert_eq!(crates.sections, [".text"]);
    assert_eq!(crates.covered_bytes, 1000);
    assert!(crates
        .rows
        .iter()
        .any(|r| r.name == "core" && r.bytes == 200));
    assert!(!crates.rows.iter().any(|r| r.name == "std"));
    assert_eq!(crates.rows.iter().map(|r| r.bytes).sum::<u64>(), 1000);
}

#[test]
fn a_file_without_symbols_has_sections_only() {
    for (what, data) in all_kinds(false) {
        let a = analyze(&data, &Options::default()).expect(what);
        assert!(a.stripped, "{what}");
        assert!(a.crates.is_none() && a.symbols.is_empty(), "{what}");
        assert!(a.sections.rows.iter().any(|r| r.name == ".text"));
    }
}

#[test]
fn non_elf_input_is_a_clear_error() {
    for (data, expect) in [
        (&b""[..], "the file is empty"),
        (b"PK\x03\x04rest of a zip", "zip"),
        (b"#!/bin/sh\necho hi\n", "not an ELF file"),
        (b"\x7fELF", "not an ELF file"),
    ] {
        let err = analyze(data, &Options::default()).unwrap_err();
        let (text, exit) = crate::util::error::render(&err);
        assert!(text.contains(expect), "{text}");
        assert_eq!(exit, crate::util::error::Exit::Error);
    }
}

/// Every truncation and a few hundred bit flips of each test file end in a result
/// or a clean error: no panic, no overflow, no out-of-bounds slice.
#[test]
fn damaged_files_never_panic() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut cases = 0;
    for (_, data) in all_kinds(true) {
        for cut in (0..data.len()).step_by(7) {
            let _ = analyze(&data[..cut], &Options::default());
            cases += 1;
        }
        for _ in 0..300 {
            let mut bad = data.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bad.len() as u64) as usize;
                bad[at] ^= 1 << (next() % 8);
            }
            if let Ok(a) = analyze(&bad, &Options::default()) {
                // Whatever survives still adds up.
                if let Some(c) = &a.crates {
                    assert_eq!(c.rows.iter().map(|r| r.bytes).sum::<u64>(), c.covered_bytes);
                }
            }
            cases += 1;
        }
    }
    assert!(cases > 1000);
}

#[test]
fn misaligned_input_is_read_the_same() {
    let data = tiny_elf(Architecture::X86_64, Endianness::Little, true);
    let mut shifted = vec![0u8; data.len() + 1];
    shifted[1..].copy_from_slice(&data);
    let a = analyze(&data, &Options::default()).unwrap();
    let b = analyze(&shifted[1..], &Options::default()).unwrap();
    assert_eq!(a.symbols, b.symbols);
}
