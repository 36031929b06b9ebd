//! The checks: each turns the facts read from an ELF into one [`CheckResult`] that
//! names what it found and, when it fails, what to change.

use object::elf;

use crate::model::target::Arch;

use super::runtime_facts::RuntimeFacts;
use super::symbol_version::{Family, SymbolVersion, Version};
use super::{CheckResult, Linkage};
use crate::artifact::elf::{Body, ElfFacts, Layout};

/// How many symbols to name per version in a message before "and N more".
const SYMBOLS_SHOWN: usize = 4;

/// Every check, in the order a reader should fix them. `linkage` is what is
/// known of how the file was linked: it decides which glibc fix is true.
pub fn run_all(
    facts: &ElfFacts,
    arch: Option<Arch>,
    rt: &RuntimeFacts,
    linkage: &Linkage,
) -> Vec<CheckResult> {
    let mut checks = vec![class(facts.layout), machine(facts.machine, arch)];
    // Nothing else about a 32-bit or big-endian file matters: it cannot run.
    if let Some(body) = &facts.body {
        // The loader to expect follows the file's own machine when Lambda has it.
        let loader_arch = Arch::from_elf_machine(facts.machine).or(arch);
        checks.push(file_type(body));
        checks.push(interpreter(body, loader_arch, rt));
        checks.push(needed(body, rt));
        let glibc_fix = glibc_fix(loader_arch, rt, linkage);
        checks.push(versions("glibc", &[Family::Glibc], body, rt, &glibc_fix));
        let gcc_families = [Family::Glibcxx, Family::Cxxabi, Family::Gcc];
        checks.push(versions("gcc-libs", &gcc_families, body, rt, GCC_LIBS_FIX));
    }
    checks
}

const MUSL_FIX: &str = "build with --libc musl: a static executable needs nothing from the runtime";

/// The fix for glibc symbol versions above the runtime's, true for how the file
/// was linked: a build whose glibc zig already pinned (for another runtime) is
/// rebuilt for this one with `--runtime`; one linked against whatever glibc the
/// linker had is pinned with zig; either can go static with musl.
fn glibc_fix(arch: Option<Arch>, rt: &RuntimeFacts, linkage: &Linkage) -> String {
    let (runtime, glibc) = (rt.runtime, rt.glibc());
    let musl = "--libc musl (static: needs no glibc)";
    let pin = format!(
        "pin glibc {glibc} with zig: `cargo slim build --libc gnu --linker zig --runtime {runtime}`"
    );
    match linkage {
        Linkage::Pinned {
            glibc: pinned,
            runtime: built_for,
        } => format!(
            "this build has glibc pinned to {pinned} (for {built_for}); rebuild for {runtime}: \
             `cargo slim build --libc gnu --runtime {runtime}` pins {glibc}; or rebuild with {musl}"
        ),
        Linkage::Unpinned => format!(
            "rebuild with {musl}, or {pin} (it was linked against the linker's own glibc; \
             zig: `pip install ziglang cargo-zigbuild`)"
        ),
        Linkage::Unknown => {
            let prefix = arch.map_or("<arch>", Arch::triple_prefix);
            format!(
                "rebuild with {musl}, or {pin} (by hand: cargo zigbuild --target \
                 {prefix}-unknown-linux-gnu.{glibc})"
            )
        }
    }
}

const GCC_LIBS_FIX: &str = "link libstdc++/libgcc statically (-static-libstdc++ -static-libgcc in \
     the C/C++ build), or build with --libc musl";

fn class(layout: Layout) -> CheckResult {
    if layout.is_lambda() && !layout.is_linux() {
        CheckResult::fail(
            "class",
            format!(
                "{}, but built for another operating system (EI_OSABI {})",
                layout.describe(),
                layout.os_abi
            ),
            "build for a Linux target (*-unknown-linux-musl or *-unknown-linux-gnu)",
        )
    } else if layout.is_lambda() {
        CheckResult::pass("class", layout.describe())
    } else {
        CheckResult::fail(
            "class",
            format!(
                "{}: Lambda runs only 64-bit little-endian executables",
                layout.describe()
            ),
            "build for an aarch64 or x86_64 Linux target (--arch arm64 or --arch x86_64)",
        )
    }
}

/// The machines someone may plausibly build for by mistake, by `e_machine`.
const MACHINE_NAMES: &[(elf::Machine, &str)] = &[
    (elf::EM_X86_64, "EM_X86_64"),
    (elf::EM_AARCH64, "EM_AARCH64"),
    (elf::EM_386, "EM_386 (32-bit x86)"),
    (elf::EM_ARM, "EM_ARM (32-bit Arm)"),
    (elf::EM_RISCV, "EM_RISCV"),
    (elf::EM_PPC64, "EM_PPC64"),
    (elf::EM_S390, "EM_S390"),
    (elf::EM_MIPS, "EM_MIPS"),
    (elf::EM_LOONGARCH, "EM_LOONGARCH"),
];

/// `x86_64 (EM_X86_64)` / `EM_ARM (32-bit Arm)` / `e_machine 999`.
fn describe_machine(machine: u16) -> String {
    let name = MACHINE_NAMES
        .iter()
        .find(|(m, _)| m.0 == machine)
        .map_or_else(|| format!("e_machine {machine}"), |(_, n)| n.to_string());
    match Arch::from_elf_machine(machine) {
        Some(arch) => format!("{arch} ({name})"),
        None => name,
    }
}

fn machine(machine: u16, want: Option<Arch>) -> CheckResult {
    let found = Arch::from_elf_machine(machine);
    let described = describe_machine(machine);
    match (found, want) {
        (Some(found), Some(want)) if found == want => CheckResult::pass(
            "machine",
            format!("{described}, the function's architecture"),
        ),
        (Some(found), Some(want)) => CheckResult::fail(
            "machine",
            format!("the executable is {described} but the function's architecture is {want}"),
            format!(
                "rebuild for {want} (--arch {want}, target {}-unknown-linux-musl), or set \
                 the function's architecture to {found}",
                want.triple_prefix()
            ),
        ),
        (Some(_), None) => CheckResult::pass(
            "machine",
            format!("{described}; no --arch given, so either Lambda architecture passes"),
        ),
        (None, _) => CheckResult::fail(
            "machine",
            format!("{described} is not a Lambda architecture (arm64 or x86_64)"),
            "build for aarch64 or x86_64 Linux (--arch arm64 or --arch x86_64)",
        ),
    }
}

fn file_type(body: &Body) -> CheckResult {
    let kind = match body.file_type {
        t if t == elf::ET_EXEC.0 => Ok("executable (ET_EXEC)"),
        t if t == elf::ET_DYN.0 && body.interpreter.is_some() => {
            Ok("position-independent executable (ET_DYN with an interpreter)")
        }
        t if t == elf::ET_DYN.0 && body.pie_flag => {
            Ok("static position-independent executable (ET_DYN, DF_1_PIE)")
        }
        t if t == elf::ET_DYN.0 => Err(
            "a shared library (ET_DYN with neither an interpreter nor DF_1_PIE), not an \
             executable"
                .to_string(),
        ),
        t if t == elf::ET_REL.0 => Err("an object file (ET_REL), not a linked executable".into()),
        t if t == elf::ET_CORE.0 => Err("a core dump (ET_CORE), not an executable".into()),
        t => Err(format!("of ELF type {t}, not an executable")),
    };
    match kind {
        Ok(_) if body.entry == 0 => CheckResult::fail(
            "type",
            "the executable has no entry point (e_entry is 0)",
            "package the executable of the function's [[bin]] target",
        ),
        Ok(kind) => CheckResult::pass("type", format!("{kind}, entry {:#x}", body.entry)),
        Err(what) => CheckResult::fail(
            "type",
            format!("the file is {what}"),
            "package the executable of the function's [[bin]] target, not a library",
        ),
    }
}

fn interpreter(body: &Body, arch: Option<Arch>, rt: &RuntimeFacts) -> CheckResult {
    let runtime = rt.runtime;
    let Some(path) = &body.interpreter else {
        if body.needed.is_empty() {
            return CheckResult::pass("interpreter", "statically linked: no dynamic loader needed");
        }
        return CheckResult::fail(
            "interpreter",
            format!(
                "no PT_INTERP, yet the file needs {}: nothing would load them",
                body.needed.join(", ")
            ),
            MUSL_FIX,
        );
    };
    let Some(arch) = arch else {
        return CheckResult::fail(
            "interpreter",
            format!("dynamically linked with {path}, for a machine Lambda does not have"),
            "build for aarch64 or x86_64 Linux",
        );
    };
    let loader = rt.loader(arch);
    if path == loader {
        CheckResult::pass(
            "interpreter",
            format!("dynamically linked; loader {path} is on {runtime}"),
        )
    } else {
        let fix = if path.contains("musl") {
            "link musl statically (the default for Rust's *-linux-musl targets: remove \
             `-C target-feature=-crt-static`), or build with --libc gnu"
                .to_string()
        } else {
            format!(
                "link against glibc's standard loader {loader} (drop any --dynamic-linker \
                 option), or {MUSL_FIX}"
            )
        };
        CheckResult::fail(
            "interpreter",
            format!("loader {path} does not exist on {runtime} (its {arch} loader is {loader})"),
            fix,
        )
    }
}

/// What to do about one library the runtime lacks.
fn library_fix(library: &str) -> &'static str {
    if library.starts_with("libstdc++") {
        "link libstdc++ statically (-static-libstdc++)"
    } else if library.starts_with("libssl") || library.starts_with("libcrypto") {
        "use rustls instead of native-tls/OpenSSL, or the openssl crate's `vendored` feature"
    } else if library.starts_with("ld-musl") || library.starts_with("libc.musl") {
        "link musl statically"
    } else {
        "link it statically (most -sys crates have a `static`, `vendored` or `bundled` feature)"
    }
}

fn needed(body: &Body, rt: &RuntimeFacts) -> CheckResult {
    let runtime = rt.runtime;
    if body.needed.is_empty() {
        return CheckResult::pass("needed", "no shared libraries needed");
    }
    let missing: Vec<&String> = body.needed.iter().filter(|l| !rt.ships(l)).collect();
    if missing.is_empty() {
        return CheckResult::pass(
            "needed",
            format!("{}: all ship with {runtime}", body.needed.join(", ")),
        );
    }
    let names: Vec<&str> = missing.iter().map(|l| l.as_str()).collect();
    let mut fixes: Vec<String> = missing
        .iter()
        .map(|l| format!("{l}: {}", library_fix(l)))
        .collect();
    fixes.push(MUSL_FIX.to_string());
    CheckResult::fail(
        "needed",
        format!(
            "needs {} which {runtime} does not ship (it has {})",
            names.join(", "),
            rt.libraries
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| !name.starts_with("ld-"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        fixes.join("; or "),
    )
}

/// `__libc_start_main, fcntl64 and 3 more`.
fn some_symbols(symbols: &[String]) -> String {
    if symbols.is_empty() {
        return "no symbol (a version the link asked for)".to_string();
    }
    let shown = symbols[..symbols.len().min(SYMBOLS_SHOWN)].join(", ");
    match symbols.len().saturating_sub(SYMBOLS_SHOWN) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// A version need above the runtime's ceiling, or one it cannot be assumed to have.
struct Excess<'a> {
    family: Family,
    version: Option<Version>,
    name: &'a str,
    symbols: &'a [String],
}

/// The symbol version needs in `families` against the runtime's ceilings.
fn versions(
    check: &str,
    families: &[Family],
    body: &Body,
    rt: &RuntimeFacts,
    fix: &str,
) -> CheckResult {
    let runtime = rt.runtime;
    let mut highest: Vec<(Family, Version)> = Vec::new();
    let mut excess: Vec<Excess> = Vec::new();
    let mut tolerated = Vec::new();
    for need in &body.version_needs {
        let parsed = SymbolVersion::parse(&need.name);
        if !families.contains(&parsed.family) {
            continue;
        }
        let Some(ceiling) = rt.ceiling(parsed.family) else {
            continue;
        };
        if let Some(v) = parsed.version {
            match highest.iter_mut().find(|(f, _)| *f == parsed.family) {
                Some((_, h)) => *h = (*h).max(v),
                None => highest.push((parsed.family, v)),
            }
        }
        if parsed.version.is_some_and(|v| v <= ceiling) {
            continue;
        }
        if need.weak {
            tolerated.push(need.name.clone());
            continue;
        }
        excess.push(Excess {
            family: parsed.family,
            version: parsed.version,
            name: &need.name,
            symbols: &need.symbols,
        });
    }
    highest.sort();

    if excess.is_empty() {
        let mut detail = if highest.is_empty() {
            "no such symbol versions needed".to_string()
        } else {
            let found: Vec<String> = highest
                .iter()
                .map(|(family, v)| {
                    let ceiling = rt.ceiling(*family).map_or(String::new(), |c| c.to_string());
                    format!("highest {}_{v} (≤ {ceiling})", family.prefix())
                })
                .collect();
            format!("{} on {runtime}", found.join(", "))
        };
        if !tolerated.is_empty() {
            detail.push_str(&format!(
                "; weak needs {} are missing but tolerated by the loader",
                tolerated.join(", ")
            ));
        }
        return CheckResult::pass(check, detail);
    }

    // Per family, newest first: `needs GLIBC_2.34 for __libc_start_main;
    // provided.al2 has 2.26; also GLIBC_2.28 for fcntl64`.
    excess.sort_by(|a, b| (a.family, b.version).cmp(&(b.family, a.version)));
    let mut parts: Vec<String> = Vec::new();
    for family in families {
        let mut of_family = excess.iter().filter(|e| e.family == *family);
        let Some(first) = of_family.next() else {
            continue;
        };
        let has = match (first.version, rt.ceiling(*family)) {
            (Some(_), Some(ceiling)) => format!("{runtime} has {ceiling}"),
            _ => format!("{runtime} cannot be assumed to define it"),
        };
        let mut text = format!(
            "needs {} for {}; {has}",
            first.name,
            some_symbols(first.symbols)
        );
        let rest: Vec<String> = of_family
            .map(|e| format!("{} for {}", e.name, some_symbols(e.symbols)))
            .collect();
        if !rest.is_empty() {
            text.push_str(&format!("; also {}", rest.join(", ")));
        }
        parts.push(text);
    }
    CheckResult::fail(check, parts.join(". "), fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::elf::VersionNeed;
    use crate::model::target::Runtime;

    fn body(needs: &[(&str, &str, &[&str])]) -> Body {
        Body {
            file_type: elf::ET_DYN.0,
            entry: 0x1000,
            interpreter: Some("/lib64/ld-linux-x86-64.so.2".into()),
            dynamic: true,
            pie_flag: true,
            needed: vec!["libc.so.6".into()],
            version_needs: needs
                .iter()
                .map(|(lib, name, syms)| VersionNeed {
                    library: lib.to_string(),
                    name: name.to_string(),
                    weak: false,
                    symbols: syms.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn glibc_above_the_runtime_names_version_symbol_and_ceiling() {
        let b = body(&[
            ("libc.so.6", "GLIBC_2.2.5", &["malloc"]),
            ("libc.so.6", "GLIBC_2.28", &["fcntl64"]),
            ("libc.so.6", "GLIBC_2.34", &["__libc_start_main"]),
        ]);
        let al2 = RuntimeFacts::of(Runtime::Al2);
        let fix = glibc_fix(Some(Arch::X86_64), al2, &Linkage::Unknown);
        let r = versions("glibc", &[Family::Glibc], &b, al2, &fix);
        assert!(!r.passed);
        assert!(
            r.detail.starts_with(
                "needs GLIBC_2.34 for __libc_start_main; provided.al2 has 2.26; also GLIBC_2.28 for fcntl64"
            ),
            "{}",
            r.detail
        );
        let said = r.fix.as_deref().unwrap();
        assert!(said.contains("--libc musl"), "{said}");
        assert!(said.contains("x86_64-unknown-linux-gnu.2.26"), "{said}");

        let al2023 = RuntimeFacts::of(Runtime::Al2023);
        let r = versions("glibc", &[Family::Glibc], &b, al2023, &fix);
        assert!(r.passed, "{}", r.detail);
        assert!(r.detail.contains("highest GLIBC_2.34"), "{}", r.detail);
    }

    #[test]
    fn glibc_fix_is_true_for_how_the_file_was_linked() {
        let al2 = RuntimeFacts::of(Runtime::Al2);
        let zig = Linkage::Pinned {
            glibc: "2.34".into(),
            runtime: Runtime::Al2023,
        };
        let said = glibc_fix(Some(Arch::Arm64), al2, &zig);
        assert!(!said.contains("--linker zig"), "{said}");
        assert!(
            said.contains("glibc pinned to 2.34 (for provided.al2023)"),
            "{said}"
        );
        assert!(
            said.contains("`cargo slim build --libc gnu --runtime provided.al2` pins 2.26"),
            "{said}"
        );
        let gcc = glibc_fix(Some(Arch::Arm64), al2, &Linkage::Unpinned);
        assert!(
            gcc.contains("--linker zig --runtime provided.al2`"),
            "{gcc}"
        );
        assert!(gcc.contains("--libc musl"), "{gcc}");
    }

    #[test]
    fn private_and_weak_versions() {
        let mut b = body(&[("libc.so.6", "GLIBC_PRIVATE", &["__libc_thing"])]);
        let al2023 = RuntimeFacts::of(Runtime::Al2023);
        let r = versions("glibc", &[Family::Glibc], &b, al2023, "fix");
        assert!(!r.passed);
        assert!(r.detail.contains("GLIBC_PRIVATE"));
        b.version_needs[0].weak = true;
        assert!(versions("glibc", &[Family::Glibc], &b, al2023, "fix").passed);
    }

    #[test]
    fn long_symbol_lists_are_cut() {
        let syms: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
        assert_eq!(some_symbols(&syms), "s0, s1, s2, s3 and 6 more");
    }

    #[test]
    fn machine_mismatch_says_both_sides() {
        let r = machine(elf::EM_X86_64.0, Some(Arch::Arm64));
        assert!(!r.passed);
        assert_eq!(
            r.detail,
            "the executable is x86_64 (EM_X86_64) but the function's architecture is arm64"
        );
        assert!(machine(elf::EM_AARCH64.0, Some(Arch::Arm64)).passed);
        assert!(!machine(elf::EM_ARM.0, None).passed);
    }

    #[test]
    fn class_needs_64_bit_little_endian_linux() {
        let layout = |class, data, os_abi| Layout {
            class,
            data,
            os_abi,
        };
        assert!(class(layout(2, 1, 0)).passed);
        assert!(class(layout(2, 1, 3)).passed);
        let freebsd = class(layout(2, 1, 9));
        assert!(!freebsd.passed);
        assert!(freebsd.detail.contains("EI_OSABI 9"), "{}", freebsd.detail);
        assert_eq!(
            class(layout(1, 1, 0)).detail,
            "32-bit, little-endian: Lambda runs only 64-bit little-endian executables"
        );
    }

    #[test]
    fn loaders_and_types() {
        let al2 = RuntimeFacts::of(Runtime::Al2);
        let mut b = body(&[]);
        assert!(interpreter(&b, Some(Arch::X86_64), al2).passed);
        b.interpreter = Some("/lib/ld-musl-x86_64.so.1".into());
        let r = interpreter(&b, Some(Arch::X86_64), al2);
        assert!(!r.passed);
        assert!(
            r.detail.contains("/lib/ld-musl-x86_64.so.1"),
            "{}",
            r.detail
        );
        b.interpreter = None;
        b.pie_flag = false;
        assert!(!file_type(&b).passed, "a shared library");
        b.needed.clear();
        assert!(interpreter(&b, Some(Arch::X86_64), al2).passed);
    }
}
